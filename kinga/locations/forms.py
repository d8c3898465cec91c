from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Location, level_name


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.code} {obj.name} ({level_name(obj.type)})"


def _level_choices():
    return [(t, level_name(t)) for t in rules.LEVELS]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=50)
    level = forms.ChoiceField(label=_("Level"), required=False)
    parent = LocationChoiceField(
        label=_("In"), queryset=Location.objects.none(), required=False, to_field_name="uuid"
    )
    retired = forms.BooleanField(label=_("Show retired"), required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("All levels")), *_level_choices()]
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("Everywhere")


class _CountsMixin(forms.Form):
    male_population = forms.IntegerField(
        label=_("male population"), required=False, min_value=0, max_value=rules.MAX_COUNT
    )
    female_population = forms.IntegerField(
        label=_("female population"), required=False, min_value=0, max_value=rules.MAX_COUNT
    )
    other_population = forms.IntegerField(
        label=_("other population"), required=False, min_value=0, max_value=rules.MAX_COUNT
    )
    families = forms.IntegerField(
        label=_("number of families"), required=False, min_value=0, max_value=rules.MAX_COUNT
    )


_COUNTS_HELP = _("Villages only.")


class LocationForm(_CountsMixin):
    """Create: the service checks the level rules and the code; the form only reads input."""

    type = forms.ChoiceField(label=_("Level"))
    parent = LocationChoiceField(
        label=_("Parent"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("Empty for a region."),
    )
    code = forms.CharField(label=_("Code"), max_length=rules.CODE_MAX_LENGTH)
    name = forms.CharField(label=_("Name"), max_length=rules.NAME_MAX_LENGTH)

    field_order = ["type", "parent", "code", "name"]

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = _level_choices()
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(none)")
        self.fields["male_population"].help_text = _COUNTS_HELP


class LocationEditForm(_CountsMixin):
    code = forms.CharField(label=_("Code"), max_length=rules.CODE_MAX_LENGTH)
    name = forms.CharField(label=_("Name"), max_length=rules.NAME_MAX_LENGTH)

    field_order = ["code", "name"]

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        if location.type != rules.VILLAGE:
            for name in ("male_population", "female_population", "other_population", "families"):
                del self.fields[name]


class MoveForm(forms.Form):
    parent = LocationChoiceField(
        label=_("New parent"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("Empty to make it a region."),
    )

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(none: a region)")


class ImportForm(forms.Form):
    """The file is read (its type, its size) and checked by the shared import."""

    file = forms.FileField(label=_("File (XML, JSON, CSV or Excel .xlsx)"))
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=[
            ("insert", _("Insert new locations only")),
            ("update", _("Update existing locations only")),
            ("insert_update", _("Insert new and update existing locations")),
        ],
        initial="insert_update",
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and report, write nothing"), required=False, initial=True
    )
