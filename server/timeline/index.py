"""A date-ordered index of every event, with what the timeline shows and filters on.

Sorting the store's events by date is a full sort on every SPARQL engine we measured (seconds at
millions of quads), so the index is kept apart from the store: events in date order, for each
facet value the ascending positions of its events, and an inverted index of their words. A page
is then a slice, a filter an intersection of sorted position lists; nothing is sorted per request.

The index is read a named graph at a time (each article has its own graph), with a few small
queries whose joins stay inside the graph, and kept per graph: after a write that says which
graphs it changed (`ServedStore.changes`), only those graphs are read again and the snapshot is
re-assembled from the kept parts. Entity labels and article titles are the exception: an entity's
label is repeated in every article that names it, so the label shown everywhere is the least of
them, over all graphs. An event's facts must therefore be in one graph, as the loader writes them;
an event whose triples a SPARQL update spread over several graphs is not shown. The store's state
is named by its checkpoint (a new one after every write); the server starts the first build when
it starts, and each write's re-reading in the background, when a request finds the store changed.
"""

from __future__ import annotations

import gc
import logging
import re
import sys
import threading
import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from pyoxigraph import DefaultGraph, NamedNode, Quad

from diplograph.ontology.vocab import ID_BASE, OPEN_BEGIN, OPEN_END
from diplograph.store import EmbeddedStore
from diplograph.store.results import graph_update

log = logging.getLogger("diplograph.server")

FACETS = ("actor", "type", "modality", "place", "source", "article")
DEFAULT_GRAPH = ""  # the key of the store's own default graph among the parts
# Holds the default graph's triples while they are read with the same per-graph queries.
_DEFAULT_STAND_IN = "urn:diplograph:timeline:default-graph"

# Every query reads one graph, `GRAPH <{graph}>`: the joins stay inside an article's graph, where
# the loader writes all of an event's facts, and a result is never larger than one article. Labels
# of sources are not joined here but looked up in the labels of every graph (`Parts.labels`).
EVENTS = """
SELECT ?e ?label ?class ?begin ?end ?granularity ?expression ?modality ?article WHERE {{ GRAPH <{graph}> {{
  ?e a sem:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?begin ;
     sem:hasLatestEndTimeStamp ?end ; dg:modality ?modality .
  OPTIONAL {{ ?e a ?class FILTER(?class != sem:Event) }}
  OPTIONAL {{ ?e dg:granularity ?granularity }}
  OPTIONAL {{ ?e dg:timeExpression ?expression }}
  OPTIONAL {{ ?e prov:wasDerivedFrom ?article }}
}} }}"""
LINKS = """
SELECT ?e ?relation ?x WHERE {{ GRAPH <{graph}> {{
  ?e a sem:Event .
  {{ ?e sem:hasActor ?x BIND("actor" AS ?relation) }} UNION {{ ?e sem:hasPlace ?x BIND("place" AS ?relation) }}
  UNION {{ ?e dg:accordingTo ?x BIND("source" AS ?relation) }}
}} }}"""
ENTITY_LABELS = f"""
SELECT ?x ?label WHERE {{{{ GRAPH <{{graph}}> {{{{
  ?x rdfs:label ?label FILTER(STRSTARTS(STR(?x), "{ID_BASE}entity/")) }}}} }}}}"""
ARTICLES = "SELECT ?a ?title WHERE {{ GRAPH <{graph}> {{ ?a a dg:Article ; dcterms:title ?title }} }}"
MENTIONS = """
SELECT ?e ?m ?mb ?me ?sb ?sentence WHERE {{ GRAPH <{graph}> {{
  ?e a sem:Event ; gaf:denotedBy ?m .
  ?m nif:beginIndex ?mb ; nif:endIndex ?me ; nif:sentence ?s .
  ?s nif:beginIndex ?sb ; nif:anchorOf ?sentence .
}} }}"""
CONTESTED = """
SELECT ?e ?claim ?claimLabel ?other ?otherLabel ?who WHERE {{ GRAPH <{graph}> {{
  ?claim dg:about ?e ; dg:contradicts ?other ; rdfs:label ?claimLabel .
  ?other rdfs:label ?otherLabel . OPTIONAL {{ ?other dg:accordingTo ?who }}
}} }}"""
FIGURES = """
SELECT ?e ?f ?label ?value ?qualifier ?measure ?unit ?who WHERE {{ GRAPH <{graph}> {{
  ?f a dg:Figure ; dg:about ?e ; rdfs:label ?label ; dg:value ?value .
  OPTIONAL {{ ?f dg:qualifier ?qualifier }} OPTIONAL {{ ?f dg:measure ?measure }}
  OPTIONAL {{ ?f dg:unit ?unit }} OPTIONAL {{ ?f dg:accordingTo ?who }}
}} }}"""
WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Link:
    """Something an event points to: its IRI, its label, and its key in URLs (see `key_of`)."""

    iri: str
    label: str
    key: str


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Dispute:
    """A claim about an event and the claim that contradicts it."""

    claim: Link
    disputed_by: Link
    disputed_by_source: str | None


