"""What the entity, event and article pages share: links by label, events as rows of a list, the
names of the ontology's individuals in URLs and words, and the timeline's index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import current_app

from diplograph.ontology.vocab import GRANULARITIES, ID_BASE, MODALITIES, OPEN_BEGIN, ROLES, dg

from .context import served
from .links import href, local_href
from .timeline.index import NotReady
from .timeline.words import humanize, interval_in_words

if TYPE_CHECKING:
    from .timeline.index import Event, Snapshot

# An individual's IRI -> its name in the annotation format (and in the timeline's URLs and badges).
GRANULARITY_NAMES = {iri: name for name, iri in GRANULARITIES.items()}
MODALITY_NAMES = {dg(local): name for name, local in MODALITIES.items()}
ROLE_NAMES = {dg(local): name for name, local in ROLES.items()}


@dataclass(frozen=True)
class Link:
    """A resource as a link: its label and where it is served (None: not a web address)."""

    label: str
    href: str | None
    iri: str


def link(iri: str, label: str) -> Link:
    return Link(label, href(iri), iri)


def kind_of(iri: str) -> str | None:
    """What one of our IRIs names, by its path: entity, event, article, claim…; None for others."""
    if iri.startswith(ID_BASE):
        return iri[len(ID_BASE):].partition("/")[0]
    return None


@dataclass(frozen=True)
class EventRow:
    """An event as a line of a list: when, what, how sure."""

    link: Link
    when: str  # the date in words, at its granularity
    datetime: str | None  # for <time datetime>: a known bound
    expression: str | None  # the text's own words for the date
    modality: str
    type: str  # in words


def event_row(event: Event) -> EventRow:
    """A row from the timeline's index."""
    known = event.begin if event.begin != OPEN_BEGIN else (event.end if not event.open_end else None)
    return EventRow(link(event.iri, event.label), interval_in_words(event.begin, event.end, event.granularity),
                    known, event.expression, event.modality, humanize(event.type))


def timeline_href(**params: str) -> str:
    """The timeline on this server, filtered by `params` (e.g. actor=KEY)."""
    return local_href("/") + ("?" + urlencode(params) if params else "")


def timeline_snapshot() -> tuple[Snapshot | None, str]:
    """The timeline's index of the served store and its state: fresh, stale (the store changed a
    moment ago), preparing (the first index is being built) or failed (no snapshot for either).
    A page shows what it can without the index rather than fail with it."""
    index = current_app.extensions.get("diplograph.timeline")
    if index is None:
        return None, "failed"
    try:
        snapshot, fresh = index.current(served().store)
    except NotReady:
        return None, "preparing"
    except RuntimeError:  # the index could not be built; the log says why
        return None, "failed"
    return snapshot, "fresh" if fresh else "stale"
