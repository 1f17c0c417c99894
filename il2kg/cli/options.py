"""Options shared by the commands, with choices and defaults derived from the library's registries.

Nothing here is retyped: engines, reasoning modes and stores come from
:mod:`il2kg.query.layout`, result formats from :mod:`il2kg.query.results`, RDF export formats from
:mod:`il2kg.rdf.formats`, path bounds from :mod:`il2kg.paths.search`. Only constant modules are
imported, so ``il2kg --help`` stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from il2kg.query.layout import (
    DEFAULT_ENGINE,
    DEFAULT_REASONING,
    DEFAULT_TIMEOUT,
    ENGINES,
    REASONING,
    STORES,
)

F = TypeVar("F", bound=Callable[..., Any])

#: The longest timeout accepted anywhere (a day): beyond that a number is a typo.
MAX_TIMEOUT = 86_400.0


class Seconds(click.ParamType):  # type: ignore[type-arg]
    """A finite, positive number of seconds no larger than :data:`MAX_TIMEOUT`."""

    name = "seconds"

    def __init__(self, minimum: float = 0.01) -> None:
        self.minimum = minimum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            seconds = value
        else:
            try:
                seconds = float(str(value))
            except ValueError:
                self.fail(f"'{value}' is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not self.minimum <= seconds <= MAX_TIMEOUT:
            self.fail(
                f"{value} is not between {self.minimum:g} and {MAX_TIMEOUT:g} seconds", param, ctx
            )
        return seconds


class KeyValue(click.ParamType):  # type: ignore[type-arg]
    """``NAME=VALUE`` (query parameters, qualifiers): one parser for every such option."""

    name = "name=value"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        key, sep, val = str(value).partition("=")
        if not sep or not key.strip():
            self.fail(f"'{value}' is not NAME=VALUE", param, ctx)
        return key.strip(), val


def pairs(values: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The ``NAME=VALUE`` pairs of a repeatable :class:`KeyValue` option, as a dict."""
    return dict(values)


def engine_option() -> Callable[[F], F]:
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=None,
        show_default=DEFAULT_ENGINE,
        help="The SPARQL engine (same answers; oxigraph is much faster).",
    )


def reasoning_option() -> Callable[[F], F]:
    return click.option(
        "--reasoning",
        type=click.Choice(REASONING),
        default=None,
        show_default=DEFAULT_REASONING,
        help="rdfs: also infer super-classes, super-properties, inverse properties, "
        "domain/range types.",
    )


def store_option() -> Callable[[F], F]:
    return click.option(
        "--store",
        type=click.Choice(STORES),
        default=None,
        help="Run through the rdflib API on this store (docs/performance.md), not --engine.",
    )


def timeout_option(
    default: float = DEFAULT_TIMEOUT,
    help_text: str = "Stop the query after this many seconds (exit 3).",
    minimum: float = 0.01,
) -> Callable[[F], F]:
    return click.option(
        "--timeout",
        type=Seconds(minimum),
        default=default,
        show_default=True,
        help=help_text,
    )
