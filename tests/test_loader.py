"""The loader is a pure function from (text, annotation) to quads: what it guarantees."""

from __future__ import annotations

from pathlib import Path

from support import FIXTURES, MINI

from diplograph.loader import build_article, read_article, to_nquads
from diplograph.loader.text import sentences
from diplograph.ontology import iris
from diplograph.ontology.vocab import DG, GAF, NIF, SEM, XSD


def objects(article, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in article.quads if q.subject.value == subject and q.predicate.value == predicate}


def test_the_loader_needs_no_store_and_gives_the_same_bytes_twice():
    text = (FIXTURES / "mini.txt").read_text(encoding="utf-8")
    annotation = MINI.read_text(encoding="utf-8")
    first = to_nquads(build_article(annotation, text).quads)
    second = to_nquads(build_article(annotation, text).quads)
    assert first == second
    assert first.count(b"\n") > 100


def test_every_quad_is_in_the_articles_named_graph():
    article = read_article(MINI)
    assert {q.graph_name.value for q in article.quads} == {iris.graph("mini")}


def test_quotes_become_mentions_with_code_point_offsets():
    article = read_article(MINI)
    event = iris.event("mini", "envoy-meets-speaker")
    (mention,) = objects(article, event, GAF + "denotedBy")
    text = article.annotation.text
    begin = int(next(iter(objects(article, mention, NIF + "beginIndex"))))
    end = int(next(iter(objects(article, mention, NIF + "endIndex"))))
    assert text[begin:end] == "met the speaker in Beirut on Monday"
    assert objects(article, mention, NIF + "anchorOf") == {"met the speaker in Beirut on Monday"}


def test_offsets_count_code_points_not_bytes(seed):
    # The seed's curly quotes and dashes take several bytes in UTF-8 but one index in Python.
    text = seed.annotation.text
    spans = [q.subject.value for q in seed.quads if q.predicate.value == NIF + "anchorOf"]
    assert spans, "the seed has mentions"
    for span in spans:
        begin = int(next(iter(objects(seed, span, NIF + "beginIndex"))))
        end = int(next(iter(objects(seed, span, NIF + "endIndex"))))
        assert text[begin:end] == next(iter(objects(seed, span, NIF + "anchorOf")))


def test_every_mention_points_to_the_sentence_it_stands_in():
    article = read_article(MINI)
    text = article.annotation.text
    for q in article.quads:
        if q.predicate.value == NIF + "sentence":
            sentence = next(iter(objects(article, q.object.value, NIF + "anchorOf")))
            mention = next(iter(objects(article, q.subject.value, NIF + "anchorOf")))
            assert mention in sentence
            assert sentence in text


def test_an_event_names_its_actors_and_their_roles():
    article = read_article(MINI)
    event = iris.event("mini", "envoy-meets-speaker")
    assert objects(article, event, SEM + "hasActor") == {iris.entity("envoy"), iris.entity("speaker")}
    role = iris.role("mini", "envoy-meets-speaker", "initiator", "envoy")
    assert role in objects(article, event, DG + "hasRole")
    assert objects(article, role, SEM + "roleType") == {DG + "Initiator"}


def test_a_single_day_is_both_the_earliest_begin_and_the_latest_end():
    article = read_article(MINI)
    event = iris.event("mini", "envoy-meets-speaker")
    assert objects(article, event, SEM + "hasEarliestBeginTimeStamp") == {"2024-11-11"}
    assert objects(article, event, SEM + "hasLatestEndTimeStamp") == {"2024-11-11"}
    assert objects(article, event, DG + "timeExpression") == {"Monday"}
    dates = [q.object for q in article.quads if q.predicate.value == SEM + "hasEarliestBeginTimeStamp"]
    assert all(d.datatype.value == XSD + "date" for d in dates)


def test_an_open_bound_is_written_as_the_sentinel_date():
    article = read_article(MINI)
    event = iris.event("mini", "soldiers-killed")
    assert objects(article, event, SEM + "hasEarliestBeginTimeStamp") == {"0001-01-01"}


def test_an_event_with_no_source_is_in_the_publishers_own_voice(mini_copy: Path):
    text = mini_copy.read_text(encoding="utf-8").replace("    according_to: [two-officials]\n", "", 1)
    mini_copy.write_text(text, encoding="utf-8")
    article = read_article(mini_copy)
    event = iris.event("mini", "envoy-meets-speaker")
    assert objects(article, event, DG + "accordingTo") == {iris.entity("daily")}


def test_a_contradiction_is_recorded_on_both_claims():
    article = read_article(MINI)
    a, b = iris.claim("mini", "no-talks"), iris.claim("mini", "talks")
    assert objects(article, a, DG + "contradicts") == {b}
    assert objects(article, b, DG + "contradicts") == {a}


def test_a_figure_is_a_typed_number_with_its_qualifier_and_source():
    article = read_article(MINI)
    figure = iris.figure("mini", "soldiers")
    (value,) = [q.object for q in article.quads if q.subject.value == figure and q.predicate.value == DG + "value"]
    assert (value.value, value.datatype.value) == ("40", XSD + "integer")
    assert objects(article, figure, DG + "qualifier") == {DG + "MoreThan"}
    assert objects(article, figure, DG + "accordingTo") == {iris.entity("ministry")}


def test_a_quotation_keeps_the_verbatim_words_and_the_speaker():
    article = read_article(MINI)
    quotation = iris.quotation("mini", "calm")
    assert objects(article, quotation, DG + "quotedText") == {"We want calm,"}
    assert objects(article, quotation, DG + "speaker") == {iris.entity("speaker")}


def test_sentences_do_not_break_at_abbreviations_or_inside_attributed_quotations():
    text = ("Dermer met U.S. officials on Nov. 5 in Washington. “Is this sane?” Berri said Tuesday.\n"
            "A new paragraph.")
    found = [text[s.begin:s.end] for s in sentences(text)]
    assert found == ["Dermer met U.S. officials on Nov. 5 in Washington.",
                     "“Is this sane?” Berri said Tuesday.", "A new paragraph."]
    assert [s.paragraph for s in sentences(text)] == [1, 1, 2]


def test_a_name_is_pinned_down_by_a_unique_passage_around_it():
    article = read_article(MINI)
    (mention,) = objects(article, iris.entity("beirut"), GAF + "denotedBy")
    assert objects(article, mention, NIF + "anchorOf") == {"Beirut"}
    assert mention == iris.span("mini", 38, 44)
