"""The printed documents of the money side of claims, built from what the views loaded (no
query here): the bon à payer of Valuated claims (first seed 3.2.6) and the payment statement
(« état de paiement », 3.2.7) as a PDF to sign, and the statement as CSV and XLSX for the
accounting system, with the accounting codes of the products and of the facility.

PDFs are drawn with reportlab (pip-only, no system library) in the active language, French
first; amounts read « 22 500 FCFA » and the total is also written in French words
(kinga.claims.rules.words), with the English words beside them on an English page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from kinga.products.rules import money

from ..codes import LineKind, LineStatus
from ..rules.words import amount_in_words

# --- shared drawing -------------------------------------------------------------------------


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "k-title", parent=base["Title"], fontSize=15, leading=18, spaceAfter=4
        ),
        "h2": ParagraphStyle("k-h2", parent=base["Heading2"], fontSize=11, spaceBefore=6),
        "body": ParagraphStyle("k-body", parent=base["BodyText"], fontSize=9, leading=11),
        "small": ParagraphStyle("k-small", parent=base["BodyText"], fontSize=7.5, leading=9),
        "cell": ParagraphStyle("k-cell", parent=base["BodyText"], fontSize=8, leading=9.5),
        "head": ParagraphStyle("k-head", parent=base["BodyText"], fontSize=7, leading=8.5),
        "total": ParagraphStyle(
            "k-total", parent=base["BodyText"], fontSize=10, leading=13, spaceBefore=4
        ),
        "center": ParagraphStyle(
            "k-center", parent=base["BodyText"], fontSize=9, alignment=TA_CENTER
        ),
    }


def _esc(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _care(date_from, date_to) -> str:
    if date_to and date_to != date_from:
        return f"{_date(date_from)} – {_date(date_to)}"
    return _date(date_from)


def _grid(data, widths, *, header_rows=1, total_rows=0, numeric_from=2) -> Table:
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    style = [
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 8),
        ("FONT", (0, header_rows), (-1, -1), "Helvetica", 8),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8eef4")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a99a8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numeric_from, header_rows), (-1, -1), "RIGHT"),
    ]
    if total_rows:
        style += [
            ("FONT", (0, -total_rows), (-1, -1), "Helvetica-Bold", 8),
            ("BACKGROUND", (0, -total_rows), (-1, -1), colors.HexColor("#f3f5f7")),
        ]
    table.setStyle(TableStyle(style))
    return table


def _pairs(rows: list[tuple[str, str]], st, widths=(42 * mm, 48 * mm)) -> Table:
    """Label/value pairs on two columns of pairs."""
    cells = [
        [Paragraph(f"<b>{_esc(label)}</b>", st["cell"]), Paragraph(_esc(value), st["cell"])]
        for label, value in rows
    ]
    half = (len(cells) + 1) // 2
    left, right = cells[:half], cells[half:]
    data = []
    for i in range(half):
        row = list(left[i])
        row += right[i] if i < len(right) else ["", ""]
        data.append(row)
    table = Table(data, colWidths=[widths[0], widths[1], widths[0], widths[1]])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a99a8")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _words_block(total: Decimal, intro: str, st) -> list[Flowable]:
    """« Arrêté … à la somme de : vingt-deux mille cinq cents francs CFA (22 500 FCFA) »."""
    language = translation.get_language() or "fr"
    out = [
        Paragraph(
            f"{_esc(intro)} <b>{_esc(amount_in_words(total, 'fr'))}</b> ({_esc(money(total))})",
            st["total"],
        )
    ]
    if not language.startswith("fr"):
        out.append(Paragraph(f"<i>{_esc(amount_in_words(total, language))}</i>", st["body"]))
    return out


def _signatures(titles: list[str], st, place_date: str) -> Table:
    width = 180 * mm / len(titles)
    head = [Paragraph(f"<b>{_esc(t)}</b>", st["center"]) for t in titles]
    under = [Paragraph(_esc(_("Name, date, signature and stamp")), st["small"]) for _t in titles]
    table = Table(
        [[Paragraph(_esc(place_date), st["body"])] + [""] * (len(titles) - 1), head, under],
        colWidths=[width] * len(titles),
        rowHeights=[8 * mm, 7 * mm, 28 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("BOX", (0, 1), (-1, -1), 0.4, colors.HexColor("#8a99a8")),
                ("INNERGRID", (0, 1), (-1, -1), 0.4, colors.HexColor("#8a99a8")),
                ("VALIGN", (0, 2), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return KeepTogether([table])


def _footer(text: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#5a6672"))
        canvas.drawString(15 * mm, 10 * mm, text)
        canvas.drawRightString(195 * mm, 10 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    return draw


def _build(story, title: str, footer: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Kinga",
    )
    draw = _footer(footer)
    doc.build(story, onFirstPage=draw, onLaterPages=draw)
    return buffer.getvalue()


def _facility_rows(facility) -> list[tuple[str, str]]:
    district = facility.district
    region = district.parent if district is not None else None
    return [
        (_("Region"), f"{region.code} {region.name}" if region else ""),
        (_("District"), f"{district.code} {district.name}" if district else ""),
        (_("Health facility (FOSA)"), f"{facility.code} {facility.name}"),
    ]


# --- the bon à payer -------------------------------------------------------------------------


@dataclass
class Voucher:
    """One claim's voucher: the claim (with facility, district, region, insuree, diagnosis),
    its current lines, and whether the insuree's name is hidden from the reader."""

    claim: object
    lines: list = field(default_factory=list)
    hide_name: bool = False


