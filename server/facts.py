"""What the server computes from the state of a served store (graph sizes, size, the terms used),
computed again only after the store changed: shared by a store folder and a remote store."""

from __future__ import annotations

from typing import Callable

from pyoxigraph import NamedNode


class StoreFacts:
    """Facts about `self.store`, cached per `self.version()` (a new value after every change)."""

    def __init__(self):
        self._cached: dict[str, tuple[object, object]] = {}

    def version(self) -> object:
        """What names the store's current state."""
        raise NotImplementedError

    def _per_checkpoint(self, name: str, compute: Callable[[], object]):
        """`compute()`, again only after the store changed."""
        current = self.version()
        cached = self._cached.get(name)
        if cached is None or cached[0] != current:
            cached = (current, compute())
            self._cached[name] = cached
        return cached[1]

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, sorted by name."""
        def count() -> dict[str, int]:
            result = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            sizes = {g.value: int(n.value) for g, n in result.rows if isinstance(g, NamedNode)}
            return dict(sorted(sizes.items()))
        return self._per_checkpoint("graph_sizes", count)

    def size(self) -> int:
        """Quads in the whole store."""
        return self._per_checkpoint("size", self.store.count)

    def terms_used(self) -> set[str]:
        """Every IRI used as a predicate or as a class (the object of rdf:type)."""
        def terms() -> set[str]:
            result = self.store.query("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")
            return {t.value for (t,) in result.rows if isinstance(t, NamedNode)}
        return self._per_checkpoint("terms_used", terms)
