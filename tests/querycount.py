"""Query counts of list pages: the count must not grow with the rows."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, path: str, params: dict | None = None) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx), [q["sql"] for q in ctx.captured_queries], response


def assert_flat(
    client,
    path: str,
    grow: Callable[[], object],
    *,
    at_most: int,
    params: dict | None = None,
    shown: Callable[[object], int] | None = None,
) -> int:
    """The page at `path` makes at most `at_most` queries, and exactly as many again once
    `grow()` has added rows (the caller shows every row on the page: KINGA_PAGE_SIZE = 100).
    `shown(response)` counts the rows a response shows, to check they did grow.  Returns the
    count."""
    client.get(path, params or {})  # the session's first read
    before, sqls, first = page_queries(client, path, params)
    grow()
    after, later_sqls, second = page_queries(client, path, params)
    listing = "\n\n".join(later_sqls)
    assert after == before, f"{before} queries, then {after} with more rows:\n\n{listing}"
    assert after <= at_most, f"{after} queries (at most {at_most}):\n\n{listing}"
    if shown is not None:
        assert shown(second) > shown(first) >= 30, (shown(first), shown(second))
    if os.environ.get("KINGA_SHOW_QUERIES"):
        print(f"\n[queries] {path} {params or {}}: {after}")
    return after
