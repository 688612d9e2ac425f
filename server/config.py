"""The server's settings: one object, passed to the app factory, never read from globals."""

from __future__ import annotations

from dataclasses import dataclass

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """What `diplograph serve` was asked for (see `diplograph serve --help`)."""

    host: str = "127.0.0.1"
    port: int = 8000
    store: str | None = None  # a folder, ':memory:' (a temporary folder) or None (the default store)
    base_url: str | None = None  # how clients reach the server, e.g. https://example.org; else the Host header
    query_timeout: float = 30.0  # seconds from a query's arrival to its answer
    update_token: str | None = None  # updates are refused unless set
    threads: int = 8  # HTTP threads
    workers: int = 2  # query worker processes
    max_rows: int = 10_000  # solutions or triples per answer; more are cut and the answer says so
    max_body: int = MEBIBYTE  # bytes in a request body
    max_update_body: int = 64 * MEBIBYTE  # bytes in the body of a request that carries the update token

    @property
    def updates_enabled(self) -> bool:
        return bool(self.update_token)

    @property
    def largest_body(self) -> int:
        """The largest body any request may have: only writers may send more than `max_body`."""
        return max(self.max_body, self.max_update_body) if self.updates_enabled else self.max_body
