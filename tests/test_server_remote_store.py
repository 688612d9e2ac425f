"""`diplograph serve --store URL`: the same endpoint, pages and safety rules in front of a store
that lives elsewhere — a real Oxigraph server and a real Virtuoso, started for the tests."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from typing import NamedTuple

import pytest
from live_servers import free_port, oxigraph_server, virtuoso_server
from support import run_cli
from w3c_protocol import diplograph_command, diplograph_server

from diplograph.ontology.vocab import DG, ID_BASE, RDF, RDFS, SEM, XSD

TOKEN = "s3cret"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
# Virtuoso refuses the one above at once (its estimate of the time is over its limit): this one
# it starts, and takes far longer than the test's 2 s over the seed's ~7,000 triples.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(CONTAINS(CONCAT(STR(?c), STR(?f)), \"zz\")) }"
MEETINGS = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a dg:Meeting }"
# A billion combinations, filtered: minutes of work even on the empty dataset that diplograph
# evaluates every operation on to check its syntax, before the store sees it.
_THOUSAND = " ".join(str(n) for n in range(1000))
SLOW_ON_NOTHING = (f"VALUES ?a {{ {_THOUSAND} }} VALUES ?b {{ {_THOUSAND} }} VALUES ?c {{ {_THOUSAND} }} "
                   "FILTER(?a + ?b + ?c < 0)")


class Remote(NamedTuple):
    kind: str
    query_url: str
    update_url: str


@pytest.fixture(scope="module", params=["oxigraph-server", "virtuoso"])
def remote(request, tmp_path_factory) -> Remote:
    """An empty store of each kind."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph-server":
        with oxigraph_server() as base:
            yield Remote(request.param, f"{base}/query", f"{base}/update")
    else:
        with virtuoso_server(folder) as urls:
            yield Remote(request.param, *urls)


@pytest.fixture(scope="module")
def server(remote, tmp_path_factory):
    """diplograph serve in front of the remote store, which it fills with the bundled corpus."""
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with diplograph_server(f"{remote.query_url} {remote.update_url}", "--query-timeout", "2", token=TOKEN, log=log,
                           seconds=180) as running:
        yield running


def query(server, text: str, accept: str = "application/sparql-results+json"):
    return server.request("POST", "/sparql", urllib.parse.urlencode({"query": text}), {**FORM, "Accept": accept})


def count(server, text: str) -> int:
    reply = query(server, text)
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def direct_count(query_url: str, text: str) -> int:
    """Ask the remote store itself, not through diplograph."""
    data = urllib.parse.urlencode({"query": "PREFIX dg: <https://w3id.org/diplograph/ontology#>\n" + text}).encode()
    request = urllib.request.Request(query_url, data, {"Accept": "application/sparql-results+json", **FORM})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return int(json.loads(reply.read())["results"]["bindings"][0]["n"]["value"])


def test_an_empty_remote_store_gets_the_bundled_corpus_and_answers_through_the_endpoint(server, remote):
    meetings = count(server, MEETINGS)
    assert meetings >= 2  # the seed article's meetings
    assert direct_count(remote.query_url, MEETINGS) == meetings


def test_the_timeline_and_resource_pages_are_served_from_the_remote_store(server):
    page = server.request("GET", "/", headers={"Accept": "text/html"})
    assert page.status == 200 and "Mar-a-Lago" in page.text
    turtle = server.request("GET", "/id/entity/ron-dermer", headers={"Accept": "text/turtle"})
    assert turtle.status == 200 and "Dermer" in turtle.text
    assert server.request("GET", "/id/entity/nobody-at-all").status == 404


def test_an_update_with_the_token_reaches_the_store_and_one_without_changes_nothing(server, remote):
    insert = "INSERT DATA { GRAPH <http://example.org/remote-test> { <http://example.org/a> a dg:Meeting } }"
    before = direct_count(remote.query_url, MEETINGS)
    refused = server.request("POST", "/sparql", insert, {"Content-Type": "application/sparql-update"})
    assert refused.status == 401
    assert direct_count(remote.query_url, MEETINGS) == before
    assert server.update(insert).status == 204
    assert direct_count(remote.query_url, MEETINGS) == before + 1
    assert count(server, MEETINGS) == before + 1  # and the server sees its own write
    assert server.update("CLEAR GRAPH <http://example.org/remote-test>").status == 204
    assert direct_count(remote.query_url, MEETINGS) == before


