"""The forms of an existing policy: an Idle one's dates and officer, the officer of one in
force (with the reason)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from kinga.insurees.models import Officer

from ..queries import policies as policy_queries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyEditForm(forms.Form):
    """An Idle policy: enrolment date, start date (computed unless typed), officer."""

    enroll_date = forms.DateField(label=gettext_lazy("Enrolment date"), widget=DATE)
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DATE, required=False)
    officer = forms.ModelChoiceField(
        label=gettext_lazy("Enrolment officer"),
        queryset=Officer.objects.none(),
        to_field_name="uuid",
    )

    def __init__(self, *args, user, family, on_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = policy_queries.officers_for_policy(user, family, on_date)


class PolicyCorrectForm(forms.Form):
    """A policy in force: only its officer, and why."""

    officer = forms.ModelChoiceField(
        label=gettext_lazy("Enrolment officer"),
        queryset=Officer.objects.none(),
        to_field_name="uuid",
    )
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=200)

    def __init__(self, *args, user, family, on_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = policy_queries.officers_for_policy(user, family, on_date)
