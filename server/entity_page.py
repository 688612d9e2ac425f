"""An actor's or a place's page: what it is (label, type, aliases, Wikidata), its events in time
order, who else takes part in them, and where to see them on the timeline.

What it is comes from one small CONSTRUCT of its own statements; its events come from the
timeline's index (the postings of its key), so a page costs no scan of the store however many
events it has. Long lists are cut; the timeline, filtered by it, lists them all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from diplograph.ontology.vocab import DCTERMS, DG, OWL, RDF, SEM, SKOS, WD

from .page_parts import EventRow, Link, event_row, link, timeline_href, timeline_snapshot
from .page_queries import construct
from .timeline.index import key_of

SHOWN_EVENTS = 100  # per list; the timeline has the rest
SHOWN_CO_ACTORS = 40

WHAT_IT_IS = """CONSTRUCT {{ {x} ?p ?o . ?o rdfs:label ?label . ?member dg:affiliation {x} ; rdfs:label ?name }}
WHERE {{
  {{ VALUES ?p {{ rdf:type rdfs:label skos:altLabel dcterms:description dg:title dg:affiliation dg:memberCount
                 owl:sameAs }}
    {x} ?p ?o OPTIONAL {{ ?o rdfs:label ?label }} }}
  UNION {{ ?member dg:affiliation {x} OPTIONAL {{ ?member rdfs:label ?name }} }}
}}"""

# The lists of an entity's events: the facet of the timeline's index, the heading, the link's words.
ROLES = [("actor", "Events it takes part in", "these events on the timeline"),
         ("place", "Events here", "events here on the timeline"),
         ("source", "Events reported according to it", "these reports on the timeline")]


@dataclass(frozen=True)
class EventList:
    heading: str
    slug: str
    rows: list[EventRow]
    total: int
    timeline: str  # the timeline filtered by the entity in this role
    timeline_words: str


@dataclass
class EntityView:
    label: str
    types: list[Link]
    aliases: list[str]
    description: str | None
    title: str | None
    member_count: int | None
    affiliations: list[Link]
    members: list[Link]
    wikidata: list[tuple[str, str]]  # (Q-id, page)
    index: str  # the state of the timeline's index: fresh, stale, preparing or failed
    lists: list[EventList] = field(default_factory=list)
    co_actors: list[tuple[Link, int]] = field(default_factory=list)
    more_co_actors: int = 0
    articles: list[tuple[Link, int]] = field(default_factory=list)
    truncated: bool = False


def build(iri: str) -> EntityView | None:
    """The page's data, or None when the store says nothing of the entity's own."""
    facts = construct(WHAT_IT_IS.format(x=NamedNode(iri)))
    if not facts:
        return None
    types = [link(t, facts.label(t, t.rpartition("#")[2])) for t in facts.iris(iri, RDF + "type")
             if t.startswith(DG)]
    types += [link(t, facts.label(t, t.rpartition("/")[2])) for t in facts.iris(iri, RDF + "type")
              if t.startswith(SEM) and not types]
    wikidata = [(q[len(WD):], "https://www.wikidata.org/wiki/" + q[len(WD):]) for q in facts.iris(iri, OWL + "sameAs")
                if q.startswith(WD) and q[len(WD):].startswith("Q")]
    view = EntityView(
        label=facts.label(iri, key_of(iri)), types=types, aliases=facts.texts(iri, SKOS + "altLabel"),
        description=facts.text(iri, DCTERMS + "description"), title=facts.text(iri, DG + "title"),
        member_count=facts.number(iri, DG + "memberCount"),
        affiliations=_by_label([link(a, facts.label(a, key_of(a))) for a in facts.iris(iri, DG + "affiliation")]),
        members=_by_label([link(m, facts.label(m, key_of(m))) for m in facts.subjects(DG + "affiliation", iri)]),
        wikidata=wikidata, index="preparing", truncated=facts.truncated)
    snapshot, view.index = timeline_snapshot()
    if snapshot is not None:
        _events(view, snapshot, iri)
    return view


def _events(view: EntityView, snapshot, iri: str) -> None:
    """The entity's events from the timeline's index: each list in date order, its co-actors and
    the articles that report them."""
    key = key_of(iri)
    involved: set[int] = set()  # where it acts or which happen there: their actors are its co-actors
    reported: set[int] = set()
    for facet, heading, words in ROLES:
        positions = snapshot.postings.get(facet, {}).get(key, [])
        if not positions:
            continue
        reported.update(positions)
        if facet != "source":
            involved.update(positions)
        rows = [event_row(snapshot.events[p]) for p in positions[:SHOWN_EVENTS]]
        view.lists.append(EventList(heading, facet, rows, len(positions), timeline_href(**{facet: key}), words))
    co_actors: Counter[str] = Counter()
    articles: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for p in sorted(reported):
        event = snapshot.events[p]
        if p in involved:
            for actor in event.actors:
                if actor.iri != iri:
                    co_actors[actor.iri] += 1
                    labels.setdefault(actor.iri, actor.label)
        if event.article:
            articles[event.article.iri] += 1
            labels.setdefault(event.article.iri, event.article.label)
    ranked = sorted(co_actors.items(), key=lambda item: (-item[1], labels[item[0]].casefold(), item[0]))
    view.co_actors = [(link(a, labels[a]), n) for a, n in ranked[:SHOWN_CO_ACTORS]]
    view.more_co_actors = max(len(ranked) - SHOWN_CO_ACTORS, 0)
    view.articles = [(link(a, labels[a]), n) for a, n in
                     sorted(articles.items(), key=lambda item: (-item[1], labels[item[0]].casefold()))][:SHOWN_EVENTS]


def _by_label(links: list[Link]) -> list[Link]:
    return sorted(links, key=lambda lk: (lk.label.casefold(), lk.iri))
