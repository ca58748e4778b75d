"""``litclip run``: the main job on a user's own journal, composed from the stages' public APIs.

corpus build -> split by article -> fine-tune -> evaluate base vs fine-tuned -> index -> report.
Layout of ``OUT/``::

    run_config.json     the resolved RunConfig (+ litclip version)
    corpus/             corpus directory (contract 1)
    splits/             train/val/test manifests, split by article
    train/              training run (checkpoints, metrics.jsonl, model/ = fine-tuned model dir)
    results.json        every metric of the base and the fine-tuned model (contract 4)
    config.json         the evaluation's resolved options (+ litclip version) behind results.json
    report.html         the report rendered from results.json (+ report.md)
    index/              the search index over the corpus (contract 5)
    .steps/             completion markers: a rerun reuses every finished step

Each step is skipped when its output is already complete for the same options.
"""

from __future__ import annotations

import dataclasses
import json
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
    from litclip.corpus.pipeline import crop_options_changed

    corpus_cfg = stage_config(CorpusConfig, cfg.corpus, "config.corpus")

    def build() -> dict[str, Any]:
        if crop_options_changed(out / "corpus", corpus_cfg):  # its crops would not change
            _set_aside(out / "corpus", "corpus crop options changed")
        summary = build_corpus(cfg.pdfs, out / "corpus", corpus_cfg, progress=True)
        if summary.pairs:  # a page to read the pairs by eye before trusting the numbers
            from litclip.corpus.preview import write_preview

            write_preview(out / "corpus")
        console.print(
            f"PDFs ok {summary.pdfs_ok}, errors {summary.pdfs_error}; pairs {summary.pairs}, "
            f"passed QC {summary.passed}"
        )
        for line in summary.failed_lines():
            console.print(f"  failed: {line}", markup=False, highlight=False)
        if summary.passed == 0:
            unreadable = (
                f" ({summary.unreadable} PDF(s) have no text to read captions from: no text "
                "layer, or fonts without a Unicode map)"
                if summary.unreadable
                else ""
            )
            raise LitclipError(
                f"no figure/caption pair passed quality control in {cfg.pdfs}{unreadable}: "
                f"see {out / 'corpus' / 'pdf_status.jsonl'} and datasheet.md"
            )
        return {"pairs": summary.pairs, "passed": summary.passed, "pdfs_error": summary.pdfs_error}

    key = {"pdfs": _fingerprint(Path(cfg.pdfs), out), "corpus": dataclasses.asdict(corpus_cfg)}
    return steps.run("corpus", key, build)


