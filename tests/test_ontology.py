"""The ontology and the shapes: what they define, that HermiT accepts them, and what SHACL rejects."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SKOS

from diplograph.ontology import checks, vocab

DG = Namespace(vocab.DG)
SEM = Namespace(vocab.SEM)
TIME = Namespace(vocab.TIME)
ID = Namespace(vocab.ID_BASE)
REPO = Path(__file__).resolve().parent.parent

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")

# One article of one sentence, with everything docs/data-model.md says a well-formed graph carries.
SAMPLE = """
@base <https://w3id.org/diplograph/id/> .
@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix gaf: <http://groundedannotationframework.org/gaf#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<article/t> a dg:Article, prov:Entity ;
    dcterms:title "Envoy meets speaker"@en ; dcterms:publisher <entity/daily> ;
    dcterms:issued "2024-11-13"^^xsd:date ; dg:hasText <article/t/text> .
<article/t/text> a nif:Context ; prov:wasDerivedFrom <article/t> ;
    nif:isString "The envoy met the speaker in Beirut on Monday, where more than 40 soldiers were killed, and said “We want calm,” but a diplomat said no talks took place." .
<article/t/char/0-153> a nif:Sentence ; dg:paragraph "1"^^xsd:positiveInteger ;
    nif:anchorOf "The envoy met the speaker in Beirut on Monday, where more than 40 soldiers were killed, and said “We want calm,” but a diplomat said no talks took place." ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "153"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> .

<article/t/char/0-9> a dg:Mention, nif:String ; nif:anchorOf "The envoy" ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "9"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> ; nif:sentence <article/t/char/0-153> .
<article/t/char/10-45> a dg:Mention, nif:String ; nif:anchorOf "met the speaker in Beirut on Monday" ;
    nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "45"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> ; nif:sentence <article/t/char/0-153> .
<article/t/char/53-74> a dg:Mention, nif:String ; nif:anchorOf "more than 40 soldiers" ;
    nif:beginIndex "53"^^xsd:nonNegativeInteger ; nif:endIndex "74"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> ; nif:sentence <article/t/char/0-153> .
<article/t/char/98-111> a dg:Mention, nif:String ; nif:anchorOf "We want calm," ;
    nif:beginIndex "98"^^xsd:nonNegativeInteger ; nif:endIndex "111"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> ; nif:sentence <article/t/char/0-153> .
<article/t/char/133-152> a dg:Mention, nif:String ; nif:anchorOf "no talks took place" ;
    nif:beginIndex "133"^^xsd:nonNegativeInteger ; nif:endIndex "152"^^xsd:nonNegativeInteger ;
    nif:referenceContext <article/t/text> ; nif:sentence <article/t/char/0-153> .

<entity/daily> a dg:MediaOrganisation, sem:Actor ; rdfs:label "The Daily"@en .
<entity/envoy> a dg:Person, sem:Actor ; rdfs:label "The envoy"@en ; gaf:denotedBy <article/t/char/0-9> .
<entity/speaker> a dg:Person, sem:Actor ; rdfs:label "The speaker"@en ; dg:title "speaker of parliament"@en .
<entity/beirut> a dg:City, sem:Place ; rdfs:label "Beirut"@en .
<entity/lebanon> a dg:State, sem:Actor, sem:Place ; rdfs:label "Lebanon"@en ;
    owl:sameAs <http://www.wikidata.org/entity/Q822> .
<entity/diplomat> a dg:AnonymousSource, sem:Actor ; rdfs:label "a diplomat"@en ;
    dg:memberCount "1"^^xsd:nonNegativeInteger ; dg:affiliation <entity/lebanon> .

