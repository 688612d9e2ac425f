"""Where each minted IRI is served: the IRIs stay the same (https://w3id.org/diplograph/…) whatever
host serves them, so request paths are mapped to IRIs and IRIs to links on this server."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from pyoxigraph import NamedNode

from diplograph.ontology.vocab import DG, ID_BASE, ONTOLOGY_IRI

from .context import served

ID_PATH = "/id/"
ONTOLOGY_PATH = "/ontology"
GRAPH_BASE = ID_BASE + "graph/"
# Characters left as they are in a link (RFC 3986 path and fragment characters, and % escapes).
_SAFE = "/#:@!$&'()*+,;=-._~%"


def iri_for_path(path: str) -> str | None:
    """The IRI served at a (percent-decoded) request path, or None when the path serves none."""
    if path == ONTOLOGY_PATH:
        return ONTOLOGY_IRI
    if path.startswith(ID_PATH) and len(path) > len(ID_PATH):
        iri = ID_BASE + path[len(ID_PATH):]
        try:
            NamedNode(iri)
        except ValueError:
            return None
        return iri
    return None


def served_path(iri: str) -> str | None:
    """The path at which this server serves `iri` (a fragment for a term of the ontology, which is
    described in the ontology's document), or None when the IRI is not ours."""
    if iri.startswith(ID_BASE) and len(iri) > len(ID_BASE):
        return ID_PATH + iri[len(ID_BASE):]
    if iri == ONTOLOGY_IRI or iri.startswith(DG):
        return ONTOLOGY_PATH + iri[len(ONTOLOGY_IRI):]
    return None


def href(iri: str) -> str | None:
    """Where a link to `iri` should point: its page on this server when it is one of ours, the IRI
    itself when it is a web address elsewhere, else None (no link: `javascript:` and the like are
    never made clickable)."""
    path = served_path(iri)
    if path is not None:
        return local_href(path)
    if urlsplit(iri).scheme in ("http", "https"):
        return iri
    return None


def twin_href(iri: str, extension: str) -> str:
    """The link to one of our IRI's descriptions in a fixed format, by its extension (`.ttl`…)."""
    return local_href(served_path(iri) + extension)


def local_href(path: str) -> str:
    """A link to `path` on this server: under --base-url when it is given, else relative to
    whichever host the client used."""
    prefix = (served().config.base_url or "").rstrip("/")
    return prefix + quote(path, safe=_SAFE)


def article_of_graph(graph: str) -> str | None:
    """The article id of an article's graph IRI, or None for any other graph."""
    if graph.startswith(GRAPH_BASE) and "/" not in graph[len(GRAPH_BASE):]:
        return graph[len(GRAPH_BASE):] or None
    return None
