from django import forms

from wagtail.admin.forms import WagtailAdminPageForm

# The edit view's submit buttons whose effect is to put a story in front of
# readers, now or at the end of review.
GO_LIVE_ACTIONS = ("action-publish", "action-submit", "action-workflow-action", "action-restart-workflow")


class ArticlePageForm(WagtailAdminPageForm):
    """Warns before a story goes live without the basics readers and search
    engines rely on. Drafts save regardless; editors may override."""

    publish_despite_checklist = forms.BooleanField(
        required=False,
        label="Go live despite the checklist",
        help_text="Tick to publish or submit although the main image's alt text, the standfirst "
        "or a franchise tag is missing.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rating_scale" in self.fields:
            # Left out, the story keeps its scale: most stories are not reviews.
            self.fields["rating_scale"].required = False
            # A new review takes its desk's scale.
            desk_scale = getattr(getattr(self.parent_page, "specific", None), "rating_scale", None)
            if not self.instance.pk and desk_scale:
                self.initial["rating_scale"] = desk_scale

    def missing_for_go_live(self, cleaned_data):
        missing = []
        image = cleaned_data.get("hero_image")
        if image and not (cleaned_data.get("hero_alt_text") or getattr(image, "description", "")):
            missing.append("alt text for the main image")
        if not cleaned_data.get("standfirst"):
            missing.append("a standfirst")
        if not cleaned_data.get("franchise_tags"):
            missing.append("at least one franchise tag")
        return missing

    def clean(self):
        cleaned_data = super().clean()
        if "rating_scale" in self.fields and not cleaned_data.get("rating_scale"):
            cleaned_data["rating_scale"] = self.initial.get("rating_scale") or self.instance.rating_scale
        byline = self.formsets.get("article_authors")
        if byline is not None and byline.is_bound and all(form.is_valid() for form in byline.forms):
            names = [
                form.cleaned_data["author"]
                for form in byline.forms
                if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
            ]
            repeated = sorted({author.name for author in names if names.count(author) > 1})
            if repeated:
                self.add_error(None, f"Each author appears once in the byline: {', '.join(repeated)} is listed twice.")
        going_live = any(action in self.data for action in GO_LIVE_ACTIONS)
        if going_live and not cleaned_data.get("publish_despite_checklist"):
            missing = self.missing_for_go_live(cleaned_data)
            if missing:
                self.add_error(
                    None,
                    forms.ValidationError(
                        "Before this story goes live it needs %(missing)s. Add them, or tick "
                        "'Go live despite the checklist' in the Settings tab.",
                        params={"missing": ", ".join(missing)},
                        code="checklist",
                    ),
                )
        return cleaned_data
