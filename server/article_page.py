"""An article's page: headline, date, source and credits; its full text with every mention
highlighted and linked to what it denotes (each mention's element has the id `char=B,E`, so that
the timeline's links to `…#char=B,E` land on it and CSS `:target` marks it); its claims grouped by
source, its quotations by speaker, its figures, and its events in date order.

One CONSTRUCT over the article's own graph gathers the article, its text, every mention and the
claims, figures and quotations; the events come from the timeline's index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from diplograph.ontology import iris
from diplograph.ontology.vocab import DCTERMS, DG, GAF, NIF, RDF

from . import article_text
from .page_parts import EventRow, Link, event_row, kind_of, link, timeline_href, timeline_snapshot
from .page_queries import Facts, construct
from .timeline.index import key_of
from .timeline.words import interval_in_words

IN_ITS_GRAPH = """CONSTRUCT {{
  {a} ?p ?o . ?o rdfs:label ?label .
  ?text nif:isString ?string .
  ?x gaf:denotedBy ?m ; rdfs:label ?xLabel . ?m nif:beginIndex ?mb ; nif:endIndex ?me .
  ?c ?cp ?co . ?co rdfs:label ?coLabel .
}} WHERE {{
  {{ {a} ?p ?o OPTIONAL {{ ?o rdfs:label ?label }} }}
  UNION {{ {a} dg:hasText ?text . ?text nif:isString ?string }}
  UNION {{ ?x gaf:denotedBy ?m . ?m nif:beginIndex ?mb ; nif:endIndex ?me OPTIONAL {{ ?x rdfs:label ?xLabel }} }}
  UNION {{ VALUES ?kind {{ dg:Claim dg:Figure dg:Quotation }}
           ?c a ?kind ; ?cp ?co OPTIONAL {{ ?co rdfs:label ?coLabel }} }}
}}"""

# Which mentions are placed whole first where mentions cross (see article_text): the ones the
# timeline links to, then events', entities', claims', figures', quotations'.
PRIORITY = {"event": 1, "entity": 2, "claim": 3, "figure": 4, "quotation": 5}
# What the text links to first: an entity's or event's words link to it even where a claim or figure
# is mentioned inside them (claims, figures and quotations are listed below the text).
LINKED_FIRST = frozenset({"entity", "event"})
KIND_WORDS = {"event": "Event", "entity": "Entity", "claim": "Claim", "figure": "Figure", "quotation": "Quotation"}
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Statement:
    """A claim, figure or quotation of the article: what it says, its page, its place in the text."""

    link: Link
    words: str
    in_text: str | None  # #char=B,E on this page
    about: list[Link]
    contradicts: list[tuple[Link, list[Link]]]  # (claim, its sources)
    said_in: list[Link]
    sources: list[Link]  # who says so (a quotation: its speakers)
    position: int


@dataclass(frozen=True)
class Group:
    """Statements by one source (or speaker)."""

    source: Link | None  # None: nobody is named
    statements: list[Statement]


@dataclass
class ArticleView:
    headline: str
    published: str | None
    published_iso: str | None
    publisher: list[Link]
    dateline: list[Link]
    creators: list[Link]
    contributors: list[Link]
    language: str | None
    paragraphs: list[article_text.Paragraph]
    mentions: int
    claims: list[Group]
    quotations: list[Group]
    figures: list[Statement]
    index: str  # the state of the timeline's index: fresh, stale, preparing or failed
    events: list[EventRow] = field(default_factory=list)
    timeline: str = ""
    truncated: bool = False


def build(iri: str) -> ArticleView | None:
    """The page's data, or None when the article's graph holds no text for it."""
    article_id = iri.rpartition("/")[2]
    facts = construct(IN_ITS_GRAPH.format(a=NamedNode(iri)), graph=iris.graph(article_id))
    text_node = next(iter(facts.iris(iri, DG + "hasText")), None)
    text = facts.text(text_node, NIF + "isString") if text_node else None
    if text is None:
        return None

    def links(values) -> list[Link]:
        return sorted((link(v, facts.label(v, key_of(v))) for v in dict.fromkeys(values)),
                      key=lambda lk: (lk.label.casefold(), lk.iri))

    snapshot, index = timeline_snapshot()
    events = []
    linked_spans: set[tuple[int, int]] = set()  # the spans the timeline's evidence links point to
    if snapshot is not None:
        events = [snapshot.events[p] for p in snapshot.postings.get("article", {}).get(key_of(iri), [])]
        linked_spans = {(e.evidence.begin, e.evidence.end) for e in events if e.evidence}
    mentions = _mentions(facts, linked_spans)
    issued = facts.text(iri, DCTERMS + "issued")
    statements = {kind: _statements(facts, kind, links) for kind in ("Claim", "Figure", "Quotation")}
    return ArticleView(
        headline=facts.text(iri, DCTERMS + "title") or facts.label(iri, key_of(iri)),
        published=interval_in_words(issued, issued, "day") if issued else None, published_iso=issued,
        publisher=links(facts.iris(iri, DCTERMS + "publisher")), dateline=links(facts.iris(iri, DG + "dateline")),
        creators=links(facts.iris(iri, DCTERMS + "creator")),
        contributors=links(facts.iris(iri, DCTERMS + "contributor")),
        language=facts.text(iri, DCTERMS + "language"),
        paragraphs=article_text.layout(text, mentions, LINKED_FIRST),
        mentions=len({(m.begin, m.end) for m in mentions}),
        claims=_grouped(facts, statements["Claim"]), quotations=_grouped(facts, statements["Quotation"]),
        figures=[s for _, s in statements["Figure"]], index=index,
        events=[event_row(e) for e in events], timeline=timeline_href(article=key_of(iri)),
        truncated=facts.truncated)


def _mentions(facts: Facts, linked_spans: set[tuple[int, int]]) -> list[article_text.Mention]:
    """Every mention of the text with what it denotes. Without the timeline's index, an event's
    first mention stands for the span the timeline links to (the index's own choice)."""
    found: list[tuple[str, str, int, int]] = []  # (denoted, kind, begin, end)
    for denoted, mention in facts.pairs(GAF + "denotedBy"):
        begin, end = facts.number(mention, NIF + "beginIndex"), facts.number(mention, NIF + "endIndex")
        if begin is not None and end is not None:
            found.append((denoted, kind_of(denoted) or "other", begin, end))
    if not linked_spans:
        first: dict[str, tuple[int, int]] = {}
        for denoted, kind, begin, end in found:
            if kind == "event" and (denoted not in first or (begin, end) < first[denoted]):
                first[denoted] = (begin, end)
        linked_spans = set(first.values())
    mentions = []
    for denoted, kind, begin, end in found:
        priority = 0 if kind == "event" and (begin, end) in linked_spans else PRIORITY.get(kind, 6)
        title = f"{KIND_WORDS.get(kind, 'Resource')}: {facts.label(denoted, key_of(denoted))}"
        mentions.append(article_text.Mention(begin, end, kind, link(denoted, "").href, title, priority))
    return mentions


def _statements(facts: Facts, kind: str, links) -> list[tuple[list[str], Statement]]:
    """The article's claims, figures or quotations, in the order of the text, each with its sources."""
    found = []
    for iri in facts.subjects(RDF + "type", DG + kind):
        spans = sorted(span for span in ((facts.number(m, NIF + "beginIndex"), facts.number(m, NIF + "endIndex"))
                                         for m in facts.iris(iri, GAF + "denotedBy")) if None not in span)
        if kind == "Figure":
            words = facts.figure_words(iri)
        elif kind == "Quotation":
            words = facts.text(iri, DG + "quotedText") or facts.label(iri, key_of(iri))
        else:
            words = facts.label(iri, key_of(iri))
        sources = facts.iris(iri, DG + ("speaker" if kind == "Quotation" else "accordingTo"))
        statement = Statement(link(iri, facts.label(iri, key_of(iri))), words,
                              f"#char={spans[0][0]},{spans[0][1]}" if spans else None,
                              links(facts.iris(iri, DG + "about")),
                              [(other, links(facts.iris(other.iri, DG + "accordingTo")))
                               for other in links(facts.iris(iri, DG + "contradicts"))],
                              links(facts.iris(iri, DG + "saidIn")), links(sources), spans[0][0] if spans else -1)
        found.append((sources, statement))
    found.sort(key=lambda item: (item[1].position, item[1].link.iri))
    return found


def _grouped(facts: Facts, statements: list[tuple[list[str], Statement]]) -> list[Group]:
    """Statements by source, sources by name; one with two sources is under both."""
    groups: dict[str | None, list[Statement]] = {}
    for sources, statement in statements:
        for source in sources or [None]:
            groups.setdefault(source, []).append(statement)
    ordered = sorted(groups, key=lambda s: (s is None, facts.label(s, key_of(s)).casefold() if s else "", s or ""))
    return [Group(link(s, facts.label(s, key_of(s))) if s else None, groups[s]) for s in ordered]
