"""Competency questions: what a researcher asks of the seed article, answered in SPARQL.

Each test is one question, named after it, holding the query a researcher would write with the
data model's standard terms (docs/data-model.md). The expected answers come from reading the
ARTICLE TEXT (corpus/wapo-2024-11-13-lebanon-cease-fire.txt), not from the annotation: the point is
to catch annotation mistakes. The article was published on Wednesday 13 November 2024, so
"Sunday" is 10 Nov, "Monday" 11 Nov, "Tuesday" 12 Nov, "Wednesday" 13 Nov, "last week" 3-9 Nov
(the article calls Sunday 10 Nov "this week": its weeks run Sunday to Saturday) and "last month"
October 2024.

Assertions are on IRIs (entity ids are stable), dates, numbers and the article's own words, never on
the wording of an event's label.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from diplograph.ontology import ontology_quads
from diplograph.ontology.vocab import ONTOLOGY_GRAPH
from diplograph.store import open_store

ARTICLE_ID = "wapo-2024-11-13-lebanon-cease-fire"
ID = "https://w3id.org/diplograph/id/"
ARTICLE = f"{ID}article/{ARTICLE_ID}"
DG = "https://w3id.org/diplograph/ontology#"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PUBLISHED = date(2024, 11, 13)

# Our own prefixes for the ids minted from the annotation (the standard ones are predeclared).
P = f"""PREFIX ent: <{ID}entity/>
PREFIX art: <{ID}article/>
"""


def ent(ident: str) -> str:
    return f"{ID}entity/{ident}"


@pytest.fixture(scope="module")
def store(seed):
    store = open_store(":memory:")
    store.replace_graphs({seed.graph: seed.quads, ONTOLOGY_GRAPH: ontology_quads()})
    yield store
    store.close()


@pytest.fixture(scope="module")
def text(seed_path):
    """The article as published, read from the corpus file itself (not from the annotation)."""
    return seed_path.with_suffix(".txt").read_text(encoding="utf-8")


def select(store, sparql: str) -> list[dict[str, object]]:
    """Run a SELECT; each row as {variable: python value} (IRIs and strings as str, dates as date)."""
    result = store.query(P + sparql)
    names = [str(v).lstrip("?") for v in result.variables]
    rows = []
    for row in result.rows:
        rows.append({n: _py(t) for n, t in zip(names, row)})
    return rows


def ask(store, sparql: str) -> bool:
    return store.query(P + sparql).value


def _py(term):
    if term is None:
        return None
    datatype = getattr(term, "datatype", None)
    if datatype is not None:
        dt = datatype.value
        if dt == XSD + "date":
            return date.fromisoformat(term.value)
        if dt in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
            return int(term.value)
    return term.value


def span_of(text: str, phrase: str, occurrence: int = 1) -> tuple[int, int]:
    """Where the article says `phrase` (its n-th occurrence): code-point offsets, end exclusive."""
    starts = [m.start() for m in re.finditer(re.escape(phrase), text)]
    assert len(starts) >= occurrence, f"the article does not say “{phrase}” {occurrence} time(s)"
    return starts[occurrence - 1], starts[occurrence - 1] + len(phrase)


def grounded_at(begin: int, end: int, var: str = "x") -> str:
    """SPARQL pattern: ?var is denoted by a mention overlapping [begin, end) of the text."""
    return (f"?{var} gaf:denotedBy ?{var}M . ?{var}M nif:beginIndex ?{var}B ; nif:endIndex ?{var}E . "
            f"FILTER(?{var}B < {end} && ?{var}E > {begin})")


def on_day(store, day: str) -> list[dict]:
    """Events pinned to a few days around publication whose interval contains `day`."""
    return select(store, f"""
        SELECT ?e ?class ?b ?end WHERE {{
          ?e a sem:Event ; a ?class ; dg:modality dg:Occurred ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end .
          FILTER(?class != sem:Event)
          FILTER(?b >= "2024-11-10"^^xsd:date && ?end <= "2024-11-13"^^xsd:date)
          FILTER(?b <= "{day}"^^xsd:date && ?end >= "{day}"^^xsd:date)
        }}""")


def actors_of(store, event: str) -> set[str]:
    return {r["a"] for r in select(store, f"SELECT ?a WHERE {{ <{event}> sem:hasActor ?a }}")}


# --------------------------------------------------------------------------------------------------
# What happened when
# --------------------------------------------------------------------------------------------------


def test_what_happened_on_sunday_10_november_2024(store):
    rows = on_day(store, "2024-11-10")
    events = {r["e"] for r in rows}
    meetings = {r["e"] for r in rows if r["class"] == DG + "Meeting"}
    # Dermer met Trump and Kushner at Mar-a-Lago, the first stop on his U.S. tour "Sunday".
    assert any({ent("ron-dermer"), ent("donald-trump"), ent("jared-kushner")} <= actors_of(store, m)
               for m in meetings)
    # Netanyahu "said in a video statement Sunday".
    assert any(r["class"] == DG + "Statement" and ent("benjamin-netanyahu") in actors_of(store, r["e"])
               for r in rows)
    # Nothing else the article dates to that Sunday: everything involves Dermer or Netanyahu.
    for e in events:
        assert actors_of(store, e) & {ent("ron-dermer"), ent("benjamin-netanyahu")}, e


def test_what_happened_on_monday_11_november_2024(store):
    rows = [dict(r, actors=actors_of(store, r["e"])) for r in on_day(store, "2024-11-11")]
    # "Dermer met Monday and Tuesday with Biden officials in Washington"
    assert any(r["class"] == DG + "Meeting" and ent("ron-dermer") in r["actors"] for r in rows)
    # "Lebanese Prime Minister Najib Mikati said Monday"
    mikati = [r for r in rows if ent("najib-mikati") in r["actors"]]
    assert mikati and all(r["b"] == r["end"] == date(2024, 11, 11) for r in mikati)
    assert not any(ent("nabih-berri") in r["actors"] for r in rows)  # Berri spoke on Tuesday


def test_what_happened_on_tuesday_12_november_2024(store):
    rows = on_day(store, "2024-11-12")
    actors = set().union(*(actors_of(store, r["e"]) for r in rows))
    # Dermer's meetings in Washington went on Tuesday; Berri "said Tuesday".
    assert {ent("ron-dermer"), ent("amos-hochstein"), ent("nabih-berri")} <= actors
    assert ent("najib-mikati") not in actors
    berri = [r for r in rows if ent("nabih-berri") in actors_of(store, r["e"])]
    assert all(r["b"] == r["end"] == date(2024, 11, 12) for r in berri)


def test_what_happened_on_wednesday_13_november_2024(store):
    # "More than 40 Israeli soldiers have been killed in ground fighting since Oct. 1, including six
    # on Wednesday" - the day of publication.
    rows = select(store, """
        SELECT ?e ?v ?unit WHERE {
          ?e a sem:Event ; sem:hasEarliestBeginTimeStamp "2024-11-13"^^xsd:date ;
             sem:hasLatestEndTimeStamp "2024-11-13"^^xsd:date ; dg:modality dg:Occurred .
          ?f a dg:Figure ; dg:about ?e ; dg:value ?v ; dg:measure dg:Killed ; dg:unit ?unit .
        }""")
    assert [(r["v"], r["unit"]) for r in rows] == [(6, "soldiers")]
    assert actors_of(store, rows[0]["e"]) & {ent("idf"), ent("israel")}


def test_do_the_articles_date_words_resolve_to_the_right_dates(store):
    # Relative to Wednesday 13 November 2024: the words → (earliest begin, latest end, precision)
    d = date
    expected = {
        "Sunday": (d(2024, 11, 10), d(2024, 11, 10), "unitDay"),
        "On Sunday": (d(2024, 11, 10), d(2024, 11, 10), "unitDay"),
        "Monday": (d(2024, 11, 11), d(2024, 11, 11), "unitDay"),
        "Tuesday": (d(2024, 11, 12), d(2024, 11, 12), "unitDay"),
        "Monday and Tuesday": (d(2024, 11, 11), d(2024, 11, 12), "SeveralDays"),
        "Wednesday": (d(2024, 11, 13), d(2024, 11, 13), "unitDay"),
        "last week": (d(2024, 11, 3), d(2024, 11, 9), "unitWeek"),
        "last month": (d(2024, 10, 1), d(2024, 10, 31), "unitMonth"),
        "in January": (d(2025, 1, 1), d(2025, 1, 31), "unitMonth"),
        "Nov. 5": (d(2024, 11, 5), d(2024, 11, 5), "unitDay"),
        "Oct. 27": (d(2024, 10, 27), d(2024, 10, 27), "unitDay"),
        "Oct. 7": (d(2023, 10, 7), d(2023, 10, 7), "unitDay"),  # "Since October 2023, following the ... attacks"
        "2006": (d(2006, 1, 1), d(2006, 12, 31), "unitYear"),
        "since Oct. 1": (d(2024, 10, 1), None, None),
        "Since October 2023": (d(2023, 10, 1), None, None),
    }
    rows = select(store, """
        SELECT ?words ?b ?end ?g WHERE {
          ?e a sem:Event ; dg:timeExpression ?words ; sem:hasEarliestBeginTimeStamp ?b ;
             sem:hasLatestEndTimeStamp ?end ; dg:granularity ?g .
        }""")
    checked = set()
    for r in rows:
        if r["words"] not in expected:
            continue
        begin, end, unit = expected[r["words"]]
        assert r["b"] == begin, r
        vague = r["g"] == DG + "VagueInterval"  # e.g. a tour that began "Sunday", end unknown
        if end is not None and not vague:
            assert (r["end"], r["g"].rsplit("#")[-1]) == (end, unit), r
        checked.add(r["words"])
    assert checked == set(expected)


# --------------------------------------------------------------------------------------------------
# Dermer's tour
# --------------------------------------------------------------------------------------------------


def test_whom_did_dermer_meet_on_sunday_10_november(store):
    rows = select(store, """
        SELECT DISTINCT ?other ?place WHERE {
          ?m a dg:Meeting ; dg:modality dg:Occurred ;
             sem:hasActor ent:ron-dermer, ?other ; sem:hasPlace ?place ;
             sem:hasEarliestBeginTimeStamp "2024-11-10"^^xsd:date ;
             sem:hasLatestEndTimeStamp "2024-11-10"^^xsd:date .
          FILTER(?other != ent:ron-dermer)
        }""")
    assert {r["other"] for r in rows} == {ent("donald-trump"), ent("jared-kushner")}
    assert ent("mar-a-lago") in {r["place"] for r in rows}


def test_whom_did_dermer_meet_in_washington_on_monday_and_tuesday(store):
    rows = select(store, """
        SELECT DISTINCT ?m ?other ?role ?g WHERE {
          ?m a dg:Meeting ; dg:modality dg:Occurred ; sem:hasActor ent:ron-dermer, ?other ;
             sem:hasPlace ent:washington ; dg:granularity ?g ;
             sem:hasEarliestBeginTimeStamp "2024-11-11"^^xsd:date ;
             sem:hasLatestEndTimeStamp "2024-11-12"^^xsd:date ;
             dg:hasRole [ rdf:value ?other ; sem:roleType ?role ] .
          FILTER(?other != ent:ron-dermer)
        }""")
    # "Dermer met Monday and Tuesday with Biden officials in Washington, including Amos Hochstein"
    assert {r["other"] for r in rows} == {ent("biden-administration"), ent("amos-hochstein")}
    assert {r["g"] for r in rows} == {DG + "SeveralDays"}
    # Hochstein is "the president's special envoy to Lebanon", i.e. Biden's.
    assert ask(store, "ASK { ent:amos-hochstein dg:affiliation ent:joe-biden ; dg:title ?t "
                      "FILTER(CONTAINS(LCASE(STR(?t)), 'special envoy to lebanon')) }")


def test_where_was_dermer_on_which_day(store):
    rows = select(store, """
        SELECT DISTINCT ?place ?b ?end ?g WHERE {
          ?e a sem:Event ; dg:modality dg:Occurred ; sem:hasActor ent:ron-dermer ; sem:hasPlace ?place ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ; dg:granularity ?g .
          FILTER(?end <= "2024-11-13"^^xsd:date)
        }""")
    where = {}
    for r in rows:
        where.setdefault((r["b"], r["end"]), set()).add(r["place"])
    assert ent("mar-a-lago") in where[(date(2024, 11, 10), date(2024, 11, 10))]
    assert ent("washington") in where[(date(2024, 11, 11), date(2024, 11, 12))]
    assert ent("russia") in where[(date(2024, 11, 3), date(2024, 11, 9))]
    # No occurred event puts him anywhere else in those days.
    allowed = {ent(p) for p in ("mar-a-lago", "florida", "washington", "white-house", "russia", "united-states")}
    assert set().union(*where.values()) <= allowed


def test_when_was_dermers_secret_trip_to_russia_and_who_says_so(store):
    rows = select(store, """
        SELECT ?e ?b ?end ?g ?expr WHERE {
          ?e a dg:Visit ; dg:modality dg:Occurred ; sem:hasActor ent:ron-dermer ; sem:hasPlace ent:russia ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ;
             dg:granularity ?g ; dg:timeExpression ?expr .
        }""")
    assert len(rows) == 1
    (trip,) = rows
    assert (trip["b"], trip["end"]) == (date(2024, 11, 3), date(2024, 11, 9))  # "last week"
    assert trip["g"] == TIME + "unitWeek" and trip["expr"] == "last week"
    # "the Israeli and U.S. officials said": the sources speak for Israel and for the United States.
    sources = select(store, f"""
        SELECT ?s ?aff WHERE {{ <{trip['e']}> dg:accordingTo ?s . ?s a dg:AnonymousSource .
                               OPTIONAL {{ ?s dg:affiliation ?aff }} }}""")
    assert sources
    assert {ent("israel"), ent("united-states")} <= {r["aff"] for r in sources}


def test_when_did_russian_officials_visit_israel_to_discuss_the_plan(store):
    rows = select(store, """
        SELECT ?e ?b ?end ?who ?src WHERE {
          ?e a dg:Visit ; dg:modality dg:Occurred ; sem:hasPlace ent:israel ; sem:hasActor ?who ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ; dg:accordingTo ?src .
          ?who dg:affiliation ent:russia .
        }""")
    assert {(r["b"], r["end"]) for r in rows} == {(date(2024, 10, 27), date(2024, 10, 27))}
    assert {r["src"] for r in rows} == {ent("israeli-official")}  # "according to the Israeli official"
    # "to discuss the plan": the visit is about the Israeli cease-fire proposal
    assert ask(store, f"ASK {{ <{rows[0]['e']}> dg:topic ?p . ?p a dg:Proposal }}")


# --------------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------------

# How the article names its anonymous sources: phrase (occurrence) → the source, and how many
# people the article says it is (None where it does not say).
ANONYMOUS = {
    "three-officials": (3, [("three current and former Israeli officials briefed on the meeting", 1)]),
    "israeli-official": (1, [("an Israeli official said", 1), ("according to the Israeli official", 1),
                             ("the Israeli official said", 1), ("The Israeli official said", 1),
                             ("According to the Israeli official", 1), ("according to the Israeli official", 2)]),
    "israeli-officials": (None, [("according to Israeli officials", 1)]),
    "military-official": (1, [("An Israeli military official", 1), ("an Israeli military official", 1),
                              ("the military official", 1)]),
    "former-trump-official": (1, [("a former Trump official", 1)]),
    "senior-us-official": (1, [("a senior U.S. official", 1), ("The senior official", 1)]),
    "second-us-official": (1, [("A second U.S. official", 1)]),
    "the-us-official": (1, [("The U.S. official said", 1)]),
    "israeli-and-us-officials": (None, [("the Israeli and U.S. officials", 1)]),
    "officials-in-both-countries": (None, [("officials in both countries", 1)]),
    "person-close-to-hezbollah": (1, [("A person close to Hezbollah", 1), ("The person close to Hezbollah", 1),
                                      ("the person close to the group", 1)]),
}


def test_how_many_distinct_anonymous_sources_are_there_and_how_many_people_each(store, text):
    rows = select(store, """
        SELECT ?s ?b ?end ?n WHERE {
          ?s a dg:AnonymousSource ; gaf:denotedBy ?m . ?m nif:beginIndex ?b ; nif:endIndex ?end .
          OPTIONAL { ?s dg:memberCount ?n }
        }""")
    found = {}
    for group, (count, phrases) in ANONYMOUS.items():
        for phrase, occurrence in phrases:
            b, e = span_of(text, phrase, occurrence)
            # the source-naming words are the phrase minus any "said"/"according to"
            core = phrase.replace("according to ", "").replace("According to ", "").replace(" said", "")
            cb = b + phrase.index(core)
            hits = {r["s"] for r in rows if r["b"] <= cb and r["end"] >= cb + len(core)}
            assert len(hits) == 1, f"“{phrase}” should name one anonymous source, names {hits}"
            found.setdefault(group, set()).update(hits)
    for group, sources in found.items():
        assert len(sources) == 1, f"the mentions of {group} are split over {sources}"
    iris = {g: next(iter(s)) for g, s in found.items()}
    # distinct descriptions are distinct sources, and every anonymous source is one of them
    assert len(set(iris.values())) == len(ANONYMOUS) == 11
    assert {r["s"] for r in rows} == set(iris.values())
    counts = {r["s"]: r["n"] for r in rows}
    for group, (count, _) in ANONYMOUS.items():
        assert counts[iris[group]] == count, group


def test_which_events_are_attributed_to_anonymous_sources(store, text):
    # (words of the article that report the event, words that name its anonymous source)
    expected = [
        ("told Donald Trump and Jared Kushner this week", "three current and former Israeli officials"),
        ("the conversations at Trump’s Florida residence focused", "an Israeli official"),
        ("in January there will be an understanding about Lebanon", "an Israeli official"),
        ("Netanyahu had been in regular contact with Trump", "an Israeli official"),
        ("Kushner is expected to play an advisory role", "a former Trump official"),
        ("plans were also being created to ramp up ground operations", "An Israeli military official"),
        ("require Hezbollah fighters to retreat beyond the Litani River", "according to Israeli officials"),
        ("the Lebanese military would take control of the border zone", "an Israeli official"),
        ("the proposal calls for Moscow to prevent Hezbollah from rearming", "an Israeli official"),
        ("the plan has yet to be formally submitted to Hezbollah", "officials in both countries"),
        ("the group would be willing to withdraw its fighters", "A person close to Hezbollah"),
        ("Dermer met Monday and Tuesday with Biden officials", "a senior U.S. official"),
        ("Netanyahu remains engaged with the administration", "a senior U.S. official"),
        ("all the work on a potential deal was still being done", "A second U.S. official"),
        ("Russian officials visited Israel on Oct. 27", "an Israeli official"),
        ("Dermer made a secret trip to Russia", "the Israeli and U.S. officials"),
        ("Russia would not be involved in the implementation", "The U.S. official"),
    ]
    missing = []
    for event_words, source_words in expected:
        eb, ee = span_of(text, event_words)
        sb, se = span_of(text, source_words)
        ok = ask(store, f"""
            ASK {{ ?x a sem:Event ; dg:accordingTo ?s . {grounded_at(eb, ee, 'x')}
                   ?s a dg:AnonymousSource . {grounded_at(sb, se, 's')} }}""")
        if not ok:
            missing.append((event_words, source_words))
    assert not missing, missing


def test_what_words_does_the_article_use_for_each_anonymous_source(store):
    rows = select(store, """
        SELECT ?s ?words WHERE { ?s a dg:AnonymousSource ; gaf:denotedBy/nif:anchorOf ?words }""")
    names = {}
    for r in rows:
        names.setdefault(r["s"].rsplit("/")[-1], set()).add(r["words"])
    # the noun phrases that name each source, nothing more ("said", "noted" are not part of a name)
    assert names == {
        "three-israeli-officials": {"three current and former Israeli officials briefed on the meeting"},
        "israeli-official": {"an Israeli official", "the official", "the Israeli official", "The Israeli official"},
        "israeli-officials": {"Israeli officials"},
        "israeli-military-official": {"An Israeli military official", "an Israeli military official",
                                      "the military official"},
        "former-trump-official": {"a former Trump official"},
        "senior-us-official": {"a senior U.S. official", "The senior official"},
        "second-us-official": {"A second U.S. official"},
        "us-official": {"The U.S. official"},
        "israeli-and-us-officials": {"the Israeli and U.S. officials"},
        "officials-in-both-countries": {"officials in both countries"},
        "person-close-to-hezbollah": {"A person close to Hezbollah", "The person close to Hezbollah",
                                      "the person close to the group"},
    }


def test_which_figures_come_from_which_source_and_how_exact_they_are(store):
    rows = select(store, """
        SELECT ?f ?v ?dt ?q ?measure ?unit ?src WHERE {
          ?f a dg:Figure ; dg:value ?v ; dg:qualifier ?q ; dg:measure ?measure ; dg:unit ?unit ;
             dg:accordingTo ?src ; prov:wasDerivedFrom art:wapo-2024-11-13-lebanon-cease-fire .
          BIND(DATATYPE(?v) AS ?dt)
        }""")
    got = {(r["v"], r["q"].rsplit("#")[-1], r["measure"].rsplit("#")[-1], r["unit"], r["src"].rsplit("/")[-1])
           for r in rows}
    post = "washington-post"  # the paper's own voice
    expected = {
        (3300, "MoreThan", "Killed", "people", "lebanon-health-ministry"),  # "More than 3,300 ... Health Ministry"
        (500, "About", "Killed", "fighters", "hezbollah"),  # "Hezbollah said about 500 of its fighters"
        (45, "Exactly", "Killed", "civilians", post),  # "killing 45 civilians
        (31, "Exactly", "Killed", "soldiers", post),  # and 31 soldiers"
        (60000, "About", "Displaced", "people", post),  # "some 60,000 people from their homes"
        (900000, "Nearly", "Displaced", "people", post),  # "Nearly 900,000 people ... displaced"
        (40, "MoreThan", "Killed", "soldiers", post),  # "More than 40 Israeli soldiers"
        (6, "Exactly", "Killed", "soldiers", post),  # "including six on Wednesday"
        (60, "Exactly", "Duration", "day", "israeli-official"),  # "an initial 60-day period"
    }
    assert expected <= got, expected - got
    assert {r["dt"] for r in rows} == {XSD + "integer"}
    # "hundreds of women, children and first responders are among the dead", says the ministry
    assert any(q == "Hundreds" and src == "lebanon-health-ministry" for _, q, _, _, src in got)


def test_how_long_would_the_lebanese_military_control_the_border_zone(store):
    # "the Lebanese military would take control of the border zone for an initial 60-day period"
    # A duration figure is an OWL-Time duration: a number and a unit (docs/data-model.md).
    rows = select(store, """
        SELECT ?f ?n ?unit ?m WHERE {
          ?f a dg:Figure, time:Duration ; dg:measure dg:Duration ; dg:about ?e ;
             time:numericDuration ?n ; time:unitType ?unit .
          ?e dg:modality ?m ; sem:hasActor ent:lebanese-military .
        }""")
    assert len(rows) == 1
    (r,) = rows
    assert float(r["n"]) == 60 and r["unit"] == TIME + "unitDay", r
    assert r["m"] == DG + "Proposed"


def test_how_many_times_did_netanyahu_say_he_talked_to_trump_in_recent_days(store):
    rows = select(store, """
        SELECT ?v ?src ?said WHERE {
          ?f a dg:Figure ; dg:value ?v ; dg:measure dg:Count ; dg:accordingTo ?src ; dg:about ?e .
          ?e sem:hasActor ent:benjamin-netanyahu, ent:donald-trump .
          ?s a dg:Statement ; sem:hasActor ent:benjamin-netanyahu ; dg:topic ?e ;
             sem:hasEarliestBeginTimeStamp ?said .
        }""")
    assert {(r["v"], r["src"], r["said"]) for r in rows} == {(3, ent("benjamin-netanyahu"), date(2024, 11, 10))}


# --------------------------------------------------------------------------------------------------
# What has not happened
# --------------------------------------------------------------------------------------------------


def test_what_was_proposed_but_has_not_happened_the_terms_of_the_proposal(store):
    rows = select(store, """
        SELECT ?term ?class ?actor ?role ?place WHERE {
          ?deal a dg:CeaseFire ; dg:modality dg:Proposed .
          ?term sem:subEventOf ?deal ; dg:modality dg:Proposed ; a ?class ;
                dg:hasRole [ rdf:value ?actor ; sem:roleType ?role ] .
          OPTIONAL { ?term sem:hasPlace ?place }
          FILTER(?class != sem:Event)
        }""")
    terms = {}
    for r in rows:
        t = terms.setdefault(r["term"], {"class": set(), "actors": set(), "places": set()})
        t["class"].add(r["class"].rsplit("#")[-1])
        t["actors"].add((r["actor"].rsplit("/")[-1], r["role"].rsplit("#")[-1]))
        if r["place"]:
            t["places"].add(r["place"].rsplit("/")[-1])

    def has(cls, actor, role=None, place=None):
        return any(cls in t["class"] and any(a == actor and role in (None, ro) for a, ro in t["actors"])
                   and (place is None or place in t["places"]) for t in terms.values())

    # "would require Hezbollah fighters to retreat beyond the Litani River"
    assert has("Withdrawal", "hezbollah", place="litani-river")
    # "the Lebanese military would take control of the border zone ... overseen by the United States
    # and Britain"
    assert has("Deployment", "lebanese-military")
    assert has("Deployment", "united-states", "Monitor") and has("Deployment", "united-kingdom", "Monitor")
    # "the proposal calls for Moscow to prevent Hezbollah from rearming via Syrian land routes"
    assert has("Coercion", "russia", place="syrian-land-routes") and has("Coercion", "hezbollah", "Target")
    # "the proposal calls for the Israeli military to be able to operate across the border"
    assert has("MilitaryOperation", "idf")
    assert len(terms) == 4


def test_has_the_plan_been_submitted_to_hezbollah(store):
    # "the plan has yet to be formally submitted to Hezbollah, according to officials in both countries"
    rows = select(store, """
        SELECT ?m ?src WHERE {
          ?e a sem:Event ; dg:modality ?m ; dg:accordingTo ?src ;
             dg:hasRole [ rdf:value ent:hezbollah ; sem:roleType dg:Recipient ] ;
             dg:topic [ a dg:Proposal ] .
        }""")
    assert rows and all(r["m"] not in (DG + "Occurred", DG + "Ongoing") for r in rows)
    assert {r["src"] for r in rows} == {ent("officials-in-both-countries")}


def test_can_anything_that_has_not_happened_yet_have_begun_before_the_article(store):
    # Proposed, planned, expected, conditional or possible events lie after publication: a
    # researcher filtering "what comes next" by date must find all of them.
    rows = select(store, """
        SELECT ?e ?m ?b WHERE {
          ?e a sem:Event ; dg:modality ?m ; sem:hasEarliestBeginTimeStamp ?b .
          FILTER(?m IN (dg:Proposed, dg:Planned, dg:Expected, dg:Conditional, dg:Possible))
          FILTER(?b < "2024-11-13"^^xsd:date)
        }""")
    assert not rows, [(r["e"].rsplit("/")[-1], r["b"]) for r in rows]


def test_does_every_part_of_an_event_fall_within_its_time(store):
    # A researcher asking "what happened during the war since October 2023?" or "what would the
    # cease-fire deal bring?" follows sem:subEventOf and filters by date: the parts must lie within.
    rows = select(store, """
        SELECT ?part ?pb ?pe ?whole ?wb ?we WHERE {
          ?part sem:subEventOf ?whole ;
                sem:hasEarliestBeginTimeStamp ?pb ; sem:hasLatestEndTimeStamp ?pe .
          ?whole sem:hasEarliestBeginTimeStamp ?wb ; sem:hasLatestEndTimeStamp ?we .
          FILTER(?pb < ?wb || ?pe > ?we)
        }""")
    assert not rows, [(r["part"].rsplit("/")[-1], r["whole"].rsplit("/")[-1]) for r in rows]


def test_what_is_conditional_and_on_what(store):
    rows = select(store, """
        SELECT ?e ?eclass ?cond ?on ?onclass ?onmod WHERE {
          ?e dg:modality dg:Conditional ; a ?eclass ; dg:condition ?cond ; dg:conditionalOn ?on .
          ?on a ?onclass ; dg:modality ?onmod .
          FILTER(?eclass != sem:Event && ?onclass != sem:Event)
        }""")
    found = {(r["eclass"].rsplit("#")[-1], r["onclass"].rsplit("#")[-1]) for r in rows}
    by = {}
    for r in rows:
        by.setdefault(r["e"], r)

    def actors(e):
        return {a.rsplit("/")[-1] for a in actors_of(store, e)}

    # "plans ... to ramp up ground operations in Lebanon if talks were to ultimately fall apart"
    assert any("idf" in actors(e) and r["onclass"] == DG + "Negotiation" and r["onmod"] == DG + "Possible"
               for e, r in by.items())
    # "the group would be willing to withdraw its fighters north of the Litani as part of a temporary
    # cease-fire"
    assert ("Withdrawal", "CeaseFire") in found
    # "If Hezbollah accepts the deal, Ziv said, it will come into effect"
    assert any(r["eclass"] == DG + "CeaseFire" and "hezbollah" in actors(r["on"]) for r in rows)
    # "Kushner is expected to play an advisory role in the event of future negotiations over Israeli
    # normalization with Saudi Arabia"
    assert any("jared-kushner" in actors(e) and "saudi-arabia" in actors(r["on"]) for e, r in by.items())
    assert len(by) == 4


def test_when_is_the_understanding_about_lebanon_expected(store):
    rows = select(store, """
        SELECT ?e ?b ?end ?g ?src WHERE {
          ?e a dg:Agreement ; dg:modality dg:Expected ; sem:hasPlace ent:lebanon ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ; dg:granularity ?g ;
             dg:accordingTo ?src .
        }""")
    # "that in January there will be an understanding about Lebanon," an Israeli official said
    assert {(r["b"], r["end"], r["g"], r["src"]) for r in rows} == {
        (date(2025, 1, 1), date(2025, 1, 31), TIME + "unitMonth", ent("israeli-official"))}
    assert ask(store, f"ASK {{ ?q a dg:Quotation ; dg:speaker ent:israeli-official ; dg:about <{rows[0]['e']}> }}")


# --------------------------------------------------------------------------------------------------
# Disagreement
# --------------------------------------------------------------------------------------------------


def test_which_claims_contradict_each_other_and_who_makes_them(store):
    rows = select(store, """
        SELECT DISTINCT ?whoA ?whoB WHERE {
          ?x dg:contradicts ?y . ?x dg:accordingTo ?whoA . ?y dg:accordingTo ?whoB .
          FILTER(STR(?x) < STR(?y))
        }""")
    pairs = {frozenset((r["whoA"].rsplit("/")[-1], r["whoB"].rsplit("/")[-1])) for r in rows}
    expected = {
        # "On the competing claims over Moscow's involvement": the Israeli official says the proposal
        # calls for Moscow to prevent Hezbollah's rearming; the U.S. official says Russia would not
        # be involved.
        frozenset(("israeli-official", "us-official")),
        # Ziv: Hezbollah has "regained its footing in recent weeks" - against Israel's belief that it is
        # weakened to the point of compromise, "Hezbollah is cornered" and "We have taken away
        # Hezbollah's ability to attack us".
        frozenset(("israel-ziv", "israel")),
        frozenset(("israel-ziv", "person-close-to-hezbollah")),
        frozenset(("israel-ziv", "israeli-military-official")),
        # "the proposal calls for the Israeli military to be able to operate across the border in case
        # of violations - a nonstarter for Lebanese officials", and Hezbollah's "condition for
        # progress": "Israel must be prohibited from conducting operations within Lebanese territory".
        frozenset(("washington-post", "lebanese-officials")),
        frozenset(("washington-post", "person-close-to-hezbollah")),
    }
    assert pairs == expected


def test_what_is_russias_role_according_to_each_side(store):
    rows = select(store, """
        SELECT ?c ?src ?other ?otherSrc WHERE {
          ?c a dg:Claim ; dg:accordingTo ?src ; dg:about ent:russia ; dg:contradicts ?other .
          ?other dg:accordingTo ?otherSrc .
        }""")
    assert (ent("us-official"), ent("israeli-official")) in {(r["src"], r["otherSrc"]) for r in rows}
    # The denied event: Russia involved in implementing or supervising the cease-fire.
    assert ask(store, """ASK { ?e dg:modality dg:Denied ; sem:hasActor ent:russia ;
                                  dg:accordingTo ent:us-official }""")


def test_does_any_source_contradict_itself(store):
    rows = select(store, """
        SELECT ?x ?y ?who WHERE {
          ?x dg:contradicts ?y . ?x dg:accordingTo ?who . ?y dg:accordingTo ?who .
        }""")
    assert not rows, [(r["x"].rsplit("/")[-1], r["y"].rsplit("/")[-1], r["who"]) for r in rows]


# --------------------------------------------------------------------------------------------------
# Who said what, when
# --------------------------------------------------------------------------------------------------


def test_what_did_berri_say_and_when(store):
    rows = select(store, """
        SELECT ?words ?b ?end ?expr WHERE {
          ?q a dg:Quotation ; dg:speaker ent:nabih-berri ; dg:quotedText ?words ; dg:saidIn ?e .
          ?e sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ; dg:timeExpression ?expr .
        }""")
    assert len(rows) == 1
    assert rows[0]["words"].startswith("Is there any sane person who believes that we will agree to a settlement")
    assert (rows[0]["b"], rows[0]["end"], rows[0]["expr"]) == (date(2024, 11, 12), date(2024, 11, 12), "Tuesday")
    assert ask(store, """ASK { ent:nabih-berri dg:title ?t ; dg:affiliation ent:lebanon
                              FILTER(CONTAINS(LCASE(STR(?t)), "parliament speaker")) }""")


def test_who_said_change_the_political_equations_and_when(store):
    rows = select(store, """
        SELECT ?who ?b ?end WHERE {
          ?q dg:quotedText ?words ; dg:speaker ?who ; dg:saidIn ?e .
          ?e sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end .
          FILTER(CONTAINS(?words, "change the political equations"))
        }""")
    assert [(r["who"], r["b"], r["end"]) for r in rows] == [
        (ent("najib-mikati"), date(2024, 11, 11), date(2024, 11, 11))]


def test_when_did_trump_tell_netanyahu_to_do_what_you_have_to_do(store):
    rows = select(store, """
        SELECT ?call ?who ?b ?end ?g ?expr WHERE {
          ?q dg:quotedText "do what you have to do" ; dg:speaker ?who ; dg:saidIn ?call .
          ?call a dg:PhoneCall ; sem:hasActor ent:benjamin-netanyahu ;
                sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ;
                dg:granularity ?g ; dg:timeExpression ?expr .
        }""")
    assert [(r["who"], r["b"], r["end"], r["g"], r["expr"]) for r in rows] == [
        (ent("donald-trump"), date(2024, 10, 1), date(2024, 10, 31), TIME + "unitMonth", "last month")]
    # "against Hezbollah and Hamas"
    assert ask(store, f"ASK {{ <{rows[0]['call']}> dg:topic ent:hezbollah, ent:hamas }}")


def test_who_is_quoted_saying_what(store):
    rows = select(store, "SELECT ?words ?who WHERE { ?q a dg:Quotation ; dg:quotedText ?words ; dg:speaker ?who }")
    # how each passage in quotation marks begins → who the article says spoke it
    expected = {
        "There is an understanding": "israeli-official",
        "do what you have to do": "donald-trump",
        "Netanyahu has no loyalty": "frank-lowenstein",
        "Trump won’t hesitate": "frank-lowenstein",
        "major opportunities ahead": "benjamin-netanyahu",  # Netanyahu's video statement
        "The one thing Netanyahu cares": "frank-lowenstein",
        "Is there any sane person": "nabih-berri",
        "condition for progress": "person-close-to-hezbollah",
        "This was a deal": "israel-ziv",
        "But waiting had its price": "israel-ziv",
        "whims": "israel-ziv",
        "his entire leverage": "israel-ziv",
        "it’s possible that both are true": "frank-lowenstein",
        "Hezbollah is cornered": "person-close-to-hezbollah",
        "very quickly": "israel-ziv",
        "We have taken away": "israeli-military-official",
        "change the political equations": "najib-mikati",
    }
    got = {}
    for r in rows:
        (start,) = [k for k in expected if r["words"].startswith(k)]
        got[start] = r["who"].rsplit("/")[-1]
    assert got == expected


def test_is_every_passage_in_quotation_marks_a_quotation_with_a_speaker(store, text):
    rows = select(store, """
        SELECT ?q ?words ?anchor ?b ?end (COUNT(DISTINCT ?who) AS ?speakers) WHERE {
          ?q a dg:Quotation ; dg:quotedText ?words ; gaf:denotedBy ?m .
          ?m nif:anchorOf ?anchor ; nif:beginIndex ?b ; nif:endIndex ?end .
          OPTIONAL { ?q dg:speaker ?who }
        } GROUP BY ?q ?words ?anchor ?b ?end""")
    for r in rows:
        assert r["speakers"] == 1, r["q"]
        assert r["words"] == r["anchor"] == text[r["b"]:r["end"]], r["q"]
        # the words are exactly what stands between the quotation marks, less the comma that the
        # paper's style puts inside them (“Hezbollah is cornered,” the person ... said)
        assert text[r["b"] - 1] == "“", r["q"]
        assert text[r["end"]] == "”" or text[r["end"]:r["end"] + 2] == ",”", r["q"]
    in_marks = {(m.start(1), m.end(1) - (text[m.end(1) - 1] == ",")) for m in re.finditer(r"“([^”]*)”", text)}
    assert {(r["b"], r["end"]) for r in rows} == in_marks


# --------------------------------------------------------------------------------------------------
# Ongoing and background
# --------------------------------------------------------------------------------------------------


def test_which_events_are_still_ongoing(store):
    rows = select(store, """
        SELECT ?e ?class ?b ?ee ?le WHERE {
          ?e dg:modality dg:Ongoing ; a ?class ; sem:hasEarliestBeginTimeStamp ?b ;
             sem:hasLatestEndTimeStamp ?le . OPTIONAL { ?e sem:hasEarliestEndTimeStamp ?ee }
          FILTER(?class != sem:Event)
        }""")
    for r in rows:  # under way at publication: begun by then, not ended before
        assert r["b"] <= PUBLISHED and r["ee"] == PUBLISHED and r["le"] > PUBLISHED, r["e"]

    def ongoing(cls, *actors, place=None):
        return any(r["class"] == DG + cls and {ent(a) for a in actors} <= actors_of(store, r["e"])
                   and (place is None or ask(store, f"ASK {{ <{r['e']}> sem:hasPlace ent:{place} }}"))
                   for r in rows)

    assert ongoing("ArmedConflict", "israel", "hezbollah")  # the war since October 2023
    assert ongoing("ArmedConflict", place="gaza")  # "more than a year of devastating war in Gaza"
    assert ongoing("MilitaryOperation", "israel", place="southern-lebanon")  # ground fighting since Oct. 1
    assert ongoing("Negotiation", place="lebanon")  # the cease-fire talks
    assert ongoing("Negotiation", place="gaza")  # "stalled cease-fire and hostage release talks in Gaza"
    assert ongoing("Displacement", place="lebanon")  # "Nearly 900,000 people have been internally displaced"
    assert ongoing("Displacement", place="israel")  # "forcing some 60,000 people from their homes"


def test_when_was_the_us_election(store):
    rows = select(store, """
        SELECT ?b ?end ?g WHERE {
          ?e a dg:Election ; sem:hasActor ent:donald-trump ; sem:hasPlace ent:united-states ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end ; dg:granularity ?g .
        }""")
    assert [(r["b"], r["end"], r["g"]) for r in rows] == [(date(2024, 11, 5), date(2024, 11, 5), TIME + "unitDay")]


def test_who_is_the_close_aide_who_told_trump_and_kushner(store, text):
    b, e = span_of(text, "A close aide to Prime Minister Benjamin Netanyahu")
    rows = select(store, f"""
        SELECT ?who ?title WHERE {{ ?who a sem:Actor ; dg:title ?title . {grounded_at(b, e, 'who')}
                                   ?m nif:anchorOf "A close aide to Prime Minister Benjamin Netanyahu" .
                                   ?who gaf:denotedBy ?m }}""")
    # "Ron Dermer, Netanyahu's minister of strategic affairs"
    assert {(r["who"], r["title"]) for r in rows} == {(ent("ron-dermer"), "minister of strategic affairs")}
    assert ask(store, """ASK { ?s a dg:Statement ;
        dg:hasRole [ rdf:value ent:ron-dermer ; sem:roleType dg:Sender ] ,
                   [ rdf:value ent:donald-trump ; sem:roleType dg:Recipient ] ,
                   [ rdf:value ent:jared-kushner ; sem:roleType dg:Recipient ] }""")


def test_who_is_named_by_the_words_the_militant_groups_main_patron(store, text):
    # "...the main conduit for arms from Iran, the militant group's main patron": the patron is Iran,
    # the militant group Hezbollah.
    b, e = span_of(text, "the militant group’s main patron")
    rows = select(store, f"""
        SELECT ?who ?words WHERE {{ ?who a sem:Actor ; gaf:denotedBy ?m . ?m nif:anchorOf ?words .
                                   {grounded_at(b, e, 'who')} }}""")
    for r in rows:
        if r["words"] == "the militant group’s main patron":
            assert r["who"] == ent("iran")
        elif r["words"] == "the militant group":
            assert r["who"] == ent("hezbollah")
    assert ask(store, "ASK { ent:iran dcterms:description ?d FILTER(CONTAINS(?d, 'main patron')) }")


def test_who_objects_to_israel_operating_across_the_border(store):
    # "the proposal calls for the Israeli military to be able to operate across the border in case of
    # violations - a nonstarter for Lebanese officials"; Hezbollah's "condition for progress remains
    # clear: Israel must be prohibited from conducting operations within Lebanese territory."
    rows = select(store, """
        SELECT DISTINCT ?who ?class WHERE {
          ?term dg:modality dg:Proposed ; sem:hasActor ent:idf ; sem:subEventOf ?deal .
          ?e dg:topic ?term ; a ?class ; dg:hasRole [ rdf:value ?who ; sem:roleType dg:Initiator ] .
          FILTER(?class IN (dg:Rejection, dg:Demand))
        }""")
    assert {r["who"] for r in rows} == {ent("lebanese-officials"), ent("hezbollah")}


def test_who_accuses_netanyahu_of_extending_the_war_for_his_political_survival(store):
    rows = select(store, """
        SELECT ?who ?words WHERE {
          ?e a dg:Accusation ; dg:hasRole [ rdf:value ent:benjamin-netanyahu ; sem:roleType dg:Target ] ,
                                          [ rdf:value ?who ; sem:roleType dg:Initiator ] .
          ?who gaf:denotedBy/nif:anchorOf ?words .
        }""")
    # "Netanyahu - who has been accused by his critics of extending and expanding the war"
    assert {r["words"] for r in rows} == {"his critics"}


def test_what_background_events_does_the_article_recall(store):
    # "the 2006 conflict between Israel and Hezbollah"
    assert select(store, """
        SELECT ?e WHERE { ?e a dg:ArmedConflict ; sem:hasActor ent:israel, ent:hezbollah ;
          dg:modality dg:Occurred ; dg:granularity time:unitYear ;
          sem:hasEarliestBeginTimeStamp "2006-01-01"^^xsd:date ; sem:hasLatestEndTimeStamp "2006-12-31"^^xsd:date }""")
    # "the Hamas-led attacks on southern Israel" (Oct. 7, 2023, after which "Since October 2023")
    assert select(store, """
        SELECT ?e WHERE { ?e a dg:Attack ; dg:hasRole [ rdf:value ent:hamas ; sem:roleType dg:Initiator ] ;
          sem:hasPlace ent:southern-israel ; dg:modality dg:Occurred ;
          sem:hasEarliestBeginTimeStamp "2023-10-07"^^xsd:date ; sem:hasLatestEndTimeStamp "2023-10-07"^^xsd:date }""")
    # Kushner "helped broker normalization agreements between four Arab nations and Israel during
    # Trump's first term"
    rows = select(store, """
        SELECT ?e ?b ?end ?n WHERE {
          ?e a dg:Agreement ; dg:modality dg:Occurred ; sem:hasActor ent:israel, ?arab ;
             dg:hasRole [ rdf:value ent:jared-kushner ; sem:roleType dg:Mediator ] ;
             sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?end .
          ?arab dg:memberCount ?n .
          ?term a dg:TermOfOffice ; sem:hasActor ent:donald-trump ;
                sem:hasEarliestBeginTimeStamp ?tb ; sem:hasLatestEndTimeStamp ?te .
          FILTER(?b >= ?tb && ?end <= ?te && ?te < "2024-01-01"^^xsd:date)
        }""")
    assert {r["n"] for r in rows} == {4}
    # the buffer area was "established after the 2006 conflict"
    assert select(store, """
        SELECT ?e WHERE { ?e sem:hasPlace ent:litani-river ; dg:modality dg:Occurred ;
          sem:hasEarliestBeginTimeStamp ?b FILTER(?b >= "2006-01-01"^^xsd:date && ?b < "2007-01-01"^^xsd:date) }""")


def test_who_mediates_the_lebanon_talks(store):
    rows = select(store, """
        SELECT DISTINCT ?who WHERE {
          ?talks a dg:Negotiation ; sem:hasPlace ent:lebanon .
          ?e sem:subEventOf* ?talks ; dg:hasRole [ rdf:value ?who ; sem:roleType dg:Mediator ] .
        }""")
    # Berri "has served as an intermediary in negotiations"; Biden's team does "all the work".
    assert {ent("nabih-berri"), ent("biden-administration")} <= {r["who"] for r in rows}


def test_what_does_hezbollah_demand(store):
    rows = select(store, """
        SELECT ?e ?src ?words WHERE {
          ?e a dg:Demand ; dg:hasRole [ rdf:value ent:hezbollah ; sem:roleType dg:Initiator ] ;
             dg:accordingTo ?src .
          ?q dg:saidIn ?e ; dg:quotedText ?words .
        }""")
    assert {r["src"] for r in rows} == {ent("person-close-to-hezbollah")}
    assert any("Israel must be prohibited from conducting operations within Lebanese territory" in r["words"]
               for r in rows)


# --------------------------------------------------------------------------------------------------
# Names, nationality, occasions
# --------------------------------------------------------------------------------------------------


def test_where_does_the_article_name_each_person_by_full_name_or_surname(store, text):
    # After the first mention the paper uses the surname ("Dermer met Monday and Tuesday ..."): a
    # researcher collecting what is said about a person needs every place the text names them.
    surnames = {"ron-dermer": "Dermer", "benjamin-netanyahu": "Netanyahu", "donald-trump": "Trump",
                "jared-kushner": "Kushner", "frank-lowenstein": "Lowenstein", "israel-ziv": "Ziv",
                "nabih-berri": "Berri"}
    for who, surname in surnames.items():
        rows = select(store, f"""
            SELECT ?b ?end WHERE {{ ent:{who} gaf:denotedBy ?m . ?m nif:beginIndex ?b ; nif:endIndex ?end }}""")
        spans = {(r["b"], r["end"]) for r in rows}
        for m in re.finditer(surname, text):
            assert any(b <= m.start() and m.end() <= e for b, e in spans), (who, text[m.start() - 30:m.end() + 30])
    # Dermer is named in the paragraphs on Mar-a-Lago (1-2), his spokesman (4), his contact with
    # Kushner (8), the Washington meetings (21), the trip to Russia (25) and the diplomatic blitz (31).
    rows = select(store, "SELECT DISTINCT ?p WHERE { ent:ron-dermer gaf:denotedBy/nif:sentence/dg:paragraph ?p }")
    assert {r["p"] for r in rows} == {1, 2, 4, 8, 21, 25, 31}


def test_which_country_is_the_country_and_who_is_the_group(store, text):
    # "according to the country's Health Ministry" (Lebanon); "during the country's civil war" (Syria);
    # "when the group stopped releasing a public count", "the person close to the group" (Hezbollah);
    # "Israel believes its foe's fighting force has been weakened" (Hezbollah).
    expected = [("the country", "the country’s Health Ministry", "lebanon"),
                ("the country", "the country’s civil war", "syria"),
                ("the group", "when the group stopped", "hezbollah"),
                ("the group", "close to the group said", "hezbollah"),
                ("its foe", "its foe’s fighting force", "hezbollah")]
    for words, passage, who in expected:
        b = text.index(passage) + passage.index(words)
        rows = select(store, f"""
            SELECT ?x WHERE {{ ?x a sem:Actor ; gaf:denotedBy ?m . ?m nif:anchorOf "{words}" ;
                              nif:beginIndex {b} }}""")
        assert {r["x"] for r in rows} == {ent(who)}, (words, passage)


def test_which_named_people_speak_for_which_country(store):
    # Titles and the words around the names: Ziv is a former head of the IDF's Operations
    # Directorate, Lowenstein a former U.S. special envoy, Berri and Mikati Lebanese, Hochstein
    # Biden's envoy, Dermer Netanyahu's minister.
    rows = select(store, """
        SELECT ?who ?state WHERE { ?who a dg:Person ; dg:affiliation ?state . ?state a dg:State }""")
    states = {}
    for r in rows:
        states.setdefault(r["who"].rsplit("/")[-1], set()).add(r["state"].rsplit("/")[-1])
    assert states["israel-ziv"] == states["ron-dermer"] == states["benjamin-netanyahu"] == {"israel"}
    assert states["frank-lowenstein"] == states["amos-hochstein"] == states["donald-trump"] == {"united-states"}
    assert states["nabih-berri"] == states["najib-mikati"] == {"lebanon"}
    assert states["bashar-al-assad"] == {"syria"}


def test_on_what_occasion_was_each_quotation_said_and_by_whom(store):
    rows = select(store, """
        SELECT ?q ?who ?e ?speaks WHERE {
          ?q a dg:Quotation ; dg:speaker ?who .
          OPTIONAL { ?q dg:saidIn ?e .
                     BIND(EXISTS { { ?e sem:hasActor ?who } UNION { ?e dg:accordingTo ?who } } AS ?speaks) }
        }""")
    assert len(rows) == 17
    # every quotation is tied to the statement it was said in, and its speaker takes part in it
    assert all(r["e"] and r["speaks"] for r in rows), [r["q"] for r in rows if not (r["e"] and r["speaks"])]
    # "'Hezbollah is cornered,' the person close to the group said"; "'We have taken away Hezbollah's
    # ability to attack us' ... said the military official"
    assert ask(store, """
        ASK { ?q dg:quotedText "Hezbollah is cornered" ; dg:saidIn [ a dg:Statement ;
              dg:hasRole [ rdf:value ent:person-close-to-hezbollah ; sem:roleType dg:Sender ] ] }""")
    assert ask(store, """
        ASK { ?q dg:quotedText ?w ; dg:saidIn [ a dg:Statement ;
              dg:hasRole [ rdf:value ent:israeli-military-official ; sem:roleType dg:Sender ] ]
              FILTER(STRSTARTS(?w, "We have taken away")) }""")


# --------------------------------------------------------------------------------------------------
# Who fights whom
# --------------------------------------------------------------------------------------------------


def test_who_attacked_whom(store):
    rows = select(store, """
        SELECT ?e ?by ?on WHERE {
          ?e a ?c ; dg:modality ?m ;
             dg:hasRole [ rdf:value ?by ; sem:roleType dg:Initiator ] ,
                        [ rdf:value ?on ; sem:roleType dg:Target ] .
          VALUES ?c { dg:Attack dg:AirStrike }
          FILTER(?m IN (dg:Occurred, dg:Ongoing))
        }""")
    pairs = {(r["by"].rsplit("/")[-1], r["on"].rsplit("/")[-1]) for r in rows}
    assert {
        ("hamas", "israel"),  # "the Hamas-led attacks on southern Israel"
        ("lebanese-militants", "israel"),  # "rain down thousands of rockets and missiles on Israel"
        ("israeli-air-force", "lebanon"),  # "Israel's air force has pummeled Lebanon with strikes"
        ("israel", "hezbollah"),  # "a series of mortal blows to its senior leadership and communications network"
        ("hezbollah", "idf"),  # "killing more Israeli soldiers in the south"
    } <= pairs


def test_who_fights_the_war_in_gaza_and_since_when(store):
    # "more than a year of devastating war in Gaza" (as of Sunday 10 November 2024), which followed
    # "the Hamas-led attacks on southern Israel" of Oct. 7, 2023; Trump told Netanyahu to "do what you
    # have to do" against Hezbollah and Hamas.
    rows = select(store, """
        SELECT ?e ?b ?le WHERE {
          ?e a dg:ArmedConflict ; sem:hasPlace ent:gaza ; sem:hasActor ent:israel, ent:hamas ;
             dg:modality dg:Ongoing ; sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?le .
        }""")
    assert len(rows) == 1
    assert date(2023, 10, 7) <= rows[0]["b"] < date(2023, 11, 10) and rows[0]["le"] > PUBLISHED
    assert ask(store, f"""ASK {{ ?f dg:about <{rows[0]['e']}> ; dg:measure dg:Duration ; dg:value 1 ;
                                 dg:qualifier dg:MoreThan ; time:unitType time:unitYear }}""")
    # the stalled talks in Gaza are between the same two sides
    assert ask(store, """ASK { ?t a dg:Negotiation ; sem:hasPlace ent:gaza ; sem:hasActor ent:israel, ent:hamas ;
                               dg:modality dg:Ongoing }""")


# --------------------------------------------------------------------------------------------------
# The article and its links
# --------------------------------------------------------------------------------------------------


def test_what_are_the_articles_headline_publisher_date_dateline_and_reporters(store, text):
    rows = select(store, """
        SELECT ?title ?pub ?issued ?lang ?dateline ?string WHERE {
          ?a a dg:Article ; dcterms:title ?title ; dcterms:publisher ?pub ; dcterms:issued ?issued ;
             dcterms:language ?lang ; dg:dateline ?dateline ; dg:hasText ?t .
          ?t nif:isString ?string .
        }""")
    assert len(rows) == 1
    r = rows[0]
    assert r["title"] == "Israel prepares Lebanon cease-fire plan as gift to Trump, officials say"
    assert (r["pub"], r["issued"], r["lang"], r["dateline"]) == (
        ent("washington-post"), PUBLISHED, "en", ent("tel-aviv"))
    assert r["string"] == text and text.startswith("TEL AVIV - ")
    assert ask(store, 'ASK { art:wapo-2024-11-13-lebanon-cease-fire dcterms:issued "2024-11-13"^^xsd:date }')
    credits = select(store, """
        SELECT ?who ?role ?place WHERE {
          art:wapo-2024-11-13-lebanon-cease-fire dg:hasCredit ?c .
          ?c dg:creditedPerson ?who ; dg:creditRole ?role ; sem:hasPlace ?place .
        }""")
    # "Haidamous reported from Beirut and Hudson from Washington. Kareem Fahim and Mohamad El Chamaa
    # in Beirut, Lior Soroka in Tel Aviv, and Issac Arnsdorf in Washington contributed"
    assert {(c["who"].rsplit("/")[-1], c["role"].rsplit("#")[-1], c["place"].rsplit("/")[-1]) for c in credits} == {
        ("haidamous", "Reporter", "beirut"), ("hudson", "Reporter", "washington"),
        ("kareem-fahim", "Contributor", "beirut"), ("mohamad-el-chamaa", "Contributor", "beirut"),
        ("lior-soroka", "Contributor", "tel-aviv"), ("issac-arnsdorf", "Contributor", "washington")}
    creators = select(store, "SELECT ?p WHERE { art:wapo-2024-11-13-lebanon-cease-fire dcterms:creator ?p }")
    assert {c["p"] for c in creators} == {ent("haidamous"), ent("hudson")}


# Wikidata items known to be right for the entities of this article.
WIKIDATA = {
    "benjamin-netanyahu": "Q43723", "donald-trump": "Q22686", "joe-biden": "Q6279", "barack-obama": "Q76",
    "israel": "Q801", "lebanon": "Q822", "united-states": "Q30", "russia": "Q159", "syria": "Q858",
    "iran": "Q794", "saudi-arabia": "Q851", "united-kingdom": "Q145", "washington": "Q61", "moscow": "Q649",
    "florida": "Q812",
}


def test_which_entities_are_linked_to_wikidata(store):
    rows = select(store, "SELECT ?e ?wd WHERE { ?e owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), STR(wd:))) }")
    links = {r["e"].rsplit("/")[-1]: r["wd"].rsplit("/")[-1] for r in rows}
    assert len(links) == len(rows)  # one item per entity
    for must in ("benjamin-netanyahu", "donald-trump", "joe-biden", "israel", "lebanon", "united-states",
                 "russia", "syria", "iran"):
        assert links.get(must) == WIKIDATA[must], must
    wrong = {e: q for e, q in links.items() if WIKIDATA.get(e) != q}
    assert not wrong, f"links not known to be right: {wrong}"
    assert ask(store, "ASK { ?p owl:sameAs wd:Q43723 ; rdfs:label 'Benjamin Netanyahu'@en }")


# --------------------------------------------------------------------------------------------------
# Grounding: every fact can be traced to the words of the article
# --------------------------------------------------------------------------------------------------


def test_does_every_fact_come_from_a_sentence_that_contains_its_mention(store):
    rows = select(store, """
        SELECT ?x ?mention ?sentence WHERE {
          ?x gaf:denotedBy ?m . ?m nif:anchorOf ?mention ; nif:beginIndex ?mb ; nif:endIndex ?me ;
             nif:sentence ?s .
          ?s a nif:Sentence ; nif:anchorOf ?sentence ; nif:beginIndex ?sb ; nif:endIndex ?se .
          FILTER(!CONTAINS(?sentence, ?mention) || ?mb < ?sb || ?me > ?se)
        }""")
    assert not rows, [(r["x"].rsplit("/")[-1], r["mention"]) for r in rows]
    # and every event, claim, figure and quotation has at least one such sentence
    assert not select(store, """
        SELECT ?x WHERE { ?x a ?c . VALUES ?c { sem:Event dg:Claim dg:Figure dg:Quotation }
          FILTER NOT EXISTS { ?x gaf:denotedBy/nif:sentence/nif:anchorOf ?s } }""")


def test_from_which_sentence_does_the_secret_trip_come(store):
    rows = select(store, """
        SELECT ?sentence ?para WHERE {
          ?e a dg:Visit ; sem:hasPlace ent:russia ; gaf:denotedBy/nif:sentence ?s .
          ?s nif:anchorOf ?sentence ; dg:paragraph ?para .
        }""")
    assert [(r["sentence"], r["para"]) for r in rows] == [
        ("Dermer made a secret trip to Russia last week for follow-up discussions, the Israeli and U.S. "
         "officials said.", 25)]


def test_is_every_event_a_dated_labelled_grounded_sem_event(store):
    rows = select(store, """
        SELECT ?e
          (SAMPLE(?label) AS ?l) (SAMPLE(LANG(?label)) AS ?lang)
          (SAMPLE(DATATYPE(?b)) AS ?bt) (SAMPLE(DATATYPE(?end)) AS ?et) (SAMPLE(?b) AS ?b1) (SAMPLE(?end) AS ?e1)
          (COUNT(DISTINCT ?b) AS ?nb) (COUNT(DISTINCT ?end) AS ?ne)
          (SAMPLE(?src) AS ?from) (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?mod) AS ?mods)
        WHERE {
          ?e a sem:Event .
          OPTIONAL { ?e rdfs:label ?label }
          OPTIONAL { ?e sem:hasEarliestBeginTimeStamp ?b }
          OPTIONAL { ?e sem:hasLatestEndTimeStamp ?end }
          OPTIONAL { ?e prov:wasDerivedFrom ?src }
          OPTIONAL { ?e gaf:denotedBy ?m }
          OPTIONAL { ?e dg:modality ?mod }
        } GROUP BY ?e""")
    assert len(rows) > 50
    for r in rows:
        assert r["l"] and r["lang"] == "en", r["e"]
        assert r["bt"] == r["et"] == XSD + "date" and r["nb"] == r["ne"] == 1, r["e"]
        assert r["b1"] <= r["e1"], r["e"]
        assert r["from"] == ARTICLE and r["mentions"] >= 1 and r["mods"] == 1, r["e"]
