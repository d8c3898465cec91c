"""Generated bad input to every form and every list page's query string: no 5xx, and nothing
written when the input is refused.

The pages are found in the URLconf (not listed by hand): every URL pattern is filled with a
record of its kind and opened by a logged-in IMIS Administrator (the list pages by a district
clerk too), and every `<form>` it shows is read for what a browser would send.  Hypothesis
then draws bad values (numbers past every column, negative or not finite, non-UUIDs, a
10,000-character string, unicode, a NUL character):
- each number field alone out of bounds, the rest of its form valid, so that the value reaches
  the service and the database unless something bounds it;
- each form with one or two of its fields replaced;
- each list page's filters (GET).

Bounded so that the suite stays fast: KINGA_FUZZ_EXAMPLES rounds (2 by default, about 10
seconds of one core; KINGA_FUZZ_EXAMPLES=50 for a longer hunt, with -s for the count of
requests by answer).  A refused request (any answer
but a redirect) must leave every table of Kinga as it was: one query sums their row counts, and
every change writes a history row, so an update shows there too.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinga.core.models import Role, User
from kinga.facilities.models import ClaimAdmin
from kinga.insurees.models import Family, Insuree
from kinga.medical.models import Diagnosis, Item, ItemsPriceList, Service, ServicesPriceList
from kinga.policies.models import Contribution, Payer, Policy
from kinga.products.models import Product

from .factories import login
from .policies.conftest import TODAY, enrolment, pay  # noqa: F401 - a fixture
from .policies.conftest import make_product as bare_product

FUZZ_EXAMPLES = int(os.environ.get("KINGA_FUZZ_EXAMPLES", "2"))
KINGA_APPS = ("core", "locations", "medical", "facilities", "products", "insurees", "policies")
# Pages that end a record (or the session): fuzzed last, so the others still have theirs.
ENDING = re.compile(r"retire|delete|remove|detach|block|suspend|move|password|logout")
SKIPPED = {"logout", "set_language"}
# Pages without an argument that list nothing (forms): their own form is fuzzed, not a page=.
NOT_LISTS = re.compile(r"create|import$|profile|password")

# --- bad values -------------------------------------------------------------------------------

NUL = "\x00"
BAD_WORDS = [
    "2147483648",  # first: the value of Hypothesis's simplest example
    "",
    " ",
    "abc",
    "²",
    "٣",
    "-0",
    "1e999999",
    "NaN",
    "Infinity",
    "0x10",
    "1,5",
    "9" * 50,
    "2147483648",
    "32768",
    "-2147483649",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "2026-02-30",
    "31/12/2026",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "x" * 10_000,
    NUL,
    "a\x00b",
]
bad_value = st.one_of(
    st.sampled_from(BAD_WORDS),
    st.integers(min_value=2**31 - 2, max_value=2**80).map(str),
    st.integers(min_value=-(2**80), max_value=-1).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.uuids().map(str),
    st.text(max_size=20),
)


# What breaks a number field: past a smallint, an integer, a decimal(18, 2); negative; not finite.
bad_number = st.one_of(
    st.sampled_from(
        ["2147483648", "32768", "9" * 50, "-1", "1e999999", "NaN", "Infinity", "1.5", "1,5"]
    ),
    st.integers(min_value=2**15 - 2, max_value=2**80).map(str),
    st.integers(min_value=-(2**80), max_value=-1).map(str),
)


@st.composite
def tampered(draw, fields: dict[str, str]) -> dict[str, str]:
    """The form as the page proposes it, with one or two fields replaced by bad values: the
    other fields valid, the bad value goes as deep as it can (to the service, the database)."""
    values = dict(fields)
    if not values:
        return values
    names = sorted(values)
    for _n in range(draw(st.integers(min_value=1, max_value=2))):
        values[draw(st.sampled_from(names))] = [draw(bad_value)]
    return values


# --- the site ----------------------------------------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page, each {"method", "action", "fields": {name: [values]}, "numbers"}:
    the values a browser would send (checked boxes, selected options, the first button), and
    the names of its number inputs.  A box not ticked is a name with no value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: tuple[str, bool] | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = "post" if a.get("method", "get").lower() == "post" or "hx-post" in a else "get"
            action = a.get("action") or a.get("hx-post") or ""
            self._form = {"method": method, "action": action, "fields": {}, "numbers": set()}
            self._button = False
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        fields = self._form["fields"]
        if not name:
            if tag == "option" and self._select is not None:
                pass
            else:
                return
        if tag in ("input", "button"):
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            values = fields.setdefault(name, [])
            if kind == "file":
                del fields[name]
            elif kind == "number":
                self._form["numbers"].add(name)
                values.append(a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value", "on"))
            elif kind == "submit":
                if not self._button:  # the button pressed: the first one
                    self._button = True
                    values.append(a.get("value", ""))
            else:
                values.append(a.get("value", ""))
        elif tag == "textarea":
            fields.setdefault(name, [])
            self._textarea = name
        elif tag == "select":
            self._select = (name, "multiple" in a)
            self._first_option = None
            fields.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                fields[self._select[0]].append(value)

    def handle_data(self, data):
        if self._form is not None and self._textarea is not None:
            self._form["fields"][self._textarea].append(data)
            self._textarea = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"][self._textarea].append("")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            values = self._form["fields"][name] if self._form is not None else None
            if values is not None and not values and not multiple and self._first_option:
                values.append(self._first_option)
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def patterns(resolver=None, namespace=""):
    """(url name, pattern) of every named URL pattern."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from patterns(p, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def record_for(name: str):
    """The record a URL pattern of `name` is filled with."""
    namespace, _sep, view = name.partition(":")
    if namespace == "pricelists":
        return (ServicesPriceList if view.startswith("services") else ItemsPriceList).objects
    if namespace == "families" and view.startswith("insuree"):
        return Insuree.objects.filter(is_head=False)
    if namespace == "policies":
        if view.startswith("contribution_") and view != "contribution_add":
            return Contribution.objects
        return Policy.objects
    return {
        "users": User.objects.exclude(username="admin.imis"),
        "roles": Role.objects.filter(is_system=0),
        "locations": apps.get_model("locations", "Location").objects.filter(code="NKP"),
        "items": Item.objects,
        "services": Service.objects,
        "diagnoses": Diagnosis.objects,
        "facilities": apps.get_model("facilities", "HealthFacility").objects,
        "claim_admins": ClaimAdmin.objects,
        "officers": apps.get_model("insurees", "Officer").objects,
        "families": Family.objects,
        "payers": Payer.objects,
        "products": Product.objects.filter(code="FAM"),
        "programmes": apps.get_model("products", "Programme").objects,
    }.get(namespace)


