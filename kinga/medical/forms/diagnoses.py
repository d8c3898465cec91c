"""Forms of the diagnosis pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ..queries.diagnoses import CODE_MAX_LENGTH, NAME_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Code or name"), required=False, max_length=100)
    retired = forms.BooleanField(label=gettext_lazy("Show retired"), required=False)


class DiagnosisForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=CODE_MAX_LENGTH,
        help_text=gettext_lazy("ICD-10 code, e.g. B54 or A00.0 (6 characters at most)."),
    )
    name = forms.CharField(label=gettext_lazy("Name (English)"), max_length=NAME_MAX_LENGTH)
    name_fr = forms.CharField(
        label=gettext_lazy("Name (French)"), max_length=NAME_MAX_LENGTH, required=False
    )
