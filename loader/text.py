"""Offsets into an article's text, in Unicode code points (Python `str` indices), end exclusive."""

from __future__ import annotations

import re
from dataclasses import dataclass


def occurrences(text: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `text`, overlapping ones included."""
    starts, i = [], text.find(quote)
    while i != -1:
        starts.append(i)
        i = text.find(quote, i + 1)
    return starts


def find_quote(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int] | str:
    """The (begin, end) of `quote` in `text`, or a message saying what to fix.

    A quote found once needs no `occurrence`; one found several times must say which (from 1).
    """
    starts = occurrences(text, quote)
    shown = quote if len(quote) <= 60 else quote[:57] + "…"
    if not starts:
        return (f"quote “{shown}” is not in the text; copy it exactly "
                "(curly quotes, dashes and spacing as in the article)")
    if occurrence is None:
        if len(starts) > 1:
            return (f"quote “{shown}” occurs {len(starts)} times in the text; "
                    f"add 'occurrence: N' (1 to {len(starts)}) or quote a longer passage")
        occurrence = 1
    if occurrence > len(starts):
        return f"quote “{shown}” occurs only {len(starts)} time(s), not {occurrence}; fix 'occurrence'"
    begin = starts[occurrence - 1]
    return begin, begin + len(quote)


@dataclass(frozen=True)
class Sentence:
    begin: int
    end: int
    paragraph: int  # counted from 1


# Words ending in a full stop that do not end a sentence in news copy.
ABBREVIATIONS = frozenset(
    "U.S U.N U.K Mr Mrs Ms Dr Gen Lt Col Sen Rep Gov St Jr Sr No Jan Feb Mar Apr Jun Jul Aug Sep Sept "
    "Oct Nov Dec a.m p.m vs".split()
)
_END = re.compile(r"[.?!][”’\"')\]]*(?=\s+[“\"‘'(\[A-Z0-9])")


def sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences: paragraphs at line breaks, then at sentence-final punctuation.

    Deterministic and good enough for news copy; each sentence is trimmed of surrounding spaces.
    """
    found: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        start = 0
        for match in _END.finditer(paragraph):
            word = re.search(r"(\S+)$", paragraph[start:match.start()])
            if word and word.group(1).lstrip("“\"(") in ABBREVIATIONS:
                continue
            _add(found, paragraph, offset, start, match.end(), number)
            start = match.end()
        _add(found, paragraph, offset, start, len(paragraph), number)
        offset += len(paragraph) + 1
    return _join_attributions(text, found)


_ATTRIBUTION = re.compile(r"\b(said|says|added|asked|told)\b")


def _join_attributions(text: str, found: list[Sentence]) -> list[Sentence]:
    """Rejoin a quotation ending in ? or ! with the short "…, X said Tuesday." that follows it."""
    joined: list[Sentence] = []
    for s in found:
        prev = joined[-1] if joined else None
        tail = text[s.begin:s.end]
        if (prev and prev.paragraph == s.paragraph and text[prev.end - 1] in "”\"'’"
                and len(tail.split()) <= 8 and _ATTRIBUTION.search(tail)):
            joined[-1] = Sentence(prev.begin, s.end, s.paragraph)
        else:
            joined.append(s)
    return joined


def _add(found: list[Sentence], paragraph: str, offset: int, start: int, end: int, number: int) -> None:
    piece = paragraph[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        found.append(Sentence(offset + start + lead, offset + start + lead + len(stripped), number))
