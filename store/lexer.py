"""A SPARQL 1.1 lexer: enough of the grammar's terminals to tell keywords from the same letters
inside strings, IRIs, prefixed names, variables and comments.

It is used to decide things before a query reaches the store: whether a query declares its own
dataset (FROM), whether it asks for something refused (SERVICE, LOAD), and where an update's
WHERE clauses are (to add USING clauses). The terminals follow the grammar's productions (IRIREF,
the four string forms, PNAME_LN with PN_LOCAL_ESC, LANGTAG, VAR1/VAR2, BLANK_NODE_LABEL), because a
lexer that is more generous than the parser about where a comment or string starts would let a
keyword hide from it. Characters it does not know become one-character tokens, so an invalid query
never hides anything either: the store rejects it later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from diplograph.errors import QueryError

_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*")'
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)"
    rf"|(?P<var>[?$][{_CHARS_U}0-9][{_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)"
    rf"|(?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)"
    rf"|(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, string, iri, var, bnode, langtag, pname, word or other
    text: str
    start: int
    depth: int  # how many braces are open where the token starts


def tokens(text: str) -> list[Token]:
    """The tokens of `text`, with the brace depth at each (braces in strings and IRIs ignored)."""
    found, depth = [], 0
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "other" and value == "}":
            depth = max(depth - 1, 0)
        found.append(Token(kind, value, match.start(), depth))
        if kind == "other" and value == "{":
            depth += 1
    return found


def keywords(text: str) -> frozenset[str]:
    """Every bare word of `text`, upper-cased: keywords, function names, `a`, `true`...

    The text is also read once with its \\u escapes decoded, as the SPARQL specification says a
    parser may do before parsing, so that an escaped keyword is found whichever way the store reads it.
    """
    return _shape(text)[0]


def nesting(text: str) -> int:
    """How deep brackets ({ }, ( ), [ ]) nest in `text`, outside strings, IRIs and comments (read
    with and without its \\u escapes decoded, as `keywords` does): the store's parser recurses once
    per level and overflows its stack (killing the process) somewhere past a thousand."""
    return _shape(text)[1]


def _shape(text: str) -> tuple[frozenset[str], int]:
    """`keywords` and `nesting` of `text` in one pass over each reading. Clients send the same
    short queries again and again, and every request reads its text more than once: short texts'
    shapes are remembered."""
    if len(text) <= _REMEMBERED_LENGTH:
        return _remembered_shape(text)
    return _read_shape(text)


_REMEMBERED_LENGTH = 4096


def _read_shape(text: str) -> tuple[frozenset[str], int]:
    words: set[str] = set()
    deepest = 0
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    for variant in {text, decoded}:
        depth = 0
        for match in _TOKEN.finditer(variant):
            kind = match.lastgroup
            if kind == "word":
                words.add(match.group().upper())
            elif kind == "other":
                char = match.group()
                if char in "{([":
                    depth += 1
                    deepest = max(deepest, depth)
                elif char in "})]":
                    depth = max(depth - 1, 0)
    return frozenset(words), deepest


_remembered_shape = lru_cache(maxsize=1024)(_read_shape)


def declares_dataset(query: str) -> bool:
    """Whether a query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(query)


def where_clauses(update: str) -> list[int]:
    """The offsets of the top-level WHERE keywords that begin the WHERE clause of an update's
    DELETE/INSERT operations (not those of DELETE WHERE shortcuts, which take no USING clause)."""
    offsets, previous = [], None
    for token in tokens(update):
        if token.kind in ("space", "comment"):
            continue
        word = token.text.upper() if token.kind == "word" else None
        if token.depth == 0 and word == "WHERE" and previous != "DELETE":
            offsets.append(token.start)
        previous = word
    return offsets


def deletes_where(update: str) -> bool:
    """Whether an update uses the DELETE WHERE shortcut."""
    previous = None
    for token in tokens(update):
        if token.kind in ("space", "comment"):
            continue
        word = token.text.upper() if token.kind == "word" else None
        if token.depth == 0 and previous == "DELETE" and word == "WHERE":
            return True
        previous = word
    return False


def add_using(update: str, graphs: list[str], named_graphs: list[str]) -> str:
    """`update` with USING / USING NAMED clauses for the given graphs before each operation's WHERE:
    how the protocol's using-graph-uri and using-named-graph-uri parameters reach the store."""
    clause = "".join(f"USING <{g}> " for g in graphs) + "".join(f"USING NAMED <{g}> " for g in named_graphs)
    out, last = [], 0
    for offset in where_clauses(update):
        out += [update[last:offset], clause]
        last = offset
    return "".join(out) + update[last:]


def with_using(update: str, graphs: list[str] | None, named_graphs: list[str] | None) -> str:
    """`update` as the store should run it given the protocol's using-graph-uri and
    using-named-graph-uri (USING clauses added); QueryError where they cannot apply."""
    if not graphs and not named_graphs:
        return update
    if {"USING", "WITH"} & keywords(update):
        raise QueryError("the update names its dataset with USING or WITH and the request with "
                         "using-graph-uri or using-named-graph-uri; give it in one place only")
    if deletes_where(update):
        raise QueryError("using-graph-uri and using-named-graph-uri cannot apply to DELETE WHERE; "
                         "write it as DELETE { … } WHERE { … }")
    return add_using(update, graphs or [], named_graphs or [])


# An absolute IRI written out as it is (a scheme first, no \u escapes): the name the store will use.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\\]*\Z")
# What may stand at the top level of an update whose graphs `graphs_written` can name.
_PLAIN_OPERATIONS = {"PREFIX", "BASE", "INSERT", "DELETE", "DATA", "DROP", "CLEAR", "CREATE", "SILENT", "GRAPH"}


def graphs_written(update: str) -> frozenset | None:
    """The graphs a SPARQL update changes, when it only drops, clears, creates graphs named by
    absolute IRIs and inserts or deletes data in them (as `diplograph load --server` does; None
    in the set stands for the default graph); None for any other update, whose reach only its
    evaluation knows (DELETE/INSERT … WHERE, LOAD, DROP ALL…)."""
    found: set[str | None] = set()
    after_graph = False
    for token in tokens(update):
        if token.kind in ("space", "comment"):
            continue
        if after_graph:
            if token.kind != "iri" or not _ABSOLUTE_IRI.match(token.text[1:-1]):
                return None  # prefixed, relative or escaped (\u…): resolving it is the store's business
            found.add(token.text[1:-1])
            after_graph = False
        elif token.depth == 0:
            if token.kind == "word":
                if token.text.upper() not in _PLAIN_OPERATIONS:
                    return None
                after_graph = token.text.upper() == "GRAPH"
            elif not (token.kind in ("pname", "iri") or token.text in ("{", "}", ";")):  # PREFIX p: <…> ;
                return None
        elif token.depth == 1:
            if token.kind == "word" and token.text.upper() == "GRAPH":
                after_graph = True
            elif token.text not in ("{", "}"):
                found.add(None)  # a triple outside GRAPH: the default graph's
    return frozenset(found)
