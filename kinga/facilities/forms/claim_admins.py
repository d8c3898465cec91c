"""Forms of the claim-administrator pages (input only; the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Language

from ..models import HealthFacility
from .facilities import DATE, FacilityField


class ClaimAdminSearchForm(forms.Form):
    q = forms.CharField(label=_("Code, name, phone or e-mail"), required=False, max_length=100)
    health_facility = FacilityField(
        label=_("Health facility"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].queryset = facilities
        self.fields["health_facility"].empty_label = _("All facilities")


class ClaimAdminForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=8)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    other_names = forms.CharField(label=_("Other names"), max_length=100)
    dob = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False)
    health_facility = FacilityField(
        label=_("Health facility"),
        queryset=HealthFacility.objects.none(),
        to_field_name="uuid",
        help_text=_("The facility he submits claims for."),
    )

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_facility"].queryset = facilities

    @staticmethod
    def initial_for(claim_admin) -> dict:
        return {
            name: getattr(claim_admin, name)
            for name in ("code", "last_name", "other_names", "dob", "phone", "email")
        } | {"health_facility": claim_admin.health_facility}


class ClaimAdminCreateForm(ClaimAdminForm):
    with_login = forms.BooleanField(
        label=_("Create a login"),
        required=False,
        help_text=_("Login name = the code, role Claim Administrator, district of the facility."),
    )
    password = forms.CharField(
        label=_("Password of the login"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty: the login gets a one-time activation code, shown once, with which the "
            "claim administrator chooses his password. Only a user who holds every right of the "
            "Claim Administrator role may choose it."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the login"), choices=Language.choices, initial=Language.FR
    )

    def __init__(
        self, *args, may_create_login: bool = True, may_choose_password: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if not may_create_login:
            for name in ("with_login", "password", "language"):
                del self.fields[name]
        elif not may_choose_password:
            # He does not hold every right of the role: the login gets a one-time code.
            del self.fields["password"]
            self.fields["with_login"].help_text = " ".join(
                [
                    str(self.fields["with_login"].help_text),
                    str(
                        _(
                            "He chooses his password with a one-time activation code, shown to "
                            "you once when you save."
                        )
                    ),
                ]
            )
