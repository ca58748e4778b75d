"""``litclip corpus build | merge | filter | evaluate``: thin wrappers over :mod:`litclip.corpus`."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from litclip.console import count, new_console
from litclip.corpus.types import DPI_RANGE
from litclip.errors import LitclipError, NothingMadeError

corpus_app = typer.Typer(
    help="Journal PDFs -> figure/caption pairs with quality control.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add the ``corpus`` sub-app to the root app."""
    app.add_typer(corpus_app, name="corpus")


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _print_summary(summary: object, console: Console) -> None:
    s = summary  # BuildSummary; typed loosely to keep the import lazy
    console.print(
        f"[bold]PDFs[/]: {s.pdfs_ok + s.pdfs_error} in the corpus, {s.pdfs_ok} ok, "
        f"{s.pdfs_error} error"
        + (f"; {s.pdfs_skipped} of them done in an earlier run" if s.pdfs_skipped else "")
    )
    if s.errors:
        console.print("  errors: " + ", ".join(f"{k} {n}" for k, n in s.errors))
        for line in s.failed_lines():
            console.print(f"    {line}", markup=False, highlight=False)
    if getattr(s, "pdfs_left_out", 0):
        console.print(f"{s.left_out_note()}; build into another --out to keep corpora apart")
    if getattr(s, "unreadable", 0):
        console.print(
            f"[yellow]{s.unreadable} PDF(s) have no text to read captions from[/] (no text "
            "layer on all or most pages, or fonts without a Unicode map): their warnings in "
            "pdf_status.jsonl"
        )
    for note in getattr(s, "notes", []):  # what to do next: an unfinished shard, --retry-errors
        console.print(f"  note: {note}", markup=False, highlight=False)
    console.print(f"[bold]pairs[/]: {s.pairs}, passed QC: {s.passed}")
    if s.reasons:
        console.print("  top rejection reasons: " + ", ".join(f"{k} {n}" for k, n in s.reasons[:6]))
    if s.peak_worker_rss_mb:
        console.print(f"  peak worker RSS: {s.peak_worker_rss_mb:.0f} MiB")
    # the folder is the user's text: "out[x]" is a name, not markup
    console.print(f"[bold]output[/]: {escape(str(s.out_dir))}")
    if s.pairs:
        console.print(
            f"  read it by eye: litclip corpus preview {shlex.quote(str(s.out_dir))}",
            markup=False,
            highlight=False,
        )


