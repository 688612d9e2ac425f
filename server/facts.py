"""What the service description, VoID and resource pages say of the whole store (its size, its
graphs' sizes, the terms it uses), computed once per state of the store, whichever store it is."""

from __future__ import annotations

import threading
from typing import Callable

from pyoxigraph import NamedNode

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
TERMS_USED = "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }"


class StoreFacts:
    """Mixed into a served store that has `store` (with `query` and `count`) and `version()`,
    a value that changes whenever the store does."""

    store: object

    def __init__(self) -> None:
        self._cached: dict[str, tuple[object, object]] = {}
        self._computing = threading.Lock()

    def version(self) -> object:
        """What names the store's current state."""
        raise NotImplementedError

    def _per_version(self, name: str, compute: Callable[[], object]):
        """`compute()`, again only after the store changed."""
        current = self.version()
        cached = self._cached.get(name)
        if cached is None or cached[0] != current:
            with self._computing:  # concurrent requests compute it once
                cached = self._cached.get(name)
                if cached is None or cached[0] != current:
                    cached = (current, compute())
                    self._cached[name] = cached
        return cached[1]

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph, sorted by name."""
        def count() -> dict[str, int]:
            rows = self.store.query(GRAPH_SIZES).rows
            return dict(sorted((g.value, int(n.value)) for g, n in rows if isinstance(g, NamedNode)))
        return self._per_version("graph_sizes", count)

    def size(self) -> int:
        """Quads in the whole store."""
        return self._per_version("size", self.store.count)

    def terms_used(self) -> set[str]:
        """Every IRI used as a predicate or as a class (the object of rdf:type)."""
        def terms() -> set[str]:
            return {t.value for (t,) in self.store.query(TERMS_USED).rows if isinstance(t, NamedNode)}
        return self._per_version("terms_used", terms)
