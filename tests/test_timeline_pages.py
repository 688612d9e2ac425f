"""The timeline (`/`), its twins and the query page (`/query`), through Flask's test client on a
real on-disk store: what each shows, every filter, every parameter error, escaping, headers."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import types
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from timeline_app import hostile_timeline_app, timeline_app

from diplograph.ontology.vocab import ID_BASE

SEED_EVENTS = 98
MEETING = "e-wapo-2024-11-13-lebanon-cease-fire--mar-a-lago-meeting"


@pytest.fixture(scope="module")
def seed_app(tmp_path_factory, seed_path):
    with timeline_app(tmp_path_factory.mktemp("timeline"), [seed_path]) as (client, _):
        yield client


def page(client, path: str, status: int = 200) -> str:
    reply = client.get(path)
    assert reply.status_code == status, reply.get_data(as_text=True)[:2000]
    assert reply.content_type == "text/html; charset=utf-8"
    return reply.get_data(as_text=True)


def events(html: str) -> list[tuple[str, str]]:
    """(id, earliest begin) of each listed event, in page order."""
    return re.findall(r'<li id="([^"]+)" class="event" data-begin="([^"]+)">', html)


def event_html(html: str, slug: str) -> str:
    start = html.index(f'<li id="{slug}"')
    return html[start:html.index("</li>\n", html.index("</article>", start))]


def problems(html: str) -> list[str]:
    block = re.search(r'<div class="problems" role="alert">(.*?)</div>', html, re.S)
    return [unescape(p) for p in re.findall(r"<li>(.*?)</li>", block.group(1))] if block else []


def total(html: str) -> int:
    return int(re.search(r'data-total="(\d+)"', html).group(1))


# ---- the timeline ------------------------------------------------------------------------------

def test_every_seed_event_is_listed_by_earliest_begin_fifty_to_a_page(seed_app):
    first, second = page(seed_app, "/"), page(seed_app, "/?page=2")
    listed = events(first) + events(second)
    assert len(events(first)) == 50 and len(listed) == SEED_EVENTS == total(first)
    assert len({slug for slug, _ in listed}) == SEED_EVENTS
    assert [begin for _, begin in listed] == sorted(begin for _, begin in listed)
    assert 'aria-label="Pages"' in first and 'rel="next" href="/?page=2"' in first
    assert '<ol class="events" start="51">' in second


def test_an_event_shows_its_date_who_where_who_says_so_and_its_sentence(seed_app):
    html = page(seed_app, "/?actor=ron-dermer&type=Meeting")
    meeting = event_html(html, MEETING)
    assert ">10 Nov 2024</time>" in meeting and "(“Sunday”)" in meeting
    assert '<a href="/id/entity/ron-dermer">Ron Dermer</a>' in meeting
    assert '<a href="/id/entity/mar-a-lago">Mar-a-Lago</a>' in meeting
    assert '<span class="badge m-occurred">occurred</span>' in meeting
    assert ('according to <a href="/id/entity/senior-us-official">a senior U.S. official</a> and '
            '<a href="/id/entity/three-israeli-officials">three current and former Israeli officials briefed on '
            'the meeting</a>') in meeting
    mark = re.search(r"<mark>(.*?)</mark>", meeting).group(1)
    link = re.search(r'href="(/id/article/wapo-2024-11-13-lebanon-cease-fire#char=(\d+),(\d+))"', meeting)
    assert int(link.group(3)) - int(link.group(2)) == len(unescape(mark))
    assert '<a href="/id/event/wapo-2024-11-13-lebanon-cease-fire/mar-a-lago-meeting">' in meeting


def test_contested_claims_are_marked_and_link_to_the_claim_that_disputes_them(seed_app):
    html = page(seed_app, "/") + page(seed_app, "/?page=2")
    contested = [slug for slug, _ in events(html) if "badge contested" in event_html(html, slug)]
    assert len(contested) == 8  # the seed's events with a claim about them that another contradicts
    item = event_html(html, contested[0])
    assert re.search(r'is contradicted by\s*<a href="/id/claim/wapo-2024-11-13-lebanon-cease-fire/[^"]+">', item)


def test_figures_show_their_qualifier_and_source(seed_app):
    html = page(seed_app, "/?type=CasualtyReport")
    assert re.search(r"<strong>(about|more than|nearly|at least)? ?[\d,]+ [^<]*killed</strong>", html)
    assert "— according to" in html


def test_the_time_axis_draws_points_for_days_and_bars_for_intervals(seed_app):
    html = page(seed_app, "/?actor=ron-dermer&from=2024-10&to=2024-11")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "<circle" in svg and "<rect" in svg
    assert f'href="#{MEETING}"' in svg
    assert 'viewBox="0 0 1000 ' in svg and ">8 Oct</text>" in svg and ">1 Oct</text>" not in svg  # its label would be cut at the edge
    by_actor = page(seed_app, "/?lanes=actor&actor=ron-dermer")
    assert 'class="lane-label" x="8"' in by_actor and ">Ron Dermer</text>" in by_actor


@pytest.mark.parametrize("query, check", [
    ("actor=ron-dermer", lambda e: "/id/entity/ron-dermer" in e),
    ("actor=ron-dermer&actor=donald-trump",
     lambda e: "/id/entity/ron-dermer" in e and "/id/entity/donald-trump" in e),
    ("type=Meeting", lambda e: ">meeting</span>" in e),
    ("type=Meeting&type=PhoneCall", lambda e: ">meeting</span>" in e or ">phone call</span>" in e),
    ("modality=proposed", lambda e: "m-proposed" in e),
    ("place=mar-a-lago", lambda e: "/id/entity/mar-a-lago" in e),
    ("source=three-israeli-officials", lambda e: '<a href="/id/entity/three-israeli-officials">' in e),
    ("article=wapo-2024-11-13-lebanon-cease-fire", lambda e: True),
    ("q=Mar-a-Lago", lambda e: "mar-a-lago" in unescape(e).lower()),
])
def test_each_filter_keeps_only_matching_events(seed_app, query, check):
    html = page(seed_app, "/?" + query)
    listed = events(html)
    assert 0 < total(html) <= SEED_EVENTS and problems(html) == []
    assert all(check(event_html(html, slug)) for slug, _ in listed)
    assert total(html) < SEED_EVENTS or query.startswith("article=")


def test_several_actors_narrow_the_list(seed_app):
    one, both = total(page(seed_app, "/?actor=ron-dermer")), total(page(seed_app, "/?actor=ron-dermer&actor=donald-trump"))
    assert 0 < both < one


def test_a_date_range_keeps_the_events_that_may_fall_in_it(seed_app):
    html = page(seed_app, "/?from=2024-11-10&to=2024-11-10")
    listed = events(html)
    for number in range(2, (total(html) + 49) // 50 + 1):  # open-begun events come first: page on
        listed += events(page(seed_app, f"/?from=2024-11-10&to=2024-11-10&page={number}"))
    assert len(listed) == total(html)
    assert any(slug == MEETING for slug, _ in listed)
    assert all(begin <= "2024-11-10" for _, begin in listed)
    assert "e-wapo-2024-11-13-lebanon-cease-fire--oct7-attacks" not in {slug for slug, _ in listed}


def test_facet_values_show_counts_and_chosen_filters_can_be_removed_or_cleared(seed_app):
    html = page(seed_app, "/?actor=ron-dermer&modality=occurred")
    option = re.search(r'<option value="ron-dermer" selected>Ron Dermer \((\d+)\)</option>', html)
    assert option and int(option.group(1)) == total(html)
    assert '<a href="/" class="clear">Clear all filters</a>' in html
    removal = re.search(r'<a href="([^"]*)">Actor: Ron Dermer', html).group(1)
    assert parse_qsl(urlsplit(unescape(removal)).query) == [("modality", "occurred")]


@pytest.mark.parametrize("query, message", [
    ("actor=nobody", "No event has actor “nobody”"),
    ("type=Banquet", "No event has type “Banquet”"),
    ("modality=certain", "No event has modality “certain”"),
    ("from=2024-13", "“2024-13” is not a date for “from”"),
    ("to=tomorrow", "“tomorrow” is not a date for “to”"),
    ("from=2024-12&to=2024-01", "The date range ends before it begins"),
    ("page=0", "“0” is not a page number"),
    ("page=abc", "“abc” is not a page number"),
    ("page=999", "There is no page 999; the last is page 2"),
    ("lanes=colour", "Lanes can be by type or by actor"),
    ("format=pdf", "There is no format “pdf”"),
    ("colour=red", "Unknown parameter “colour”"),
])
def test_a_bad_parameter_gets_a_visible_message_not_a_500(seed_app, query, message):
    html = page(seed_app, "/?" + query, status=400)
    assert any(message in p for p in problems(html)), problems(html)
    assert events(html)  # the rest of the page is still there


def test_a_hostile_parameter_value_is_shown_as_text(seed_app):
    html = page(seed_app, "/?" + urlencode({"actor": "<script>x</script>", "q": '"><img src=x>'}), status=400)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '"><img' not in html


def test_the_pages_forbid_outside_assets_and_inline_script(seed_app):
    for path in ("/", "/query", "/?format=csv"):
        reply = seed_app.get(path)
        policy = reply.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    html = page(seed_app, "/")
    assert "<script" not in html and " style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html.split("<main", 1)[0])
    css = seed_app.get("/static/timeline/style.css")
    assert css.status_code == 200 and "@import" not in css.get_data(as_text=True) and "url(" not in css.get_data(as_text=True)


def test_the_form_controls_are_labelled_and_the_page_has_landmarks(seed_app):
    html = page(seed_app, "/")
    for control in re.findall(r'<(?:select|input|textarea) id="([^"]+)"', html):
        assert f'<label for="{control}">' in html
    for landmark in ('<header class="site">', "<main", '<nav aria-label="Site">', "<footer", "<h1>"):
        assert landmark in html


# ---- the twins ---------------------------------------------------------------------------------

def test_the_filtered_timeline_as_csv_has_one_row_per_matching_event(seed_app):
    html = page(seed_app, "/?actor=ron-dermer")
    reply = seed_app.get("/?actor=ron-dermer&format=csv")
    assert reply.status_code == 200 and reply.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert len(rows) == total(html)
    assert all("Ron Dermer" in row["actors"] for row in rows)
    meeting = next(row for row in rows if row["iri"].endswith("/mar-a-lago-meeting"))
    assert meeting["date"] == "10 Nov 2024" and meeting["begin"] == meeting["end"] == "2024-11-10"
    assert 'href="/?actor=ron-dermer&amp;format=csv"' in html


def test_the_timeline_as_json_says_open_bounds_as_null(seed_app):
    data = json.loads(seed_app.get("/?format=json").get_data())
    assert data["total"] == len(data["events"]) == SEED_EVENTS
    unknown = [e for e in data["events"] if e["date"] == "date unknown"]
    assert unknown and all(e["begin"] is None and e["end"] is None for e in unknown)
    assert all(e["iri"].startswith(ID_BASE + "event/") for e in data["events"])


def test_accept_gets_the_same_twins_without_a_format_parameter(seed_app):
    assert seed_app.get("/", headers={"Accept": "text/csv"}).content_type == "text/csv; charset=utf-8"
    assert seed_app.get("/", headers={"Accept": "application/json"}).content_type == "application/json"
    assert seed_app.get("/", headers={"Accept": "text/html,*/*;q=0.8"}).content_type.startswith("text/html")


def test_the_timelinejs_twin_keeps_date_precision(seed_app):
    data = json.loads(seed_app.get("/?format=timelinejs").get_data())
    slides = {s["unique_id"]: s for s in data["events"]}
    assert slides[MEETING]["start_date"] == {"year": 2024, "month": 11, "day": 10}
    monthly = [s for s in data["events"] if s["display_date"] == "October 2024"]
    assert monthly and all("day" not in s["start_date"] for s in monthly)
    assert "no known date" in data["title"]["text"]["text"]


# ---- the query page ----------------------------------------------------------------------------

def test_the_query_page_offers_examples_that_all_run(seed_app):
    html = page(seed_app, "/query")
    examples = re.findall(r'<li><a href="(/query\?query=[^"]+)">', html)
    assert len(examples) == 6
    for href in examples:
        answer = page(seed_app, unescape(href))
        assert "<table>" in answer and "<tbody>" in answer


def test_a_query_answers_as_an_escaped_table_with_links_and_downloads(seed_app):
    text = "SELECT ?event ?label WHERE { ?event a dg:Meeting ; rdfs:label ?label } ORDER BY ?label"
    html = page(seed_app, "/query?" + urlencode({"query": text}))
    assert '<th scope="col">event</th><th scope="col">label</th>' in html
    assert '<a href="/id/event/wapo-2024-11-13-lebanon-cease-fire/mar-a-lago-meeting">' in html
    assert unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>', html, re.S).group(1)) == text
    downloads = dict(re.findall(r'<a href="(/query\?[^"]+)">(JSON|XML|CSV|TSV)</a>', html))
    assert len(downloads) == 4
    for href, name in downloads.items():
        reply = seed_app.get(unescape(href))
        assert reply.status_code == 200 and name.lower() in reply.content_type.replace("tab-separated-values", "tsv")
        assert "attachment" in reply.headers["Content-Disposition"]


def test_construct_and_ask_answers_are_tables_too(seed_app):
    construct = page(seed_app, "/query?" + urlencode(
        {"query": "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a dg:Meeting ; rdfs:label ?l }"}))
    assert '<th scope="col">subject</th>' in construct and ">TURTLE</a>" in construct
    ask = page(seed_app, "/query?" + urlencode({"query": "ASK { ?e a dg:Meeting }"}))
    assert "<td>yes</td>" in ask
    turtle = seed_app.get("/query?" + urlencode(
        {"query": "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a dg:Meeting ; rdfs:label ?l }", "format": "turtle"}))
    assert turtle.content_type.startswith("text/turtle")


@pytest.mark.parametrize("params, status, message", [
    ({"query": "SELEKT * WHERE {}"}, 400, "SPARQL syntax error"),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, 400, "SERVICE is refused"),
    ({"query": "ASK {}", "format": "pdf"}, 400, "There is no format “pdf”"),
])
def test_a_bad_query_gets_a_visible_message(seed_app, params, status, message):
    html = page(seed_app, "/query?" + urlencode(params), status=status)
    assert any(message in p for p in problems(html)), problems(html)


def test_a_browser_asking_the_endpoint_for_html_gets_the_query_page(seed_app):
    reply = seed_app.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/query")
    assert seed_app.get("/sparql", headers={"Accept": "text/turtle"}).content_type.startswith("text/turtle")
    assert seed_app.get("/sparql").status_code == 200


# ---- escaping and keeping up with the store ----------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The mini article with markup in its labels (timeline_app.hostile_timeline_app)."""
    with hostile_timeline_app(tmp_path_factory.mktemp("hostile")) as (client, served):
        yield client, served


