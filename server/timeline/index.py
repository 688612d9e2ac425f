"""A date-ordered index of every event, with what the timeline shows and filters on.

Sorting the store's events by date is a full sort on every SPARQL engine we measured (seconds at
millions of quads), so the index is built once per state of the store: a handful of queries, one
sort, and for each facet value the ascending positions of its events. A page is then a slice, a
filter an intersection of sorted position lists; nothing is sorted per request. The store's state
is named by its checkpoint (a new one after every write), and the index is rebuilt, in the
background, by the first request that finds the checkpoint changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from diplograph.ontology.vocab import ID_BASE, OPEN_BEGIN, OPEN_END

log = logging.getLogger("diplograph.server")

FACETS = ("actor", "type", "modality", "place", "source", "article")

EVENTS = """
SELECT ?e ?label ?class ?begin ?end ?granularity ?expression ?modality ?article WHERE {
  ?e a sem:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?begin ;
     sem:hasLatestEndTimeStamp ?end ; dg:modality ?modality .
  OPTIONAL { ?e a ?class FILTER(?class != sem:Event) }
  OPTIONAL { ?e dg:granularity ?granularity }
  OPTIONAL { ?e dg:timeExpression ?expression }
  OPTIONAL { ?e prov:wasDerivedFrom ?article }
}"""
LINKS = """
SELECT ?e ?relation ?x WHERE {
  ?e a sem:Event .
  { ?e sem:hasActor ?x BIND("actor" AS ?relation) } UNION { ?e sem:hasPlace ?x BIND("place" AS ?relation) }
  UNION { ?e dg:accordingTo ?x BIND("source" AS ?relation) }
}"""
# Apart from LINKS: an entity's label is in the graph of every article that names it, so joining
# it there would repeat each link once per such article.
ENTITY_LABELS = f"""
SELECT DISTINCT ?x ?label WHERE {{ ?x rdfs:label ?label FILTER(STRSTARTS(STR(?x), "{ID_BASE}entity/")) }}"""
ARTICLES = "SELECT ?a ?title WHERE { ?a a dg:Article OPTIONAL { ?a dcterms:title ?title } }"
MENTIONS = """
SELECT ?e ?m ?mb ?me ?s ?sb ?sentence WHERE {
  ?e a sem:Event ; gaf:denotedBy ?m .
  ?m nif:beginIndex ?mb ; nif:endIndex ?me ; nif:sentence ?s .
  ?s nif:beginIndex ?sb ; nif:anchorOf ?sentence .
}"""
CONTESTED = """
SELECT ?e ?claim ?claimLabel ?other ?otherLabel ?who WHERE {
  ?e a sem:Event . ?claim dg:about ?e ; dg:contradicts ?other ; rdfs:label ?claimLabel .
  ?other rdfs:label ?otherLabel . OPTIONAL { ?other dg:accordingTo/rdfs:label ?who }
}"""
FIGURES = """
SELECT ?e ?f ?label ?value ?qualifier ?measure ?unit ?who WHERE {
  ?e a sem:Event . ?f a dg:Figure ; dg:about ?e ; rdfs:label ?label ; dg:value ?value .
  OPTIONAL { ?f dg:qualifier ?qualifier } OPTIONAL { ?f dg:measure ?measure }
  OPTIONAL { ?f dg:unit ?unit } OPTIONAL { ?f dg:accordingTo/rdfs:label ?who }
}"""


@dataclass(frozen=True)
class Link:
    """Something an event points to: its IRI, its label, and its key in URLs (see `key_of`)."""

    iri: str
    label: str
    key: str


@dataclass(frozen=True)
class Evidence:
    """The sentence an event's first mention stands in, and where the mention is in it."""

    mention: str  # the mention's IRI
    sentence: str
    begin: int  # the mention's offsets in the article's text
    end: int
    sentence_begin: int

    @property
    def parts(self) -> tuple[str, str, str]:
        """The sentence cut into before, the mention, after (for highlighting it)."""
        start, stop = self.begin - self.sentence_begin, self.end - self.sentence_begin
        return self.sentence[:start], self.sentence[start:stop], self.sentence[stop:]


@dataclass(frozen=True)
class Dispute:
    """A claim about an event and the claim that contradicts it."""

    claim: Link
    disputed_by: Link
    disputed_by_source: str | None


@dataclass(frozen=True)
class Figure:
    iri: str
    label: str
    value: str
    qualifier: str | None  # local name of a dg:Qualifier, e.g. MoreThan
    measure: str | None  # local name of a dg:Measure, e.g. Killed
    unit: str | None
    source: str | None


