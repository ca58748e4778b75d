"""``litclip synth journal``: write the synthetic neuro-imaging journal (offline demo data)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from litclip.console import new_console
from litclip.errors import LitclipError

if TYPE_CHECKING:
    from litclip.data.synthetic import JournalSummary


def register(app: typer.Typer) -> None:
    """Add the ``synth`` command group to the root app."""
    sub = typer.Typer(
        help="Generate synthetic data (offline demo journal).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    sub.command("journal", short_help="Write a synthetic neuro-imaging journal of PDFs.")(journal)
    app.add_typer(sub, name="synth")


def journal(
    out: Path = typer.Option(
        ..., help="Output directory (pdfs/, classification/, splits.json, journal.json)."
    ),
    articles: int | None = typer.Option(
        None, help="Number of article PDFs (default: 64, as the demo)."
    ),
    seed: int = typer.Option(0, help="Master seed: the same seed writes byte-identical PDFs."),
    panel_px: int = typer.Option(256, min=64, max=1024, help="Pixel size of each scan panel."),
    classification: bool = typer.Option(
        True, "--classification/--no-classification", help="Also write the classification sets."
    ),
    classification_articles: int = typer.Option(
        60, min=3, help="Classification-only virtual articles per task."
    ),
) -> None:
    """Write a synthetic neuro-imaging journal: article PDFs with exact figure ground truth."""
    from litclip.data.synthetic import DEFAULT_ARTICLES, generate_journal
    from litclip.progress import progress_bar

    n = DEFAULT_ARTICLES if articles is None else articles
    if n < 1:
        raise LitclipError(f"--articles must be at least 1 (got {n}).")
    if out.exists() and not out.is_dir():
        raise LitclipError(f"--out {out} exists and is not a directory; choose another path.")
    try:  # before the progress bars; the CLI words the other OSErrors (a file in the way...)
        out.mkdir(parents=True, exist_ok=True)
    except FileNotFoundError as exc:  # e.g. under /proc: nothing can be made there
        raise LitclipError(
            f"cannot create --out {out} ({exc.strerror or exc}); choose a folder you can write."
        ) from exc
    per_article = 8
    total_cls = 2 * classification_articles * per_article if classification else 0
    with progress_bar("{task.description}") as bar:
        tasks = {"articles": bar.add_task("articles", total=n)}
        if classification:
            tasks["classification"] = bar.add_task("classification images", total=total_cls)
        summary = generate_journal(
            out,
            n_articles=n,
            seed=seed,
            panel_px=panel_px,
            classification=classification,
            classification_articles=classification_articles,
            classification_images_per_article=per_article,
            progress=lambda stage, k: bar.advance(tasks[stage], k),
        )
    _print_summary(summary)


def _print_summary(summary: JournalSummary) -> None:
    table = Table(title=f"Synthetic journal in {summary.out_dir}", show_header=False)
    rows = [
        ("articles / pages", f"{summary.n_articles} / {summary.n_pages}"),
        (
            "figures (imaging, compound)",
            f"{summary.n_figures} ({summary.n_imaging_figures}, {summary.n_compound_figures})",
        ),
        ("figure types", ", ".join(f"{k} {v}" for k, v in sorted(summary.figure_types.items()))),
        ("imaging panels", str(summary.n_panels)),
        ("figure + panel pairs", str(summary.n_pairs)),
        ("article splits", ", ".join(f"{k} {v}" for k, v in summary.splits.items())),
    ]
    for task, counts in summary.classification.items():
        rows.append(
            (
                f"classification {task}",
                ", ".join(f"{s} {sum(c.values())}" for s, c in counts.items()),
            )
        )
    rows.append(("seconds", f"{summary.seconds:.1f}"))
    for key, value in rows:
        table.add_row(key, value)
    new_console().print(table)
    empty = [k for k in ("val", "test") if summary.splits.get(k, 0) == 0]
    if empty:  # too few articles to hold any out: say so before a train or evaluate finds it
        new_console(stderr=True).print(
            f"[yellow]warning:[/] {summary.n_articles} article(s) leave the "
            f"{' and '.join(empty)} split{'s' * (len(empty) > 1)} empty: give --articles 3 or "
            "more to validate and test on articles held out"
        )
