"""An article-shaped synthetic corpus for the benchmark, as N-Quads, deterministic.

Every synthetic article is the seed article's own loader output (the bundled Washington Post
annotation) with what differs between real articles varied:

- its id, so the article, its text, sentences, mentions, events, roles, claims, figures and
  quotations get their own IRIs, and its own named graph;
- its publication date, uniform over 2015–2025; every date of the article moves with it (open
  bounds `0001-01-01` / `9999-12-31` stay), so intervals keep their shape and spread over years;
- its entities: each of the seed's entities is replaced by one of 40 variants from one pool shared
  by all articles (variant 0 keeps the seed's id, variant k is `ID-k`, labels and Wikidata links
  follow), drawn with Zipf weights (1/(k+1)): a few actors are in many articles, most in few, so
  "one actor's events" is selective;
- its words: the letters of its text, mentions, quotations and of its events', claims' and
  figures' labels go through a permutation of the alphabet drawn for the article. Lengths and
  offsets are unchanged (`text[begin:end] == anchorOf` still holds) but no two articles share
  these strings, as real articles do not; `dg:sha256` is recomputed;
- the class of about a third of its events, drawn from the seed's event classes.

Article i is drawn from its own seeded generator, so the corpora are nested (the 40k corpus is the
first articles of the 400k one) and the same on every machine. The ontology's graph comes first,
once, as `diplograph load` writes it.

    python bench/generate.py --sizes 40k,400k      # writes bench/cache/corpus-40k.nq, ...
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import string
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from diplograph.corpus import bundled_annotations
from diplograph.loader import read_article, to_nquads
from diplograph.ontology import ontology_quads
from diplograph.ontology.vocab import DCTERMS, DG, ID_BASE, NIF, OWL, RDF, RDFS, SKOS, WD, XSD

CACHE = Path(__file__).resolve().parent / "cache"
SIZES = {"40k": 40_000, "400k": 400_000, "4M": 4_000_000}
GENERATOR_VERSION = 1  # bump when the output changes: cached files with another version are rebuilt
SEED = "diplograph-bench"
VARIANTS = 40  # variants of each seed entity in the shared pool
RETYPED = 0.3  # share of events whose class is redrawn
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
OPEN_BOUNDS = {"0001-01-01", "9999-12-31"}
# Literals whose words are the article's own (translated per article); entity labels vary by variant.
ARTICLE_WORDS = {NIF + "isString", NIF + "anchorOf", DG + "quotedText", DG + "condition", DCTERMS + "title"}
ENTITY_NAMES = {RDFS + "label", SKOS + "altLabel"}

# What the benchmark asks about, fixed here so that every size and every server gets the same
# query texts: an actor of the pool and an event of the first article (in every corpus).
QUERY_ACTOR = ID_BASE + "entity/donald-trump-1"
QUERY_EVENT_NAME = "mar-a-lago-meeting"


def article_id(i: int) -> str:
    return f"synthetic-{i:05d}"


def query_event() -> str:
    return f"{ID_BASE}event/{article_id(0)}/{QUERY_EVENT_NAME}"


@dataclass
class Template:
    """The seed article's N-Quads as one format string, with a placeholder for every varied term."""

    text: str = ""
    quads: int = 0
    seed_id: str = ""
    publication: dt.date = dt.date(2024, 11, 13)
    entities: list[str] = field(default_factory=list)  # e0, e1, ...: the seed's entity ids
    wikidata: list[tuple[int, str]] = field(default_factory=list)  # w0, ...: (entity index, Q id)
    names: list[tuple[int, str, str | None]] = field(default_factory=list)  # n0, ...: (entity, value, lang)
    words: list[tuple[str, str | None]] = field(default_factory=list)  # t0, ...: (value, lang)
    dates: list[str] = field(default_factory=list)  # d0, ...
    event_types: list[str] = field(default_factory=list)  # y0, ...: the seed event's class (local name)
    event_classes: list[str] = field(default_factory=list)  # classes to redraw from
    text_slot: int = -1  # which words slot is nif:isString (for the sha256)


