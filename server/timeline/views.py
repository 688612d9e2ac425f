"""Routes: `/` (the timeline and its twins) and `/query` (the query page and its downloads).

The pages are plain HTML with one stylesheet from this server and no script: everything works
without JavaScript, and the Content-Security-Policy lets nothing else in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request

from ..context import served
from ..http import negotiate
from . import axis, filters, query, twins
from .index import FACETS, NotReady, TimelineIndex
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
    state.app.extensions["diplograph.timeline"] = TimelineIndex()


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
    return path + ("?" + urlencode(params) if params else "")


bp.add_app_template_filter(interval_in_words, "interval")
bp.add_app_template_filter(humanize, "humanize")
bp.add_app_template_filter(query.local_path, "local_path")
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
    total = len(snapshot.events) if positions is None else len(positions)
    html = render_template("timeline/timeline.html", events=events, facets=facets, filters=chosen,
                           total=total, all_events=len(snapshot.events), pages=pages,
                           first=(chosen.page - 1) * filters.PAGE_SIZE + 1,
                           axis=axis.layout(events, chosen.lanes, chosen.date_from, chosen.date_to),
                           labels=snapshot.labels, fresh=fresh)
    return Response(html, status=400 if chosen.problems else 200, content_type="text/html; charset=utf-8")


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
