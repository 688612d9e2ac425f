"""The timeline's machine-readable twins: the same filtered events as CSV, JSON and TimelineJS
JSON (every event that matches, not one page)."""

from __future__ import annotations

import csv
import io
import json

from markupsafe import escape

from diplograph.ontology.vocab import OPEN_BEGIN, OPEN_END

from .index import Event
from .words import interval_in_words

CSV_COLUMNS = ["iri", "label", "type", "date", "begin", "end", "granularity", "time_expression", "modality",
               "according_to", "actors", "places", "article", "evidence", "mention_begin", "mention_end",
               "contested_by"]


def record(event: Event) -> dict:
    """An event as plain data; open bounds are null."""
    evidence = event.evidence
    return {
        "iri": event.iri,
        "label": event.label,
        "type": event.type,
        "date": interval_in_words(event.begin, event.end, event.granularity),
        "begin": None if event.begin == OPEN_BEGIN else event.begin,
        "end": None if event.end == OPEN_END else event.end,
        "granularity": event.granularity,
        "time_expression": event.expression,
        "modality": event.modality,
        "according_to": [{"iri": s.iri, "label": s.label} for s in event.sources],
        "actors": [{"iri": a.iri, "label": a.label} for a in event.actors],
        "places": [{"iri": p.iri, "label": p.label} for p in event.places],
        "article": event.article and event.article.iri,
        "evidence": evidence and {"mention": evidence.mention, "sentence": evidence.sentence,
                                  "begin": evidence.begin, "end": evidence.end},
        "contested_by": [{"claim": d.claim.iri, "disputed_by": d.disputed_by.iri} for d in event.disputes],
        "figures": [{"iri": f.iri, "label": f.label, "value": f.value, "qualifier": f.qualifier,
                     "measure": f.measure, "unit": f.unit, "according_to": f.source} for f in event.figures],
    }


def as_json(events: list[Event]) -> str:
    """Every event as a `record`, with their number."""
    return json.dumps({"total": len(events), "events": [record(e) for e in events]}, ensure_ascii=False, indent=1)


def as_csv(events: list[Event]) -> str:
    """One row per event; several values in a cell are separated by " | "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        data = record(event)
        evidence = data["evidence"] or {}
        writer.writerow([
            data["iri"], data["label"], data["type"], data["date"], data["begin"] or "", data["end"] or "",
            data["granularity"], data["time_expression"] or "", data["modality"],
            " | ".join(s["label"] for s in data["according_to"]), " | ".join(a["label"] for a in data["actors"]),
            " | ".join(p["label"] for p in data["places"]), data["article"] or "", evidence.get("sentence", ""),
            evidence.get("begin", ""), evidence.get("end", ""),
            " | ".join(d["disputed_by"] for d in data["contested_by"])])
    return out.getvalue()


def _tl_date(iso: str, granularity: str) -> dict:
    """A TimelineJS date no more precise than the data: a month-precise date has no day."""
    year, month, day = iso.split("-")
    if granularity == "year":
        return {"year": int(year)}
    if granularity == "month":
        return {"year": int(year), "month": int(month)}
    return {"year": int(year), "month": int(month), "day": int(day)}


def as_timelinejs(events: list[Event], title: str) -> str:
    """TimelineJS 3 JSON. TimelineJS needs a start date, so an event open at its beginning starts
    at its end; `display_date` always says the honest interval. Events with no known date at all
    cannot be placed and are left out (the title says how many)."""
    slides, undated = [], 0
    for event in events:
        words = interval_in_words(event.begin, event.end, event.granularity)
        if event.begin == OPEN_BEGIN and event.end == OPEN_END:
            undated += 1
            continue
        start = event.end if event.begin == OPEN_BEGIN else event.begin
        slide = {"unique_id": event.slug, "start_date": _tl_date(start, event.granularity),
                 "display_date": words, "group": event.type,
                 # TimelineJS shows these as HTML: the data's text is escaped.
                 "text": {"headline": str(escape(event.label)),
                          "text": str(escape(event.evidence.sentence)) if event.evidence else ""}}
        if event.begin != OPEN_BEGIN and event.end != OPEN_END and event.end != event.begin:
            slide["end_date"] = _tl_date(event.end, event.granularity)
        slides.append(slide)
    note = f"{undated} events with no known date are not shown." if undated else ""
    return json.dumps({"title": {"text": {"headline": str(escape(title)), "text": note}}, "events": slides},
                      ensure_ascii=False, indent=1)
