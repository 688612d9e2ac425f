"""Real servers for tests (and bench/): started on an ephemeral loopback port, stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30.0) -> None:
    """Poll `url` until it answers; fail early if `process` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}: {said}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"no answer from {url} within {seconds:.0f} s")


@contextmanager
def oxigraph_server(location: Path | None = None):
    """Oxigraph's own server (the `oxigraph` package), union default graph, read-write.

    Yields its base URL; queries go to BASE/query, updates to BASE/update."""
    exe = shutil.which("oxigraph")
    if exe is None:
        raise RuntimeError("the `oxigraph` command is missing: pip install oxigraph (it is in the test extra)")
    port = free_port()
    args = [exe, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if location is not None:
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/query?query=ASK%7B%7D", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def virtuoso_server(folder: Path):
    """Debian's Virtuoso with its database in `folder`. Yields (query URL, update URL); updates
    go to the authenticated endpoint as the package's default administrator."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource (.ci/run does)")
    sql_port, http_port = free_port(), free_port()
    config = virtuoso_ini(folder, sql_port, http_port)
    process = subprocess.Popen([exe, "+configfile", str(config), "+foreground"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(f"{base}/sparql?query=ASK%7B%7D", process, seconds=120)
        yield f"{base}/sparql", f"http://dba:dba@127.0.0.1:{http_port}/sparql-auth"
    finally:
        process.terminate()
        process.wait(timeout=30)


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, allowed: tuple[Path, ...] = (),
                 settings: dict[str, object] | None = None) -> Path:
    """Debian's virtuoso.ini with every database, log and lock file in `folder`, the given ports,
    `folder` (and `allowed`) readable by the bulk loader, and `settings` overriding other keys."""
    ini = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text(encoding="utf-8")
    settings = settings or {}
    lines, section = [], ""
    for line in ini.splitlines():
        key = line.split("=")[0].strip()
        if line.startswith("["):
            section = line.strip()
        elif key in ("DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"):
            line = f"{key} = {folder / Path(line.split('=', 1)[1].strip()).name}"
        elif key == "ServerPort" and section == "[Parameters]":
            line = f"ServerPort = {sql_port}"
        elif key == "ServerPort" and section == "[HTTPServer]":
            line = f"ServerPort = {http_port}"
        elif key == "DirsAllowed":
            line = ", ".join([line.rstrip(), str(folder), *map(str, allowed)])
        elif key in settings:
            line = f"{key} = {settings[key]}"
        lines.append(line)
    config = folder / "virtuoso.ini"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
