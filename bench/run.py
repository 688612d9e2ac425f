"""Benchmark `diplograph serve` against Oxigraph's server and Virtuoso on the same synthetic corpus.

For each size: generate (or reuse) the corpus (bench/generate.py), then for each server in turn
(never two at once): bulk load the same N-Quads file, start it on an ephemeral loopback port,
check it holds every quad, then measure over HTTP from one client the p50/p95 latency of each
query, then 8 concurrent clients sending a random mix of the queries for 15 s (throughput,
errors); record load speed, peak memory and the store's size on disk; stop it. Then, apart,
`diplograph load`'s own write path into an empty store (its bulk path), at every size.

    python bench/run.py --sizes 40k,400k              # about 4 minutes
    python bench/run.py                               # 40k, 400k and 4M: 10-13 minutes on 2 cores

Everything it starts it stops, by process handle, and it only talks to 127.0.0.1. Results go to
bench/cache/results-TIME.json and .md (the tables of bench/RESULTS.md) and to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from client import Client, load_worker, timed, wait_for_all  # noqa: E402
from generate import CACHE, QUERY_ACTOR, SIZES, corpus, parse_sizes, query_event  # noqa: E402

PREFIXES = """PREFIX dg: <https://w3id.org/diplograph/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"

# name -> (query, Accept). The same texts go to every server.
QUERIES: dict[str, tuple[str, str]] = {
    "ASK {}": ("ASK {}", JSON_RESULTS),
    "one actor's events": (PREFIXES + f"""SELECT ?event ?label ?begin WHERE {{
  ?event sem:hasActor <{QUERY_ACTOR}> ; a sem:Event ; rdfs:label ?label ;
         sem:hasEarliestBeginTimeStamp ?begin .
}} ORDER BY ?begin ?event""", JSON_RESULTS),
    "DESCRIBE an event": (f"DESCRIBE <{query_event()}>", TURTLE),
    "events per type and month": (PREFIXES + """SELECT ?type ?year ?month (COUNT(?event) AS ?events) WHERE {
  ?event a sem:Event , ?type ; sem:hasEarliestBeginTimeStamp ?begin .
  FILTER(STRSTARTS(STR(?type), "https://w3id.org/diplograph/ontology#") && ?begin > "0001-01-01"^^xsd:date)
  BIND(YEAR(?begin) AS ?year) BIND(MONTH(?begin) AS ?month)
} GROUP BY ?type ?year ?month ORDER BY ?type ?year ?month""", JSON_RESULTS),
    "date window by date, first 50": (PREFIXES + """SELECT ?event ?label ?begin WHERE {
  ?event a sem:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?begin .
  FILTER(?begin >= "2020-01-01"^^xsd:date && ?begin < "2021-01-01"^^xsd:date)
} ORDER BY ?begin ?event LIMIT 50""", JSON_RESULTS),
}
COUNT_QUADS = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplograph/")) }"""

SERVERS = ("diplograph", "oxigraph", "virtuoso")
LABELS = {"diplograph": "diplograph", "oxigraph": "Oxigraph server", "virtuoso": "Virtuoso"}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def answer_size(name: str, body: bytes) -> int | str:
    """Rows of a SELECT, the boolean of an ASK, triples of a DESCRIBE: to check the servers agree."""
    if QUERIES[name][1] == TURTLE:
        from pyoxigraph import RdfFormat, parse

        return sum(1 for _ in parse(body, format=RdfFormat.TURTLE))
    doc = json.loads(body)
    if "boolean" in doc:
        return str(doc["boolean"]).lower()
    return len(doc["results"]["bindings"])


def check_loaded(running, expected: int) -> int:
    """Every quad of the file is in the store: counted in the store's folder where the server
    uses pyoxigraph's format (a count over HTTP takes longer than diplograph's query timeout at
    4M quads), else with a SPARQL count over our graphs (Virtuoso has system graphs of its own)."""
    count = running.quads
    if count is None:
        client = Client(running.query_url)
        try:
            status, body = client.get(COUNT_QUADS, JSON_RESULTS)
        finally:
            client.close()
        if status != 200:
            raise RuntimeError(f"counting the quads failed: {status} {body[:300]!r}")
        count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    if count != expected:
        raise RuntimeError(f"the server holds {count:,} quads, the corpus {expected:,}")
    return count


