"""Reading YAML as plain text values, remembering the line each value came from.

PyYAML's own typing would turn `no` into False and `2024-11-10` into a date behind our back, and
it silently keeps the last of two equal keys; composing the node tree ourselves avoids both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from diplograph.errors import AnnotationError, Problem

Path = tuple  # a key path such as ("events", "mar-a-lago-meeting", "time", "begin")


@dataclass
class Located:
    """A YAML document as nested dicts, lists and strings, with the line of every key path."""

    file: str
    data: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def read_yaml(text: str, file: str) -> Located:
    """Parse `text` into plain values; raise AnnotationError on YAML syntax or duplicate keys."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        detail = f"{err.problem or err.context}"
        raise AnnotationError([Problem(file, line, "", f"YAML syntax error: {detail}; fix the syntax")]) from None
    located = Located(file, None)
    problems: list[Problem] = []
    located.data = _plain(root, (), located, problems) if root is not None else {}
    if problems:
        raise AnnotationError(problems)
    return located


def _plain(node: yaml.Node, path: Path, located: Located, problems: list[Problem]) -> object:
    located.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (i,), located, problems) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(located.file, key_node.start_mark.line + 1, _dotted(path),
                                        "a key must be plain text"))
                continue
            key = key_node.value
            if key in out:
                problems.append(Problem(located.file, key_node.start_mark.line + 1, _dotted(path + (key,)),
                                        "key given twice; keep one"))
                continue
            out[key] = _plain(value_node, path + (key,), located, problems)
            located.lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    raise AssertionError(f"unexpected YAML node {node!r}")


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)
