"""The pages of entities, events and articles (/id/…), through Flask's test client on a real
on-disk store with the seed article: what each shows, checked against the annotation itself, the
article's text with every mention, the timeline's evidence links landing on their mention, escaping,
404s and the RDF twins."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

import pytest
import rdflib
from timeline_app import hostile_timeline_app, timeline_app

from diplograph.loader import read_article
from diplograph.ontology import iris
from diplograph.ontology.vocab import DG, GAF, NIF, OWL, RDF, RDFS, SEM, SKOS

ARTICLE = "wapo-2024-11-13-lebanon-cease-fire"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def seed_app(tmp_path_factory, seed_path):
    with timeline_app(tmp_path_factory.mktemp("pages"), [seed_path]) as (client, _):
        yield client


@pytest.fixture(scope="module")
def quads(seed_path):
    """The seed's statements as (subject, predicate, object) values: what the pages must show."""
    return [(q.subject.value, q.predicate.value, q.object.value) for q in read_article(seed_path).quads]


def page(client, path: str, status: int = 200) -> str:
    reply = client.get(path, headers=HTML)
    assert reply.status_code == status, reply.get_data(as_text=True)[:2000]
    assert reply.content_type == "text/html; charset=utf-8"
    return reply.get_data(as_text=True)


def path_of(iri: str) -> str:
    return "/id/" + iri.split("/id/", 1)[1]


def values(quads, subject=None, predicate=None, obj=None) -> list:
    return [q for q in quads if (subject is None or q[0] == subject) and (predicate is None or q[1] == predicate)
            and (obj is None or q[2] == obj)]


