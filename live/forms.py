from django import forms

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from live.models import LiveCoverage, LiveUpdate


class LiveCoverageForm(forms.ModelForm):
    class Meta:
        model = LiveCoverage
        fields = ["starts_at", "ends_at"]
        widgets = {"starts_at": AdminDateTimeInput, "ends_at": AdminDateTimeInput}

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The coverage must end after it starts.")
        return cleaned


class LiveUpdateForm(WagtailAdminModelForm):
    class Meta:
        model = LiveUpdate
        fields = ["headline", "body", "authors", "key_event", "pinned"]
        widgets = {"authors": forms.CheckboxSelectMultiple}
