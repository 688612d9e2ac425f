"""The benchmark's HTTP client: SPARQL queries by GET over one kept-alive loopback connection.

Standard library only, so that the load test's client processes start quickly.
"""

from __future__ import annotations

import http.client
import random
import time
from urllib.parse import quote, urlsplit

TIMEOUT = 300.0  # seconds; a request slower than this counts as an error


class Client:
    """One connection to one SPARQL endpoint."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        parts = urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the benchmark only talks to loopback, not {parts.hostname}")
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, query: str, accept: str) -> tuple[int, bytes]:
        """The SPARQL query by GET to the endpoint: (status, body)."""
        return self.fetch(f"{self.path}?query={quote(query, safe='')}", accept)

    def fetch(self, target: str, accept: str) -> tuple[int, bytes]:
        """GET `target` (a path and query string on this server): (status, body); a connection the
        server closed while idle is reopened once."""
        for attempt in (1, 2):
            try:
                self.conn.request("GET", target, headers={"Accept": accept})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def timed(client: Client, query: str, accept: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    status, body = client.get(query, accept)
    return time.perf_counter() - started, status, body


def load_worker(url: str, queries: list[tuple[str, str, str]], start_at: float, seconds: float,
                seed: int, max_requests: int = 1_000_000) -> dict:
    """One load-test client: from `start_at` (time.monotonic(); now if past) send queries drawn at
    random from `queries` ((name, text, accept)), one after another, for `seconds` or `max_requests`."""
    rng = random.Random(seed)
    client = Client(url)
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in queries}
    errors: dict[str, int] = {}
    time.sleep(max(start_at - time.monotonic(), 0))
    began = time.monotonic()
    end = began + seconds
    n = 0
    try:
        while time.monotonic() < end and n < max_requests:
            name, text, accept = rng.choice(queries)
            n += 1
            started = time.perf_counter()
            try:
                status, _ = client.get(text, accept)
            except (OSError, http.client.HTTPException) as err:
                errors[type(err).__name__] = errors.get(type(err).__name__, 0) + 1
                client.close()
                client = Client(url)
                continue
            if status == 200:
                latencies[name].append(time.perf_counter() - started)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
    finally:
        client.close()
    return {"latencies": latencies, "errors": errors, "requests": n, "began": began, "finished": time.monotonic()}


def wait_for_all(barrier) -> None:
    """A load-test process's initializer: every client process is up before any starts."""
    barrier.wait(timeout=120)
