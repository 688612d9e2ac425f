"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests, read from the manifests and run against a
running `diplograph serve` (see `w3c_protocol.diplograph_server`).

Each test is a series of requests to the manifest's graph store at /gsp, which is the server's
/store; the requests name graphs either in `?graph=` (indirect) or by their own URL under /gsp/…
(direct), with the manifest's host (`www.example`) as the Host header, so that the graph IRIs are
those the manifest means. Each reply is checked for its status, the headers the manifest gives
and, where it gives one, a body that is the same graph as the expected Turtle (blank nodes aside).
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from w3c_protocol import CNT, HT, MF, W3C_DIR, Reply, Server

GSP_MANIFESTS = [W3C_DIR / "gsp-manifest-direct.ttl", W3C_DIR / "gsp-manifest-indirect.ttl"]
LOCATION = "$LOCATION$"  # stands for the Location of the graph a POST just created


@dataclass(frozen=True)
class GspRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]
    response_headers: dict[str, str]
    response_body: str | None  # Turtle


@dataclass(frozen=True)
class GspTest:
    iri: str
    name: str
    authority: str
    requests: list[GspRequest]

    @property
    def local_name(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def read_gsp_manifest(path: Path) -> list[GspTest]:
    """Every test of a Graph Store Protocol manifest, in the manifest's order."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    (manifest,) = graph.subjects(MF.entries, None)
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = [_read_request(graph, node) for node in Collection(graph, graph.value(action, HT.requests))]
        tests.append(GspTest(str(entry), str(graph.value(entry, MF.name)),
                             str(graph.value(action, HT.connectionAuthority)), requests))
    return tests


def _headers(graph: rdflib.Graph, node) -> dict[str, str]:
    found = graph.value(node, HT.headers)
    if found is None:
        return {}
    return {str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
            for h in Collection(graph, found)}


def _body(graph: rdflib.Graph, node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def _status(iri) -> int:
    """hts:NoContent -> 204: the manifest names statuses as HTTPStatus does, in CamelCase."""
    name = str(iri).rsplit("#", 1)[-1]
    return http.HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()].value


def _read_request(graph: rdflib.Graph, node) -> GspRequest:
    response = graph.value(node, HT.resp)
    body = _body(graph, node)
    return GspRequest(
        str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)), _headers(graph, node),
        body.encode("utf-8") if body is not None else None,
        frozenset(_status(s) for s in graph.objects(response, MF.expectedStatus)),
        _headers(graph, response), _body(graph, response))


def run_gsp_test(server: Server, test: GspTest) -> list[str]:
    """Run a test's requests in order on an empty store; returns what went wrong (empty: passed).
    Every request carries the update token: the tests exercise the protocol, not its refusals."""
    cleared = server.update("DROP ALL")
    assert cleared.status == 204, cleared.text
    problems, location = [], None
    for number, step in enumerate(test.requests, 1):
        path = "/store" + step.path.removeprefix("/gsp")
        if LOCATION in path:
            if location is None:
                problems.append(f"request {number}: no Location from the request before")
                break
            path = path.replace(LOCATION, quote(location, safe=""))
        headers = {**step.headers, "Host": test.authority, "Authorization": f"Bearer {server.token}"}
        reply = server.request(step.method, path, step.body, headers)
        location = reply.headers.get("location", location)
        problem = check_reply(step, reply)
        if problem:
            problems.append(f"request {number} ({step.method} {path}): {problem}")
    return problems


def check_reply(step: GspRequest, reply: Reply) -> str | None:
    """What is wrong with `reply`, or None."""
    if reply.status not in step.statuses:
        return f"status {reply.status}, expected {' or '.join(map(str, sorted(step.statuses)))}: {reply.body[:300]!r}"
    for name, value in step.response_headers.items():
        if _normal(reply.headers.get(name, "")) != _normal(value):
            return f"{name} is {reply.headers.get(name)!r}, expected {value!r}"
    if step.method == "HEAD" and reply.body:
        return f"a HEAD answer has a body: {reply.body[:100]!r}"
    if step.response_body is not None:
        got = rdflib.Graph().parse(data=reply.body, format=reply.media_type)
        expected = rdflib.Graph().parse(data=step.response_body, format="turtle")
        if not isomorphic(got, expected):
            return f"the graph differs from the expected one:\n{reply.text}"
    return None


def _normal(header: str) -> str:
    """A header value with case and spaces around ';' made irrelevant (media types)."""
    return ";".join(part.strip() for part in header.lower().split(";"))
