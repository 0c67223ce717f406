from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from news.models import Author, FranchiseTag


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    list_display = ["name", "role", "slug"]
    search_fields = ["name", "role"]
    ordering = ["name"]


class FranchiseTagViewSet(SnippetViewSet):
    model = FranchiseTag
    icon = "tag"
    menu_label = "Franchise tags"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("image")]


class NewsroomViewSetGroup(SnippetViewSetGroup):
    items = (AuthorViewSet, FranchiseTagViewSet)
    menu_icon = "group"
    menu_label = "Newsroom"
    menu_name = "newsroom"


register_snippet(NewsroomViewSetGroup)
