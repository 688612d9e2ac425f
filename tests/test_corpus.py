"""The bundled corpus ships with the package, unchanged."""

from __future__ import annotations

import hashlib

from diplograph.corpus import CORPUS_DIR, bundled_annotations
from diplograph.ontology import ONTOLOGY_FILE, SHAPES_FILE

SEED_SHA256 = "81f3befa019e3b9806a469b065285b858e63574eeaeff3ce5622e12f52136bcd"


def test_the_seed_article_is_byte_for_byte_the_one_received():
    data = (CORPUS_DIR / "wapo-2024-11-13-lebanon-cease-fire.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256
    assert len(data.decode("utf-8")) == 9952


def test_the_package_carries_its_annotations_ontology_and_shapes():
    assert [p.name for p in bundled_annotations()] == ["wapo-2024-11-13-lebanon-cease-fire.yaml"]
    assert ONTOLOGY_FILE.is_file() and SHAPES_FILE.is_file()


def test_the_seed_annotation_pins_the_texts_digest(seed):
    assert seed.annotation.article.published.isoformat() == "2024-11-13"
    assert SEED_SHA256 in (bundled_annotations()[0]).read_text(encoding="utf-8")
