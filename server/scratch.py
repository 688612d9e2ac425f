"""Private working folders beside the served store (checkpoints, dumps)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def scratch_folder(store_path: Path, kind: str) -> Path:
    """A new folder `.STORE-KIND-…` beside the store, after deleting any left by a server that
    was killed (this process holds the store's lock, so none of those is in use). Beside the
    store, because checkpoints are hard links and need the same file system."""
    prefix = f".{store_path.name}-{kind}-"
    for stale in store_path.parent.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=store_path.parent))
