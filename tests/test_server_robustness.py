"""A server that holds up: readers never see half an article while it is reloaded, a restart serves
the same data, a server killed in the middle of a load loses nothing it had, and hundreds of
malformed requests get clean answers, never a 500 or a stack trace.

Every test runs a real `diplograph serve` (a subprocess on an ephemeral loopback port, its store a
temporary folder); the other safety behaviours of the issue (timeouts, SERVICE, LOAD, FROM, the
update token) are in test_server_safety.py.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import shutil
import signal
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from support import FIXTURES, MINI
from w3c_protocol import diplograph_server, mini_store

from diplograph.loader import read_article
from diplograph.store import EmbeddedStore
from diplograph.store.results import replace_graphs_update

TOKEN = "robust-token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TSV = "text/tab-separated-values"


# ---- helpers ------------------------------------------------------------------------------------

def select(server, text: str, accept: str = "application/sparql-results+json"):
    """POST a query as a form, as most clients do."""
    return server.request("POST", "/sparql", urllib.parse.urlencode({"query": text}), {**FORM, "Accept": accept})


def count_in(server, graph: str) -> int:
    reply = select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def sorted_lines(reply, header: bool = False) -> list[str]:
    """The lines of an answer (complete, not cut at the row cap), sorted; `header` drops the first
    line, the variables of CSV and TSV results."""
    assert reply.status == 200, reply.text
    assert reply.headers["x-diplograph-truncated"] == "false"
    lines = reply.text.splitlines()
    return sorted(lines[1:] if header else lines)


def quads_of(server, graph: str | None = None) -> list[str]:
    """Every quad (of one graph, or of the store) as sorted TSV lines: N-Quads terms, one per cell."""
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }} BIND(<{graph}> AS ?g)" if graph else "GRAPH ?g { ?s ?p ?o }"
    return sorted_lines(select(server, f"SELECT ?g ?s ?p ?o WHERE {{ {where} }}", TSV), header=True)


def two_versions(folder: Path):
    """The mini article as annotated, and a later annotation of it with one event fewer."""
    shutil.copy(FIXTURES / "mini.txt", folder / "mini.txt")
    text = MINI.read_text(encoding="utf-8")
    (folder / "mini.yaml").write_text(text[: text.index("  cease-fire:")] + text[text.index("claims:"):],
                                      encoding="utf-8")
    return read_article(MINI), read_article(folder / "mini.yaml")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (USER_HZ = 100)


# ---- readers during reloads ---------------------------------------------------------------------

def test_concurrent_readers_during_reloads_always_see_a_whole_article(tmp_path):
    full, fewer = two_versions(tmp_path)
    assert full.graph == fewer.graph and len(full.quads) != len(fewer.quads)
    whole = {len(full.quads), len(fewer.quads)}
    # Each reload is one request, as `diplograph load --server` sends it: drop the graph, insert it again.
    reloads = [replace_graphs_update({full.graph: version.quads}) for version in (fewer, full)]
    counting = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{full.graph}> {{ ?s ?p ?o }} }}"
    store = mini_store(tmp_path)
    with diplograph_server(store, "--workers", "2", token=TOKEN) as server:
        done = threading.Event()

        def write() -> int:
            rounds = 0
            try:
                while rounds < 40:
                    reply = server.update(reloads[rounds % 2])
                    assert reply.status == 204, reply.text
                    rounds += 1
            finally:
                done.set()
            return rounds

        def read() -> list[int]:
            counts = []
            while not done.is_set() or len(counts) < 5:
                reply = select(server, counting)
                assert reply.status == 200, reply.text
                counts.append(int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"]))
            return counts

        with ThreadPoolExecutor(4) as pool:
            writer = pool.submit(write)
            readers = [pool.submit(read) for _ in range(3)]
            assert writer.result(timeout=60) == 40
            seen = [n for reader in readers for n in reader.result(timeout=60)]
        assert set(seen) <= whole, f"a reader saw part of an article: {sorted(set(seen) - whole)}"
        assert set(seen) == whole, "the readers should have seen both versions while the writer ran"
        assert len(seen) >= 40
        assert count_in(server, full.graph) == len(full.quads)  # the last reload put the full version back


# ---- restart --------------------------------------------------------------------------------------

def answers(server) -> dict[str, object]:
    """What a client would compare across a restart: labels, every quad, the graphs and their sizes."""
    labels = select(server, "SELECT ?e ?label WHERE { ?e a sem:Event ; rdfs:label ?label }", "text/csv")
    sizes = select(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "text/csv")
    construct = select(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    return {"labels": sorted_lines(labels, header=True), "sizes": sorted_lines(sizes, header=True),
            "quads": quads_of(server), "triples": sorted_lines(construct)}


def test_the_server_restarted_on_the_same_store_serves_the_same_data(tmp_path):
    store = mini_store(tmp_path)
    options = ("--max-rows", "100000")
    with diplograph_server(store, *options, token=TOKEN) as first:
        # A write made over HTTP just before the stop is part of what must survive it.
        added = first.update('INSERT DATA { GRAPH <http://example.org/added> { <http://example.org/a> '
                             '<http://www.w3.org/2000/01/rdf-schema#label> "written over HTTP"@en } }')
        assert added.status == 204
        before = answers(first)
    assert first.process.returncode == 0, "SIGTERM should stop the server cleanly"
    assert len(before["labels"]) == 3 and len(before["sizes"]) == 3  # mini's events; mini, ontology, added
    assert any("written over HTTP" in line for line in before["quads"])

    with diplograph_server(store, *options) as second:
        assert answers(second) == before


# ---- a long update -------------------------------------------------------------------------------

def test_a_long_flat_update_does_not_take_the_server_down(tmp_path):
    # Thousands of BINDs nest no brackets but parse deep: they once overflowed a server thread's stack.
    binds = " ".join(f"BIND({i} AS ?v{i})" for i in range(3000))
    update = f"INSERT {{ GRAPH <http://example.org/long> {{ <http://example.org/a> <http://example.org/b> ?v1 }} }} " \
             f"WHERE {{ {binds} }}"
    with diplograph_server(mini_store(tmp_path), token=TOKEN) as server:
        assert server.update(update).status == 204
        assert count_in(server, "http://example.org/long") == 1


# ---- kill during a load ---------------------------------------------------------------------------

def test_killing_the_server_during_a_load_loses_no_loaded_article(tmp_path):
    article = read_article(MINI)
    store = mini_store(tmp_path)
    opened = EmbeddedStore(store)
    nquads_before = opened.export("nquads", article.graph)
    opened.close()
    # A load that replaces the article and writes a synthetic graph of a million triples: it runs
    # for many seconds, so the kill lands while its transaction is open.
    values = " ".join(str(i) for i in range(100))
    load = (f"DROP GRAPH <{article.graph}> ;\n"
            "INSERT { GRAPH <http://example.org/synthetic> { ?s <http://example.org/p> ?c } } WHERE { "
            f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} "
            'BIND(IRI(CONCAT("http://example.org/s/", STR(?a), "/", STR(?b))) AS ?s) }')

    with diplograph_server(store, token=TOKEN) as server:
        quads_before = quads_of(server, article.graph)
        assert len(quads_before) == len(article.quads)
        outcome: dict[str, object] = {}

        def send_load() -> None:
            try:
                outcome["reply"] = server.update(load)
            except (OSError, http.client.HTTPException) as err:
                outcome["error"] = err

        pid = server.process.pid
        idle = cpu_seconds(pid)
        sender = threading.Thread(target=send_load)
        sender.start()
        deadline = time.monotonic() + 30
        while cpu_seconds(pid) - idle < 1.0:  # a second of work on the load, then the kill
            assert time.monotonic() < deadline and sender.is_alive(), outcome
            time.sleep(0.02)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        sender.join(10)
        assert "reply" not in outcome, "the load finished before the kill: make it bigger"

    with diplograph_server(store, token=TOKEN) as restarted:
        assert count_in(restarted, article.graph) == len(article.quads)
        assert quads_of(restarted, article.graph) == quads_before
        assert count_in(restarted, "http://example.org/synthetic") == 0
        # The store is writable again, and the write is seen.
        assert restarted.update('INSERT DATA { GRAPH <http://example.org/after> { <http://example.org/a> '
                                '<http://example.org/b> "c" } }').status == 204
        assert count_in(restarted, "http://example.org/after") == 1
    opened = EmbeddedStore(store)
    try:
        assert opened.export("nquads", article.graph) == nquads_before
    finally:
        opened.close()


# ---- fuzz -----------------------------------------------------------------------------------------

SEED = 20241113
CASES = 800  # requests sent, at most…
FUZZ_SECONDS = 30.0  # …and for at most this long

QUERIES = [
    "ASK {}",
    "SELECT ?e ?label WHERE { ?e a sem:Event ; rdfs:label ?label } ORDER BY ?label LIMIT 5",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    'SELECT * WHERE { ?e rdfs:label ?l FILTER(CONTAINS(LCASE(?l), "envoy")) } LIMIT 3',
    "CONSTRUCT WHERE { ?e a dg:Meeting ; ?p ?o }",
    "DESCRIBE <https://w3id.org/diplograph/id/entity/envoy>",
]
UPDATES = [
    'INSERT DATA { GRAPH <http://example.org/fuzz> { <http://example.org/a> <http://example.org/b> "c" } }',
    "DELETE WHERE { GRAPH <http://example.org/fuzz> { ?s ?p ?o } }",
]
SPARQL_CHARS = "{}()[]<>\"'?$#.;,:\\@^|/*+-!=_ \n\tAZaz09"
ODD_TEXT = ["\x00", "\ud800", "\uffff", "\U0010ffff", "é", "\u202e", "\r\n", "%", "%zz", "%ff", "&", "="]
ACCEPTS = ["foo/bar", "*/*;q=0", "text/html", "application/sparql-results+json;q=abc", "*", ";;;,,,",
           "text/*;q=0.5, */*;q=-1", "application/json;q=nan", ",".join(["text/x;q=0.1"] * 2000),
           "application/sparql-results+json; charset=utf-16", "\xff\xfe", "image/png", ""]
CONTENT_TYPES = ["application/sparql-query; charset=latin1", "application/x-www-form-urlencoded; charset=utf-16",
                 "multipart/form-data; boundary=x", "text/plain", "", ";;;", "application/sparql-query\x00",
                 "APPLICATION/SPARQL-QUERY", 'application/sparql-update; charset="utf-8"', "application/",
                 "application/x-www-form-urlencoded; charset"]
PATHS = ["/../../etc/passwd", "/sparql/..%2f..%2fetc%2fpasswd", "/%00", "/sparql%00", "//sparql", "/sparql/",
         "/sparql;x=1", "/" + "a" * 10_000, "*", "http://evil.example/sparql", "sparql", "/\\..\\..\\",
         "/%ff%fe", "/%", "/%zz", "/.well-known/../healthz", "/healthz?x=%ff", "/sparql?%ff=1",
         "/sparql?" + "x" * 60_000, "/healthz/../../sparql", "/sparql#fragment", "/\xc3\xa9", "/sparql?query",
         "/x%0D%0Aforged%20line", "/%1b[2J%1b[31m", "/%e2%80%a8", "/%c2%85"]
PARAMETERS = ["query=ASK%7B%7D", "query=", "query", "update=CLEAR%20ALL", "default-graph-uri=not%20an%20iri",
              "default-graph-uri=http://x/", "named-graph-uri=", "using-graph-uri=http://x/", "=", "&", "%ff=1",
              "query=%ff", "x=" + "y" * 5000]
METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "FOO", "get", "HEAD", "OPTIONS", "POST ", "G\x00ET",
           "PROPFIND"]
VERSIONS = ["HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1x", "", "FOO/1.1", "HTTP/1.1 extra"]
HOST, CLOSE, FORM_TYPE = ("Host", "127.0.0.1"), ("Connection", "close"), tuple(FORM.items())[0]


@dataclass(frozen=True)
class Case:
    """A malformed request and what answers are clean for it."""

    what: str
    data: bytes
    never_ends: bool = False  # the body never comes, so closing without an answer is fine too
    also: frozenset[int] = frozenset()  # a 5xx that HTTP itself prescribes for this request


def request_bytes(method: str, target: str | bytes, headers=(), body: bytes = b"", version: str = "HTTP/1.1",
                  length: int | str | None = None) -> bytes:
    """One request as raw bytes, exactly as given: a wrong `length` is sent as it is."""
    as_bytes = lambda value: value if isinstance(value, bytes) else value.encode("latin-1")  # noqa: E731
    lines = [b" ".join(as_bytes(part) for part in (method, target, version) if part)]
    lines += [as_bytes(name) + b": " + as_bytes(value) for name, value in headers]
    if body or length is not None:
        lines.append(b"Content-Length: " + str(len(body) if length is None else length).encode())
    return b"\r\n".join([*lines, b"", b""]) + body


def pct(data: bytes) -> str:
    return urllib.parse.quote_from_bytes(data, safe="")


def mutate(rng: random.Random, text: str) -> bytes:
    """`text` with a few random edits, some of which leave bytes that are not UTF-8."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(chars) + 1)
        edit = rng.random()
        if edit < 0.3 and chars:
            del chars[min(where, len(chars) - 1)]
        elif edit < 0.6:
            chars.insert(where, rng.choice(SPARQL_CHARS))
        elif edit < 0.8:
            chars.insert(where, rng.choice(ODD_TEXT))
        else:
            chars = chars[:where]  # cut short
    return "".join(chars).encode("utf-8", "surrogatepass")


