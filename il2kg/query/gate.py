r"""The SPARQL gate: what may run, decided before any engine sees the text.

:func:`check_query` lexes the query once, as the engines do, and refuses, with the line and
column of the offending token:

- SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``, ``WITH``, ``USING``), always;
- ``SERVICE`` (a federated call: rdflib, pyoxigraph and the Oxigraph server all perform it as an
  outbound HTTP request), unless ``allow_service=True``;
- ``FROM`` / ``FROM NAMED`` (rdflib loads those IRIs from the web or ``file:`` URLs), unless
  ``allow_dataset=True``;
- prefixes that are neither declared nor in the pinned prefix map;
- any text that the engines could read differently, so that what the gate sees is what every
  engine runs.

The engines disagree on ``\u`` / ``\U`` escapes (SPARQL §19.2). pyoxigraph applies them inside
string literals and IRIs only (``\u`` with 4 hex digits, ``\U`` with 8); rdflib applies them to
the whole text before parsing, ``\u`` or ``\U`` with 8 hex digits when there are 8, else 4.
So the gate refuses an escape outside a string or an IRI (in a keyword, a name, a comment),
and an escape inside one that, in any of those readings, gives a character that could end or
restructure the token (a quote, a backslash, ``<``, ``>``, ``#``, a brace, a control character
or a space) or no character at all. Where it lets an escape through, every reading sees the
same tokens. Comments end at LF or CR for pyoxigraph and at LF only for rdflib, so a comment
ended by a bare CR is refused too.

The check is conservative: a prefixed name whose prefix is one of those keywords
(``SERVICE:x``) counts as the keyword, because pyoxigraph parses ``SERVICE:x {}`` as a
``SERVICE`` call. It needs nothing heavy (no rdflib), runs in time linear in the text (one
regular-expression pass whose alternatives never rescan) and reads at most
:data:`MAX_QUERY_CHARS`, so it can sit in front of every engine: the local ones
(:mod:`il2kg.query.engines`), the Oxigraph server and remote endpoints. Grammar errors are the
engine's to find; :func:`syntax_error` turns an engine's ``line:column`` into the same caret
message.

>>> q = check_query("SELECT ?x WHERE { ?x a il2kg:Kinase }")
>>> q.form, q.variables, sorted(q.undeclared_prefixes)
('SELECT', ('x',), ['il2kg'])
>>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
il2kg.errors.QueryError: line 1, column 12: SERVICE (a federated query) is disabled; ...

Why this module is longer than ~400 lines: one lexer and the checks that protect its tokens; the
escape rules and the tokens they may change have to be read together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
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
_NOTED: Final = _GUARDED | set(FORMS) | {"WHERE", "PREFIX", "BASE", "AS"}

#: The longest query text the gate reads (the endpoint caps request bodies lower still).
MAX_QUERY_CHARS: Final = 1_000_000

# SPARQL 1.1 §19.8, exactly (not Python's \w).
_PN_CHARS_BASE: Final = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS: Final = _PN_CHARS_BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME: Final = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_LOCAL_ESC: Final = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LONG1: Final = r"'''(?>(?:'|'')?(?:[^'\\]|\\.))*+'''"
_LONG2: Final = r'"""(?>(?:"|"")?(?:[^"\\]|\\.))*+"""'
_SHORT1: Final = r"'(?:[^'\\\n\r]|\\.)*+'"
_SHORT2: Final = r'"(?:[^"\\\n\r]|\\.)*+"'

# The ASCII members of those classes, in the same order.
_ASCII_CLASSES: Final = ("A-Za-z", "A-Za-z_\\-0-9", "A-Za-z_0-9")


def _token_pattern(base: str, chars: str, varname: str) -> re.Pattern[str]:
    """The lexer over these name classes (SPARQL's ``PN_CHARS_BASE``, ``PN_CHARS``, ``VARNAME``).

    Every alternative succeeds or fails within one scan that no later token repeats (possessive
    quantifiers; a quote that opens no string stops the strict lexer): lexing is linear.
    ``name`` takes a whole run of name characters and dots (``a.a.a``, ``ex:a.b``, ``SERVICE``);
    :func:`_lex` splits it as the engines do.
    """
    return re.compile(
        "(?P<ws>[ \\t\\r\\n]++)"
        "|(?P<comment>#[^\\r\\n]*+)"
        f"|(?P<string>{_LONG1}|{_LONG2}|{_SHORT1}|{_SHORT2})"
        "|(?P<badstring>['\"])"
        '|(?P<iri><(?:[^<>"{}|^`\\\\\\x00-\\x20]|\\\\[uU])*+>)'
        f"|(?P<var>[?$][{varname}]++)"
        f"|(?P<bnode>_:[{chars}.]*+)"
        f"|(?P<name>(?:[{base}_][{chars}.]*+)?:(?:[{chars}.:%]|{_PN_LOCAL_ESC})*+"
        f"|[{base}_][{chars}.]*+)"
        "|(?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)"
        "|(?P<number>[0-9]++(?:\\.[0-9]*+)?(?:[eE][+-]?[0-9]++)?|\\.[0-9]++(?:[eE][+-]?[0-9]++)?)"
        "|(?P<punct>\\^\\^|&&|\\|\\||!=|<=|>=|.)",
        re.DOTALL,
    )


#: The lexer on ASCII name classes: compiled in well under a millisecond, where the full one
#: takes ~15 ms (re turns each large Unicode class into a bitmap). See :func:`_token_matches`.
_ASCII_TOKEN_RE: Final = _token_pattern(*_ASCII_CLASSES)
#: Kinds whose tokens may hold any character, whatever the name classes.
_FREE_TEXT: Final = frozenset({"comment", "string", "iri"})


@cache
def _full_token_re() -> re.Pattern[str]:
    return _token_pattern(_PN_CHARS_BASE, _PN_CHARS, _VARNAME)


def _token_matches(text: str) -> Iterable[re.Match[str]]:
    """The matches of the lexer over ``text``: those of the ASCII lexer when they are provably
    the full lexer's, else the full lexer's.

    They are when every character outside ASCII sits in a comment, a string or an IRI of the
    ASCII lexing (so always for an ASCII text). Only ``var``, ``bnode`` and ``name`` test the
    name classes, and on ASCII characters both lexers test alike; a name-class test that
    differs would meet a non-ASCII character either inside such a token (which starts with an
    ASCII ``?``/``$``/``_``/name character, so the ASCII lexing would have cut a token there that
    holds that character and is no comment, string or IRI) or right after one (the next token of
    the ASCII lexing would start with it, and comments, strings and IRIs start with ``#``, a
    quote or ``<``). tests/test_security_sparql.py checks this on random texts.
    """
    if text.isascii():
        return _ASCII_TOKEN_RE.finditer(text)
    found = list(_ASCII_TOKEN_RE.finditer(text))
    if all(m.lastgroup in _FREE_TEXT or m.group().isascii() for m in found):
        return found
    return _full_token_re().finditer(text)


_UNICODE_ESCAPE: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ANY_ESCAPE: Final = re.compile(r"\\[uU]")
_RDFLIB_ESCAPE: Final = re.compile(r"\\u([0-9a-f]{8}|[0-9a-f]{4})", re.IGNORECASE)
_HEX: Final = frozenset("0123456789abcdefABCDEF")
#: What an escape in a string or an IRI must never give: a reader that applies escapes first
#: (rdflib, §19.2) would end or restructure the token there, one that applies them inside the
#: token (pyoxigraph) would not.
_UNSAFE: Final = frozenset("\"'\\<>#{}|^`\x7f") | frozenset(chr(c) for c in range(0x21))


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
    """Split a query into tokens, comments and whitespace dropped (no check is made)."""
    return _lex(text, strict=False)


def caret(text: str, line: int, column: int) -> str:
    """The offending line of ``text`` and a caret under ``column`` (both 1-based)."""
    lines = text.split("\n")
    src = lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""
    if len(src) > 200:  # a window around the column, so a huge line is not repeated whole
        start = max(0, column - 100)
        src, column = src[start : start + 200], column - start
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


# -- the lexer ------------------------------------------------------------------------------------


def _error_at(text: str, offset: int, message: str) -> QueryError:
    """A located error at ``offset`` of ``text`` (positions counted once, on the error path)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return located_error(text, line, column, message)


def _describe(ch: str) -> str:
    names = {"\n": "a line feed", "\r": "a carriage return", " ": "a space", "\t": "a tab"}
    if ch in names:
        return names[ch]
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"the control character U+{ord(ch):04X}"
    return repr(ch)


def _check_escapes(text: str, start: int, value: str, where: str) -> None:
    r"""Refuse a ``\u``/``\U`` escape in a string or IRI that some reading turns structural."""
    for m in _ANY_ESCAPE.finditer(value):
        at = start + m.start()
        tail = value[m.end() : m.end() + 8]
        digits = 0
        while digits < len(tail) and tail[digits] in _HEX:
            digits += 1
        esc = value[m.start() : m.end() + min(digits, 8)]
        if digits < 4:
            raise _error_at(
                text, at, f"malformed escape '{esc}' in {where} (\\u needs 4 hex digits)"
            )
        # pyoxigraph: \u + 4 or \U + 8; rdflib: either letter, 8 digits when there are 8, else 4
        if digits < 8:
            readings: tuple[int, ...] = (4,)
        else:
            readings = (8,) if value[m.end() - 1] == "U" else (4, 8)
        for n in readings:
            code = int(tail[:n], 16)
            shown = value[m.start() : m.end() + n]
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise _error_at(
                    text, at, f"the escape '{shown}' in {where} is not a character (U+{code:04X})"
                )
            ch = chr(code)
            if ch in _UNSAFE:
                raise _error_at(
                    text,
                    at,
                    f"the escape '{shown}' in {where} gives {_describe(ch)}, which the SPARQL "
                    "engines read differently (one ends the token there, the other does not); "
                    'write the character itself, or a string escape such as \\" or \\n',
                )


def _spelled(text: str, offset: int) -> str:
    """What the name starting at ``offset`` spells with escapes applied as rdflib applies them."""
    m = re.match(r"(?:\\[uU][0-9A-Fa-f]{4,8}|[A-Za-z0-9_])+", text[offset : offset + 120])
    if m is None:
        return ""

    def expand(e: re.Match[str]) -> str:
        code = int(e.group(1), 16)
        return chr(code) if code <= 0x10FFFF else ""

    spelled = _RDFLIB_ESCAPE.sub(expand, m.group())
    word = re.match(r"[A-Za-z0-9_]*", spelled)
    return word.group() if word else ""


def _lex(text: str, strict: bool) -> list[Token]:
    """Tokens of ``text``; ``strict`` also refuses what the engines could read differently."""
    tokens: list[Token] = []
    append = tokens.append
    line, line_start = 1, 0
    for m in _token_matches(text):
        kind = m.lastgroup or "punct"
        start, value = m.start(), m.group()
        newlines = 0
        if strict and "\\" in value and kind != "string" and kind != "iri":
            esc = _ANY_ESCAPE.search(text, start, m.end() + 1)
            if esc is not None:
                spelled = _spelled(text, esc.start())
                reads = f" (here it spells {spelled!r})" if spelled else ""
                raise _error_at(
                    text,
                    esc.start(),
                    f"a \\u escape outside a string or an IRI is refused{reads}: pyoxigraph "
                    "reads it as text, rdflib as the character it stands for",
                )
        column = start - line_start + 1
        if kind == "ws" or kind == "string":  # the only tokens that hold line feeds
            newlines = value.count("\n")
            if newlines:
                line += newlines
                line_start = start + value.rindex("\n") + 1
            if kind == "ws":
                continue
        if kind == "comment":
            end = m.end()
            if strict and text.startswith("\r", end) and not text.startswith("\r\n", end):
                raise _error_at(
                    text,
                    end,
                    "a comment ended by a bare carriage return is refused: pyoxigraph ends it "
                    "there, rdflib at the next line feed (end the line with LF or CR LF)",
                )
            continue
        if kind == "string":
            if strict:
                _check_escapes(text, start, value, "a string")
            append(Token(kind, value, line - newlines, column))  # where the string starts
        elif kind == "name":
            _split_name(value, line, column, tokens)
        elif kind == "iri":
            if strict:
                _check_escapes(text, start, value, "an IRI")
            append(Token(kind, value, line, column))
        elif kind == "badstring":
            if strict:
                raise _error_at(text, start, "unterminated string literal")
            append(Token("punct", value, line, column))
        else:
            append(Token(kind, value, line, column))
    return tokens


def _split_name(value: str, line: int, column: int, tokens: list[Token]) -> None:
    """A run like ``a.a.`` or ``ex:b.c.`` as the engines read it: words, pnames and dots."""
    if "." not in value:
        tokens.append(Token("pname" if ":" in value else "word", value, line, column))
        return
    if ":" in value:
        body = value.rstrip(".")
        tokens.append(Token("pname", body, line, column))
        for i in range(len(body), len(value)):  # the trailing dots
            tokens.append(Token("punct", ".", line, column + i))
        return
    offset = 0
    for part in value.split("."):
        if offset:
            tokens.append(Token("punct", ".", line, column + offset - 1))
        if part:
            tokens.append(Token("word", part, line, column + offset))
        offset += len(part) + 1


# -- the gate -------------------------------------------------------------------------------------


_OPERAND_KINDS: Final = frozenset({"var", "number", "string", "iri", "pname", "lang", "bnode"})


def _ends_operand(tok: Token) -> bool:
    return (
        tok.kind in _OPERAND_KINDS
        or tok.text in (")", "]")
        or (tok.kind == "word" and tok.text.lower() in ("true", "false"))
    )


def _refuse_ambiguous_less_than(text: str, tokens: list[Token]) -> None:
    """Refuse ``<...>`` holding ``#`` or ``'`` where an engine may read ``<`` as less-than.

    In an expression (always inside parentheses) after an operand, ``?a<?b#> '''`` is
    less-than, ``?b`` and a comment to pyoxigraph, but an IRI and a string to a lexer: what
    follows could hide from one reading and run in the other. ``VALUES`` rows hold no
    expression, and a ``{ }`` group (``EXISTS``) inside parentheses holds triple patterns.
    """
    stack: list[str] = []  # "(" expression, "d" data (VALUES rows), "{" group, "v" VALUES block
    values_next = False
    prev: Token | None = None
    for tok in tokens:
        t = tok.text
        if tok.kind == "word" and t.upper() == "VALUES":
            values_next = True
        elif t == "{":
            stack.append("v" if values_next else "{")
            values_next = False
        elif t == "(":
            stack.append("d" if values_next or (stack and stack[-1] in "vd") else "(")
        elif t in (")", "}"):
            if stack:
                stack.pop()
        elif (
            tok.kind == "iri"
            and ("#" in t or "'" in t)
            and stack
            and stack[-1] == "("
            and prev is not None
            and _ends_operand(prev)
        ):
            raise located_error(
                text,
                tok.line,
                tok.column,
                f"'{t[:40]}' after an operand inside parentheses may be an IRI or '<' "
                "(less-than), and the SPARQL engines do not read it alike: put a space after "
                "'<' for less-than, or write this IRI with a prefix",
            )
        prev = tok


def _guarded_words(prefix: str) -> list[str]:
    """The keywords a prefix may stand for (``SERVICE:x`` is ``SERVICE``, so is ``a.SERVICE:``)."""
    return [part.upper() for part in prefix.split(".") if part.upper() in _GUARDED]


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
    an unknown prefix, text the engines could read differently (see the module), a text over
    :data:`MAX_QUERY_CHARS`, or a text that is not a query at all.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    known = PREDECLARED if predeclared is None else predeclared
    tokens = _lex(text, strict=True)
    if not tokens:
        raise QueryError("the query is empty")
    declared: set[str] = set()
    used: dict[str, Token] = {}
    keywords: set[str] = set()
    form = ""
    form_index = -1
    _refuse_ambiguous_less_than(text, tokens)
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind == "word":
            word = tok.text.upper()
            if word in _GUARDED:
                _refuse(text, tok, word, allow_service, allow_dataset)
            if word in _NOTED:
                keywords.add(word)
                if not form and word in FORMS:
                    form, form_index = word, i
        elif kind == "pname":
            prefix = tok.text.split(":", 1)[0]
            if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
                declared.add(prefix)
                continue
            used.setdefault(prefix, tok)
            for word in _guarded_words(prefix):
                keywords.add(word)
                _refuse(text, tok, word, allow_service, allow_dataset)
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
        for i in range(form_index + 1, len(tokens)):
            tok = tokens[i]
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
                # ``(expr AS ?v)`` projects ?v: the variable just after AS
                name = tok.text[1:]
                after_as = tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "AS"
                if (depth == 0 or after_as) and name not in variables:
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


def _refuse(text: str, tok: Token, word: str, allow_service: bool, allow_dataset: bool) -> None:
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
