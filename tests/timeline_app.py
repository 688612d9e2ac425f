"""An app for timeline tests: `create_app` over a ServedStore on a temporary on-disk store that
holds the given annotated articles (the server's own load path)."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

from support import FIXTURES, MINI

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


HOSTILE = "<script>alert('x')</script> & \"quoted\""


@contextmanager
def hostile_timeline_app(folder: Path, **config):
    """`timeline_app` over the mini article with markup (HOSTILE) in an event's, an entity's, an
    alias, a claim's and a source's label."""
    shutil.copy(FIXTURES / "mini.txt", folder / "mini.txt")
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("label: The envoy meets the speaker in Beirut", f"label: {json.dumps('Meeting ' + HOSTILE)}")
    text = text.replace("envoy: {label: The envoy,", f"envoy: {{label: {json.dumps('Envoy ' + HOSTILE)}, "
                                                      f"aliases: [{json.dumps('Alias ' + HOSTILE)}],")
    text = text.replace("label: No talks took place", f"label: {json.dumps('No talks ' + HOSTILE)}")
    text = text.replace("two-officials: {label: two officials,",
                        f"two-officials: {{label: {json.dumps('Officials ' + HOSTILE)},")
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    with timeline_app(folder, [folder / "mini.yaml"], **config) as app:
        yield app