def latencies(url: str, budget: float, max_samples: int, min_samples: int) -> dict:
    """p50/p95 of each query from one client, one query at a time, after two warm-up runs."""
    client = Client(url)
    out = {}
    try:
        for name, (text, accept) in QUERIES.items():
            answer = None
            for _ in range(2):
                _, status, body = timed(client, text, accept)
                if status != 200:
                    raise RuntimeError(f"{name}: HTTP {status}: {body[:300]!r}")
                answer = answer_size(name, body)
            samples: list[float] = []
            started = time.perf_counter()
            while len(samples) < max_samples and (len(samples) < min_samples or time.perf_counter() - started < budget):
                seconds, status, body = timed(client, text, accept)
                if status != 200:
                    raise RuntimeError(f"{name}: HTTP {status}: {body[:300]!r}")
                samples.append(seconds)
            out[name] = {"p50": statistics.median(samples), "p95": percentile(samples, 0.95),
                         "samples": len(samples), "answer": answer}
    finally:
        client.close()
    return out


# The load test's two mixes: every query alike, and only the small ones (where the HTTP stack,
# not the query engine, is the work).
MIXES = {"all five queries": list(QUERIES),
         "small queries": ["ASK {}", "one actor's events", "DESCRIBE an event"]}


def load_test(url: str, clients: int, seconds: float, names: list[str]) -> dict:
    queries = [(name, *QUERIES[name]) for name in names]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(clients)
    with context.Pool(clients, initializer=wait_for_all, initargs=(barrier,)) as pool:
        start_at = time.monotonic() + 0.5
        results = pool.starmap(load_worker, [(url, queries, start_at, seconds, i) for i in range(clients)],
                               chunksize=1)
    elapsed = max(r["finished"] for r in results) - min(r["began"] for r in results)
    per_query = {name: [s for r in results for s in r["latencies"][name]] for name in names}
    every = [s for samples in per_query.values() for s in samples]
    errors: dict[str, int] = {}
    for r in results:
        for kind, n in r["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
    return {"clients": clients, "seconds": elapsed, "ok": len(every), "errors": sum(errors.values()),
            "error_kinds": errors, "throughput": len(every) / elapsed,
            "p50": statistics.median(every) if every else None,
            "p95": percentile(every, 0.95) if every else None,
            "per_query": {name: {"n": len(s), "p50": statistics.median(s) if s else None}
                          for name, s in per_query.items()}}


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks[:8]) - idle, sum(ticks[:8])


def machine_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of all cores' time that was busy between two `machine_cpu()` readings."""
    return (after[0] - before[0]) / max(after[1] - before[1], 1)


def bench_server(name: str, data: Path, meta: dict, work: Path, args, log) -> dict:
    import servers

    starters = {"diplograph": lambda data, work: servers.diplograph_server(data, work, args.diplograph_workers), "oxigraph": servers.oxigraph_server,
                "virtuoso": servers.virtuoso_server}
    # Other work on the machine skews everything: the load average says how much there was.
    result: dict = {"load_average_before": os.getloadavg()[0]}
    with starters[name](data, work) as running:
        result["load"] = {"seconds": running.load.seconds, "quads_per_s": meta["quads"] / running.load.seconds,
                          "peak_rss": running.load.peak_rss, "note": running.load.note}
        log(f"  {LABELS[name]}: loaded {meta['quads']:,} quads in {running.load.seconds:.1f} s "
            f"({meta['quads'] / running.load.seconds:,.0f}/s)")
        result["disk_bytes"] = servers.folder_bytes(running.store_folder)
        check_loaded(running, meta["quads"])
        # Measure the server as it runs for days, not while it tidies up after its start.
        result["settle_seconds"] = servers.settle(running)
        log(f"    idle {result['settle_seconds']:.1f} s after answering")
        running.memory.sample()
        result["rss_ready"] = running.memory.peak
        result["queries"] = latencies(running.query_url, args.budget, args.samples, args.min_samples)
        for q, r in result["queries"].items():
            log(f"    {q}: p50 {r['p50'] * 1000:.2f} ms, p95 {r['p95'] * 1000:.2f} ms "
                f"({r['samples']} runs, answer {r['answer']})")
        result["load_tests"] = {}
        for mix, queries in MIXES.items():
            server_cpu, machine = servers.cpu_seconds(running.memory._tree()), machine_cpu()
            lt = result["load_tests"][mix] = load_test(running.query_url, args.clients, args.load_seconds, queries)
            # Where the 2 cores went: the server's processes, and the machine as a whole (the
            # clients, and anything else running).
            lt["server_cpu_seconds"] = servers.cpu_seconds(running.memory._tree()) - server_cpu
            lt["machine_busy"] = machine_busy(machine, machine_cpu())
            log(f"    {args.clients} clients, {mix}, {lt['seconds']:.1f} s: {lt['throughput']:.1f} requests/s, "
                f"{lt['errors']} errors {lt['error_kinds'] or ''}")
    result["load_average_after"] = os.getloadavg()[0]
    result["peak_rss"] = running.memory.close()
    log(f"    peak memory {result['peak_rss'] / 2**20:,.0f} MiB")
    return result


