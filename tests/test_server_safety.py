"""Safer than the servers people use: no request ever leaves the server (SERVICE, LOAD), no file is
ever read (FROM, default-graph-uri), updates need the token, a query that runs out of time is
really stopped while others are answered, a long answer is cut visibly, and a query after an
update sees it."""

from __future__ import annotations

import csv
import io
import json
import select
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from pyoxigraph import RdfFormat, parse
from w3c_protocol import diplograph_server, mini_store

from diplograph.store.lexer import add_using, declares_dataset, keywords

TOKEN = "s3cret"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
QUERY_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = mini_store(tmp_path_factory.mktemp("safety"))
    with diplograph_server(store, "--query-timeout", "2", "--max-rows", "5", token=TOKEN) as running:
        yield running


@contextmanager
def listener():
    """A TCP listener on 127.0.0.1 that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock
    finally:
        sock.close()


def connected(sock: socket.socket, wait: float = 1.0) -> bool:
    readable, _, _ = select.select([sock], [], [], wait)
    return bool(readable)


def query(server, text: str, accept: str = "application/sparql-results+json", **params):
    pairs = [("query", text)] + [(k.replace("_", "-"), v) for k, v in params.items()]
    return server.request("POST", "/sparql", urllib.parse.urlencode(pairs), {**QUERY_FORM, "Accept": accept})


def ask(server, text: str) -> bool:
    reply = query(server, text)
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"]


def solutions(reply) -> list[dict]:
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["results"]["bindings"]


def test_service_never_reaches_the_address_it_names(server):
    with listener() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
        attempts = [
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
            f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
            f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p \"#\" . # \"\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        ]
        for text in attempts:
            reply = query(server, text)
            assert reply.status == 400, (text, reply.status)
            assert "SERVICE is refused" in reply.text
        update = server.update(f"INSERT {{ GRAPH <http://example.org/g> {{ ?s ?p ?o }} }} "
                               f"WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
        assert update.status == 400
        assert not connected(sock), "a SERVICE request reached the listener"


def test_the_word_service_in_strings_iris_names_and_comments_is_not_refused(server):
    text = ('SELECT ?service WHERE { BIND("SERVICE <http://x/> {}" AS ?service) '
            "FILTER(?service != <http://example.org/SERVICE>) } # SERVICE <http://x/> {}")
    assert len(solutions(query(server, text))) == 1


def test_load_fetches_and_reads_nothing(server):
    before = solutions(query(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
    with listener() as sock:
        for source in ("file:///etc/passwd", f"http://127.0.0.1:{sock.getsockname()[1]}/data.ttl"):
            for text in (f"LOAD <{source}>", f"LOAD SILENT <{source}> INTO GRAPH <http://example.org/loaded>"):
                reply = server.update(text)
                assert reply.status == 400, text
                assert "LOAD is refused" in reply.text
        assert not connected(sock), "LOAD reached the listener"
    assert solutions(query(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")) == before


def test_from_and_dataset_parameters_read_no_file(server):
    assert solutions(query(server, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")) == []
    assert solutions(query(server, "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }")) == []
    assert solutions(query(server, "SELECT * WHERE { ?s ?p ?o }", default_graph_uri="file:///etc/passwd")) == []
    assert solutions(query(server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                           named_graph_uri="file:///etc/passwd")) == []


def test_from_names_a_graph_of_the_store(server):
    graphs = [b["g"]["value"] for b in solutions(query(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))]
    counts = {g: int(solutions(query(server, f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}"))[0]["n"]["value"])
              for g in graphs}
    total = int(solutions(query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))[0]["n"]["value"])
    assert len(counts) == 2 and all(counts.values()) and sum(counts.values()) == total


def test_an_update_without_the_token_changes_nothing(server, tmp_path):
    insert = 'INSERT DATA { GRAPH <http://example.org/intruder> { <http://example.org/a> <http://example.org/b> "c" } }'
    sent = {"Content-Type": "application/sparql-update"}
    missing = server.request("POST", "/sparql", insert, sent)
    assert missing.status == 401 and "Authorization: Bearer" in missing.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = server.request("POST", "/sparql", insert, {**sent, "Authorization": "Bearer guess"})
    assert wrong.status == 403
    form = server.request("POST", "/sparql", urllib.parse.urlencode({"update": insert}), QUERY_FORM)
    assert form.status == 401
    assert not ask(server, "ASK { GRAPH <http://example.org/intruder> { ?s ?p ?o } }")

    with diplograph_server(mini_store(tmp_path)) as read_only:
        refused = read_only.request("POST", "/sparql", insert, {**sent, "Authorization": "Bearer anything"})
        assert refused.status == 403
        assert "--update-token" in refused.text and "DIPLOGRAPH_UPDATE_TOKEN" in refused.text
        assert not ask(read_only, "ASK { GRAPH <http://example.org/intruder> { ?s ?p ?o } }")


def test_a_query_after_an_update_sees_it(server):
    # Several rounds, so that both workers answer after a write.
    for n in range(12):
        assert server.update(f'INSERT DATA {{ GRAPH <http://example.org/seen> {{ <http://example.org/x> '
                             f'<http://example.org/n> {n} }} }}').status == 204
        assert ask(server, f"ASK {{ <http://example.org/x> <http://example.org/n> {n} }}")
    assert server.update("DROP GRAPH <http://example.org/seen>").status == 204
    assert not ask(server, "ASK { GRAPH <http://example.org/seen> { ?s ?p ?o } }")


def test_a_query_that_runs_out_of_time_gets_503_while_other_clients_are_answered(server):
    outcome = {}

    def explode():
        started = time.monotonic()
        outcome["reply"] = query(server, EXPLOSIVE)
        outcome["seconds"] = time.monotonic() - started

    heavy = threading.Thread(target=explode)
    heavy.start()
    time.sleep(0.3)
    answered = []
    while heavy.is_alive():
        started = time.monotonic()
        assert ask(server, "ASK { ?e a dg:Meeting }")
        answered.append(time.monotonic() - started)
        time.sleep(0.1)
    heavy.join()
    reply = outcome["reply"]
    assert reply.status == 503
    assert "longer than 2 s" in reply.text and "stopped" in reply.text
    assert 1.9 <= outcome["seconds"] < 6
    assert len(answered) >= 5 and max(answered) < 1.5
    # The stopped worker is replaced: both are there again, and queries still work.
    deadline = time.monotonic() + 30
    while json.loads(server.request("GET", "/healthz").body)["query_workers"] < 2:
        assert time.monotonic() < deadline, "the stopped worker was not replaced"
        time.sleep(0.1)
    assert ask(server, "ASK { ?e a dg:Meeting }")


@pytest.mark.parametrize("text, accept", [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
])
def test_a_long_answer_is_cut_at_max_rows_and_says_so(server, text, accept):
    reply = query(server, text, accept)
    assert reply.status == 200
    assert reply.headers["x-diplograph-truncated"] == "true"
    assert reply.headers["x-diplograph-max-rows"] == "5"
    if accept == "application/n-triples":
        assert len(reply.text.strip().splitlines()) == 5
    else:
        assert len(solutions(reply)) == 5
    short = query(server, "SELECT ?e WHERE { ?e a dg:Meeting }")
    assert short.headers["x-diplograph-truncated"] == "false"


SOLUTION_COUNTS = {
    "application/sparql-results+json": lambda body: len(json.loads(body)["results"]["bindings"]),
    "application/sparql-results+xml": lambda body: body.count(b"<result>"),
    "text/csv": lambda body: len(list(csv.reader(io.StringIO(body.decode(), newline="")))) - 1,
    "text/tab-separated-values": lambda body: len(body.decode().strip("\n").split("\n")) - 1,
}
GRAPH_FORMATS = {"text/turtle": RdfFormat.TURTLE, "application/n-triples": RdfFormat.N_TRIPLES,
                 "application/n-quads": RdfFormat.N_QUADS, "application/trig": RdfFormat.TRIG,
                 "application/ld+json": RdfFormat.JSON_LD, "application/rdf+xml": RdfFormat.RDF_XML}


@pytest.mark.parametrize("accept", [*SOLUTION_COUNTS, *GRAPH_FORMATS])
def test_every_format_is_cut_at_max_rows_with_the_header_set(server, accept):
    graph = accept in GRAPH_FORMATS
    reply = query(server, "CONSTRUCT WHERE { ?s ?p ?o }" if graph else "SELECT * WHERE { ?s ?p ?o }", accept)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith(accept)
    assert reply.headers["x-diplograph-truncated"] == "true"
    assert reply.headers["x-diplograph-max-rows"] == "5"
    rows = (len(list(parse(reply.body, format=GRAPH_FORMATS[accept]))) if graph
            else SOLUTION_COUNTS[accept](reply.body))
    assert rows == 5
    # Exactly at the cap is not cut.
    exact = query(server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5" if graph
                  else "SELECT * WHERE { ?s ?p ?o } LIMIT 5", accept)
    assert exact.headers["x-diplograph-truncated"] == "false"


def test_the_lexer_finds_keywords_only_outside_strings_iris_and_comments():
    assert "SERVICE" in keywords("SELECT * { ex:a\\#b SERVICE <x> {} }")  # an escaped # is no comment
    assert "SERVICE" not in keywords("SELECT ?service { <http://a/SERVICE> ex:SERVICE 'SERVICE', \"\"\"SERVICE\"\"\" }")
    assert "SERVICE" not in keywords("SELECT * { ?s ?p \"x\"@service } # SERVICE")
    assert "SERVICE" in keywords("SELECT * { \\u0053ERVICE <x> {} }")
    assert declares_dataset("SELECT * FROM <g> { }") and not declares_dataset("SELECT * { ?s ?p 'FROM' }")


def test_using_clauses_go_before_each_top_level_where_only():
    update = ("INSERT { ?s a <C> } WHERE { { SELECT ?s WHERE { ?s ?p 'WHERE' } } } ;\n"
              "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; INSERT DATA { <a> <b> <c> }")
    assert add_using(update, ["http://g/1"], ["http://g/2"]) == (
        "INSERT { ?s a <C> } USING <http://g/1> USING NAMED <http://g/2> WHERE { { SELECT ?s WHERE { ?s ?p 'WHERE' } } } ;\n"
        "DELETE { ?s ?p ?o } USING <http://g/1> USING NAMED <http://g/2> WHERE { ?s ?p ?o } ; INSERT DATA { <a> <b> <c> }")


def test_old_checkpoints_are_deleted_once_no_worker_reads_them(tmp_path):
    store = mini_store(tmp_path)
    with diplograph_server(store, token=TOKEN) as running:
        workers = json.loads(running.request("GET", "/healthz").body)["query_workers"]
        for n in range(8):
            assert running.update(f'INSERT DATA {{ GRAPH <http://example.org/n> {{ <http://example.org/x> '
                                  f'<http://example.org/n> {n} }} }}').status == 204
            # Several clients at once, so that more than one worker reads each state.
            with ThreadPoolExecutor(2 * workers) as clients:
                answers = list(clients.map(
                    lambda _: ask(running, f"ASK {{ <http://example.org/x> <http://example.org/n> {n} }}"),
                    range(4 * workers)))
            assert all(answers)
        assert running.update("INSERT DATA { GRAPH <http://example.org/n> { <http://example.org/x> "
                              "<http://example.org/n> 8 } }").status == 204
        assert ask(running, "ASK { <http://example.org/x> <http://example.org/n> 8 }")
        # Nine writes made ten checkpoints; only the newest is left, even though the workers that
        # sat idle since the last burst were never given another query.
        assert sorted(int(p.name) for p in tmp_path.glob(".store-checkpoints-*/*")) == [9]


def test_stopping_the_server_removes_its_checkpoints(tmp_path):
    store = mini_store(tmp_path)
    (tmp_path / ".store-checkpoints-left-by-a-killed-server").mkdir()
    with diplograph_server(store) as running:
        assert [p.name for p in tmp_path.glob(".store-checkpoints-*") if "killed" in p.name] == []
        assert running.request("GET", "/healthz").status == 200
        process = running.process
    assert process.returncode == 0
    assert list(tmp_path.glob(".store-checkpoints-*")) == []
    assert "stopped" in running.log.read_text()


def test_an_update_the_store_refuses_gets_400_saying_why_and_changes_nothing(server):
    assert server.update("INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/k> "
                         "<http://example.org/n> 1 } }").status == 204
    reply = server.update("DROP GRAPH <http://example.org/kept> ; DROP GRAPH <http://example.org/never-made>")
    assert reply.status == 400
    assert "does not exist" in reply.text and "SILENT" in reply.text
    assert ask(server, "ASK { GRAPH <http://example.org/kept> { ?s ?p ?o } }")  # the first DROP was undone
    assert server.update("DROP GRAPH <http://example.org/kept>").status == 204
