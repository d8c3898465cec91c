"""The main menu: openIMIS's groups, in the glossary's words.  Each app adds its pages here;
an entry shows only to users holding one of its rights, and only once its page exists.

Every page shows the menu, so what a user sees is worked out once per set of rights (with the
IMIS Administrator flag) and language, labels translated and addresses reversed, and kept in a
small cache for the life of the process.  The rights themselves are read on every request
(kinga.core.access), so a user whose roles change sees the menu of his new rights on his next
page: the cache maps rights to a menu, never a user to his rights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import access
from .rights import Right


@dataclass
class Entry:
    label: str
    url_name: str
    rights: tuple[int, ...] = ()  # empty: every logged-in user


@dataclass
class Group:
    key: str
    label: str
    entries: list[Entry] = field(default_factory=list)


MENU: list[Group] = [
    Group("insurees", _("Insurees and policies")),
    Group("claims", _("Claims")),
    Group("administration", _("Administration")),
    Group("tools", _("Tools")),
    Group("profile", _("Profile")),
]

# (rights, is IMIS administrator, language, urlconf, script prefix) -> (menu, home page tasks).
# Bounded: the key space is the role sets in use times the languages, a few dozen at most.
_cache: dict[tuple, tuple[tuple, tuple]] = {}
CACHE_SIZE = 256


def add(group_key: str, entry: Entry) -> None:
    for group in MENU:
        if group.key == group_key:
            if all(e.url_name != entry.url_name for e in group.entries):
                group.entries.append(entry)
            _cache.clear()
            return
    raise KeyError(group_key)


def visible_menu(user) -> tuple:
    """The groups of the menu the user sees, each {"key", "label", "items": ({"label", "url",
    "url_name"}, ...)}; shared between requests, so read-only."""
    return _menu_and_tasks(user)[0]


def tasks(user) -> tuple:
    """The home page's task cards: the menu without the profile group, which every user has."""
    return _menu_and_tasks(user)[1]


def _menu_and_tasks(user) -> tuple[tuple, tuple]:
    rights, admin = access.rights_of(user), access.is_imis_admin(user)
    key = (
        rights,
        admin,
        get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    found = _cache.get(key)
    if found is None:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        groups = _build(rights, admin)
        found = _cache[key] = (groups, tuple(g for g in groups if g["key"] != "profile"))
    return found


def _build(rights: frozenset[int], admin: bool) -> tuple:
    groups = []
    for group in MENU:
        items = []
        for entry in group.entries:
            if entry.rights and not admin and not any(int(r) in rights for r in entry.rights):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            items.append(
                MappingProxyType(
                    {"label": str(entry.label), "url": url, "url_name": entry.url_name}
                )
            )
        if items:
            groups.append(
                MappingProxyType(
                    {"key": group.key, "label": str(group.label), "items": tuple(items)}
                )
            )
    return tuple(groups)


def _forget(**kwargs) -> None:
    _cache.clear()


# A test that changes settings (languages, URLs) starts from an empty cache.
setting_changed.connect(_forget, dispatch_uid="kinga_menu_cache")


add("administration", Entry(_("Users"), "users:list", (Right.USER_SEARCH,)))
add("administration", Entry(_("Roles"), "roles:list", (Right.ROLE_SEARCH, Right.ROLE)))
add("administration", Entry(_("Locations"), "locations:list", (Right.LOCATION_SEARCH,)))
add(
    "tools",
    Entry(
        _("Import and export locations"),
        "locations:import",
        (Right.LOCATIONS_UPLOAD, Right.LOCATIONS_DOWNLOAD),
    ),
)
add(
    "tools",
    Entry(
        _("Import and export registers"),
        "transfer_index",
        (
            Right.ITEM_ADD,
            Right.ITEM_SEARCH,
            Right.SERVICE_SEARCH,
            Right.HF_UPLOAD,
            Right.HF_DOWNLOAD,
            Right.DIAGNOSES_UPLOAD,
            Right.DIAGNOSES_DOWNLOAD,
            Right.OFFICER_SEARCH,
            Right.CLAIM_ADMIN_SEARCH,
            Right.PAYER_SEARCH,
            Right.PL_SERVICES_SEARCH,
            Right.PL_ITEMS_SEARCH,
        ),
    ),
)
add("profile", Entry(_("My profile"), "profile"))
add("profile", Entry(_("Change my password"), "password_change"))
