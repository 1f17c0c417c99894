"""The content-keyed build cache: hits skip the YAML, corruption is detected, changes rebuild."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import il2kg.dataset.load
from il2kg import KnowledgeGraph

from .conftest import FIXTURE_KB


def _fresh(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_KB, data)
    return data, tmp_path / "cache"


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(il2kg.dataset.load, "read_dataset", boom)


def test_second_open_reads_the_cache_not_the_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, cache = _fresh(tmp_path)
    first = KnowledgeGraph(data, cache_root=cache)
    nt = first.ntriples
    _no_yaml(monkeypatch)
    second = KnowledgeGraph(data, cache_root=cache)
    assert second.ntriples == nt
    assert second.dataset.entities.keys() == first.dataset.entities.keys()
    assert second.dataset.relation_locations == first.dataset.relation_locations


def test_corrupted_cache_is_detected_and_rebuilt(tmp_path: Path) -> None:
    data, cache = _fresh(tmp_path)
    nt = KnowledgeGraph(data, cache_root=cache).ntriples
    (entry,) = [p for p in cache.iterdir() if p.is_dir()]
    (entry / "graph.nt").write_bytes(b"<broken")
    assert KnowledgeGraph(data, cache_root=cache).ntriples == nt
    (entry2,) = [p for p in cache.iterdir() if p.is_dir()]
    assert (entry2 / "graph.nt").read_bytes() == nt


def test_changed_data_is_rebuilt(tmp_path: Path) -> None:
    data, cache = _fresh(tmp_path)
    assert len(KnowledgeGraph(data, cache_root=cache).dataset.entities) == 14
    f = data / "clinic.yaml"
    f.write_text(f.read_text().replace("label: regulatory T cell", "label: Treg cell"))
    kg = KnowledgeGraph(data, cache_root=cache)
    assert kg.dataset.entities["CL:0000815"].label == "Treg cell"
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 2


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    data, _ = _fresh(tmp_path)
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    kg = KnowledgeGraph(data, cache_root=blocked / "cache")
    assert kg.validate().relations == 18


def test_shacl_result_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, cache = _fresh(tmp_path)
    KnowledgeGraph(data, cache_root=cache).validate(shacl=True)
    import il2kg.rdf.shacl

    def boom(*_: object) -> None:
        raise AssertionError("SHACL ran again")

    monkeypatch.setattr(il2kg.rdf.shacl, "shacl_problems", boom)
    assert KnowledgeGraph(data, cache_root=cache).validate(shacl=True).entities == 14


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    from il2kg.cache import BuildCache

    cache = BuildCache(tmp_path / "cache")
    other = tmp_path / "cache" / "oxigraph"
    other.mkdir(parents=True)  # not a cache entry: left alone
    for i in range(5):
        cache.write(f"{i:064x}", {"n": i}, b"")
        os.utime(tmp_path / "cache" / f"{i:064x}", ns=(i * 10**9, i * 10**9))
    cache.prune(keep=2)
    left = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert left == [f"{3:064x}", f"{4:064x}", "oxigraph"]


# -- what read commands derive from an entry and keep in it (names, cards) ----------------------


def _derived(cache: Path, name: str) -> Path:
    (entry,) = [p for p in cache.iterdir() if p.is_dir()]
    return entry / name


def test_the_name_index_is_kept_and_read_back(tmp_path: Path) -> None:
    from il2kg.paths.resolve import Resolver

    data, cache = _fresh(tmp_path)
    built = KnowledgeGraph(data, cache_root=cache)
    built.validate(shacl=False)
    fresh = Resolver(built.dataset)
    assert built.search("IL-2")  # fills names.json
    assert _derived(cache, "names.json").is_file()
    kept = KnowledgeGraph(data, cache_root=cache).resolver
    assert kept.names() == fresh.names()
    for term in ("IL-2", "il2ra", "CD25", "receptor", "Treg", "P60568", "nothing-like-it", "x"):
        assert kept.search(term, 20) == fresh.search(term, 20), term
    assert kept.resolve("il-2 receptor alpha") == fresh.resolve("il-2 receptor alpha")


def test_cards_are_kept_and_read_back_as_built(tmp_path: Path) -> None:
    from il2kg.curate.card import entity_card

    data, cache = _fresh(tmp_path)
    ds = KnowledgeGraph(data, cache_root=cache).dataset
    KnowledgeGraph(data, cache_root=cache).card("IL-2")  # fills cards.jsonl
    kg = KnowledgeGraph(data, cache_root=cache)
    for eid in ds.entities:
        assert kg.card(eid) == entity_card(ds, eid), eid
    assert "_raw" not in kg.__dict__  # read from the kept cards, not from the entry's model


def test_a_damaged_derived_file_is_not_served(tmp_path: Path) -> None:
    data, cache = _fresh(tmp_path)
    kg = KnowledgeGraph(data, cache_root=cache)
    expected, hits = kg.card("IL-2"), kg.search("IL")
    cards, names = _derived(cache, "cards.jsonl"), _derived(cache, "names.json")
    raw = cards.read_bytes()
    cards.write_bytes(raw.replace(b"IL2", b"IL9"))  # same length: only the digests can tell
    names.write_bytes(names.read_bytes().replace(b"IL2", b"IL9"))
    again = KnowledgeGraph(data, cache_root=cache)
    assert again.card("IL-2") == expected
    assert again.search("IL") == hits
    assert cards.read_bytes() == raw  # rewritten


def test_derived_files_go_with_their_entry(tmp_path: Path) -> None:
    data, cache = _fresh(tmp_path)
    KnowledgeGraph(data, cache_root=cache).card("IL-2")
    f = data / "clinic.yaml"
    f.write_text(f.read_text().replace("label: regulatory T cell", "label: Treg cell"))
    kg = KnowledgeGraph(data, cache_root=cache)
    assert kg.card("CL:0000815").label == "Treg cell"
    assert kg.search("Treg cell")[0].label == "Treg cell"


def test_records_of_no_entry_are_not_written(tmp_path: Path) -> None:
    from il2kg.cache import BuildCache

    cache = BuildCache(tmp_path / "cache")
    cache.write_records("0" * 64, "cards.jsonl", {"a": b"{}"})
    assert not (tmp_path / "cache").exists()
    cache.write("1" * 64, {}, b"")
    cache.write_records("1" * 64, "r", {"a": b"one", "b": b"two"})
    assert cache.read_record("1" * 64, "r", "b") == b"two"
    assert cache.read_record("1" * 64, "r", "c") is None


def test_a_command_reads_only_the_parts_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from il2kg.cache import BuildCache

    data, cache = _fresh(tmp_path)
    expected = KnowledgeGraph(data, cache_root=cache).paths("IL-2", "STAT5A", directed=False)
    read: list[str] = []
    real = BuildCache.read_part

    def spy(self: BuildCache, key: str, name: str) -> object:
        read.append(name)
        return real(self, key, name)

    monkeypatch.setattr(BuildCache, "read_part", spy)
    got = KnowledgeGraph(data, cache_root=cache).paths("IL-2", "STAT5A", directed=False)
    assert got == expected
    assert sorted(read) == ["network.json", "vocabulary.json"]


@pytest.mark.parametrize("part", ["network.json", "vocabulary.json", "dataset.json"])
def test_a_damaged_part_is_detected_and_rebuilt(tmp_path: Path, part: str) -> None:
    data, cache = _fresh(tmp_path)
    first = KnowledgeGraph(data, cache_root=cache)
    labels, vocab = dict(first.labels), first.vocabulary.to_json()
    entities = first.dataset.entities.keys()
    f = _derived(cache, part)
    raw = f.read_bytes()
    assert b"IL2" in raw
    f.write_bytes(raw.replace(b"IL2", b"IL9"))  # valid JSON, wrong content
    kg = KnowledgeGraph(data, cache_root=cache)
    assert dict(kg.labels) == labels
    assert kg.vocabulary.to_json() == vocab
    assert kg.dataset.entities.keys() == entities
    assert b"IL9" not in _derived(cache, part).read_bytes()


def test_cards_are_derived_once_when_the_cache_cannot_keep_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import il2kg.curate.card

    data, _ = _fresh(tmp_path)
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    kg = KnowledgeGraph(data, cache_root=blocked / "cache")
    first = kg.card("IL-2")

    def boom(*_: object) -> None:
        raise AssertionError("the cards were derived again")

    monkeypatch.setattr(il2kg.curate.card, "entity_cards", boom)
    assert kg.card("IL-2") == first
    assert kg.card("CD25").id == "HGNC:6008"


def test_the_build_fixes_the_mmap_threshold_on_glibc() -> None:
    """Without it, a freed model part raised glibc's threshold and the N-Triples' sorted runs
    stayed resident: +170 MiB of peak at 10^5 relations (docs/performance.md)."""
    import platform
    import sys

    from il2kg.kg import fixed_mmap_threshold

    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert fixed_mmap_threshold() is on_glibc


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_build_leaves_the_ntriples_in_a_file(tmp_path: Path, use_cache: bool) -> None:
    """validate, write -f nt and the digest use the file the build wrote (the cache entry's
    graph.nt, or a temporary file); KnowledgeGraph.ntriples reads it only when asked."""
    from il2kg.files import FileBytes
    from il2kg.query.stores import content_digest

    data, cache = _fresh(tmp_path)
    kg = KnowledgeGraph(data, use_cache=use_cache, cache_root=cache)
    kg.validate()
    (out,) = kg.write(tmp_path / "kb.nt", "nt")
    digest = kg.ntriples_digest()
    built = kg._graph()
    assert isinstance(built, FileBytes) and "_ntriples" not in kg.__dict__
    nt = kg.ntriples
    assert out.read_bytes() == nt == built.read() == kg.dumps("nt")[""]
    assert digest == content_digest(nt) == built.sha256()
    entries = [p for p in cache.iterdir() if p.is_dir()] if cache.exists() else []
    if use_cache:
        (entry,) = entries
        # written where the entry was staged, then renamed with it: never copied
        assert built.path is not None and built.path.name == "graph.nt"
        assert built.path.parent.parent == cache and built.path.parent != entry
        assert (entry / "graph.nt").read_bytes() == nt
        again = KnowledgeGraph(data, cache_root=cache)  # a warm build reads the entry's file
        again.validate()
        (out,) = again.write(tmp_path / "again.nt", "nt")
        assert isinstance(again._graph(), FileBytes) and "_ntriples" not in again.__dict__
        assert out.read_bytes() == again.ntriples == nt
    else:
        assert entries == [] and built.path is None


def test_model_parts_are_written_in_pieces_as_one_json_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add_part encodes a part's long lists a slice at a time: the bytes (and digests) are
    those of json.dumps of the whole, which readers of older entries expect."""
    import json

    import il2kg.cache
    from il2kg.cache import BuildCache

    monkeypatch.setattr(il2kg.cache, "_JSON_SLICE", 3)
    model = {
        "vocabulary": {"classes": ["A", "B"], "empty": {}, "none": []},
        "dataset": {
            "entities": [{"id": f"X:{i}", "label": f"é {i}", "n": i / 3} for i in range(10)],
            "files": ["a.yaml"],
            "nested": [[1, [2, 3]], {"k": [4]}, None, True, "s", 0.1, 7, 8],
        },
        "network": [["a", "b", "k", {"w": 1}]] * 7,
    }
    cache = BuildCache(tmp_path)
    staged = cache.stage("0" * 64, model)
    assert staged is not None
    for name, blob in BuildCache.model_blobs(model).items():
        assert (staged.folder / name).read_bytes() == blob
        assert json.loads(blob) == model[name.removesuffix(".json")]
    assert staged.parts == ("dataset", "network", "vocabulary")
    cache.commit(staged, b"<a> <b> <c> .\n")
    hit = cache.read("0" * 64)
    assert hit is not None and hit[0] == model and hit[1].read() == b"<a> <b> <c> .\n"


def test_releasing_the_free_lists_keeps_every_object_and_a_programs_freeze() -> None:
    """release_free_lists collects nothing that is alive, leaves nothing frozen, and leaves
    alone a program that froze objects itself (unfreezing would undo its freeze)."""
    import gc

    from il2kg.kg import release_free_lists

    assert gc.get_freeze_count() == 0
    alive = [[i] for i in range(1_000)]
    tracked = len(gc.get_objects())
    release_free_lists()
    assert gc.get_freeze_count() == 0 and len(gc.get_objects()) >= tracked
    assert alive[999] == [999]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        release_free_lists()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
