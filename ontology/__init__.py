"""The model: namespaces and terms (vocab), IRI minting (iris), the OWL ontology and SHACL shapes."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from .vocab import ONTOLOGY_GRAPH

ONTOLOGY_FILE = Path(__file__).with_name("diplograph.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")


def ontology_quads() -> list[Quad]:
    """The ontology's triples, in the ontology's own named graph."""
    graph = NamedNode(ONTOLOGY_GRAPH)
    with ONTOLOGY_FILE.open("rb") as f:
        return [Quad(t.subject, t.predicate, t.object, graph) for t in parse(f, format=RdfFormat.TURTLE)]