def _fingerprint(pdfs: Path, out: Path) -> list[tuple[str, int, int]]:
    """Names, sizes and mtimes of the inputs: new or changed PDFs redo the (resumable) build.
    Inputs inside the run folder (the demo's journal) are named relative to it."""
    files = [pdfs] if pdfs.is_file() else sorted(p for p in pdfs.rglob("*") if p.is_file())
    return [(_inside(out, p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


def _extraction_step(cfg: RunConfig, out: Path, steps: StepRunner, console: Console) -> dict:
    truth = Path(cfg.pdfs) / "ground_truth.json"
    if not truth.is_file():
        return {}

    def evaluate() -> dict[str, Any]:
        from litclip.corpus.evaluate import evaluate_corpus, format_table

        try:
            metrics = evaluate_corpus(out / "corpus", truth)
        except LitclipError as exc:  # a truth file about other PDFs: a note, not a failed run
            console.print(f"[yellow]extraction check skipped:[/] {exc}")
            return {}
        keys = ("figure_precision", "figure_recall", "caption_match", "panel_accuracy")
        headline = {k: metrics[k] for k in keys if k in metrics}
        if len(metrics.get("per_pdf", {})) <= 8:  # a per-PDF table only while it stays short
            console.print(format_table(metrics))
        console.print(
            f"extraction vs {truth.name}: " + ", ".join(f"{k} {v:.3f}" for k, v in headline.items())
        )
        return headline

    key = {"truth": _inside(out, truth)}
    return steps.run("extraction-check", key, evaluate, after=["corpus"])


def _train_step(cfg: RunConfig, out: Path, splits: dict, steps: StepRunner) -> Path:
    from litclip.train import TrainConfig, train
    from litclip.train.checkpoint import earlier_attempt

    values = {
        "model": cfg.model,
        "data": str(out / splits["train"]),
        "val_data": str(out / splits["val"]),
        "out": str(out / "train"),
        "seed": cfg.seed,
        "device": cfg.device,
        **cfg.train,
    }
    train_cfg = TrainConfig.from_dict(values)
    n_train = len(pd.read_parquet(out / splits["train"], columns=["pair_id"]))
    if 2 <= n_train < train_cfg.batch_size * train_cfg.accum_steps:
        # A small journal must still train: one full batch per step at most.
        train_cfg = TrainConfig.from_dict({**values, "batch_size": n_train, "accum_steps": 1})
        Console(stderr=True).print(
            f"[yellow]only {n_train} training pairs: batch_size lowered to {n_train}[/]"
        )
    # the key names the run folder's own files relative to it: the same run whatever the
    # working directory, however OUT is spelled, wherever the folder has moved
    # options that only change how the run is carried out (workers, logging, device) are
    # left out: changing them must not throw away a trained or half-trained model
    key = json.loads(to_json(train_cfg.maths()))
    key.update({k: _inside(out, v) for k, v in values.items() if k in ("data", "val_data", "out")})

    def fit() -> dict[str, Any]:
        run_dir = out / "train"
        key_file = run_dir / "run_key.json"
        if key_file.is_file() and read_json(key_file) != key:
            _set_aside(run_dir)  # options changed: never resume another run's checkpoints
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(key_file, key)
        # A run killed mid-way resumes from its last checkpoint (none yet: starts afresh).
        resume = train_cfg.resume or ("latest" if any(earlier_attempt(run_dir)) else None)
        result = train(TrainConfig.from_dict({**train_cfg.to_dict(), "resume": resume}))
        model_dir = result.best_model_dir or result.model_dir
        return {
            "model_dir": _inside(out, model_dir),
            "steps": result.steps,
            "metrics": result.metrics,
        }

    return out / steps.run("train", key, fit, after=["split"])["model_dir"]


def _inside(out: Path, path: str | Path) -> str:
    """``path`` relative to the run folder ``out`` when inside it, else absolute."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(out).as_posix()
    except ValueError:
        return str(resolved)


def _portable(out: Path, dataset: str) -> str:
    """A ``KIND:PATH`` dataset spec with its path as :func:`_inside` names it."""
    kind, sep, rest = dataset.partition(":")
    return f"{kind}:{_inside(out, rest)}" if sep and Path(rest).exists() else dataset


def _set_aside(run_dir: Path, why: str = "training options changed") -> None:
    """Move a step's folder made with other options out of the way (never delete a model)."""
    n = 1
    while (aside := run_dir.with_name(f"{run_dir.name}.replaced-{n}")).exists():
        n += 1
    run_dir.rename(aside)
    Console(stderr=True).print(f"[yellow]{why}: the earlier one was moved to {aside}[/]")


def _evaluate_step(
    cfg: RunConfig, out: Path, model_dir: Path, splits: dict, steps: StepRunner
) -> dict[str, Any]:
    from litclip.evaluate import EvalConfig, run_evaluation

    datasets = [f"pairs:{out / splits['test']}", *cfg.evaluate.datasets]
    models = [cfg.model, str(model_dir)]
    eval_cfg = EvalConfig(
        seed=cfg.seed, batch_size=cfg.evaluate.batch_size, device=_eval_device(cfg.device)
    )

    def evaluate() -> dict[str, Any]:
        run_evaluation(models, datasets, cfg.evaluate.tasks, out, eval_cfg)
        # results.json names the fine-tuned model by the path it had then
        return {"results": "results.json", "report": "report.html", "finetuned": models[1]}

    key = {
        "models": [cfg.model, _inside(out, model_dir)],
        "datasets": [_portable(out, d) for d in datasets],
        "tasks": cfg.evaluate.tasks,
    }
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
        return {"index_dir": _inside(out, path)}

    # the index records absolute paths (model, corpus, PDFs): a moved run folder rebuilds it
    key = {"model": str(model_dir), "include_rejected": cfg.index.include_rejected}
    return out / steps.run("index", key, build, after=["train", "corpus"])["index_dir"]


def _check_before_work(cfg: RunConfig) -> None:
    """Mistakes in the training options or the extra datasets, found before an hour of
    corpus building and training rather than after."""
    from litclip.corpus import CorpusConfig
    from litclip.evaluate.datasets import parse_spec
    from litclip.evaluate.runner import ALL_TASKS
    from litclip.models import load_model
    from litclip.train import TrainConfig

    stage_config(CorpusConfig, cfg.corpus, "config.corpus")
    TrainConfig.from_dict({"model": cfg.model, "data": "-", "out": "-", **cfg.train})
    unknown = [t for t in cfg.evaluate.tasks if t not in ALL_TASKS]
    if unknown:
        raise LitclipError(
            f"unknown task(s) {unknown} in config.evaluate.tasks; choose from {', '.join(ALL_TASKS)}"
        )
    for spec in cfg.evaluate.datasets:
        _, path = parse_spec(spec)
        if not path.exists():
            raise LitclipError(f"dataset not found: {spec} (config.evaluate.datasets)")
    load_model(cfg.model)  # an unreachable hub or a typo fails now, not after the corpus


def run_pipeline(cfg: RunConfig, console: Console | None = None) -> RunSummary:
    """Run (or resume) the whole job described by ``cfg``; see the module docstring."""
    console = console or Console()
    if not cfg.pdfs or not Path(cfg.pdfs).exists():
        raise LitclipError(f"PDF input '{cfg.pdfs}' does not exist: pass --pdfs DIR")
    _check_before_work(cfg)
    out = Path(cfg.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    write_resolved_config(out, dataclasses.asdict(cfg), name="run_config.json")
    steps = StepRunner(out, console)
    _corpus_step(cfg, out, steps, console)
    extraction = _extraction_step(cfg, out, steps, console)
    # outputs named relative to the run folder (older runs stored other paths: redo the split)
    split_key = {**dataclasses.asdict(cfg.split), "paths": "relative to the run folder"}
    if split_key.get("splits_file"):
        split_key["splits_file"] = _inside(out, split_key["splits_file"])
    splits = steps.run(
        "split",
        split_key,
        lambda: {
            k: _inside(out, v)
            for k, v in split_corpus(out / "corpus", out / "splits", cfg.split).items()
        },
        after=["corpus"],
    )
    model_dir = _train_step(cfg, out, splits, steps)
    evaluated = _evaluate_step(cfg, out, model_dir, splits, steps)
    index_dir = _index_step(cfg, out, model_dir, steps)
    finetuned = evaluated.get("finetuned", str(model_dir))
    numbers = headline(out / "results.json", base=cfg.model, finetuned=finetuned)
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