def bad_syntax(rng: random.Random) -> Case:
    text = mutate(rng, rng.choice(QUERIES))
    how = rng.choice(["GET", "form", "direct"])
    if how == "GET":
        return Case("bad syntax, GET", request_bytes("GET", "/sparql?query=" + pct(text), [HOST, CLOSE]))
    if how == "form":
        return Case("bad syntax, form", request_bytes("POST", "/sparql", [HOST, CLOSE, FORM_TYPE],
                                                      b"query=" + pct(text).encode()))
    return Case("bad syntax, direct POST", request_bytes(
        "POST", "/sparql", [HOST, CLOSE, ("Content-Type", "application/sparql-query")], text))


def bad_update(rng: random.Random) -> Case:
    """Mutated updates, with the right token too (they may only touch the graph <…/fuzz>)."""
    auth = rng.choice([f"Bearer {TOKEN}", "Bearer wrong", "Basic Zm9vOmJhcg==", "Bearer", "\xff\xfe"])
    headers = [HOST, CLOSE, ("Authorization", auth), ("Content-Type", "application/sparql-update")]
    return Case("bad update", request_bytes("POST", "/sparql", headers, mutate(rng, rng.choice(UPDATES))))


def invalid_bytes(rng: random.Random) -> Case:
    raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 128)))
    if rng.random() < 0.5:
        return Case("invalid bytes in the query string", request_bytes("GET", b"/sparql?query=" + raw, [HOST, CLOSE]))
    ctype = rng.choice(["application/sparql-query", "application/x-www-form-urlencoded"])
    return Case("invalid bytes in the body", request_bytes(
        "POST", "/sparql", [HOST, CLOSE, ("Content-Type", ctype)], rng.choice([b"query=", b""]) + raw))


