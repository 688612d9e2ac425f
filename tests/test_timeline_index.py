"""The timeline's index at scale: built when the server starts, kept up to date a graph at a time
(a replaced or dropped article is re-read, the others are kept), entity labels the same in every
graph, free text through an index of words, and a time axis of every matching event."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from support import FIXTURES, MINI
from timeline_app import timeline_app

from diplograph.loader import graphs_to_load, read_articles
from diplograph.ontology.vocab import ID_BASE
from diplograph.store.results import replace_graphs_update
from diplograph.server.timeline import axis
from diplograph.store.lexer import graphs_written

MINI_GRAPH = ID_BASE + "graph/mini"
MEETING = "e-mini--envoy-meets-speaker"


def mini_variant(folder, **replacements) -> dict:
    """The quads of the mini article's graph with some of its annotation's text replaced."""
    shutil.copy(FIXTURES / "mini.txt", folder / "mini.txt")
    text = MINI.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    return graphs_to_load(read_articles([folder / "mini.yaml"]))[MINI_GRAPH]


def listed(client, query: str = "") -> dict[str, str]:
    """Every listed event (all pages): slug -> its block of HTML."""
    found, page = {}, 1
    while True:
        html = client.get(f"/?{query}&page={page}").get_data(as_text=True)
        for block in re.findall(r'<li id="([^"]+)" class="event".*?</article>', html, re.S):
            found[block] = html[html.index(f'<li id="{block}"'):]
        if 'rel="next"' not in html:
            return found
        page += 1


def fresh(client, served):
    """The index's snapshot once it is of the store's newest state."""
    index = client.application.extensions["diplograph.timeline"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        snapshot, is_fresh = index.current(served)
        if is_fresh:
            return snapshot
        time.sleep(0.01)
    raise AssertionError("the index did not catch up with the store")


@pytest.fixture()
def two_articles(tmp_path, seed_path):
    with timeline_app(tmp_path, [seed_path, MINI]) as (client, served):
        yield client, served


def test_the_index_is_built_when_the_server_starts_not_at_the_first_request(two_articles):
    client, served = two_articles
    index = client.application.extensions["diplograph.timeline"]
    deadline = time.monotonic() + 20
    while index.latest is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert index.latest is not None and index.latest.events  # no request was made


def test_replacing_an_article_re_reads_its_graph_only(two_articles, tmp_path):
    client, served = two_articles
    before = fresh(client, served)
    seed_events = {e.iri: e for e in before.events if "/mini/" not in e.iri}
    served.write_graph(MINI_GRAPH, mini_variant(
        tmp_path, **{"envoy-meets-speaker:": "envoy-visits-speaker:",
                     "label: The envoy meets the speaker in Beirut": "label: The envoy visits the speaker"}),
        replace=True)
    after = fresh(client, served)
    events = listed(client)
    assert "e-mini--envoy-visits-speaker" in events and MEETING not in events
    assert ">The envoy visits the speaker</a>" in events["e-mini--envoy-visits-speaker"]
    # The seed's graph was not read again: its events are the very objects of the last snapshot.
    assert {e.iri: e for e in after.events if "/mini/" not in e.iri} == seed_events
    assert all(e is seed_events[e.iri] for e in after.events if "/mini/" not in e.iri)


def test_an_update_that_names_its_graphs_re_reads_only_them(two_articles, tmp_path):
    """`diplograph load --server` replaces an article with one SPARQL update."""
    client, served = two_articles
    before = fresh(client, served)
    quads = mini_variant(tmp_path, **{"label: Soldiers killed": "label: Soldiers wounded"})
    served.update(replace_graphs_update({MINI_GRAPH: quads}), ID_BASE, [], [])
    assert served.changes[-1][1] == {MINI_GRAPH}
    after = fresh(client, served)
    assert after.parts.graphs[ID_BASE + "graph/wapo-2024-11-13-lebanon-cease-fire"] is \
        before.parts.graphs[ID_BASE + "graph/wapo-2024-11-13-lebanon-cease-fire"]
    labels = {e.label for e in after.events}
    assert "Soldiers wounded" in labels and "Soldiers killed" not in labels


def test_dropping_an_article_removes_its_events_and_keeps_the_others(two_articles):
    client, served = two_articles
    before = fresh(client, served)
    assert served.drop_graph(MINI_GRAPH)
    after = fresh(client, served)
    assert not any("/mini/" in e.iri for e in after.events)
    assert len(after.events) == len(before.events) - sum("/mini/" in e.iri for e in before.events) > 0
    assert MEETING not in client.get("/?q=envoy").get_data(as_text=True)


def test_an_entity_shows_its_least_label_in_every_article_and_follows_changes(two_articles, tmp_path):
    client, served = two_articles
    fresh(client, served)
    place = "/?place=lebanon"
    assert ">Lebanon</a>" in client.get(place).get_data(as_text=True)
    served.write_graph(MINI_GRAPH, mini_variant(tmp_path, **{"lebanon: {label: Lebanon,": "lebanon: {label: A Lebanon,"}),
                       replace=True)
    fresh(client, served)
    events = listed(client, "place=lebanon")
    seed_events = [html for slug, html in events.items() if "mini" not in slug]
    assert seed_events and all('<a href="/id/entity/lebanon">A Lebanon</a>' in html.split("</article>")[0]
                               for html in seed_events)
    served.drop_graph(MINI_GRAPH)
    fresh(client, served)
    assert "A Lebanon" not in client.get(place).get_data(as_text=True)


def test_free_text_finds_words_by_their_beginning_and_several_words_together(two_articles):
    client, _ = two_articles
    by_prefix = listed(client, "q=Envo")
    assert MEETING in by_prefix
    assert all("envo" in re.sub(r"<[^>]+>", " ", html.split("</article>")[0]).lower() for html in by_prefix.values())
    assert MEETING not in listed(client, "q=nvoy")  # inside a word: not a match
    assert MEETING in listed(client, "q=the+envoy+meets")
    assert MEETING not in listed(client, "q=meets+the+envoy")  # the words must stand in this order
    assert listed(client, "q=zzzz") == {}


def test_the_axis_draws_every_matching_event_not_only_this_page(two_articles):
    client, served = two_articles
    snapshot = fresh(client, served)
    html = client.get("/").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    dated = [e for e in snapshot.events if not (e.open_begin and e.open_end)]
    assert len(snapshot.events) > 50 and svg.count('class="mark') == len(dated)
    last = snapshot.events[-1]
    assert f'href="/id/event/{last.iri[len(ID_BASE + "event/"):]}"' in svg  # on page 2: its own page


def test_many_events_are_drawn_as_densities_that_link_to_their_lane_and_period(two_articles, monkeypatch):
    client, served = two_articles
    snapshot = fresh(client, served)
    monkeypatch.setattr(axis, "MAX_MARKS", 10)
    html = client.get("/?from=2024-10&to=2024-11").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'class="mark' not in svg and 'class="bin"' in svg
    bars = re.findall(r'<a href="([^"]+)" class="bin"><title>([^<]+)</title>', svg)
    assert bars and len(svg) < 60_000
    href, title = next((h, t) for h, t in bars if not t.startswith("others:"))
    assert "type=" in href
    count = int(re.search(r": (\d+) events?,", title).group(1))
    narrowed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert int(re.search(r'data-total="(\d+)"', narrowed).group(1)) == count
    assert len(snapshot.events) > 10


def test_an_update_says_which_graphs_it_writes_only_when_it_names_them():
    assert graphs_written("DROP SILENT GRAPH <http://g/1> ; INSERT DATA { GRAPH <http://g/1> { <a> <b> 'x' } }") \
        == {"http://g/1"}
    assert graphs_written("INSERT DATA { <a> <b> <c> }") == {None}  # the default graph
    assert graphs_written("DELETE WHERE { GRAPH <http://g/1> { ?s ?p ?o } }") is None
    assert graphs_written("DROP ALL") is None
    assert graphs_written("PREFIX ex: <http://g/> INSERT DATA { GRAPH ex:one { <a> <b> <c> } }") is None
    # Names the store resolves or decodes itself: relative (even with a colon) or with \u escapes.
    assert graphs_written("INSERT DATA { GRAPH <a/b:c> { <a> <b> <c> } }") is None
    assert graphs_written("INSERT DATA { GRAPH <#x:y> { <a> <b> <c> } }") is None
    assert graphs_written("INSERT DATA { GRAPH <http://x\\u002Fy> { <a> <b> <c> } }") is None