def test_the_graph_store_protocol_writes_and_reads_remote_graphs(server):
    graph = urllib.parse.quote("http://example.org/gsp-remote", safe="")
    body = "<http://example.org/s> <http://example.org/p> \"o\" ."
    put = server.request("PUT", f"/store?graph={graph}", body,
                         {"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    assert put.status in (201, 204), put.text
    got = server.request("GET", f"/store?graph={graph}", headers={"Accept": "application/n-triples"})
    assert got.status == 200 and '<http://example.org/p> "o"' in got.text
    gone = server.request("DELETE", f"/store?graph={graph}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert gone.status == 204
    assert server.request("GET", f"/store?graph={graph}").status == 404


def test_a_graph_written_through_the_server_shows_on_the_timeline_and_goes_with_it(server):
    graph = f"{ID_BASE}graph/remote-timeline-test"
    event = f"<{ID_BASE}event/remote-timeline-test/summit>"
    body = (f'{event} a <{SEM}Event> , <{DG}Meeting> ; <{RDFS}label> "Zanzibarian summit" ; '
            f'<{SEM}hasEarliestBeginTimeStamp> "2024-03-01"^^<{XSD}date> ; '
            f'<{SEM}hasLatestEndTimeStamp> "2024-03-01"^^<{XSD}date> ; <{DG}modality> <{DG}Occurred> .')
    token = {"Authorization": f"Bearer {TOKEN}"}
    target = f"/store?graph={urllib.parse.quote(graph, safe='')}"
    assert server.request("PUT", target, body, {"Content-Type": "text/turtle", **token}).status in (201, 204)
    shown = server.request("GET", "/?q=zanzibarian", headers={"Accept": "text/html"})
    assert shown.status == 200 and "Zanzibarian summit" in shown.text
    assert "Mar-a-Lago" in server.request("GET", "/", headers={"Accept": "text/html"}).text  # the rest is kept
    assert server.request("DELETE", target, headers=token).status == 204
    assert "Zanzibarian summit" not in server.request("GET", "/?q=zanzibarian", headers={"Accept": "text/html"}).text


@pytest.mark.parametrize("text", [
    # Virtuoso's pragma that makes it fetch the FROM address: not SPARQL 1.1, refused before the store.
    'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> WHERE { ?s ?p ?o }',
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
])
def test_what_is_not_standard_or_reaches_out_is_refused_before_the_store(server, text):
    reply = query(server, text)
    assert reply.status == 400
    assert "syntax error" in reply.text or "SERVICE" in reply.text


def test_a_query_that_runs_out_of_time_gets_503_while_other_clients_are_answered(server, remote):
    slow = SLOW if remote.kind == "virtuoso" else EXPLOSIVE
    reply = _slow_while_others_are_answered(server, lambda: query(server, slow))
    assert "longer than 2 s" in reply.text


def test_a_query_slow_to_check_gets_503_at_its_deadline_and_is_stopped_while_others_are_answered(server):
    reply = _slow_while_others_are_answered(server, lambda: query(server, f"ASK {{ {SLOW_ON_NOTHING} }}"))
    assert "checking the query's syntax took longer than 2 s" in reply.text
    _assert_nothing_works_on_it(server)


def test_an_update_slow_to_check_gets_503_at_its_deadline_and_is_stopped_while_others_are_answered(server, remote):
    graph = "http://example.org/slow-to-check"
    insert = (f"INSERT {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> ?a }} }} "
              f"WHERE {{ {SLOW_ON_NOTHING} }}")
    reply = _slow_while_others_are_answered(server, lambda: server.update(insert))
    assert "checking the update's syntax took longer than 2 s" in reply.text
    _assert_nothing_works_on_it(server)
    assert direct_count(remote.query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == 0


def test_an_operation_that_is_not_sparql_is_400_with_the_parsers_message(server):
    reply = query(server, "SELECT ?s WHERE { ?s ?p }")
    assert reply.status == 400 and "SPARQL syntax error: error at 1:" in reply.text
    reply = server.update("INSERT DATA { <http://example.org/s> <http://example.org/p> }")
    assert reply.status == 400 and "SPARQL syntax error: error at 1:" in reply.text


def test_an_update_that_only_fails_on_the_empty_dataset_passes_the_check():
    from diplograph.errors import QueryError
    from diplograph.server.syntax import SyntaxChecker

    checker = SyntaxChecker()
    try:
        checker.check("update", "DROP GRAPH <http://example.org/not-there>", None, time.monotonic() + 30)
        with pytest.raises(QueryError, match="SPARQL syntax error"):
            checker.check("update", "DROP GRAPH", None, time.monotonic() + 30)
    finally:
        checker.close()


def _slow_while_others_are_answered(server, send):
    """Send a slow operation with `send()`: it gets 503 at the server's 2 s deadline, having
    delayed no other client. Returns the reply."""
    outcome = {}

    def slow():
        started = time.monotonic()
        outcome["reply"] = send()
        outcome["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=slow)
    sender.start()
    time.sleep(0.3)
    answered = 0
    while sender.is_alive():
        assert count(server, MEETINGS) > 0
        answered += 1
        time.sleep(0.1)
    sender.join()
    assert outcome["reply"].status == 503, outcome["reply"].text
    assert outcome["seconds"] < 6
    assert answered >= 3
    assert count(server, MEETINGS) > 0
    return outcome["reply"]


def _assert_nothing_works_on_it(server):
    """Nothing in diplograph's server goes on working on an operation it stopped."""
    time.sleep(0.5)  # the stopped process's replacement starts meanwhile
    before = _cpu_seconds(server.process.pid)
    time.sleep(1.5)
    assert _cpu_seconds(server.process.pid) - before < 0.75, "something still works on the stopped operation"


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by the process `pid` and its children (Linux's /proc)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry) == pid or int(fields[1]) == pid:  # fields[1] is the parent's pid
            ticks += int(fields[11]) + int(fields[12])  # user and system time
    return ticks / os.sysconf("SC_CLK_TCK")


def test_a_remote_store_that_cannot_be_reached_is_named_in_the_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    done = subprocess.run([diplograph_command(), "serve", "--port", "0", "--store", url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert f"cannot reach the store at {url}" in done.stderr


def test_check_reads_the_served_remote_store_and_finds_it_sound(server, remote):
    checked = run_cli("check", "--store", f"{remote.query_url} {remote.update_url}", "--no-reasoner")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "offsets of every mention" in checked.stdout and "SHACL: the data conforms" in checked.stdout


def test_health_says_whether_the_remote_store_answers(tmp_path):
    oxigraph = oxigraph_server()
    base = oxigraph.__enter__()
    try:
        with diplograph_server(f"{base}/query {base}/update", log=tmp_path / "serve.log") as running:
            assert json.loads(running.request("GET", "/healthz").body)["status"] == "ok"
            oxigraph.__exit__(None, None, None)  # the store goes away, the server stays
            oxigraph = None
            reply = running.request("GET", "/healthz")
            assert reply.status == 503 and json.loads(reply.body)["status"] == "store unreachable"
            query = running.request("GET", "/sparql?query=ASK%7B%7D",
                                    headers={"Accept": "application/sparql-results+json"})
            assert query.status == 502 and "cannot reach the store" in query.text
    finally:
        if oxigraph is not None:
            oxigraph.__exit__(None, None, None)


def test_resources_keep_their_iris(server):
    reply = server.request("GET", "/id/entity/ron-dermer", headers={"Accept": "application/n-triples"})
    assert f"<{ID_BASE}entity/ron-dermer>" in reply.text


def test_a_write_by_someone_else_is_seen_once_the_server_looks_again():
    """The server notices the store's size changed (it looks every 30 s; here at every turn) and
    computes graph sizes and the timeline from the store again."""
    from diplograph.server.remote import RemoteServedStore
    from diplograph.server.timeline.index import TimelineIndex
    from diplograph.store import RemoteStore

    with oxigraph_server() as base:
        served = RemoteServedStore(RemoteStore(f"{base}/query", f"{base}/update"), refresh=0)
        index = TimelineIndex(wait=30, first_wait=30)
        try:
            ours = f"{ID_BASE}graph/ours"
            served.write_graph(ours, [], replace=True)
            served.write_graph(ours, [_event_quad("ours")], replace=True)
            assert served.graph_sizes() == {ours: 1}
            snapshot, fresh = index.current(served)
            assert fresh and [e.label for e in snapshot.events] == []  # one triple is no whole event
            # Someone else writes a whole event straight into the store.
            theirs = f"{ID_BASE}graph/theirs"
            RemoteStore(f"{base}/query", f"{base}/update").replace_graphs({theirs: _event_quads("theirs")})
            deadline = time.monotonic() + 30
            while theirs not in served.graph_sizes():
                assert time.monotonic() < deadline, "the outside write was never seen"
                time.sleep(0.05)
            snapshot, fresh = index.current(served)
            assert fresh and [e.label for e in snapshot.events] == ["theirs summit"]
        finally:
            served.close()


def _event_quad(name: str):
    from pyoxigraph import Literal, NamedNode, Quad
    return Quad(NamedNode(f"{ID_BASE}event/{name}/summit"), NamedNode(f"{RDFS}label"), Literal(f"{name} summit"))


def _event_quads(name: str):
    from pyoxigraph import Literal, NamedNode, Quad
    event = NamedNode(f"{ID_BASE}event/{name}/summit")
    date = Literal("2024-03-01", datatype=NamedNode(f"{XSD}date"))
    return [Quad(event, NamedNode(f"{RDF}type"), NamedNode(f"{SEM}Event")),
            Quad(event, NamedNode(f"{RDF}type"), NamedNode(f"{DG}Meeting")),
            _event_quad(name),
            Quad(event, NamedNode(f"{SEM}hasEarliestBeginTimeStamp"), date),
            Quad(event, NamedNode(f"{SEM}hasLatestEndTimeStamp"), date),
            Quad(event, NamedNode(f"{DG}modality"), NamedNode(f"{DG}Occurred"))]
