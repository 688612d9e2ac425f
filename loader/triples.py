"""From a checked `Annotation` to RDF quads in the article's named graph (docs/data-model.md).

Pure and deterministic: no store, no clock, no blank nodes; the quads come back sorted, so the same
annotation always serialises to byte-identical N-Quads.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from diplograph.ontology import iris
from diplograph.ontology.vocab import (
    ACTOR,
    CREDIT_ROLES,
    DCTERMS,
    DURATION_UNITS,
    ENTITY_CLASSES,
    GAF,
    GRANULARITIES,
    MEASURES,
    MODALITIES,
    NIF,
    OPEN_BEGIN,
    OPEN_END,
    OWL,
    PROV,
    QUALIFIERS,
    RDF,
    RDFS,
    ROLES,
    SEM,
    SKOS,
    TIME,
    WD,
    XSD,
    dg,
)

from .annotation import Annotation, Span, resolve_reference_kind, text_digest
from .text import sentences

A = RDF + "type"


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _typed(value: object, datatype: str) -> Literal:
    return Literal(str(value), datatype=_n(XSD + datatype))


def _en(text: str) -> Literal:
    return Literal(text, language="en")


class _Writer:
    """Collects the triples of one article into its graph."""

    def __init__(self, annotation: Annotation):
        self.ann = annotation
        self.aid = annotation.article.id
        self.graph = _n(iris.graph(self.aid))
        self.quads: set[Quad] = set()
        self.article = _n(iris.article(self.aid))
        self.context = _n(iris.article_text(self.aid))
        self.sentences = sentences(annotation.text)

    def add(self, s: str | NamedNode, p: str, o: str | NamedNode | Literal) -> None:
        s = s if isinstance(s, NamedNode) else _n(s)
        o = o if isinstance(o, (NamedNode, Literal)) else _n(o)
        self.quads.add(Quad(s, _n(p), o, self.graph))

    def ref(self, ident: str) -> NamedNode:
        """The IRI of whatever a `topic`/`about` id names."""
        kind = resolve_reference_kind(self.ann, ident)
        if kind == "entity":
            return _n(iris.entity(ident))
        if kind == "event":
            return _n(iris.event(self.aid, ident))
        return _n(iris.claim(self.aid, ident))

    # -- text ------------------------------------------------------------------------------------

    def span(self, span: Span, typ: str = dg("Mention")) -> NamedNode:
        node = _n(iris.span(self.aid, span.begin, span.end))
        self.add(node, A, typ)
        if typ == dg("Mention"):
            self.add(node, A, NIF + "String")
            self.add(node, NIF + "sentence", self.sentence_of(span.begin))
        self.add(node, NIF + "anchorOf", Literal(self.ann.text[span.begin:span.end]))
        self.add(node, NIF + "beginIndex", _typed(span.begin, "nonNegativeInteger"))
        self.add(node, NIF + "endIndex", _typed(span.end, "nonNegativeInteger"))
        self.add(node, NIF + "referenceContext", self.context)
        return node

    def sentence_of(self, offset: int) -> NamedNode:
        for s in self.sentences:
            if s.begin <= offset < s.end:
                return _n(iris.span(self.aid, s.begin, s.end))
        # A mention starting in the blank between two sentences belongs to the next one.
        following = next(s for s in self.sentences if s.begin > offset)
        return _n(iris.span(self.aid, following.begin, following.end))

    def denoted_by(self, subject: NamedNode, spans) -> None:
        for span in spans:
            self.add(subject, GAF + "denotedBy", self.span(span))

    def text(self) -> None:
        text = self.ann.text
        self.add(self.context, A, NIF + "Context")
        self.add(self.context, NIF + "isString", Literal(text))
        self.add(self.context, NIF + "beginIndex", _typed(0, "nonNegativeInteger"))
        self.add(self.context, NIF + "endIndex", _typed(len(text), "nonNegativeInteger"))
        self.add(self.context, dg("sha256"), Literal(text_digest(text)))
        self.add(self.context, PROV + "wasDerivedFrom", self.article)
        for s in self.sentences:
            node = self.span(Span(s.begin, s.end), NIF + "Sentence")
            self.add(node, dg("paragraph"), _typed(s.paragraph, "positiveInteger"))

    # -- article ---------------------------------------------------------------------------------

    def article_meta(self) -> None:
        art = self.ann.article
        a = self.article
        self.add(a, A, dg("Article"))
        self.add(a, A, PROV + "Entity")
        self.add(a, DCTERMS + "title", _en(art.headline))
        self.add(a, RDFS + "label", _en(art.headline))
        self.add(a, DCTERMS + "publisher", iris.entity(art.publisher))
        self.add(a, DCTERMS + "issued", _typed(art.published.isoformat(), "date"))
        self.add(a, DCTERMS + "language", Literal(art.language))
        self.add(a, dg("hasText"), self.context)
        if art.dateline:
            self.add(a, dg("dateline"), iris.entity(art.dateline))
        for c in art.credits:
            node = _n(iris.credit(self.aid, c.person))
            person = iris.entity(c.person)
            self.add(a, dg("hasCredit"), node)
            self.add(a, DCTERMS + ("creator" if c.role == "reporter" else "contributor"), person)
            self.add(node, A, dg("Credit"))
            self.add(node, dg("creditedPerson"), person)
            self.add(node, dg("creditRole"), dg(CREDIT_ROLES[c.role]))
            if c.place:
                self.add(node, SEM + "hasPlace", iris.entity(c.place))

    # -- entities and events ---------------------------------------------------------------------

    def entities(self) -> None:
        for e in self.ann.entities.values():
            node = _n(iris.entity(e.id))
            self.add(node, A, dg(e.cls))
            for core in ENTITY_CLASSES[e.cls]:
                self.add(node, A, SEM + ("Actor" if core == ACTOR else "Place"))
            self.add(node, RDFS + "label", _en(e.label))
            for alias in e.aliases:
                self.add(node, SKOS + "altLabel", _en(alias))
            if e.description:
                self.add(node, DCTERMS + "description", _en(e.description))
            if e.title:
                self.add(node, dg("title"), _en(e.title))
            for other in e.affiliation:
                self.add(node, dg("affiliation"), iris.entity(other))
            if e.count is not None:
                self.add(node, dg("memberCount"), _typed(e.count, "nonNegativeInteger"))
            if e.wikidata:
                self.add(node, OWL + "sameAs", WD + e.wikidata)
            self.denoted_by(node, e.mentions)

    def events(self) -> None:
        published = self.ann.article.published
        for e in self.ann.events.values():
            node = _n(iris.event(self.aid, e.id))
            self.add(node, A, SEM + "Event")
            self.add(node, A, dg(e.cls))
            self.add(node, RDFS + "label", _en(e.label))
            for entity_id, role in e.actors:
                actor = iris.entity(entity_id)
                self.add(node, SEM + "hasActor", actor)
                role_node = _n(iris.role(self.aid, e.id, role, entity_id))
                self.add(node, dg("hasRole"), role_node)
                self.add(role_node, A, SEM + "Role")
                self.add(role_node, RDF + "value", actor)
                self.add(role_node, SEM + "roleType", dg(ROLES[role]))
            for place in e.places:
                self.add(node, SEM + "hasPlace", iris.entity(place))
            self.time(node, e.time, ongoing_at=published if e.modality == "ongoing" else None)
            self.add(node, dg("modality"), dg(MODALITIES[e.modality]))
            for source in e.according_to:
                self.add(node, dg("accordingTo"), iris.entity(source))
            if e.condition:
                self.add(node, dg("condition"), _en(e.condition))
            if e.conditional_on:
                self.add(node, dg("conditionalOn"), iris.event(self.aid, e.conditional_on))
            if e.part_of:
                self.add(node, SEM + "subEventOf", iris.event(self.aid, e.part_of))
            for t in e.topic:
                self.add(node, dg("topic"), self.ref(t))
            self.add(node, PROV + "wasDerivedFrom", self.article)
            self.denoted_by(node, e.mentions)

    def time(self, node: NamedNode, t, ongoing_at: date | None) -> None:
        begin = t.begin.isoformat() if t.begin else OPEN_BEGIN
        end = t.end.isoformat() if t.end else OPEN_END
        self.add(node, SEM + "hasEarliestBeginTimeStamp", _typed(begin, "date"))
        self.add(node, SEM + "hasLatestEndTimeStamp", _typed(end, "date"))
        if ongoing_at and t.end is None:
            # Still going on when the article was written: it cannot have ended before then.
            self.add(node, SEM + "hasEarliestEndTimeStamp", _typed(ongoing_at.isoformat(), "date"))
        if t.text:
            self.add(node, dg("timeExpression"), _en(t.text))
        self.add(node, dg("granularity"), GRANULARITIES[t.granularity])

    # -- claims, figures, quotations ---------------------------------------------------------------

    def provenance(self, node: NamedNode, kind: str, label: str, sources, span: Span) -> None:
        self.add(node, A, dg(kind))
        self.add(node, A, PROV + "Entity")
        self.add(node, RDFS + "label", _en(label))
        for source in sources:
            self.add(node, dg("speaker") if kind == "Quotation" else dg("accordingTo"), iris.entity(source))
        self.add(node, PROV + "wasDerivedFrom", self.article)
        self.denoted_by(node, [span])

    def claims(self) -> None:
        for c in self.ann.claims.values():
            node = _n(iris.claim(self.aid, c.id))
            self.provenance(node, "Claim", c.label, c.according_to, c.mention)
            for t in c.about:
                self.add(node, dg("about"), self.ref(t))
            for other in c.contradicts:
                other_node = _n(iris.claim(self.aid, other))
                self.add(node, dg("contradicts"), other_node)
                self.add(other_node, dg("contradicts"), node)

    def figures(self) -> None:
        for f in self.ann.figures.values():
            node = _n(iris.figure(self.aid, f.id))
            self.provenance(node, "Figure", f.label, f.according_to, f.mention)
            datatype = "decimal" if isinstance(f.value, Decimal) else "integer"
            self.add(node, dg("value"), _typed(f.value, datatype))
            self.add(node, dg("qualifier"), dg(QUALIFIERS[f.qualifier]))
            self.add(node, dg("measure"), dg(MEASURES[f.measure]))
            self.add(node, dg("unit"), Literal(f.unit))
            if f.measure == "duration":
                self.add(node, A, TIME + "Duration")
                self.add(node, TIME + "numericDuration", _typed(f.value, "decimal"))
                self.add(node, TIME + "unitType", DURATION_UNITS[f.unit])
            if f.about:
                self.add(node, dg("about"), iris.event(self.aid, f.about))

    def quotations(self) -> None:
        for q in self.ann.quotations.values():
            node = _n(iris.quotation(self.aid, q.id))
            words = self.ann.text[q.span.begin:q.span.end]
            speaker = self.ann.entities[q.speaker].label
            short = words if len(words) <= 60 else words[:57].rstrip() + "…"
            self.provenance(node, "Quotation", f"{speaker}: “{short}”", [q.speaker], q.span)
            self.add(node, dg("quotedText"), Literal(words))
            if q.said_in:
                self.add(node, dg("saidIn"), iris.event(self.aid, q.said_in))
            for t in q.about:
                self.add(node, dg("about"), self.ref(t))


def article_quads(annotation: Annotation) -> list[Quad]:
    """Every quad the annotation stands for, in the article's named graph, sorted."""
    w = _Writer(annotation)
    w.text()
    w.article_meta()
    w.entities()
    w.events()
    w.claims()
    w.figures()
    w.quotations()
    return sorted(w.quads, key=str)
