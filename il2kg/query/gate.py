"""The SPARQL gate: what may run, decided before any engine sees the text.

:func:`check_query` lexes the query (strings, IRIs, comments and ``\\u`` escapes handled as
SPARQL does), and refuses, with the line and column of the offending token:

- SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``, ``WITH``, ``USING``), always;
- ``SERVICE`` (a federated call: rdflib, pyoxigraph and the Oxigraph server all perform it as an
  outbound HTTP request), unless ``allow_service=True``;
- ``FROM`` / ``FROM NAMED`` (rdflib loads those IRIs from the web or ``file:`` URLs), unless
  ``allow_dataset=True``;
- prefixes that are neither declared nor in the pinned prefix map.

The check is conservative: a prefixed name whose prefix is one of those keywords
(``SERVICE:x``) counts as the keyword, because pyoxigraph parses ``SERVICE:x {}`` as a
``SERVICE`` call. It needs nothing heavy (no rdflib), so it costs well under a millisecond and
can sit in front of every engine: the local ones (:mod:`il2kg.query.engines`), the Oxigraph server and
remote endpoints. Grammar errors are the engine's to find; :func:`syntax_error` turns an
engine's ``line:column`` into the same caret message.

>>> q = check_query("SELECT ?x WHERE { ?x a il2kg:Kinase }")
>>> q.form, q.variables, sorted(q.undeclared_prefixes)
('SELECT', ('x',), ['il2kg'])
>>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
il2kg.errors.QueryError: line 1, column 12: SERVICE (a federated query) is disabled; ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from il2kg.errors import QueryError
from il2kg.namespaces import PREFIXES, VOCABULARIES

#: Prefixes predeclared in every query (the pinned prefix map and the W3C vocabularies).
PREDECLARED: Final[dict[str, str]] = {**VOCABULARIES, **PREFIXES}

FORMS: Final = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
_GUARDED: Final = UPDATE_KEYWORDS | {"SERVICE", "FROM"}

_TOKEN_RE: Final = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:
               (?:[\w\-:%\u00b7\u00c0-\uffff]|\\.|\.(?=[\w\-:%\u00c0-\uffff\\]))*)
  | (?P<bnode>_:[\w\-.]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNICODE_ESCAPE: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (``word``, ``pname``, ``iri``, ...), text and position."""

    kind: str
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the gate, with what the gate learnt about it.

    ``text`` is the query as given; ``form`` one of :data:`FORMS`; ``variables`` the projected
    variables of a ``SELECT`` in order (empty for ``SELECT *`` and other forms);
    ``undeclared_prefixes`` the predeclared prefixes it uses without a ``PREFIX`` line.
    """

    text: str
    form: str
    variables: tuple[str, ...] = ()
    select_star: bool = False
    declared_prefixes: frozenset[str] = frozenset()
    undeclared_prefixes: frozenset[str] = frozenset()
    keywords: frozenset[str] = field(default=frozenset(), repr=False)

    def prefixes(self) -> dict[str, str]:
        """The predeclared prefixes this query needs (name -> IRI)."""
        return {p: PREDECLARED[p] for p in sorted(self.undeclared_prefixes)}

    def prologue(self) -> str:
        """``PREFIX`` declarations of the prefixes this query needs, on one line.

        Prepending it keeps the query's line numbers (only columns of line 1 shift).
        """
        return "".join(f"PREFIX {p}: <{iri}> " for p, iri in self.prefixes().items())

    def with_prologue(self) -> str:
        """The query text with its needed prefixes declared (for a remote endpoint)."""
        return self.prologue() + self.text


def unescape(text: str) -> str:
    r"""Apply SPARQL's ``\uXXXX`` / ``\UXXXXXXXX`` escapes, which precede parsing (§19.2)."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _UNICODE_ESCAPE.sub(repl, text)


def tokenize(text: str) -> list[Token]:
    """Split a (escape-processed) query into tokens, comments and whitespace dropped."""
    tokens: list[Token] = []
    line, line_start = 1, 0
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        value = m.group()
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, value, line, m.start() - line_start + 1))
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = m.start() + value.rindex("\n") + 1
    return tokens


def caret(text: str, line: int, column: int) -> str:
    """The offending line of ``text`` and a caret under ``column`` (both 1-based)."""
    lines = text.splitlines() or [""]
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    col = max(1, min(column, len(src) + 1))
    return f"  {src}\n  {' ' * (col - 1)}^"


def located_error(text: str, line: int, column: int, message: str) -> QueryError:
    """A :class:`QueryError` reading ``line L, column C: message`` followed by a caret."""
    err = QueryError(f"line {line}, column {column}: {message}\n{caret(text, line, column)}")
    err.line = line  # type: ignore[attr-defined]
    err.column = column  # type: ignore[attr-defined]
    return err


_ENGINE_POS: Final = re.compile(r"(?:error )?at (\d+):(\d+)[:,]?\s*(.*)", re.DOTALL)


