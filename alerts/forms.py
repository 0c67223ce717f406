from django import forms

from alerts.models import Follower
from news.models import FranchiseTag, SeriesHubPage
from news.models.visibility import visible_to_readers


def topic_value(topic):
    return f"series:{topic.pk}" if isinstance(topic, SeriesHubPage) else f"franchise:{topic.pk}"


def topics_from_values(values):
    """The series hubs and franchise tags that `values` name, readers' view only."""
    series_ids, franchise_ids = set(), set()
    for value in values:
        kind, _, pk = str(value).partition(":")
        if pk.isdigit() and len(pk) < 12:
            (series_ids if kind == "series" else franchise_ids if kind == "franchise" else set()).add(int(pk))
    series = list(visible_to_readers(SeriesHubPage.objects.filter(pk__in=series_ids)).order_by("title"))
    franchises = list(FranchiseTag.objects.filter(pk__in=franchise_ids).order_by("name"))
    return series + franchises


class FollowForm(forms.Form):
    """Follow one or more topics. `website` is a trap only bots fill in."""

    topics = forms.MultipleChoiceField(
        label="Send me new stories about",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one series or franchise to follow."},
    )
    email = forms.EmailField(
        label="Your email",
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Follower.Frequency.choices,
        initial=Follower.Frequency.INSTANT,
        widget=forms.RadioSelect,
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_objects = {topic_value(topic): topic for topic in topics}
        self.fields["topics"].choices = [(value, str(topic)) for value, topic in self.topic_objects.items()]
        self.fields["topics"].error_messages["invalid_choice"] = "That series or franchise is not available."

    def clean_email(self):
        # Addresses are compared without regard to case.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError("Your request could not be accepted.", code="honeypot")
        return cleaned

    def chosen_topics(self):
        return [self.topic_objects[value] for value in self.cleaned_data["topics"]]


class PreferencesForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label="Keep me posted about", widget=forms.CheckboxSelectMultiple, required=False
    )
    frequency = forms.ChoiceField(label="How often", choices=Follower.Frequency.choices, widget=forms.RadioSelect)

    def __init__(self, *args, follows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(str(follow.pk), str(follow.topic)) for follow in follows]