def test_markup_in_the_data_is_shown_as_text_on_every_page(hostile_app):
    client, _ = hostile_app
    pages = [page(client, "/"), page(client, "/?lanes=actor"), page(client, "/query?" + urlencode(
        {"query": "SELECT ?label WHERE { ?x rdfs:label ?label }"}))]
    for html in pages:
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;" in html
    assert "Meeting &lt;script&gt;" in pages[0] and "Envoy &lt;script&gt;" in pages[0]
    timelinejs = client.get("/?format=timelinejs").get_data(as_text=True)
    assert "<script>" not in json.loads(timelinejs)["events"][0]["text"]["headline"]


def test_the_index_follows_every_write_and_is_not_rebuilt_without_one(hostile_app):
    client, served = hostile_app
    index = client.application.extensions["diplograph.timeline"]
    before = total(page(client, "/"))
    snapshot, fresh = index.current(served)
    assert fresh
    page(client, "/?page=1")
    assert index.current(served) == (snapshot, True)
    served.update(f"""PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
        PREFIX dg: <https://w3id.org/diplograph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{ID_BASE}graph/extra> {{ <{ID_BASE}event/extra/late-talks> a sem:Event, dg:Meeting ;
            rdfs:label "Late talks" ; dg:modality dg:Planned ;
            sem:hasEarliestBeginTimeStamp "2025-02-01"^^xsd:date ; sem:hasLatestEndTimeStamp "2025-02-28"^^xsd:date }} }}""",
                  ID_BASE, [], [])
    html = page(client, "/")
    assert total(html) == before + 1 and ">Late talks</a>" in html
    assert index.current(served)[0] is not snapshot