def odd_headers(rng: random.Random) -> Case:
    odd = rng.choice([
        [("X-Big", "x" * rng.choice([10_000, 300_000]))], [(f"X-{i}", "y") for i in range(rng.choice([100, 2000]))],
        [("Bad Header Name", "x")], [("X-Nul", "a\x00b")], [("X-Fold", "a\r\n folded")], [("X-Bare-CR", "a\rb")],
        [("Host", "a b<>")], [("Host", "[::1")], [("Host", "\xff\xfe")], [("Host", "")], [("Host", "x"), ("Host", "y")],
        [("Transfer-Encoding", "chunked, gzip")], [("Transfer-Encoding", "chunked")], [("Expect", "100-continue")],
        [("X-Bytes", bytes(rng.randrange(128, 256) for _ in range(20)))], [("Accept", rng.choice(ACCEPTS))],
        [("Accept-Encoding", "\xff" * 100)], [("Authorization", "Bearer " + "x" * 50_000)],
    ])
    name = odd[0][0]
    headers = [CLOSE, *odd] if name == "Host" else [HOST, CLOSE, *odd]
    data = request_bytes("GET", "/sparql?query=ASK%7B%7D", headers)
    if rng.random() < 0.2:  # the same, without a colon or a name
        data = data.replace(b"Connection: close", rng.choice([b"X-No-Colon", b": no name", b" leading-space: x"]))
    # Waitress answers `Expect: 100-continue` with 100 Continue even when no body follows, then
    # waits for one; a chunked GET without chunks waits for them too.
    never_ends = name == "Expect" or (name == "Transfer-Encoding" and odd[0][1] == "chunked")
    # RFC 9112 (6.1): a transfer coding the server does not know gets 501 Not Implemented.
    also = frozenset({501}) if name == "Transfer-Encoding" else frozenset()
    return Case(f"odd header {name}", data, never_ends, also)


