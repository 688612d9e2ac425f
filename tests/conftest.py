"""Shared fixtures: the small `mini` article, the bundled seed, stores, and the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import FIXTURES, MINI

from diplograph.corpus import bundled_annotations
from diplograph.loader import read_article
from diplograph.store import open_store


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini article and its annotation; returns the annotation's path."""
    shutil.copy(FIXTURES / "mini.txt", tmp_path / "mini.txt")
    shutil.copy(MINI, tmp_path / "mini.yaml")
    return tmp_path / "mini.yaml"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    (path,) = [p for p in bundled_annotations() if p.name.startswith("wapo-2024-11-13")]
    return path


@pytest.fixture(scope="session")
def seed(seed_path):
    return read_article(seed_path)


@pytest.fixture
def memory_store():
    store = open_store(":memory:")
    yield store
    store.close()
