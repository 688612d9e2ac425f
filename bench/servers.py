"""The three servers the benchmark compares, each loaded from the same N-Quads file, started on an
ephemeral loopback port and stopped (by its own process handle) when the `with` block ends.

Ports, readiness and Virtuoso's configuration come from tests/live_servers.py, the tests' own
helpers; what the benchmark adds is bulk loading, a read-only Oxigraph server, Virtuoso's buffers
sized for millions of quads, and each process's memory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_servers import free_port, virtuoso_ini, wait_until_up  # noqa: E402

# Virtuoso's buffers: the setting its own virtuoso.ini recommends "if there is 2 GB system memory
# free" (the package's default, 10,000 buffers of 8 KB, is meant for tiny databases).
VIRTUOSO_BUFFERS = 170_000
VIRTUOSO_DIRTY_BUFFERS = 130_000


@dataclass
class Load:
    """How long loading took and the loading process's peak memory."""

    seconds: float
    peak_rss: int  # bytes
    note: str = ""


@dataclass
class Running:
    """A server that answers queries at `query_url`."""

    name: str
    query_url: str
    process: subprocess.Popen
    load: Load
    store_folder: Path
    memory: "MemorySampler" = field(repr=False, default=None)
    quads: int | None = None  # counted in the store folder after loading, when that is possible
    started: float = 0.0  # time.monotonic() when the process was started
    log: Path | None = None  # the server's stderr, when it is kept

    @property
    def base(self) -> str:
        """The server's root: http://127.0.0.1:PORT."""
        parts = urlsplit(self.query_url)
        return f"{parts.scheme}://{parts.netloc}"


def run_measured(args: list[str], **popen) -> tuple[float, int]:
    """Run a command to the end; (seconds, peak RSS in bytes) from the kernel's own accounting."""
    started = time.perf_counter()
    process = subprocess.Popen(args, **popen)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        process.kill()
        process.wait()
        raise
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:3]))} … failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss * 1024


def stop(process: subprocess.Popen, seconds: float = 60.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited in time; only ever this process."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


class MemorySampler:
    """Peak resident memory of a process and its children (diplograph's query workers), sampled
    every half second (a sample reads /proc for about a millisecond, holding this process's
    interpreter lock while the client measures), and the kernel's high-water mark of each
    process it saw."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self.high_water: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    @staticmethod
    def _status(pid: int) -> tuple[int, int]:
        rss = hwm = 0
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                    elif line.startswith("VmHWM:"):
                        hwm = int(line.split()[1]) * 1024
        except OSError:
            pass
        return rss, hwm

    def sample(self) -> None:
        total = 0
        for pid in self._tree():
            rss, hwm = self._status(pid)
            total += rss
            self.high_water[pid] = max(self.high_water.get(pid, 0), hwm)
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def close(self) -> int:
        """Stop sampling; the peak: sampled total of the tree, or the main process's own
        high-water mark if that is higher (it catches peaks between samples)."""
        self.sample()
        self._stop.set()
        self._thread.join()
        return max(self.peak, self.high_water.get(self.pid, 0))


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes `pids` have used so far, all their threads included."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue
    return total / ticks


def settle(running: Running, idle_share: float = 0.05, interval: float = 0.5, most: float = 600.0) -> float:
    """Wait until the server and its children are idle (below `idle_share` of one core over two
    intervals in a row), at most `most` seconds; the seconds waited. Measured before that, a
    server shares the 2 cores with its own start-up work: a store opened for writing right after
    a bulk load compacts its files in the background (about 9 s of one core at 4M quads for
    pyoxigraph), and `diplograph serve` builds the timeline's index when it starts."""
    started = time.monotonic()
    quiet = 0
    before = cpu_seconds(running.memory._tree())
    while quiet < 2 and time.monotonic() - started < most:
        time.sleep(interval)
        now = cpu_seconds(running.memory._tree())
        quiet = quiet + 1 if now - before < idle_share * interval else 0
        before = now
    return time.monotonic() - started


def count_quads(folder: Path) -> int:
    """Quads in a pyoxigraph/Oxigraph store folder that no process writes to."""
    from pyoxigraph import Store

    store = Store.read_only(str(folder))
    try:
        return len(store)
    finally:
        del store


@contextmanager
def _server(name, args, query_url, up_url, load, store_folder, quads=None, log: Path | None = None, **popen):
    """Start `args` (its stderr to `log`, else discarded) and wait until `up_url` answers: the
    Running server, stopped (by its process handle) when the `with` block ends."""
    with log.open("wb") if log else nullcontext(subprocess.DEVNULL) as stderr:
        started = time.monotonic()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr, **popen)
    running = Running(name, query_url, process, load, store_folder, quads=quads, started=started, log=log)
    try:
        running.memory = MemorySampler(process.pid)
        wait_until_up(up_url, process, seconds=60)
        yield running
    finally:
        stop(process)
        if running.memory:
            running.memory.close()


