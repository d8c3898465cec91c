"""The main menu: openIMIS's groups, in the glossary's words.  Each app adds its pages here;
an entry shows only to users holding one of its rights, and only once its page exists."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
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


def add(group_key: str, entry: Entry) -> None:
    for group in MENU:
        if group.key == group_key:
            if all(e.url_name != entry.url_name for e in group.entries):
                group.entries.append(entry)
            return
    raise KeyError(group_key)


def visible_menu(user) -> list[dict]:
    groups = []
    for group in MENU:
        items = []
        for entry in group.entries:
            if entry.rights and not access.has_right(user, *entry.rights):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            items.append({"label": entry.label, "url": url, "url_name": entry.url_name})
        if items:
            groups.append({"key": group.key, "label": group.label, "items": items})
    return groups


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
