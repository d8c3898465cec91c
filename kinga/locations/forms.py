from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Location, level_name

# --- bounded choices of locations -----------------------------------------------------------
#
# A select of every village of a national user's scope is tens of thousands of options.  A
# location field offers its choices through `PickerMixin.offer(queryset)`: when the queryset
# (already limited to the user's scope and the form's constraint) holds at most
# KINGA_LOCATION_SELECT_MAX locations they are the options of an ordinary select or checkbox
# list, as before; when it holds more, the field becomes a picker: a search box
# (search-as-you-type with htmx, `locations:search`, at most SEARCH_LIMIT matches) that fills a
# select (or a list of checkboxes) holding only the chosen location(s).  Without JavaScript the
# picker shows a text box for the code instead.  Either way the value is checked against the
# same queryset, so a tampered id is a form error, never a 500.

SEARCH_LIMIT = 20


def select_max() -> int:
    return getattr(settings, "KINGA_LOCATION_SELECT_MAX", 100)


def picker_label(loc: Location) -> str:
    """Code and name, with the two levels above (top down): "NLK Nlongkak (Mfoundi › Yaoundé I)"."""
    above = [p.name for p in (loc.parent.parent if loc.parent else None, loc.parent) if p]
    return f"{loc.code} {loc.name} ({' › '.join(above)})" if above else f"{loc.code} {loc.name}"


class TypedCode(str):
    """A location code typed in the picker's text box (no JavaScript), not a chosen id."""


def _codes(text: str) -> list[TypedCode]:
    return [TypedCode(code) for code in re.split(r"[\s,;]+", text or "") if code]


class LocationPicker(forms.Widget):
    """The search box, the chosen location(s) and, without JavaScript, a code box."""

    template_name = "locations/widgets/picker.html"

    def __init__(self, *, field, multiple: bool, search: dict, within_field: str = ""):
        super().__init__()
        self.field, self.multiple = field, multiple
        self.search, self.within_field = search, within_field

    def value_from_datadict(self, data, files, name):
        typed = _codes(data.get(f"{name}_code", ""))
        if self.multiple:
            chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            return [*chosen, *typed]
        return data.get(name) or (typed[0] if typed else None)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_code" not in data

    def id_for_label(self, id_):
        return f"{id_}_search" if self.multiple and id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else [value]
        chosen, unknown = self.field.chosen([v for v in values if v not in (None, "")])
        params = {**self.search, "name": name, "key": self.field.to_field_name or "pk"}
        if self.multiple:
            params["multiple"] = "1"
        if self.within_field:
            params["within_field"] = self.within_field
        context["widget"].update(
            {
                "multiple": self.multiple,
                "chosen": [(self.field.key_of(loc), picker_label(loc)) for loc in chosen],
                "typed": " ".join(unknown),
                "search_url": f"{reverse('locations:search')}?{urlencode(params, doseq=True)}",
                "within_field": self.within_field,
                "required": self.is_required,
            }
        )
        return context


