"""The annotation format (docs/annotation-format.md) as typed records, checked against its text.

`parse_annotation` is pure: it takes the YAML already read (with its lines) and the article's
text, and returns an `Annotation` whose every quote is resolved to code-point offsets, or raises
`AnnotationError` listing every problem with its file, line, key and what to fix.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from diplograph.errors import AnnotationError, Problem
from diplograph.ontology.vocab import (
    CREDIT_ROLES,
    DURATION_UNITS,
    ENTITY_CLASSES,
    EVENT_CLASSES,
    GRANULARITIES,
    MEASURES,
    MODALITIES,
    PLACE,
    QUALIFIERS,
    ROLES,
)

from .text import find_quote
from .yamlfile import Located

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
OPEN = "open"


@dataclass(frozen=True)
class Span:
    """A stretch of the text: code-point offsets, end exclusive."""

    begin: int
    end: int


@dataclass(frozen=True)
class Credit:
    person: str
    role: str
    place: str | None


@dataclass(frozen=True)
class Article:
    id: str
    text_file: str
    headline: str
    publisher: str
    published: date
    dateline: str | None
    language: str
    credits: tuple[Credit, ...]


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    cls: str
    aliases: tuple[str, ...]
    description: str | None
    title: str | None
    affiliation: tuple[str, ...]
    count: int | None
    wikidata: str | None
    mentions: tuple[Span, ...]


@dataclass(frozen=True)
class TimeSpan:
    """Earliest begin and latest end; None where the text leaves the bound open."""

    text: str | None
    begin: date | None
    end: date | None
    granularity: str


@dataclass(frozen=True)
class Event:
    id: str
    cls: str
    label: str
    mentions: tuple[Span, ...]
    actors: tuple[tuple[str, str], ...]  # (entity id, role), in the annotation's order
    places: tuple[str, ...]
    time: TimeSpan
    modality: str
    according_to: tuple[str, ...]
    condition: str | None
    conditional_on: str | None
    part_of: str | None
    topic: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    id: str
    label: str
    mention: Span
    according_to: tuple[str, ...]
    about: tuple[str, ...]
    contradicts: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    value: int | Decimal
    qualifier: str
    measure: str
    unit: str
    mention: Span
    according_to: tuple[str, ...]
    about: str | None


@dataclass(frozen=True)
class Quotation:
    id: str
    span: Span
    speaker: str
    said_in: str | None
    about: tuple[str, ...]


@dataclass(frozen=True)
class Annotation:
    """One article: its text and everything its annotation says about it."""

    article: Article
    text: str
    entities: dict[str, Entity]
    events: dict[str, Event]
    claims: dict[str, Claim]
    figures: dict[str, Figure]
    quotations: dict[str, Quotation]


KEYS = {
    "top": {"format", "article", "entities", "events", "claims", "figures", "quotations"},
    "article": {"id", "text", "sha256", "headline", "publisher", "published", "dateline", "language", "credits"},
    "credit": {"person", "role", "place"},
    "entity": {"label", "class", "aliases", "description", "title", "affiliation", "count", "wikidata", "mentions"},
    "event": {"class", "label", "mentions", "actors", "place", "time", "modality", "according_to", "condition",
              "conditional_on", "part_of", "topic"},
    "time": {"text", "begin", "end", "granularity"},
    "claim": {"label", "mention", "according_to", "about", "contradicts"},
    "figure": {"label", "value", "qualifier", "measure", "unit", "mention", "according_to", "about"},
    "quotation": {"text", "occurrence", "speaker", "said_in", "about"},
    "quote": {"quote", "occurrence", "within"},
}


def parse_annotation(doc: Located, text: str, text_file: str | None = None) -> Annotation:
    """Check `doc` against the format and `text`; return it typed, or raise AnnotationError."""
    return _Parser(doc, text, text_file).parse()


def text_digest(text: str) -> str:
    """The sha256 of the text as UTF-8, as written in an annotation's `article.sha256`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Parser:
    def __init__(self, doc: Located, text: str, text_file: str | None):
        self.doc, self.text, self.text_file = doc, text, text_file
        self.problems: list[Problem] = []
        self.refs: list[tuple[tuple, str, str]] = []  # (path, id, kind) to check once all ids are known

    # -- reporting -----------------------------------------------------------------------------

    def fail(self, path: tuple, message: str) -> None:
        key = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.doc.file, self.doc.line(path), key, message))

    # -- generic value readers (each returns None after recording a problem) --------------------

    def mapping(self, value: object, path: tuple, kind: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of {kind} keys")
            return None
        for key in value:
            if key not in KEYS[kind]:
                allowed = ", ".join(sorted(KEYS[kind]))
                self.fail(path + (key,), f"unknown key '{key}'; allowed here: {allowed}")
        return value

    def string(self, m: dict, key: str, path: tuple, required: bool = False) -> str | None:
        if key not in m or m[key] == "":
            if required:
                self.fail(path + (key,), f"'{key}' is required")
            return None
        value = m[key]
        if not isinstance(value, str):
            self.fail(path + (key,), "expected a single text value")
            return None
        return value

    def strings(self, m: dict, key: str, path: tuple) -> tuple[str, ...]:
        value = m.get(key)
        if value is None or value == "":
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            self.fail(path + (key,), "expected a text value or a list of them")
            return ()
        return tuple(items)

    def choice(self, m: dict, key: str, path: tuple, allowed, required: bool = True,
               default: str | None = None) -> str | None:
        value = self.string(m, key, path, required=required and default is None)
        if value is None:
            return default
        if value not in allowed:
            self.fail(path + (key,), f"unknown {key} '{value}'; use one of: {', '.join(allowed)}")
            return None
        return value

    def date_value(self, value: object, path: tuple) -> date | None:
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.fail(path, f"'{value}' is not a date; write YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"'{value}' is not a real calendar date; fix the day or month")
            return None

    def ref(self, path: tuple, ident: str, kind: str) -> str:
        self.refs.append((path, ident, kind))
        return ident

    def ref_list(self, m: dict, key: str, path: tuple, kind: str) -> tuple[str, ...]:
        return tuple(self.ref(path + (key, i) if isinstance(m.get(key), list) else path + (key,), v, kind)
                     for i, v in enumerate(self.strings(m, key, path)))

    def quote(self, value: object, path: tuple, occurrence: object = None, within: object = None) -> Span | None:
        if isinstance(value, dict):
            m = self.mapping(value, path, "quote")
            if m is None:
                return None
            return self.quote(m.get("quote"), path + ("quote",), m.get("occurrence"), m.get("within"))
        if not isinstance(value, str) or not value:
            self.fail(path, "expected a quote: an exact passage of the article's text")
            return None
        nth = None
        if occurrence is not None:
            if not (isinstance(occurrence, str) and occurrence.isdigit() and int(occurrence) >= 1):
                self.fail(path, f"occurrence '{occurrence}' must be a whole number from 1")
                return None
            nth = int(occurrence)
        if within is not None:
            # A short name is located through a longer passage around it that is unique.
            if not isinstance(within, str) or not within:
                self.fail(path, "'within' must be a passage of the text that contains the quote")
                return None
            outer = find_quote(self.text, within, nth)
            if isinstance(outer, str):
                self.fail(path, "within: " + outer)
                return None
            inner = find_quote(within, value)
            if isinstance(inner, str):
                self.fail(path, inner.replace("in the text", f"in the passage “{within}”"))
                return None
            return Span(outer[0] + inner[0], outer[0] + inner[1])
        found = find_quote(self.text, value, nth)
        if isinstance(found, str):
            self.fail(path, found)
            return None
        return Span(*found)

    def quotes(self, m: dict, key: str, path: tuple, required: bool) -> tuple[Span, ...]:
        value = m.get(key)
        if value is None or value == "" or value == []:
            if required:
                self.fail(path + (key,), f"'{key}' is required: at least one quote from the text")
            return ()
        items = value if isinstance(value, list) else [value]
        spans = [self.quote(v, path + (key, i) if isinstance(value, list) else path + (key,))
                 for i, v in enumerate(items)]
        return tuple(s for s in spans if s is not None)

    def section(self, root: dict, name: str):
        value = root.get(name)
        if value is None or value == "":
            return []
        if not isinstance(value, dict):
            self.fail((name,), "expected a mapping from ids to entries")
            return []
        items = []
        for ident, body in value.items():
            if not ID_RE.match(ident):
                self.fail((name, ident), f"id '{ident}' must be lower-case letters, digits and single hyphens")
                continue
            items.append((ident, body, (name, ident)))
        return items

    # -- the document --------------------------------------------------------------------------

    def parse(self) -> Annotation:
        root = self.mapping(self.doc.data, (), "top")
        if root is None:
            raise AnnotationError(self.problems)
        article = self.article(root.get("article"))
        entities = {i: e for i, b, p in self.section(root, "entities") if (e := self.entity(i, b, p))}
        publisher = (article.publisher,) if article else ()
        events = {i: e for i, b, p in self.section(root, "events") if (e := self.event(i, b, p, publisher))}
        claims = {i: c for i, b, p in self.section(root, "claims") if (c := self.claim(i, b, p, publisher))}
        figures = {i: f for i, b, p in self.section(root, "figures") if (f := self.figure(i, b, p, publisher))}
        quotations = {i: q for i, b, p in self.section(root, "quotations") if (q := self.quotation(i, b, p))}
        ids = {"entity": entities, "place": entities, "event": events, "claim": claims}
        self.check_refs(ids, root)
        if self.problems or article is None:
            raise AnnotationError(self.problems)
        return Annotation(article, self.text, entities, events, claims, figures, quotations)

    def article(self, value: object) -> Article | None:
        path = ("article",)
        if value is None:
            self.fail(path, "'article' is required")
            return None
        m = self.mapping(value, path, "article")
        if m is None:
            return None
        ident = self.string(m, "id", path, required=True)
        if ident and not ID_RE.match(ident):
            self.fail(path + ("id",), f"id '{ident}' must be lower-case letters, digits and single hyphens")
        text_file = self.string(m, "text", path, required=True)
        digest = self.string(m, "sha256", path)
        if digest and digest != text_digest(self.text):
            self.fail(path + ("sha256",), f"the text's sha256 is {text_digest(self.text)}, not {digest}: "
                                          "the text file changed or the digest is wrong")
        headline = self.string(m, "headline", path, required=True)
        publisher = self.string(m, "publisher", path, required=True)
        published_raw = self.string(m, "published", path, required=True)
        published = self.date_value(published_raw, path + ("published",)) if published_raw else None
        dateline = self.string(m, "dateline", path)
        credits = []
        raw_credits = m.get("credits") or []
        if not isinstance(raw_credits, list):
            self.fail(path + ("credits",), "expected a list of {person, role, place}")
            raw_credits = []
        for i, c in enumerate(raw_credits):
            cpath = path + ("credits", i)
            cm = self.mapping(c, cpath, "credit")
            if cm is None:
                continue
            person = self.string(cm, "person", cpath, required=True)
            role = self.choice(cm, "role", cpath, CREDIT_ROLES)
            place = self.string(cm, "place", cpath)
            if person and role:
                credits.append(Credit(self.ref(cpath + ("person",), person, "entity"), role,
                                      self.ref(cpath + ("place",), place, "place") if place else None))
        if publisher:
            self.ref(path + ("publisher",), publisher, "entity")
        if dateline:
            self.ref(path + ("dateline",), dateline, "place")
        if None in (ident, text_file, headline, publisher, published):
            return None
        return Article(ident, text_file, headline, publisher, published, dateline,
                       self.string(m, "language", path) or "en", tuple(credits))

    def entity(self, ident: str, body: object, path: tuple) -> Entity | None:
        m = self.mapping(body, path, "entity")
        if m is None:
            return None
        label = self.string(m, "label", path, required=True)
        cls = self.choice(m, "class", path, ENTITY_CLASSES)
        wikidata = self.string(m, "wikidata", path)
        if wikidata and not QID_RE.match(wikidata):
            self.fail(path + ("wikidata",), f"'{wikidata}' is not a Wikidata QID; write it like Q43723")
            wikidata = None
        count = self.string(m, "count", path)
        if count is not None and not count.isdigit():
            self.fail(path + ("count",), f"count '{count}' must be a whole number")
            count = None
        mentions = self.quotes(m, "mentions", path, required=False)
        if label is None or cls is None:
            return None
        return Entity(ident, label, cls, self.strings(m, "aliases", path), self.string(m, "description", path),
                      self.string(m, "title", path), self.ref_list(m, "affiliation", path, "entity"),
                      int(count) if count is not None else None, wikidata, mentions)

    def time(self, value: object, path: tuple) -> TimeSpan | None:
        m = self.mapping(value, path, "time") if value is not None else None
        if m is None:
            if value is None:
                self.fail(path, "'time' is required: {text, begin, end, granularity} (begin/end may be 'open')")
            return None
        bounds = []
        for key in ("begin", "end"):
            raw = self.string(m, key, path, required=True)
            bounds.append(None if raw in (None, OPEN) else self.date_value(raw, path + (key,)))
        granularity = self.choice(m, "granularity", path, GRANULARITIES)
        begin, end = bounds
        if begin and end and end < begin:
            self.fail(path + ("end",), f"end {end} is before begin {begin}; swap them or fix one")
            return None
        if granularity is None or ("begin" in m and m["begin"] != OPEN and begin is None) or \
                ("end" in m and m["end"] != OPEN and end is None) or "begin" not in m or "end" not in m:
            return None
        return TimeSpan(self.string(m, "text", path), begin, end, granularity)

    def actors(self, value: object, path: tuple) -> tuple[tuple[str, str], ...]:
        if value is None or value == "":
            return ()
        if not isinstance(value, dict):
            self.fail(path, "expected a mapping from entity id to role (or list of roles)")
            return ()
        pairs = []
        for entity, roles in value.items():
            roles = [roles] if isinstance(roles, str) else roles
            if not isinstance(roles, list) or not roles:
                self.fail(path + (entity,), "expected a role or a list of roles")
                continue
            for role in roles:
                if role not in ROLES:
                    self.fail(path + (entity,), f"unknown role '{role}'; use one of: {', '.join(ROLES)}")
                    continue
                pairs.append((self.ref(path + (entity,), entity, "entity"), role))
        return tuple(pairs)

    def event(self, ident: str, body: object, path: tuple, publisher: tuple[str, ...]) -> Event | None:
        m = self.mapping(body, path, "event")
        if m is None:
            return None
        cls = self.choice(m, "class", path, EVENT_CLASSES)
        label = self.string(m, "label", path, required=True)
        mentions = self.quotes(m, "mentions", path, required=True)
        actors = self.actors(m.get("actors"), path + ("actors",))
        places = self.ref_list(m, "place", path, "place")
        time = self.time(m.get("time"), path + ("time",))
        modality = self.choice(m, "modality", path, MODALITIES)
        according_to = self.ref_list(m, "according_to", path, "entity") or publisher
        conditional_on = self.string(m, "conditional_on", path)
        part_of = self.string(m, "part_of", path)
        if conditional_on:
            self.ref(path + ("conditional_on",), conditional_on, "event")
        if part_of:
            self.ref(path + ("part_of",), part_of, "event")
            if part_of == ident:
                self.fail(path + ("part_of",), "an event cannot be part of itself")
        topic = self.ref_list(m, "topic", path, "any")
        if None in (cls, label, time, modality) or not mentions:
            return None
        return Event(ident, cls, label, mentions, actors, places, time, modality, according_to,
                     self.string(m, "condition", path), conditional_on, part_of, topic)

    def claim(self, ident: str, body: object, path: tuple, publisher: tuple[str, ...]) -> Claim | None:
        m = self.mapping(body, path, "claim")
        if m is None:
            return None
        label = self.string(m, "label", path, required=True)
        mention = self.quotes(m, "mention", path, required=True)
        according_to = self.ref_list(m, "according_to", path, "entity") or publisher
        about = self.ref_list(m, "about", path, "any")
        contradicts = self.ref_list(m, "contradicts", path, "claim")
        if ident in contradicts:
            self.fail(path + ("contradicts",), "a claim cannot contradict itself")
        if label is None or len(mention) != 1:
            if len(mention) > 1:
                self.fail(path + ("mention",), "a claim has one mention: the quote that states it")
            return None
        return Claim(ident, label, mention[0], according_to, about, contradicts)

    def figure(self, ident: str, body: object, path: tuple, publisher: tuple[str, ...]) -> Figure | None:
        m = self.mapping(body, path, "figure")
        if m is None:
            return None
        label = self.string(m, "label", path, required=True)
        raw = self.string(m, "value", path, required=True)
        value: int | Decimal | None = None
        if raw is not None:
            if not NUMBER_RE.match(raw):
                self.fail(path + ("value",), f"value '{raw}' must be a number in digits, like 3300 or 0.5")
            else:
                try:
                    value = int(raw) if raw.isdigit() else Decimal(raw)
                except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
                    self.fail(path + ("value",), f"value '{raw}' is not a number")
        qualifier = self.choice(m, "qualifier", path, QUALIFIERS, default="exactly")
        measure = self.choice(m, "measure", path, MEASURES)
        unit = self.string(m, "unit", path, required=True)
        if measure == "duration" and unit is not None and unit not in DURATION_UNITS:
            self.fail(path + ("unit",), f"a duration's unit must be one of: {', '.join(DURATION_UNITS)}")
            unit = None
        mention = self.quotes(m, "mention", path, required=True)
        according_to = self.ref_list(m, "according_to", path, "entity") or publisher
        about = self.string(m, "about", path)
        if about:
            self.ref(path + ("about",), about, "event")
        if None in (label, value, qualifier, measure, unit) or len(mention) != 1:
            if len(mention) > 1:
                self.fail(path + ("mention",), "a figure has one mention: the quote that gives the number")
            return None
        return Figure(ident, label, value, qualifier, measure, unit, mention[0], according_to, about)

    def quotation(self, ident: str, body: object, path: tuple) -> Quotation | None:
        m = self.mapping(body, path, "quotation")
        if m is None:
            return None
        span = self.quote(m.get("text"), path + ("text",), m.get("occurrence"))
        speaker = self.string(m, "speaker", path, required=True)
        said_in = self.string(m, "said_in", path)
        if speaker:
            self.ref(path + ("speaker",), speaker, "entity")
        if said_in:
            self.ref(path + ("said_in",), said_in, "event")
        about = self.ref_list(m, "about", path, "any")
        if span is None or speaker is None:
            return None
        return Quotation(ident, span, speaker, said_in, about)

    def check_refs(self, ids: dict[str, dict], root: dict) -> None:
        entities = ids["entity"]
        for path, ident, kind in self.refs:
            if kind == "any":
                homes = [k for k in ("entity", "event", "claim") if ident in ids[k]]
                if not homes:
                    self.fail(path, f"'{ident}' is not the id of any entity, event or claim; "
                                    "fix the id or add the entry")
                elif len(homes) > 1:
                    self.fail(path, f"'{ident}' is the id of both an {homes[0]} and a {homes[1]}; "
                                    "rename one so references are unambiguous")
                continue
            if ident not in ids[kind]:
                section = {"entity": "entities", "place": "entities", "event": "events", "claim": "claims"}[kind]
                self.fail(path, f"unknown {kind} '{ident}'; add it under '{section}' or fix the id")
            elif kind == "place" and PLACE not in ENTITY_CLASSES[entities[ident].cls]:
                self.fail(path, f"'{ident}' is a {entities[ident].cls}, not a place; "
                                "use a State, City, Region, Building, River or Route")


def resolve_reference_kind(annotation: Annotation, ident: str) -> str:
    """Which section an id of a `topic` or `about` reference lives in (checked unique at parse)."""
    for kind, table in (("entity", annotation.entities), ("event", annotation.events),
                        ("claim", annotation.claims)):
        if ident in table:
            return kind
    raise KeyError(ident)