@dataclass(frozen=True, slots=True)
class Figure:
    iri: str
    label: str
    value: str
    qualifier: str | None  # local name of a dg:Qualifier, e.g. MoreThan
    measure: str | None  # local name of a dg:Measure, e.g. Killed
    unit: str | None
    source: str | None


@dataclass(slots=True)
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
    haystack: str = ""  # the words the free-text filter searches, case-folded, one space apart
    facet_keys: tuple[tuple[str, str], ...] = ()  # (facet, key) of every facet value, for counting
    words: tuple[str, ...] = ()  # the distinct words of `haystack`, for the inverted word index

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
NEVER = date.max.toordinal()  # the ordinal of an open end
# A beginning shared by more words than this is looked for in the events' text instead.
MANY_WORDS = 2000


@dataclass
class Snapshot:
    """The index of one state of the store: events in date order, each facet's postings, and the
    inverted index of the words the free-text filter searches."""

    events: list[Event]
    postings: dict[str, dict[str, list[int]]]  # facet -> key -> ascending positions in `events`
    labels: dict[str, dict[str, str]]  # facet -> key -> label to show
    begins: list[str] = field(default_factory=list)  # events' begin dates, for bisecting a date range
    ends: list[str] = field(default_factory=list)  # their end dates
    days: tuple[list[int], list[int]] = ([], [])  # begins and ends as ordinals (open: 0 and date.max's), for the axis
    # The inverted index of words, kept by graph (a write re-indexes only its graphs' words):
    # for each graph, the positions of its events, each word's indices among them, and its words
    # sorted (for prefixes); -1 for an event that another graph also states and shows.
    texts: list[tuple[list[int], dict[str, list[int]], list[str]]] = field(default_factory=list, repr=False)
    parts: "Parts | None" = field(default=None, repr=False)  # what each graph gave, for re-reading one

    _cache: dict = field(default_factory=dict, repr=False)  # (what, filter) -> result, this snapshot only
    _caching: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, name: tuple, compute):
        """`compute()`, kept with the snapshot (which a write replaces) for the last few hundred
        names: the counts and the axis of a view take milliseconds on a large filtered set."""
        if name in self._cache:
            return self._cache[name]
        value = compute()
        with self._caching:
            if len(self._cache) >= 256:
                self._cache.pop(next(iter(self._cache)))
            self._cache[name] = value
        return value

    def counts(self, positions: list[int] | None, name: tuple = ()) -> dict[str, Counter]:
        """For each facet, how many of `positions` (None: all events) have each of its values;
        kept for this snapshot under `name` (the filter)."""
        return self.cached(("counts", name if positions is not None else None), lambda: self._count(positions))

    def _count(self, positions: list[int] | None) -> dict[str, Counter]:
        counts: dict[str, Counter] = {facet: Counter() for facet in FACETS}
        if positions is None:
            for facet, keys in self.postings.items():
                counts[facet].update({key: len(p) for key, p in keys.items()})
        else:
            pairs = Counter(pair for i in positions for pair in self.events[i].facet_keys)
            for (facet, key), n in pairs.items():
                counts[facet][key] = n
        return counts

    def matching(self, text: str) -> list[int]:
        """Ascending positions of the events with a word beginning with each word of `text`
        (case-insensitive); several words must also stand together, in that order."""
        needles = words_of(text)
        lists, common = [], []
        for needle in dict.fromkeys(needles):
            last = needle + "\U0010ffff"
            ranges = []
            for order, words, vocabulary in self.texts:
                start = bisect_left(vocabulary, needle)
                stop = bisect_left(vocabulary, last, start)
                if stop > start:
                    ranges.append((order, words, vocabulary[start:stop]))
            if sum(len(r[2]) for r in ranges) > MANY_WORDS:
                common.append(needle)  # merging that many lists costs more than reading the text
                continue
            found: list[int] = []
            for order, words, beginning in ranges:
                for word in beginning:
                    found.extend(map(order.__getitem__, words[word]))
            # An event with several such words is found several times; -1 is an event that
            # another graph also states, shown as that graph says it.
            unique = set(found)
            unique.discard(-1)
            lists.append(sorted(unique))
        kept: list[int] | range = intersect(lists) if lists else range(len(self.events))
        for needle in common:
            spaced = " " + needle
            kept = [p for p in kept if self.events[p].haystack.startswith(needle) or spaced in self.events[p].haystack]
        if len(needles) > 1:
            phrase = " ".join(needles)
            spaced = " " + phrase
            kept = [p for p in kept if self.events[p].haystack.startswith(phrase) or spaced in self.events[p].haystack]
        return list(kept)


