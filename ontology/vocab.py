"""The one place for namespaces, the ontology's terms and how the annotation format names them.

Every IRI the project writes or queries is built from the names here, so a typo is an
``AttributeError`` at import time instead of a silently empty query.
"""

from __future__ import annotations

from dataclasses import dataclass

SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
GAF = "http://groundedannotationframework.org/gaf#"
PROV = "http://www.w3.org/ns/prov#"
WD = "http://www.wikidata.org/entity/"
TIME = "http://www.w3.org/2006/time#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

ONTOLOGY_IRI = "https://w3id.org/diplograph/ontology"
ONTOLOGY_VERSION = "0.1.0"
DG = ONTOLOGY_IRI + "#"
# Minted resources live under this base; the server maps it to whatever host serves them.
ID_BASE = "https://w3id.org/diplograph/id/"
# The ontology is kept in its own named graph, named after the ontology itself.
ONTOLOGY_GRAPH = ONTOLOGY_IRI

PREFIXES: dict[str, str] = {
    "dg": DG,
    "sem": SEM,
    "nif": NIF,
    "gaf": GAF,
    "prov": PROV,
    "wd": WD,
    "time": TIME,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}


def sparql_prefixes() -> str:
    """PREFIX declarations for every namespace above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass(frozen=True)
class EventClass:
    """An event type: its local name in the ontology and its CAMEO / PLOVER counterparts."""

    name: str
    parent: str | None  # another event class name, or None for a direct subclass of sem:Event
    cameo_root: str | None  # two-digit CAMEO root code, None where CAMEO has no counterpart
    plover: str | None  # PLOVER 2.0 event type, None where PLOVER has no counterpart


# The annotation's `class:` of an event is one of these names.
EVENT_CLASSES: dict[str, EventClass] = {
    c.name: c
    for c in [
        EventClass("Statement", None, "01", None),
        EventClass("NoComment", "Statement", "01", None),
        EventClass("Appeal", None, "02", "REQUEST"),
        EventClass("Demand", None, "10", "REQUEST"),
        EventClass("Proposal", None, "03", "COOPERATE"),
        EventClass("Consultation", None, "04", "CONSULT"),
        EventClass("Meeting", "Consultation", "04", "CONSULT"),
        EventClass("Visit", "Consultation", "04", "CONSULT"),
        EventClass("PhoneCall", "Consultation", "04", "CONSULT"),
        EventClass("Negotiation", "Consultation", "04", "CONSULT"),
        EventClass("Agreement", None, "05", "AGREE"),
        EventClass("CeaseFire", "Agreement", "08", "CONCEDE"),
        EventClass("Withdrawal", None, "08", "RETREAT"),
        EventClass("Aid", None, "07", "AID"),
        EventClass("Accusation", None, "11", "ACCUSE"),
        EventClass("Rejection", None, "12", "REJECT"),
        EventClass("Threat", None, "13", "THREATEN"),
        EventClass("Mobilization", None, "15", "MOBILIZE"),
        EventClass("Coercion", None, "17", "COERCE"),
        EventClass("MilitaryOperation", None, "19", "ASSAULT"),
        EventClass("ArmedConflict", "MilitaryOperation", "19", "ASSAULT"),
        EventClass("Deployment", "MilitaryOperation", "15", "MOBILIZE"),
        EventClass("Attack", None, "18", "ASSAULT"),
        EventClass("AirStrike", "Attack", "19", "ASSAULT"),
        EventClass("CasualtyReport", None, None, None),
        EventClass("Displacement", None, None, None),
        EventClass("Election", None, None, None),
        EventClass("Appointment", None, None, None),
        EventClass("TermOfOffice", None, None, None),
    ]
}

# Entity classes: which SEM core type(s) each one is asserted with, directly.
ACTOR, PLACE = "Actor", "Place"
ENTITY_CLASSES: dict[str, tuple[str, ...]] = {
    "Person": (ACTOR,),
    "State": (ACTOR, PLACE),  # a state acts and is a territory
    "GovernmentBody": (ACTOR,),
    "MilitaryForce": (ACTOR,),
    "ArmedGroup": (ACTOR,),
    "InternationalOrganisation": (ACTOR,),
    "MediaOrganisation": (ACTOR,),
    "AnonymousSource": (ACTOR,),
    "ActorGroup": (ACTOR,),
    "City": (PLACE,),
    "Region": (PLACE,),
    "Building": (PLACE,),
    "River": (PLACE,),
    "Route": (PLACE,),
}

# Roles an actor plays in an event (individuals of sem:RoleType).
ROLES: dict[str, str] = {
    "initiator": "Initiator",
    "counterpart": "Counterpart",
    "mediator": "Mediator",
    "target": "Target",
    "sender": "Sender",
    "recipient": "Recipient",
    "participant": "Participant",
    "affected": "Affected",
    "monitor": "Monitor",
    "beneficiary": "Beneficiary",
}

# Whether an event happened or was only proposed, planned, claimed… (individuals of dg:Modality).
MODALITIES: dict[str, str] = {
    "occurred": "Occurred",
    "ongoing": "Ongoing",
    "planned": "Planned",
    "proposed": "Proposed",
    "expected": "Expected",
    "conditional": "Conditional",
    "denied": "Denied",
    "rumoured": "Rumoured",
    "possible": "Possible",
}

# How precise a date is: OWL-Time units where one fits, our own individuals otherwise.
GRANULARITIES: dict[str, str] = {
    "day": TIME + "unitDay",
    "week": TIME + "unitWeek",
    "month": TIME + "unitMonth",
    "year": TIME + "unitYear",
    "days": DG + "SeveralDays",
    "vague": DG + "VagueInterval",
}

# How a figure relates to the true number (individuals of dg:Qualifier).
QUALIFIERS: dict[str, str] = {
    "exactly": "Exactly",
    "about": "About",
    "nearly": "Nearly",
    "at-least": "AtLeast",
    "more-than": "MoreThan",
    "hundreds": "Hundreds",
    "thousands": "Thousands",
}

# What a figure measures (individuals of dg:Measure).
MEASURES: dict[str, str] = {
    "killed": "Killed",
    "displaced": "Displaced",
    "count": "Count",
    "duration": "Duration",
}

# Units of a duration figure, as OWL-Time units (a duration is time:numericDuration + time:unitType:
# xsd:duration literals are mangled or refused by some stores, Virtuoso among them).
DURATION_UNITS: dict[str, str] = {
    "day": TIME + "unitDay",
    "week": TIME + "unitWeek",
    "month": TIME + "unitMonth",
    "year": TIME + "unitYear",
}

CREDIT_ROLES: dict[str, str] = {"reporter": "Reporter", "contributor": "Contributor"}

# Stores change numeric datatypes (Oxigraph keeps every integer subtype as xsd:integer, Virtuoso
# turns a whole xsd:decimal into an integer); values of these properties get their declared type
# back whenever triples are read out of a store.
DECLARED_NUMERIC_TYPES: dict[str, str] = {
    NIF + "beginIndex": XSD + "nonNegativeInteger",
    NIF + "endIndex": XSD + "nonNegativeInteger",
    DG + "paragraph": XSD + "positiveInteger",
    DG + "memberCount": XSD + "nonNegativeInteger",
    TIME + "numericDuration": XSD + "decimal",
}

# Bounds the text leaves open are written as these dates (the convention of extraction-dev/).
OPEN_BEGIN = "0001-01-01"
OPEN_END = "9999-12-31"


def dg(local: str) -> str:
    """The full IRI of one of the ontology's own terms."""
    return DG + local