@dataclass
class Event:
    """One event as the timeline shows it."""

    iri: str
    label: str
    type: str  # local name of its dg: class, e.g. Meeting
    begin: str  # ISO date; OPEN_BEGIN when the text leaves it open
    end: str  # ISO date; OPEN_END when open
    granularity: str  # day, week, month, year, days or vague
    expression: str | None  # the words of the text, e.g. "Sunday"
    modality: str  # occurred, proposed…
    article: Link | None = None
    actors: list[Link] = field(default_factory=list)
    places: list[Link] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)
    evidence: Evidence | None = None
    disputes: list[Dispute] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    haystack: str = ""  # lower-cased words the free-text filter searches
    facet_keys: tuple[tuple[str, str], ...] = ()  # (facet, key) of every facet value, for counting

    @property
    def slug(self) -> str:
        """An HTML id for the event, unique on a page."""
        return "e-" + key_of(self.iri).replace("/", "--")

    @property
    def open_begin(self) -> bool:
        return self.begin == OPEN_BEGIN

    @property
    def open_end(self) -> bool:
        return self.end == OPEN_END

    def keys(self, facet: str) -> list[str]:
        """The event's values for a facet, as URL keys."""
        if facet == "type":
            return [self.type]
        if facet == "modality":
            return [self.modality]
        if facet == "article":
            return [self.article.key] if self.article else []
        return [link.key for link in {"actor": self.actors, "place": self.places, "source": self.sources}[facet]]


def key_of(iri: str) -> str:
    """How an IRI appears in a URL parameter: its path under the id base without the kind
    (`ron-dermer` for …/id/entity/ron-dermer), the whole IRI for others."""
    if iri.startswith(ID_BASE):
        return iri[len(ID_BASE):].partition("/")[2] or iri
    return iri


def local_name(iri: str) -> str:
    """The part of an IRI after its last # or /: Meeting for dg:Meeting."""
    return iri.rpartition("#")[2] if "#" in iri else iri.rpartition("/")[2]


GRANULARITY_NAMES = {"unitDay": "day", "unitWeek": "week", "unitMonth": "month", "unitYear": "year",
                     "SeveralDays": "days", "VagueInterval": "vague"}


@dataclass
class Snapshot:
    """The index of one state of the store: events in date order and each facet's postings."""

    events: list[Event]
    postings: dict[str, dict[str, list[int]]]  # facet -> key -> ascending positions in `events`
    labels: dict[str, dict[str, str]]  # facet -> key -> label to show
    begins: list[str] = field(default_factory=list)  # events' begin dates, for bisecting a date range

    _counted: dict = field(default_factory=dict, repr=False)  # filter -> counts, for this snapshot only
    _counting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def counts(self, positions: list[int] | None, name: tuple = ()) -> dict[str, Counter]:
        """For each facet, how many of `positions` (None: all events) have each of its values.

        Counting a large filtered set takes milliseconds, so the counts of the last views, named
        by `name` (the filter), are kept with the snapshot, which a write replaces.
        """
        name = name if positions is not None else None
        if name in self._counted:
            return self._counted[name]
        counts: dict[str, Counter] = {facet: Counter() for facet in FACETS}
        if positions is None:
            for facet, keys in self.postings.items():
                counts[facet].update({key: len(p) for key, p in keys.items()})
        else:
            pairs = Counter(pair for i in positions for pair in self.events[i].facet_keys)
            for (facet, key), n in pairs.items():
                counts[facet][key] = n
        with self._counting:
            if len(self._counted) >= 256:
                self._counted.pop(next(iter(self._counted)))
            self._counted[name] = counts
        return counts


def build(store) -> Snapshot:
    """Read every event from `store` (an EmbeddedStore) and index it."""
    return index(read(store))


def read(store) -> list[Event]:
    """Every event in `store` with what the timeline shows of it, in no particular order."""
    events: dict[str, Event] = {}
    for e, label, cls, begin, end, granularity, expression, modality, article in _rows(store, EVENTS):
        if e.value in events:
            continue
        events[e.value] = Event(
            iri=e.value, label=label.value, type=local_name(cls.value) if cls else "Event",
            begin=begin.value, end=end.value,
            granularity=GRANULARITY_NAMES.get(local_name(granularity.value), "vague") if granularity else "vague",
            expression=expression.value if expression else None, modality=local_name(modality.value).lower(),
            article=Link(article.value, key_of(article.value), key_of(article.value)) if article else None)
    titles = {a.value: t.value for a, t in _rows(store, ARTICLES) if t is not None}
    for event in events.values():
        if event.article and event.article.iri in titles:
            event.article = Link(event.article.iri, titles[event.article.iri], event.article.key)
    entity_labels: dict[str, str] = {}
    for x, label in _rows(store, ENTITY_LABELS):  # the least label, where articles disagree
        entity_labels[x.value] = min(label.value, entity_labels.get(x.value, label.value))
    seen: set[tuple[str, str, str]] = set()
    for e, relation, x in _rows(store, LINKS):
        event = events.get(e.value)
        if event is None or (e.value, relation.value, x.value) in seen:
            continue
        seen.add((e.value, relation.value, x.value))
        link = Link(x.value, entity_labels.get(x.value, key_of(x.value)), key_of(x.value))
        getattr(event, relation.value + "s").append(link)
    for e, m, mb, me, s, sb, sentence in _rows(store, MENTIONS):
        event = events.get(e.value)
        begin = int(mb.value)
        if event is not None and (event.evidence is None or begin < event.evidence.begin):
            event.evidence = Evidence(m.value, sentence.value, begin, int(me.value), int(sb.value))
    seen_disputes: set[tuple[str, str, str]] = set()
    for e, claim, claim_label, other, other_label, who in _rows(store, CONTESTED):
        event = events.get(e.value)
        if event is None or (e.value, claim.value, other.value) in seen_disputes:
            continue
        seen_disputes.add((e.value, claim.value, other.value))
        event.disputes.append(Dispute(Link(claim.value, claim_label.value, key_of(claim.value)),
                                      Link(other.value, other_label.value, key_of(other.value)),
                                      who.value if who else None))
    seen_figures: set[tuple[str, str]] = set()
    for e, f, label, value, qualifier, measure, unit, who in _rows(store, FIGURES):
        event = events.get(e.value)
        if event is None or (e.value, f.value) in seen_figures:
            continue
        seen_figures.add((e.value, f.value))
        event.figures.append(Figure(f.value, label.value, value.value, qualifier and local_name(qualifier.value),
                                    measure and local_name(measure.value), unit and unit.value,
                                    who and who.value))
    for event in events.values():
        # The store returns links in no set order; a page must read the same every time.
        for links in (event.actors, event.places, event.sources):
            links.sort(key=lambda link: (link.label.casefold(), link.iri))
        event.disputes.sort(key=lambda d: (d.claim.label.casefold(), d.disputed_by.iri))
        event.figures.sort(key=lambda f: (f.label.casefold(), f.iri))
    return list(events.values())


