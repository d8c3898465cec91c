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
    confidential = forms.BooleanField(
        label=_("Confidential programme"),
        required=False,
        help_text=_(
            "Who this programme covers is seen only by its users (within their facility or "
            "districts) and by the holders of the right « Confidential programmes: see their "
            "beneficiaries ». Everyone else sees neither its beneficiaries' names, nor their "
            "policies of its products, nor their claims under it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(retired_at__isnull=True).order_by(
            "last_name", "username"
        )