def odd_path(rng: random.Random) -> Case:
    return Case("odd path", request_bytes(rng.choice(["GET", "POST"]), rng.choice(PATHS), [HOST, CLOSE]))


def repeated_parameters(rng: random.Random) -> Case:
    pairs = "&".join(rng.choice(PARAMETERS) for _ in range(rng.randint(2, 40)))
    if rng.random() < 0.5:
        return Case("repeated parameters, GET", request_bytes("GET", "/sparql?" + pairs, [HOST, CLOSE]))
    return Case("repeated parameters, form", request_bytes("POST", "/sparql", [HOST, CLOSE, FORM_TYPE], pairs.encode()))


def wrong_method(rng: random.Random) -> Case:
    method = rng.choice(METHODS)
    body = b"query=ASK%7B%7D" if rng.random() < 0.5 else b""
    return Case(f"method {method!r}", request_bytes(method, rng.choice(["/sparql", "/healthz", "/"]),
                                                    [HOST, CLOSE, FORM_TYPE], body))


def odd_version(rng: random.Random) -> Case:
    version = rng.choice(VERSIONS)
    return Case(f"version {version!r}", request_bytes("GET", "/sparql?query=ASK%7B%7D", [HOST, CLOSE], version=version))


def wrong_length(rng: random.Random) -> Case:
    body = b"query=" + pct(rng.choice(QUERIES).encode()).encode()
    length = rng.choice([len(body) + 50, len(body) // 2, 0, -1, "abc", "1e3", "0x10", " ", "9" * 20,
                         f"{len(body)}, {len(body) + 1}"])
    return Case(f"Content-Length {length!r} for {len(body)} bytes",
                request_bytes("POST", "/sparql", [HOST, CLOSE, FORM_TYPE], body, length=length),
                never_ends=isinstance(length, int) and length > len(body))


