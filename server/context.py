"""What every view needs: the configuration and the served store, kept on the app (no globals)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request

from .config import ServerConfig
from .engine import ServedStore


@dataclass(frozen=True)
class Served:
    config: ServerConfig
    store: ServedStore


def served() -> Served:
    """The configuration and store of the app handling the current request."""
    return current_app.extensions["diplograph"]


def public_base() -> str:
    """The server's public base URL without a trailing slash: --base-url if given, else from the
    request's Host header."""
    base = served().config.base_url
    if base:
        return base.rstrip("/")
    env = request.environ
    key = (env.get("wsgi.url_scheme"), env.get("HTTP_HOST"), env.get("SERVER_NAME"), env.get("SERVER_PORT"))
    found = _host_bases.get(key)
    if found is None:
        # werkzeug's host_url costs more than a small query's answer: remembered per Host header
        # (a few, as a server has a few names; forgotten all at once if clients send many).
        if len(_host_bases) >= 64:
            _host_bases.clear()
        found = _host_bases[key] = request.host_url.rstrip("/")
    return found


_host_bases: dict[tuple, str] = {}


def site_path(path: str) -> str:
    """A root-relative `path` of this server (`/query`, `/static/…`) as clients must ask for it:
    under the path of --base-url when it has one (a reverse proxy that mounts the server at
    /kg/ and strips /kg before forwarding), else unchanged. Every link, form action and redirect
    the server emits goes through here. It depends on the configuration only, not the request,
    so pages cached across requests stay right."""
    return _path_prefix(served().config.base_url) + path


@lru_cache(maxsize=8)
def _path_prefix(base_url: str | None) -> str:
    # A page writes hundreds of links: the URL is split once, not for each.
    return urlsplit(base_url or "").path.rstrip("/")


def endpoint_url() -> str:
    """The endpoint's public URL. It is the base IRI of queries and updates (the protocol allows
    the endpoint as base)."""
    return public_base() + "/sparql"
