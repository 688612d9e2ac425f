"""The time axis: where each event of a page goes in the inline SVG.

Known days are points, vague dates bars spanning their whole interval, open bounds run to the edge
of the axis (drawn paler); an event with no known bound at all is not drawn. Events sit in lanes (by type or by actor); inside a lane, bars
that overlap in time are put on separate rows, so none hides another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .index import Event
from .words import humanize, interval_in_words, is_point

WIDTH = 1000  # viewBox units; the CSS scales the drawing to the page
LEFT, RIGHT = 8, 992
TOP = 34  # room for the tick labels
LANE_TITLE = 24
ROW = 18
MAX_LANES = 12


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


@dataclass
class Lane:
    label: str
    y: float
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Axis:
    height: float
    lanes: list[Lane]
    ticks: list[tuple[float, str]]
    first: date
    last: date
    undated: int  # events of the page with no known bound at all: they have no place on an axis


def layout(events: list[Event], lanes_by: str, date_from: str | None, date_to: str | None) -> Axis | None:
    """The axis for `events` (one page), between the filter's dates or the events' known dates;
    None when no event has a known date."""
    known = [d for e in events for d in (e.begin, e.end) if d[:4] not in ("0001", "9999")]
    if not known and not (date_from and date_to):
        return None
    first = date.fromisoformat(date_from or min(known))
    last = date.fromisoformat(date_to or max(known))
    if last - first < timedelta(days=30):
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    span = (last - first).days or 1

    def x_of(day: date) -> float:
        return LEFT + (RIGHT - LEFT) * min(max((day - first).days / span, 0.0), 1.0)

    grouped: dict[str, list[Event]] = {}
    dated = [e for e in events if not (e.open_begin and e.open_end)]
    for event in dated:
        keys = [event.type] if lanes_by == "type" else [a.label for a in event.actors] or ["no actor"]
        for key in keys:
            grouped.setdefault(key, []).append(event)
    names = sorted(grouped, key=lambda k: (-len(grouped[k]), k.casefold()))
    if len(names) > MAX_LANES:
        rest = [e for name in names[MAX_LANES - 1:] for e in grouped[name]]
        names = names[:MAX_LANES - 1] + ["others"]
        grouped["others"] = list({e.iri: e for e in rest}.values())
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
            lane.marks.append(Mark(event.slug, f"{event.label} ({words})", start,
                                   y + LANE_TITLE + row * ROW + ROW / 2, width, point, event.modality,
                                   event.open_begin, event.open_end))
        lanes.append(lane)
        y += LANE_TITLE + max(len(rows), 1) * ROW + 8
    return Axis(y, lanes, _ticks(first, last, x_of), first, last, len(events) - len(dated))


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
