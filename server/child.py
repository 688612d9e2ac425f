"""Child processes the server can stop at any moment: the query workers (workers.py) and a remote
store's syntax checkers (syntax.py). A thread running pyoxigraph cannot be stopped; a process can.

Children are started with spawn, never fork: the server process has threads and an open store.
"""

from __future__ import annotations

import multiprocessing
import select
import signal
import threading
import time
from typing import Callable

_CONTEXT = multiprocessing.get_context("spawn")


class Child:
    """A spawned process running `target(conn)`, and the parent's end of its pipe, `conn`."""

    def __init__(self, target: Callable, name: str):
        self.conn, child = _CONTEXT.Pipe()
        self._killing = threading.Lock()
        self.process = _CONTEXT.Process(target=target, args=(child,), daemon=True, name=name)
        self.process.start()
        child.close()
        # One poll object for the child's life: Connection.poll builds a selector on every call.
        self._answer = select.poll()
        self._answer.register(self.conn.fileno(), select.POLLIN)

    def answered_by(self, deadline: float) -> bool:
        """Wait until the child has answered (or died), or `deadline` (time.monotonic()) has passed."""
        while True:
            left = deadline - time.monotonic()
            if self._answer.poll(max(left, 0) * 1000):
                return True
            if left <= 0:
                return False

    def kill(self) -> None:
        """Stop the process and close the pipe, once: two threads may both try (the server closing
        while a request's thread replaces the child), and a second close could close a descriptor
        the number has been given to since."""
        with self._killing:
            if self.conn.closed:
                return
            self.process.kill()
            self.process.join(5)
            self.conn.close()


def ignore_interrupts() -> None:
    """In a child: Ctrl-C in a terminal reaches the whole process group; the server stops its
    children itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
