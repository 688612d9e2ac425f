"""HTTP concerns in one place: content negotiation, errors as plain-text answers, CORS."""

from __future__ import annotations

from functools import lru_cache

from flask import Response

# Headers a browser script may read on a cross-origin answer (the row cap is part of the result).
EXPOSED_HEADERS = "X-Diplograph-Truncated, X-Diplograph-Max-Rows"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": EXPOSED_HEADERS,
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}


class HttpError(Exception):
    """An answer other than success, raised where the fault is found: a status and a message that
    says what to do, shown to the client as plain text."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text answer: every error the server gives looks like this."""
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header as (type, subtype, q); malformed parts are skipped."""
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if "/" not in fields[0]:
            continue
        kind, _, sub = fields[0].lower().partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer (a media type) the client prefers, or None when it accepts none of them; see
    `_negotiate`. Clients send the same few Accept headers again and again: the answer is cached."""
    return _negotiate(accept, tuple(offers))


@lru_cache(maxsize=512)
def _negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """Each offer takes the q-value of the most specific range that matches it (type/subtype, then
    type/*, then */*), as RFC 9110 says; ties go to the earlier offer, so `offers` is listed in
    the server's preference. No Accept header (or an empty one) accepts everything.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _media_ranges(accept)
    best, best_q = None, 0.0
    for offer in offers:
        kind, _, sub = offer.partition("/")
        matching = [(int(r_kind != "*") + int(r_sub != "*"), q) for r_kind, r_sub, q in ranges
                    if r_kind in (kind, "*") and r_sub in (sub, "*")]
        if not matching:
            continue
        q = max(matching)[1]
        if q > best_q:
            best, best_q = offer, q
    return best
