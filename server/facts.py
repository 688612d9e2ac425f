"""What a served store keeps about its own states, whichever store it is: which graphs each write
changed (so that the timeline's index re-reads only those), and what the service description, VoID
and resource pages say of the whole store (its size, its graphs' sizes, the terms it uses),
computed once per state."""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable

from pyoxigraph import NamedNode

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
TERMS_USED = "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }"


class StoreFacts:
    """Mixed into a served store that has `store` (with `query` and `count`) and `version()`,
    a value that changes whenever the store does (ready before this class's __init__)."""

    store: object

    def __init__(self) -> None:
        self._cached: dict[str, tuple[object, object]] = {}
        self._computing = threading.Lock()
        # (version after a write, the graphs it changed: None in the set for the default graph;
        # None instead of a set when unknown). The newest 256 writes.
        self.changes: deque = deque([(self.version(), frozenset())], maxlen=256)

    def record(self, graphs: frozenset | None) -> None:
        """Note that the write that made the current version changed `graphs` (None: unknown)."""
        self.changes.append((self.version(), graphs))

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
