"""Pure rules of families and insurees (spec registers §8.2, §8.3; decision 4): the insurance
number's check and generator, age and adulthood.  No database, no settings: callers pass the
configuration (kinga.insurees.services.families reads `settings.KINGA_INSUREE_NUMBER`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

MAX_NUMBER_LENGTH = 50
CHECKS = (None, "modulo7", "luhn")
AGE_OF_MAJORITY = 18


@dataclass(frozen=True)
class NumberScheme:
    """How a scheme's insurance numbers look: exact length (None: any up to 50) and check digit
    (None, "modulo7": the last digit is the rest of the base divided by 7 — openIMIS's legacy
    CHF build —, "luhn": the Luhn check digit)."""

    length: int | None = None
    check: str | None = None

    def __post_init__(self):
        if self.check not in CHECKS:
            raise ValueError(f"unknown insurance-number check {self.check!r}")
        if self.length is not None and not (2 <= self.length <= MAX_NUMBER_LENGTH):
            raise ValueError("the insurance-number length must be between 2 and 50")

    @classmethod
    def from_setting(cls, value: dict | None) -> NumberScheme:
        value = value or {}
        return cls(length=value.get("length"), check=value.get("check"))


def luhn_digit(base: str) -> int:
    """The Luhn check digit of the digits `base` (doubling from the rightmost base digit)."""
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def modulo7_digit(base: str) -> int:
    return int(base) % 7


def number_problem(number: str, scheme: NumberScheme) -> str | None:
    """Why `number` is not a valid insurance number of the scheme (a message), or None."""
    number = number or ""
    if not number:
        return _("Enter the insurance number.")
    if number != number.strip() or any(ch.isspace() for ch in number):
        return _("The insurance number may not contain spaces.")
    if len(number) > MAX_NUMBER_LENGTH:
        return _("The insurance number may have at most %(n)d characters.") % {
            "n": MAX_NUMBER_LENGTH
        }
    if scheme.length is not None and len(number) != scheme.length:
        return _("The insurance number must have exactly %(n)d characters (it has %(got)d).") % {
            "n": scheme.length,
            "got": len(number),
        }
    if scheme.check is None:
        return None
    if not number.isascii() or not number.isdigit():
        return _("The insurance number may contain digits only.")
    if len(number) < 2:
        return _("The insurance number needs at least one digit before its check digit.")
    base, last = number[:-1], int(number[-1])
    if scheme.check == "modulo7":
        if int(base) == 0:
            return _("The insurance number cannot be made of zeros only.")
        if modulo7_digit(base) != last:
            return _(
                "The insurance number %(number)s is not valid: its last digit must be the "
                "rest of the division of the other digits by 7."
            ) % {"number": number}
    elif luhn_digit(base) != last:
        return _(
            "The insurance number %(number)s is not valid: its check digit (Luhn) is wrong."
        ) % {"number": number}
    return None


def make_number(serial: int, scheme: NumberScheme) -> str:
    """The insurance number of the `serial`-th person of a scheme that assigns numbers: the
    serial, padded with zeros to the scheme's length, followed by its check digit."""
    if serial < 1:
        raise ValueError("serial numbers start at 1")
    base_length = None
    if scheme.length is not None:
        base_length = scheme.length - (0 if scheme.check is None else 1)
    base = str(serial)
    if base_length is not None:
        if len(base) > base_length:
            raise ValueError("the scheme has no insurance number left")
        base = base.zfill(base_length)
    if scheme.check == "modulo7":
        return base + str(modulo7_digit(base))
    if scheme.check == "luhn":
        return base + str(luhn_digit(base))
    return base


def age_at(dob: date, on: date) -> int:
    """Exact age in whole years at `on`, birthday basis (someone born on 29 February turns one
    year older on 1 March in common years)."""
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years


def is_adult(dob: date, on: date, majority: int = AGE_OF_MAJORITY) -> bool:
    return age_at(dob, on) >= majority


# --- name search (issue 14, item 5) ---------------------------------------------------------

# Letters that Unicode does not decompose but PostgreSQL's `unaccent` spells out.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
    }
)


def fold_name(*parts: str | None) -> str:
    """A name as clerks type it: without accents, in lower case, letters and digits only
    (« N'Dongo » → « ndongo », « Ébéné » → « ebene »).  The same as the database's
    `kinga_fold` (unaccent, lower, [^a-z0-9] removed) that the name search indexes."""
    text = "".join(p or "" for p in parts).translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text).lower()
    return "".join(c for c in text if c.isascii() and c.isalnum())


def name_words(query: str) -> list[str]:
    """The folded words of a name search (« Jean-Paul N'Dongo » → jeanpaul, ndongo); each must
    appear in the folded name."""
    return [w for w in (fold_name(word) for word in (query or "").split()) if w]
