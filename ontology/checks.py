"""Checks of the model: HermiT over the OWL ontology (alone or with data) and SHACL over data.

    report = reason_with_hermit()            # is the ontology itself consistent?
    report = reason_with_hermit(graph)       # ... and the loader's output with it?
    report = validate_shapes(graph)          # does the output carry what docs/data-model.md says?
    print(report.text())

Pass the union of the articles' graphs: the checks see one graph, and a Dataset is flattened.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import owlready2
import pyshacl
import rdflib
from rdflib.namespace import SH

from diplograph.errors import DiplographError

from .vocab import ONTOLOGY_IRI, OWL, PREFIXES


class JavaNotFoundError(DiplographError):
    """HermiT runs on Java, and there is no `java` on PATH."""


class ReasonerError(DiplographError):
    """HermiT stopped with an error other than finding an inconsistency."""


@dataclass(frozen=True)
class HermitReport:
    """What HermiT concluded: whether the input is consistent and which classes can have no members."""

    consistent: bool
    unsatisfiable: tuple[str, ...]  # IRIs of the classes that can have no members
    message: str

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def text(self) -> str:
        """A readable summary, one class per line where there are any."""
        lines = [self.message]
        lines += [f"  - {iri}" for iri in self.unsatisfiable]
        return "\n".join(lines)


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the resource at fault, the property concerned (if any) and what is wrong."""

    focus: str
    path: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{where}: {self.message}{value}"


@dataclass(frozen=True)
class ShaclReport:
    """Whether the data conforms to shapes.ttl, and every violation found (sorted)."""

    conforms: bool
    violations: tuple[Violation, ...]

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(v.message for v in self.violations)

    def text(self) -> str:
        """A readable summary: one line per violation."""
        if self.conforms:
            return "SHACL: the data conforms to the shapes."
        head = f"SHACL: {len(self.violations)} violation(s) of the shapes:"
        return "\n".join([head, *(f"  - {v}" for v in self.violations)])


def ontology_graph() -> rdflib.Graph:
    """The ontology (diplograph.ttl), freshly parsed: the caller may change it."""
    return _parse("diplograph.ttl")


def shapes_graph() -> rdflib.Graph:
    """The SHACL shapes (shapes.ttl), freshly parsed."""
    return _parse("shapes.ttl")


def reason_with_hermit(data: rdflib.Graph | None = None) -> HermitReport:
    """Run HermiT (through owlready2) over the ontology, or over the ontology plus `data`.

    Raises JavaNotFoundError when no Java runtime is installed and ReasonerError when HermiT fails
    for another reason; an inconsistency is a result, reported with consistent=False.
    """
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise JavaNotFoundError(
            "HermiT needs a Java runtime and there is no `java` on PATH: install one "
            "(for example `apt-get install default-jre-headless`) and run the check again."
        )
    graph = ontology_graph()
    if data is not None:
        graph += _flatten(data)
    # A fresh World per call: owlready2 writes HermiT's conclusions back into the world it reasons
    # over, so a shared one would carry one call's inferences (and data) into the next.
    world = owlready2.World()
    try:
        with tempfile.TemporaryDirectory(prefix="diplograph-hermit-") as tmp:
            path = Path(tmp) / "input.nt"
            graph.serialize(path, format="nt", encoding="utf-8")
            with path.open("rb") as f:
                world.get_ontology(ONTOLOGY_IRI).load(fileobj=f, format="ntriples")
        try:
            # xsd:date and xsd:duration, which the loader writes, are not in the OWL 2 datatype map,
            # and HermiT refuses such literals unless told to ignore them. No axiom of the ontology
            # mentions either datatype, so ignoring them loses nothing; shapes.ttl checks their
            # values. The ontology alone is reasoned over strictly, so that it stays within OWL 2.
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=data is not None
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            what = "the ontology with the data" if data is not None else "the ontology"
            return HermitReport(
                consistent=False,
                unsatisfiable=(),
                message=(
                    f"HermiT: {what} is inconsistent. Look for a resource with two disjoint types "
                    "(such as both a claim and an event), a value of the wrong kind (such as a "
                    "measure used as a modality), two values of a single-valued property (such as "
                    "two modalities) or a figure whose dg:value is not a number."
                ),
            )
        except owlready2.OwlReadyJavaError as err:
            raise ReasonerError(f"HermiT failed: {err}") from None
        unsatisfiable = tuple(
            sorted(c.iri for c in world.inconsistent_classes() if c.iri != OWL + "Nothing")
        )
    finally:
        world.close()
    if unsatisfiable:
        message = f"HermiT: consistent, but {len(unsatisfiable)} class(es) can have no members:"
    else:
        message = "HermiT: consistent, and every class can have members."
    return HermitReport(consistent=True, unsatisfiable=unsatisfiable, message=message)


def validate_shapes(data: rdflib.Graph) -> ShaclReport:
    """Validate `data` against shapes.ttl with pySHACL.

    The ontology is the ontology graph, so targets and sh:class see its subclasses (a dg:Meeting is
    checked as an event). No inference: the data model asserts every type directly, and inferring
    them would hide a missing one.
    """
    conforms, results, _ = pyshacl.validate(
        _flatten(data),
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        abort_on_first=False,
    )
    names = rdflib.Graph()
    for prefix, iri in PREFIXES.items():
        names.bind(prefix, iri)

    def show(node: rdflib.term.Node | None) -> str | None:
        return None if node is None else node.n3(names.namespace_manager)

    violations = sorted(
        {
            Violation(
                focus=str(results.value(r, SH.focusNode)),
                path=show(results.value(r, SH.resultPath)),
                message=str(results.value(r, SH.resultMessage)),
                value=show(results.value(r, SH.value)),
            )
            for r in results.subjects(rdflib.RDF.type, SH.ValidationResult)
        },
        key=lambda v: (v.focus, v.path or "", v.message, v.value or ""),
    )
    return ShaclReport(conforms=bool(conforms), violations=tuple(violations))


def _parse(name: str) -> rdflib.Graph:
    text = files(__package__).joinpath(name).read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def _flatten(data: rdflib.Graph) -> rdflib.Graph:
    """The triples of every graph in `data` as one graph (a plain Graph is copied as it is)."""
    flat = rdflib.Graph()
    if hasattr(data, "quads"):  # a Dataset (or ConjunctiveGraph): iterating it would give one graph
        for s, p, o, *_ in data.quads((None, None, None, None)):
            flat.add((s, p, o))
    else:
        flat += data
    return flat
