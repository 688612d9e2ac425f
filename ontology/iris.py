"""Minting IRIs for what the loader writes. Each is derived from ids and offsets, never from
counters or randomness, so the same annotation always yields the same IRIs."""

from __future__ import annotations

from .vocab import ID_BASE


def article(article_id: str) -> str:
    return f"{ID_BASE}article/{article_id}"


def article_text(article_id: str) -> str:
    return f"{article(article_id)}/text"


def span(article_id: str, begin: int, end: int) -> str:
    """A stretch of an article's text (a mention or a sentence)."""
    return f"{article(article_id)}/char/{begin}-{end}"


def credit(article_id: str, person: str) -> str:
    return f"{article(article_id)}/credit/{person}"


def graph(article_id: str) -> str:
    """The named graph that holds everything one article says."""
    return f"{ID_BASE}graph/{article_id}"


def entity(entity_id: str) -> str:
    return f"{ID_BASE}entity/{entity_id}"


def event(article_id: str, event_id: str) -> str:
    return f"{ID_BASE}event/{article_id}/{event_id}"


def role(article_id: str, event_id: str, role_name: str, entity_id: str) -> str:
    return f"{event(article_id, event_id)}/role/{role_name}/{entity_id}"


def claim(article_id: str, claim_id: str) -> str:
    return f"{ID_BASE}claim/{article_id}/{claim_id}"


def figure(article_id: str, figure_id: str) -> str:
    return f"{ID_BASE}figure/{article_id}/{figure_id}"


def quotation(article_id: str, quotation_id: str) -> str:
    return f"{ID_BASE}quotation/{article_id}/{quotation_id}"
