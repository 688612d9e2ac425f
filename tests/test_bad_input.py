"""Every kind of bad annotation gets one clear message (file, line, key, what to fix), and a
store that already holds data is left byte for byte as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli

from diplograph.errors import AnnotationError
from diplograph.loader import read_article

# (what is wrong, text replaced in mini.yaml, replacement, words the message must contain)
BAD_INPUTS = [
    ("unknown entity id", "actors: {envoy: initiator, speaker: counterpart}",
     "actors: {envoy: initiator, speeker: counterpart}", ["events.envoy-meets-speaker.actors.speeker",
                                                         "unknown entity 'speeker'", "add it under 'entities'"]),
    ("quote not in the text", 'mentions: ["met the speaker in Beirut on Monday"]',
     'mentions: ["met the Speaker in Beirut on Monday"]', ["is not in the text", "copy it exactly"]),
    ("ambiguous quote", 'mention: "talks did take place"', 'mention: "talks"',
     ["occurs 2 times", "occurrence: N"]),
    ("malformed date", "begin: 2024-11-11, end: 2024-11-11", "begin: 11/11/2024, end: 2024-11-11",
     ["time.begin", "not a date", "YYYY-MM-DD"]),
    ("impossible date", "begin: 2025-01-01, end: 2025-01-31", "begin: 2025-01-01, end: 2025-02-30",
     ["time.end", "not a real calendar date"]),
    ("end before begin", "begin: 2025-01-01, end: 2025-01-31", "begin: 2025-01-31, end: 2025-01-01",
     ["time.end", "is before begin"]),
    ("malformed QID", "wikidata: Q822", "wikidata: 822", ["entities.lebanon.wikidata", "not a Wikidata QID"]),
    ("unknown event class", "class: Meeting", "class: Meating", ["unknown class 'Meating'", "Meeting"]),
    ("unknown entity class", "class: GovernmentBody", "class: Ministry", ["unknown class 'Ministry'"]),
    ("unknown modality", "modality: possible", "modality: maybe", ["unknown modality 'maybe'", "possible"]),
    ("unknown key", "    modality: occurred\n    according_to: [two-officials]",
     "    modality: occurred\n    acording_to: [two-officials]", ["unknown key 'acording_to'"]),
    ("key given twice", "    modality: occurred\n", "    modality: occurred\n    modality: planned\n",
     ["key given twice"]),
    ("YAML syntax", "  daily: {label: The Daily, class: MediaOrganisation}",
     "  daily: {label: The Daily, class: MediaOrganisation", ["YAML syntax error"]),
    ("place that is not a place", "    place: beirut\n", "    place: envoy\n", ["is a Person, not a place"]),
]


def break_mini(mini_copy: Path, old: str, new: str) -> None:
    text = mini_copy.read_text(encoding="utf-8")
    assert old in text, f"the fixture no longer contains {old!r}"
    mini_copy.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("what, old, new, words", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_annotation_is_reported_with_file_line_and_fix(mini_copy: Path, what, old, new, words):
    break_mini(mini_copy, old, new)
    with pytest.raises(AnnotationError) as caught:
        read_article(mini_copy)
    message = str(caught.value)
    assert message.startswith(f"{mini_copy}:"), message
    line = int(message.split(":")[1])
    assert line >= 1
    for word in words:
        assert word in message


def test_a_missing_text_file_is_named(mini_copy: Path):
    (mini_copy.parent / "mini.txt").unlink()
    with pytest.raises(AnnotationError, match=r"cannot read the text file .*mini\.txt"):
        read_article(mini_copy)


def test_a_changed_text_is_caught_by_its_digest(mini_copy: Path):
    break_mini(mini_copy, "  text: mini.txt\n", "  text: mini.txt\n  sha256: " + "0" * 64 + "\n")
    with pytest.raises(AnnotationError, match="the text's sha256 is"):
        read_article(mini_copy)


def test_every_problem_in_a_file_is_reported_at_once(mini_copy: Path):
    break_mini(mini_copy, "class: Meeting", "class: Meating")
    break_mini(mini_copy, "wikidata: Q822", "wikidata: 822")
    with pytest.raises(AnnotationError) as caught:
        read_article(mini_copy)
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize("what, old, new, words", BAD_INPUTS[:4] + BAD_INPUTS[-2:],
                         ids=[b[0] for b in BAD_INPUTS[:4] + BAD_INPUTS[-2:]])
def test_a_bad_load_leaves_the_store_byte_identical(tmp_path: Path, mini_copy: Path, what, old, new, words):
    store = tmp_path / "store"
    assert run_cli("load", str(mini_copy), store=store).returncode == 0
    before = run_cli("export", "--format", "nquads", store=store).stdout
    good = mini_copy.read_text(encoding="utf-8")
    second = mini_copy.with_name("second.yaml")
    second.write_text(good.replace("id: mini", "id: second", 1), encoding="utf-8")
    break_mini(mini_copy, old, new)
    # A good file and a bad one together: nothing at all is written.
    result = run_cli("load", str(second), str(mini_copy), store=store)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert run_cli("export", "--format", "nquads", store=store).stdout == before
