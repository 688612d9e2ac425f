"""The one command line: `diplograph load | query | export | check | serve`.

Errors print one line each, never a traceback. Exit codes: 0 done, 1 bad input (an annotation,
a query, a failed check), 2 wrong usage, 3 the store could not be opened or written,
4 an internal error (a bug: please report it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from diplograph import __version__
from diplograph.errors import AnnotationError, DiplographError, QueryError, StoreError

EXIT_INPUT, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL = 1, 2, 3, 4

store_option = click.option(
    "--store", "store_location", envvar="DIPLOGRAPH_STORE", metavar="PATH|URL",
    help="Store folder, or a SPARQL endpoint URL ('QUERY_URL UPDATE_URL' if they differ); "
         "default $DIPLOGRAPH_STORE, else ~/.local/share/diplograph/store.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="diplograph")
def cli() -> None:
    """News reporting on diplomacy and conflict as a grounded, attributed knowledge graph."""


@cli.command()
@click.argument("annotations", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@store_option
@click.option("--server", "server_url", envvar="DIPLOGRAPH_SERVER", show_envvar=True, metavar="URL",
              help="Load into the running `diplograph serve` at URL (e.g. http://127.0.0.1:8000) instead of a "
                   "store; needs --token.")
@click.option("--token", envvar="DIPLOGRAPH_UPDATE_TOKEN", show_envvar=True, metavar="TOKEN",
              help="The update token the server was started with. Prefer the environment variable: other "
                   "users can see a command line.")
def load(annotations: tuple[Path, ...], store_location: str | None, server_url: str | None,
         token: str | None) -> None:
    """Load annotated articles (default: the bundled corpus) into the store, or into a running server.

    Every file is checked before anything is written; then each article's graph, and the
    ontology's, are replaced all or nothing (on a server: in one update request, so that its
    readers see each article whole). Loading the same files twice changes nothing. A first load
    into an empty store folder uses the bulk loader: if it fails, or is killed, the store is left
    empty (at once, or when it is next opened).
    """
    from diplograph.corpus import bundled_annotations
    from diplograph.loader import graphs_to_load, read_articles
    from diplograph.store import open_store
    from diplograph.store.server import ServerStore

    given = click.get_current_context().get_parameter_source
    if server_url is not None:
        if given("store_location") == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("give --store or --server, not both")
        if not server_url.startswith(("http://", "https://")):
            raise click.UsageError(f"--server takes the server's http:// or https:// address, not {server_url!r}")
        if not token:
            raise click.UsageError("--server needs --token TOKEN (or DIPLOGRAPH_UPDATE_TOKEN): the update token "
                                   "the server was started with")
    elif given("token") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--token is for loading into a server: give --server URL too")
    paths = list(annotations) or bundled_annotations()
    with _progress(paths, "Checking") as bar:
        articles = read_articles(paths, progress=lambda items: bar)
    graphs = graphs_to_load(articles)
    store = ServerStore(server_url, token) if server_url is not None else open_store(store_location)
    try:
        store.replace_graphs(graphs)
        for article in articles:
            click.echo(f"loaded {article.source}: {len(article.quads)} quads in <{article.graph}>")
        where = f"server {store.location}" if server_url is not None else f"store {store.location}"
        click.echo(f"{where}: {store.count()} quads in {len(store.graphs())} graphs")
    finally:
        store.close()


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", default=None,
              help="SELECT/ASK: table (default), json, csv, tsv, xml. "
                   "CONSTRUCT/DESCRIBE: turtle (default), nquads, ntriples, trig, jsonld, rdfxml.")
@store_option
def query(query: str, fmt: str | None, store_location: str | None) -> None:
    """Run a SPARQL QUERY: the text itself, @FILE to read it from a file, or - for standard input.

    The default graph is the union of all graphs; the prefixes dg, sem, nif, gaf, prov, wd, time,
    dcterms, skos, rdf, rdfs, owl and xsd are predeclared.
    """
    from diplograph.store import GRAPH_FORMATS, SOLUTION_FORMATS, Boolean, Solutions, open_store

    text = _query_text(query)
    store = open_store(store_location)
    try:
        result = store.query(text)
        if isinstance(result, (Solutions, Boolean)):
            fmt = fmt or "table"
            if fmt not in SOLUTION_FORMATS:
                raise click.UsageError(f"--format {fmt} does not fit a SELECT/ASK; use one of: "
                                       f"{', '.join(SOLUTION_FORMATS)}")
            if fmt == "table":
                click.echo(_table(result), nl=False)
            else:
                sys.stdout.buffer.write(result.serialize(fmt))
        else:
            fmt = fmt or "turtle"
            if fmt not in GRAPH_FORMATS:
                raise click.UsageError(f"--format {fmt} does not fit a CONSTRUCT/DESCRIBE; use one of: "
                                       f"{', '.join(GRAPH_FORMATS)}")
            sys.stdout.buffer.write(result.serialize(fmt))
    finally:
        store.close()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "turtle", "jsonld"]), default="nquads",
              show_default=True, help="Turtle holds no graph names: it gets the union of the graphs.")
@click.option("--graph", metavar="IRI", help="Export only this named graph.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default stdout).")
@store_option
def export(fmt: str, graph: str | None, output: Path | None, store_location: str | None) -> None:
    """Write the store, or one graph, as RDF."""
    from diplograph.store import open_store

    store = open_store(store_location)
    try:
        data = store.export(fmt, graph)
    finally:
        store.close()
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@click.argument("annotations", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "store_location", metavar="PATH|URL",
              help="Check the data in this store (a folder or a SPARQL endpoint URL, as for load) instead of "
                   "annotation files.")
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (it needs Java).")
def check(annotations: tuple[Path, ...], store_location: str | None, no_reasoner: bool) -> None:
    """Check annotated articles (default: the bundled corpus) without touching any store, or the
    data in a store (--store).

    Validates each annotation against its text, every mention's offsets, the ontology's
    consistency with HermiT (ontology alone and with the data), and the data against the SHACL
    shapes. With --store: every article graph's mention offsets against its text, HermiT and
    SHACL over what the store holds (whoever loaded it). Exits 1 with a report if anything fails.
    """
    from diplograph.check import run_checks, run_store_checks
    from diplograph.corpus import bundled_annotations
    from diplograph.store import open_store

    if store_location is not None:
        if annotations:
            raise click.UsageError("give annotation files or --store, not both")
        store = open_store(store_location)
        try:
            report = run_store_checks(store, reasoner=not no_reasoner)
        finally:
            store.close()
    else:
        report = run_checks(list(annotations) or bundled_annotations(), reasoner=not no_reasoner)
    click.echo(report.text(), nl=False)
    if not report.ok:
        sys.exit(EXIT_INPUT)


def _base_url(ctx, param, value: str | None) -> str | None:
    """--base-url must be an absolute http(s) URL that pages and IRIs can be put under."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host and no query or fragment; "
                                 "write it as clients reach the server, e.g. https://example.org/kg")
    return value


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="DIPLOGRAPH_HOST", show_envvar=True,
              help="Address to listen on; 0.0.0.0 listens on every interface.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, envvar="DIPLOGRAPH_PORT",
              show_envvar=True, help="Port to listen on; 0 picks a free one (the address is logged).")
