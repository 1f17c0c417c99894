"""Query results as plain Python objects, and their serialisations.

Engines convert their answers to :class:`Term` and :class:`Results` (plain, picklable, no rdflib),
so every engine gives the same answers in the same shapes, and the serialisers here work for any
of them (the local engines, the Oxigraph server, a remote endpoint):

- :func:`to_table` (aligned text; IRIs as CURIEs, labels where known), :func:`to_csv` and
  :func:`to_tsv` (SPARQL 1.1 CSV/TSV results), :func:`to_json` and :func:`to_xml` (SPARQL 1.1
  JSON/XML results) for ``SELECT`` and ``ASK``;
- :func:`to_rdf` (Turtle, N-Triples, JSON-LD, RDF/XML) for ``CONSTRUCT`` and ``DESCRIBE``.

>>> t = Term.iri("https://identifiers.org/hgnc:6001")
>>> t.curie(), t.n3()
('HGNC:6001', '<https://identifiers.org/hgnc:6001>')
>>> Term.literal("42", "http://www.w3.org/2001/XMLSchema#integer").to_python()
42

Why this module is a little over ~400 lines: every results format (table, CSV, TSV, SPARQL JSON
and XML, RDF) is written here beside the :class:`Results` it serialises.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from il2kg import resources
from il2kg.errors import OutputError
from il2kg.namespaces import compress

XSD: Final = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING: Final = XSD + "string"
RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_DECIMAL: Final = XSD + "decimal"

#: Result formats of SELECT / ASK queries.
SELECT_FORMATS: Final = ("table", "csv", "tsv", "json", "xml")
#: Result formats of CONSTRUCT / DESCRIBE queries (the RDF export formats).
GRAPH_FORMATS: Final = ("turtle", "nt", "jsonld", "xml")


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term: ``kind`` is ``uri``, ``bnode`` or ``literal`` (SPARQL JSON's names).

    A literal's ``datatype`` is ``None`` for plain strings (``xsd:string``) and language-tagged
    strings (``lang`` set), so every engine gives equal terms for equal answers.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __reduce__(self) -> tuple[type[Term], tuple[str, str, str | None, str | None]]:
        # pickled as its constructor's arguments: a query process sends thousands of terms
        return (Term, (self.kind, self.value, self.datatype, self.lang))

    @classmethod
    def iri(cls, value: str) -> Term:
        """An IRI term."""
        return cls("uri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        """A literal term (``xsd:string`` and ``rdf:langString`` datatypes are dropped)."""
        if datatype in (XSD_STRING, RDF_LANGSTRING):
            datatype = None
        elif datatype == XSD_DECIMAL:
            value = _canonical_decimal(value)
        elif datatype == XSD + "boolean":  # Virtuoso answers "0"/"1"
            value = {"1": "true", "0": "false"}.get(value, value)
        return cls("literal", value, datatype, lang or None)

    def curie(self) -> str:
        """The CURIE of an IRI when a known prefix matches, else the value as text."""
        if self.kind == "uri":
            return compress(self.value)
        if self.kind == "bnode":
            return "_:" + self.value
        return self.value

    def n3(self) -> str:
        """The N-Triples form of the term."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return "_:" + self.value
        v = (
            self.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if self.lang:
            return f'"{v}"@{self.lang}'
        if self.datatype:
            return f'"{v}"^^<{self.datatype}>'
        return f'"{v}"'

    def to_python(self) -> Any:
        """A Python value: ``int``, ``Decimal``, ``float``, ``bool``, ``date`` or ``str``.

        IRIs become their CURIE (or the full IRI when no prefix matches).
        """
        if self.kind != "literal":
            return self.curie()
        dt = (self.datatype or "").removeprefix(XSD)
        try:
            if dt in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
                return int(self.value)
            if dt == "decimal":
                return Decimal(self.value)
            if dt in ("double", "float"):
                return float(self.value)
            if dt == "boolean":
                return self.value in ("true", "1")
            if dt == "date":
                return datetime.date.fromisoformat(self.value)
            if dt == "gYear":
                return int(self.value)
        except (ValueError, InvalidOperation):
            pass
        return self.value

    def __str__(self) -> str:
        return self.curie()


def _canonical_decimal(value: str) -> str:
    """``46.0`` -> ``46``, ``0.00000000001`` stays (engines differ in their decimal forms)."""
    try:
        text = format(Decimal(value), "f")
    except (InvalidOperation, ValueError):
        return value
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


Row = tuple[Term | None, ...]
Triple = tuple[Term, Term, Term]


@dataclass(frozen=True)
class Results:
    """The answer to a query, engine-independent.

    ``SELECT``: ``variables`` and ``rows`` (``None`` where a variable is unbound).
    ``ASK``: ``boolean``. ``CONSTRUCT``/``DESCRIBE``: ``triples``.
    ``total`` counts all answers (rows or triples), also those beyond ``limit`` that were left
    out (``truncated``); ``labels`` maps IRIs of the answer to their ``rdfs:label``.
    """

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[Triple, ...] = ()
    total: int = 0
    truncated: bool = False
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    engine: str = field(default="", compare=False)
    elapsed: float = field(default=0.0, compare=False)

    def __len__(self) -> int:
        return len(self.triples) if self.form in ("CONSTRUCT", "DESCRIBE") else len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __bool__(self) -> bool:
        if self.form == "ASK":
            return bool(self.boolean)
        return len(self) > 0

    def records(self) -> list[dict[str, Any]]:
        """``SELECT`` rows as dicts of plain Python values (see :meth:`Term.to_python`)."""
        return [
            {
                v: (t.to_python() if t is not None else None)
                for v, t in zip(self.variables, row, strict=False)
            }
            for row in self.rows
        ]

    def column(self, name: str) -> list[Any]:
        """One variable's values, as plain Python values."""
        i = self.variables.index(name)
        return [t.to_python() if (t := r[i]) is not None else None for r in self.rows]

    def to_df(self, labels: bool | Iterable[str] = False) -> Any:
        """The answer as a :class:`pandas.DataFrame` (needs ``pip install 'il2kg[pandas]'``).

        ``SELECT``: one column per variable, IRIs as CURIEs; a column whose values are all
        numbers becomes ``Int64`` (integers) or ``float64``, all dates (``xsd:date``,
        ``gYearMonth``, ``gYear``, ``dateTime``) ``datetime64`` (a month or year is its first
        day), all booleans ``boolean``; anything else stays text. ``labels=True`` puts a
        ``<var>_label`` column right after each column that holds IRIs (``labels=["kinase"]``:
        only those). ``ASK``: one column ``boolean``; ``CONSTRUCT``/``DESCRIBE``: ``subject``,
        ``predicate``, ``object``.
        """
        pd = resources.pandas()
        if self.form == "ASK":
            return pd.DataFrame({"boolean": pd.array([bool(self.boolean)], dtype="boolean")})
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            names: tuple[str, ...] = ("subject", "predicate", "object")
            rows: Sequence[Sequence[Term | None]] = self.triples
        else:
            names, rows = self.variables, self.rows
        want = set(names) if labels is True else set() if labels is False else set(labels)
        unknown = want - set(names)
        if unknown:
            raise OutputError(
                f"no column {', '.join(sorted(unknown))} to label (columns: {', '.join(names)})"
            )
        data: dict[str, Any] = {}
        for i, name in enumerate(names):
            terms = [row[i] if i < len(row) else None for row in rows]
            data[name] = _series(pd, terms)
            if name in want and any(t is not None and t.kind == "uri" for t in terms):
                data[f"{name}_label"] = _text_series(
                    pd,
                    [
                        self.labels.get(t.value) if t is not None and t.kind == "uri" else None
                        for t in terms
                    ],
                )
        return pd.DataFrame(data, columns=list(data))

    def _repr_html_(self) -> str:
        """An HTML table for notebooks (every text escaped; the first 100 rows)."""
        return results_html(self)

    def summary(self) -> str:
        """A one-line count: ``3 rows``, ``12 triples (showing 10)``, ``true``."""
        if self.form == "ASK":
            return "true" if self.boolean else "false"
        noun = "triple" if self.form in ("CONSTRUCT", "DESCRIBE") else "row"
        n = self.total
        text = f"{n} {noun}{'' if n == 1 else 's'}"
        if self.truncated:
            text += f" (showing the first {len(self)}; raise --limit to see more)"
        return text


_INTEGER_TYPES: Final = frozenset(
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)
_FLOAT_TYPES: Final = frozenset(XSD + t for t in ("decimal", "double", "float"))
_DATE_TYPES: Final = frozenset(XSD + t for t in ("date", "gYearMonth", "gYear", "dateTime"))


def _date_text(t: Term) -> str:
    """An ISO text pandas parses: ``1998-01`` -> ``1998-01-01``, ``1999`` -> ``1999-01-01``."""
    v = t.value
    if t.datatype == XSD + "gYear":
        return v[:4] + "-01-01"
    if t.datatype == XSD + "gYearMonth":
        return v[:7] + "-01"
    return v


def _series(pd: Any, terms: Sequence[Term | None]) -> Any:
    """One column, typed by what all its bound values are (see :meth:`Results.to_df`)."""
    bound = [t for t in terms if t is not None]
    kinds = {t.datatype if t.kind == "literal" else t.kind for t in bound}
    try:
        if bound and kinds <= _INTEGER_TYPES:
            return pd.array([int(t.value) if t else None for t in terms], dtype="Int64")
        if bound and kinds <= _INTEGER_TYPES | _FLOAT_TYPES:
            return pd.array([float(t.value) if t else float("nan") for t in terms], "float64")
        if bound and kinds <= _DATE_TYPES:
            return pd.to_datetime(
                pd.Series([_date_text(t) if t else None for t in terms], dtype="object"),
                format="ISO8601",
                utc=XSD + "dateTime" in kinds,
            )
        if bound and kinds == {XSD + "boolean"}:
            return pd.array(
                [t.value in ("true", "1") if t else None for t in terms], dtype="boolean"
            )
    except (ValueError, TypeError):
        pass  # an ill-typed literal: keep the column as text
    return _text_series(pd, [str(t) if t is not None else None for t in terms])


def _text_series(pd: Any, values: Sequence[str | None]) -> Any:
    """A text column: pandas 3's ``str`` dtype, or ``object`` on pandas 2 (None stays missing)."""
    return pd.Series(values, dtype="str" if int(pd.__version__.split(".")[0]) >= 3 else "object")


def html_escape(text: str) -> str:
    """Escape text for HTML content and attribute values (``&``, ``<``, ``>``, quotes)."""
    return escape(text).replace('"', "&quot;").replace("'", "&#x27;")


#: The most rows :meth:`Results._repr_html_` shows.
HTML_ROWS: Final = 100


def _html_cell(t: Term | None, labels: dict[str, str]) -> str:
    if t is None:
        return "<td></td>"
    if t.kind == "uri":
        curie = t.curie()
        label = labels.get(t.value)
        text = f"<code>{html_escape(curie)}</code>"
        if label and label != curie:
            text += f" {html_escape(label)}"
        return f'<td title="{html_escape(t.value)}">{text}</td>'
    return f"<td>{html_escape(_cell(t, {}))}</td>"


def results_html(results: Results) -> str:
    """The HTML table of :meth:`Results._repr_html_`."""
    if results.form == "ASK":
        return f"<p><b>ASK</b>: <code>{'true' if results.boolean else 'false'}</code></p>"
    if results.form in ("CONSTRUCT", "DESCRIBE"):
        names: Sequence[str] = ("subject", "predicate", "object")
        rows: Sequence[Sequence[Term | None]] = results.triples
    else:
        names, rows = results.variables, results.rows
    head = "".join(f"<th>?{html_escape(v)}</th>" for v in names)
    body = "".join(
        "<tr>" + "".join(_html_cell(t, results.labels) for t in row) + "</tr>"
        for row in rows[:HTML_ROWS]
    )
    shown = f"; showing the first {HTML_ROWS}" if len(rows) > HTML_ROWS else ""
    caption = html_escape(results.summary() + shown)
    return (
        f'<table class="il2kg-results"><caption style="text-align:left">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for XML text (xml.sax.saxutils costs 13 ms to import)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;") + '"'


# -- SELECT / ASK ---------------------------------------------------------------------------------


def _cell(t: Term | None, labels: dict[str, str]) -> str:
    if t is None:
        return ""
    if t.kind == "uri":
        text = t.curie()
        label = labels.get(t.value)
        if label and label != text:
            return f"{text} ({label})"
        return text
    if t.kind == "bnode":
        return "_:" + t.value
    text = t.value.replace("\n", " ")
    return f"{text}@{t.lang}" if t.lang else text


def to_table(results: Results, labels: bool = True, max_width: int = 80) -> str:
    """An aligned text table (IRIs as CURIEs, ``CURIE (label)`` when ``labels``)."""
    if results.form == "ASK":
        return ("true" if results.boolean else "false") + "\n"
    known = results.labels if labels else {}
    header = [f"?{v}" for v in results.variables]
    body = [[_cell(t, known) for t in row] for row in results.rows]
    widths = [len(h) for h in header]
    for row in body:
        for i, c in enumerate(row):
            widths[i] = min(max(widths[i], len(c)), max_width)

    def fmt(cells: Sequence[str]) -> str:
        out = []
        for c, w in zip(cells, widths, strict=False):
            if len(c) > w:
                c = c[: w - 1] + "…"
            out.append(c.ljust(w))
        return "  ".join(out).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(r) for r in body)
    return "\n".join(lines) + "\n"


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    return "_:" + t.value if t.kind == "bnode" else t.value


def to_csv(results: Results) -> str:
    """SPARQL 1.1 Query Results CSV (full IRIs, lexical values)."""
    if results.form == "ASK":
        return "true\r\n" if results.boolean else "false\r\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(results.variables)
    for row in results.rows:
        w.writerow([_csv_value(t) for t in row])
    return buf.getvalue()


def to_tsv(results: Results) -> str:
    """SPARQL 1.1 Query Results TSV (terms in N-Triples form)."""
    if results.form == "ASK":
        return "true\n" if results.boolean else "false\n"
    lines = ["\t".join(f"?{v}" for v in results.variables)]
    for row in results.rows:
        lines.append("\t".join("" if t is None else t.n3().replace("\t", "\\t") for t in row))
    return "\n".join(lines) + "\n"


def _json_term(t: Term) -> dict[str, str]:
    d = {"type": t.kind, "value": t.value}
    if t.lang:
        d["xml:lang"] = t.lang
    elif t.datatype:
        d["datatype"] = t.datatype
    return d


def to_json(results: Results) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if results.form == "ASK":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(results.boolean)}
    else:
        doc = {
            "head": {"vars": list(results.variables)},
            "results": {
                "bindings": [
                    {
                        v: _json_term(t)
                        for v, t in zip(results.variables, row, strict=False)
                        if t is not None
                    }
                    for row in results.rows
                ]
            },
        }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_xml(results: Results) -> str:
    """SPARQL 1.1 Query Results XML."""
    out = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
    ]
    out.extend(f"    <variable name={quoteattr(v)}/>" for v in results.variables)
    out.append("  </head>")
    if results.form == "ASK":
        out.append(f"  <boolean>{'true' if results.boolean else 'false'}</boolean>")
    else:
        out.append("  <results>")
        for row in results.rows:
            out.append("    <result>")
            for v, t in zip(results.variables, row, strict=False):
                if t is None:
                    continue
                if t.kind == "uri":
                    inner = f"<uri>{escape(t.value)}</uri>"
                elif t.kind == "bnode":
                    inner = f"<bnode>{escape(t.value)}</bnode>"
                elif t.lang:
                    inner = f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
                elif t.datatype:
                    inner = f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
                else:
                    inner = f"<literal>{escape(t.value)}</literal>"
                out.append(f"      <binding name={quoteattr(v)}>{inner}</binding>")
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