def url_of(name: str, pattern: URLPattern) -> str | None:
    converters = pattern.pattern.converters
    if not converters:
        return reverse(name)
    kwargs = {}
    for arg in converters:
        if arg == "family_uuid":
            kwargs[arg] = Family.objects.first().uuid
        elif arg == "uuid":
            manager = record_for(name)
            record = manager.first() if manager is not None else None
            if record is None:
                return None
            kwargs[arg] = record.uuid
        elif arg == "pk":
            kwargs[arg] = apps.get_model("facilities", "Catchment").objects.first().pk
        elif arg == "key":
            kwargs[arg] = "families"
        else:
            return None
    return reverse(name, kwargs=kwargs)


def rows() -> int:
    """The rows of every table of Kinga (and of their histories), in one query."""
    tables = sorted(
        {m._meta.db_table for a in KINGA_APPS for m in apps.get_app_config(a).get_models()}
    )
    sql = " + ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        return cursor.fetchone()[0]


@pytest.fixture
def site(enrolment, world, hcy, imis_admin, mfoundi_clerk, client):  # noqa: F811
    """Records of every kind, and the forms and list pages found in the URLconf."""
    from kinga.medical.services import pricelists as pricelist_services
    from kinga.policies.services import policies as policy_services

    e = enrolment
    policy = policy_services.policy_attach(
        actor=imis_admin,
        family=e.family,
        product=bare_product(
            "FAM", location=world.centre, premium_adult=Decimal(1000), max_installments=1
        ),
        enroll_date=TODAY,
        officer=e.officer,
        today=TODAY,
    ).policy
    pay(imis_admin, policy, "1000", "R1", pay_date=TODAY, today=TODAY)
    Payer.objects.create(type="G", name="Caisse")
    ClaimAdmin.objects.create(code="CA1", last_name="Nana", other_names="Eve", health_facility=hcy)
    Item.objects.create(code="TDF", name="Ténofovir", type="D", price=100, care_type="O")
    Service.objects.create(
        code="CG", name="Consultation", type="C", level="S", price=2000, care_type="O"
    )
    Diagnosis.objects.create(code="A00", name="Choléra")
    for kind in (pricelist_services.SERVICES, pricelist_services.ITEMS):
        pricelist_services.pricelist_create(
            actor=imis_admin, kind=kind, name="Nationale", date=date(2026, 1, 1)
        )
    from kinga.facilities.services import facilities as facility_services

    facility_services.catchment_add(actor=imis_admin, facility=hcy, village=world.nlongkak)
    Role.objects.create(name="Custom", rights=[101001])

    login(client, imis_admin)
    forms, lists, numbers = [], [], []
    for name, pattern in sorted(patterns(), key=lambda p: (bool(ENDING.search(p[0])), p[0])):
        if name in SKIPPED:
            continue
        url = url_of(name, pattern)
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode()):
            action = urlsplit(form["action"]).path or url
            if form["method"] == "post" and action != reverse("logout"):
                forms.append((action, form["fields"]))
                numbers.extend((action, form["fields"], n) for n in sorted(form["numbers"]))
            elif form["method"] == "get" and not pattern.pattern.converters:
                lists.append((action, form["fields"]))
        if not pattern.pattern.converters and not NOT_LISTS.search(name):
            lists.append((url, {"page": ["1"], "q": [], "sort": [], "format": []}))
    users = (imis_admin, mfoundi_clerk)
    numbers = list({(a, n): (a, f, n) for a, f, n in numbers}.values())
    return type(
        "Site",
        (),
        {"forms": unique(forms), "lists": unique(lists), "numbers": numbers, "users": users},
    )


