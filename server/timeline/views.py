"""Routes: `/` (the timeline and its twins) and `/query` (the query page and its downloads).

The pages are plain HTML with one stylesheet from this server and no script: everything works
without JavaScript, and the Content-Security-Policy lets nothing else in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from jinja2 import pass_context
from markupsafe import Markup

from ..context import served, site_path
from ..http import negotiate
from . import axis, filters, query, twins
from .index import FACETS, NotReady, Snapshot, TimelineIndex
from .words import figure_in_words, humanize, interval_in_words

bp = Blueprint("timeline", __name__)

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TWIN_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
              "timelinejs": "application/json"}
# What `Accept` can ask of `/` without ?format=.
PAGE_OFFERS = {"text/html": "html", "application/json": "json", "text/csv": "csv"}
FACET_NAMES = {"actor": "Actor", "type": "Type", "modality": "Modality", "place": "Place",
               "source": "According to", "article": "Article"}
PREPARING_RETRY = 10  # seconds before a browser reloads a timeline whose first index is being built
SHOWN_FACET_VALUES = 60  # the most frequent values in each facet's list; chosen ones are always shown


@bp.record_once
def _create_index(state) -> None:
    # Built from the start: at millions of quads the first build takes tens of seconds, which
    # should not wait for the first visitor.
    app = state.app

    def warm() -> None:
        # The first page of a new snapshot is ready before anyone asks (its counts and axis
        # take a few hundred milliseconds at millions of quads).
        with app.test_request_context("/"):
            timeline()

    index = app.extensions["diplograph.timeline"] = TimelineIndex(warm=warm)
    context = app.extensions.get("diplograph")
    if context is not None:
        index.start(context.store)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Vary", "Accept")
    return response


@bp.app_template_global()
def url_with(params: list[tuple[str, str]], path: str = "/") -> str:
    """A URL of this server with these query parameters."""
    return site_path(path) + ("?" + urlencode(params) if params else "")


# Every page's templates (the resource pages' too) write their links as site_path('/query').
bp.add_app_template_global(site_path, "site_path")

bp.add_app_template_filter(interval_in_words, "interval")
bp.add_app_template_filter(humanize, "humanize")


@bp.app_context_processor
def _path_prefix() -> dict:
    # A page writes hundreds of links to /id/…: the configuration is looked up once per template.
    return {"path_prefix": site_path("")}


@bp.app_template_filter("local_path")
@pass_context
def _local_path(context, iri: str) -> str | None:
    return query.local_path(iri, context.get("path_prefix"))
bp.add_app_template_filter(figure_in_words, "figure")


@bp.route("/")
def timeline() -> Response:
    """The timeline of every event, filtered by the URL; `?format=` (or Accept) gives its twins."""
    try:
        snapshot, fresh = current_app.extensions["diplograph.timeline"].current(served().store)
    except NotReady:
        return Response(render_template("timeline/preparing.html"), status=503,
                        headers={"Retry-After": str(PREPARING_RETRY)}, content_type="text/html; charset=utf-8")
    chosen = filters.read(request.args, snapshot)
    fmt = chosen.format or PAGE_OFFERS.get(negotiate(request.headers.get("Accept"), list(PAGE_OFFERS)) or "",
                                           "html")
    positions = filters.select(snapshot, chosen)
    if fmt != "html":
        events = snapshot.events if positions is None else [snapshot.events[p] for p in positions]
        body = {"csv": lambda: twins.as_csv(events),
                "json": lambda: twins.as_json(events),
                "timelinejs": lambda: twins.as_timelinejs(events, "diplograph timeline")}[fmt]()
        response = Response(body, status=400 if chosen.problems else 200, content_type=TWIN_TYPES[fmt])
        if chosen.problems:
            response.headers["X-Diplograph-Problems"] = " / ".join(chosen.problems)[:1000]
        return response
    shown, pages = filters.page_of(positions, snapshot, chosen)
    events = [snapshot.events[p] for p in shown]
    total = len(snapshot.events) if positions is None else len(positions)
    # What is the same on every page of a view is rendered once per view and snapshot: the
    # filters with their counts, and the axis when it draws densities.
    view = (*chosen.params(page=None), bool(chosen.problems))
    filters_html = snapshot.cached(("filters-html", view), lambda: Markup(render_template(
        "timeline/_filters.html", facets=_facets(snapshot, chosen, positions), filters=chosen,
        labels=snapshot.labels)))

    def axis_html(on_page: set[str]) -> Markup:
        drawn = axis.layout(snapshot, positions, on_page, chosen.lanes, chosen.date_from, chosen.date_to, link)
        return Markup(render_template("timeline/_axis.html", axis=drawn, filters=chosen) if drawn else "")

    def link(**changes) -> str:
        if "actor" in changes:  # a lane of actors narrows to its actor too
            changes["actor"] = list(dict.fromkeys(chosen.chosen["actor"] + changes["actor"]))
        return url_with(chosen.params(**changes))

    if total > axis.MAX_MARKS:
        drawn_axis = snapshot.cached(("axis-html", view), lambda: axis_html(set()))
    else:  # each event by itself, linking to the list where it is on this page
        drawn_axis = axis_html({event.slug for event in events})
    html = render_template("timeline/timeline.html", events=events, filters=chosen, total=total,
                           all_events=len(snapshot.events), pages=pages,
                           first=(chosen.page - 1) * filters.PAGE_SIZE + 1, filters_html=filters_html,
                           axis_html=drawn_axis, fresh=fresh)
    return Response(html, status=400 if chosen.problems else 200, content_type="text/html; charset=utf-8")


def _facets(snapshot: Snapshot, chosen: filters.Filters, positions: list[int] | None) -> list[dict]:
    """Each facet's most frequent values among the matching events (and the chosen ones), with counts."""
    facets = []
    all_counts = snapshot.counts(positions, tuple(chosen.params(page=None, lanes=None)))
    for facet in FACETS:
        counts = all_counts[facet]
        if facet != "actor" and chosen.chosen[facet]:
            # A facet's values other than the actor's are alternatives (an event has one type):
            # each counts the events it would add, as if none of them were chosen.
            others = filters.without(chosen, facet)
            counts = snapshot.counts(filters.select(snapshot, others), tuple(others.params(page=None, lanes=None)))[facet]
        keys = [k for k, _ in counts.most_common(SHOWN_FACET_VALUES)]
        keys += [k for k in chosen.chosen[facet] if k not in keys]
        values = sorted(((k, snapshot.labels[facet].get(k, k), counts.get(k, 0)) for k in keys),
                        key=lambda v: v[1].casefold())
        facets.append({"name": facet, "title": FACET_NAMES[facet], "options": values,
                       "chosen": chosen.chosen[facet]})
    return facets


