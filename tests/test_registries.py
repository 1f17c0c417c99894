"""Values written in two places are tied by a test, so adding one where the other is forgotten fails
here, with the name of what is missing, rather than as a KeyError at build time."""

from __future__ import annotations

from typing import get_args

from il2kg.dataset.model import STATUS_RANK, UNITS, Qualifiers, Status, Unit
from il2kg.explorer.style import _STATUS_TEXT
from il2kg.paths.defaults import QUALIFIER_KEYS, STATUS_COST
from il2kg.query.layout import ENGINES, REASONING, STORES, Engine, Reasoning, Store
from il2kg.rdf.build import _STATUS
from il2kg.rdf.formats import FORMATS


def test_every_unit_has_a_ucum_code() -> None:
    assert set(get_args(Unit)) == set(UNITS)


def test_path_qualifier_keys_are_the_models_fields() -> None:
    assert set(QUALIFIER_KEYS) == set(Qualifiers.model_fields)


def test_every_table_keyed_by_status_knows_every_status() -> None:
    statuses = set(get_args(Status))
    for table in (STATUS_RANK, STATUS_COST, _STATUS, _STATUS_TEXT):
        assert set(table) == statuses


def test_query_choices_are_their_literal_types() -> None:
    assert get_args(Engine) == ENGINES
    assert get_args(Reasoning) == REASONING
    assert get_args(Store) == STORES


def test_every_export_format_has_a_writer_and_a_way_to_be_chosen() -> None:
    for name, fmt in FORMATS.items():
        assert fmt.name == name and callable(fmt.dump)
        assert fmt.suffixes or fmt.directory, name
