"""Dumps of the store as gzipped N-Quads: the whole store, or one graph, written on first request
after each change and kept on disk until the store changes again.

A dump's ETag is the SHA-256 of its N-Quads, so it stays the same across writes that do not touch
that graph and across restarts of the server: a client's copy is still valid (304) whenever the
data are. Its Last-Modified is when a dump with different content was first written.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import RdfFormat, serialize

from .scratch import scratch_folder


@dataclass(frozen=True)
class Dump:
    """One written dump: an open file (so that a newer dump may replace it meanwhile) and its
    validators. The caller closes the file, or hands it to the response that sends it."""

    file: BinaryIO
    size: int
    etag: str
    modified: float  # seconds since the epoch


@dataclass(frozen=True)
class _Written:
    path: Path
    version: object  # the store's state it was written from (a checkpoint)
    etag: str
    modified: float


class _HashingWriter:
    """Passes bytes on to `out` while hashing them: the ETag is the hash of what was written."""

    def __init__(self, out):
        self.out, self.hash = out, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


class Dumps:
    """Gzipped N-Quads dumps of `store` (an EmbeddedStore) in a private folder beside it."""

    def __init__(self, store):
        self.store = store
        self.folder = scratch_folder(store.path, "dumps")
        self._written: dict[str, _Written] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._numbers = itertools.count()

    def open(self, name: str, graph: str | None, version: object) -> Dump:
        """The dump `name` of one graph (None: the whole store) as of `version` or later, written
        now unless the one on disk is of that version. Each name is written by one thread at a time."""
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            written = self._written.get(name)
            if written is None or written.version != version:
                written = self._write(name, graph, version, written)
            file = written.path.open("rb")
        return Dump(file, os.fstat(file.fileno()).st_size, written.etag, written.modified)

    def _write(self, name: str, graph: str | None, version: object, previous: _Written | None) -> _Written:
        path = self.folder / f"{next(self._numbers)}-{name}"
        with path.open("wb") as raw:
            # mtime=0: the same quads always give the same bytes.
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
                writer = _HashingWriter(compressed)
                serialize(self.store.quads(graph), writer, format=RdfFormat.N_QUADS)
        etag = writer.hash.hexdigest()
        unchanged = previous is not None and previous.etag == etag
        written = _Written(path, version, etag, previous.modified if unchanged else time.time())
        self._written[name] = written
        if previous is not None:
            # Unlinking leaves a copy being sent readable until it is closed.
            previous.path.unlink(missing_ok=True)
        return written

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