def insuree_label(insuree, hide_name: bool) -> str:
    if hide_name:
        return f"{insuree.insurance_number} — {_('Confidential data')}"
    return f"{insuree.insurance_number} — {insuree.other_names} {insuree.last_name}"


def _line_values(line) -> dict:
    passed = line.status == LineStatus.PASSED
    qty_ok = (line.quantity if line.qty_approved is None else line.qty_approved) if passed else 0
    price_ok = line.price_approved if line.price_approved is not None else line.price_asked
    approved = qty_ok * price_ok
    paid = Decimal(0)
    if passed:
        for value in (line.remunerated_amount, line.price_valuated):
            if value is not None:
                paid = value
                break
        else:
            paid = approved
    return {
        "qty_ok": qty_ok,
        "price_ok": price_ok,
        "asked": line.quantity * line.price_asked,
        "approved": approved,
        "paid": paid,
        "passed": passed,
    }


def voucher_total(voucher: Voucher) -> Decimal:
    """What the voucher authorises to pay: the claim's remunerated amount (the valuation's),
    else the sum of its lines' (see `_line_values`)."""
    claim = voucher.claim
    if claim.remunerated is not None:
        return claim.remunerated
    return sum((_line_values(line)["paid"] for line in voucher.lines), Decimal(0))


