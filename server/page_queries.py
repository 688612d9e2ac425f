"""What one page needs from the store: the triples of a CONSTRUCT, evaluated by a query worker like
any client's query (the timeout and the row cap apply), and a read-only view of them that the
page builders walk like a small graph."""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from diplograph.ontology.vocab import DG, RDFS

from .context import served
from .timeline.words import figure_in_words
from .sparql import evaluate
from .workers import QueryJob

LABEL = RDFS + "label"


class Facts:
    """Triples looked up by subject and property, or by property and object. Terms are given as
    IRIs (strings) and returned as pyoxigraph terms, in a stable order."""

    def __init__(self, triples, truncated: bool = False):
        self.truncated = truncated  # the query's answer was cut at the row cap
        self._out: dict[tuple[str, str], list] = defaultdict(list)
        self._in: dict[tuple[str, object], list] = defaultdict(list)
        self._pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for t in dict.fromkeys(triples):  # a statement in two graphs comes once per graph
            if isinstance(t.subject, NamedNode):
                self._out[t.subject.value, t.predicate.value].append(t.object)
                self._in[t.predicate.value, _key(t.object)].append(t.subject)
                if isinstance(t.object, NamedNode):
                    self._pairs[t.predicate.value].append((t.subject.value, t.object.value))
        self._sorted: set = set()  # the keys whose values are sorted (on first use)

    def __bool__(self) -> bool:
        return bool(self._out)

    def objects(self, subject: str, prop: str) -> list:
        return self._sorted_values(self._out, (subject, prop))

    def iris(self, subject: str, prop: str) -> list[str]:
        """The IRIs `subject` links to by `prop`."""
        return [o.value for o in self.objects(subject, prop) if isinstance(o, NamedNode)]

    def pairs(self, prop: str) -> list[tuple[str, str]]:
        """Every (subject, object) pair of IRIs that `prop` links."""
        return self._sorted_values(self._pairs, prop)

    def subjects(self, prop: str, obj: str) -> list[str]:
        """The IRIs that link to the IRI `obj` by `prop`."""
        return [s.value for s in self._sorted_values(self._in, (prop, _key(NamedNode(obj))))]

    def text(self, subject: str, prop: str) -> str | None:
        """The value of a literal, English or untagged preferred, or None."""
        values = [o for o in self.objects(subject, prop) if isinstance(o, Literal)]
        if not values:
            return None
        return min(values, key=lambda o: ({"en": 0, None: 1}.get(o.language, 2), o.value)).value

    def texts(self, subject: str, prop: str) -> list[str]:
        return list(dict.fromkeys(o.value for o in self.objects(subject, prop) if isinstance(o, Literal)))

    def number(self, subject: str, prop: str) -> int | None:
        value = self.text(subject, prop)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    def label(self, iri: str, fallback: str | None = None) -> str:
        """The best rdfs:label of `iri` (English, untagged, any), else `fallback`, else the IRI."""
        return self.text(iri, LABEL) or fallback or iri

    def local(self, subject: str, prop: str) -> str | None:
        """The local name of the first IRI `subject` links to by `prop` (MoreThan for dg:MoreThan)."""
        return next((i.rpartition("#")[2] for i in self.iris(subject, prop)), None)

    def figure_words(self, figure: str) -> str:
        """A figure as words: its value with its qualifier, unit and measure ("more than 3,000 killed")."""
        return figure_in_words(self.text(figure, DG + "value") or "", self.local(figure, DG + "qualifier"),
                               self.text(figure, DG + "unit"), self.local(figure, DG + "measure"))

    def _sorted_values(self, index: dict, key) -> list:
        values = index.get(key)
        if not values:
            return []
        if (id(index), key) not in self._sorted:
            values.sort(key=_order)
            self._sorted.add((id(index), key))
        return values


def construct(query: str, graph: str | None = None) -> Facts:
    """The triples `query` (a CONSTRUCT) makes, over the union of all graphs or over `graph` only."""
    return Facts(*constructed(query, served().config.max_rows, graph))


def constructed(query: str, max_rows: int, graph: str | None = None) -> tuple[list, bool]:
    """The statements a CONSTRUCT makes, evaluated by a query worker (over the union of all graphs
    or over `graph` only) and cut after `max_rows`; and whether they were cut."""
    job = QueryJob(query, None, [graph] if graph else None, [] if graph else None,
                   {"boolean": None, "solutions": None, "triples": "ntriples"}, max_rows)
    answer = evaluate(job)
    return list(parse(answer.body or b"", format=RdfFormat.N_TRIPLES)), answer.truncated


def _key(term) -> object:
    return term.value if isinstance(term, NamedNode) else term


def _order(term) -> tuple:
    if isinstance(term, tuple):  # a pair of IRIs
        return term
    return (not isinstance(term, NamedNode), str(term))
