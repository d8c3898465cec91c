"""Import and export of the services and items price lists (CSV, Excel, JSON: openIMIS has no XML
for them), one row per member of a list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import (
    ItemsPriceList,
    ServicesPriceList,
)
from ..queries import pricelists as pricelist_queries
from ..services import _checks as checks
from ..services import pricelists as pricelist_services

# --- price lists ------------------------------------------------------------------------------


@dataclass
class _ListInFile:
    """One price list as the file describes it: its first row sets the header."""

    where: str  # the first row of the list
    line: transfer.ImportLine
    date: datetime.date
    location: Location | None
    current: Any  # the current list of that name, or None
    refusal: str = ""  # why every row of the list is rejected (scope, strategy)
    header_changed: bool = False
    seen: dict[str, str] = field(default_factory=dict)  # member code -> first row
    new_members: list[tuple[int, Decimal | None]] = field(default_factory=list)
    changed_entries: list[Any] = field(default_factory=list)


class PriceListTransferKind(transfer.RegisterKind):
    """Services (items) price lists: one row per member, `name, date, location_code, code,
    price_override`; a list without member is one row with an empty code.

    The list name is the key: the rows of one list must agree on its date and location (a
    region or a district the importer may change; empty: national, for users who see every
    location).  An import creates the lists that do not exist, changes the date and location of
    those that do, adds the members that are not yet in them and sets the price overrides (an
    empty override: the register price).  It never removes anything: a member of a list that is
    absent from the file stays in the list (remove it on the list's page).
    """

    pl: pricelist_services.PriceListKind
    key_field = "name"
    key_column = "name"
    columns = ["name", "date", "location_code", "code", "price_override"]
    update_fields = ["date", "location"]

    def queryset(self, actor):
        return self.pl.model.objects.current().filter(pricelist_queries.visible_pricelists_q(actor))

    def may_change(self, actor, obj) -> bool:
        return pricelist_queries.may_pricelist(actor, obj, "edit")

    # -- export

    def export_rows(self, actor) -> Iterable[dict[str, Any]]:
        pl = self.pl
        lists = list(self.queryset(actor).select_related("location").order_by("name", "pk"))
        members: dict[int, list[tuple[str, Decimal | None]]] = {}
        for list_id, code, override in (
            pl.entry_model.objects.current()
            .filter(price_list__in=self.queryset(actor).values("pk"))
            .order_by(f"{pl.member_field}__code", "pk")
            .values_list("price_list_id", f"{pl.member_field}__code", "price_override")
        ):
            members.setdefault(list_id, []).append((code, override))
        for price_list in lists:
            header = {
                "name": price_list.name,
                "date": price_list.date,
                "location_code": price_list.location.code if price_list.location else "",
            }
            for code, override in members.get(price_list.pk) or [("", None)]:
                yield {**header, "code": code, "price_override": override}

    # -- import

    def _label(self, name: str) -> str:
        return str(self.pl.model._meta.get_field(name).verbose_name)

    def _locations(self, rows: list[transfer.Row]) -> dict[str, Location]:
        """The locations named by the file, by code: the current ones, else a retired one (the
        location of an existing list may have been retired since)."""
        codes = {row.get("location_code") for row in rows} - {""}
        found = {loc.code: loc for loc in Location.objects.current().filter(code__in=codes)}
        for loc in Location.objects.filter(
            code__in=codes - set(found), retired_at__isnull=False
        ).order_by("retired_at"):
            found[loc.code] = loc
        return found

    def _override(self, row: transfer.Row) -> Decimal | None:
        try:
            return checks._amount(row.get("price_override"), "price_override", required=False)
        except Refused as refused:
            raise Refused(
                _("%(field)s: %(problem)s")
                % {"field": capfirst(_("price override")), "problem": refused.message},
                "price_override",
            ) from None

    def _open_list(self, actor, strategy: str, name: str, group: _ListInFile) -> None:
        """The checks made once per list: strategy, rights, location scope."""
        pl = self.pl
        current = group.current
        try:
            if current is None:
                if strategy == "update":
                    raise Refused(_("%(key)s does not exist.") % {"key": name})
                if not access.has_right(actor, pl.rights["add"]):
                    raise Refused(_("You may not create price lists."))
                pricelist_services._clean_location(actor, group.location)
                return
            if strategy == "insert":
                raise Refused(_("%(key)s already exists.") % {"key": name})
            if not access.has_right(actor, pl.rights["edit"]):
                raise Refused(_("You may not change price lists."))
            if not pricelist_queries.may_pricelist(actor, current, "edit"):
                raise Refused(_("%(key)s is outside the locations you may change.") % {"key": name})
            if group.location != current.location:
                pricelist_services._clean_location(actor, group.location)
            group.header_changed = group.date != current.date or group.location != current.location
        except Refused as refused:
            group.refusal = refused.message

    def import_rows(self, actor, rows, *, strategy, dry_run, progress) -> transfer.ImportReport:
        pl = self.pl
        member_id = f"{pl.member_field}_id"
        report = transfer.ImportReport(dry_run=dry_run)
        names = {row.get("name") for row in rows} - {""}
        existing_qs = pl.model.objects.current().filter(name__in=names).select_related("location")
        if not dry_run:
            # Two imports (or an editor) adding the same member must not both insert it.
            existing_qs = existing_qs.select_for_update(of=("self",))
        existing = {p.name: p for p in existing_qs}
        entries = {
            (e.price_list_id, getattr(e, member_id)): e
            for e in pl.entry_model.objects.current().filter(
                price_list__in=[p.pk for p in existing.values()]
            )
        }
        codes = {row.get("code") for row in rows} - {""}
        members = {
            code: pk
            for code, pk in pl.member_model.objects.current()
            .filter(code__in=codes)
            .values_list("code", "pk")
        }
        locations = self._locations(rows)
        groups: dict[str, _ListInFile] = {}
        for i, row in enumerate(rows):
            line = transfer.ImportLine(row.where, row.get("name"), transfer.REJECTED)
            report.lines.append(line)
            if progress and i % 500 == 0:
                progress(i, len(rows))
            try:
                self._import_row(
                    actor, strategy, row, line, groups, existing, entries, members, locations
                )
            except Refused as refused:
                line.outcome = transfer.REJECTED
                line.reason = refused.message
        if progress:
            progress(len(rows), len(rows))
        if report.rejected or dry_run:
            return report
        self._write(actor, groups)
        report.written = True
        return report

    def _import_row(
        self, actor, strategy, row, line, groups, existing, entries, members, locations
    ):
        pl = self.pl
        name = transfer.text(
            row,
            "name",
            label=self._label("name"),
            required=True,
            max_length=checks.NAME_MAX_LENGTH,
        )
        day = transfer.date_value(row, "date", label=self._label("date"))
        if day is None:
            raise Refused(
                _("%(field)s is missing.") % {"field": capfirst(self._label("date"))}, "date"
            )
        location_code = row.get("location_code")
        location = None
        if location_code:
            location = locations.get(location_code)
            if location is None:
                raise Refused(
                    _("There is no location with the code %(code)s.") % {"code": location_code},
                    "location_code",
                )
        code = row.get("code")
        if code:
            override = self._override(row)
            line.key = f"{name} / {code}"
        elif row.get("price_override"):
            raise Refused(_("A price override needs the code of a member."), "price_override")
        else:
            line.key = name
        group = groups.get(name)
        if group is None:
            group = _ListInFile(row.where, line, day, location, existing.get(name))
            groups[name] = group
            self._open_list(actor, strategy, name, group)
        else:
            if day != group.date:
                raise Refused(
                    _(
                        "The date %(date)s differs from the date of %(name)s at %(where)s (%(first)s)."
                    )
                    % {"date": day, "name": name, "where": group.where, "first": group.date},
                    "date",
                )
            if location != group.location:
                raise Refused(
                    _(
                        "The location %(code)s differs from the location of %(name)s at %(where)s (%(first)s)."
                    )
                    % {
                        "code": location_code or _("(national)"),
                        "name": name,
                        "where": group.where,
                        "first": group.location.code if group.location else _("(national)"),
                    },
                    "location_code",
                )
        if group.refusal:
            raise Refused(group.refusal)
        changed = group.current is None or (group.line is line and group.header_changed)
        if code:
            if code in group.seen:
                raise Refused(
                    _("%(code)s appears twice in %(name)s (first at %(where)s).")
                    % {"code": code, "name": name, "where": group.seen[code]},
                    "code",
                )
            member = members.get(code)
            if member is None:
                raise Refused(
                    _("There is no current %(what)s with the code %(code)s.")
                    % {"what": pl.member_model._meta.verbose_name, "code": code},
                    "code",
                )
            group.seen[code] = row.where
            entry = entries.get((group.current.pk, member)) if group.current else None
            if entry is None:
                group.new_members.append((member, override))
                changed = True
            elif entry.price_override != override:
                entry.price_override = override
                group.changed_entries.append(entry)
                changed = True
        if group.current is None:
            line.outcome = transfer.CREATED
        else:
            line.outcome = transfer.UPDATED if changed else transfer.UNCHANGED

    def _write(self, actor, groups: dict[str, _ListInFile]) -> None:
        pl = self.pl
        reason = _("Imported")
        history = {"default_user": actor, "default_change_reason": reason}
        new = {
            name: pl.model(name=name, date=g.date, location=g.location)
            for name, g in groups.items()
            if g.current is None
        }
        created = bulk_create_with_history(
            list(new.values()), pl.model, batch_size=transfer.BATCH, **history
        )
        lists = {p.name: p for p in created}
        changed_headers = []
        for name, g in groups.items():
            if g.current is not None:
                lists[name] = g.current
                if g.header_changed:
                    g.current.date, g.current.location = g.date, g.location
                    changed_headers.append(g.current)
        if changed_headers:
            bulk_update_with_history(
                changed_headers,
                pl.model,
                ["date", "location"],
                batch_size=transfer.UPDATE_BATCH,
                **history,
            )
        new_entries = [
            pl.entry_model(
                price_list=lists[name],
                price_override=override,
                **{f"{pl.member_field}_id": member},
            )
            for name, g in groups.items()
            for member, override in g.new_members
        ]
        if new_entries:
            bulk_create_with_history(
                new_entries, pl.entry_model, batch_size=transfer.BATCH, **history
            )
        changed_entries = [e for g in groups.values() for e in g.changed_entries]
        if changed_entries:
            bulk_update_with_history(
                changed_entries,
                pl.entry_model,
                ["price_override"],
                batch_size=transfer.UPDATE_BATCH,
                **history,
            )


class ServicesPriceListKind(PriceListTransferKind):
    key = "services_price_lists"
    label = gettext_lazy("Services price lists")
    model = ServicesPriceList
    pl = pricelist_services.SERVICES
    upload_rights = (Right.PL_SERVICES_ADD, Right.PL_SERVICES_EDIT)
    download_rights = (Right.PL_SERVICES_SEARCH,)


class ItemsPriceListKind(PriceListTransferKind):
    key = "items_price_lists"
    label = gettext_lazy("Items price lists")
    model = ItemsPriceList
    pl = pricelist_services.ITEMS
    upload_rights = (Right.PL_ITEMS_ADD, Right.PL_ITEMS_EDIT)
    download_rights = (Right.PL_ITEMS_SEARCH,)


SERVICES_PRICE_LISTS = ServicesPriceListKind()
ITEMS_PRICE_LISTS = ItemsPriceListKind()