def _voucher_story(voucher: Voucher, st, printed: datetime) -> list[Flowable]:
    claim = voucher.claim
    facility = claim.health_facility
    diagnosis = str(claim.icd) if claim.icd_id else ""
    story: list[Flowable] = [
        Paragraph(_esc(_("PAYMENT VOUCHER")), st["title"]),
        Paragraph(
            _esc(_("Claim No. %(code)s") % {"code": claim.code}),
            st["center"],
        ),
        Spacer(1, 4 * mm),
        _pairs(
            [
                *_facility_rows(facility),
                (_("Insuree"), insuree_label(claim.insuree, voucher.hide_name)),
                (_("Date(s) of care"), _care(claim.date_from, claim.date_to)),
                (_("Date claimed"), _date(claim.date_claimed)),
                (_("Main diagnosis"), diagnosis),
                (_("Visit type"), str(claim.get_visit_type_display())),
                (_("Health programme"), str(claim.programme) if claim.programme_id else "—"),
            ],
            st,
        ),
        Spacer(1, 4 * mm),
    ]
    head = [
        _("Code"),
        _("Service or item"),
        _("Qty claimed"),
        _("Qty approved"),
        _("Unit price"),
        _("Amount claimed"),
        _("Amount approved"),
        _("To pay"),
    ]
    data = [[Paragraph(f"<b>{_esc(h)}</b>", st["head"]) for h in head]]
    sums = {"asked": Decimal(0), "approved": Decimal(0), "paid": Decimal(0)}
    for line in voucher.lines:
        v = _line_values(line)
        for key in sums:
            sums[key] += v[key]
        medical = line.service if line.kind == LineKind.SERVICE else line.item
        name = _esc(medical.name)
        if not v["passed"]:
            name += f" <i>({_esc(_('rejected'))})</i>"
        data.append(
            [
                medical.code,
                Paragraph(name, st["cell"]),
                str(line.quantity),
                str(v["qty_ok"]),
                money(v["price_ok"]),
                money(v["asked"]),
                money(v["approved"]),
                money(v["paid"]),
            ]
        )
    data.append(
        [
            "",
            _("Totals"),
            "",
            "",
            "",
            money(sums["asked"]),
            money(sums["approved"]),
            money(sums["paid"]),
        ]
    )
    widths = [13 * mm, 47 * mm, 17 * mm, 17 * mm, 20 * mm, 22 * mm, 22 * mm, 22 * mm]
    story.append(_grid(data, widths, total_rows=1))
    total = voucher_total(voucher)
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(f"{_esc(_('Total approved to pay'))} : <b>{_esc(money(total))}</b>", st["total"])
    )
    story += _words_block(total, _("This voucher is drawn up for the sum of:"), st)
    story.append(Spacer(1, 6 * mm))
    place_date = _("Done on %(date)s") % {"date": _date(timezone.localtime(printed))}
    story.append(
        _signatures([_("The medical officer"), _("The authorising officer")], st, place_date)
    )
    return story


def voucher_pdf(vouchers: list[Voucher], *, printed: datetime | None = None) -> bytes:
    """One page (or more) per claim: facility, insuree, lines with claimed and approved
    quantities and amounts, the total in figures and in words, date and signatures."""
    printed = printed or timezone.now()
    st = _styles()
    story: list[Flowable] = []
    for n, voucher in enumerate(vouchers):
        if n:
            story.append(PageBreak())
        story += _voucher_story(voucher, st, printed)
    title = _("Payment voucher")
    if len(vouchers) == 1:
        title += f" {vouchers[0].claim.code}"
    footer = f"Kinga — {title} — {timezone.localtime(printed):%d/%m/%Y %H:%M}"
    return _build(story, title, footer)


# --- the payment statement --------------------------------------------------------------------


def statement_subject(statement) -> str:
    if statement.product_id:
        return f"{_('Product')} {statement.product.code} {statement.product.name}"
    return f"{_('Health programme')} {statement.programme}"


def _kind_title(kind: str) -> str:
    return _("Medical services") if kind == LineKind.SERVICE else _("Medical items")