def wrong_content_type(rng: random.Random) -> Case:
    ctype = rng.choice(CONTENT_TYPES)
    return Case(f"Content-Type {ctype!r}", request_bytes("POST", "/sparql", [HOST, CLOSE, ("Content-Type", ctype)],
                                                         rng.choice(QUERIES).encode()))


def big_body(rng: random.Random) -> Case:
    size = rng.choice([1024 * 1024 + 1, 3 * 1024 * 1024])
    return Case(f"a body of {size} bytes", request_bytes("POST", "/sparql", [HOST, CLOSE, FORM_TYPE],
                                                         b"query=" + b"A" * size))


def pipelined(rng: random.Random) -> Case:
    """A good request, then a malformed one on the same connection: both are answered."""
    good = request_bytes("GET", "/sparql?query=ASK%7B%7D", [HOST])
    return Case("pipelined", good + rng.choice([bad_syntax, odd_path, wrong_method, odd_version])(rng).data)


KINDS = [bad_syntax, bad_syntax, bad_update, invalid_bytes, odd_headers, odd_path, repeated_parameters,
         wrong_method, odd_version, wrong_length, wrong_content_type, big_body, pipelined]

# Operations that crash a query engine that recurses without limit (its stack overflows), and the
# answer each gets: refused for its nesting, or answered when its worker process dies.
PATHOLOGICAL = [
    ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, "nested more than"),
    ("ASK { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }", "nested more than"),
    ("SELECT * WHERE { ?s ?p ?o " + "FILTER EXISTS { ?s ?p ?o " * 2000 + "}" * 2000 + "}", "nested more than"),
    ("SELECT * WHERE { " + " ".join(f"BIND({i} AS ?x{i})" for i in range(20000)) + "}", "stopped while evaluating"),
]
FORGING_PATH = "/x%0D%0A2026-01-01%2000:00:00,000%20diplograph.server%20forged%20line"
DEEP_UPDATE = "INSERT { GRAPH <http://example.org/fuzz> { <a:a> <a:b> 1 } } WHERE " + "{" * 5000 + "}" * 5000