<event/t/meeting> a sem:Event, dg:Meeting ; rdfs:label "The envoy meets the speaker in Beirut"@en ;
    sem:hasActor <entity/envoy>, <entity/speaker> ;
    dg:hasRole <event/t/meeting/role/initiator/envoy>, <event/t/meeting/role/counterpart/speaker> ;
    sem:hasPlace <entity/beirut> ;
    sem:hasEarliestBeginTimeStamp "2024-11-11"^^xsd:date ; sem:hasLatestEndTimeStamp "2024-11-11"^^xsd:date ;
    dg:timeExpression "Monday"@en ; dg:granularity time:unitDay ; dg:modality dg:Occurred ;
    dg:accordingTo <entity/daily> ; prov:wasDerivedFrom <article/t> ; gaf:denotedBy <article/t/char/10-45> .
<event/t/meeting/role/initiator/envoy> a sem:Role ; rdf:value <entity/envoy> ; sem:roleType dg:Initiator .
<event/t/meeting/role/counterpart/speaker> a sem:Role ; rdf:value <entity/speaker> ; sem:roleType dg:Counterpart .

<claim/t/no-talks> a dg:Claim, prov:Entity ; rdfs:label "No talks took place"@en ;
    dg:accordingTo <entity/diplomat> ; dg:about <event/t/meeting> ;
    prov:wasDerivedFrom <article/t> ; gaf:denotedBy <article/t/char/133-152> .

<figure/t/soldiers> a dg:Figure, prov:Entity ; rdfs:label "Soldiers killed"@en ;
    dg:value 40 ; dg:qualifier dg:MoreThan ; dg:measure dg:Killed ; dg:unit "soldiers" ;
    dg:accordingTo <entity/daily> ; prov:wasDerivedFrom <article/t> ; gaf:denotedBy <article/t/char/53-74> .

<quotation/t/calm> a dg:Quotation, prov:Entity ; rdfs:label "The envoy: “We want calm,”"@en ;
    dg:quotedText "We want calm," ; dg:speaker <entity/envoy> ; dg:saidIn <event/t/meeting> ;
    prov:wasDerivedFrom <article/t> ; gaf:denotedBy <article/t/char/98-111> .
