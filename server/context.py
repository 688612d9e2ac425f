"""What every view needs: the configuration and the served store, kept on the app (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

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
    return (served().config.base_url or request.host_url).rstrip("/")


def endpoint_url() -> str:
    """The endpoint's public URL. It is the base IRI of queries and updates (the protocol allows
    the endpoint as base)."""
    return public_base() + "/sparql"
