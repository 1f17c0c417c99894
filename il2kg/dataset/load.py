"""Curated YAML -> validated :class:`~il2kg.dataset.model.Dataset`: the one place where reading
(:mod:`il2kg.dataset.read`) and the semantic rules (:mod:`il2kg.dataset.rules`) meet.
"""

from __future__ import annotations

from pathlib import Path

from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary, read_vocabulary
from il2kg.dataset.read import read_dataset
from il2kg.dataset.rules import check_dataset
from il2kg.errors import DataError
from il2kg.resources import ontology_dir


def load_dataset(data_dir: Path, vocabulary: Vocabulary | None = None) -> Dataset:
    """Read and fully validate a data directory.

    :param vocabulary: the ontology's vocabulary (read from the shipped ontology when omitted).
    :raises DataError: listing every problem, each with its file, line, column and field.
    """
    ds, problems = read_dataset(data_dir)
    vocab = vocabulary if vocabulary is not None else read_vocabulary(ontology_dir() / "il2kg.ttl")
    problems.extend(check_dataset(ds, vocab))
    if problems:
        raise DataError(problems)
    return ds
