"""Selects whose choices depend on another field: a refusal that says why, and keeps the choice.

A plain ModelChoiceField refuses any key outside its options with « Sélectionnez un choix
valide » and draws the select without the user's choice.  When the options depend on another
field (the products on sale on the enrolment date, the officers working then, the
administrators of the chosen facility…), that is both unhelpful and lossy: the user changed the
other field, the choice fell out of the options, and it vanished.

`DependentChoiceField` offers `queryset` as usual but looks a submitted key up in `wider` (the
records the user may name at all on this form) too.  Found there but not offered, the record is
kept in the select (shown selected, so nothing typed is lost) and refused with `refusal(record)`,
the specific reason (e.g. « … n'est en vente que du 01/01/2026 au 31/12/2026 »).  A key found
nowhere gets the usual message.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


class DependentChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, wider: QuerySet | None = None, refusal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.wider = wider
        self.refusal: Callable[[object], str] | None = refusal

    def offer(
        self, queryset: QuerySet, *, wider: QuerySet, refusal: Callable[[object], str]
    ) -> None:
        """The options (`queryset`), the records a submitted key may name (`wider`) and the
        reason one of those is not offered (`refusal(record)`)."""
        self.queryset = queryset
        self.wider = wider
        self.refusal = refusal

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.wider = self.wider
        result.refusal = self.refusal
        return result

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid_choice" or self.wider is None or self.refusal is None:
                raise
            record = self._in_wider(value)
            if record is None:
                raise
            self._keep(record)
            raise ValidationError(self.refusal(record), code="not_offered") from None

    def _in_wider(self, value):
        key = value
        if isinstance(value, self.queryset.model):
            key = getattr(value, self.to_field_name or "pk")
        try:
            return self.wider.get(**{self.to_field_name or "pk": key})
        except (ValueError, TypeError, ValidationError, self.wider.model.DoesNotExist):
            return None

    def _keep(self, record) -> None:
        """The options plus `record`, in the options' order: the select shows the choice."""
        offered = self.queryset
        ordering = offered.query.order_by or offered.model._meta.ordering or ["pk"]
        self.queryset = offered.model._default_manager.filter(
            Q(pk__in=offered.values("pk")) | Q(pk=record.pk)
        ).order_by(*ordering)