"""

MEETING = ID["event/t/meeting"]
CLAIM = ID["claim/t/no-talks"]
FIGURE = ID["figure/t/soldiers"]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return checks.ontology_graph()


@pytest.fixture
def sample() -> rdflib.Graph:
    return rdflib.Graph().parse(data=SAMPLE, format="turtle")


def defined_terms(graph: rdflib.Graph) -> set[URIRef]:
    """Every dg: IRI the ontology gives a type to."""
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(vocab.DG)}


def used_dg_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(vocab.DG)}


def all_different(graph: rdflib.Graph) -> list[set[URIRef]]:
    return [
        set(Collection(graph, members))
        for node in graph.subjects(RDF.type, OWL.AllDifferent)
        for members in graph.objects(node, OWL.distinctMembers)
    ]


# -- the ontology --------------------------------------------------------------------------------


def test_the_ontology_parses_and_names_its_version(ontology):
    onto = URIRef(vocab.ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) == URIRef(f"{vocab.ONTOLOGY_IRI}/{vocab.ONTOLOGY_VERSION}")
    assert str(ontology.value(onto, OWL.versionInfo)) == vocab.ONTOLOGY_VERSION
    assert ontology.value(onto, URIRef(vocab.DCTERMS + "license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_every_term_it_defines_has_an_english_label_and_definition(ontology):
    terms = defined_terms(ontology)
    assert len(terms) > 100
    for term in sorted(terms):
        labels = [o for o in ontology.objects(term, RDFS.label) if o.language == "en"]
        definitions = [o for o in ontology.objects(term, SKOS.definition) if o.language == "en"]
        assert labels and definitions, f"{term} lacks an English rdfs:label or skos:definition"


def test_every_dg_term_it_mentions_is_defined(ontology):
    assert used_dg_terms(ontology) <= defined_terms(ontology)


def test_every_dg_term_the_shapes_and_the_data_model_use_is_defined(ontology):
    in_docs = {
        URIRef(vocab.DG + name)
        for name in re.findall(r"\bdg:(\w+)", (REPO / "docs" / "data-model.md").read_text(encoding="utf-8"))
        if name != "CLASS"  # the placeholder for an entity class
    }
    undefined = (used_dg_terms(checks.shapes_graph()) | in_docs) - defined_terms(ontology)
    assert not undefined


@pytest.mark.parametrize("event", vocab.EVENT_CLASSES.values(), ids=lambda e: e.name)
def test_every_event_class_is_an_event_with_its_cameo_root_and_plover_type(ontology, event):
    cls = DG[event.name]
    parent = DG[event.parent] if event.parent else SEM.Event
    assert (cls, RDF.type, OWL.Class) in ontology
    assert (cls, RDFS.subClassOf, parent) in ontology
    assert SEM.Event in ontology.transitive_objects(cls, RDFS.subClassOf)
    comments = {str(c) for c in ontology.objects(cls, RDFS.comment)}
    for code, prop, missing in [
        (event.cameo_root, DG.cameoRootCode, "No CAMEO root corresponds."),
        (event.plover, DG.ploverEventType, "No PLOVER type corresponds."),
    ]:
        values = [str(v) for v in ontology.objects(cls, prop)]
        assert values == ([code] if code else [])
        assert (missing in comments) == (code is None)


@pytest.mark.parametrize("name, cores", vocab.ENTITY_CLASSES.items())
def test_every_entity_class_refines_the_sem_classes_it_is_asserted_with(ontology, name, cores):
    parents = set(ontology.objects(DG[name], RDFS.subClassOf))
    assert parents == {SEM[core] for core in cores}


@pytest.mark.parametrize(
    "values, cls",
    [
        (vocab.MODALITIES.values(), DG.Modality),
        (vocab.ROLES.values(), SEM.RoleType),
        (vocab.QUALIFIERS.values(), DG.Qualifier),
        (vocab.MEASURES.values(), DG.Measure),
        (vocab.CREDIT_ROLES.values(), DG.CreditRole),
    ],
    ids=["modalities", "roles", "qualifiers", "measures", "credit roles"],
)
def test_every_vocabulary_value_is_an_individual_and_they_are_all_different(ontology, values, cls):
    individuals = {DG[v] for v in values}
    for ind in individuals:
        assert (ind, RDF.type, OWL.NamedIndividual) in ontology
        assert (ind, RDF.type, cls) in ontology
    assert individuals in all_different(ontology)


def test_the_granularities_are_owl_time_units_and_all_different(ontology):
    units = {URIRef(iri) for iri in vocab.GRANULARITIES.values()}
    assert all((u, RDF.type, TIME.TemporalUnit) in ontology for u in units)
    assert units in all_different(ontology)


# -- HermiT --------------------------------------------------------------------------------------


@needs_java
def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class():
    report = checks.reason_with_hermit()
    assert report.consistent and report.unsatisfiable == (), report.text()


@needs_java
def test_hermit_accepts_data_with_open_dates_and_durations(sample):
    # xsd:date is outside OWL 2's datatypes; HermiT must still take it.
    sample.set((MEETING, SEM.hasEarliestBeginTimeStamp, Literal("0001-01-01", datatype=XSD.date)))
    sample.set((MEETING, SEM.hasLatestEndTimeStamp, Literal("9999-12-31", datatype=XSD.date)))
    sample.set((FIGURE, DG.measure, DG.Duration))
    sample.add((FIGURE, RDF.type, TIME.Duration))
    sample.add((FIGURE, TIME.numericDuration, Literal("60", datatype=XSD.decimal)))
    sample.add((FIGURE, TIME.unitType, TIME.unitDay))
    report = checks.reason_with_hermit(sample)
    assert report.ok, report.text()


@needs_java
@pytest.mark.parametrize(
    "triple",
    [(CLAIM, RDF.type, SEM.Event), (MEETING, DG.modality, DG.Killed), (MEETING, DG.modality, DG.Denied)],
    ids=["a claim that is also an event", "a measure used as a modality", "two modalities"],
)
def test_hermit_finds_data_that_breaks_the_ontology_inconsistent(sample, triple):
    sample.add(triple)
    report = checks.reason_with_hermit(sample)
    assert not report.consistent
    assert "inconsistent" in report.text()


@needs_java
def test_hermit_names_a_class_that_can_have_no_members(sample):
    impossible = URIRef("urn:example:ClaimedEvent")
    sample.add((impossible, RDF.type, OWL.Class))
    sample.add((impossible, RDFS.subClassOf, DG.Claim))
    sample.add((impossible, RDFS.subClassOf, SEM.Event))
    report = checks.reason_with_hermit(sample)
    assert report.consistent and report.unsatisfiable == (str(impossible),)


def test_hermit_without_java_says_to_install_it(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    with pytest.raises(checks.JavaNotFoundError, match="default-jre-headless"):
        checks.reason_with_hermit()


# -- SHACL ---------------------------------------------------------------------------------------


def test_a_well_formed_sample_conforms_to_the_shapes(sample):
    report = checks.validate_shapes(sample)
    assert report.conforms, report.text()


@pytest.mark.parametrize(
    "break_it, expected",
    [
        (lambda g: g.remove((MEETING, RDFS.label, None)), "needs exactly one rdfs:label"),
        (
            lambda g: g.set((MEETING, SEM.hasEarliestBeginTimeStamp, Literal("2024-11-12", datatype=XSD.date))),
            "earliest begin must be on or before its latest end",
        ),
        (lambda g: g.set((FIGURE, DG.value, Literal("40"))), "dg:value, a number"),
        (lambda g: g.set((MEETING, DG.modality, DG.Killed)), "exactly one dg:modality"),
        (lambda g: g.remove((MEETING, RDF.type, SEM.Event)), "typed sem:Event directly"),
        (lambda g: g.set((ID["article/t/char/0-9"], URIRef(vocab.NIF + "anchorOf"), Literal("An envoy"))),
         "not the text between its offsets (0-9)"),
        (lambda g: g.remove((MEETING, SEM.hasActor, ID["entity/envoy"])), "does not list it with sem:hasActor"),
        (lambda g: g.set((ID["quotation/t/calm"], DG.quotedText, Literal("We want peace,"))),
         "not the text of any mention"),
        (lambda g: g.add((ID["entity/lebanon"], OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q822"))),
         "Wikidata item IRI"),
        (lambda g: g.add((CLAIM, DG.contradicts, MEETING)), "must point to another dg:Claim"),
    ],
    ids=[
        "event without a label",
        "event that begins after it ends",
        "figure value as a string",
        "measure used as a modality",
        "event typed only by its dg class",
        "mention whose anchor is not the text",
        "role for an actor the event does not list",
        "quotation whose words are not its mention",
        "Wikidata link to a web page",
        "claim contradicting an event",
    ],
)
def test_broken_samples_do_not_conform_and_say_why(sample, break_it, expected):
    break_it(sample)
    report = checks.validate_shapes(sample)
    assert not report.conforms
    assert any(expected in message for message in report.messages), report.text()


# -- the loader's output -------------------------------------------------------------------------


def test_a_dataset_is_checked_as_the_union_of_its_graphs(sample):
    data = rdflib.Dataset()
    for s, p, o in sample:
        # Entities in one graph, the rest in another: the shapes must see across both.
        data.graph(ID["graph/entities" if s.startswith(ID["entity/"]) else "graph/t"]).add((s, p, o))
    report = checks.validate_shapes(data)
    assert report.conforms, report.text()


@needs_java
def test_the_loaders_output_for_the_mini_article_passes_both_checks():
    from pyoxigraph import RdfFormat, serialize

    from diplograph.loader import read_article

    article = read_article(REPO / "tests" / "fixtures" / "mini.yaml")
    triples = serialize([q.triple for q in article.quads], format=RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=triples, format="nt")
    shacl = checks.validate_shapes(data)
    hermit = checks.reason_with_hermit(data)
    assert shacl.conforms, shacl.text()
    assert hermit.ok, hermit.text()
