"""The time axis: where the events that match the filters go in the inline SVG (all of them, not
only the page's).

Up to MAX_MARKS events are drawn one by one: known days are points, vague dates bars spanning their
whole interval, open bounds run to the edge of the axis (drawn paler); inside a lane, bars that
overlap in time are put on separate rows, so none hides another. More events than that are drawn
as their density: the axis is cut into at most MAX_BINS days, weeks, months, quarters or years,
and each lane's bar over a period is as tall as the number of events that may fall in it (as the
date filter counts them: an interval counts in every period it overlaps), and links to the
timeline narrowed to that lane and period. An event with no known bound at all is not drawn.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from diplograph.ontology.vocab import OPEN_BEGIN, OPEN_END

from .index import NEVER, Event, Snapshot
from .query import local_path
from .words import humanize, interval_in_words, is_point

WIDTH = 1000  # viewBox units; the CSS scales the drawing to the page
LEFT, RIGHT = 8, 992
TOP = 34  # room for the tick labels
LANE_TITLE = 24
ROW = 18
DENSITY_ROW = 30  # the height of a lane's tallest density bar
MAX_LANES = 12
MAX_MARKS = 200  # more events than this are drawn as densities
MAX_BINS = 48


@dataclass
class Mark:
    slug: str
    title: str
    x: float
    y: float
    width: float
    point: bool
    modality: str
    open_begin: bool
    open_end: bool
    href: str = ""  # the event in the list when it is on this page, else its own page


@dataclass
class Bin:
    """A lane's events over one period, drawn as a bar from the lane's base line."""

    x: float
    width: float
    y: float
    height: float
    count: int
    title: str
    href: str  # the timeline narrowed to this lane and period


@dataclass
class Lane:
    label: str
    y: float
    marks: list[Mark] = field(default_factory=list)
    bins: list[Bin] = field(default_factory=list)


@dataclass
class Axis:
    height: float
    lanes: list[Lane]
    ticks: list[tuple[float, str]]
    first: date
    last: date
    undated: int  # events with no known bound at all: they have no place on an axis
    total: int = 0  # events drawn
    period: str = ""  # for densities: what one bar spans ("month"…); empty when events are drawn one by one


def layout(snapshot: Snapshot, positions: list[int] | None, on_page: set[str], lanes_by: str,
           date_from: str | None, date_to: str | None, link) -> Axis | None:
    """The axis for the events at `positions` (None: all), between the filter's dates or the
    events' known dates; None when no event has a known date. `on_page` holds the slugs of the
    events listed on this page (their marks link there); `link(**params)` is the URL of the
    timeline with these parameters changed (`actor` added to those chosen), for the density bars."""
    count = len(snapshot.events) if positions is None else len(positions)
    if count <= MAX_MARKS:
        events = snapshot.events if positions is None else [snapshot.events[p] for p in positions]
        return _marks(events, on_page, lanes_by, date_from, date_to)
    return _density(snapshot, positions, lanes_by, date_from, date_to, link)


def _known(events) -> list[str]:
    return [d for e in events for d in (e.begin, e.end) if d not in (OPEN_BEGIN, OPEN_END)]


def _frame(known_first: str | None, known_last: str | None, date_from: str | None, date_to: str | None):
    """The axis's first and last day and the function placing a day on it."""
    first = date.fromisoformat(date_from or known_first)
    last = max(date.fromisoformat(date_to or known_last), first)  # a range past every known date
    if last - first < timedelta(days=30):
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    span = (last - first).days or 1

    def x_of(day: date) -> float:
        return LEFT + (RIGHT - LEFT) * min(max((day - first).days / span, 0.0), 1.0)

    return first, last, x_of


def _lanes(events, lanes_by: str, key_of_lane) -> tuple[list[str], dict[str, list]]:
    """Lane names, most events first, at most MAX_LANES (the rest together as "others")."""
    grouped: dict[str, list] = {}
    for event in events:
        for key in key_of_lane(event):
            grouped.setdefault(key, []).append(event)
    names = sorted(grouped, key=lambda k: (-len(grouped[k]), k.casefold()))
    if len(names) > MAX_LANES:
        rest = [e for name in names[MAX_LANES - 1:] for e in grouped[name]]
        names = names[:MAX_LANES - 1] + ["others"]
        grouped["others"] = list({id(e): e for e in rest}.values())
    return names, grouped


