"""The model: namespaces and terms (vocab), IRI minting (iris), the OWL ontology and SHACL shapes."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, NamedNode, Quad, RdfFormat, parse

from .vocab import ONTOLOGY_GRAPH, ONTOLOGY_IRI

ONTOLOGY_FILE = Path(__file__).with_name("diplograph.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")
# Blank nodes of the ontology (OWL lists) become IRIs under this prefix: some stores (Virtuoso)
# refuse blank nodes in INSERT DATA, and IRIs keep repeated loads byte-identical.
GENID = ONTOLOGY_IRI + "/.well-known/genid/"


def ontology_quads() -> list[Quad]:
    """The ontology's triples, in the ontology's own named graph, blank nodes skolemised stably."""
    graph = NamedNode(ONTOLOGY_GRAPH)
    with ONTOLOGY_FILE.open("rb") as f:
        dataset = Dataset(Quad(t.subject, t.predicate, t.object, graph) for t in parse(f, format=RdfFormat.TURTLE))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    skolem = lambda t: NamedNode(GENID + t.value) if isinstance(t, BlankNode) else t  # noqa: E731
    return sorted((Quad(skolem(q.subject), q.predicate, skolem(q.object), graph) for q in dataset), key=str)
