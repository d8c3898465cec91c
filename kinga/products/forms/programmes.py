"""Forms of the health-programme pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.models import User

from .. import rules


class ProgrammeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=rules.CODE_MAX_LENGTH)
    name = forms.CharField(label=_("Name"), max_length=100)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Users who work on it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(retired_at__isnull=True).order_by(
            "last_name", "username"
        )
