"""A server behind a reverse proxy that mounts it at a path (https://example.org/kg/) and strips the
path before forwarding: with `--base-url http://example.org/kg` every link, form, stylesheet and
redirect it emits is under /kg/, so each one reaches the server through the proxy."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from w3c_protocol import diplograph_server

BASE = "http://example.org/kg"
PREFIX = "/kg/"
SEED = "wapo-2024-11-13-lebanon-cease-fire"
ENTITY = "/id/entity/ron-dermer"
EVENT = f"/id/event/{SEED}/mar-a-lago-meeting"
ARTICLE = f"/id/article/{SEED}"
URL_ATTRIBUTES = {"href", "action", "src"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server mounted at /kg; an empty store gets the bundled seed article."""
    with diplograph_server(tmp_path_factory.mktemp("kg") / "store", "--base-url", BASE) as running:
        yield running


class _Targets(HTMLParser):
    """Every href, action and src of a page, with the tag that carries it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, value) for name, value in attrs if name in URL_ATTRIBUTES and value is not None]


def targets(html: str) -> list[tuple[str, str]]:
    parser = _Targets()
    parser.feed(html)
    parser.close()
    return parser.found


def page(server, path: str) -> str:
    """The HTML at `path`, once the timeline's first index is built (503 until then)."""
    deadline = time.monotonic() + 60
    while True:
        reply = server.request("GET", path, headers={"Accept": "text/html"})
        if reply.status != 503 or time.monotonic() > deadline:
            break
        assert_under_prefix(reply.text)  # the page saying it is preparing links under /kg/ too
        time.sleep(0.5)
    assert reply.status == 200, reply.text[:2000]
    assert reply.media_type == "text/html"
    return reply.text


def assert_under_prefix(html: str) -> list[str]:
    """Every target of the page that is a path (or a URL of the served host) is under /kg/; the
    paths, as the proxy forwards them (without /kg)."""
    paths = []
    for tag, target in targets(html):
        parts = urlsplit(target)
        if parts.scheme in ("data", "mailto") or target.startswith("#"):
            continue
        if parts.netloc and parts.netloc != urlsplit(BASE).netloc:
            continue  # elsewhere (Wikidata…)
        assert parts.path.startswith(PREFIX), f"<{tag}> points to {target!r}, outside {PREFIX}"
        paths.append("/" + parts.path[len(PREFIX):])
    assert paths, "the page has no link to this server"
    return paths


@pytest.mark.parametrize("path", [
    "/",
    "/?" + urlencode([("actor", "ron-dermer"), ("lanes", "actor")]),
    "/?page=2",
    "/query",
    "/query?" + urlencode({"query": "SELECT ?s WHERE { ?s a ?type } LIMIT 5"}),
    ENTITY,
    EVENT,
    ARTICLE,
])
def test_every_link_form_and_stylesheet_of_a_page_is_under_the_base_urls_path(server, path):
    html = page(server, path)
    forwarded = assert_under_prefix(html)
    assert {"/", "/query", "/sparql", "/static/timeline/style.css"} <= set(forwarded)


def test_the_timelines_filter_form_and_page_links_keep_the_path(server):
    html = page(server, "/?actor=ron-dermer")
    found = targets(html)
    assert ("form", "/kg/") in found
    assert ("a", "/kg/?actor=ron-dermer&format=csv") in found
    assert ("a", "/kg/") in found  # clear all filters
    assert ("a", "/kg/?page=2") in targets(page(server, "/"))


def test_a_link_under_the_path_reaches_the_server_once_the_proxy_strips_it(server):
    forwarded = set(assert_under_prefix(page(server, ENTITY)))
    for path in ("/static/timeline/style.css", "/static/timeline/resource.css", "/query", ENTITY + ".ttl"):
        assert path in forwarded
        assert server.request("GET", path).status == 200, path


def test_a_browser_sent_from_the_endpoint_to_the_query_page_stays_under_the_path(server):
    reply = server.request("GET", "/sparql", headers={"Accept": "text/html"})
    assert reply.status == 303
    assert urlsplit(reply.headers["location"]).path == "/kg/query"
