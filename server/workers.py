"""Queries run in worker processes, so that one that overruns its time can really be stopped.

pyoxigraph cannot cancel a query, and a thread cannot be killed; a process can. Each worker opens
a read-only checkpoint of the store (`EmbeddedStore.checkpoint`): opening the live store read-only
while the server writes to it is undefined behaviour, a checkpoint is an isolated snapshot made in
milliseconds with hard links. The server makes a new checkpoint after every write, before it
answers the write, and every query is sent with the newest checkpoint: so a query that follows a
successful update sees it. A worker that overruns is killed and replaced while the others go on.
"""

from __future__ import annotations

import itertools
import logging
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from diplograph.errors import DiplographError, QueryError

from .child import Child, ignore_interrupts
from .scratch import scratch_folder

log = logging.getLogger("diplograph.server")

_START_SECONDS = 60.0


class QueryTimeout(DiplographError):
    """The query ran out of time and its worker was stopped."""


class WorkersBusy(DiplographError):
    """No worker became free before the query's time ran out."""


class WorkerFailed(DiplographError):
    """The worker could not evaluate the query."""


class QueryCrashed(WorkerFailed):
    """The worker died while evaluating the query: the query made the engine crash (its parser
    overflowing the stack on deep nesting) or run out of memory."""


@dataclass(frozen=True)
class QueryJob:
    """One query and how to answer it; sent to a worker as is (it is pickled)."""

    sparql: str
    base_iri: str | None
    default_graph: list[str] | None
    named_graphs: list[str] | None
    formats: dict[str, str | None]  # result kind (boolean, solutions, triples) -> short format name
    max_rows: int


@dataclass(frozen=True)
class Answer:
    """A worker's answer: the body, or `body=None` when the client accepts no format for this kind."""

    kind: str
    format: str | None
    body: bytes | None
    truncated: bool = False


