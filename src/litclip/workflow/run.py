"""``litclip run``: the main job on a user's own journal, composed from the stages' public APIs.

corpus build -> split by article -> fine-tune -> evaluate base vs fine-tuned -> index -> report.
Layout of ``OUT/``::

    run_config.json     the resolved RunConfig (+ litclip version)
    corpus/             corpus directory (contract 1)
    splits/             train/val/test manifests, split by article
    train/              training run (checkpoints, metrics.jsonl, model/ = fine-tuned model dir)
    results.json        every metric of the base and the fine-tuned model (contract 4)
    report.html         the report rendered from results.json (+ report.md)
    index/              the search index over the corpus (contract 5)
    .steps/             completion markers: a rerun reuses every finished step

Each step is skipped when its output is already complete for the same options.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from litclip.errors import LitclipError
from litclip.io import atomic_write_json, read_json, to_json, write_resolved_config
from litclip.workflow.config import RunConfig, stage_config
from litclip.workflow.split import split_corpus
from litclip.workflow.steps import StepRunner
from litclip.workflow.summary import headline, print_summary


@dataclass
class RunSummary:
    """What a run produced: paths plus the headline numbers printed at the end."""

    out_dir: Path
    report: Path
    results: Path
    model_dir: Path | None
    index_dir: Path | None
    extraction: dict[str, Any] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)


def _corpus_step(cfg: RunConfig, out: Path, steps: StepRunner, console: Console) -> dict[str, Any]:
    from litclip.corpus import CorpusConfig, build_corpus

    corpus_cfg = stage_config(CorpusConfig, cfg.corpus, "config.corpus")

    def build() -> dict[str, Any]:
        summary = build_corpus(cfg.pdfs, out / "corpus", corpus_cfg, progress=True)
        console.print(
            f"PDFs ok {summary.pdfs_ok}, errors {summary.pdfs_error}; pairs {summary.pairs}, "
            f"passed QC {summary.passed}"
        )
        if summary.passed == 0:
            raise LitclipError(
                f"no figure/caption pair passed quality control in {cfg.pdfs}: see "
                f"{out / 'corpus' / 'pdf_status.jsonl'} and datasheet.md"
            )
        return {"pairs": summary.pairs, "passed": summary.passed, "pdfs_error": summary.pdfs_error}

    key = {"pdfs": _fingerprint(Path(cfg.pdfs)), "corpus": dataclasses.asdict(corpus_cfg)}
    return steps.run("corpus", key, build)


def _fingerprint(pdfs: Path) -> list[tuple[str, int, int]]:
    """Names, sizes and mtimes of the inputs: new or changed PDFs redo the (resumable) build."""
    files = [pdfs] if pdfs.is_file() else sorted(p for p in pdfs.rglob("*") if p.is_file())
    return [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


def _extraction_step(cfg: RunConfig, out: Path, steps: StepRunner, console: Console) -> dict:
    truth = Path(cfg.pdfs) / "ground_truth.json"
    if not truth.is_file():
        return {}

    def evaluate() -> dict[str, Any]:
        from litclip.corpus.evaluate import evaluate_corpus, format_table

        metrics = evaluate_corpus(out / "corpus", truth)
        keys = ("figure_precision", "figure_recall", "caption_match", "panel_accuracy")
        headline = {k: metrics[k] for k in keys if k in metrics}
        if len(metrics.get("per_pdf", {})) <= 8:  # a per-PDF table only while it stays short
            console.print(format_table(metrics))
        console.print(
            f"extraction vs {truth.name}: " + ", ".join(f"{k} {v:.3f}" for k, v in headline.items())
        )
        return headline

    return steps.run("extraction-check", {"truth": str(truth)}, evaluate, after=["corpus"])


def _train_step(cfg: RunConfig, out: Path, splits: dict, steps: StepRunner) -> Path:
    from litclip.train import TrainConfig, train

    values = {
        "model": cfg.model,
        "data": str(splits["train"]),
        "val_data": str(splits["val"]),
        "out": str(out / "train"),
        "seed": cfg.seed,
        "device": cfg.device,
        **cfg.train,
    }
    train_cfg = TrainConfig.from_dict(values)
    n_train = len(pd.read_parquet(splits["train"], columns=["pair_id"]))
    if 2 <= n_train < train_cfg.batch_size * train_cfg.accum_steps:
        # A small journal must still train: one full batch per step at most.
        train_cfg = TrainConfig.from_dict({**values, "batch_size": n_train, "accum_steps": 1})

    def fit() -> dict[str, Any]:
        run_dir = out / "train"
        key_file = run_dir / "run_key.json"
        key = train_cfg.to_dict()
        if key_file.is_file() and read_json(key_file) != json.loads(to_json(key)):
            shutil.rmtree(run_dir)  # options changed: never resume another run's checkpoints
        atomic_write_json(key_file, key)
        # A run killed mid-way resumes from its last checkpoint (none yet: starts fresh).
        resume = train_cfg.resume or "latest"
        result = train(TrainConfig.from_dict({**train_cfg.to_dict(), "resume": resume}))
        model_dir = result.best_model_dir or result.model_dir
        return {"model_dir": str(model_dir), "steps": result.steps, "metrics": result.metrics}

    return Path(steps.run("train", train_cfg.to_dict(), fit, after=["split"])["model_dir"])


def _evaluate_step(
    cfg: RunConfig, out: Path, model_dir: Path, splits: dict, steps: StepRunner
) -> dict[str, Any]:
    from litclip.evaluate import EvalConfig, run_evaluation

    datasets = [f"pairs:{splits['test']}", *cfg.evaluate.datasets]
    models = [cfg.model, str(model_dir)]
    eval_cfg = EvalConfig(
        seed=cfg.seed, batch_size=cfg.evaluate.batch_size, device=_eval_device(cfg.device)
    )

    def evaluate() -> dict[str, Any]:
        run_evaluation(models, datasets, cfg.evaluate.tasks, out, eval_cfg)
        return {"results": str(out / "results.json"), "report": str(out / "report.html")}

    key = {"models": models, "datasets": datasets, "tasks": cfg.evaluate.tasks}
    return steps.run("evaluate", key, evaluate, after=["train"])


def _eval_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _index_step(cfg: RunConfig, out: Path, model_dir: Path, steps: StepRunner) -> Path | None:
    if not cfg.index.enabled:
        return None
    from litclip.serve import build_index

    def build() -> dict[str, Any]:
        path = build_index(
            str(model_dir),
            out / "corpus",
            out / "index",
            include_failed=cfg.index.include_rejected,
            pdf_dir=cfg.pdfs,
            device=_eval_device(cfg.device),
            rebuild=True,  # this step only reruns when the model or corpus changed
        )
        return {"index_dir": str(path)}

    key = {"model": str(model_dir), "include_rejected": cfg.index.include_rejected}
    return Path(steps.run("index", key, build, after=["train", "corpus"])["index_dir"])


def run_pipeline(cfg: RunConfig, console: Console | None = None) -> RunSummary:
    """Run (or resume) the whole job described by ``cfg``; see the module docstring."""
    console = console or Console()
    if not cfg.pdfs or not Path(cfg.pdfs).exists():
        raise LitclipError(f"PDF input '{cfg.pdfs}' does not exist: pass --pdfs DIR")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    write_resolved_config(out, dataclasses.asdict(cfg), name="run_config.json")
    steps = StepRunner(out, console)
    _corpus_step(cfg, out, steps, console)
    extraction = _extraction_step(cfg, out, steps, console)
    splits = steps.run(
        "split",
        dataclasses.asdict(cfg.split),
        lambda: {
            k: str(v) for k, v in split_corpus(out / "corpus", out / "splits", cfg.split).items()
        },
        after=["corpus"],
    )
    model_dir = _train_step(cfg, out, splits, steps)
    _evaluate_step(cfg, out, model_dir, splits, steps)
    index_dir = _index_step(cfg, out, model_dir, steps)
    numbers = headline(out / "results.json", base=cfg.model, finetuned=str(model_dir))
    summary = RunSummary(
        out_dir=out,
        report=out / "report.html",
        results=out / "results.json",
        model_dir=model_dir,
        index_dir=index_dir,
        extraction=extraction,
        headline=numbers,
    )
    print_summary(console, summary, steps.timings)
    return summary