def _lane_keys(lanes_by: str):
    if lanes_by == "type":
        return lambda event: [event.type]
    return lambda event: [a.label for a in event.actors] or ["no actor"]


def _marks(events: list[Event], on_page: set[str], lanes_by: str, date_from: str | None,
           date_to: str | None) -> Axis | None:
    """Each event drawn by itself."""
    known = _known(events)
    if not known and not (date_from and date_to):
        return None
    first, last, x_of = _frame(min(known, default=None), max(known, default=None), date_from, date_to)
    dated = [e for e in events if not (e.open_begin and e.open_end)]
    names, grouped = _lanes(dated, lanes_by, _lane_keys(lanes_by))
    lanes, y = [], TOP
    for name in names:
        lane = Lane(humanize(name) if lanes_by == "type" else name, y)
        rows: list[float] = []  # the right edge reached on each row so far
        for event in grouped[name]:
            start = x_of(first if event.open_begin else date.fromisoformat(event.begin))
            stop = x_of(last if event.open_end else date.fromisoformat(event.end))
            point = is_point(event.begin, event.end, event.granularity)
            width = 0.0 if point else max(stop - start, 4.0)
            row = next((i for i, edge in enumerate(rows) if edge + 6 < start), len(rows))
            if row == len(rows):
                rows.append(0.0)
            rows[row] = start + max(width, 8.0)
            words = interval_in_words(event.begin, event.end, event.granularity)
            href = "#" + event.slug if event.slug in on_page else (local_path(event.iri) or "#" + event.slug)
            lane.marks.append(Mark(event.slug, f"{event.label} ({words})", start,
                                   y + LANE_TITLE + row * ROW + ROW / 2, width, point, event.modality,
                                   event.open_begin, event.open_end, href))
        lanes.append(lane)
        y += LANE_TITLE + max(len(rows), 1) * ROW + 8
    return Axis(y, lanes, _ticks(first, last, x_of), first, last, len(events) - len(dated), len(dated))


# Periods a density bar may span, shortest first: (name, months, days).
PERIODS = (("day", 0, 1), ("week", 0, 7), ("month", 1, 0), ("quarter", 3, 0), ("year", 12, 0),
           ("five years", 60, 0))


