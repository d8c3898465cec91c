"""Form fields shared by the medical pages."""

from __future__ import annotations

from django import forms


def _all(label, choices):
    return [("", label), *choices]


def amount_field(label, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    """Money: a Decimal typed with the user's decimal separator (1500 or 1500,50)."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=18,
        decimal_places=2,
        localize=True,
        help_text=help_text,
    )
