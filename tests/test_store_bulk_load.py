"""The embedded store's fast loads stay all or nothing: a first load into an empty store goes
through pyoxigraph's bulk loader, which is not transactional, so a failure (or a process dying
during it) must leave the store empty again; loads into a store that has data keep their
transactions, and each path leaves the same quads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad
from support import MINI

from diplograph.errors import StoreError
from diplograph.loader import read_article
from diplograph.ontology import ontology_quads
from diplograph.ontology.vocab import ONTOLOGY_GRAPH
from diplograph.store import EmbeddedStore

OTHER = "https://w3id.org/diplograph/id/article/other"


class Broken(Exception):
    """What the failing input raises."""


def failing(quads: list[Quad], after: int):
    """The quads, then a failure after `after` of them: a load that breaks off midway."""
    for n, quad in enumerate(quads):
        if n == after:
            raise Broken("the input broke off")
        yield quad


def snapshot(store: EmbeddedStore) -> list[str]:
    return sorted(str(q) for q in store.quads())


@pytest.fixture(params=["on disk", "in memory"])
def empty_store(request, tmp_path):
    store = EmbeddedStore(tmp_path / "store" if request.param == "on disk" else None)
    yield store
    store.close()


def test_a_failed_load_into_an_empty_store_leaves_it_empty(empty_store):
    article = read_article(MINI)
    with pytest.raises(Broken):
        empty_store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads(),
                                    article.graph: failing(article.quads, len(article.quads) // 2)})
    assert empty_store.count() == 0 and empty_store.graphs() == []
    # And the store still takes a load afterwards.
    empty_store.replace_graphs({article.graph: article.quads})
    assert empty_store.count() == len(article.quads)


def test_the_bulk_path_stores_what_a_transaction_stores(tmp_path):
    article = read_article(MINI)
    graphs = {ONTOLOGY_GRAPH: ontology_quads(), article.graph: article.quads}
    bulk = EmbeddedStore(tmp_path / "bulk")
    bulk.replace_graphs(graphs)  # empty: the bulk loader
    transaction = EmbeddedStore(tmp_path / "transaction")
    transaction.replace_graphs({OTHER: article.quads[:1]})
    transaction.replace_graphs(graphs)  # not empty, new graphs: one transaction
    transaction.replace_graphs({OTHER: []})
    update = EmbeddedStore(tmp_path / "update")
    update.replace_graphs({article.graph: article.quads[:3]})
    update.replace_graphs(graphs)  # an existing graph: one SPARQL update
    assert snapshot(bulk) == snapshot(transaction) == snapshot(update)
    assert bulk.graphs() == sorted(graphs)


def test_quads_go_to_the_graph_they_are_loaded_as(empty_store):
    quad = Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), Literal("o"),
                NamedNode("http://example.org/elsewhere"))
    empty_store.replace_graphs({OTHER: [quad]})
    assert empty_store.graphs() == [OTHER]


def test_a_failed_load_of_new_graphs_into_a_store_with_data_changes_nothing(empty_store):
    article = read_article(MINI)
    empty_store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads()})
    before = snapshot(empty_store)
    with pytest.raises(Broken):
        empty_store.replace_graphs({article.graph: failing(article.quads, len(article.quads) // 2)})
    assert snapshot(empty_store) == before and empty_store.graphs() == [ONTOLOGY_GRAPH]


def test_a_failed_reload_of_existing_graphs_changes_nothing(empty_store):
    article = read_article(MINI)
    empty_store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads(), article.graph: article.quads})
    before = snapshot(empty_store)
    with pytest.raises(Broken):
        empty_store.replace_graphs({article.graph: article.quads[:2],
                                    OTHER: failing(article.quads, len(article.quads) // 2)})
    assert snapshot(empty_store) == before


def test_a_bulk_load_cut_short_by_a_dead_process_is_undone_when_the_store_is_opened(tmp_path):
    # The process dies while the bulk loader runs (after every quad was handed to it): nothing
    # gets the chance to clean up, so the next open must.
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from support import MINI
        from diplograph.loader import read_article
        from diplograph.store import EmbeddedStore
        article = read_article(MINI)
        def then_die():
            yield from article.quads
            os._exit(9)
        EmbeddedStore(Path({str(tmp_path / "store")!r})).replace_graphs({{article.graph: then_die()}})
    """)
    tests = Path(__file__).resolve().parent
    path = os.pathsep.join(filter(None, [str(tests), os.environ.get("PYTHONPATH")]))
    died = subprocess.run([sys.executable, "-c", script], cwd=tests, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path})
    assert died.returncode == 9, died.stderr
    assert (tmp_path / ".store-bulk-loading").exists()
    store = EmbeddedStore(tmp_path / "store")
    try:
        assert store.count() == 0 and store.graphs() == []
        assert not (tmp_path / ".store-bulk-loading").exists()
    finally:
        store.close()


