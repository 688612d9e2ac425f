"""Benchmark the timeline (`/`) of `diplograph serve` on the synthetic corpora (issue 4, "Speed at
scale"), next to the bare query behind its first page on Oxigraph's server and Virtuoso.

For each size: generate (or reuse) the corpus (bench/generate.py); bulk load it into a store folder
and start `diplograph serve` on it (an update token set, so that the benchmark can write); read from
the server's log how long the timeline's index took to build at start; then, over HTTP on
loopback from one client, one request at a time, the p50/p95 of whole HTML pages: the first page,
a later page (10), one actor, one type, free text, a date range (the first request of each, the one
that computes the view's counts and axis, is reported apart). Then replace one article twice,
through the Graph Store (PUT) and as `diplograph load --server` does (one SPARQL update), and
time until the page shows the change, with the index's own time from the log. The bare query
(events ordered by date, first 50) is timed on the same diplograph server's /sparql, then on
Oxigraph's server and on Virtuoso, each loaded with the same file, one server at a time.

    python bench/timeline.py --sizes 40k,400k      # about a minute
    python bench/timeline.py                       # 40k, 400k and 4M: about 4 minutes on 2 cores

Everything it starts it stops, by process handle, and it only talks to 127.0.0.1. Results go to
bench/cache/timeline-TIME.json and .md and to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from client import Client, timed  # noqa: E402
from generate import CACHE, QUERY_ACTOR, article_id, corpus, parse_sizes  # noqa: E402
from servers import diplograph_server, oxigraph_server, virtuoso_server  # noqa: E402

from diplograph.ontology.vocab import ID_BASE  # noqa: E402

PREFIXES = """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
TOKEN = "bench-timeline-token"
JSON_RESULTS = "application/sparql-results+json"
FIRST_PAGE_QUERY = PREFIXES + """SELECT ?event ?label ?begin WHERE {
  ?event a sem:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?begin .
} ORDER BY ?begin ?event LIMIT 50"""
ACTOR_KEY = QUERY_ACTOR.rsplit("/", 1)[1]
# name -> path of the page
PAGES = {
    "first page": "/",
    "page 10": "/?page=10",
    "one actor": f"/?actor={ACTOR_KEY}",
    "one type": "/?type=Meeting",
    "free text": "/?q=netanyahu",
    "date range": "/?from=2020-01&to=2020-03",
}
INDEX_LOG = re.compile(r"timeline index: (\d+) events, (every graph read|\d+ graph\(s\) read again) in ([\d.]+) s")
REPLACED = article_id(1)
WARM_SECONDS = 3.0  # the article replaced by the incremental measurements


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (as bench/run.py)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


