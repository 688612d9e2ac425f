"""`diplograph check`: everything that must hold of the corpus before it is worth loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, serialize

from diplograph.errors import AnnotationError
from diplograph.loader import LoadedArticle, read_article
from diplograph.ontology.vocab import NIF


@dataclass
class CheckReport:
    """One line per check, each passed or failed, with the failures' details."""

    lines: list[tuple[bool, str, list[str]]] = field(default_factory=list)

    def add(self, ok: bool, what: str, details: list[str] | None = None) -> None:
        self.lines.append((ok, what, details or []))

    @property
    def ok(self) -> bool:
        return all(ok for ok, _, _ in self.lines)

    def text(self) -> str:
        out = []
        for ok, what, details in self.lines:
            out.append(f"{'ok  ' if ok else 'FAIL'} {what}")
            out.extend(f"     {d}" for d in details)
        failed = sum(1 for ok, _, _ in self.lines if not ok)
        out.append(f"{len(self.lines) - failed} passed, {failed} failed" if failed else
                   f"all {len(self.lines)} checks passed")
        return "\n".join(out) + "\n"


def mention_offset_errors(article: LoadedArticle) -> list[str]:
    """Every span whose offsets do not give back its anchor text (should be none)."""
    text = article.annotation.text
    spans: dict[str, dict[str, object]] = {}
    wanted = {NIF + "anchorOf": "anchor", NIF + "beginIndex": "begin", NIF + "endIndex": "end"}
    for q in article.quads:
        if q.predicate.value in wanted:
            spans.setdefault(q.subject.value, {})[wanted[q.predicate.value]] = q.object.value
    errors = []
    for iri, s in sorted(spans.items()):
        if "anchor" not in s:
            continue  # the context itself: its extent is checked by the loader
        begin, end = int(s["begin"]), int(s["end"])
        if text[begin:end] != s["anchor"]:
            errors.append(f"{iri}: text[{begin}:{end}] is “{text[begin:end]}”, not “{s['anchor']}”")
    return errors


def rdflib_graph(quads: list[Quad]):
    """The triples of `quads` as one rdflib Graph (graph names dropped), for HermiT and pySHACL."""
    import rdflib

    data = serialize((Quad(q.subject, q.predicate, q.object) for q in quads), format=RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def run_checks(paths: list[Path], reasoner: bool = True) -> CheckReport:
    """Run every check over the annotation files at `paths` and report each result."""
    from diplograph.ontology.checks import reason_with_hermit, validate_shapes

    report = CheckReport()
    articles: list[LoadedArticle] = []
    for path in paths:
        try:
            article = read_article(path)
        except AnnotationError as err:
            report.add(False, f"annotation {path}", [str(p) for p in err.problems])
            continue
        articles.append(article)
        ann = article.annotation
        report.add(True, f"annotation {path}: {len(ann.entities)} entities, {len(ann.events)} events, "
                         f"{len(ann.claims)} claims, {len(ann.figures)} figures, "
                         f"{len(ann.quotations)} quotations, {len(article.quads)} quads")
        errors = mention_offset_errors(article)
        report.add(not errors, f"offsets of every mention and sentence in {path}", errors)
    if not paths:
        report.add(False, "no annotation files given or bundled")
    data = rdflib_graph([q for a in articles for q in a.quads])
    if reasoner:
        alone = reason_with_hermit(None)
        report.add(alone.consistent and not alone.unsatisfiable, "HermiT: the ontology alone", _detail(alone))
        if articles:
            together = reason_with_hermit(data)
            report.add(together.consistent and not together.unsatisfiable, "HermiT: the ontology with the data",
                       _detail(together))
    if articles:
        shacl = validate_shapes(data)
        report.add(shacl.conforms, "SHACL: the data conforms to ontology/shapes.ttl",
                   [] if shacl.conforms else shacl.text().splitlines())
    return report


# Every span with its offsets and words, and the text of the context it points into.
_SPANS = """SELECT ?span ?begin ?end ?anchor ?context WHERE {
  GRAPH <%s> { ?span nif:referenceContext ?context ; nif:beginIndex ?begin ; nif:endIndex ?end ;
                     nif:anchorOf ?anchor } }"""
_CONTEXTS = "SELECT ?context ?text WHERE { GRAPH <%s> { ?context nif:isString ?text } }"


def run_store_checks(store, reasoner: bool = True) -> CheckReport:
    """Check what a store holds, whoever wrote it: every article graph's spans against its text,
    HermiT over the ontology with all the data, and the data against the SHACL shapes."""
    from diplograph.ontology.checks import reason_with_hermit, validate_shapes
    from diplograph.ontology.vocab import ID_BASE, ONTOLOGY_GRAPH

    report = CheckReport()
    graphs = [g for g in store.graphs() if g != ONTOLOGY_GRAPH and g.startswith(ID_BASE)]
    if not graphs:
        report.add(False, f"the store {store.location} holds no article graph; load some with `diplograph load`")
        return report
    quads = [q for graph in graphs for q in store.quads(graph)]
    report.add(True, f"{len(graphs)} article graphs, {len(quads)} quads read from {store.location}")
    for graph in graphs:
        errors = store_offset_errors(store, graph)
        report.add(not errors, f"offsets of every mention and sentence in <{graph}>", errors)
    data = rdflib_graph(quads)
    if reasoner:
        together = reason_with_hermit(data)
        report.add(together.consistent and not together.unsatisfiable, "HermiT: the ontology with the data",
                   _detail(together))
    shacl = validate_shapes(data)
    report.add(shacl.conforms, "SHACL: the data conforms to ontology/shapes.ttl",
               [] if shacl.conforms else shacl.text().splitlines())
    return report


def store_offset_errors(store, graph: str) -> list[str]:
    """Every span in `graph` whose offsets do not give back its words in its context's text."""
    texts = {c.value: t.value for c, t in store.query(_CONTEXTS % graph).rows}
    errors = []
    for span, begin, end, anchor, context in store.query(_SPANS % graph).rows:
        text = texts.get(context.value)
        if text is None:
            errors.append(f"{span.value}: its context {context.value} has no nif:isString in the graph")
        elif (found := text[int(begin.value):int(end.value)]) != anchor.value:
            shown = found if len(found) <= 80 else found[:77] + "…"
            errors.append(f"{span.value}: text[{begin.value}:{end.value}] is “{shown}”, not “{anchor.value}”")
    return sorted(errors)


def _detail(hermit) -> list[str]:
    if hermit.consistent and not hermit.unsatisfiable:
        return []
    return hermit.text().splitlines()