class SlowStore:
    """Stands for a ServedStore whose index takes long to build: `release` lets a build finish."""

    def __init__(self, store):
        self.store, self.release = store, threading.Event()
        self.checkpoints = types.SimpleNamespace(current=0)

    def changes_since(self, version):
        return None, None  # no record of what writes changed: the index reads everything


def test_a_reader_gets_the_previous_timeline_marked_stale_while_a_large_store_is_reindexed(
        hostile_app, monkeypatch):
    from diplograph.server.timeline import index as timeline_index

    _, served = hostile_app
    slow = SlowStore(served.store)
    real_build = timeline_index.build

    def build(store):
        slow.release.wait(10)
        return real_build(store)

    monkeypatch.setattr(timeline_index, "build", build)
    index = timeline_index.TimelineIndex(wait=0.05)
    slow.release.set()
    first, fresh = index.current(slow)
    assert fresh
    slow.release.clear()
    slow.checkpoints.current = 1  # a write
    assert index.current(slow) == (first, False)
    slow.release.set()
    deadline = time.monotonic() + 10
    while index.current(slow)[0] is first and time.monotonic() < deadline:
        time.sleep(0.01)
    snapshot, fresh = index.current(slow)
    assert fresh and snapshot is not first


def test_the_values_of_a_chosen_facet_count_the_events_each_would_add(seed_app):
    html = page(seed_app, "/?actor=ron-dermer&modality=occurred")
    both = page(seed_app, "/?actor=ron-dermer&modality=occurred&modality=ongoing")
    ongoing = int(re.search(r'<option value="ongoing">ongoing \((\d+)\)</option>', html).group(1))
    assert ongoing > 0 and total(both) == total(html) + ongoing


def test_a_first_index_that_takes_long_gets_a_page_that_says_so(hostile_app, monkeypatch):
    from diplograph.server.timeline import index as timeline_index

    client, served = hostile_app
    release = threading.Event()
    real_build = timeline_index.build

    def build(store):
        release.wait(10)
        return real_build(store)

    monkeypatch.setattr(timeline_index, "build", build)
    monkeypatch.setitem(client.application.extensions, "diplograph.timeline",
                        timeline_index.TimelineIndex(first_wait=0.05))
    reply = client.get("/")
    assert reply.status_code == 503 and reply.headers["Retry-After"] == "10"
    assert '<meta http-equiv="refresh" content="10">' in reply.get_data(as_text=True)
    release.set()
    deadline = time.monotonic() + 10
    while client.get("/").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.get("/").status_code == 200
