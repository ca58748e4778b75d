"""``litclip demo``: ``run`` on a freshly generated synthetic journal, with demo-sized defaults.

The journal (PDFs, ground truth, article splits, labelled classification sets) is generated
into ``OUT/journal`` and reused on a rerun; then :func:`run_pipeline` does the rest with the
journal's article splits and classification sets.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from litclip.console import new_console
from litclip.workflow.config import EvaluateOptions, RunConfig, SplitOptions
from litclip.workflow.defaults import (
    DEMO_ARTICLES,
    DEMO_EPOCHS,
    DEMO_TRAIN_PRESET,
    DEMO_VAL_METRIC,
)
from litclip.workflow.run import RunSummary, check_device, check_out, make_out, run_pipeline
from litclip.workflow.steps import StepRunner

# The training preset locks the pretrained MiniLM text tower (its projection still trains)
# and trains the random image tower: minutes on 2 CPU cores.
CLASSIFICATION_TASKS = ("ct_hemorrhage", "mri_lesion")


@dataclass
class DemoOptions:
    """Options of ``litclip demo`` (everything else comes from :class:`RunConfig` defaults)."""

    out: str = "demo_out"
    articles: int = DEMO_ARTICLES
    epochs: int = DEMO_EPOCHS
    seed: int = 0
    model: str = "litclip-tiny"
    device: str = "cpu"
    classification_articles: int = 60


def _journal_step(opts: DemoOptions, out: Path, steps: StepRunner) -> Path:
    from litclip.data.synthetic import generate_journal

    journal = out / "journal"

    def generate() -> dict[str, Any]:
        shutil.rmtree(journal, ignore_errors=True)  # options changed: never mix two journals
        summary = generate_journal(
            journal,
            n_articles=opts.articles,
            seed=opts.seed,
            classification_articles=opts.classification_articles,
        )
        return {"journal": str(journal), "summary": summary}

    key = {"articles": opts.articles, "seed": opts.seed, "cls": opts.classification_articles}
    steps.run("synthetic-journal", key, generate, products=lambda _: [journal / "pdfs"])
    return journal


def _demo_train(opts: DemoOptions) -> dict[str, Any]:
    from litclip.train.config import PRESETS

    values = {k: v for k, v in PRESETS[DEMO_TRAIN_PRESET].items() if k != "model"}
    return {**values, "epochs": opts.epochs, "val_metric": DEMO_VAL_METRIC}


SYNTHETIC_NOTE = (
    "every number here comes from litclip's synthetic journal (`litclip synth`: generated "
    "phantom images, figures and articles), not from real patients or papers. It shows that "
    "the pipeline runs end to end and what its outputs look like, not how a model does on "
    "real data."
)


SYNTHETIC_SOURCES = (
    "The PDFs are litclip's synthetic neuro-imaging journal (`litclip synth`): generated "
    "articles with phantom images and charts, no real patients or papers."
)


def demo_config(opts: DemoOptions, journal: Path) -> RunConfig:
    """The RunConfig that ``demo`` runs: the journal's splits and classification sets."""
    datasets = [
        f"folder:{journal / 'classification' / task}"
        for task in CLASSIFICATION_TASKS
        if (journal / "classification" / task).is_dir()
    ]
    return RunConfig(
        pdfs=str(journal / "pdfs"),
        out=opts.out,
        model=opts.model,
        seed=opts.seed,
        device=opts.device,
        corpus={"workers": 2, "description": SYNTHETIC_SOURCES},
        split=SplitOptions(seed=opts.seed, splits_file=str(journal / "splits.json")),
        train=_demo_train(opts),
        evaluate=EvaluateOptions(datasets=datasets, notes=[SYNTHETIC_NOTE]),
    )


def run_demo(opts: DemoOptions, console: Console | None = None) -> RunSummary:
    """Generate (or reuse) the synthetic journal, then run the whole pipeline on it."""
    from litclip.models import load_model

    console = console or new_console()
    out = Path(opts.out)
    check_out(out)  # the rest is checked by run_pipeline, after the journal is made
    check_device(opts.device)
    load_model(opts.model)  # a typo fails now, not after the journal
    make_out(out)
    journal = _journal_step(opts, out, StepRunner(out, console))
    return run_pipeline(demo_config(opts, journal), console)
