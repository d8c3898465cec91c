"""Load a record *and* check that a user may do an action on it, in one call.

Every view, htmx endpoint and API route starts with a `get_<thing>_for_user(user, key,
action="view")` built on a `Loader`; the loader answers, in this order:

1. 403 when the user holds none of the action's rights (asked before any lookup, so that a
   user without the right learns nothing about which keys exist);
2. 404 when the key is malformed or no such record exists;
3. 403 when the record lies outside the user's location scope, is retired and the action
   changes it, or is in a state where the action does not apply (e.g. a policy's status).

Views never raise PermissionDenied themselves: they ask the loader (`may`) which buttons to
show, and services ask it (`require`) before they write, so that each rule lives in one place.
A business refusal that the user should read (e.g. "the head of family cannot be moved") is not
an authorisation: services raise `Refused` for it and the page shows it.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from . import access, audit

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Action:
    """What an action needs: one of `rights` (and every one of `all_of`); a current (not
    retired) record unless `retired_ok`; `when(record)` true, for rules on the record's state;
    and `scope(user, record)` true besides the loader's own scope, for actions whose scope
    depends on the action (a write scope narrower than the read scope, or a right that depends
    on the record, e.g. a location's level)."""

    rights: tuple[int, ...]
    retired_ok: bool = False
    when: Callable[[Any], bool] | None = None
    scope: Callable[[Any, Any], bool] | None = None
    all_of: tuple[int, ...] = ()

    def held_by(self, user) -> bool:
        return access.has_right(user, *self.rights) and all(
            access.has_right(user, right) for right in self.all_of
        )

    def allows(self, record) -> bool:
        if not self.retired_ok and getattr(record, "retired_at", None) is not None:
            return False
        return self.when is None or bool(self.when(record))

    def covers(self, user, record) -> bool:
        return self.scope is None or bool(self.scope(user, record))


def viewing(
    *rights: int,
    scope: Callable[[Any, Any], bool] | None = None,
    all_of: tuple[int, ...] = (),
) -> Action:
    """Seeing a record: retired ones too (their page shows their history)."""
    return Action(tuple(rights), retired_ok=True, scope=scope, all_of=tuple(all_of))


def changing(
    *rights: int,
    when: Callable[[Any], bool] | None = None,
    scope: Callable[[Any, Any], bool] | None = None,
    all_of: tuple[int, ...] = (),
) -> Action:
    """Changing a record: current ones only, and in a state where `when` holds."""
    return Action(tuple(rights), when=when, scope=scope, all_of=tuple(all_of))


ID_MAX = 2**63 - 1  # a bigint primary key


def parse_uuid(value) -> uuid_module.UUID | None:
    """The UUID a URL or form value names, or None when it is not one (a tampered value)."""
    try:
        return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


def parse_id(value) -> int | None:
    """The primary key a URL or form value names (ASCII digits, 1 to a bigint), or None when it
    is not one: `int()` would take "²", " 7" or a 5,000-digit number and fail later, a 500."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value) if value is not None else ""
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= ID_MAX else None


def parse_ids(values) -> list[int]:
    """Every value a primary key (ticked boxes), else Http404: a value no page sends."""
    ids = [parse_id(v) for v in values]
    if None in ids:
        raise Http404
    return ids


def parse_uuids(values) -> list[uuid_module.UUID]:
    """Every value a UUID (ticked boxes), else Http404: a value no page sends."""
    uuids = [parse_uuid(v) for v in values]
    if None in uuids:
        raise Http404
    return uuids


def in_districts(district_of: Callable[[Any], int | None]) -> Callable[[Any, Any], bool]:
    """A scope rule: the record's district (as `district_of(record)` says) is one of the user's."""

    def check(user, record) -> bool:
        return access.scope_of(user).covers_district(district_of(record))

    return check


def national(user, record) -> bool:
    """A scope rule for national registers (items, services, diagnoses): rights only."""
    return True


class Loader(Generic[T]):
    """The loader of one record kind: `queryset()` (with the relations the pages need),
    `actions` by name, and `in_scope(user, record)`."""

    def __init__(
        self,
        *,
        queryset: Callable[[], QuerySet[T]],
        actions: Mapping[str, Action],
        in_scope: Callable[[Any, T], bool],
        key: str = "uuid",
        audit: str | None = None,
        audited: Mapping[str, str] | None = None,
    ):
        """`audit`: the record kind of the read audit (kinga.core.audit): `get()` for one of
        the `audited` actions (loader action -> audit action; default: "view") records the read,
        allowed or denied."""
        self.queryset = queryset
        self.actions = dict(actions)
        self.in_scope = in_scope
        self.key = key
        self.audit = audit
        self.audited = dict(audited or {"view": "view"}) if audit else {}

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise ValueError(f"unknown action {name!r}: one of {sorted(self.actions)}") from None

    def require_right(self, user, action: str = "view") -> None:
        """For pages with no record yet (a list, a creation form)."""
        if not self.may_right(user, action):
            raise PermissionDenied

    def may_right(self, user, action: str) -> bool:
        return self.action(action).held_by(user)

    def get(self, user, key, action: str = "view") -> T:
        rule = self.action(action)
        audited = self.audited.get(action)
        if not rule.held_by(user):
            if audited:
                self._audit_denied_key(user, key, audited)
            raise PermissionDenied
        value = self.parse_key(key)
        record = self.queryset().filter(**{self.key: value}).first() if value is not None else None
        if record is None:
            raise Http404
        if not (self.in_scope(user, record) and rule.allows(record) and rule.covers(user, record)):
            if audited:
                audit.viewed(user, self.audit, record.pk, allowed=False, action=audited)
            raise PermissionDenied
        if audited:
            audit.viewed(user, self.audit, record.pk, action=audited)
        return record

    def _audit_denied_key(self, user, key, action: str) -> None:
        """A read refused for want of the right: the entry names the record when the key names
        one (the user is told 403 either way)."""
        if not audit.counts():
            return
        value = self.parse_key(key)
        pk = None
        if value is not None:
            model = self.queryset().model
            pk = model._default_manager.filter(**{self.key: value}).values_list("pk", flat=True)
            pk = pk.first()
        audit.viewed(user, self.audit, pk or "", allowed=False, action=action)

    def parse_key(self, key):
        """The key as the lookup takes it, or None when it is malformed (a 404)."""
        if self.key == "uuid":
            return parse_uuid(key)
        if self.key in ("pk", "id"):
            return parse_id(key)
        return key

    def may(self, user, record: T, action: str) -> bool:
        """Whether `user` may do `action` on `record` (the buttons a page shows)."""
        rule = self.action(action)
        return (
            rule.held_by(user)
            and self.in_scope(user, record)
            and rule.allows(record)
            and rule.covers(user, record)
        )

    def require(self, user, record: T, action: str) -> None:
        """PermissionDenied unless `may(...)`: the services' own check before they write."""
        if not self.may(user, record, action):
            raise PermissionDenied