def statement_pdf(statement, lines: list, *, printed: datetime | None = None) -> bytes:
    """The statement to sign: header (region, district, facility, period, product or
    programme), lines by service then item with declared and validated quantities, unit price
    and amounts, the total in figures and words, three signature blocks."""
    printed = printed or timezone.now()
    st = _styles()
    facility = statement.health_facility
    story: list[Flowable] = [
        Paragraph(_esc(_("PAYMENT STATEMENT")), st["title"]),
        Paragraph(_esc(_("No. %(number)s") % {"number": statement.number}), st["center"]),
    ]
    if statement.status == "cancelled":
        story.append(Paragraph(f"<b>{_esc(_('CANCELLED'))}</b>", st["center"]))
    story += [
        Spacer(1, 4 * mm),
        _pairs(
            [
                *_facility_rows(facility),
                (_("Facility accounting code"), facility.acc_code or "—"),
                (
                    _("Period"),
                    _("%(start)s to %(end)s")
                    % {"start": _date(statement.date_from), "end": _date(statement.date_to)},
                ),
                (_("Product or programme"), statement_subject(statement)),
                (
                    _("Product accounting code"),
                    (statement.product.acc_code_remuneration or "—")
                    if statement.product_id
                    else "—",
                ),
                (_("Claims"), str(statement.claims_count)),
                (_("Status"), str(statement.get_status_display())),
            ],
            st,
        ),
    ]
    head = [
        _("Code"),
        _("Service or item"),
        _("Qty declared"),
        _("Qty validated"),
        _("Unit price"),
        _("Amount validated"),
        _("Amount to pay"),
    ]
    widths = [18 * mm, 62 * mm, 16 * mm, 16 * mm, 22 * mm, 23 * mm, 23 * mm]
    for kind in (LineKind.SERVICE, LineKind.ITEM):
        rows = [line for line in lines if line.kind == kind]
        if not rows:
            continue
        story.append(Paragraph(_esc(_kind_title(kind)), st["h2"]))
        data = [[Paragraph(f"<b>{_esc(h)}</b>", st["head"]) for h in head]]
        validated = amount = Decimal(0)
        for line in rows:
            validated += line.amount_validated
            amount += line.amount
            data.append(
                [
                    line.code,
                    Paragraph(_esc(line.name), st["cell"]),
                    str(line.qty_declared),
                    str(line.qty_validated),
                    money(line.unit_price),
                    money(line.amount_validated),
                    money(line.amount),
                ]
            )
        data.append(["", _("Subtotal"), "", "", "", money(validated), money(amount)])
        story.append(_grid(data, widths, total_rows=1))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(f"{_esc(_('Total to pay'))} : <b>{_esc(money(statement.total))}</b>", st["total"])
    )
    story += _words_block(statement.total, _("This statement is drawn up for the sum of:"), st)
    if statement.status == "paid":
        story.append(
            Paragraph(
                _esc(
                    _("Paid on %(date)s, reference %(reference)s, amount %(amount)s.")
                    % {
                        "date": _date(statement.paid_on),
                        "reference": statement.payment_reference,
                        "amount": money(statement.amount_paid),
                    }
                ),
                st["body"],
            )
        )
    story.append(Spacer(1, 6 * mm))
    place_date = _("Done on %(date)s") % {"date": _date(timezone.localtime(printed))}
    story.append(
        _signatures(
            [_("The head of the FOSA"), _("The auditor"), _("The validation committee")],
            st,
            place_date,
        )
    )
    title = _("Payment statement %(number)s") % {"number": statement.number}
    footer = f"Kinga — {title} — {timezone.localtime(printed):%d/%m/%Y %H:%M}"
    return _build(story, title, footer)


# --- the statement for the accounting system ----------------------------------------------------

EXPORT_COLUMNS = (
    "statement",
    "status",
    "period_from",
    "period_to",
    "region",
    "district",
    "facility_code",
    "facility_name",
    "facility_acc_code",
    "product_code",
    "product_acc_code",
    "programme_code",
    "kind",
    "code",
    "name",
    "qty_declared",
    "qty_validated",
    "unit_price",
    "amount_validated",
    "amount",
)


def export_rows(statement, lines: list) -> list[list]:
    """One row per statement line: the statement, the facility and its accounting code, the
    paying product and its accounting code (AccCodeRemuneration), the line's quantities and
    amounts; dates ISO 8601, amounts plain decimals (files for machines)."""
    facility = statement.health_facility
    district = facility.district
    region = district.parent if district is not None else None
    programme_code = statement.programme.code if statement.programme_id else ""
    rows = []
    for line in lines:
        product = line.product or statement.product
        rows.append(
            [
                statement.number,
                statement.status,
                statement.date_from.isoformat(),
                statement.date_to.isoformat(),
                region.code if region else "",
                district.code if district else "",
                facility.code,
                facility.name,
                facility.acc_code,
                product.code if product else "",
                product.acc_code_remuneration if product else "",
                programme_code,
                line.kind,
                line.code,
                line.name,
                line.qty_declared,
                line.qty_validated,
                _plain(line.unit_price),
                _plain(line.amount_validated),
                _plain(line.amount),
            ]
        )
    return rows


def _plain(value: Decimal) -> str:
    value = value if isinstance(value, Decimal) else Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value:.2f}"


def statement_csv(statement, lines: list) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read the accents), comma separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(statement, lines))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def statement_xlsx(statement, lines: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = statement.number[:31]
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    numeric = {EXPORT_COLUMNS.index(n) for n in ("unit_price", "amount_validated", "amount")}
    for row in export_rows(statement, lines):
        sheet.append([Decimal(v) if i in numeric else v for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
