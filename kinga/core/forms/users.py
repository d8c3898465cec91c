"""Forms of the users pages.  They check the shape of the input; the rules (unique login name,
scope, privilege escalation, password policy) are the services', whose refusals the views put
back on the field they name."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from ..models import Language, Role
from ..queries import users as queries


class DistrictChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class SingleDistrictField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class UserForm(forms.Form):
    username = forms.CharField(label=_("Login name"), min_length=3, max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    other_names = forms.CharField(label=_("Other names"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    health_facility = forms.ModelChoiceField(
        label=_("Health facility"),
        queryset=None,
        required=False,
        help_text=_("The health facility the user works at, if any."),
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    districts = DistrictChoiceField(
        label=_("Districts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The districts whose data the user may see (none for an IMIS Administrator)."),
    )

    def __init__(self, *args, actor, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = queries.assignable_roles(actor)
        districts = queries.assignable_districts(actor)
        hfs = queries.assignable_health_facilities(actor)
        if user is not None:
            # What the user already holds stays on the form even if the actor could not grant it.
            roles = Role.objects.filter(
                pk__in={
                    *roles.values_list("pk", flat=True),
                    *user.roles.values_list("pk", flat=True),
                }
            )
            districts = districts.model.objects.filter(
                pk__in={
                    *districts.values_list("pk", flat=True),
                    *user.districts.values_list("pk", flat=True),
                }
            )
            if user.health_facility_id:
                hfs = hfs.model.objects.filter(
                    pk__in={*hfs.values_list("pk", flat=True), user.health_facility_id}
                )
        self.fields["roles"].queryset = roles.order_by("name")
        self.fields["districts"].queryset = districts.select_related("parent").order_by(
            "parent__name", "name"
        )
        self.fields["health_facility"].queryset = hfs.order_by("code")

    @classmethod
    def initial_for(cls, user) -> dict:
        return {
            "username": user.username,
            "last_name": user.last_name,
            "other_names": user.other_names,
            "phone": user.phone,
            "email": user.email,
            "language": user.language,
            "health_facility": user.health_facility_id,
            "roles": [r.pk for r in user.roles.all()],
            "districts": [d.pk for d in user.districts.all()],
        }


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to create the user without a password: he cannot log in until an "
            "administrator sets one."
        ),
    )
    password_confirm = forms.CharField(
        label=_("Password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password", "") != data.get("password_confirm", ""):
            self.add_error("password_confirm", _("The two passwords differ."))
        return data


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=_("New password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password_confirm")
            and data["new_password"] != data["new_password_confirm"]
        ):
            self.add_error("new_password_confirm", _("The two passwords differ."))
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=None, required=False)
    district = SingleDistrictField(label=_("District"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("retired", _("Retired")), ("all", _("All"))],
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(retired_at__isnull=True)
        self.fields["district"].queryset = queries.assignable_districts(actor)


class ActivateForm(PasswordResetForm):
    """« Activer mon compte »: the person's login name, his one-time code, his new password."""

    username = forms.CharField(label=_("Login name"), max_length=50)
    code = forms.CharField(
        label=_("One-time code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )

    field_order = ["username", "code", "new_password", "new_password_confirm"]
