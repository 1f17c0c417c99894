"""Curation tooling: diff two versions of the data, rewrite files into canonical form."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from il2kg.cli import State, echo_json, pass_state

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph


def _open(version: str, state: State, stack: contextlib.ExitStack) -> KnowledgeGraph:
    """The data of ``version``: a directory, or a git revision checked out until ``stack`` ends."""
    from il2kg.curate.diff import revision_checkout
    from il2kg.kg import KnowledgeGraph
    from il2kg.resources import default_data_dir

    path = Path(version)
    if not path.is_dir():
        data = state.data_dir or default_data_dir()
        repo = data.resolve().parent
        path = stack.enter_context(revision_checkout(version, data.resolve().name, repo))
    return KnowledgeGraph(path, use_cache=state.use_cache)


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def diff(state: State, old: str, new: str | None, fmt: str) -> None:
    """Show entities and relations added, removed and changed between OLD and NEW.

    OLD and NEW are data directories or git revisions of the repository holding the data
    directory (NEW defaults to the working data). Exit 0 whatever the difference.

    \b
    Example:
      il2kg diff HEAD~1
      il2kg diff main data/ --format json
      il2kg diff old-data/ new-data/
    """
    from il2kg.curate.diff import diff_datasets

    with contextlib.ExitStack() as stack:  # checked-out revisions are removed at the end
        old_kg = _open(old, state, stack)
        new_kg = _open(new, state, stack) if new else state.kg()
        d = diff_datasets(old_kg.dataset, new_kg.dataset)
    if fmt == "json":
        echo_json(d.to_json())
        return
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for c in d.changes:
        click.echo(f"{sign[c.status]} {c.kind} {c.key}")
        if c.status == "changed":
            for f in c.fields():
                before = json.dumps((c.before or {}).get(f), ensure_ascii=False)
                after = json.dumps((c.after or {}).get(f), ensure_ascii=False)
                click.echo(f"    {f}: {before}\n    {' ' * len(f)}  -> {after}")
        else:
            item = c.after if c.status == "added" else c.before
            for ev in (item or {}).get("evidence", []):
                src = ev.get("source") or ev.get("name")
                click.echo(f"    evidence: {src} ({ev['status']})")
    click.echo(d.summary())


@click.command("format")
@click.option(
    "--check", is_flag=True, help="Only report files not in canonical form (exit 1 if any)."
)
@pass_state
def format_cmd(state: State, check: bool) -> None:
    """Rewrite the data files into canonical form (sorted, one YAML style).

    Entities are sorted by id, relations by subject, predicate, object and qualifiers, fields in
    the model's order. YAML comments are not kept: notes belong in description/note fields.

    \b
    Example:
      il2kg format --check
      il2kg --data-dir my-data/ format
    """
    from il2kg.curate.canonical import check_canonical, format_files
    from il2kg.errors import DataError
    from il2kg.resources import default_data_dir

    data = state.data_dir or default_data_dir()
    if check:
        problems = check_canonical(data)
        if problems:
            raise DataError(problems)
        click.echo(f"OK: every file in {data} is in canonical form")
        return
    changed = format_files(data)
    for p in changed:
        click.echo(f"rewrote {p}", err=True)
    click.echo(f"{len(changed)} file(s) rewritten")


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def conflicts(state: State, fmt: str) -> None:
    """List claims the evidence disagrees on.

    Contested claims have evidence that supports them and evidence that refutes them (an
    evidence item with supports: false); context conflicts are a negated relation and a positive
    one that differ only in their context (cell type, species, regimen ...).

    \b
    Example:
      il2kg conflicts
      il2kg conflicts --format json
    """
    found = state.kg().conflicts()
    if fmt == "json":
        echo_json([c.to_json() for c in found])
        return
    if not found:
        click.echo("no conflicts")
        return
    for c in found:
        click.echo(f"{c.kind}: {c.summary}  ({'; '.join(c.where)})")
    click.echo(f"{len(found)} conflict{'s' if len(found) != 1 else ''}", err=True)
