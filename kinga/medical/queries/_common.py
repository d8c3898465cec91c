"""Small helpers of the medical reads (UUID parsing, code-or-name search)."""

from __future__ import annotations

import uuid as uuid_module

from django.db.models import Q


def parse_uuid(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError:
        return None


def _text_q(q: str) -> Q:
    q = (q or "").strip()
    return Q(code__icontains=q) | Q(name__icontains=q) if q else Q()