def words_of(text: str) -> list[str]:
    """The words of `text`, case-folded, in order."""
    return WORD.findall(text.casefold())


def intersect(lists) -> list[int]:
    """The positions in every list (each ascending), ascending; starts from the shortest."""
    ordered = sorted(lists, key=len)
    kept = list(ordered[0])
    for other in ordered[1:]:
        members = other if isinstance(other, range) else set(other)
        kept = [p for p in kept if p in members]
    return kept


@dataclass(slots=True)
class _Raw:
    """One event as its graph says it, before the labels of what it points to are looked up."""

    iri: str
    label: str
    type: str
    begin: str
    end: str
    granularity: str
    expression: str | None
    modality: str
    article: str | None
    links: list[tuple[str, str]] = field(default_factory=list)  # (actor|place|source, IRI)
    evidence: Evidence | None = None
    disputes: dict[tuple[str, str], tuple[str, str, set[str]]] = field(default_factory=dict)
    figures: dict[str, tuple[str, str, str | None, str | None, str | None, set[str]]] = field(default_factory=dict)


@dataclass
class Part:
    """What one graph gives the index: its events, and the labels and titles it states."""

    raw: dict[str, _Raw]
    labels: dict[str, str]  # entity IRI -> its least label in this graph
    titles: dict[str, str]  # article IRI -> its least title in this graph
    refs: set[str]  # the IRIs whose labels or titles its events show
    events: list[Event] | None = None  # built with the labels of the `Parts` that holds it
    words: dict[str, list[int]] = field(default_factory=dict)  # word -> indices in `events`
    vocabulary: list[str] = field(default_factory=list)  # `words`, sorted


@dataclass
class Parts:
    """Every graph's part, and the labels and titles of all graphs together (the least of each)."""

    graphs: dict[str, Part]
    labels: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


def build(store) -> Snapshot:
    """Read every graph of `store` (an EmbeddedStore or RemoteStore) and index it."""
    graphs = {graph: read_graph(store, graph) for graph in store.graphs()}
    default = _read_default_graph(store)
    if default is not None:
        graphs[DEFAULT_GRAPH] = default
    return index_parts(Parts(graphs))


def rebuild(previous: Snapshot, store, changed: set[str]) -> Snapshot:
    """`previous` with the graphs in `changed` read again (a graph no longer in the store is
    dropped, DEFAULT_GRAPH names the default graph); the other graphs' parts are kept."""
    graphs = dict(previous.parts.graphs)
    present = set(store.graphs())
    for graph in changed:
        graphs.pop(graph, None)
        part = _read_default_graph(store) if graph == DEFAULT_GRAPH else (
            read_graph(store, graph) if graph in present else None)
        if part is not None:
            graphs[graph] = part
    return index_parts(Parts(graphs), previous.parts)


