"""An event's page: every fact about it with where it comes from. Its date in words and the
text's own words for it, its type and modality, who says so, who took part in what role, where,
the sentences that mention it (each linked to its place in the article), the claims about it and
the claims that contradict them, its figures and quotations, the events it is part of or made of.

One CONSTRUCT gathers all of it, each part anchored on the event, so it costs a few index lookups
however large the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from diplograph.ontology.vocab import DCTERMS, DG, GAF, NIF, OPEN_BEGIN, OPEN_END, PROV, RDF, SEM

from .page_parts import GRANULARITY_NAMES, MODALITY_NAMES, ROLE_NAMES, Link, link
from .page_queries import Facts, construct
from .timeline.index import key_of
from .timeline.words import humanize, interval_in_words

ABOUT_IT = """CONSTRUCT {{
  {e} ?p ?o . ?o rdfs:label ?label .
  ?role rdf:value ?actor ; sem:roleType ?roleType .
  ?m nif:beginIndex ?mb ; nif:endIndex ?me ; nif:sentence ?s . ?s nif:beginIndex ?sb ; nif:anchorOf ?sentence .
  ?x ?xp {e} . ?x ?xq ?xo . ?xo rdfs:label ?xoLabel .
  ?xm nif:beginIndex ?xmb ; nif:endIndex ?xme .
  ?other dg:accordingTo ?otherSource . ?otherSource rdfs:label ?otherSourceLabel .
  ?article dcterms:issued ?issued .
}} WHERE {{
  {{ {e} ?p ?o OPTIONAL {{ ?o rdfs:label ?label }} }}
  UNION {{ {e} dg:hasRole ?role . ?role rdf:value ?actor ; sem:roleType ?roleType }}
  UNION {{ {e} gaf:denotedBy ?m . ?m nif:beginIndex ?mb ; nif:endIndex ?me ; nif:sentence ?s .
           ?s nif:beginIndex ?sb ; nif:anchorOf ?sentence }}
  UNION {{ ?x ?xp {e} . ?x ?xq ?xo OPTIONAL {{ ?xo rdfs:label ?xoLabel }} }}
  UNION {{ ?x ?xp {e} ; gaf:denotedBy ?xm . ?xm nif:beginIndex ?xmb ; nif:endIndex ?xme }}
  UNION {{ ?x dg:about {e} ; dg:contradicts ?other . ?other dg:accordingTo ?otherSource
           OPTIONAL {{ ?otherSource rdfs:label ?otherSourceLabel }} }}
  UNION {{ {e} prov:wasDerivedFrom ?article . ?article dcterms:issued ?issued }}
}}"""


@dataclass(frozen=True)
class Evidence:
    """A sentence that mentions the event, cut around the mention, and the mention's place."""

    before: str
    mention: str
    after: str
    href: str | None  # the mention in the article: …/id/article/A#char=B,E


@dataclass(frozen=True)
class Participant:
    actor: Link
    roles: list[str]


@dataclass(frozen=True)
class Claim:
    link: Link
    sources: list[Link]
    in_text: str | None
    contradicted_by: list[tuple[Link, list[Link]]]  # (claim, its sources)


@dataclass(frozen=True)
class Figure:
    link: Link
    words: str
    sources: list[Link]
    in_text: str | None


@dataclass(frozen=True)
class Quotation:
    link: Link
    words: str
    speakers: list[Link]
    in_text: str | None


@dataclass
class EventView:
    label: str
    types: list[Link]
    when: str
    begin: str | None
    end: str | None
    earliest_end: str | None
    granularity: str
    expression: str | None
    modality: str | None
    modality_link: Link | None
    sources: list[Link]
    participants: list[Participant]
    places: list[Link]
    condition: str | None
    conditional_on: list[Link]
    depending: list[Link]
    part_of: list[Link]
    parts: list[Link]
    topics: list[Link]
    about_it: list[Link]
    evidence: list[Evidence]
    claims: list[Claim]
    figures: list[Figure]
    quotations: list[Quotation]
    articles: list[tuple[Link, str | None]]  # (article, publication date in words)
    truncated: bool