def exchange(server, data: bytes, seconds: float = 10.0) -> bytes:
    """Send raw bytes on a new connection, say that nothing more comes, and read the whole answer."""
    with socket.create_connection((server.host, server.port), timeout=seconds) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer (413, 431) and close before it has read everything
        received, deadline = b"", time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            received += chunk
        return received


STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ", re.MULTILINE)


def check_answer(case: Case, answer: bytes) -> int | None:
    """Every final answer is 2xx-4xx (or a 5xx HTTP prescribes) and holds no stack trace; returns
    the first status, None when the server closed without one (only for a request that never ends)."""
    statuses = [int(s) for s in STATUS_LINE.findall(answer) if not s.startswith(b"1")]  # 100 Continue is interim
    if not statuses:
        assert case.never_ends, f"{case.what}: no answer ({answer[:200]!r})"
        return None
    assert answer.startswith(b"HTTP/1."), f"{case.what}: not an HTTP answer: {answer[:200]!r}"
    for status in statuses:
        assert 200 <= status < 500 or status in case.also, f"{case.what}: {status}: {answer[:500]!r}"
    assert b"Traceback" not in answer and b'File "' not in answer, f"{case.what}: a stack trace: {answer[:2000]!r}"
    return statuses[0]


def test_fuzz_malformed_requests_get_clean_4xx_never_500(tmp_path):
    store = mini_store(tmp_path)
    with diplograph_server(store, "--query-timeout", "20", token=TOKEN) as server:
        for text, message in PATHOLOGICAL:
            reply = select(server, text)
            assert reply.status == 400 and message in reply.text, (text[:40], reply.status, reply.text)
        # Brackets in strings, IRIs and comments are no nesting; moderate nesting is fine.
        harmless = ('SELECT ?x WHERE { BIND("' + "{(" * 5000 + '" AS ?x) FILTER(?x != <http://x/((((>) } # '
                    + "{" * 5000)
        assert select(server, harmless).status == 200
        assert select(server, "ASK " + "{ " * 60 + "}" * 60).status == 200
        # An update runs in the server's own process: nested too deep, it would kill the server.
        deep = server.update(DEEP_UPDATE)
        assert deep.status == 400 and "nested more than" in deep.text
        # A path that decodes to a line break stays on its own request's log line (checked below).
        assert exchange(server, request_bytes("GET", FORGING_PATH, [HOST, CLOSE])).startswith(b"HTTP/1.1 404")

        rng, seen = random.Random(SEED), {}
        started = time.monotonic()
        for sent in range(CASES):
            if time.monotonic() - started > FUZZ_SECONDS:
                break
            case = rng.choice(KINDS)(rng)
            status = check_answer(case, exchange(server, case.data))
            seen[status] = seen.get(status, 0) + 1
        assert sent >= 300, f"only {sent} requests in {FUZZ_SECONDS:g} s"
        # Results, refusals, and waitress's own answers to broken HTTP all came up.
        assert {200, 400, 401, 403, 404, 405, 406, 413, 415} <= seen.keys(), seen

        health = server.request("GET", "/healthz")
        assert health.status == 200 and json.loads(health.body)["status"] == "ok"
        assert select(server, "ASK { ?e a dg:Meeting }").status == 200
        log = server.log.read_text(errors="replace")
        assert "internal error" not in log and "Traceback" not in log, log[-3000:]
        # One line per request, whatever its path held (a decoded %0A would forge a line).
        forged = [line for line in log.split("\n") if line and not re.match(r"\d{4}-\d\d-\d\d \d\d:", line)]
        assert not forged, forged[:5]
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]", log), "control characters in the log"
