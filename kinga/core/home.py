"""Cards of work on the home page: each app registers a function `card(user)` that returns a
card, or None when the user has nothing of it to do.  A card reads what it shows in one bounded
query (a count or a short list): the home page stays fast whatever the size of the tables.

A card is a dict: {"title": str, "items": [{"label", "url", "count"?, "detail"?}, ...]}.
"""

from __future__ import annotations

from collections.abc import Callable

CARDS: list[Callable] = []


def register(card: Callable) -> None:
    if card not in CARDS:
        CARDS.append(card)


def cards(user) -> list[dict]:
    out = []
    for card in CARDS:
        shown = card(user)
        if shown:
            out.append(shown)
    return out