@store_option
@click.option("--base-url", envvar="DIPLOGRAPH_BASE_URL", show_envvar=True, metavar="URL", callback=_base_url,
              help="How clients reach the server (e.g. https://example.org, or https://example.org/kg behind a "
                   "proxy that mounts it there): the service description's endpoint, the base IRI of queries, "
                   "and where pages link. Default: from each request's Host.")
@click.option("--query-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              envvar="DIPLOGRAPH_QUERY_TIMEOUT", show_envvar=True, metavar="SECONDS",
              help="Time a query may take from its arrival; a slower one is stopped and answered 503.")
@click.option("--update-token", envvar="DIPLOGRAPH_UPDATE_TOKEN", show_envvar=True, metavar="TOKEN",
              help="Accept SPARQL updates that carry 'Authorization: Bearer TOKEN'; without it updates are "
                   "refused (403). Prefer the environment variable: other users can see a command line.")
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True, envvar="DIPLOGRAPH_THREADS",
              show_envvar=True, help="HTTP requests handled at once.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, envvar="DIPLOGRAPH_WORKERS",
              show_envvar=True, help="Query worker processes: how many queries are evaluated at once.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              envvar="DIPLOGRAPH_MAX_ROWS", show_envvar=True,
              help="Solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; a longer answer is cut "
                   "to its first N and says so in the header X-Diplograph-Truncated: true.")