def read_graph(store, graph: str) -> Part:
    """The events of one named graph with what the timeline shows of them."""
    raw: dict[str, _Raw] = {}
    for e, label, cls, begin, end, granularity, expression, modality, article in _rows(store, EVENTS, graph):
        if e.value in raw:
            continue
        raw[e.value] = _Raw(
            e.value, label.value, local_name(cls.value) if cls else "Event", begin.value, end.value,
            GRANULARITY_NAMES.get(local_name(granularity.value), "vague") if granularity else "vague",
            expression.value if expression else None, local_name(modality.value).lower(),
            article.value if article else None)
    refs: set[str] = {r.article for r in raw.values() if r.article}
    for e, relation, x in _rows(store, LINKS, graph):
        event = raw.get(e.value)
        if event is not None and (relation.value, x.value) not in event.links:
            event.links.append((sys.intern(relation.value), sys.intern(x.value)))
            refs.add(x.value)
    for e, m, mb, me, sb, sentence in _rows(store, MENTIONS, graph):
        event, begin = raw.get(e.value), int(mb.value)
        if event is not None and (event.evidence is None or begin < event.evidence.begin):
            event.evidence = Evidence(m.value, sentence.value, begin, int(me.value), int(sb.value))
    for e, claim, claim_label, other, other_label, who in _rows(store, CONTESTED, graph):
        event = raw.get(e.value)
        if event is not None:
            _, _, sources = event.disputes.setdefault((claim.value, other.value),
                                                      (claim_label.value, other_label.value, set()))
            if who is not None:
                sources.add(who.value)
                refs.add(who.value)
    for e, f, label, value, qualifier, measure, unit, who in _rows(store, FIGURES, graph):
        event = raw.get(e.value)
        if event is not None:
            *_, sources = event.figures.setdefault(f.value, (
                label.value, value.value, qualifier and local_name(qualifier.value),
                measure and local_name(measure.value), unit and unit.value, set()))
            if who is not None:
                sources.add(who.value)
                refs.add(who.value)
    labels: dict[str, str] = {}
    for x, label in _rows(store, ENTITY_LABELS, graph):
        labels[x.value] = min(label.value, labels.get(x.value, label.value))
    titles: dict[str, str] = {}
    for a, title in _rows(store, ARTICLES, graph):
        titles[a.value] = min(title.value, titles.get(a.value, title.value))
    return Part(raw, labels, titles, refs)


def _read_default_graph(store) -> Part | None:
    """The store's own default graph, read with the same queries as a named graph (in a store in
    memory); None when it is empty, or when the store cannot tell it apart from the union of its
    graphs (a remote one)."""
    if not isinstance(store, EmbeddedStore):
        return None
    quads = list(store.quads(DefaultGraph()))
    if not quads:
        return None
    memory = EmbeddedStore()
    try:
        memory.update(graph_update(_DEFAULT_STAND_IN, [Quad(q.subject, q.predicate, q.object, NamedNode(
            _DEFAULT_STAND_IN)) for q in quads], replace=True))
        return read_graph(memory, _DEFAULT_STAND_IN)
    finally:
        memory.close()


def index_parts(parts: Parts, previous: Parts | None = None) -> Snapshot:
    """The snapshot of `parts`; a graph's events are built again only when the graph was read
    again or a label or title they show has changed since `previous`."""
    for part in parts.graphs.values():
        for iri, label in part.labels.items():
            parts.labels[iri] = min(label, parts.labels.get(iri, label))
        for iri, title in part.titles.items():
            parts.titles[iri] = min(title, parts.titles.get(iri, title))
    changed: set[str] = set()
    if previous is not None:
        for mine, theirs in ((parts.labels, previous.labels), (parts.titles, previous.titles)):
            changed.update(iri for iri in mine.keys() | theirs.keys() if mine.get(iri) != theirs.get(iri))
    events: dict[str, Event] = {}
    # Graphs in name order: an event stated in several graphs is shown as the first one states it.
    for graph in sorted(parts.graphs):
        part = parts.graphs[graph]
        if part.events is None or (changed and not changed.isdisjoint(part.refs)):
            part.events = [_event(r, parts) for r in part.raw.values()]
            part.words, part.vocabulary = _words(part.events)
        for event in part.events:
            events.setdefault(event.iri, event)
    return index(list(events.values()), parts)


