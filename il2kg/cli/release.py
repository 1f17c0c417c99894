"""``il2kg release``: a versioned, dated, citable bundle of every export."""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import click

from il2kg.cli import State, pass_state


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The directory of the bundle (created; must be empty if it exists).",
)
@click.option(
    "--version",
    "version",
    default=None,
    help="The release version, YYYY.MM.DD[.N] of the release date (default: the date).",
)
@click.option(
    "--date",
    "date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The release date (default: today).",
)
@click.option(
    "--previous",
    default=None,
    help="The previous release: its bundle directory, a data directory or a git revision "
    "(the changelog lists every claim changed since).",
)
@pass_state
def release(
    state: State,
    output: Path,
    version: str | None,
    date: _dt.datetime | None,
    previous: str | None,
) -> None:
    """Build a citable release: every export format, the explorer page, the curated data,
    SHA-256 checksums, a claim-level changelog, CITATION.cff and RO-Crate metadata.

    \b
    Example:
      il2kg release -o release/
      il2kg release -o release/ --previous v2026.11.01/
      il2kg release -o release/ --previous HEAD~5 --date 2026-12-01
    """
    from il2kg.cli.curate import _open
    from il2kg.curate.diff import diff_datasets
    from il2kg.curate.release import ReleaseInfo, bundle, check_version, default_version
    from il2kg.errors import OptionError
    from il2kg.explorer.page import explorer
    from il2kg.files import atomic_write_many
    from il2kg.rdf.formats import FORMATS

    if output.exists() and any(output.iterdir()):
        raise OptionError(f"'{output}' is not empty: a release goes into a new directory")
    day = (date or _dt.datetime.now()).date()
    version = check_version(version or default_version(day), day)
    kg = state.kg()
    kg.validate()
    exports: dict[str, bytes] = {}
    for fmt in FORMATS.values():
        for name, data in kg.dumps(fmt.name).items():
            path = f"{fmt.name}/{name}" if fmt.directory else f"il2kg-{version}{fmt.suffixes[0]}"
            exports[path] = data
    exports["explorer.html"] = explorer(kg).html.encode()
    data_dir = kg.data_dir
    for f in kg.dataset.files:
        p = Path(f)
        rel = p.relative_to(data_dir) if p.is_absolute() else p
        exports[f"data/{rel.as_posix()}"] = (data_dir / rel).read_bytes()
    diff = None
    if previous:
        import contextlib

        prev = Path(previous)
        is_bundle = (prev / "release.json").is_file() and (prev / "data").is_dir()
        with (
            contextlib.ExitStack() as stack
        ):  # a git revision is checked out until the diff is made
            old = _open(str(prev / "data") if is_bundle else previous, state, stack)
            diff = diff_datasets(old.dataset, kg.dataset)
    info = ReleaseInfo(version, day, "sha256:" + hashlib.sha256(kg.ntriples).hexdigest(), previous)
    files = bundle(exports, info, diff)
    atomic_write_many({output / name: data for name, data in files.items()})
    size = sum(len(b) for b in files.values())
    click.echo(f"released il2kg {version} ({day}): {len(files)} files, {size:,} bytes in {output}")
    if diff is not None:
        click.echo(f"changes since {previous}: {diff.summary()}")