@contextmanager
def oxigraph_server(data: Path, work: Path):
    """`oxigraph load` into a new folder, then `oxigraph serve-read-only --union-default-graph`."""
    exe = shutil.which("oxigraph")
    if exe is None:
        raise RuntimeError("the `oxigraph` command is missing: pip install oxigraph")
    folder = work / "oxigraph"
    seconds, rss = run_measured([exe, "load", "--location", str(folder), "--file", str(data)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    quads = count_quads(folder)  # `oxigraph load` reports a bad file on stderr but exits 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with _server("Oxigraph server", [exe, "serve-read-only", "--location", str(folder), "--bind",
                                     f"127.0.0.1:{port}", "--union-default-graph"],
                 f"{base}/query", f"{base}/query?query=ASK%7B%7D", Load(seconds, rss), folder, quads) as running:
        yield running


def bulk_load_embedded(data: Path, folder: Path) -> tuple[float, int]:
    """pyoxigraph's `Store.bulk_load` into a new store folder, in a child process (so its memory
    is its own): what `diplograph serve` then serves."""
    code = ("import sys; from pyoxigraph import RdfFormat, Store; s = Store(sys.argv[1]); "
            "s.bulk_load(path=sys.argv[2], format=RdfFormat.N_QUADS); s.flush()")
    return run_measured([sys.executable, "-c", code, str(folder), str(data)])


def update_load_embedded(data: Path, folder: Path) -> tuple[float, int]:
    """`diplograph load`'s path: `EmbeddedStore.replace_graphs` into a new store folder (so its bulk
    path: pyoxigraph's bulk loader), timed from parsed quads to the store written and closed."""
    code = """
import sys, time
from collections import defaultdict
from pathlib import Path
from pyoxigraph import RdfFormat, parse
from diplograph.store import EmbeddedStore
graphs = defaultdict(list)
for q in parse(path=sys.argv[2], format=RdfFormat.N_QUADS):
    graphs[q.graph_name.value].append(q)
store = EmbeddedStore(Path(sys.argv[1]))
started = time.perf_counter()
store.replace_graphs(graphs)
store.close()
print(time.perf_counter() - started)
"""
    out = folder.parent / f"{folder.name}.seconds"
    with out.open("w") as f:
        _, rss = run_measured([sys.executable, "-c", code, str(folder), str(data)], stdout=f)
    return float(out.read_text().strip()), rss


@contextmanager
def diplograph_server(data: Path, work: Path, workers: int | None = None, serve_args: Sequence[str] = (),
                      log: Path | None = None):
    """A store folder bulk-loaded with pyoxigraph, then `diplograph serve` on it (its defaults:
    8 HTTP threads, 2 query worker processes, unless `workers` is given), with `serve_args` added
    (an update token, say) and its stderr kept in `log` if given."""
    folder = work / "diplograph" / "store"
    folder.parent.mkdir(parents=True, exist_ok=True)
    seconds, rss = bulk_load_embedded(data, folder)
    quads = count_quads(folder)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "diplograph.cli", "serve", "--store", str(folder), "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    args += serve_args
    with _server("diplograph", args, f"{base}/sparql", f"{base}/healthz", Load(seconds, rss), folder, quads,
                 log=log) as running:
        yield running


def isql(sql_port: int, script: str) -> str:
    exe = shutil.which("isql-vt") or shutil.which("isql")
    result = subprocess.run([exe, "-H", "127.0.0.1", "-S", str(sql_port), "-U", "dba", "-P", "dba"],
                            input=script, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0 or "*** Error" in result.stdout or "*** Error" in result.stderr:
        raise RuntimeError(f"isql failed: {(result.stdout + result.stderr).strip()[-500:]}")
    return result.stdout


@contextmanager
def virtuoso_server(data: Path, work: Path):
    """Debian's Virtuoso with its database in a new folder; the file is bulk loaded with
    `ld_dir` + `rdf_loader_run` + `checkpoint` while the server runs (its loader is in the server)."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource")
    folder = work / "virtuoso"
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    config = virtuoso_ini(folder, sql_port, http_port, allowed=(data.parent,),
                          settings={"NumberOfBuffers": VIRTUOSO_BUFFERS, "MaxDirtyBuffers": VIRTUOSO_DIRTY_BUFFERS})
    base = f"http://127.0.0.1:{http_port}"
    with _server("Virtuoso", [exe, "+configfile", str(config), "+foreground"], f"{base}/sparql",
                 f"{base}/sparql?query=ASK%7B%7D", None, folder, cwd=folder) as running:
        started = time.perf_counter()
        isql(sql_port, f"ld_dir('{data.parent}', '{data.name}', 'urn:diplograph:bench:default');\n"
                       "rdf_loader_run();\ncheckpoint;\n")
        seconds = time.perf_counter() - started
        errors = isql(sql_port, "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;\n")
        if data.name in errors:
            raise RuntimeError(f"Virtuoso's loader reported an error: {errors.strip()[-500:]}")
        running.memory.sample()
        running.load = Load(seconds, max(running.memory.high_water.values()),
                            "the loader runs inside the server: peak of the server process during the load")
        yield running