def _event(raw: _Raw, parts: Parts) -> Event:
    """An event with the labels of what it points to, and its words and facet keys."""
    def link(iri: str) -> Link:
        # Interned: the same actors and places stand in thousands of events.
        key = sys.intern(key_of(iri))
        return Link(sys.intern(iri), sys.intern(parts.labels.get(iri, key)), key)

    def source(iris: set[str]) -> str | None:
        known = sorted(parts.labels[iri] for iri in iris if iri in parts.labels)
        return known[0] if known else None

    event = Event(raw.iri, raw.label, raw.type, raw.begin, raw.end, raw.granularity, raw.expression,
                  raw.modality, evidence=raw.evidence)
    if raw.article:
        event.article = Link(raw.article, parts.titles.get(raw.article, key_of(raw.article)), key_of(raw.article))
    for relation, iri in raw.links:
        getattr(event, relation + "s").append(link(iri))
    event.disputes = [Dispute(Link(claim, claim_label, key_of(claim)), Link(other, other_label, key_of(other)),
                              source(sources))
                      for (claim, other), (claim_label, other_label, sources) in raw.disputes.items()]
    event.figures = [Figure(f, label, value, qualifier, measure, unit, source(sources))
                     for f, (label, value, qualifier, measure, unit, sources) in raw.figures.items()]
    # The store returns links in no set order; a page must read the same every time.
    for links in (event.actors, event.places, event.sources):
        links.sort(key=lambda link: (link.label.casefold(), link.iri))
    event.disputes.sort(key=lambda d: (d.claim.label.casefold(), d.disputed_by.iri))
    event.figures.sort(key=lambda f: (f.label.casefold(), f.iri))
    _describe(event)
    return event


def _words(events: list[Event]) -> tuple[dict[str, list[int]], list[str]]:
    """Each word's indices in `events`, and the words sorted."""
    words: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        for word in event.words:
            found = words.get(word)
            if found is None:
                words[word] = [i]
            else:
                found.append(i)
    return words, sorted(words)


def _describe(event: Event) -> None:
    """Fill in what the index needs of an event: its words and its facet keys."""
    text = [event.label, event.evidence.sentence if event.evidence else ""]
    text += [link.label for link in event.actors + event.places + event.sources]
    words = WORD.findall(" ".join(text).casefold())
    event.haystack = " ".join(words)
    event.words = tuple(dict.fromkeys(map(sys.intern, words)))  # one copy of each word, not one per event
    event.facet_keys = tuple((facet, key) for facet in FACETS for key in dict.fromkeys(event.keys(facet)))


def index(events: list[Event], parts: Parts | None = None) -> Snapshot:
    """Events in date order (earliest begin, then latest end), each facet value's positions, and
    the index of their words (by graph when `parts` are given, else of `events` together)."""
    ordered = sorted(events, key=lambda ev: (ev.begin, ev.end, ev.label.casefold(), ev.iri))
    postings: dict[str, dict[str, list[int]]] = {facet: {} for facet in FACETS}
    labels: dict[str, dict[str, str]] = {facet: {} for facet in FACETS}
    for position, event in enumerate(ordered):
        if not event.facet_keys:
            _describe(event)
        for facet, key in event.facet_keys:
            postings[facet].setdefault(key, []).append(position)
    # A value's label as its first event shows it (the least, where graphs disagree).
    for facet, keys in postings.items():
        for key, positions in keys.items():
            event = ordered[positions[0]]
            if facet in ("type", "modality"):
                labels[facet][key] = key
            elif facet == "article":
                labels[facet][key] = event.article.label
            else:
                links = {"actor": event.actors, "place": event.places, "source": event.sources}[facet]
                labels[facet][key] = next(link.label for link in links if link.key == key)
    if parts is not None:
        positions = {id(event): position for position, event in enumerate(ordered)}
        texts = [([positions.get(id(event), -1) for event in part.events], part.words, part.vocabulary)
                 for part in parts.graphs.values() if part.events]
    else:
        texts = [(list(range(len(ordered))), *_words(ordered))]
    begins, ends = [event.begin for event in ordered], [event.end for event in ordered]
    days = ([0 if b == OPEN_BEGIN else date.fromisoformat(b).toordinal() for b in begins],
            [NEVER if e == OPEN_END else date.fromisoformat(e).toordinal() for e in ends])
    return Snapshot(ordered, postings, labels, begins, ends=ends, days=days, texts=texts, parts=parts)