def update_load(data: Path, meta: dict, log) -> dict:
    """`diplograph load`'s write path into an empty store (EmbeddedStore.replace_graphs: the bulk loader)."""
    import servers

    work = Path(tempfile.mkdtemp(prefix="bench-update-load-", dir=CACHE))
    try:
        seconds, rss = servers.update_load_embedded(data, work / "store")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"  diplograph load path (replace_graphs into an empty store): {seconds:.1f} s ({meta['quads'] / seconds:,.0f} quads/s), "
        f"peak {rss / 2**20:,.0f} MiB")
    return {"seconds": seconds, "quads_per_s": meta["quads"] / seconds, "peak_rss": rss}


def machine() -> dict:
    def first_line(args):
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    import pyoxigraph

    virtuoso = "?"
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    for line in (out.stdout + out.stderr).splitlines():
        if "Version" in line:
            virtuoso = line.strip()
            break
    return {"cpus": multiprocessing.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "oxigraph": first_line(["oxigraph", "--version"]),
            "virtuoso": virtuoso, "kernel": platform.release()}


# --- the report -------------------------------------------------------------------------------

def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def cpu_per_request(lt: dict) -> str:
    if "server_cpu_seconds" not in lt or not lt["ok"]:
        return "–"
    return ms(lt["server_cpu_seconds"] / lt["ok"])


def busy_share(lt: dict) -> str:
    return f"{lt['machine_busy']:.0%}" if "machine_busy" in lt else "–"


def ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def markdown(results: dict) -> str:
    out = []
    present = lambda size: [s for s in SERVERS if s in results["sizes"][size]["servers"]]  # noqa: E731
    for size, entry in results["sizes"].items():
        meta, by_server = entry["corpus"], entry["servers"]
        names = present(size)
        out.append(f"### {size}: {meta['quads']:,} quads, {meta['articles']} articles\n")
        head = "| query | " + " | ".join(f"{LABELS[s]} p50 / p95 (ms)" for s in names)
        if {"diplograph", "oxigraph"} <= set(names):
            head += " | diplograph ÷ Oxigraph (p50)"
        out.append(head + " | answer |")
        out.append("|" + "---|" * (head.count("|") + 1))
        for q in QUERIES:
            cells = [f"{ms(by_server[s]['queries'][q]['p50'])} / {ms(by_server[s]['queries'][q]['p95'])}"
                     for s in names]
            row = f"| {q} | " + " | ".join(cells)
            if {"diplograph", "oxigraph"} <= set(names):
                row += " | " + ratio(by_server["diplograph"]["queries"][q]["p50"],
                                     by_server["oxigraph"]["queries"][q]["p50"])
            answers = {by_server[s]["queries"][q]["answer"] for s in names}
            answer = " / ".join(f"{LABELS[s]} {by_server[s]['queries'][q]['answer']}" for s in names) \
                if len(answers) > 1 else str(answers.pop())
            out.append(row + f" | {answer} |")
        out.append("")
        out.append("| server | load (s) | quads/s | load peak memory | serving peak memory | on disk "
                   "| idle after start (s) | machine's load average, before → after |")
        out.append("|---|---|---|---|---|---|---|---|")
        for s in names:
            r = by_server[s]
            busy = f"{r['load_average_before']:.1f} → {r['load_average_after']:.1f}" if "load_average_before" in r else "–"
            idle = f"{r['settle_seconds']:.1f}" if "settle_seconds" in r else "–"
            out.append(f"| {LABELS[s]} | {r['load']['seconds']:.1f} | {r['load']['quads_per_s']:,.0f} "
                       f"| {mib(r['load']['peak_rss'])} | {mib(r['peak_rss'])} | {mib(r['disk_bytes'])} "
                       f"| {idle} | {busy} |")
        out.append("")
        clients = by_server[names[0]]["load_tests"][next(iter(MIXES))]["clients"]
        out.append(f"| {clients} clients, {results['load_seconds']:g} s | server | requests/s | errors "
                   "| p50 / p95 under load (ms) | throughput ÷ Oxigraph | server CPU per request (ms) "
                   "| machine's cores busy |")
        out.append("|---|---|---|---|---|---|---|---|")
        for mix in MIXES:
            for s in names:
                lt = by_server[s]["load_tests"][mix]
                oxi = by_server.get("oxigraph", {}).get("load_tests", {}).get(mix, {}).get("throughput")
                errors = f"{lt['errors']} {lt['error_kinds']}" if lt["errors"] else "0"
                out.append(f"| {mix} | {LABELS[s]} | {lt['throughput']:,.1f} | {errors} "
                           f"| {ms(lt['p50'])} / {ms(lt['p95'])} | {ratio(lt['throughput'], oxi)} "
                           f"| {cpu_per_request(lt)} | {busy_share(lt)} |")
        if entry.get("update_load"):
            u = entry["update_load"]
            out.append(f"\n`diplograph load`'s write path into an empty store (`EmbeddedStore.replace_graphs`, "
                       f"the bulk loader), from parsed quads: "
                       f"{u['seconds']:.1f} s, {u['quads_per_s']:,.0f} quads/s, peak {mib(u['peak_rss'])}.")
        out.append("")
    sizes = list(results["sizes"])
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        a, b = results["sizes"][first], results["sizes"][last]
        growth = b["corpus"]["quads"] / a["corpus"]["quads"]
        names = [s for s in present(first) if s in present(last)]
        out.append(f"### Growth from {first} to {last} ({growth:.0f}× the quads): p50 at {last} ÷ p50 at {first}\n")
        out.append("| | " + " | ".join(LABELS[s] for s in names) + " |")
        out.append("|---|" + "---|" * len(names))
        for q in QUERIES:
            out.append(f"| {q} | " + " | ".join(
                ratio(b["servers"][s]["queries"][q]["p50"], a["servers"][s]["queries"][q]["p50"]) for s in names) + " |")
        out.append("| serving peak memory | " + " | ".join(
            f"{mib(a['servers'][s]['peak_rss'])} → {mib(b['servers'][s]['peak_rss'])}" for s in names) + " |")
        for mix in MIXES:
            out.append(f"| requests/s under load, {mix} | " + " | ".join(
                f"{a['servers'][s]['load_tests'][mix]['throughput']:,.1f} → "
                f"{b['servers'][s]['load_tests'][mix]['throughput']:,.1f}" for s in names) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="See bench/RESULTS.md for the last results.")
    parser.add_argument("--sizes", default="40k,400k,4M", help=f"comma-separated, from {', '.join(SIZES)} "
                        "(default: %(default)s)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load test (default: 8)")
    parser.add_argument("--load-seconds", type=float, default=15.0, help="length of the load test (default: 15)")
    parser.add_argument("--budget", type=float, default=5.0,
                        help="seconds of single-client runs per query and server, past the minimum (default: 5)")
    parser.add_argument("--samples", type=int, default=200, help="at most this many runs per query (default: 200)")
    parser.add_argument("--min-samples", type=int, default=5, help="at least this many runs per query (default: 5)")
    parser.add_argument("--diplograph-workers", type=int, default=None, metavar="N",
                        help="`diplograph serve --workers N` (default: the server's own default, 2)")
    parser.add_argument("--update-load-max", default="4M",
                        help="run `diplograph load`'s write path up to this size; 'none' to skip (default: 4M)")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file without extension (default: bench/cache/results-TIME)")
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    names = [s.strip() for s in args.servers.split(",") if s.strip()]
    if unknown := [s for s in names if s not in SERVERS]:
        parser.error(f"unknown server {', '.join(unknown)}; choose from {', '.join(SERVERS)}")
    names = [s for s in SERVERS if s in names]  # always in the same order
    update_max = SIZES.get(args.update_load_max, 0)

    def log(message: str) -> None:
        print(message, flush=True)

    started = time.monotonic()
    results = {"started": dt.datetime.now().isoformat(timespec="seconds"), "command": " ".join(sys.argv),
               "machine": machine(), "load_seconds": args.load_seconds,
               "diplograph_workers": args.diplograph_workers, "queries": {q: t for q, (t, _) in QUERIES.items()}, "sizes": {}}
    output = args.output or CACHE / f"results-{dt.datetime.now():%Y%m%d-%H%M%S}"
    output.parent.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        data, meta = corpus(size, log=log)
        log(f"{size}: {meta['quads']:,} quads in {meta['articles']} articles ({data})")
        entry = results["sizes"][size] = {"corpus": meta, "servers": {}}
        for name in names:
            work = Path(tempfile.mkdtemp(prefix=f"bench-{size}-{name}-", dir=CACHE))
            try:
                entry["servers"][name] = bench_server(name, data, meta, work, args, log)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            output.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
        if "diplograph" in names and SIZES[size] <= update_max:
            entry["update_load"] = update_load(data, meta, log)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    output.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    report = markdown(results)
    output.with_suffix(".md").write_text(report)
    log("\n" + report)
    log(f"{results['minutes']} minutes; results in {output.with_suffix('.json')} and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