@corpus_app.command("build", short_help="Extract figure/caption pairs from PDFs (resumable).")
def build(
    inputs: list[Path] = typer.Argument(
        ...,
        metavar="PDFS",
        help="Directories of PDFs (recursive), PDFs, or lists of PDF paths (.txt one per line, or .csv/.tsv with a 'path' column).",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Corpus directory (an existing one is resumed)."
    ),
    workers: int = typer.Option(
        1, min=1, help="Concurrent worker processes (one per PDF at a time)."
    ),
    executor: str = typer.Option(
        "process",
        help="process | serial (one PDF at a time in this process: no --workers, no --timeout) | dask.",
    ),
    scheduler: str | None = typer.Option(
        None,
        help="dask scheduler address (with --executor dask); leave it out for a local cluster of --workers.",
    ),
    timeout: float = typer.Option(
        300.0, min=0, help="Seconds per PDF before its worker is killed (0: none)."
    ),
    shard: str | None = typer.Option(
        None, help="i/n: process only this share of the inputs (SLURM arrays)."
    ),
    shard_size: int = typer.Option(1000, min=1, help="Pairs per WebDataset tar."),
    dpi: int = typer.Option(
        200, min=DPI_RANGE[0], max=DPI_RANGE[1], help="Render resolution of the crops."
    ),
    image_format: str = typer.Option(
        "png", help="png (lossless) or jpg (quality 95, much faster to encode)."
    ),
    max_pixels: int = typer.Option(
        50_000_000, min=1, help="Embedded images larger than this are an error, never decoded."
    ),
    keep_kinds: str | None = typer.Option(
        None, help="Comma list of kinds passing QC (image,chart,diagram,table,other); default all."
    ),
    min_side: int = typer.Option(64, help="QC: smallest crop side in pixels."),
    max_aspect: float = typer.Option(6.0, help="QC: largest aspect ratio."),
    min_caption_chars: int = typer.Option(20, help="QC: shortest caption."),
    max_caption_chars: int = typer.Option(4000, help="QC: longest caption."),
    dup_distance: int = typer.Option(
        4, min=0, max=64, help="QC: pHash Hamming distance counted as a duplicate."
    ),
    modality_model: str | None = typer.Option(
        None, help="Also label each pair's modality zero-shot with this litclip model."
    ),
    retry_errors: bool = typer.Option(
        False, help="Redo PDFs whose earlier attempt ended in an error."
    ),
    description: str = typer.Option(
        "",
        help="What the PDFs are (journal, years, how chosen): the datasheet's Sources section opens with it.",
    ),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Extract figure/caption pairs from PDFs into a corpus directory (resumable)."""
    from litclip.corpus import CorpusConfig, QcConfig, build_corpus
    from litclip.corpus.kinds import KINDS, check_kinds

    kinds = _csv(keep_kinds) or list(KINDS)
    check_kinds(kinds, "--keep-kinds")
    qc = QcConfig(
        min_side=min_side,
        max_aspect=max_aspect,
        min_caption_chars=min_caption_chars,
        max_caption_chars=max_caption_chars,
        dup_distance=dup_distance,
        keep_kinds=kinds,
    )
    cfg = CorpusConfig(
        dpi=dpi,
        max_pixels=max_pixels,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        timeout=timeout or None,
        shard=shard,
        shard_size=shard_size,
        image_format=image_format,
        retry_errors=retry_errors,
        qc=qc,
        modality_model=modality_model,
        description=description,
    )
    summary = build_corpus([str(p) for p in inputs], out, cfg, progress=progress)
    _print_summary(summary, new_console())
    if summary.pdfs_error and not summary.pdfs_ok:  # a script or array job must notice
        raise NothingMadeError(
            f"no PDF could be read (each one's error is in {out / 'pdf_status.jsonl'})"
        )


@corpus_app.command("merge", short_help="Merge corpus directories (shards) into one.")
def merge(
    out: Path = typer.Argument(..., metavar="OUT", help="The merged corpus directory."),
    shard_dirs: list[Path] = typer.Argument(
        ..., metavar="SHARD_DIRS", help="Corpus directories to merge (e.g. --shard outputs)."
    ),
) -> None:
    """Merge corpus directories: dedupe by PDF hash / pair id, reassemble manifest, shards, datasheet."""
    from litclip.corpus import merge_corpora

    _print_summary(merge_corpora(out, [str(d) for d in shard_dirs]), new_console())


def _check_filter_options(
    modality: str | None, min_score: float, modality_model: str | None
) -> None:
    """The modality options only act with --modality: refuse them alone (they were ignored)."""
    if not 0.0 <= min_score <= 1.0:
        raise LitclipError(
            f"--min-modality-score {min_score}: a modality score is a probability, 0 to 1"
        )
    alone = [
        name
        for name, given in (
            ("--min-modality-score", min_score > 0.0),
            ("--modality-model", modality_model),
        )
        if given
    ]
    if alone and not modality:
        raise LitclipError(
            f"{' and '.join(alone)} {'acts' if len(alone) == 1 else 'act'} only with "
            "--modality (the modalities to keep, e.g. --modality MRI,CT)"
        )


@corpus_app.command("filter", short_help="Write a filtered copy of a corpus.")
def filter_(
    in_dir: Path = typer.Option(..., "--in", help="Corpus directory to read."),
    out: Path = typer.Option(..., "--out", help="New corpus directory to write."),
    kinds: str | None = typer.Option(
        None,
        help="Comma list of kinds to keep: image (photographs, medical images), chart, "
        "diagram, table, other (screenshots, program text).",
    ),
    modality: str | None = typer.Option(
        None, help="Comma list of modalities to keep, e.g. MRI,CT."
    ),
    min_modality_score: float = typer.Option(
        0.0, help="Keep only pairs with modality_score >= this."
    ),
    modality_model: str | None = typer.Option(
        None, help="Model for modality labels when the manifest has none."
    ),
    qc_only: bool = typer.Option(True, help="Keep only pairs that pass QC."),
    shard_size: int = typer.Option(1000, min=1, help="Pairs per WebDataset tar."),
) -> None:
    """Write a filtered copy of a corpus (kinds, modality, QC); re-runnable."""
    from litclip.corpus import filter_corpus

    _check_filter_options(modality, min_modality_score, modality_model)

    summary = filter_corpus(
        in_dir,
        out,
        kinds=_csv(kinds),
        modality=_csv(modality),
        min_modality_score=min_modality_score,
        modality_model=modality_model,
        qc_only=qc_only,
        shard_size=shard_size,
    )
    _print_summary(summary, new_console())


@corpus_app.command("preview", short_help="Write an HTML contact sheet of a corpus to read by eye.")
def preview(
    corpus: Path = typer.Argument(
        ..., metavar="CORPUS", help="Corpus directory written by corpus build."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="HTML file to write (default: CORPUS/preview.html; a view narrowed by --show, --pdf "
        "or --limit gets a name of its own, e.g. CORPUS/preview-rejected.html).",
    ),
    show: str = typer.Option("all", help="all | passed | rejected (figures by their QC)."),
    pdf: str | None = typer.Option(None, help="Only PDFs whose file name contains this."),
    limit: int | None = typer.Option(
        None, help="At most this many figures (the first, by PDF and page)."
    ),
) -> None:
    """Each figure crop beside its caption, its panels with their sub-captions, the source
    page and box, and what QC said (kind, pass or the reasons it was rejected)."""
    if not Path(corpus).is_dir():
        raise LitclipError(f"{corpus} is not a directory: give the --out of corpus build")
    from litclip.corpus.preview import write_preview

    s = write_preview(corpus, out, show=show, pdf=pdf, limit=limit)
    typer.echo(
        f"{count(s.figures, 'figure')} ({count(s.panels, 'panel')}) from {count(s.pdfs, 'PDF')}"
        f" -> {s.path}"
    )


@corpus_app.command("evaluate", short_help="Score extracted figures against ground truth.")
def evaluate(
    pred: Path = typer.Option(..., "--pred", help="Corpus directory written by corpus build."),
    truth: Path = typer.Option(
        ...,
        "--truth",
        help="ground_truth.json: each PDF's figures with page, box, caption start and panel count "
        "(the format of the synthetic journal's ground truth).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    show_errors: bool = typer.Option(
        False,
        "--errors",
        help="After the table, list each missed and spurious figure, and each matched one "
        "whose caption or panel count disagrees with the truth.",
    ),
) -> None:
    """Score extracted figures against ground truth (precision, recall, captions, panels)."""
    if not Path(pred).is_dir():
        raise LitclipError(f"--pred {pred} is not a directory: give the --out of corpus build")
    if not Path(truth).exists():  # a folder: its ground_truth.json (load_truth)
        raise LitclipError(f"--truth {truth} does not exist: give a ground_truth.json")
    from litclip.corpus.evaluate import evaluate_corpus, format_errors, format_table

    metrics = evaluate_corpus(pred, truth)
    if as_json:
        from litclip.io import to_json

        typer.echo(to_json(metrics, indent=None))
        return
    rendered = format_table(metrics)
    if isinstance(rendered, str):
        typer.echo(rendered)  # pre-formatted text: never re-wrapped to the terminal width
    else:
        new_console().print(rendered)
    if show_errors:
        typer.echo(format_errors(metrics) or "no errors")
    absent = metrics.get("truth_pdfs_not_in_corpus") or []
    if absent:
        typer.echo(
            f"note: {len(absent)} PDF(s) of the truth file are not in the corpus and were left "
            f"out: {', '.join(absent[:5])}{' ...' if len(absent) > 5 else ''}"
        )
