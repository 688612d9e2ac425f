"""A running `diplograph serve` as the target of `diplograph load --server URL --token T`.

The graphs go to the server's SPARQL endpoint in one update request with the update token; the
server runs one request as one transaction, so its readers see each article whole, old or new,
never half written. Every failure is one StoreError saying what to do.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import urllib.request
from typing import Iterable
from urllib.error import HTTPError, URLError

from pyoxigraph import Quad

from diplograph.errors import StoreError

from .results import replace_graphs_update

SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class ServerStore:
    """The diplograph server at `url` (its address, or its /sparql endpoint), written with `token`."""

    def __init__(self, url: str, token: str, timeout: float = 600.0):
        base = url.rstrip("/").removesuffix("/sparql")
        self.location, self.endpoint = base, base + "/sparql"
        self.token, self.timeout = token, timeout

    def replace_graphs(self, graphs: dict[str, Iterable[Quad]]) -> None:
        """Make each graph hold exactly its quads, in one request: all or nothing."""
        body = replace_graphs_update(graphs).encode("utf-8")
        self._send(urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {self.token}"}))

    def count(self) -> int:
        """How many quads the server's named graphs hold."""
        return sum(self._sizes().values())

    def graphs(self) -> list[str]:
        """The names of the server's named graphs, sorted."""
        return sorted(self._sizes())

    def close(self) -> None:
        """Nothing to release: each request has its own connection."""

    def _sizes(self) -> dict[str, int]:
        url = self.endpoint + "?" + urllib.parse.urlencode({"query": SIZES})
        data = self._send(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}))
        try:
            bindings = json.loads(data)["results"]["bindings"]
            return {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}
        except (ValueError, KeyError, TypeError):
            raise StoreError(f"{self.endpoint} did not answer as a SPARQL endpoint does; is it a diplograph "
                             "server?") from None

    def _send(self, request: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except HTTPError as err:
            raise StoreError(self._refusal(err.code, _first_line(err.read()))) from None
        except URLError as err:
            raise StoreError(f"cannot reach the server at {self.location}: {err.reason}; is `diplograph serve` "
                             "running there?") from None
        except (OSError, http.client.HTTPException) as err:
            raise StoreError(f"the request to {self.endpoint} failed: {str(err) or type(err).__name__}") from None

    def _refusal(self, status: int, detail: str) -> str:
        # The server's own message says what to do about a refused token; the others get a hint.
        said = f"the server at {self.location} answered {status}: {detail}"
        if status == 404:
            return (f"{said} (there is no SPARQL endpoint at {self.endpoint}: give the server's address, "
                    "such as http://127.0.0.1:8000)")
        if status == 413:
            return f"{said} (load fewer files at once, or start the server with a larger --max-update-body)"
        return said


def _first_line(body: bytes) -> str:
    """The gist of the server's answer: diplograph answers errors in one line of plain text."""
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    gist = lines[0] if lines else "(no message)"
    return gist if len(gist) <= 300 else gist[:297] + "…"