class PickerMixin:
    """Mixed into a ModelChoiceField or ModelMultipleChoiceField of locations."""

    searching = False
    rows: list[Location] | None = None

    def offer(
        self,
        queryset,
        *,
        levels: Iterable[str] = (rules.VILLAGE,),
        within=None,
        within_field: str = "",
        group: Callable[[Location], str] | None = None,
    ) -> list[Location] | None:
        """Offer the locations of `queryset` in one bounded query (at most
        KINGA_LOCATION_SELECT_MAX + 1 rows).  Few: they become the options (grouped by `group`
        if given) and are returned.  Many: the field becomes a picker searching `levels` below
        `within` (a location, or the value of the form field named `within_field`) within the
        user's scope, and None is returned."""
        self.queryset = queryset
        rows = list(queryset[: select_max() + 1])
        if len(rows) <= select_max():
            self.rows = rows
            blank = [] if self._multiple else [("", self.empty_label or "—")]
            if group is None:
                options = [(self.key_of(r), self.label_from_instance(r)) for r in rows]
            else:
                groups: dict[str, list] = {}
                for r in rows:
                    groups.setdefault(group(r), []).append(
                        (self.key_of(r), self.label_from_instance(r))
                    )
                options = list(groups.items())
            self.choices = [*blank, *options]
            return rows
        self.searching = True
        search = {"level": list(levels)}
        if within is not None:
            search["within"] = str(within.uuid)
        self.widget = LocationPicker(
            field=self, multiple=self._multiple, search=search, within_field=within_field
        )
        self.widget.is_required = self.required
        return None

    @property
    def _multiple(self) -> bool:
        return isinstance(self, forms.ModelMultipleChoiceField)

    def key_of(self, loc: Location) -> str:
        return str(getattr(loc, self.to_field_name or "pk"))

    def _key_q(self, keys) -> Q:
        """Q on the queryset for the well-formed keys among `keys` (ids, or UUIDs)."""
        good = []
        for key in keys:
            text = str(key.pk if isinstance(key, Location) else key).strip()
            try:
                good.append(uuid.UUID(text) if self.to_field_name == "uuid" else int(text))
            except ValueError:
                continue
        return Q(**{f"{self.to_field_name or 'pk'}__in": good}) if good else Q(pk__in=[])

    @staticmethod
    def _code_q(codes) -> Q:
        q = Q(pk__in=[])
        for code in codes:
            q |= Q(code__iexact=code)
        return q

    def chosen(self, values) -> tuple[list[Location], list[str]]:
        """The locations `values` (keys or typed codes) name within the queryset, in one query,
        and the typed codes that name none."""
        codes = [v for v in values if isinstance(v, TypedCode)]
        keys = [v for v in values if not isinstance(v, TypedCode)]
        if not values:
            return [], []
        found = list(
            self.queryset.filter(self._key_q(keys) | self._code_q(codes)).select_related(
                "parent__parent"
            )
        )
        known = {loc.code.upper() for loc in found}
        return found, [c for c in codes if c.upper() not in known]

    def _unknown_code(self, code) -> ValidationError:
        return ValidationError(
            _("No location that you may choose here has the code “%(code)s”."),
            code="invalid_choice",
            params={"code": code},
        )


class LocationPickerField(PickerMixin, forms.ModelChoiceField):
    """One location; see PickerMixin.offer."""

    def to_python(self, value):
        if isinstance(value, TypedCode):
            found = list(self.queryset.filter(code__iexact=value)[:2])
            if len(found) != 1:
                raise self._unknown_code(value)
            return found[0]
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            # Not even well formed (e.g. not a UUID): the same message as an unknown one.
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class LocationsPickerField(PickerMixin, forms.ModelMultipleChoiceField):
    """Several locations; see PickerMixin.offer."""

    def clean(self, value):
        values = list(value or [])
        codes = [v for v in values if isinstance(v, TypedCode)]
        if not codes:
            return super().clean(values)
        found, unknown = self.chosen(codes)
        if unknown:
            raise self._unknown_code(", ".join(unknown))
        keys = [v for v in values if not isinstance(v, TypedCode)]
        by_key = list(super().clean(keys)) if keys else []
        return self.queryset.filter(pk__in={loc.pk for loc in [*by_key, *found]})


class LocationChoiceField(LocationPickerField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.code} {obj.name} ({level_name(obj.type)})"


# Where a location may be put (a village has no children).
PARENT_LEVELS = (rules.REGION, rules.DISTRICT, rules.MUNICIPALITY)


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
        self.fields["parent"].empty_label = _("Everywhere")
        if parents is not None:
            self.fields["parent"].offer(parents, levels=(rules.REGION, rules.DISTRICT))


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
        self.fields["parent"].empty_label = _("(none)")
        if parents is not None:
            self.fields["parent"].offer(parents, levels=PARENT_LEVELS)
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
        self.fields["parent"].empty_label = _("(none: a region)")
        if parents is not None:
            self.fields["parent"].offer(parents, levels=PARENT_LEVELS)


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
