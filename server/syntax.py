"""Checking that an operation is standard SPARQL 1.1 before it goes to a store that lives elsewhere
(server/remote.py), within the request's time limit.

pyoxigraph parses only on the way to evaluating, so the check evaluates the operation on an empty
in-memory store. That is not always free: VALUES blocks still multiply on an empty dataset (three
of a thousand values each, under a FILTER, run for minutes), and `Store.query` evaluates before it
returns every ASK, and every SELECT with ORDER BY, an aggregate (in a subquery too), MINUS or
OPTIONAL; `Store.update` evaluates too. Measured with pyoxigraph 0.5.13 over three VALUES of 300
values: `Store().query` returned after 5 s for those, within 3 ms only for a plain SELECT,
CONSTRUCT or DESCRIBE (lazy until their results are read). Which queries are lazy cannot be told
without parsing them, so every check runs in a child process (server/child.py), killed when the
request's time is up, as the query workers are.
"""

from __future__ import annotations

import logging
import queue
import threading

from diplograph.errors import QueryError

from .child import Child, ignore_interrupts
from .workers import QueryTimeout

log = logging.getLogger("diplograph.server")

KEEP = 2  # idle checking processes kept for the next checks; more are started while all are busy


class CheckTimeout(QueryTimeout):
    """Checking the operation took longer than its time, and the process doing it was stopped (a
    QueryTimeout, so that whatever answers a query's timeout answers this one too)."""


class SyntaxChecker:
    """Processes that parse operations by evaluating them on an empty store: one per check under
    way (so at most one per HTTP thread), of which `KEEP` stay for later checks."""

    def __init__(self):
        self._idle: queue.SimpleQueue[Child] = queue.SimpleQueue()
        self._all: set[Child] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._idle.put(self._start())  # now, so that the first check does not wait for Python to start

    def check(self, kind: str, sparql: str, base_iri: str | None, deadline: float) -> None:
        """Return when `sparql` is a SPARQL 1.1 `kind` ("query" or "update"). QueryError when it is
        not (with the parser's message); CheckTimeout when that cannot be told before `deadline`
        (a time.monotonic() value). What an update does on the empty dataset (DROP GRAPH of a
        graph that is not there fails) says nothing about the store, and passes."""
        checker = self._take()
        try:
            checker.conn.send((kind, sparql, base_iri))
            if not checker.answered_by(deadline):
                self._discard(checker)
                raise CheckTimeout(f"checking the {kind} ran out of time and was stopped")
            status, message = checker.conn.recv()
        except (EOFError, OSError):
            self._discard(checker)
            log.warning("a syntax checking process stopped (exit code %s) while reading: %.200r",
                        checker.process.exitcode, sparql)
            raise QueryError(f"the SPARQL parser stopped while reading this {kind} (it is probably nested too "
                             "deeply or needs too much memory); simplify it") from None
        self._give_back(checker)
        if status == "bad":
            raise QueryError(f"SPARQL syntax error: {message}")

    def _take(self) -> Child:
        """An idle process, or a new one when all are busy: a check never waits for another."""
        while True:
            try:
                checker = self._idle.get_nowait()
            except queue.Empty:
                return self._start()
            if checker.process.is_alive():
                return checker
            self._discard(checker)  # died while idle (the kernel's OOM killer): not this operation's fault

    def _start(self) -> Child:
        with self._lock:
            if self._closed:
                raise QueryError("the server is stopping")
            checker = Child(_check_forever, "diplograph-syntax")
            self._all.add(checker)
        return checker

    def _give_back(self, checker: Child) -> None:
        if self._idle.qsize() >= KEEP:
            self._discard(checker)
        else:
            self._idle.put(checker)

    def _discard(self, checker: Child) -> None:
        """Kill `checker` now; keep one process ready in its place (started now: spawning takes a moment)."""
        with self._lock:
            self._all.discard(checker)
        checker.kill()
        if self._idle.qsize() == 0:
            try:
                self._idle.put(self._start())
            except QueryError:
                pass  # closed meanwhile

    def close(self) -> None:
        with self._lock:
            self._closed = True
            checkers, self._all = list(self._all), set()
        for checker in checkers:
            checker.kill()


def _check_forever(conn) -> None:
    """A checking process: check operations until the server goes away (the pipe closes)."""
    from pyoxigraph import Store

    from diplograph.ontology.vocab import PREFIXES

    ignore_interrupts()
    while True:
        try:
            kind, sparql, base_iri = conn.recv()
        except (EOFError, OSError):
            return
        try:
            store = Store()  # a new one each time: an update may have written to the last
            if kind == "query":
                store.query(sparql, prefixes=PREFIXES, base_iri=base_iri)
            else:
                store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
            reply = ("ok", None)
        except SyntaxError as err:
            reply = ("bad", str(err))
        except Exception:  # parsed, then failed on the empty dataset: that says nothing of the store
            reply = ("ok", None)
        conn.send(reply)