@click.option("--max-update-body", type=click.IntRange(min=1), default=64, show_default=True,
              envvar="DIPLOGRAPH_MAX_UPDATE_BODY", show_envvar=True, metavar="MIB",
              help="Largest body, in MiB, of a request that carries the update token (a `diplograph load "
                   "--server` is one request); any other request body is limited to 1 MiB.")
def serve(host: str, port: int, store_location: str | None, base_url: str | None, query_timeout: float,
          update_token: str | None, threads: int, workers: int, max_rows: int, max_update_body: int) -> None:
    """Serve the store over HTTP until stopped (Ctrl-C or SIGTERM); an empty store gets the bundled
    corpus first. '--store :memory:' serves a temporary store.

    /sparql is the SPARQL 1.1 Protocol endpoint (GET it without a query for the service
    description), /store the Graph Store, /id/… and /ontology the minted IRIs as linked data,
    /.well-known/void the dataset's description, /dumps/all.nq.gz and /dumps/ARTICLE.nq.gz its
    dumps, /healthz the health check. SERVICE and LOAD are refused, FROM and default-graph-uri only
    name graphs already in the store, request bodies are limited to 1 MiB (writers: --max-update-body).
    """
    from diplograph.server.config import MEBIBYTE, ServerConfig
    from diplograph.server.run import serve as run_server

    run_server(ServerConfig(host=host, port=port, store=store_location, base_url=base_url,
                            query_timeout=query_timeout, update_token=update_token or None, threads=threads,
                            workers=workers, max_rows=max_rows, max_update_body=max_update_body * MEBIBYTE))


def _query_text(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        path = Path(arg[1:])
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise click.UsageError(f"cannot read the query file {path}: {getattr(err, 'strerror', err)}")
    return arg


def _table(result) -> str:
    """A plain text table; terms shown as in N-Triples, with our prefixes abbreviated."""
    from diplograph.store import Boolean

    if isinstance(result, Boolean):
        return ("true" if result.value else "false") + "\n"
    rows = [[_short(term) for term in row] for row in result.rows]
    header = list(result.variables)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n"  # noqa: E731
    out = line(header) + "-+-".join("-" * w for w in widths) + "\n"
    out += "".join(line(r) for r in rows)
    return out + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def _short(term) -> str:
    from pyoxigraph import Literal, NamedNode

    from diplograph.ontology.vocab import ID_BASE, PREFIXES

    if term is None:
        return ""
    if isinstance(term, NamedNode):
        if term.value.startswith(ID_BASE):
            return "<" + term.value[len(ID_BASE):] + ">"
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        return term.value
    return str(term)


class _progress:
    """A progress bar on standard error, only when there are many files and a terminal to show it."""

    def __init__(self, items: list, label: str):
        self.items, self.label = items, label
        self.bar = None

    def __enter__(self):
        if len(self.items) > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(self.items, label=self.label, file=sys.stderr)
            return self.bar.__enter__()
        return self.items

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def main() -> None:
    """Entry point: run the CLI and turn every error into one line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as err:
        err.show()
        sys.exit(EXIT_USAGE)
    except AnnotationError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_INPUT)
    except QueryError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_INPUT)
    except StoreError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_STORE)
    except DiplographError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_INPUT)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as err:  # the edge: a bug shows as one line, not a traceback
        click.echo(f"internal error: {type(err).__name__}: {err} (please report this)", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
