"""Laying out an article's text with its mentions (server/article_text.py): nesting, crossing,
shared spans and paragraphs, without losing or doubling a character."""

from __future__ import annotations

from diplograph.server.article_text import Mention, Span, Words, layout

TEXT = "The envoy met the speaker in Beirut on Monday.\nA cease-fire could follow in January."


def mention(begin: int, end: int, kind: str = "entity", priority: int = 2, name: str | None = None) -> Mention:
    name = name or f"{kind}-{begin}-{end}"
    return Mention(begin, end, kind, f"/id/{kind}/{name}", f"{kind}: {name}", priority)


def spans(nodes) -> list[Span]:
    found = []
    for node in nodes:
        if isinstance(node, Span):
            found.append(node)
            found += spans(node.children)
    return found


def text_of(node) -> str:
    return "".join(text_of(c) if isinstance(c, Span) else c.text for c in node.children)


def find(paragraphs, begin: int, end: int) -> Span:
    return next(s for p in paragraphs for s in spans(p.children) if s.id == f"char={begin},{end}")


def test_each_line_is_a_paragraph_holding_its_text_exactly():
    paragraphs = layout(TEXT, [])
    assert [text_of(p) for p in paragraphs] == TEXT.split("\n")
    assert [(p.begin, p.end) for p in paragraphs] == [(0, 46), (47, 84)]
    assert layout("one\n\n  \ntwo", []) and [text_of(p) for p in layout("one\n\n  \ntwo", [])] == ["one", "two"]


def test_a_mention_inside_another_nests_and_its_words_link_to_the_inner_one():
    event, place = mention(10, 45, "event", 1), mention(29, 35)  # "met the speaker in Beirut on Monday", "Beirut"
    (first, _) = layout(TEXT, [place, event])
    outer = find([first], 10, 45)
    assert text_of(outer) == TEXT[10:45] and outer.whole
    inner = find([first], 29, 35)
    assert inner in outer.children and text_of(inner) == "Beirut"
    assert inner.children == [Words("Beirut", place.href, place.title)]
    assert outer.children[0] == Words("met the speaker in ", event.href, event.title)
    assert text_of(first) == TEXT[:46]


def test_of_two_crossing_mentions_the_one_placed_first_stays_whole_and_the_other_is_cut():
    # "the speaker in Beirut" (14-35) crosses "Beirut on Monday" (29-45).
    timeline_linked, other = mention(29, 45, "event", 0), mention(14, 35, "claim", 3)
    (first, _) = layout(TEXT, [other, timeline_linked])
    whole = find([first], 29, 45)
    assert whole.whole and text_of(whole) == "Beirut on Monday"
    cut = find([first], 14, 35)  # its first part carries its id, so a link to it still lands
    assert not cut.whole and text_of(cut) == "the speaker in "
    second_part = next(s for s in spans(first.children) if s.mention.begin == 14 and s.id is None)
    assert text_of(second_part) == "Beirut" and second_part in whole.children
    assert text_of(first) == TEXT[:46]


def test_of_two_crossing_mentions_of_the_same_priority_the_first_in_the_text_stays_whole():
    later, earlier = mention(29, 45, "event", 1), mention(4, 35, "event", 1)
    (first, _) = layout(TEXT, [later, earlier])
    assert find([first], 4, 35).whole and not find([first], 29, 45).whole
    assert text_of(find([first], 29, 45)) == "Beirut"


def test_blanks_between_nested_mentions_are_not_links():
    event, envoy, speaker = mention(4, 25, "event", 1), mention(4, 9), mention(14, 25)  # "envoy met the speaker"
    (first, _) = layout(TEXT, [event, envoy, speaker])
    outer = find([first], 4, 25)
    assert [c for c in outer.children if isinstance(c, Words)] == [Words(" met ", event.href, event.title)]
    (lone,) = layout("a b", [mention(0, 3, "event", 1), mention(0, 1), mention(2, 3)])
    assert Words(" ") in spans(lone.children)[0].children


def test_things_sharing_a_span_share_one_element_linked_to_the_first_by_priority():
    event, claim = mention(47, 84, "event", 1, "ceasefire"), mention(47, 84, "claim", 3, "could-follow")
    (_, second) = layout(TEXT, [claim, event])
    (only,) = spans(second.children)
    assert only.id == "char=47,84" and only.mention.href == event.href
    assert only.mention.title == "event: ceasefire; claim: could-follow"


def test_a_mention_across_a_line_break_is_cut_at_the_paragraph():
    across = mention(36, 60, "claim")
    first, second = layout(TEXT, [across])
    (head,) = spans(first.children)
    (tail,) = spans(second.children)
    assert head.id == "char=36,60" and text_of(head) == "on Monday." and tail.id is None
    assert text_of(tail) == "A cease-fire "


def test_the_same_mentions_in_any_order_give_the_same_layout():
    mentions = [mention(0, 9), mention(4, 9), mention(10, 45, "event", 1), mention(14, 35, "claim", 3),
                mention(29, 45, "event", 1), mention(29, 35), mention(47, 84, "event", 0), mention(49, 60, "event", 1)]
    assert layout(TEXT, mentions) == layout(TEXT, list(reversed(mentions)))
    ids = [s.id for p in layout(TEXT, mentions) for s in spans(p.children) if s.id]
    assert len(ids) == len(set(ids)) == len(mentions)


def test_a_preferred_kind_keeps_its_words_from_another_kind_inside_it():
    officials, figure = mention(0, 25, "entity"), mention(0, 9, "figure", 4)  # a count inside a source's name
    for prefer, owner in ((frozenset(), figure), (frozenset({"entity", "event"}), officials)):
        (first, _) = layout(TEXT, [officials, figure], prefer)
        inner = find([first], 0, 9)
        assert inner.children == [Words("The envoy", owner.href, owner.title)]
    entity_in_claim = [mention(0, 25, "claim", 3), mention(4, 9, "entity")]
    (first, _) = layout(TEXT, entity_in_claim, frozenset({"entity", "event"}))
    assert find([first], 4, 9).children == [Words("envoy", entity_in_claim[1].href, entity_in_claim[1].title)]
