"""Who may write: a client that sends the update token the server was started with, as
`Authorization: Bearer TOKEN`. The same rule and messages for SPARQL updates and the Graph Store."""

from __future__ import annotations

import hmac

from flask import request

from .http import HttpError

ENABLE_UPDATES = ("start the server with --update-token TOKEN (or DIPLOGRAPH_UPDATE_TOKEN=TOKEN) "
                  "and send the header 'Authorization: Bearer TOKEN'")


def authorize(token: str | None) -> None:
    """Return when the request may write; else raise 403 (writes disabled, wrong token) or 401
    (no credentials), each saying what to do."""
    if not token:
        raise HttpError(403, f"updates are disabled on this server; to enable them, {ENABLE_UPDATES}")
    header = request.headers.get("Authorization")
    if not header:
        raise HttpError(401, "this update needs the header 'Authorization: Bearer TOKEN', with the token "
                             "the server was started with", {"WWW-Authenticate": 'Bearer realm="diplograph"'})
    if not holds_token(token):
        raise HttpError(403, "the update token is wrong: send 'Authorization: Bearer TOKEN' with the token "
                             "the server was started with")


def holds_token(token: str | None) -> bool:
    """Whether the request carries `token` (False when updates are disabled)."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken does not tell how much of a guessed token was right.
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(),
                                                                              token.encode())
