"""The store interface: the few things diplograph asks of any quad store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Protocol

from pyoxigraph import Quad

# Export formats by the name the CLI and README use, with a file extension each.
EXPORT_FORMATS = {"nquads": "nq", "trig": "trig", "turtle": "ttl", "jsonld": "jsonld"}
# Result formats for SELECT/ASK and for CONSTRUCT/DESCRIBE.
SOLUTION_FORMATS = ("table", "json", "csv", "tsv", "xml")
GRAPH_FORMATS = ("turtle", "nquads", "ntriples", "trig", "jsonld", "rdfxml")


@dataclass(frozen=True)
class Solutions:
    """The answer to a SELECT, to be read once: either as rows or serialised."""

    variables: list[str]
    rows: Iterator[list[object | None]]  # terms, None where unbound
    serialize: Callable[[str], bytes]  # format name -> bytes, in a SPARQL results format


@dataclass(frozen=True)
class Boolean:
    """The answer to an ASK."""

    value: bool
    serialize: Callable[[str], bytes]


@dataclass(frozen=True)
class Triples:
    """The answer to a CONSTRUCT or DESCRIBE."""

    triples: list
    serialize: Callable[[str], bytes]  # format name -> bytes, in an RDF format


QueryResult = Solutions | Boolean | Triples


class GraphStore(Protocol):
    """Named graphs of quads, queried with SPARQL over their union."""

    location: str  # where the store is, as the user named it

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        """Make each graph hold exactly its quads, in one transaction: all or nothing."""

    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        """Make `graph` hold exactly `quads`, atomically: readers see the old or the new graph."""

    def query(self, sparql: str) -> QueryResult:
        """Evaluate a SPARQL query with the union of all graphs as its default graph.

        The prefixes of `diplograph.ontology.vocab.PREFIXES` are predeclared.
        """

    def export(self, format: str, graph: str | None = None) -> bytes:
        """Serialise one graph, or the whole store, in one of EXPORT_FORMATS."""

    def count(self, graph: str | None = None) -> int:
        """How many quads one graph, or the whole store, holds."""

    def graphs(self) -> list[str]:
        """The names of the store's named graphs, sorted."""

    def close(self) -> None:
        """Release the store (files, locks)."""
