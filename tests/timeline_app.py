"""An app for timeline tests: `create_app` over a ServedStore on a temporary on-disk store that
holds the given annotated articles (the server's own load path)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from diplograph.loader import graphs_to_load, read_articles
from diplograph.server.app import create_app
from diplograph.server.config import ServerConfig
from diplograph.server.engine import ServedStore
from diplograph.store import EmbeddedStore


@contextmanager
def timeline_app(folder: Path, annotations: list[Path], **config):
    """Yields (Flask test client, ServedStore) for a store in `folder` loaded with `annotations`."""
    store = EmbeddedStore(folder / "store")
    store.replace_graphs(graphs_to_load(read_articles(annotations)))
    served = ServedStore(store, workers=1)
    try:
        yield create_app(ServerConfig(**config), served).test_client(), served
    finally:
        served.close()
