"""Stores behind one small interface (`GraphStore`): the embedded pyoxigraph store by default."""

from __future__ import annotations

import os
from pathlib import Path

from .base import EXPORT_FORMATS, GRAPH_FORMATS, SOLUTION_FORMATS, Boolean, GraphStore, QueryResult, Solutions, Triples
from diplograph.errors import StoreError

from .embedded import EmbeddedStore
from .remote import RemoteStore

MEMORY = ":memory:"


def default_store_path() -> Path:
    """`$DIPLOGRAPH_STORE`, else the per-user data folder (`$XDG_DATA_HOME/diplograph/store`)."""
    if os.environ.get("DIPLOGRAPH_STORE"):
        return Path(os.environ["DIPLOGRAPH_STORE"])
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "diplograph" / "store"


def open_store(location: str | Path | None = None) -> GraphStore:
    """Open the store at `location`; the default path if None.

    `location` is a folder, ':memory:', or the URL of a SPARQL 1.1 endpoint that answers both
    queries and updates, or two URLs separated by a space: the query endpoint, then the update one.
    """
    if location == MEMORY:
        return EmbeddedStore(None)
    if isinstance(location, str) and location.startswith(("http://", "https://")):
        urls = location.split()
        if len(urls) > 2:
            raise StoreError(f"--store takes one endpoint URL or two (query, update), not {len(urls)}")
        return RemoteStore(*urls)
    return EmbeddedStore(Path(location) if location else default_store_path())


__all__ = ["EXPORT_FORMATS", "GRAPH_FORMATS", "SOLUTION_FORMATS", "Boolean", "EmbeddedStore", "GraphStore",
           "MEMORY", "QueryResult", "RemoteStore", "Solutions", "Triples", "default_store_path", "open_store"]
