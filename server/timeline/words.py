"""Data in words: dates as honest intervals at their granularity, class names, figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

from diplograph.ontology.vocab import OPEN_BEGIN, OPEN_END

QUALIFIERS = {"Exactly": "", "About": "about", "Nearly": "nearly", "AtLeast": "at least",
              "MoreThan": "more than", "Hundreds": "hundreds of", "Thousands": "thousands of"}


def _day(d: date, month: bool = True, year: bool = True) -> str:
    text = str(d.day)
    if month:
        text += d.strftime(" %b")
    if year:
        text += f" {d.year}"
    return text


def _span(first: date, last: date) -> str:
    """Two days as one phrase, sharing the month and year where they agree: 11–12 Nov 2024."""
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last)}"
    if first.year == last.year:
        return f"{_day(first, year=False)} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


def _month(d: date) -> str:
    return d.strftime("%B ") + str(d.year)


def _at(d: date, granularity: str) -> str:
    """One bound in words at the event's granularity."""
    if granularity == "year":
        return str(d.year)
    if granularity == "month":
        return _month(d)
    return _day(d)


def interval_in_words(begin: str, end: str, granularity: str) -> str:
    """The interval [begin, end] said as precisely as the data knows it and no more precisely:
    "10 Nov 2024", "week of 3–9 Nov 2024", "October 2024", "since October 2023", "date unknown"."""
    if begin == OPEN_BEGIN and end == OPEN_END:
        return "date unknown"
    if begin == OPEN_BEGIN:
        return "until " + _at(date.fromisoformat(end), granularity)
    first = date.fromisoformat(begin)
    if end == OPEN_END:
        return "since " + _at(first, granularity)
    last = date.fromisoformat(end)
    if granularity == "year":
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if granularity == "month":
        if (first.year, first.month) == (last.year, last.month):
            return _month(first)
        if first.year == last.year:
            return f"{first.strftime('%B')} – {_month(last)}"
        return f"{_month(first)} – {_month(last)}"
    if granularity == "week":
        return "week of " + _span(first, last)
    if granularity in ("day", "days"):
        return _span(first, last)
    # Vague: the data knows only the bounds the event falls between.
    if first == last:
        return "around " + _day(first)
    return f"between {_day(first)} and {_day(last)}"


def is_point(begin: str, end: str, granularity: str) -> bool:
    """Whether the event's date is one known day (drawn as a point, not a bar)."""
    return begin == end and granularity == "day"


def humanize(name: str) -> str:
    """A class or measure name in words: TermOfOffice -> term of office, AirStrike -> air strike."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).split()
    return " ".join(w if w.isupper() else w.lower() for w in words)


def figure_in_words(value: str, qualifier: str | None, unit: str | None, measure: str | None) -> str:
    """A figure as a phrase: "more than 3,300 people killed"."""
    try:
        number = f"{int(value):,}"
    except ValueError:
        number = value
    parts = [QUALIFIERS.get(qualifier or "", humanize(qualifier or "")), number, unit or ""]
    if measure in ("Killed", "Displaced"):
        parts.append(measure.lower())
    return " ".join(p for p in parts if p)


def parse_date(text: str, *, end: bool) -> str:
    """A date parameter (YYYY, YYYY-MM or YYYY-MM-DD) as the ISO day it stands for: the first day
    of the year or month for a range's start, the last for its end. Raises ValueError."""
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-12-31" if end else f"{text}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        first = date.fromisoformat(text + "-01")
        if not end:
            return first.isoformat()
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return (following - timedelta(days=1)).isoformat()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text).isoformat()
    raise ValueError(text)
