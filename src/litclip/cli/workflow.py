"""``litclip run`` (the main job on your own journal) and ``litclip demo`` (the same, offline)."""

from __future__ import annotations

from pathlib import Path

import typer

# Light constants only: the demo's defaults live beside its code (no heavy imports here).
from litclip.workflow.defaults import DEMO_ARTICLES, DEMO_EPOCHS


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the root app."""
    app.command("run", short_help="PDFs -> corpus -> fine-tune -> evaluate -> index -> report.")(
        run
    )
    app.command("demo", short_help="The whole pipeline offline on a synthetic journal.")(demo)


def run(
    pdfs: str = typer.Option(None, help="Folder of journal PDFs (or a PDF, or a list file)."),
    out: str = typer.Option(
        None,
        help="Output folder, required (or out: in --config); an earlier run's folder is "
        "resumed: finished steps are skipped.",
    ),
    model: str = typer.Option(None, help="Base model spec (default: litclip-tiny)."),
    config: Path = typer.Option(
        None,
        help="YAML/TOML/JSON file with every option (sections corpus/split/train/evaluate/index); "
        "the options given here win over it.",
    ),
    seed: int = typer.Option(
        None,
        help="Seed for splits, training and evaluation (default: 0; split.seed in --config "
        "wins for the split).",
    ),
    device: str = typer.Option(None, help="cpu, cuda or auto (default: cpu)."),
    split_kinds: str = typer.Option(
        None,
        metavar="KINDS",
        help="Figure kinds the split (and so training and retrieval) keeps, comma-separated "
        "(image, chart, diagram, table, other), or 'all' (default: image; split.kinds in "
        "--config).",
    ),
) -> None:
    """Corpus build -> split by article -> fine-tune -> evaluate base vs fine-tuned -> index -> report."""
    from litclip.workflow.config import load_run_config
    from litclip.workflow.run import run_pipeline

    cfg = load_run_config(config, pdfs=pdfs, out=out, model=model, seed=seed, device=device)
    if split_kinds is not None:
        cfg.split.kinds = _kinds(split_kinds)
    run_pipeline(cfg)


def _kinds(text: str) -> list[str] | None:
    """``--split-kinds``: a comma list of figure kinds, or ``all`` (None: every kind)."""
    from litclip.corpus.kinds import check_kinds

    if text.strip().lower() == "all":
        return None
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    check_kinds(kinds or [text], "--split-kinds", also=", or all")
    return kinds


def demo(
    out: str = typer.Option("demo_out", help="Output folder (reused on a rerun)."),
    articles: int = typer.Option(DEMO_ARTICLES, min=3, help="Articles in the synthetic journal."),
    epochs: int = typer.Option(DEMO_EPOCHS, min=1, help="Fine-tuning epochs."),
    seed: int = typer.Option(0, help="Seed of the journal, the splits, training and evaluation."),
    model: str = typer.Option("litclip-tiny", help="Base model spec to fine-tune."),
    device: str = typer.Option("cpu", help="cpu, cuda or auto."),
    serve: bool = typer.Option(
        False, "--serve", help="Then start the search page on the demo index."
    ),
    port: int = typer.Option(8000, min=1, max=65535, help="Port for --serve (binds 127.0.0.1)."),
) -> None:
    """Run the whole pipeline offline on a generated synthetic neuro-imaging journal."""
    from litclip.workflow.demo import DemoOptions, run_demo

    summary = run_demo(DemoOptions(out, articles, epochs, seed, model, device))
    if serve and summary.index_dir:
        from litclip.serve import serve as serve_index

        typer.echo(f"search page: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
        serve_index(summary.index_dir, host="127.0.0.1", port=port)
