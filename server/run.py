"""`diplograph serve`: open the store (loading the bundled corpus into an empty one), start the
query workers, and serve the app with waitress until stopped."""

from __future__ import annotations

import logging
import signal
import sys
import tempfile
import threading
from contextlib import ExitStack

from diplograph.errors import DiplographError
from diplograph.ontology.vocab import ID_BASE, ONTOLOGY_GRAPH
from diplograph.store import MEMORY, EmbeddedStore, open_store

from .config import ServerConfig

log = logging.getLogger("diplograph.server")
UPDATE_THREAD_STACK = 256 * 1024 * 1024  # virtual: pages are only used as deep parses touch them


def serve(config: ServerConfig) -> None:
    """Serve until SIGINT or SIGTERM; prints the endpoint's address once it listens."""
    import waitress

    from .app import create_app
    from .engine import ServedStore
    from .remote import RemoteServedStore

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    with ExitStack() as cleanup:
        location = config.store
        if location == MEMORY:
            # Workers read checkpoints on disk, so "in memory" is a folder deleted at the end.
            location = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="diplograph-store-"))
        store = open_store(location)
        if _empty(store):
            articles, quads = load_bundled_corpus(store)
            log.info("the store was empty: loaded the bundled corpus (%d articles, %d quads)", articles, quads)
        served = ServedStore(store, config.workers) if isinstance(store, EmbeddedStore) else RemoteServedStore(store)
        cleanup.callback(served.close)
        # Updates are parsed and run on waitress's threads: a large stack keeps a long but flat
        # update (thousands of BINDs) from overflowing it and taking the server down.
        threading.stack_size(UPDATE_THREAD_STACK)
        try:
            server = waitress.create_server(
                create_app(config, served), host=config.host, port=config.port, threads=config.threads,
                # Bodies past twice the app's limit are refused by waitress before they are buffered.
                max_request_body_size=2 * config.largest_body, ident="diplograph")
        except OSError as err:
            raise DiplographError(f"cannot listen on {config.host}:{config.port}: {err.strerror or err}; "
                                  "is something else using that port? Choose another with --port") from None
        # SIGTERM (service managers, `kill`) stops the server as Ctrl-C does, cleaning up.
        signal.signal(signal.SIGTERM, lambda *_: signal.default_int_handler(signal.SIGINT, None))
        host = f"[{config.host}]" if ":" in config.host else config.host
        evaluation = (f"{config.workers} query workers" if isinstance(store, EmbeddedStore)
                      else "queries evaluated by that store")
        log.info("serving %s at http://%s:%s/sparql (%s, query timeout %g s, updates %s)",
                 store.location, host, server.effective_port, evaluation, config.query_timeout,
                 "enabled" if config.updates_enabled else "disabled")
        try:
            server.run()  # returns on SIGINT/SIGTERM (waitress catches the KeyboardInterrupt)
        finally:
            server.close()
        log.info("stopped")


def _empty(store) -> bool:
    """Whether the store holds nothing yet. A remote store may keep graphs of its own (Virtuoso
    does): it counts as empty while it holds no graph of diplograph's."""
    if isinstance(store, EmbeddedStore):
        return not store.graphs() and store.count() == 0
    return not any(g == ONTOLOGY_GRAPH or g.startswith(ID_BASE) for g in store.graphs())


def load_bundled_corpus(store) -> tuple[int, int]:
    """Replace the ontology's graph and every bundled article's graph, in one transaction, as
    `diplograph load` without arguments does; returns (articles, quads written)."""
    from diplograph.corpus import bundled_annotations
    from diplograph.loader import graphs_to_load, read_articles

    articles = read_articles(bundled_annotations())
    graphs = graphs_to_load(articles)
    store.replace_graphs(graphs)
    return len(articles), sum(len(quads) for quads in graphs.values())