def build(iri: str) -> EventView | None:
    """The page's data, or None when the store does not hold the event as an event."""
    facts = construct(ABOUT_IT.format(e=NamedNode(iri)))
    if SEM + "Event" not in facts.iris(iri, RDF + "type"):
        return None

    def links(iris) -> list[Link]:
        return sorted((link(i, facts.label(i, key_of(i))) for i in dict.fromkeys(iris)),
                      key=lambda lk: (lk.label.casefold(), lk.iri))

    begin = facts.text(iri, SEM + "hasEarliestBeginTimeStamp")
    end = facts.text(iri, SEM + "hasLatestEndTimeStamp")
    granularity = GRANULARITY_NAMES.get(next(iter(facts.iris(iri, DG + "granularity")), ""), "vague")
    modality = next(iter(facts.iris(iri, DG + "modality")), None)
    articles = facts.iris(iri, PROV + "wasDerivedFrom")
    about = facts.subjects(DG + "about", iri)
    return EventView(
        label=facts.label(iri, key_of(iri)),
        types=links(t for t in facts.iris(iri, RDF + "type") if t.startswith(DG)),
        when=interval_in_words(begin or OPEN_BEGIN, end or OPEN_END, granularity),
        begin=begin if begin != OPEN_BEGIN else None, end=end if end != OPEN_END else None,
        earliest_end=facts.text(iri, SEM + "hasEarliestEndTimeStamp"), granularity=granularity,
        expression=facts.text(iri, DG + "timeExpression"),
        modality=MODALITY_NAMES.get(modality or "", modality and modality.rpartition("#")[2].lower()),
        modality_link=link(modality, facts.label(modality, modality.rpartition("#")[2])) if modality else None,
        sources=links(facts.iris(iri, DG + "accordingTo")),
        participants=_participants(facts, iri, links),
        places=links(facts.iris(iri, SEM + "hasPlace")),
        condition=facts.text(iri, DG + "condition"),
        conditional_on=links(facts.iris(iri, DG + "conditionalOn")),
        depending=links(facts.subjects(DG + "conditionalOn", iri)),
        part_of=links(facts.iris(iri, SEM + "subEventOf")),
        parts=links(facts.subjects(SEM + "subEventOf", iri)),
        topics=links(facts.iris(iri, DG + "topic")),
        about_it=links(facts.subjects(DG + "topic", iri)),
        evidence=_evidence(facts, iri, articles),
        claims=[_claim(facts, c, links, articles) for c in about if _is(facts, c, "Claim")],
        figures=[_figure(facts, f, links, articles) for f in about if _is(facts, f, "Figure")],
        quotations=[_quotation(facts, q, links, articles) for q in
                    dict.fromkeys(facts.subjects(DG + "saidIn", iri) + about) if _is(facts, q, "Quotation")],
        articles=[(link(a, facts.label(a, key_of(a))), _day(facts.text(a, DCTERMS + "issued"))) for a in articles],
        truncated=facts.truncated)


def _is(facts: Facts, iri: str, cls: str) -> bool:
    return DG + cls in facts.iris(iri, RDF + "type")


def _day(iso: str | None) -> str | None:
    return interval_in_words(iso, iso, "day") if iso else None


def _participants(facts: Facts, iri: str, links) -> list[Participant]:
    """Each actor with the roles it plays; an actor without a stated role is listed too."""
    roles: dict[str, list[str]] = {actor: [] for actor in facts.iris(iri, SEM + "hasActor")}
    for role in facts.iris(iri, DG + "hasRole"):
        for actor in facts.iris(role, RDF + "value"):
            for kind in facts.iris(role, SEM + "roleType"):
                roles.setdefault(actor, []).append(ROLE_NAMES.get(kind, humanize(kind.rpartition("#")[2])))
    return [Participant(actor, sorted(set(roles[actor.iri]))) for actor in links(roles)]


def _span(facts: Facts, mention: str) -> tuple[int, int] | None:
    begin, end = facts.number(mention, NIF + "beginIndex"), facts.number(mention, NIF + "endIndex")
    return (begin, end) if begin is not None and end is not None else None


def _in_text(facts: Facts, iri: str, articles: list[str]) -> str | None:
    """A link to the first mention of `iri` in its article's text."""
    spans = sorted(filter(None, (_span(facts, m) for m in facts.iris(iri, GAF + "denotedBy"))))
    article = next(iter(facts.iris(iri, PROV + "wasDerivedFrom") or articles), None)
    if not spans or article is None:
        return None
    target = link(article, "").href
    return f"{target}#char={spans[0][0]},{spans[0][1]}" if target else None


def _evidence(facts: Facts, iri: str, articles: list[str]) -> list[Evidence]:
    found = []
    target = link(articles[0], "").href if articles else None
    for mention in facts.iris(iri, GAF + "denotedBy"):
        span = _span(facts, mention)
        sentence_iri = next(iter(facts.iris(mention, NIF + "sentence")), None)
        if span is None or sentence_iri is None:
            continue
        sentence = facts.text(sentence_iri, NIF + "anchorOf") or ""
        start = span[0] - (facts.number(sentence_iri, NIF + "beginIndex") or 0)
        stop = min(start + span[1] - span[0], len(sentence))
        found.append((span, Evidence(sentence[:start], sentence[start:stop], sentence[stop:],
                                     f"{target}#char={span[0]},{span[1]}" if target else None)))
    return [evidence for _, evidence in sorted(found, key=lambda item: item[0])]


def _claim(facts: Facts, claim: str, links, articles) -> Claim:
    return Claim(link(claim, facts.label(claim, key_of(claim))), links(facts.iris(claim, DG + "accordingTo")),
                 _in_text(facts, claim, articles),
                 [(link(other, facts.label(other, key_of(other))), links(facts.iris(other, DG + "accordingTo")))
                  for other in facts.iris(claim, DG + "contradicts")])


def _figure(facts: Facts, figure: str, links, articles) -> Figure:
    return Figure(link(figure, facts.label(figure, key_of(figure))), facts.figure_words(figure),
                  links(facts.iris(figure, DG + "accordingTo")), _in_text(facts, figure, articles))


def _quotation(facts: Facts, quotation: str, links, articles) -> Quotation:
    return Quotation(link(quotation, facts.label(quotation, key_of(quotation))),
                     facts.text(quotation, DG + "quotedText") or facts.label(quotation, ""),
                     links(facts.iris(quotation, DG + "speaker")), _in_text(facts, quotation, articles))