class Checkpoints:
    """Numbered checkpoints of one store in a private folder beside it (hard links need the same
    file system); old ones are deleted once no worker has them open."""

    def __init__(self, store):
        self.store = store
        self.folder = scratch_folder(store.path, "checkpoints")
        self._numbers = itertools.count()
        self._old: list[Path] = []  # checkpoints older than the current one, not deleted yet
        self._lock = threading.Lock()  # renew (the writer) and prune (any query's thread) share _old
        self.current = self._make()

    def _make(self) -> Path:
        target = self.folder / str(next(self._numbers))
        self.store.checkpoint(target)
        return target

    def renew(self) -> None:
        """Checkpoint the store as it is now; later queries see this state."""
        current = self._make()
        with self._lock:
            self._old.append(self.current)
            self.current = current

    def prune(self, in_use: set[Path]) -> None:
        """Delete the checkpoints older than the current one that are not `in_use`. Only those
        this object made are considered (a folder listing per query would cost more than the
        query itself on small ones), so a newer one being written by `renew` is never touched."""
        with self._lock:
            unused = [path for path in self._old if path not in in_use]
            self._old = [path for path in self._old if path in in_use]
        for path in unused:
            shutil.rmtree(path, ignore_errors=True)

    @property
    def stale(self) -> bool:
        """Whether old checkpoints are waiting to be deleted."""
        return bool(self._old)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Worker(Child):
    """One worker process and the checkpoint it has (or is about to have) open."""

    def __init__(self):
        super().__init__(_work, "diplograph-query")
        self.checkpoint: Path | None = None

    def wait_ready(self) -> None:
        try:
            ready = self.conn.poll(_START_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise WorkerFailed(f"a query worker did not start within {_START_SECONDS:.0f} s")


class QueryPool:
    """`size` worker processes answering queries against the newest checkpoint."""

    def __init__(self, size: int, checkpoints: Checkpoints):
        self.checkpoints = checkpoints
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [_Worker() for _ in range(size)]
        for worker in started:
            worker.wait_ready()
            self._workers.add(worker)
            self._idle.put(worker)

    def run(self, job: QueryJob, deadline: float) -> Answer:
        """Evaluate `job` on a free worker before `deadline` (a time.monotonic() value).

        Raises QueryError (the store rejected the query), QueryTimeout, WorkersBusy, QueryCrashed or
        WorkerFailed.
        """
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise WorkersBusy(f"all {len(self._workers)} query workers stayed busy") from None
        with self._lock:
            worker.checkpoint = self.checkpoints.current
        try:
            worker.conn.send((str(worker.checkpoint), job))
            if not worker.answered_by(deadline):
                self._replace(worker)
                raise QueryTimeout("the query ran out of time and was stopped")
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            log.warning("a query worker stopped (exit code %s) while evaluating: %.200r",
                        worker.process.exitcode, job.sparql)
            raise QueryCrashed("the query worker stopped while evaluating this query") from None
        self._idle.put(worker)
        if self.checkpoints.stale:
            self.prune()
        if status == "ok":
            return value
        if status == "bad":
            raise QueryError(value)
        raise WorkerFailed(value)

    def prune(self) -> None:
        """Delete the checkpoints no worker uses any more. Idle workers that still have an older one
        open let go of it first: while traffic is light the worker used last takes every query, so
        the others could otherwise keep an old state of the store on disk for as long as that lasts."""
        self._release_stale()
        with self._lock:
            self.checkpoints.prune({w.checkpoint for w in self._workers if w.checkpoint is not None})

    def _release_stale(self) -> None:
        idle = []
        while True:
            try:
                idle.append(self._idle.get_nowait())
            except queue.Empty:
                break
        current, kept = self.checkpoints.current, []
        for worker in idle:
            if worker.checkpoint not in (None, current):
                try:
                    worker.conn.send((None, None))
                    if not worker.answered_by(time.monotonic() + _START_SECONDS):
                        raise OSError("no answer")
                    worker.conn.recv()
                    worker.checkpoint = None
                except (EOFError, OSError):
                    self._replace(worker)
                    continue
            kept.append(worker)
        for worker in reversed(kept):  # back in the order they were taken out: the last used on top
            self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now; start its replacement in the background (spawning takes a moment)."""
        with self._lock:
            self._workers.discard(worker)
        worker.kill()
        threading.Thread(target=self._add_worker, daemon=True).start()

    def _add_worker(self) -> None:
        try:
            worker = _Worker()
            worker.wait_ready()
        except (DiplographError, OSError):
            log.exception("could not start a query worker")
            return
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._workers.add(worker)
        self._idle.put(worker)

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.process.is_alive())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.kill()


def _work(conn) -> None:
    """A worker process: answer jobs until the server goes away (the pipe closes)."""
    from diplograph.store import EmbeddedStore

    ignore_interrupts()
    store, opened = None, None
    conn.send("ready")
    while True:
        try:
            checkpoint, job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:  # let go of the checkpoint: the server wants to delete it
            store, opened = None, None
            conn.send(("released", None))
            continue
        try:
            if checkpoint != opened:
                store = None  # release the old checkpoint first, so the server can delete it
                store = EmbeddedStore(Path(checkpoint), read_only=True)
                opened = checkpoint
            reply = ("ok", evaluate(store, job))
        except QueryError as err:
            reply = ("bad", str(err))
        except Exception as err:  # the worker answers every job: the server decides what the client sees
            reply = ("error", f"{type(err).__name__}: {err}")
        conn.send(reply)


def evaluate(store, job: QueryJob) -> Answer:
    """Run `job` on `store` and write the answer, cut at `job.max_rows` solutions or triples."""
    from diplograph.store import Boolean, Solutions

    from .results import boolean_bytes, solutions_bytes, triples_bytes

    result = store.query(job.sparql, base_iri=job.base_iri, default_graph=job.default_graph,
                         named_graphs=job.named_graphs)
    if isinstance(result, Boolean):
        fmt = job.formats["boolean"]
        return Answer("boolean", fmt, fmt and boolean_bytes(fmt, result.value))
    if isinstance(result, Solutions):
        fmt = job.formats["solutions"]
        if fmt is None:
            return Answer("solutions", None, None)
        rows = list(itertools.islice(result.rows, job.max_rows + 1))
        truncated = len(rows) > job.max_rows
        return Answer("solutions", fmt, solutions_bytes(fmt, result.variables, rows[: job.max_rows]), truncated)
    fmt = job.formats["triples"]
    if fmt is None:
        return Answer("triples", None, None)
    triples = result.triples[: job.max_rows]
    return Answer("triples", fmt, triples_bytes(fmt, triples), len(result.triples) > job.max_rows)
