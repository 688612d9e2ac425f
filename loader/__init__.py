"""The loader: an article's text and annotation in, RDF quads out (pure), plus reading the files.

    article = read_article(Path("corpus/x.yaml"))   # file I/O at the edge
    article.quads                                   # sorted quads in article.graph
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, serialize

from diplograph.errors import AnnotationError, Problem
from diplograph.ontology import iris

from .annotation import Annotation, parse_annotation
from .triples import article_quads
from .yamlfile import read_yaml


@dataclass(frozen=True)
class LoadedArticle:
    """An annotation that passed every check, with the quads it stands for."""

    source: str
    annotation: Annotation
    graph: str
    quads: list[Quad]


def build_article(annotation_text: str, article_text: str, source: str = "<annotation>") -> LoadedArticle:
    """Pure: the YAML annotation and its article's text to a checked article and its quads."""
    annotation = parse_annotation(read_yaml(annotation_text, source), article_text)
    return LoadedArticle(source, annotation, iris.graph(annotation.article.id), article_quads(annotation))


def read_article(path: Path) -> LoadedArticle:
    """Read an annotation file and the text it names (relative to it), then `build_article`."""
    source = str(path)
    try:
        annotation_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise AnnotationError([Problem(source, None, "", f"cannot read the annotation: {_reason(err)}")]) from None
    doc = read_yaml(annotation_text, source)
    text_name = doc.data.get("article", {}).get("text") if isinstance(doc.data, dict) else None
    if not isinstance(text_name, str) or not text_name:
        raise AnnotationError([Problem(source, doc.line(("article",)), "article.text",
                                       "'text' is required: the article's text file, relative to this file")])
    text_path = path.parent / text_name
    try:
        article_text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise AnnotationError([Problem(source, doc.line(("article", "text")), "article.text",
                                       f"cannot read the text file {text_path}: {_reason(err)}")]) from None
    annotation = parse_annotation(doc, article_text)
    return LoadedArticle(source, annotation, iris.graph(annotation.article.id), article_quads(annotation))


def read_articles(paths: list[Path], progress=lambda items: items) -> list[LoadedArticle]:
    """Read every annotation at `paths`, or raise one AnnotationError listing every problem in
    all of them: a load is all or nothing. `progress` may wrap the paths (a progress bar)."""
    articles: list[LoadedArticle] = []
    problems: list[Problem] = []
    for path in progress(paths):
        try:
            article = read_article(Path(path))
        except AnnotationError as err:
            problems.extend(err.problems)
            continue
        first = next((a for a in articles if a.graph == article.graph), None)
        if first is not None:
            problems.append(Problem(article.source, None, "article.id",
                                    f"'{article.annotation.article.id}' is also the id of {first.source}; "
                                    "give each article its own id"))
        articles.append(article)
    if problems:
        raise AnnotationError(problems)
    return articles


def graphs_to_load(articles: list[LoadedArticle]) -> dict[str, list[Quad]]:
    """What a load replaces: each article's graph and the ontology's graph."""
    from diplograph.ontology import ontology_quads
    from diplograph.ontology.vocab import ONTOLOGY_GRAPH

    graphs = {ONTOLOGY_GRAPH: ontology_quads()}
    graphs.update({article.graph: article.quads for article in articles})
    return graphs


def to_nquads(quads: list[Quad]) -> bytes:
    """Canonical N-Quads of already sorted quads: the same quads, the same bytes."""
    return serialize(quads, format=RdfFormat.N_QUADS) or b""


def _reason(err: Exception) -> str:
    if isinstance(err, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return getattr(err, "strerror", None) or str(err)


__all__ = ["LoadedArticle", "build_article", "graphs_to_load", "read_article", "read_articles", "to_nquads"]
