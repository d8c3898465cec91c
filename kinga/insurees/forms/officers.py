"""Forms of the officer pages.  They check the shape of the input; the rules are the services',
whose refusals the views put back under the field they name."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from kinga.locations.forms import LocationsPickerField

from ..models import Officer
from ..queries import officers as queries


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DistrictField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class VillagesField(LocationsPickerField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class SubstituteField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} — {obj.district.name}"


class OfficerForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=8)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    other_names = forms.CharField(label=_("Other names"), max_length=100)
    dob = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=100, required=False)
    district = DistrictField(
        label=_("District"),
        queryset=None,
        help_text=_("The district where the officer enrols families."),
    )
    villages = VillagesField(
        label=_("Villages served"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Villages of the officer's district."),
    )
    substitute = SubstituteField(
        label=_("Substitute"),
        queryset=None,
        required=False,
        help_text=_("A current officer of the same district who takes over after the date below."),
    )
    works_to = forms.DateField(
        label=_("Works to"),
        required=False,
        widget=DateInput(),
        help_text=_("The officer's last working day; it goes with a substitute."),
    )
    phone_communication = forms.BooleanField(
        label=_("Receives renewal reminders by phone"), required=False
    )
    veo_code = forms.CharField(
        label=_("Village executive officer: code"), max_length=8, required=False
    )
    veo_last_name = forms.CharField(
        label=_("Village executive officer: last name"), max_length=100, required=False
    )
    veo_other_names = forms.CharField(
        label=_("Village executive officer: other names"), max_length=100, required=False
    )
    veo_dob = forms.DateField(
        label=_("Village executive officer: date of birth"), required=False, widget=DateInput()
    )
    veo_phone = forms.CharField(
        label=_("Village executive officer: phone"), max_length=50, required=False
    )
    create_login = forms.BooleanField(
        label=_("Create a login"),
        required=False,
        help_text=_(
            "The officer logs in with his code as login name and the Enrolment Officer role, "
            "limited to his district."
        ),
    )
    password = forms.CharField(
        label=_("Password of the login"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    LOGIN_FIELDS = ("create_login", "password", "password_confirm")

    def __init__(
        self,
        *args,
        actor,
        officer: Officer | None = None,
        login_allowed: bool,
        password_allowed: bool = True,
        **kw,
    ):
        super().__init__(*args, **kw)
        districts = queries.district_choices(actor)
        villages = queries.village_choices(actor)
        if officer is not None:
            # What the officer already has stays on the form.
            districts = districts.model.objects.filter(
                pk__in={*districts.values_list("pk", flat=True), officer.district_id}
            ).select_related("parent")
        self.fields["district"].queryset = districts.order_by("name")
        # Few villages: checkboxes grouped by place; many: a search narrowed to the district.
        self.fields["villages"].offer(villages, within_field=self["district"].html_name)
        self.fields["substitute"].queryset = queries.substitute_choices(actor, officer)
        if "password" in self.fields:
            self.fields["password"].help_text = " ".join(
                [
                    str(
                        _(
                            "Leave empty: the login gets a one-time activation code, shown once, "
                            "with which the officer chooses his password. Only a user who holds "
                            "every right of the Enrolment Officer role may choose it."
                        )
                    ),
                    *password_validators_help_texts(),
                ]
            )
        if not login_allowed or (officer is not None and officer.user_id):
            for name in self.LOGIN_FIELDS:
                del self.fields[name]
        elif not password_allowed:
            # He does not hold every right of the role: the login gets a one-time code.
            for name in ("password", "password_confirm"):
                del self.fields[name]
            self.fields["create_login"].help_text = " ".join(
                [
                    str(self.fields["create_login"].help_text),
                    str(
                        _(
                            "He chooses his password with a one-time activation code, shown to "
                            "you once when you save."
                        )
                    ),
                ]
            )

    @classmethod
    def initial_for(cls, officer: Officer) -> dict:
        names = [
            "code",
            "last_name",
            "other_names",
            "dob",
            "phone",
            "email",
            "address",
            "works_to",
            "phone_communication",
            "veo_code",
            "veo_last_name",
            "veo_other_names",
            "veo_dob",
            "veo_phone",
        ]
        initial = {name: getattr(officer, name) for name in names}
        initial["district"] = officer.district_id
        initial["substitute"] = officer.substitute_id
        initial["villages"] = [v.pk for v in officer.villages.all()]
        return initial

    def clean(self):
        data = super().clean()
        substitute, works_to = data.get("substitute"), data.get("works_to")
        if "works_to" not in self.errors and bool(substitute) != bool(works_to):
            if substitute:
                self.add_error("works_to", _("Enter the last working day: a substitute needs it."))
                self.add_error("substitute", _("A substitute goes with a last working day."))
            else:
                self.add_error(
                    "substitute", _("Choose the substitute: a last working day needs one.")
                )
                self.add_error("works_to", _("A last working day goes with a substitute."))
        if data.get("create_login") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return data

    @property
    def password_offered(self) -> bool:
        """Whether the login box holds the password fields (the template closes the box after
        them, else right after the box)."""
        return "password" in self.fields

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("password_confirm", None)
        data["villages"] = list(data.get("villages") or [])
        for name in ("create_login", "password"):
            data.setdefault(name, False if name == "create_login" else "")
        return data

    @property
    def villages_searched(self) -> bool:
        """Too many villages for checkboxes: the field is a search (kinga.locations.forms)."""
        return self.fields["villages"].searching

    def village_groups(self) -> list[tuple[str, list]]:
        """The village checkboxes grouped by district › municipality (for the template)."""
        place = {
            str(v.pk): f"{v.parent.parent.name} › {v.parent.name}"
            for v in self.fields["villages"].rows or ()
        }
        groups: dict[str, list] = {}
        for box in self["villages"]:
            groups.setdefault(place.get(str(box.data["value"]), ""), []).append(box)
        return list(groups.items())


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    district = DistrictField(label=_("District"), queryset=None, required=False)
    login = forms.ChoiceField(
        label=_("Login"),
        required=False,
        choices=[("", _("All")), ("with", _("With a login")), ("without", _("Without a login"))],
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = queries.district_choices(actor)
