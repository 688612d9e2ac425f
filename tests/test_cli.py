"""The `diplograph` command as a user types it: load, query, export, check, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from support import MINI, run_cli


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    result = run_cli("load", str(MINI), store=store)
    assert result.returncode == 0, result.stderr
    return store


def test_load_without_arguments_loads_the_bundled_corpus(tmp_path: Path):
    store = tmp_path / "store"
    result = run_cli("load", store=store)
    assert result.returncode == 0, result.stderr
    assert "wapo-2024-11-13-lebanon-cease-fire" in result.stdout
    count = run_cli("query", "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a sem:Event }", "--format", "json",
                    store=store)
    n = int(json.loads(count.stdout)["results"]["bindings"][0]["n"]["value"])
    assert n >= 40


def test_store_option_and_environment_variable_name_the_same_store(loaded: Path):
    by_option = run_cli("--help")
    assert by_option.returncode == 0
    a = run_cli("export", "--store", str(loaded)).stdout
    b = run_cli("export", store=loaded).stdout
    assert a == b and a


def test_query_prints_a_table_by_default(loaded: Path):
    result = run_cli("query", "SELECT ?label WHERE { ?e a dg:Meeting ; rdfs:label ?label }", store=loaded)
    assert result.returncode == 0, result.stderr
    assert "The envoy meets the speaker in Beirut" in result.stdout
    assert result.stdout.rstrip().endswith("(1 row)")


@pytest.mark.parametrize("fmt, check", [
    ("json", lambda out: json.loads(out)["head"]["vars"] == ["label"]),
    ("csv", lambda out: out.splitlines()[0] == "label"),
    ("tsv", lambda out: out.splitlines()[0] == "?label"),
    ("xml", lambda out: "<sparql" in out),
])
def test_query_results_in_every_format(loaded: Path, fmt, check):
    result = run_cli("query", "SELECT ?label WHERE { ?e a dg:Meeting ; rdfs:label ?label }", "--format", fmt,
                     store=loaded)
    assert result.returncode == 0, result.stderr
    assert check(result.stdout)


def test_query_from_a_file_and_from_standard_input(loaded: Path, tmp_path: Path):
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?e a dg:CeaseFire ; dg:modality dg:Possible }", encoding="utf-8")
    assert run_cli("query", f"@{query_file}", store=loaded).stdout == "true\n"
    assert run_cli("query", "-", store=loaded, stdin="ASK { ?e a dg:Election }").stdout == "false\n"


def test_construct_answers_in_an_rdf_format(loaded: Path):
    result = run_cli("query", "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a sem:Event ; rdfs:label ?l }",
                     "--format", "ntriples", store=loaded)
    assert result.returncode == 0, result.stderr
    assert len(rdflib.Graph().parse(data=result.stdout, format="nt")) == 3


def test_a_bad_query_is_one_line_and_exit_code_1(loaded: Path):
    result = run_cli("query", "SELECT ?x WHERE { ?x ", store=loaded)
    assert result.returncode == 1
    assert result.stderr.startswith("error: SPARQL syntax error")
    assert "Traceback" not in result.stderr


def test_wrong_usage_is_exit_code_2(loaded: Path):
    result = run_cli("query", "ASK {}", "--format", "turtle", store=loaded)
    assert result.returncode == 2
    assert "does not fit a SELECT/ASK" in result.stderr
    assert run_cli("export", "--format", "yaml", store=loaded).returncode == 2


@pytest.mark.parametrize("base_url", ["example.org/kg", "ftp://example.org/", "https://example.org/kg?x=1",
                                      "https://example.org/kg#top", "https:///kg"])
def test_serve_refuses_a_base_url_pages_cannot_be_put_under(base_url: str):
    result = run_cli("serve", "--port", "0", "--base-url", base_url)
    assert result.returncode == 2
    assert "--base-url" in result.stderr and "e.g. https://example.org/kg" in result.stderr


def test_a_store_that_cannot_be_opened_is_exit_code_3(tmp_path: Path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    result = run_cli("export", store=not_a_folder)
    assert result.returncode == 3
    assert result.stderr.startswith("error: cannot open the store")


def test_export_one_graph_as_turtle_to_a_file(loaded: Path, tmp_path: Path):
    out = tmp_path / "mini.ttl"
    result = run_cli("export", "--format", "turtle", "--graph", "https://w3id.org/diplograph/id/graph/mini",
                     "--output", str(out), store=loaded)
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(out, format="turtle")
    assert (None, rdflib.RDFS.label, rdflib.Literal("The envoy meets the speaker in Beirut", lang="en")) in graph


def test_check_passes_on_the_bundled_corpus():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HermiT" in result.stdout and "SHACL" in result.stdout
    assert "all" in result.stdout.splitlines()[-1]


def test_check_fails_with_a_readable_report(mini_copy: Path):
    text = mini_copy.read_text(encoding="utf-8").replace("wikidata: Q822", "wikidata: Lebanon")
    mini_copy.write_text(text, encoding="utf-8")
    result = run_cli("check", "--no-reasoner", str(mini_copy))
    assert result.returncode == 1
    assert "FAIL annotation" in result.stdout
    assert "not a Wikidata QID" in result.stdout


def test_check_store_checks_what_a_store_holds_and_names_a_broken_span(loaded: Path):
    result = run_cli("check", "--store", str(loaded), "--no-reasoner")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 article graphs" in result.stdout and "SHACL" in result.stdout
    # Someone else's write moves a mention's start: the store check names the span and its words.
    moved = run_cli("query", "SELECT ?m WHERE { ?m nif:anchorOf ?a ; nif:beginIndex ?b } LIMIT 1", "--format", "csv",
                    store=loaded).stdout.splitlines()[1]
    from diplograph.store import EmbeddedStore
    store = EmbeddedStore(loaded)
    store.update(f"DELETE {{ GRAPH ?g {{ <{moved}> nif:beginIndex ?b }} }} INSERT {{ GRAPH ?g {{ <{moved}> "
                 f"nif:beginIndex 0 }} }} WHERE {{ GRAPH ?g {{ <{moved}> nif:beginIndex ?b }} }}")
    store.close()
    broken = run_cli("check", "--store", str(loaded), "--no-reasoner")
    assert broken.returncode == 1
    assert "FAIL offsets" in broken.stdout and f"{moved}: text[0:" in broken.stdout


def test_check_takes_files_or_a_store_not_both(loaded: Path):
    result = run_cli("check", "--store", str(loaded), str(MINI))
    assert result.returncode == 2 and "not both" in result.stderr


def test_every_command_works_against_a_sparql_server_by_url():
    from live_servers import oxigraph_server

    with oxigraph_server() as base:
        store = f"{base}/query {base}/update"
        loaded = run_cli("load", str(MINI), "--store", store)
        assert loaded.returncode == 0, loaded.stderr
        result = run_cli("query", "SELECT ?label WHERE { ?e a dg:Meeting ; rdfs:label ?label }", "--store", store)
        assert "The envoy meets the speaker in Beirut" in result.stdout
        exported = run_cli("export", "--format", "nquads", "--store", store)
        assert exported.returncode == 0 and "graph/mini" in exported.stdout
        assert run_cli("query", "SELECT ?x WHERE {", "--store", store).returncode == 1
        checked = run_cli("check", "--store", store, "--no-reasoner")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "SHACL: the data conforms" in checked.stdout


def test_an_unreachable_server_is_exit_code_3():
    from live_servers import free_port

    result = run_cli("query", "ASK {}", "--store", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.returncode == 3
    assert "cannot reach the store" in result.stderr


def test_two_articles_with_one_id_are_refused_before_anything_is_written(tmp_path: Path, mini_copy: Path):
    twin = mini_copy.with_name("twin.yaml")
    twin.write_text(mini_copy.read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "store"
    result = run_cli("load", str(mini_copy), str(twin), store=store)
    assert result.returncode == 1
    assert "'mini' is also the id of" in result.stderr
    assert run_cli("export", store=store).stdout == ""