# -- CONSTRUCT / DESCRIBE -------------------------------------------------------------------------


def to_ntriples(triples: Sequence[Triple]) -> str:
    """Sorted, de-duplicated N-Triples."""
    lines = sorted({f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples})
    return "".join(lines)


def to_rdf(results: Results, fmt: str = "turtle") -> bytes:
    """Serialise the triples of a ``CONSTRUCT``/``DESCRIBE`` answer (see :data:`GRAPH_FORMATS`).

    N-Triples needs nothing; the other formats go through rdflib with every prefix bound.
    Raises :class:`~il2kg.errors.OutputError` for an unknown format.
    """
    if fmt not in GRAPH_FORMATS:
        raise OutputError(f"unknown RDF format '{fmt}' (choose from {', '.join(GRAPH_FORMATS)})")
    nt = to_ntriples(results.triples)
    if fmt == "nt":
        return nt.encode()
    from rdflib import Graph

    from il2kg.rdf.build import bind_prefixes
    from il2kg.rdf.formats import jsonld_context

    g = bind_prefixes(Graph())
    g.parse(data=nt, format="nt")
    if fmt == "turtle":
        return g.serialize(format="turtle", encoding="utf-8")
    if fmt == "xml":
        return g.serialize(format="pretty-xml", encoding="utf-8")
    text = g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    return (
        json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    ).encode()


#: format name -> serialiser of SELECT/ASK results to text.
SERIALISERS: Final[dict[str, Callable[[Results], str]]] = {
    "table": to_table,
    "csv": to_csv,
    "tsv": to_tsv,
    "json": to_json,
    "xml": to_xml,
}


def dumps(results: Results, fmt: str, labels: bool = True) -> bytes:
    """Serialise any answer: ``fmt`` from :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`.

    Raises :class:`~il2kg.errors.OutputError` when the format does not fit the query form.
    """
    if results.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "table":
            fmt = "turtle"
        return to_rdf(results, fmt)
    if fmt not in SERIALISERS:
        raise OutputError(
            f"format '{fmt}' does not fit a {results.form} query "
            f"(choose from {', '.join(SELECT_FORMATS)})"
        )
    if fmt == "table":
        return to_table(results, labels=labels).encode()
    return SERIALISERS[fmt](results).encode()
