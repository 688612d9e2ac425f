"""`diplograph load --server URL --token T` against a real `diplograph serve`: articles checked
locally first, then each article's graph replaced in one request, so that readers polling the
server during repeated reloads only ever see a whole article; refusals are one line each."""

from __future__ import annotations

import json
import threading
import urllib.parse
from pathlib import Path

import pytest
from live_servers import free_port
from support import FIXTURES, MINI, run_cli
from w3c_protocol import diplograph_server, mini_store

from diplograph.loader import read_article

TOKEN = "l0ad-token"
GRAPH = read_article(MINI).graph


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with diplograph_server(mini_store(tmp_path_factory.mktemp("load-server")), token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def bigger_mini(tmp_path_factory) -> Path:
    """The mini article with one more entity: a different number of quads in the same graph."""
    folder = tmp_path_factory.mktemp("bigger")
    (folder / "mini.txt").write_bytes((FIXTURES / "mini.txt").read_bytes())
    text = MINI.read_text(encoding="utf-8").replace("entities:\n", "entities:\n  extra: {label: Extra, class: Person}\n")
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    return folder / "mini.yaml"


def graph_size(server) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    reply = server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


def address(server) -> str:
    return f"http://{server.host}:{server.port}"


def load(server, *files: Path, token: str = TOKEN):
    return run_cli("load", "--server", address(server), "--token", token, *map(str, files))


def test_loading_into_a_running_server_replaces_the_article(server, bigger_mini):
    result = load(server, bigger_mini)
    try:
        assert result.returncode == 0, result.stderr
        assert f"quads in <{GRAPH}>" in result.stdout
        assert f"server {address(server)}: " in result.stdout
        assert graph_size(server) == len(read_article(bigger_mini).quads)
    finally:
        assert load(server, MINI).returncode == 0
    assert graph_size(server) == len(read_article(MINI).quads)


def test_readers_see_only_whole_articles_during_repeated_reloads(server, bigger_mini):
    whole = {len(read_article(MINI).quads), len(read_article(bigger_mini).quads)}
    seen: list[int] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.append(graph_size(server))

    readers = [threading.Thread(target=poll) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for annotation in [bigger_mini, MINI, bigger_mini, MINI]:
            result = load(server, annotation)
            assert result.returncode == 0, result.stderr
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert set(seen) == whole, f"readers saw sizes {sorted(set(seen))}, whole articles have {sorted(whole)}"


def test_a_wrong_token_is_refused_in_one_line_and_changes_nothing(server, bigger_mini):
    result = load(server, bigger_mini, token="not-the-token")
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "403" in result.stderr and "token is wrong" in result.stderr
    assert graph_size(server) == len(read_article(MINI).quads)


def test_a_server_without_updates_says_how_to_enable_them(tmp_path):
    with diplograph_server(mini_store(tmp_path)) as read_only:
        result = load(read_only, MINI)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "--update-token" in result.stderr


def test_an_unreachable_server_is_one_line(tmp_path):
    result = run_cli("load", "--server", f"http://127.0.0.1:{free_port()}", "--token", TOKEN, str(MINI))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "cannot reach the server" in result.stderr


def test_a_bad_annotation_sends_nothing_to_the_server(server, mini_copy, bigger_mini):
    mini_copy.write_text(mini_copy.read_text(encoding="utf-8").replace("class: Meeting", "class: Banquet"),
                         encoding="utf-8")
    posts = server.log.read_text().count('"POST /sparql"')
    result = load(server, bigger_mini, mini_copy)
    assert result.returncode == 1 and "Banquet" in result.stderr
    assert server.log.read_text().count('"POST /sparql"') == posts
    assert graph_size(server) == len(read_article(MINI).quads)


@pytest.mark.parametrize("args, message", [
    (["--server", "http://127.0.0.1:1"], "--server needs --token"),
    (["--token", TOKEN], "--token is for loading into a server"),
    (["--server", "127.0.0.1:8000", "--token", TOKEN], "http:// or https://"),
    (["--server", "http://127.0.0.1:1", "--token", TOKEN, "--store", "somewhere"], "not both"),
])
def test_wrong_usage_of_server_and_token_exits_2(args, message):
    result = run_cli("load", *args, str(MINI))
    assert result.returncode == 2
    assert message in result.stderr