def _escape(value: str) -> str:
    """An N-Quads string literal's body."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _literal(body: str, lang: str | None) -> str:
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def build_template() -> Template:
    seed = read_article(bundled_annotations()[0])
    t = Template(seed_id=seed.annotation.article.id)
    t.publication = dt.date.fromisoformat(
        next(q.object.value for q in seed.quads if q.predicate.value == DCTERMS + "issued"))
    entity_base = ID_BASE + "entity/"
    entities: dict[str, int] = {}
    slots: dict[tuple, int] = {}

    def entity(name: str) -> str:
        if name not in entities:
            entities[name] = len(t.entities)
            t.entities.append(name)
        return f"{{e{entities[name]}}}"

    def slot(kind: str, key, table: list, item) -> int:
        if (kind, key) not in slots:
            slots[(kind, key)] = len(table)
            table.append(item)
        return slots[(kind, key)]

    def iri(node: NamedNode) -> str:
        value = node.value
        if value.startswith(entity_base):
            return f"<{entity_base}{entity(value[len(entity_base):])}>"
        if value.startswith(ID_BASE):
            value = value.replace(f"/{t.seed_id}", "/{a}")
            # Roles and credits end with the entity they are about.
            for marker in ("/role/", "/credit/"):
                if marker in value:
                    head, _, tail = value.rpartition("/")
                    value = f"{head}/{entity(tail)}"
        return f"<{value}>"

    event_base = ID_BASE + "event/"
    event_classes = sorted({q.object.value[len(DG):] for q in seed.quads
                            if q.predicate.value == RDF + "type" and q.subject.value.startswith(event_base)
                            and q.object.value.startswith(DG)})
    t.event_classes = event_classes
    lines = []
    for q in seed.quads:
        s, p, o = q.subject, q.predicate.value, q.object
        subject = iri(s)
        on_entity = s.value.startswith(entity_base)
        if isinstance(o, NamedNode):
            if p == OWL + "sameAs" and o.value.startswith(WD) and on_entity:
                n = slot("w", (s.value, o.value), t.wikidata, (entities[s.value[len(entity_base):]], o.value[len(WD):]))
                obj = f"<{WD}{{w{n}}}>"
            elif (p == RDF + "type" and s.value.startswith(event_base) and "/role/" not in s.value
                  and o.value.startswith(DG) and o.value[len(DG):] in event_classes):
                t.event_types.append(o.value[len(DG):])
                obj = f"<{DG}{{y{len(t.event_types) - 1}}}>"
            else:
                obj = iri(o)
        elif isinstance(o, Literal) and o.datatype.value == XSD + "date":
            n = slot("d", o.value, t.dates, o.value)
            obj = f'"{{d{n}}}"^^<{XSD}date>'
        elif isinstance(o, Literal) and on_entity and p in ENTITY_NAMES:
            n = slot("n", (s.value, p, o.value), t.names, (entities[s.value[len(entity_base):]], o.value, o.language))
            obj = f"{{n{n}}}"
        elif isinstance(o, Literal) and (p in ARTICLE_WORDS or (p == RDFS + "label" and not on_entity)):
            n = slot("t", (o.value, o.language), t.words, (o.value, o.language))
            if p == NIF + "isString":
                t.text_slot = n
            obj = f"{{t{n}}}"
        elif isinstance(o, Literal) and p == DG + "sha256":
            obj = '"{sha}"'
        else:
            obj = str(o).replace("{", "{{").replace("}", "}}")
        lines.append(f"{subject} <{p}> {obj} {iri(q.graph_name)} .\n")
    t.text = "".join(lines)
    t.quads = len(lines)
    return t


def _zipf_cumulative(n: int) -> list[float]:
    total, cumulative = 0.0, []
    for k in range(n):
        total += 1 / (k + 1)
        cumulative.append(total)
    return cumulative


_CUMULATIVE = _zipf_cumulative(VARIANTS)


def variant(name: str, k: int) -> str:
    return name if k == 0 else f"{name}-{k}"


def article_nquads(t: Template, i: int) -> str:
    """Synthetic article number i, as N-Quads."""
    rng = random.Random(f"{SEED}:{i}")
    publication = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    shift = publication - t.publication
    ks = [rng.choices(range(VARIANTS), cum_weights=_CUMULATIVE)[0] for _ in t.entities]
    letters = list(string.ascii_lowercase)
    rng.shuffle(letters)
    table = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                          "".join(letters) + "".join(letters).upper())
    values: dict[str, str] = {"a": article_id(i)}
    for n, name in enumerate(t.entities):
        values[f"e{n}"] = variant(name, ks[n])
    for n, (e, q) in enumerate(t.wikidata):
        values[f"w{n}"] = q if ks[e] == 0 else f"{q}{ks[e]:02d}"
    for n, (e, value, lang) in enumerate(t.names):
        values[f"n{n}"] = _literal(_escape(value if ks[e] == 0 else f"{value} {ks[e]}"), lang)
    words = [value.translate(table) for value, _ in t.words]
    for n, ((_, lang), value) in enumerate(zip(t.words, words)):
        values[f"t{n}"] = _literal(_escape(value), lang)
    values["sha"] = hashlib.sha256(words[t.text_slot].encode("utf-8")).hexdigest()
    for n, date in enumerate(t.dates):
        values[f"d{n}"] = date if date in OPEN_BOUNDS else (dt.date.fromisoformat(date) + shift).isoformat()
    for n, cls in enumerate(t.event_types):
        values[f"y{n}"] = rng.choice(t.event_classes) if rng.random() < RETYPED else cls
    return t.text.format_map(values)


def articles_for(quads: int, template: Template, ontology: int) -> int:
    return max(1, round((quads - ontology) / template.quads))


def parse_sizes(text: str) -> list[str]:
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    return sizes


def corpus(size: str, cache: Path = CACHE, log=print) -> tuple[Path, dict]:
    """The N-Quads file for `size` (generated unless cached) and its description."""
    cache.mkdir(parents=True, exist_ok=True)
    path, meta_path = cache / f"corpus-{size}.nq", cache / f"corpus-{size}.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == GENERATOR_VERSION and meta.get("target") == SIZES[size]:
            return path, meta
    started = time.perf_counter()
    template = build_template()
    ontology = to_nquads(ontology_quads()).decode("utf-8")
    ontology_count = ontology.count("\n")
    articles = articles_for(SIZES[size], template, ontology_count)
    tmp = path.with_suffix(".nq.part")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(ontology)
        for i in range(articles):
            out.write(article_nquads(template, i))
    tmp.replace(path)
    meta = {"version": GENERATOR_VERSION, "target": SIZES[size], "articles": articles,
            "quads": ontology_count + articles * template.quads, "quads_per_article": template.quads,
            "ontology_quads": ontology_count, "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 1)}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    log(f"generated {path.name}: {meta['quads']:,} quads, {articles} articles, "
        f"{meta['bytes'] / 1e6:.0f} MB in {meta['seconds']} s")
    return path, meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="40k,400k,4M", help="comma-separated, from: %(default)s")
    parser.add_argument("--cache", type=Path, default=CACHE, help="output folder (default: bench/cache)")
    args = parser.parse_args(argv)
    for size in parse_sizes(args.sizes):
        path, meta = corpus(size, args.cache)
        print(f"{path}: {meta['quads']:,} quads in {meta['articles']} articles")


if __name__ == "__main__":
    sys.exit(main())