class Elements(HTMLParser):
    """Every element of a page with its attributes and its whole text, in document order."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": [e["attrs"] for e in self._open]}
        self.found.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        assert self._open and self._open[-1]["tag"] == tag, f"</{tag}> closes {self._open[-1]['tag']}"
        self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def by_id(self) -> dict[str, dict]:
        ids = [e["attrs"]["id"] for e in self.found if "id" in e["attrs"]]
        assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
        return {e["attrs"]["id"]: e for e in self.found if "id" in e["attrs"]}

    def section(self, heading_id: str) -> list[dict]:
        """The elements inside the section labelled by `heading_id`."""
        return [e for e in self.found if any(p.get("aria-labelledby") == heading_id for p in e["parents"])]


def timeline_events(client, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return json.loads(client.get(f"/?format=json&{query}").get_data(as_text=True))["events"]


# ---- entity pages ------------------------------------------------------------------------------

def test_an_actor_page_lists_its_events_in_date_order_and_links_the_filtered_timeline(seed_app, quads):
    dermer = iris.entity("ron-dermer")
    html = page(seed_app, path_of(dermer))
    listed = [e["attrs"]["href"] for e in Elements(html).section("l-actor") if e["tag"] == "a"
              and e["attrs"]["href"].startswith("/id/event/")]
    # The timeline's order: earliest begin first.
    assert listed == [path_of(e["iri"]) for e in timeline_events(seed_app, actor="ron-dermer")]
    assert set(listed) == {path_of(s) for s, _, _ in values(quads, predicate=SEM + "hasActor", obj=dermer)}
    assert '<a href="/?actor=ron-dermer">' in html
    assert '<span class="badge m-occurred">occurred</span>' in html and ">10 Nov 2024</time>" in html


def test_an_actor_page_counts_its_co_actors(seed_app, quads):
    dermer = iris.entity("ron-dermer")
    events = {s for s, _, _ in values(quads, predicate=SEM + "hasActor", obj=dermer)}
    expected = Counter(o for s, _, o in values(quads, predicate=SEM + "hasActor") if s in events and o != dermer)
    html = page(seed_app, path_of(dermer))
    shown = dict(re.findall(r'<li><a href="/id/entity/([^"]+)">[^<]+</a> <span class="count">(\d+) events?</span>',
                            html.split('id="co-actors-h"')[1].split("</section>")[0]))
    assert {k: int(n) for k, n in shown.items()} == {o.rsplit("/", 1)[1]: n for o, n in expected.items()}
    assert 'href="/id/entity/donald-trump">Donald Trump</a> <span class="count">4 events</span>' in html


def test_an_entity_page_shows_its_type_aliases_description_and_wikidata_link(seed_app, quads):
    netanyahu = iris.entity("benjamin-netanyahu")
    html = page(seed_app, path_of(netanyahu))
    assert "<h1>Benjamin Netanyahu</h1>" in html
    assert '<p class="kind"><a href="/ontology#Person">' in html
    aliases = [o for _, _, o in values(quads, netanyahu, SKOS + "altLabel")]
    shown = unescape(re.search(r"<dt>Also called</dt><dd>(.*?)</dd>", html).group(1)).split("; ")
    assert aliases and sorted(shown) == sorted(aliases)
    (wikidata,) = [o for _, _, o in values(quads, netanyahu, OWL + "sameAs")]
    assert f'<a href="https://www.wikidata.org/wiki/{wikidata.rsplit("/", 1)[1]}" class="wikidata">Q43723</a>' in html
    # The full linked-data view follows.
    assert '<h2 id="statements-h">All statements about it</h2>' in html and "skos:altLabel" in html


def test_a_place_page_lists_the_events_there(seed_app, quads):
    lebanon = iris.entity("lebanon")
    html = page(seed_app, path_of(lebanon))
    listed = {e["attrs"]["href"] for e in Elements(html).section("l-place") if e["tag"] == "a"
              and e["attrs"]["href"].startswith("/id/event/")}
    assert listed == {path_of(s) for s, _, _ in values(quads, predicate=SEM + "hasPlace", obj=lebanon)}
    assert '<a href="/?place=lebanon">' in html


def test_an_entity_page_says_when_the_index_of_events_is_still_being_built(seed_app, monkeypatch):
    from diplograph.server.timeline.index import NotReady

    class Building:
        def current(self, _store):
            raise NotReady("being built")

    monkeypatch.setitem(seed_app.application.extensions, "diplograph.timeline", Building())
    html = page(seed_app, "/id/entity/ron-dermer")
    assert "The index of events is being built" in html and "<h1>Ron Dermer</h1>" in html
    assert 'id="l-actor"' not in html


# ---- event pages -------------------------------------------------------------------------------

def test_an_event_page_shows_every_fact_with_its_source_and_sentence(seed_app):
    html = page(seed_app, f"/id/event/{ARTICLE}/mar-a-lago-meeting")
    assert "<h1>Dermer meets Donald Trump and Jared Kushner at Mar-a-Lago</h1>" in html
    assert '<time datetime="2024-11-10">10 Nov 2024</time> <span class="expression">(“Sunday”)</span>' in html
    assert '<span class="badge m-occurred">occurred</span>' in html
    assert ('according to <a href="/id/entity/senior-us-official">a senior U.S. official</a> and '
            '<a href="/id/entity/three-israeli-officials">three current and former Israeli officials briefed on '
            'the meeting</a>') in html
    assert '<a href="/id/entity/ron-dermer">Ron Dermer</a> <span class="role">(initiator)</span>' in html
    assert '<a href="/id/entity/donald-trump">Donald Trump</a> <span class="role">(counterpart)</span>' in html
    assert '<a href="/id/entity/mar-a-lago">Mar-a-Lago</a>' in html
    assert "<mark>told Donald Trump and Jared Kushner this week</mark>" in html
    assert f'<a href="/id/article/{ARTICLE}#char=61,106">In the article</a>' in html
    assert f'<dt>Part of</dt><dd><a href="/id/event/{ARTICLE}/mar-a-lago-visit">' in html
    assert "Reported in" in html and ", 13 Nov 2024</dd>" in html
    assert '<h2 id="statements-h">All statements about it</h2>' in html


def test_an_event_page_lists_the_claims_about_it_and_what_contradicts_them(seed_app, quads):
    claim, event = sorted((c, o) for c, _, _ in values(quads, predicate=DG + "contradicts")
                          for _, _, o in values(quads, c, DG + "about") if "/event/" in o)[0]
    html = page(seed_app, path_of(event))
    section = html.split('id="claims-h"')[1].split("</section>")[0]
    label = values(quads, claim, RDFS + "label")[0][2]
    assert f'<a href="{path_of(claim)}">{label}</a>' in unescape(section)
    for other in (o for _, _, o in values(quads, claim, DG + "contradicts")):
        label = values(quads, other, RDFS + "label")[0][2]
        assert f'Contradicted by <a href="{path_of(other)}">{label}</a>' in unescape(section)
    assert '<span class="badge contested">contested</span>' in html
    assert f'href="/id/article/{ARTICLE}#char=' in section  # the claim's place in the text


def test_an_event_page_shows_its_figures_and_quotations(seed_app, quads):
    figure = next(s for s, _, o in values(quads, predicate=DG + "about") if "/figure/" in s and "/event/" in o)
    event = next(o for _, _, o in values(quads, figure, DG + "about"))
    html = page(seed_app, path_of(event))
    assert f'<a href="{path_of(figure)}"><strong>' in html.split('id="figures-h"')[1]
    quotation = next(s for s, _, _ in values(quads, predicate=DG + "saidIn"))
    said_in = values(quads, quotation, DG + "saidIn")[0][2]
    words = values(quads, quotation, DG + "quotedText")[0][2]
    html = page(seed_app, path_of(said_in))
    assert f"<blockquote>{words}</blockquote>" in unescape(html.split('id="quotations-h"')[1])


# ---- the article page --------------------------------------------------------------------------

def test_the_article_page_has_the_full_text_in_its_paragraphs(seed_app, quads):
    text = values(quads, predicate=NIF + "isString")[0][2]
    html = page(seed_app, f"/id/article/{ARTICLE}")
    body = html.split('<div class="article-text" lang="en">')[1].split("</div>")[0]
    paragraphs = [unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
    assert paragraphs == [line for line in text.split("\n") if line.strip()]
    assert "<h1>Israel prepares Lebanon cease-fire plan as gift to Trump, officials say</h1>" in html
    assert ('<a href="/id/entity/washington-post">The Washington Post</a>, '
            '<time datetime="2024-11-13">13 Nov 2024</time>') in html


def test_every_mention_in_the_article_is_marked_and_every_entity_and_event_linked(seed_app, quads):
    text = values(quads, predicate=NIF + "isString")[0][2]
    elements = Elements(page(seed_app, f"/id/article/{ARTICLE}"))
    ids = elements.by_id()
    in_text = [e for e in elements.found if any(p.get("class") == "article-text" for p in e["parents"])]
    linked = {e["attrs"]["href"] for e in in_text if e["tag"] == "a"}
    mentions = {o for _, _, o in values(quads, predicate=GAF + "denotedBy")}
    whole = 0
    for mention in mentions:
        begin, end = map(int, mention.rsplit("/", 1)[1].split("-"))
        element = ids[f"char={begin},{end}"]
        assert "mention" in element["attrs"]["class"]
        if "part" not in element["attrs"]["class"]:
            assert element["text"] == text[begin:end]
            whole += 1
        else:  # cut by a crossing mention: it holds the mention's first words
            assert text[begin:end].startswith(element["text"])
    assert whole >= len(mentions) - 20
    for kind in ("entity", "event"):
        denoting = {s for s, _, _ in values(quads, predicate=GAF + "denotedBy") if f"/{kind}/" in s}
        assert {path_of(s) for s in denoting} <= linked
    # Nothing of the text is lost or doubled by the marking.
    body = [e for e in elements.found if e["attrs"].get("class") == "article-text"][0]["text"]
    assert body.replace("\n", "") == "".join(line for line in text.split("\n") if line.strip())


def test_every_evidence_link_of_the_timeline_lands_on_its_mention(seed_app):
    links = set()
    for number in (1, 2):
        html = seed_app.get(f"/?page={number}").get_data(as_text=True)
        links |= set(re.findall(rf'href="/id/article/{ARTICLE}#(char=\d+,\d+)"', html))
    assert len(links) > 80
    elements = Elements(page(seed_app, f"/id/article/{ARTICLE}"))
    ids = elements.by_id()
    exact = 0
    for fragment in links:
        assert fragment in ids, fragment
        begin, end = map(int, fragment[5:].split(","))
        exact += "part" not in ids[fragment]["attrs"]["class"]
        assert 0 < len(ids[fragment]["text"]) <= end - begin
    assert exact >= len(links) - 4  # where two of the seed's event mentions cross, one is cut


def test_the_article_groups_its_claims_by_source_and_quotations_by_speaker(seed_app, quads):
    html = page(seed_app, f"/id/article/{ARTICLE}")
    claims_html = html.split('id="claims-h"')[1].split("</section>")[0]
    groups = {}
    for block in claims_html.split("<h3>")[1:]:
        source = re.search(r'<a href="/id/entity/([^"]+)">', block.split("</h3>")[0])
        claims = set(re.findall(r'<li><a href="/id/claim/[^/]+/([^"]+)">', block))
        groups[source.group(1) if source else None] = claims
    expected: dict[str, set[str]] = {}
    for claim, _, _ in values(quads, predicate=RDF + "type", obj=DG + "Claim"):
        for _, _, source in values(quads, claim, DG + "accordingTo"):
            expected.setdefault(source.rsplit("/", 1)[1], set()).add(claim.rsplit("/", 1)[1])
    assert groups == expected
    labels = [unescape(re.sub(r"<[^>]+>", "", h.split("</h3>")[0])) for h in claims_html.split("<h3>")[1:]]
    assert labels == sorted(labels, key=str.casefold)
    assert re.search(r'Contradicted by <a href="/id/claim/[^"]+">[^<]+</a>, according to <a href="/id/entity/',
                     claims_html)
    quotations_html = html.split('id="quotations-h"')[1].split("</section>")[0]
    for quotation, _, speaker in values(quads, predicate=DG + "speaker"):
        block = next(b for b in quotations_html.split("<h3>")[1:]
                     if f'href="{path_of(speaker)}"' in b.split("</h3>")[0])
        assert f'<a href="{path_of(quotation)}">The quotation</a>' in block


def test_the_article_lists_its_events_in_date_order(seed_app):
    html = page(seed_app, f"/id/article/{ARTICLE}")
    section = html.split('id="events-h"')[1].split("</section>")[0]
    listed = re.findall(r'<p class="what"><a href="([^"]+)">', section)
    assert listed == [path_of(e["iri"]) for e in timeline_events(seed_app, article=ARTICLE)]
    assert f'<a href="/?article={ARTICLE}">' in section


# ---- what every resource page keeps ------------------------------------------------------------

@pytest.mark.parametrize("path", ["/id/entity/ron-dermer", f"/id/event/{ARTICLE}/mar-a-lago-meeting",
                                  f"/id/article/{ARTICLE}", f"/id/claim/{ARTICLE}/hezbollah-cornered-claim"])
def test_the_pages_load_only_this_servers_stylesheet_and_run_no_script(seed_app, path):
    reply = seed_app.get(path, headers=HTML)
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'self'" in policy and "script" not in policy
    html = reply.get_data(as_text=True)
    assert "<script" not in html and "<style" not in html and " style=" not in html
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert sheets == ["/static/timeline/style.css", "/static/timeline/resource.css"]
    for sheet in sheets:
        assert seed_app.get(sheet).status_code == 200
    assert re.search(r'<main id="main"', html) and '<nav aria-label="Site">' in html


@pytest.mark.parametrize("path", ["/id/entity/nobody", f"/id/event/{ARTICLE}/nothing", "/id/article/nothing",
                                  f"/id/event/{ARTICLE}/mar-a-lago-meeting/role/initiator/nobody"])
def test_an_unknown_iri_is_still_404(seed_app, path):
    reply = seed_app.get(path, headers=HTML)
    assert reply.status_code == 404 and reply.content_type.startswith("text/plain")


@pytest.mark.parametrize("path", ["/id/entity/ron-dermer", f"/id/event/{ARTICLE}/mar-a-lago-meeting",
                                  f"/id/article/{ARTICLE}"])
def test_the_rdf_twins_are_the_resources_description(seed_app, path):
    iri = "https://w3id.org/diplograph" + path
    described = rdflib.Graph().parse(data=seed_app.get("/sparql", query_string={"query": f"""
        CONSTRUCT {{ <{iri}> ?p ?o . ?o rdfs:label ?ol . ?s ?q <{iri}> . ?s rdfs:label ?sl }}
        WHERE {{ {{ <{iri}> ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }} UNION
                 {{ ?s ?q <{iri}> OPTIONAL {{ ?s rdfs:label ?sl }} }} }}"""},
        headers={"Accept": "application/n-triples"}).get_data(as_text=True), format="nt")
    for suffix, headers, fmt in ((".ttl", {}, "turtle"), ("", {"Accept": "text/turtle"}, "turtle"),
                                 (".jsonld", {}, "json-ld"), ("", {"Accept": "application/ld+json"}, "json-ld")):
        reply = seed_app.get(path + suffix, headers=headers)
        assert reply.status_code == 200
        assert reply.content_type.startswith({"turtle": "text/turtle", "json-ld": "application/ld+json"}[fmt])
        twin = rdflib.Graph().parse(data=reply.get_data(as_text=True), format=fmt)
        # Indices come back with their declared type; compare the statements by their values.
        assert {(s, p, o.toPython() if isinstance(o, rdflib.Literal) else o) for s, p, o in twin} == \
               {(s, p, o.toPython() if isinstance(o, rdflib.Literal) else o) for s, p, o in described}
    html = page(seed_app, path)
    assert f'<link rel="alternate" type="text/turtle" href="{path}.ttl">' in html


def test_a_page_lists_at_most_its_share_of_statements_and_says_where_the_rest_are(seed_app, monkeypatch):
    from diplograph.server import resources

    monkeypatch.setattr(resources, "PAGE_ROWS", 5)
    reply = seed_app.get("/id/entity/ron-dermer", headers=HTML)
    html = reply.get_data(as_text=True)
    assert reply.headers["X-Diplograph-Truncated"] == "true" and reply.headers["X-Diplograph-Max-Rows"] == "5"
    assert "Only the first 5 statements are shown." in html
    # Five statements at most, of which the labels of what it links to name links rather than make rows.
    assert 0 < len(re.findall(r'<tr><th scope="row">', html)) <= 5
    assert "<h1>Ron Dermer</h1>" in html and 'id="l-actor"' in html  # the page's own parts are whole
    twin = seed_app.get("/id/entity/ron-dermer.ttl")
    assert twin.headers["X-Diplograph-Truncated"] == "false"
    assert len(rdflib.Graph().parse(data=twin.get_data(as_text=True), format="turtle")) > 20


# ---- escaping ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The mini article with markup in its labels (timeline_app.hostile_timeline_app)."""
    with hostile_timeline_app(tmp_path_factory.mktemp("hostile-pages")) as (client, _):
        yield client


def test_markup_in_the_data_is_shown_as_text_on_the_entity_event_and_article_pages(hostile_app):
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;"
    for path, shown in (("/id/entity/envoy", ["Envoy ", "Alias ", "Meeting "]),
                        ("/id/event/mini/envoy-meets-speaker", ["Meeting ", "Envoy ", "Officials "]),
                        ("/id/article/mini", ["No talks ", "Officials "])):
        html = page(hostile_app, path)
        assert "<script>" not in html
        for prefix in shown:
            assert prefix + escaped in html, (path, prefix)