def test_a_store_left_mid_bulk_load_is_emptied_even_if_data_reached_the_disk(tmp_path):
    article = read_article(MINI)
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({article.graph: article.quads})
    store.close()
    (tmp_path / ".store-bulk-loading").touch()  # as a process that died during the load leaves it
    reopened = EmbeddedStore(tmp_path / "store")
    try:
        assert reopened.count() == 0
    finally:
        reopened.close()


@pytest.mark.parametrize("other_name", ["alias", "link/store", "real/../real/store"])
def test_a_store_left_mid_bulk_load_is_emptied_when_opened_by_another_name(tmp_path, other_name):
    # The marker belongs to the folder, not to the name it was opened by: a symlink to the store,
    # a symlink to the folder holding it, a path with `..`.
    article = read_article(MINI)
    (tmp_path / "real").mkdir()
    store = EmbeddedStore(tmp_path / "real" / "store")
    store.replace_graphs({article.graph: article.quads})
    store.close()
    (tmp_path / "alias").symlink_to(tmp_path / "real" / "store", target_is_directory=True)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / ".store-bulk-loading").touch()  # as a process that died during the load leaves it
    reopened = EmbeddedStore(tmp_path / other_name)
    try:
        assert reopened.count() == 0 and reopened.graphs() == []
        assert not (tmp_path / "real" / ".store-bulk-loading").exists()
    finally:
        reopened.close()


def test_a_bulk_load_through_a_symlink_leaves_its_marker_beside_the_real_folder(tmp_path, monkeypatch):
    (tmp_path / "real" / "store").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(tmp_path / "real" / "store", target_is_directory=True)
    store = EmbeddedStore(tmp_path / "alias")
    seen = []
    monkeypatch.setattr(store, "_store", Watching(store._store, lambda: seen.append(
        sorted(p.name for p in (tmp_path / "real").iterdir()))))
    article = read_article(MINI)
    try:
        store.replace_graphs({article.graph: article.quads})
    finally:
        store.close()
    assert seen == [[".store-bulk-loading", "store"]]


class Watching:
    """The pyoxigraph store, calling `watch` as its bulk loader starts."""

    def __init__(self, store, watch):
        self.store, self.watch = store, watch

    def __getattr__(self, name):
        return getattr(self.store, name)

    def bulk_extend(self, quads):
        self.watch()
        self.store.bulk_extend(quads)


class DiskFull:
    """The pyoxigraph store, except that its bulk loader fails halfway, after writing."""

    def __init__(self, store):
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    def __len__(self):
        return len(self.store)

    def bulk_extend(self, quads):
        quads = list(quads)
        self.store.bulk_extend(quads[: len(quads) // 2])
        raise OSError("No space left on device")


def test_a_store_error_during_a_bulk_load_empties_the_store_and_says_nothing_was_changed(empty_store, monkeypatch):
    article = read_article(MINI)
    monkeypatch.setattr(empty_store, "_store", DiskFull(empty_store._store))
    with pytest.raises(StoreError, match="nothing was changed"):
        empty_store.replace_graphs({article.graph: article.quads})
    assert empty_store.count() == 0 and empty_store.graphs() == []