def _rows(store, query: str, graph: str):
    return store.query(query.format(graph=graph)).rows


class NotReady(Exception):
    """The index is being built for the first time and there is no earlier one to show."""


class TimelineIndex:
    """The `Snapshot` of a served store, brought up to date in the background after the store changes.

    `start` begins the first build (the server calls it when it starts); `warm` is then called
    after each new snapshot (the server renders its first page, which its cache keeps). A request after a write
    waits up to `wait` seconds for the new snapshot (re-reading a changed article takes
    milliseconds, and so does all of a small store, so its readers always see the write); past
    that it gets the previous snapshot, marked stale, rather than hanging while a large store is
    read (tens of seconds at millions of quads, when a write does not say which graphs it
    changed). Before the first snapshot exists a request waits up to `first_wait` seconds, then is
    told to come back (NotReady).
    """

    def __init__(self, wait: float = 1.0, first_wait: float = 15.0, warm=None):
        self.wait, self.first_wait = wait, first_wait
        self.warm = warm  # called with no argument after each new snapshot, in the building thread
        self._changed = threading.Condition()
        self._snapshot: Snapshot | None = None
        self._version: object = None  # the checkpoint `_snapshot` was read from
        self._building = False

    @property
    def latest(self) -> Snapshot | None:
        """The newest snapshot, whatever state of the store it is of; None before the first."""
        return self._snapshot

    def start(self, served_store) -> None:
        """Begin bringing the index up to date now, without waiting for a request."""
        with self._changed:
            self._start(served_store)

    def _start(self, served_store) -> None:
        if not self._building:
            self._building = True
            threading.Thread(target=self._build, args=(served_store,), daemon=True,
                             name="diplograph-timeline-index").start()

    def current(self, served_store) -> tuple[Snapshot, bool]:
        """The newest snapshot and whether it is of the store's newest checkpoint."""
        version = served_store.checkpoints.current
        with self._changed:
            if self._version == version:
                return self._snapshot, True
            self._start(served_store)
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
            changed, upto = _changes_since(served_store, self._version)
            snapshot = None
            started = time.perf_counter()
            # Millions of objects are made and kept: the cyclic collector would go over all of them
            # again and again while they are made (a third of the time) and then, in every full
            # collection, while requests wait. They hold no cycles, so it is paused during the
            # build and they are left out of its later rounds (freeze); a replaced snapshot is
            # still freed, by reference counting.
            gc.disable()
            try:
                if changed is not None and self._snapshot is not None and self._snapshot.parts is not None:
                    try:
                        snapshot, version = rebuild(self._snapshot, served_store.store, changed), upto
                    except Exception:  # read everything instead; the details go to the log
                        log.exception("could not re-read the changed graphs for the timeline's index")
                if snapshot is None:
                    changed = None
                    try:
                        snapshot = build(served_store.store)
                    except Exception:  # the requests waiting for it are told; the details go to the log
                        log.exception("could not build the timeline's index")
            finally:
                gc.enable()
                gc.freeze()
            if snapshot is not None:
                log.info("timeline index: %d events, %s in %.2f s", len(snapshot.events),
                         "every graph read" if changed is None else f"{len(changed)} graph(s) read again",
                         time.perf_counter() - started)
            with self._changed:
                if snapshot is not None:
                    self._snapshot, self._version = snapshot, version
                done = snapshot is None or served_store.checkpoints.current == version
                if done:
                    self._building = False
                self._changed.notify_all()
            if done and snapshot is not None and self.warm is not None:
                try:
                    self.warm()
                except Exception:  # a page will compute it again, and say what is wrong
                    log.exception("could not prepare the timeline's first page")
            if done:
                return


def _changes_since(served_store, version) -> tuple[set[str] | None, object]:
    """The graphs changed by the writes after `version` (DEFAULT_GRAPH for the default graph) and
    the version they lead to; (None, None) when everything must be read (see `changes_since`)."""
    changed, upto = served_store.changes_since(version)
    if changed is None:
        return None, None
    return {DEFAULT_GRAPH if g is None else g for g in changed}, upto
