"""The timeline's URL parameters: read, checked, and applied to the index.

Every problem with a parameter becomes a message for the page (never an exception the user sees
as a 500): the page then shows what was understood, and says what was not.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from .index import FACETS, Snapshot, intersect
from .words import parse_date

PAGE_SIZE = 50
FORMATS = ("html", "csv", "json", "timelinejs")
LANES = ("type", "actor")
KNOWN = {*FACETS, "from", "to", "q", "page", "lanes", "format"}


@dataclass
class Filters:
    """What the URL asks for; `problems` lists what it asked for wrongly, in words."""

    chosen: dict[str, list[str]] = field(default_factory=lambda: {facet: [] for facet in FACETS})
    date_from: str | None = None  # ISO days, inclusive
    date_to: str | None = None
    text: str = ""
    page: int = 1
    lanes: str = "type"
    format: str | None = None
    date_from_raw: str = ""  # the dates as the URL wrote them (2024-11), for links
    date_to_raw: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(self.chosen.values()) or bool(self.date_from or self.date_to or self.text)

    def params(self, **changes) -> list[tuple[str, str]]:
        """The URL parameters of this view with `changes` (None removes a parameter), for links."""
        values: dict[str, list[str]] = {facet: list(keys) for facet, keys in self.chosen.items()}
        values.update({"from": [self.date_from_raw] if self.date_from_raw else [],
                       "to": [self.date_to_raw] if self.date_to_raw else [],
                       "q": [self.text] if self.text else [],
                       "lanes": [self.lanes] if self.lanes != "type" else [],
                       "page": [str(self.page)] if self.page != 1 else []})
        for name, value in changes.items():
            values[name] = [] if value is None else (value if isinstance(value, list) else [str(value)])
        return [(name, v) for name, vs in values.items() for v in vs]


def without(filters: Filters, facet: str) -> Filters:
    """The same filters with nothing chosen in `facet`."""
    return replace(filters, chosen={**filters.chosen, facet: []}, problems=[])


def read(args, snapshot: Snapshot) -> Filters:
    """Read the request's parameters (a MultiDict) against the values the index knows."""
    filters = Filters()
    for name in sorted(set(args) - KNOWN):
        filters.problems.append(f"Unknown parameter “{name}” was ignored; the timeline takes "
                                f"{', '.join(sorted(KNOWN))}.")
    for facet in FACETS:
        for key in dict.fromkeys(v.strip() for v in args.getlist(facet) if v.strip()):
            if key in snapshot.postings[facet]:
                filters.chosen[facet].append(key)
            else:
                filters.problems.append(f"No event has {facet} “{key}”; that filter was ignored.")
    for name, is_end in (("from", False), ("to", True)):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        try:
            value = parse_date(raw, end=is_end)
        except ValueError:
            filters.problems.append(f"“{raw}” is not a date for “{name}”: write YYYY, YYYY-MM or YYYY-MM-DD.")
            continue
        if is_end:
            filters.date_to, filters.date_to_raw = value, raw
        else:
            filters.date_from, filters.date_from_raw = value, raw
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters.problems.append("The date range ends before it begins; it was ignored.")
        filters.date_from = filters.date_to = None
        filters.date_from_raw = filters.date_to_raw = ""
    filters.text = args.get("q", "").strip()[:200]
    lanes = args.get("lanes", "type")
    if lanes in LANES:
        filters.lanes = lanes
    else:
        filters.problems.append(f"Lanes can be by {' or by '.join(LANES)}, not “{lanes}”.")
    fmt = args.get("format")
    if fmt is not None:
        if fmt in FORMATS:
            filters.format = fmt
        else:
            filters.problems.append(f"There is no format “{fmt}”; choose one of {', '.join(FORMATS)}.")
    raw_page = args.get("page", "1")
    if raw_page.isdigit() and int(raw_page) >= 1:
        filters.page = int(raw_page)
    else:
        filters.problems.append(f"“{raw_page}” is not a page number; showing the first page.")
    return filters


def select(snapshot: Snapshot, filters: Filters) -> list[int] | None:
    """Positions of the events the filters keep, in date order; None when they keep all. Kept
    with the snapshot for the views asked for last (callers must not change the list)."""
    if not filters.active:
        return None
    return snapshot.cached(("select", tuple(filters.params(page=None, lanes=None))),
                           lambda: _select(snapshot, filters))


def _select(snapshot: Snapshot, filters: Filters) -> list[int]:
    lists: list = []
    for facet, keys in filters.chosen.items():
        postings = snapshot.postings[facet]
        if facet == "actor":
            # Several actors narrow the list: an event must involve every one of them.
            lists += [postings[key] for key in keys]
        elif len(keys) == 1:
            lists.append(postings[keys[0]])
        elif keys:
            # Several values of another facet widen it: an event has only one type, one modality…
            lists.append(sorted({p for key in keys for p in postings[key]}))
    if filters.text:
        # Through the index of words: each word of the text begins a word of the event's.
        lists.append(snapshot.matching(filters.text))
    if filters.date_to:
        # Events are ordered by begin, so those beginning after the range are a suffix to drop.
        lists.append(range(bisect_right(snapshot.begins, filters.date_to)))
    kept = intersect(lists) if lists else range(len(snapshot.events))
    if filters.date_from:
        ends, date_from = snapshot.ends, filters.date_from
        kept = [p for p in kept if ends[p] >= date_from]
    return list(kept)


def page_of(positions: list[int] | None, snapshot: Snapshot, filters: Filters) -> tuple[list[int], int]:
    """The positions on the requested page and the number of pages; an out-of-range page is
    reported and replaced by the last."""
    total = len(snapshot.events) if positions is None else len(positions)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if filters.page > pages:
        filters.problems.append(f"There is no page {filters.page}; the last is page {pages}.")
        filters.page = pages
    start = (filters.page - 1) * PAGE_SIZE
    if positions is None:
        return list(range(start, min(start + PAGE_SIZE, total))), pages
    return positions[start:start + PAGE_SIZE], pages