class Pages(Client):
    """GET requests for whole pages over one kept-alive loopback connection."""

    def __init__(self, base: str):
        super().__init__(base, timeout=600)

    def page(self, path: str) -> tuple[int, bytes]:
        return self.fetch(path, "text/html")

    def timed_page(self, path: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        status, body = self.page(path)
        return time.perf_counter() - started, status, body


def index_builds(log: Path) -> list[tuple[int, str, float]]:
    """(events, what was read, seconds) of every build of the timeline's index, from the server's log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [(int(n), what, float(s)) for n, what, s in INDEX_LOG.findall(text)]


def wait_for_index(running, builds: int, seconds: float = 900) -> tuple[int, str, float]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = index_builds(running.log)
        if len(found) >= builds:
            return found[builds - 1]
        if running.process.poll() is not None:
            raise RuntimeError(f"the server stopped; its log: {running.log}")
        time.sleep(0.05)
    raise RuntimeError("the timeline's index was not built in time")


def page_latencies(base: str, samples: int) -> dict:
    client = Pages(base)
    out = {}
    try:
        for name, path in PAGES.items():
            first, status, body = client.timed_page(path)
            if status != 200:
                raise RuntimeError(f"{name}: HTTP {status}: {body[:300]!r}")
            total = int(re.search(rb'data-total="(\d+)"', body).group(1))
            times = []
            for _ in range(samples):
                seconds, status, body = client.timed_page(path)
                if status != 200:
                    raise RuntimeError(f"{name}: HTTP {status}")
                times.append(seconds)
            out[name] = {"path": path, "first_ms": first * 1000, "p50_ms": percentile(times, 0.5) * 1000,
                         "p95_ms": percentile(times, 0.95) * 1000, "samples": samples, "events": total,
                         "bytes": len(body), "svg_bytes": len(body[body.find(b"<svg"):body.find(b"</svg>")])}
            print(f"  {name:12} {out[name]['p50_ms']:8.1f} ms p50 {out[name]['p95_ms']:8.1f} ms p95 "
                  f"(first {out[name]['first_ms']:.0f} ms; {total} events, {len(body) // 1024} KB, SVG {out[name]['svg_bytes'] // 1024} KB)", flush=True)
    finally:
        client.close()
    return out


def article_quads(data: Path, article: str) -> list[str]:
    """The N-Quads lines of one article's graph in the corpus file."""
    graph = f"<{ID_BASE}graph/{article}>"
    with data.open(encoding="utf-8") as f:
        return [line for line in f if line.rstrip().endswith(graph + " .")]


def changed_article(lines: list[str], marker: str) -> tuple[str, list]:
    """The article's graph with `marker` added to the label of its events: (graph IRI, quads)."""
    from pyoxigraph import Literal, Quad, RdfFormat, parse

    from diplograph.ontology.vocab import RDFS

    quads = []
    events = ID_BASE + "event/"
    for q in parse("".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS):
        if q.predicate.value == RDFS + "label" and q.subject.value.startswith(events):
            q = Quad(q.subject, q.predicate, Literal(q.object.value + " " + marker), q.graph_name)
        quads.append(q)
    return quads[0].graph_name.value, quads


def replace_and_wait(running, how: str, graph: str, quads: list, marker: str) -> dict:
    """Replace the article's graph, then ask for the page filtered by `marker` until it shows the
    article's events: seconds until then, and the index's own time from the log."""
    from diplograph.store.results import ntriples_body
    from diplograph.store.server import ServerStore

    builds = len(index_builds(running.log))
    started = time.perf_counter()
    if how == "graph store":
        body = ntriples_body(quads).encode("utf-8")
        host, port = running.base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        conn.request("PUT", f"/store?graph={quote(graph, safe='')}", body=body,
                     headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status not in (200, 201, 204):
            raise RuntimeError(f"PUT failed: {response.status}")
    else:
        ServerStore(running.base, TOKEN).replace_graphs({graph: quads})
    written = time.perf_counter()
    client = Pages(running.base)
    try:
        while True:
            _, body = client.page(f"/?q={marker}")
            if re.search(rb'data-total="[1-9]', body) and b'class="stale"' not in body:
                break
            if time.perf_counter() - started > 900:
                raise RuntimeError("the change did not show")
            time.sleep(0.02)
    finally:
        client.close()
    shown = time.perf_counter()
    events, what, seconds = wait_for_index(running, builds + 1)
    result = {"how": how, "write_s": written - started, "until_shown_s": shown - written,
              "index_s": seconds, "index_read": what, "events": events}
    print(f"  replace one article via {how}: write {result['write_s']:.2f} s, shown {result['until_shown_s']:.2f} s "
          f"later; index: {what} in {seconds:.2f} s", flush=True)
    return result


def bare_query(url: str, samples: int) -> dict:
    client = Client(url)
    try:
        times = []
        for i in range(samples + 1):
            seconds, status, body = timed(client, FIRST_PAGE_QUERY, JSON_RESULTS)
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
            rows = len(json.loads(body)["results"]["bindings"])
            if i:
                times.append(seconds)  # the first is a warm-up
        return {"p50_ms": percentile(times, 0.5) * 1000, "p95_ms": percentile(times, 0.95) * 1000,
                "samples": samples, "rows": rows}
    finally:
        client.close()


def run_size(size: str, samples: int, query_samples: int, compare: bool) -> dict:
    data, meta = corpus(size)
    result: dict = {"quads": meta["quads"], "articles": meta["articles"]}
    with tempfile.TemporaryDirectory(prefix=f"diplograph-bench-timeline-{size}-") as tmp:
        work = Path(tmp)
        print(f"{size}: diplograph", flush=True)
        with diplograph_server(data, work, serve_args=["--update-token", TOKEN],
                               log=work / "diplograph.log") as running:
            events, what, seconds = wait_for_index(running, 1)
            time.sleep(WARM_SECONDS)  # the server renders its first page after the index
            result["index_at_start"] = {"events": events, "seconds": seconds, "read": what,
                                        "from_process_start_s": time.monotonic() - running.started}
            print(f"  index at start: {events} events in {seconds:.2f} s", flush=True)
            result["pages"] = page_latencies(running.base, samples)
            lines = article_quads(data, REPLACED)
            result["replace"] = []
            for how, marker in (("graph store", "zqxgraphstore"), ("load --server", "zqxloadserver")):
                graph, quads = changed_article(lines, marker)
                result["replace"].append(replace_and_wait(running, how, graph, quads, marker))
            result["pages_after_writes"] = {name: v["p50_ms"] for name, v in
                                            page_latencies(running.base, max(5, samples // 4)).items()}
            result["diplograph_sparql"] = bare_query(running.query_url, max(3, query_samples // 3))
            print(f"  bare query on diplograph's /sparql: {result['diplograph_sparql']['p50_ms']:.1f} ms p50", flush=True)
            running.memory.sample()
            result["diplograph_peak_rss"] = running.memory.peak
        if compare:
            for name, start in (("Oxigraph server", oxigraph_server), ("Virtuoso", virtuoso_server)):
                print(f"{size}: {name}", flush=True)
                with start(data, work) as running:
                    result.setdefault("bare_query", {})[name] = bare_query(running.query_url, query_samples)
                    print(f"  bare query: {result['bare_query'][name]['p50_ms']:.1f} ms p50", flush=True)
    return result


def markdown(results: dict, command: str) -> str:
    sizes = list(results["sizes"])
    out = [f"Command: `{command}`; {results['started']}, {results['machine']}.\n"]
    out.append("| whole HTML page, p50 / p95 ms (first request) | " + " | ".join(
        f"{s} ({results['sizes'][s]['quads']:,} quads, {results['sizes'][s]['index_at_start']['events']:,} events)"
        for s in sizes) + " |")
    out.append("|---|" + "---|" * len(sizes))
    for name in PAGES:
        cells = []
        for s in sizes:
            p = results["sizes"][s]["pages"][name]
            cells.append(f"{p['p50_ms']:.1f} / {p['p95_ms']:.1f} ({p['first_ms']:.0f})")
        out.append(f"| {name} `{PAGES[name]}` | " + " | ".join(cells) + " |")
    out.append("| index built at start, s | " + " | ".join(
        f"{results['sizes'][s]['index_at_start']['seconds']:.2f}" for s in sizes) + " |")
    for i, how in enumerate(("graph store", "load --server")):
        out.append(f"| replace one article ({how}): index s / write-to-shown s | " + " | ".join(
            f"{results['sizes'][s]['replace'][i]['index_s']:.2f} / "
            f"{results['sizes'][s]['replace'][i]['write_s'] + results['sizes'][s]['replace'][i]['until_shown_s']:.2f}"
            for s in sizes) + " |")
    out.append("| bare query (ordered by date, first 50), p50 ms: diplograph /sparql | " + " | ".join(
        f"{results['sizes'][s]['diplograph_sparql']['p50_ms']:.1f}" for s in sizes) + " |")
    for name in ("Oxigraph server", "Virtuoso"):
        if all(name in results["sizes"][s].get("bare_query", {}) for s in sizes):
            out.append(f"| … on {name} | " + " | ".join(
                f"{results['sizes'][s]['bare_query'][name]['p50_ms']:.1f}" for s in sizes) + " |")
    out.append("| diplograph server's memory (sampled peak, MB) | " + " | ".join(
        f"{results['sizes'][s]['diplograph_peak_rss'] / 2**20:.0f}" for s in sizes) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="40k,400k,4M", help="comma-separated sizes (default: 40k,400k,4M)")
    parser.add_argument("--samples", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--query-samples", type=int, default=10, help="timed bare queries per server (default 10)")
    parser.add_argument("--no-compare", action="store_true", help="skip Oxigraph's server and Virtuoso")
    args = parser.parse_args(argv)
    import platform

    results = {"started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, "
                          f"Python {platform.python_version()}",
               "sizes": defaultdict(dict)}
    for size in parse_sizes(args.sizes):
        results["sizes"][size] = run_size(size, args.samples, args.query_samples, not args.no_compare)
    command = "python bench/timeline.py" + ("" if args.sizes == "40k,400k,4M" else f" --sizes {args.sizes}") + \
        (" --no-compare" if args.no_compare else "")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (CACHE / f"timeline-{stamp}.json").write_text(json.dumps(results, indent=1))
    table = markdown(results, command)
    (CACHE / f"timeline-{stamp}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
