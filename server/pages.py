"""HTML pages of resources: the one place that decides what a browser is shown of a resource.

Every resource's page has its statements, both ways, as tables (its linked-data view), built as
plain data (sections of rows of shown terms). Entities, events and articles have rich pages
(entity_page, event_page, article_page) with those tables below. Templates escape every value: a
label holding `<script>` is shown as text. Resources link to their pages on this server; the
ontology's document has a section per term, anchored by its local name, so that /ontology#Meeting
lands on dg:Meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from diplograph.ontology.vocab import DCTERMS, ID_BASE, NIF, ONTOLOGY_IRI, PREFIXES, RDF, RDFS, XSD

from . import article_page, entity_page, event_page
from .links import href, twin_href

LABEL = RDFS + "label"
# What names a resource in its page's title, best first: a label, an article's headline, a span's words.
TITLES = [LABEL, DCTERMS + "title", NIF + "anchorOf"]
# Statements listed first on a page; the others follow by property name.
FIRST = {RDF + "type": 0, LABEL: 1}
# Literals longer than this are shown as a block (an article's text), not in a table cell.
LONG = 160
# Rich pages: what an IRI's path under the id base looks like -> its template and page builder.
RICH = {("entity", 2): ("entity.html", entity_page.build), ("event", 3): ("event.html", event_page.build),
        ("article", 2): ("article.html", article_page.build)}


@dataclass(frozen=True)
class Shown:
    """A term as shown: its text, where it links (None: no link) and a note (language, datatype)."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str | None = None
    long: bool = False


@dataclass
class Section:
    """The statements of one subject: what it says (property, value) and what points to it."""

    anchor: str | None
    heading: Shown | None
    outgoing: list[tuple[Shown, Shown]] = field(default_factory=list)
    incoming: list[tuple[Shown, Shown]] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    title: str
    iri: str
    sections: list[Section]
    alternates: list[tuple[str, str]]  # (media type, link)
    truncated: bool
    max_rows: int


def resource_page(iri: str, triples: list[Triple], truncated: bool, max_rows: int, extensions: dict[str, str]) -> str:
    """The HTML page of `iri` from its description `triples`; `extensions` maps each twin's
    extension to its media type (listed as alternate links, HTML excepted); `max_rows` is where the
    description was cut when `truncated`. An entity, an event or
    an article gets its rich page, any other resource (or one the store does not hold as such)
    its statements only."""
    page = linked_data(iri, triples, truncated, max_rows, extensions)
    path = iri[len(ID_BASE):].split("/") if iri.startswith(ID_BASE) else []
    template, build = RICH.get((path[0], len(path)), (None, None)) if path else (None, None)
    view = build(iri) if build else None
    if view is not None:
        return render_template(template, page=page, view=view)
    return render_template("resource.html", page=page)


def linked_data(iri: str, triples: list[Triple], truncated: bool, max_rows: int, extensions: dict[str, str]) -> Page:
    """The linked-data view of `iri`: its statements both ways, by subject."""
    labels = _labels(triples)
    subject = NamedNode(iri)
    if iri == ONTOLOGY_IRI:
        # The ontology's document is where its terms' hash IRIs lead: a section for each.
        subjects = sorted({t.subject for t in triples}, key=lambda s: (s != subject, str(s)))
    else:
        subjects = [subject]
    sections = [_section(s, triples, labels, first=s == subject) for s in subjects]
    alternates = [(media_type, twin_href(iri, ext)) for ext, media_type in extensions.items()
                  if media_type != "text/html"]
    return Page(_title(subject, triples), iri, sections, alternates, truncated, max_rows)


def _section(subject, triples: list[Triple], labels: dict[str, str], first: bool) -> Section:
    anchor = None
    if isinstance(subject, NamedNode) and subject.value.startswith(ONTOLOGY_IRI + "#"):
        anchor = subject.value[len(ONTOLOGY_IRI) + 1:]
    section = Section(anchor, None if first else _shown(subject, labels))
    # Labels of linked resources travel with the description: they name links, they are not rows.
    out = [t for t in triples if t.subject == subject]
    section.outgoing = [(_predicate(t.predicate), _shown(t.object, labels))
                        for t in sorted(out, key=lambda t: _order(t.predicate, t.object))]
    inward = [t for t in triples if t.object == subject and t.subject != subject]
    section.incoming = [(_shown(t.subject, labels), _predicate(t.predicate))
                        for t in sorted(inward, key=lambda t: _order(t.predicate, t.subject))]
    return section


def _order(predicate: NamedNode, term) -> tuple:
    return FIRST.get(predicate.value, 2), _short(predicate.value), str(term)


def _labels(triples: list[Triple]) -> dict[str, str]:
    """The best rdfs:label of every IRI that has one: English, then untagged, then any."""
    ranked: dict[str, tuple[int, str]] = {}
    for t in triples:
        if t.predicate.value == LABEL and isinstance(t.subject, NamedNode) and isinstance(t.object, Literal):
            rank = {"en": 0, None: 1}.get(t.object.language, 2)
            known = ranked.get(t.subject.value)
            if known is None or (rank, t.object.value) < known:
                ranked[t.subject.value] = (rank, t.object.value)
    return {iri: label for iri, (_, label) in ranked.items()}


def _title(subject: NamedNode, triples: list[Triple]) -> str:
    for predicate in TITLES:
        values = sorted((t.object for t in triples if t.subject == subject and t.predicate.value == predicate
                         and isinstance(t.object, Literal)), key=lambda o: (o.language not in ("en", None), o.value))
        if values:
            return values[0].value
    return _short(subject.value)


def _short(iri: str) -> str:
    """A readable name for an IRI: a prefixed name, our IRIs by their path, else the IRI."""
    if iri.startswith(ID_BASE):
        return iri[len(ID_BASE):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _predicate(predicate: NamedNode) -> Shown:
    return Shown(_short(predicate.value), href(predicate.value), predicate.value)


def _shown(term, labels: dict[str, str]) -> Shown:
    if isinstance(term, NamedNode):
        return Shown(labels.get(term.value) or _short(term.value), href(term.value), term.value)
    if isinstance(term, Literal):
        if term.language:
            note = f"@{term.language}"
        elif term.datatype.value != XSD + "string":
            note = _short(term.datatype.value)
        else:
            note = None
        return Shown(term.value, note=note, long=len(term.value) > LONG)
    if isinstance(term, BlankNode):
        return Shown(f"_:{term.value}")
    return Shown(str(term))  # a quoted triple (RDF 1.2), shown in N-Triples
