import time

from django import forms
from django.conf import settings
from django.core import signing

from comments.models import ReaderComment
from comments.moderation import link_count

FORM_STARTED_SALT = "talkies.comment-form.started"


class ReaderCommentForm(forms.ModelForm):
    """A reader's comment. Two silent traps for bots: a field people never
    see (`website`) and the time since the form was shown (`started`, signed
    so that it cannot be forged). What the reader typed is always sent back
    on an error."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = ReaderComment
        fields = ["name", "email", "body", "parent"]
        widgets = {"parent": forms.HiddenInput, "body": forms.Textarea(attrs={"rows": 6})}
        labels = {"name": "Your name", "email": "Your email (never shown)", "body": "Your comment"}
        error_messages = {
            "body": {"max_length": "Comments can be up to %(limit_value)d characters; yours has %(show_value)d."},
            "email": {"invalid": "Enter an email address like name@example.com."},
        }

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        # Replies go one level deep, to approved comments on this story.
        self.fields["parent"].queryset = ReaderComment.objects.approved().filter(page=page, parent=None)
        self.fields["parent"].error_messages["invalid_choice"] = "The comment you replied to is not available."
        self.fields["started"].initial = signing.dumps(time.time(), salt=FORM_STARTED_SALT)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if link_count(body) > settings.COMMENT_MAX_LINKS:
            raise forms.ValidationError(f"Please include at most {settings.COMMENT_MAX_LINKS} links.")
        if not body:
            raise forms.ValidationError("Write a comment first.")
        return body

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError("Your comment could not be accepted.", code="honeypot")
        try:
            started = signing.loads(cleaned.get("started", ""), salt=FORM_STARTED_SALT, max_age=60 * 60 * 24)
        except signing.BadSignature:
            raise forms.ValidationError(
                "This form has expired. Please send your comment again.", code="expired"
            ) from None
        if time.time() - float(started) < settings.COMMENT_MIN_SECONDS:
            raise forms.ValidationError(
                "That was quick! Please read your comment over and send it again.", code="fast"
            )
        return cleaned