def unique(targets: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Each (address, fields) once (the language form is on every page), without the CSRF
    token (the test client does not check it)."""
    seen, out = set(), []
    for address, fields in targets:
        fields = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
        key = (address, tuple(sorted(fields)))
        if key not in seen:
            seen.add(key)
            out.append((address, fields))
    return out


SENT: Counter = Counter()  # requests by answer (the benchmark's figures, with -s)


def check(response, values, before: int | None = None):
    sent = [v for vs in values.values() for v in vs]
    SENT[response.status_code // 100 * 100] += 1
    assert response.status_code < 500, response.status_code
    if any(NUL in str(v) for v in sent):
        assert response.status_code == 400
    if before is not None and response.status_code != 302:
        assert rows() == before, "a refused request wrote something"


FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# The number fields (some 140 requests) once by default: Hypothesis's first example sends
# 2147483648 to each, past a smallint and an integer column.
ONCE = settings(FUZZ, max_examples=max(1, FUZZ_EXAMPLES // 2))


def test_every_form_and_list_page_answers_bad_input_without_5xx_or_a_write(client, site):
    actions = {a for a, _f in site.forms}
    for name in ("families:create", "products:create", "payers:create", "locations:create"):
        assert reverse(name) in actions, name  # the fuzz reaches every app
    assert len(site.forms) >= 60 and len(site.lists) >= 30 and len(site.numbers) >= 40

    @FUZZ
    @given(data=st.data())
    def forms(data):
        login(client, site.users[0])
        for action, fields in site.forms:
            values = data.draw(tampered(fields), label=action)
            before = rows()
            check(client.post(action, values), values, before)

    @FUZZ
    @given(data=st.data())
    def query_strings(data):
        for user in site.users:
            login(client, user)
            for url, fields in site.lists:
                params = data.draw(tampered(fields), label=url)
                check(client.get(url, params), params)

    @ONCE
    @given(data=st.data())
    def number_fields(data):
        """Each number field alone out of bounds, the rest of its form valid: the value gets
        through the form to the service and the database unless something bounds it."""
        login(client, site.users[0])
        for action, fields, name in site.numbers:
            values = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
            values[name] = [data.draw(bad_number, label=f"{action} {name}")]
            before = rows()
            check(client.post(action, values), values, before)

    SENT.clear()
    number_fields()
    forms()
    query_strings()
    print(f"fuzz: {sum(SENT.values())} requests, by answer {dict(sorted(SENT.items()))}")