def index(events: list[Event]) -> Snapshot:
    """Events in date order (earliest begin, then latest end), each facet value's positions, and
    the words the free-text filter searches."""
    ordered = sorted(events, key=lambda ev: (ev.begin, ev.end, ev.label.casefold(), ev.iri))
    postings: dict[str, dict[str, list[int]]] = {facet: {} for facet in FACETS}
    labels: dict[str, dict[str, str]] = {facet: {} for facet in FACETS}
    for position, event in enumerate(ordered):
        words = [event.label, event.evidence.sentence if event.evidence else ""]
        words += [link.label for link in event.actors + event.places + event.sources]
        event.haystack = " ".join(words).casefold()
        event.facet_keys = tuple((facet, key) for facet in FACETS for key in dict.fromkeys(event.keys(facet)))
        for facet, key in event.facet_keys:
            postings[facet].setdefault(key, []).append(position)
        for facet, links in (("actor", event.actors), ("place", event.places), ("source", event.sources),
                             ("article", [event.article] if event.article else [])):
            for link in links:
                labels[facet].setdefault(link.key, link.label)
        labels["type"].setdefault(event.type, event.type)
        labels["modality"].setdefault(event.modality, event.modality)
    return Snapshot(ordered, postings, labels, [event.begin for event in ordered])


def _rows(store, query: str):
    return store.query(query).rows


class NotReady(Exception):
    """The index is being built for the first time and there is no earlier one to show."""


class TimelineIndex:
    """The `Snapshot` of a served store, rebuilt in the background after the store changes.

    A request after a write waits up to `wait` seconds for the new snapshot (a small store is
    re-indexed in milliseconds, so its readers always see the write); past that it gets the
    previous snapshot, marked stale, rather than hanging while a large store is read (minutes at
    millions of quads). Before the first snapshot exists a request waits up to `first_wait`
    seconds, then is told to come back (NotReady).
    """

    def __init__(self, wait: float = 1.0, first_wait: float = 15.0):
        self.wait, self.first_wait = wait, first_wait
        self._changed = threading.Condition()
        self._snapshot: Snapshot | None = None
        self._version: object = None  # the checkpoint `_snapshot` was read from
        self._building = False

    def current(self, served_store) -> tuple[Snapshot, bool]:
        """The newest snapshot and whether it is of the store's newest checkpoint."""
        version = served_store.checkpoints.current
        with self._changed:
            if self._version == version:
                return self._snapshot, True
            if not self._building:
                self._building = True
                threading.Thread(target=self._build, args=(served_store,), daemon=True,
                                 name="diplograph-timeline-index").start()
            deadline = time.monotonic() + (self.wait if self._snapshot is not None else self.first_wait)
            while self._version != version:
                if not self._building and self._snapshot is None:
                    raise RuntimeError("the timeline's index could not be built; the log says why")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            if self._snapshot is None:
                raise NotReady("the timeline's index is being built")
            return self._snapshot, self._version == version

    def _build(self, served_store) -> None:
        """Index the store until the snapshot is of its newest checkpoint (writes may land meanwhile)."""
        while True:
            version = served_store.checkpoints.current
            try:
                snapshot = build(served_store.store)
            except Exception:  # the requests waiting for it are told; the details go to the log
                log.exception("could not build the timeline's index")
                snapshot = None
            with self._changed:
                if snapshot is not None:
                    self._snapshot, self._version = snapshot, version
                done = snapshot is None or served_store.checkpoints.current == version
                if done:
                    self._building = False
                self._changed.notify_all()
                if done:
                    return