def _periods(first: date, last: date) -> tuple[str, list[date]]:
    """The shortest period that cuts [first, last] into at most MAX_BINS, and the first day of
    each piece, plus the day after the last."""
    for name, months, days in PERIODS:
        if days:
            starts = [first + timedelta(days=days * i) for i in range((last - first).days // days + 2)]
        else:
            m0 = (first.year * 12 + first.month - 1) // months * months
            m1 = (last.year * 12 + last.month - 1) // months * months + months
            starts = [date(m // 12, m % 12 + 1, 1) for m in range(m0, m1 + 1, months)]
        if len(starts) - 1 <= MAX_BINS or name == PERIODS[-1][0]:
            return name, starts
    raise AssertionError("unreachable")


def _period_words(name: str, start: date, stop: date, first: date, last: date) -> tuple[str, str, str]:
    """A period in words, and its first and last day as the date filter writes them; a period
    that runs past the axis is cut at its ends."""
    end = stop - timedelta(days=1)
    if start < first or end > last:
        start, end = max(start, first), min(end, last)
        return f"{start.isoformat()} to {end.isoformat()}", start.isoformat(), end.isoformat()
    if name == "day":
        return f"{start.day} {start.strftime('%b %Y')}", start.isoformat(), start.isoformat()
    if name == "week":
        return f"{start.isoformat()} to {end.isoformat()}", start.isoformat(), end.isoformat()
    if name == "month":
        return start.strftime("%B %Y"), start.strftime("%Y-%m"), start.strftime("%Y-%m")
    if name == "quarter":
        return (f"{start.strftime('%b')} – {end.strftime('%b %Y')}", start.strftime("%Y-%m"),
                end.strftime("%Y-%m"))
    if name == "year":
        return str(start.year), str(start.year), str(start.year)
    return f"{start.year}–{end.year}", str(start.year), str(end.year)


def _density(snapshot: Snapshot, positions: list[int] | None, lanes_by: str, date_from: str | None,
             date_to: str | None, link) -> Axis | None:
    """The events drawn as how many fall in each period, lane by lane."""
    begins, ends = snapshot.days
    chosen = range(len(snapshot.events)) if positions is None else positions
    dated = [p for p in chosen if begins[p] != 0 or ends[p] != NEVER]
    known = [d for p in dated for d in (begins[p], ends[p]) if d not in (0, NEVER)]
    if not known and not (date_from and date_to):
        return None
    first, last, x_of = _frame(date.fromordinal(min(known)).isoformat() if known else None,
                               date.fromordinal(max(known)).isoformat() if known else None, date_from, date_to)
    period, starts = _periods(first, last)
    edges = [d.toordinal() for d in starts]
    events = snapshot.events
    if lanes_by == "type":
        def lane_keys(p):
            return [(events[p].type, events[p].type)]
    else:
        def lane_keys(p):
            return [(a.label, a.key) for a in events[p].actors] or [("no actor", "")]
    grouped: dict[tuple[str, str], list[int]] = {}
    for p in dated:
        for key in lane_keys(p):
            grouped.setdefault(key, []).append(p)
    names = sorted(grouped, key=lambda k: (-len(grouped[k]), k[0].casefold()))
    if len(names) > MAX_LANES:
        rest = sorted({p for name in names[MAX_LANES - 1:] for p in grouped[name]})
        names = names[:MAX_LANES - 1] + [("others", "")]
        grouped[("others", "")] = rest
    bins = len(edges) - 1
    counted: list[tuple[tuple[str, str], list[int]]] = []
    for name in names:
        diff = [0] * (bins + 1)
        for p in grouped[name]:
            # The periods the event may fall in, clipped to the axis.
            i = max(bisect_right(edges, begins[p]) - 1, 0)
            j = min(bisect_right(edges, ends[p]) - 1, bins - 1)
            if i <= j:
                diff[i] += 1
                diff[j + 1] -= 1
        running, counts = 0, []
        for step in diff[:bins]:
            running += step
            counts.append(running)
        counted.append((name, counts))
    tallest = max((n for _, counts in counted for n in counts), default=1) or 1
    lanes, y = [], TOP
    for (label, key), counts in counted:
        lane = Lane(humanize(label) if lanes_by == "type" and key else label, y)
        base = y + LANE_TITLE + DENSITY_ROW
        for i, n in enumerate(counts):
            if not n:
                continue
            x0, x1 = x_of(starts[i]), x_of(starts[i + 1])
            height = max(2.0, DENSITY_ROW * n / tallest)
            words, raw_from, raw_to = _period_words(period, starts[i], starts[i + 1], first, last)
            params = {"from": raw_from, "to": raw_to, "page": None}
            if key and lanes_by == "type":
                params["type"] = [key]
            elif key:
                params["actor"] = [key]  # added to the actors already chosen
            lane.bins.append(Bin(x0, max(x1 - x0 - 1, 1.0), base - height, height, n,
                                 f"{lane.label}: {n} event{'' if n == 1 else 's'}, {words}", link(**params)))
        lanes.append(lane)
        y = base + 10
    return Axis(y, lanes, _ticks(first, last, x_of), first, last, len(chosen) - len(dated), len(dated), period)


def _ticks(first: date, last: date, x_of) -> list[tuple[float, str]]:
    """Labelled ticks, none so near an edge that its label is cut."""
    return [(x, label) for x, label in _all_ticks(first, last, x_of) if LEFT + 24 <= x <= RIGHT - 24]


def _all_ticks(first: date, last: date, x_of) -> list[tuple[float, str]]:
    """Labelled ticks: years on a long axis, months on a medium one, weeks on a short one."""
    days = (last - first).days
    if days > 3 * 365:
        step = max(1, (last.year - first.year) // 8)
        marks = [date(y, 1, 1) for y in range(first.year + 1, last.year + 1, step)]
        return [(x_of(d), str(d.year)) for d in marks]
    if days > 90:
        marks, d = [], date(first.year, first.month, 1)
        step = 1 if days < 400 else 3
        while d <= last:
            if d >= first:
                marks.append(d)
            month = d.month - 1 + step
            d = date(d.year + month // 12, month % 12 + 1, 1)
        return [(x_of(d), d.strftime("%b %Y") if d.month == 1 or d == marks[0] else d.strftime("%b"))
                for d in marks]
    marks = [first + timedelta(days=i) for i in range(0, days + 1, 7)]
    return [(x_of(d), f"{d.day} {d.strftime('%b')}") for d in marks]