def syntax_error(text: str, engine_message: str, column_offset: int = 0) -> QueryError:
    """Turn an engine's syntax error (``error at 3:18: expected ...``) into a caret message.

    ``column_offset`` is subtracted from columns on line 1 (for a prepended :meth:`prologue`).
    """
    m = _ENGINE_POS.search(engine_message)
    if m is None:
        return QueryError(f"SPARQL syntax error: {engine_message.strip()}")
    line, col = int(m.group(1)), int(m.group(2))
    if line == 1:
        col = max(1, col - column_offset)
    detail = " ".join(m.group(3).split())
    if len(detail) > 200:
        detail = detail[:200] + " ..."
    return located_error(text, line, col, f"SPARQL syntax error: {detail}")


def _refuse_guarded(
    text: str, tokens: list[Token], allow_service: bool, allow_dataset: bool
) -> None:
    for tok in tokens:
        if tok.kind not in ("word", "pname"):
            continue
        word = tok.text.split(":", 1)[0].upper()
        if (
            word in UPDATE_KEYWORDS
            or (word == "SERVICE" and not allow_service)
            or (word == "FROM" and not allow_dataset)
        ):
            raise located_error(text, tok.line, tok.column, f"{word} is refused by the query gate")


def check_query(
    text: str,
    *,
    allow_service: bool = False,
    allow_dataset: bool = False,
    predeclared: dict[str, str] | None = None,
) -> CheckedQuery:
    """Check a SPARQL query against the gate; return what it learnt, or raise.

    Raises :class:`~il2kg.errors.QueryError` (with line, column and a caret) for SPARQL Update,
    ``SERVICE`` (unless ``allow_service``), ``FROM``/``FROM NAMED`` (unless ``allow_dataset``),
    an unknown prefix, or a text that is not a query at all.
    """
    known = PREDECLARED if predeclared is None else predeclared
    source = unescape(text)
    tokens = tokenize(source)
    if source != text:
        # Engines differ on where \u escapes apply (the spec: everywhere, before parsing;
        # pyoxigraph: inside strings and IRIs only), so a keyword hidden from one reading must
        # not pass: guard the raw text's tokens too.
        _refuse_guarded(text, tokenize(text), allow_service, allow_dataset)
    if not tokens:
        raise QueryError("the query is empty")
    declared: set[str] = set()
    used: dict[str, Token] = {}
    keywords: set[str] = set()
    form = ""
    form_index = -1
    for i, tok in enumerate(tokens):
        if tok.kind == "word":
            word = tok.text.upper()
        elif tok.kind == "pname":
            prefix = tok.text.split(":", 1)[0]
            word = prefix.upper()
            if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
                declared.add(prefix)
                continue
            used.setdefault(prefix, tok)
            if word not in _GUARDED:
                continue
        else:
            continue
        keywords.add(word)
        if word in UPDATE_KEYWORDS:
            raise located_error(
                text,
                tok.line,
                tok.column,
                f"SPARQL Update ({word}) is refused: queries may only read the graph",
            )
        if word == "SERVICE" and not allow_service:
            raise located_error(
                text,
                tok.line,
                tok.column,
                "SERVICE (a federated query) is disabled; il2kg queries never reach the network",
            )
        if word == "FROM" and not allow_dataset:
            raise located_error(
                text,
                tok.line,
                tok.column,
                "FROM / FROM NAMED is disabled; queries run on the il2kg graph only",
            )
        if not form and word in FORMS:
            form, form_index = word, i
    if not form:
        first = tokens[0]
        raise located_error(
            text,
            first.line,
            first.column,
            "not a SPARQL query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)",
        )
    for prefix, tok in used.items():
        if prefix not in declared and prefix not in known:
            raise located_error(
                text,
                tok.line,
                tok.column,
                f"unknown prefix '{prefix}:' (declare it with PREFIX, or see `il2kg prefixes`)",
            )
    variables: list[str] = []
    star = False
    if form == "SELECT":
        depth = 0
        for tok in tokens[form_index + 1 :]:
            if tok.kind == "word" and tok.text.upper() in ("WHERE", "FROM"):
                break
            if tok.text == "{" and depth == 0:
                break
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                depth -= 1
            elif tok.text == "*" and depth == 0:
                star = True
            elif tok.kind == "var":
                # ``(expr AS ?v)`` projects ?v: the variable just before the closing paren
                name = tok.text[1:]
                if (depth == 0 or _is_alias(tokens, tok)) and name not in variables:
                    variables.append(name)
    return CheckedQuery(
        text=text,
        form=form,
        variables=tuple(variables),
        select_star=star,
        declared_prefixes=frozenset(declared),
        undeclared_prefixes=frozenset(p for p in used if p not in declared),
        keywords=frozenset(keywords),
    )


def _is_alias(tokens: list[Token], tok: Token) -> bool:
    i = tokens.index(tok)
    return i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "AS"
