"""An article's text laid out for its page: paragraphs (the text's line breaks), and in them every
mention as an element holding exactly its words, nested where mentions nest.

Pure: text and mentions in, a tree out; the template turns the tree into HTML. Mentions overlap.
One inside another nests. Two that cross cannot both be elements holding exactly their words: the
one placed first stays whole and the other is cut where the first begins or ends, into parts that
are still highlighted and linked; its first part carries its id, so that a link to it still lands
there. Mentions are placed by priority (the spans the timeline links to first, so that each
`#char=B,E` it links to lands on an element holding exactly those words wherever the data allow),
then in reading order, longer first: the same data always give the same page.

The words of the text link to the innermost mention around them (an event's words link to the
event, the actor's name inside them to the actor), except that a mention of a kind `layout` is told
to prefer (entities and events on the article's page) keeps its words from a mention of another kind
inside it: each of those is then linked from the text wherever it is mentioned.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """A span of the text and what it denotes (several things may share one span)."""

    begin: int  # code points, end exclusive
    end: int
    kind: str  # entity, event, claim, figure or quotation: what its words link to
    href: str | None
    title: str  # what it denotes, in words
    priority: int  # lower is placed first


@dataclass(frozen=True)
class Words:
    """A run of the text, linked to the innermost mention around it (None: plain text, or blanks)."""

    text: str
    href: str | None = None
    title: str | None = None


@dataclass
class Span:
    """A mention, or one of the parts a crossing mention cut it into."""

    begin: int
    end: int
    mention: Mention
    whole: bool  # holds the mention's words exactly; else one of its parts
    anchor: bool  # carries the mention's id: it is whole, or the first of its parts
    children: list[Span | Words] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        """The element's id, `char=B,E` with the mention's offsets: what `#char=B,E` links target."""
        return f"char={self.mention.begin},{self.mention.end}" if self.anchor else None


@dataclass
class Paragraph:
    begin: int
    end: int
    children: list[Span | Words] = field(default_factory=list)

    def tokens(self) -> Iterator[tuple[str, Span | Words | None]]:
        """The paragraph as a flat run of ("open", span), ("words", words) and ("close", None): a
        template renders it in one loop (a recursive macro costs a call per mention)."""
        return _tokens(self.children)


def _tokens(nodes: list[Span | Words]) -> Iterator[tuple[str, Span | Words | None]]:
    for node in nodes:
        if isinstance(node, Span):
            yield "open", node
            yield from _tokens(node.children)
            yield "close", None
        else:
            yield "words", node


def layout(text: str, mentions: list[Mention], prefer: frozenset[str] = frozenset()) -> list[Paragraph]:
    """The text's paragraphs with every mention nested in them (see the module's docstring)."""
    paragraphs = _paragraphs(text)
    starts = [p.begin for p in paragraphs]
    # Per paragraph, the pieces placed so far, in placement order: (begin, end, mention, whole, anchor).
    placed: list[list[tuple[int, int, Mention, bool, bool]]] = [[] for _ in paragraphs]
    order = sorted(_distinct(mentions), key=lambda m: (m.priority, m.begin, -m.end, m.kind, m.href or ""))
    for mention in order:
        anchored = False
        for i in range(max(bisect.bisect_right(starts, mention.begin) - 1, 0), len(paragraphs)):
            paragraph = paragraphs[i]
            if paragraph.begin >= mention.end:
                break
            begin, end = max(mention.begin, paragraph.begin), min(mention.end, paragraph.end)
            if begin >= end:
                continue
            pieces = _cut(begin, end, placed[i])
            whole = pieces == [(mention.begin, mention.end)]
            for b, e in pieces:
                placed[i].append((b, e, mention, whole, not anchored))
                anchored = True
    for paragraph, pieces in zip(paragraphs, placed):
        _nest(paragraph, pieces)
        _fill(text, paragraph, None, prefer)
    return paragraphs


def _paragraphs(text: str) -> list[Paragraph]:
    """One paragraph per line of the text that holds more than blanks (the loader's paragraphs)."""
    found, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append(Paragraph(offset, offset + len(line)))
        offset += len(line) + 1
    return found


def _distinct(mentions: list[Mention]) -> list[Mention]:
    """One mention per span: where several things share a span, the first by priority links it and
    the title names them all."""
    by_span: dict[tuple[int, int], list[Mention]] = {}
    for m in mentions:
        if m.begin < m.end:
            by_span.setdefault((m.begin, m.end), []).append(m)
    distinct = []
    for same in by_span.values():
        same.sort(key=lambda m: (m.priority, m.kind, m.href or "", m.title))
        first = same[0]
        titles = list(dict.fromkeys(m.title for m in same))
        distinct.append(Mention(first.begin, first.end, first.kind, first.href, "; ".join(titles),
                                first.priority))
    return distinct


def _cut(begin: int, end: int, placed: list[tuple]) -> list[tuple[int, int]]:
    """[begin, end) cut where it crosses a placed piece, into pieces that each nest or stand apart."""
    for b, e, *_ in placed:
        if b < begin < e < end:
            return _cut(begin, e, placed) + _cut(e, end, placed)
        if begin < b < end < e:
            return _cut(begin, b, placed) + _cut(b, end, placed)
    return [(begin, end)]


def _nest(paragraph: Paragraph, pieces: list[tuple[int, int, Mention, bool, bool]]) -> None:
    """Fill `paragraph` with its pieces as a tree (outer first; of two equal spans the one placed
    first is outside) and the words between them."""
    order = sorted(range(len(pieces)), key=lambda i: (pieces[i][0], -pieces[i][1], i))
    stack: list[Paragraph | Span] = [paragraph]
    for i in order:
        begin, end, mention, whole, anchor = pieces[i]
        while not (stack[-1].begin <= begin and end <= stack[-1].end):
            stack.pop()
        span = Span(begin, end, mention, whole, anchor)
        stack[-1].children.append(span)
        stack.append(span)


def _fill(text: str, node: Paragraph | Span, around: Mention | None, prefer: frozenset[str]) -> None:
    """Put the words between a node's children in it, linked to the innermost mention (but a
    preferred kind's over another's)."""
    mention = around
    if isinstance(node, Span) and (around is None or around.kind not in prefer or node.mention.kind in prefer):
        mention = node.mention
    filled: list[Span | Words] = []
    position = node.begin
    for child in node.children:
        if child.begin > position:
            filled.append(_words(text[position:child.begin], mention))
        _fill(text, child, mention, prefer)
        filled.append(child)
        position = child.end
    if position < node.end:
        filled.append(_words(text[position:node.end], mention))
    node.children = filled


def _words(text: str, mention: Mention | None) -> Words:
    if mention is None or not text.strip():  # a link must have words
        return Words(text)
    return Words(text, mention.href, mention.title)