@bp.route("/query")
def query_page() -> Response:
    """The query form, its examples, and the answer to `?query=` as a table; with `&format=`
    the answer itself, as a download in that format."""
    text = request.args.get("query", "")
    fmt = request.args.get("format")
    problem, status, answer = None, 200, None
    if fmt is not None and fmt not in query.RESULT_DOWNLOADS and fmt not in query.GRAPH_DOWNLOADS:
        problem, status = (f"There is no format “{fmt}”; choose one of "
                           f"{', '.join([*query.RESULT_DOWNLOADS, *query.GRAPH_DOWNLOADS])}."), 400
    elif text.strip():
        try:
            kind, answered_as, media, body, truncated = query.run(text, fmt)
        except query.QueryProblem as err:
            problem, status = err.message, err.status
        else:
            if fmt is not None:
                return Response(body, content_type=media, headers={
                    "Content-Disposition": f'attachment; filename="diplograph-results.{answered_as}"',
                    "X-Diplograph-Truncated": "true" if truncated else "false"})
            columns, rows = query.table(kind, body)
            downloads = query.GRAPH_DOWNLOADS if kind == "triples" else query.RESULT_DOWNLOADS
            answer = {"kind": kind, "columns": columns, "rows": rows, "truncated": truncated,
                      "downloads": [(name, url_with([("query", text), ("format", name)], "/query"))
                                    for name in downloads],
                      "shown": query.SHOWN_ROWS}
    html = render_template("timeline/query.html", text=text, examples=query.EXAMPLES, problem=problem,
                           answer=answer, max_rows=served().config.max_rows)
    return Response(html, status=status, content_type="text/html; charset=utf-8")
