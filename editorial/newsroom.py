"""The newsroom's roles and its review workflow, created idempotently.

- Writers create stories in the sections and submit them for review. They
  edit only their own stories: a colleague's draft is theirs to finish, and
  copy editors and editors can edit anything. Writers cannot publish,
  approve, or delete a published story.
- Copy editors edit any story and act on the "Copy edit" step.
- Editors act on "Editor approval", publish, unpublish, schedule and delete,
  and manage series hubs, franchise tags, authors and the planned stories
  on the editorial calendar. They see readers'
  follows and the alert delivery log, and may export a topic's followers.
"""

from django.contrib.auth.models import Group, Permission

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from news.models import SectionPage

WRITERS = "Writers"
COPY_EDITORS = "Copy editors"
EDITORS = "Editors"
WORKFLOW_NAME = "Editorial review"
COPY_EDIT_TASK = "Copy edit"
EDITOR_APPROVAL_TASK = "Editor approval"

SECTION_PAGE_PERMISSIONS = {WRITERS: ["add_page"], COPY_EDITORS: ["add_page", "change_page"]}
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    WRITERS: ["add_image", "choose_image", "add_document", "choose_document"],
    COPY_EDITORS: ["add_image", "choose_image", "change_image", "add_document", "choose_document"],
    EDITORS: [
        "add_image",
        "choose_image",
        "change_image",
        "delete_image",
        "add_document",
        "choose_document",
        "change_document",
        "delete_document",
    ],
}
MODEL_PERMISSIONS = {
    WRITERS: ["wagtailadmin.access_admin", "news.view_author", "news.view_franchisetag"],
    COPY_EDITORS: ["wagtailadmin.access_admin", "news.view_author", "news.view_franchisetag"],
    EDITORS: [
        "wagtailadmin.access_admin",
        "news.add_author",
        "news.change_author",
        "news.delete_author",
        "news.view_author",
        "news.add_franchisetag",
        "news.change_franchisetag",
        "news.delete_franchisetag",
        "news.view_franchisetag",
        "editorial.view_editorialnotification",
        "comments.view_readercomment",
        "comments.change_readercomment",
        "comments.delete_readercomment",
        "comments.moderate_readercomment",
        "live.add_breakingnewsbanner",
        "live.change_breakingnewsbanner",
        "live.delete_breakingnewsbanner",
        "live.view_breakingnewsbanner",
        "search.view_searchqueryday",
        "search.add_searchsynonym",
        "search.change_searchsynonym",
        "search.delete_searchsynonym",
        "search.view_searchsynonym",
        "wagtailsearchpromotions.add_searchpromotion",
        "wagtailsearchpromotions.change_searchpromotion",
        "wagtailsearchpromotions.delete_searchpromotion",
        "alerts.view_follower",
        "alerts.export_followers",
        "alerts.view_alertdelivery",
        "alerts.view_digestdelivery",
        "editorial.add_plannedstory",
        "editorial.change_plannedstory",
        "editorial.delete_plannedstory",
        "editorial.view_plannedstory",
    ],
}


def permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def page_permission(codename):
    return permission(f"wagtailcore.{codename}")


def grant_section_permissions(section):
    """Let writers and copy editors work in one section."""
    for group_name, codenames in SECTION_PAGE_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(group=group, page=section, permission=page_permission(codename))


def grant_new_section(sender, instance, created, raw=False, **kwargs):
    """A new section is open to writers and copy editors straight away."""
    if created and not raw:
        grant_section_permissions(instance)


def setup_newsroom():
    """Create or update the groups, their permissions and the workflow."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (WRITERS, COPY_EDITORS, EDITORS)}
    for name, dotted_names in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(*[permission(dotted) for dotted in dotted_names])

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site is not None else None
    if home is not None:
        for codename in EDITOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=groups[EDITORS], page=home, permission=page_permission(codename)
            )
    for section in SectionPage.objects.all():
        grant_section_permissions(section)

    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for name, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=root_collection, permission=permission(f"{app_label}.{codename}")
                )

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    tasks = []
    for task_name, group_name in ((COPY_EDIT_TASK, COPY_EDITORS), (EDITOR_APPROVAL_TASK, EDITORS)):
        task = GroupApprovalTask.objects.filter(name=task_name).first() or GroupApprovalTask.objects.create(
            name=task_name
        )
        task.groups.set([groups[group_name]])
        tasks.append(task)
    for order, task in enumerate(tasks):
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    if home is not None:
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return groups, workflow
