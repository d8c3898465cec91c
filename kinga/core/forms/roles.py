"""Forms of the roles pages (the rights are checked by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..rights import Right

RIGHT_CHOICES = [(r.value, r.label) for r in Right]


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    alt_language = forms.CharField(label=_("French name"), max_length=50, required=False)
    rights = forms.TypedMultipleChoiceField(
        label=_("Rights"),
        choices=RIGHT_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one right.")},
    )


class RoleDuplicateForm(forms.Form):
    name = forms.CharField(label=_("Name of the new role"), max_length=50)
    alt_language = forms.CharField(label=_("French name"), max_length=50, required=False)


class RoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), ("system", _("System")), ("custom", _("Custom"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("current", _("Current")),
            ("blocked", _("Blocked")),
            ("retired", _("Retired")),
            ("all", _("All")),
        ],
    )
