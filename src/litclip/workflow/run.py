"""``litclip run``: the main job on a user's own journal, composed from the stages' public APIs.

corpus build -> split by article -> fine-tune -> evaluate base vs fine-tuned -> index -> report.
Layout of ``OUT/``::

    run_config.json     the resolved RunConfig (+ litclip version; earlier runs' under "earlier")
    corpus/             corpus directory (contract 1)
    splits/             train/val/test manifests, split by article (+ config.json)
    train/              training run (checkpoints, metrics.jsonl, model/ = fine-tuned model dir)
    results.json        every metric of the base and the fine-tuned model (contract 4)
    config.json         the evaluation's resolved options (+ litclip version) behind results.json
    report.html         the report rendered from results.json (+ report.md)
    index/              the search index over the corpus (contract 5)
    .steps/             completion markers: a rerun reuses every finished step
    NAME.replaced-N/    what a redone step replaced (a model, a corpus, results and report)

Each step is skipped when its output is already complete for the same options. Results of an
earlier evaluation (another model, other data or other tasks) are set aside, never merged
with the current run's.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape

from litclip import __version__
from litclip.console import new_console
from litclip.errors import LitclipError
from litclip.io import (
    atomic_write_json,
    foreign_entries,
    read_json,
    sha256_file,
    to_json,
    within,
    write_resolved_config,
)
from litclip.workflow.config import RunConfig, check_split, stage_config
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
        elif _another_journal(out / "corpus", pdfs):  # a resume would silently replace it
            _set_aside(out / "corpus", "the PDFs are not the ones the corpus was built from")
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
        if summary.pdfs_left_out:
            console.print(summary.left_out_note())
        if summary.passed == 0:
            unreadable = (
                f" ({summary.unreadable} PDF(s) have no text to read captions from: no text "
                "layer on all or most pages, or fonts without a Unicode map)"
                if summary.unreadable
                else ""
            )
            raise LitclipError(
                f"no figure/caption pair passed quality control in {cfg.pdfs}{unreadable}: "
                f"see {out / 'corpus' / 'pdf_status.jsonl'} and datasheet.md"
            )
        return {"pairs": summary.pairs, "passed": summary.passed, "pdfs_error": summary.pdfs_error}

    pdfs = _input_files(Path(cfg.pdfs))
    key = {"pdfs": _fingerprint(pdfs, out), "corpus": dataclasses.asdict(corpus_cfg)}
    manifest = out / "corpus" / "manifest.parquet"
    # the steps after it follow what the corpus holds, not the build that made it: a PDF
    # touched or copied again rebuilds an identical corpus, and must not retrain
    return steps.run(
        "corpus",
        key,
        build,
        products=lambda _: [manifest],
        # the description is datasheet text: a new one rewrites it, and nothing after it
        content=lambda _: _content_hash(
            manifest, {k: v for k, v in key["corpus"].items() if k != "description"}
        ),
    )


def _content_hash(path: Path, options: Any) -> str:
    """A file's bytes with the options that made it: what a step's successors depend on."""
    return sha256_file(path, seed=to_json(options, indent=None).encode())[:16]


def _input_files(pdfs: Path) -> list[Path]:
    """The files whose names, sizes and times stand for the input: a folder's PDFs (its
    README or ground truth is no input), or a list file and the PDFs it lists (an edit to
    either redoes the build)."""
    from litclip.corpus.pipeline import LIST_SUFFIXES, pdfs_under, resolve_inputs

    if pdfs.is_dir():
        return pdfs_under(pdfs)

    listed = resolve_inputs(pdfs) if pdfs.suffix.lower() in LIST_SUFFIXES else []
    return [pdfs, *(p for p in listed if p.is_file())]


def _fingerprint(files: list[Path], out: Path) -> list[tuple[str, int, int]]:
    """Names, sizes and mtimes of the inputs: new or changed PDFs redo the (resumable) build.
    Inputs inside the run folder (the demo's journal) are named relative to it."""
    return [(_inside(out, p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


def _another_journal(corpus: Path, files: list[Path]) -> bool:
    """Whether the corpus in ``corpus`` was built from none of ``files`` (by name and size):
    another journal's, set aside rather than turned into this one's. Added or removed PDFs
    of the same journal resume the build."""
    config = corpus / "config.json"
    try:
        earlier = read_json(config).get("inputs") or [] if config.is_file() else []
    except (ValueError, AttributeError):
        return False  # not a corpus config: the corpus build words that itself
    before = {(e.get("name"), e.get("bytes")) for e in earlier if isinstance(e, dict)}
    return bool(before) and not before & {(p.name, p.stat().st_size) for p in files}


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
        new_console(stderr=True).print(
            f"[yellow]only {n_train} training pairs: batch_size lowered to {n_train}[/]"
        )
    # the key names the run folder's own files relative to it: the same run whatever the
    # working directory, however OUT is spelled, wherever the folder has moved
    # options that only change how the run is carried out (workers, logging, device) are
    # left out: changing them must not throw away a trained or half-trained model
    key = json.loads(to_json(train_cfg.maths()))
    key.update({k: _inside(out, v) for k, v in values.items() if k in ("data", "val_data", "out")})

    made = lambda o: [out / o["model_dir"]]  # noqa: E731
    if steps.lost("train", made) and (out / "train").is_dir():
        # its run is complete: resuming it would train nothing and make no best model
        _set_aside(out / "train", "the trained model is gone")

    def fit() -> dict[str, Any]:
        run_dir = out / "train"
        key_file = run_dir / "run_key.json"
        # the split it trained on too (new PDFs change it, a killed run's is the same); a
        # run from before splits were recorded is judged by its options alone
        stamped = {**key, "split": steps.hashes["split"]}
        earlier = read_json(key_file) if key_file.is_file() else None
        if earlier is not None and earlier != (stamped if "split" in earlier else key):
            _set_aside(run_dir)  # options or data changed: never resume another run's
        elif (run_dir / "model").is_dir() and not earlier_attempt(run_dir)[0]:
            # finished without checkpoints (cpu-small saves none), killed before its step
            # was recorded: nothing to resume, and a new run must not replace its model
            _set_aside(run_dir, "an earlier run left a model but no checkpoint to resume")
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(key_file, stamped)
        # A run killed mid-way resumes from its last checkpoint (none yet: starts afresh).
        resume = train_cfg.resume or ("latest" if any(earlier_attempt(run_dir)) else None)
        result = train(TrainConfig.from_dict({**train_cfg.to_dict(), "resume": resume}))
        model_dir = result.best_model_dir or result.model_dir
        return {
            "model_dir": _inside(out, model_dir),
            "steps": result.steps,
            "metrics": result.metrics,
        }

    done = steps.run("train", key, fit, after=["split"], products=made)
    return out / done["model_dir"]


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


def _aside(path: Path) -> Path:
    """The first free ``NAME.replaced-N`` beside ``path``."""
    n = 1
    while (aside := path.with_name(f"{path.name}.replaced-{n}")).exists():
        n += 1
    return aside


def _absolute_spec(dataset: str) -> str:
    """A ``KIND:PATH`` dataset spec with its path absolute (options after ``?`` kept)."""
    kind, sep, rest = dataset.partition(":")
    path, q, options = rest.partition("?")
    return f"{kind}:{Path(path).resolve()}{q}{options}" if sep and Path(path).exists() else dataset


def _set_aside(run_dir: Path, why: str = "training options changed") -> None:
    """Move a step's folder made with other options out of the way (never delete a model)."""
    aside = _aside(run_dir)
    run_dir.rename(aside)
    new_console(stderr=True).print(f"[yellow]{why}: the earlier one was moved to {aside}[/]")


#: What an evaluation writes into the run folder (features/ is a cache keyed by the weights)
_RESULT_FILES = re.compile(r"results\.json|config\.json|report\.(html|md)|report_fig\d+\.png")


def _set_aside_results(out: Path, source: str, why: str) -> None:
    """Move the results and report of an evaluation other than ``source`` (another model,
    other data or other tasks) into ``results.replaced-N/``: results.json merges runs by model
    path and dataset name, so a retrained model would otherwise keep its old numbers."""
    stamp = out / ".steps" / "results-source.json"
    made_by = read_json(stamp).get("source") if stamp.is_file() else None
    files = [p for p in out.iterdir() if _RESULT_FILES.fullmatch(p.name) and p.is_file()]
    if files and made_by != source:
        aside = _aside(out / "results")
        aside.mkdir()
        for path in files:
            path.rename(aside / path.name)
        new_console(stderr=True).print(
            f"[yellow]{why}: the earlier results were moved to {aside}[/]"
        )
    atomic_write_json(stamp, {"source": source})


def _evaluate_step(
    cfg: RunConfig, out: Path, model_dir: Path, splits: dict, steps: StepRunner
) -> dict[str, Any]:
    from litclip.evaluate import EvalConfig, run_evaluation

    datasets = [f"pairs:{out / splits['test']}", *cfg.evaluate.datasets]
    models = [cfg.model, str(model_dir)]
    eval_cfg = EvalConfig(
        seed=cfg.seed,
        batch_size=cfg.evaluate.batch_size,
        device=_eval_device(cfg.device),
        model_roles={models[0]: "base", models[1]: "fine-tuned"},
        notes=tuple(cfg.evaluate.notes),
        # what the fine-tuned model saw: its evaluation images are checked against it
        contamination_manifest=str(out / splits["train"]) if "train" in splits else None,
    )

    def evaluate() -> dict[str, Any]:
        # an evaluation killed mid-way has the same source: its results are this run's
        _set_aside_results(out, steps.digest(key, ["train"]), _why(steps, "train"))
        results = run_evaluation(models, datasets, cfg.evaluate.tasks, out, eval_cfg)
        said = new_console(stderr=True)
        for line in results.get("skipped", []):  # as `litclip evaluate` says them
            said.print(f"[yellow]skipped:[/] {escape(str(line))}")
        # results.json names the fine-tuned model by the path it had then
        return {"results": "results.json", "report": "report.html", "finetuned": models[1]}

    key = {
        "models": [cfg.model, _inside(out, model_dir)],
        "datasets": [_portable(out, d) for d in datasets],
        "tasks": cfg.evaluate.tasks,
    }
    made = [out / "results.json", out / "report.html"]
    return steps.run("evaluate", key, evaluate, after=["train"], products=lambda _: made)


def _why(steps: StepRunner, upstream: str) -> str:
    redone = steps.timings.get(upstream, 0.0) > 0  # reused steps take 0 s
    return f"the {upstream} step was redone" if redone else "the evaluation is redone"


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
    done = steps.run(
        "index", key, build, after=["train", "corpus"], products=lambda o: [out / o["index_dir"]]
    )
    return out / done["index_dir"]


#: What a run folder holds (``journal``: the demo's), besides NAME.replaced-N, figures and
#: the results.replaced-N.json an evaluation sets aside (see litclip.evaluate.runner)
RUN_NAMES = frozenset(
    {"run_config.json", "corpus", "splits", "train", "index", "features", "journal"}
    | {"results.json", "config.json", "report.html", "report.md"}
)
_RUN_EXTRA = re.compile(r"\w+\.replaced-\d+(\.json)?|report_fig\d+\.png")


def check_out(out: Path, pdfs: str | None = None) -> None:
    """Refuse an ``--out`` that is (inside) the PDF folder (a rerun would read its own
    outputs as inputs) or another tool's folder (a corpus, an index, a model, a training run
    or an evaluation); a new, empty or earlier run folder (a demo's too) is resumed."""
    if pdfs and Path(pdfs).is_dir() and within(out, pdfs):
        raise LitclipError(f"--out {out} is (inside) the PDF folder {pdfs}: choose another folder")
    if out.is_file():
        raise LitclipError(f"--out {out} is a file, not a folder")
    if not out.is_dir():
        return
    other = foreign_entries(out, RUN_NAMES, also=_RUN_EXTRA)
    # a demo stopped while writing its journal has made nothing else yet
    ours = any((out / n).exists() for n in ("run_config.json", ".steps", "journal"))
    if other or (foreign_entries(out, frozenset()) and not ours):
        shown = f" holds other files ({', '.join(other[:3])}) and" if other else ""
        raise LitclipError(
            f"--out {out}{shown} is not a `litclip run` folder: choose a new or empty folder "
            "(an earlier run's folder is resumed)"
        )


def make_out(out: Path) -> None:
    """Create the run folder, or say in one line why it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LitclipError(
            f"--out {out} cannot be made ({exc.strerror}): choose a folder that can be written"
        ) from None


def check_device(device: str) -> None:
    """A typo or ``cuda`` without a GPU, said now rather than when training starts."""
    from litclip.models.device import resolve_device

    resolve_device(device)


def _check_before_work(cfg: RunConfig) -> None:
    """Mistakes in any stage's options or the extra datasets, found before an hour of
    corpus building and training rather than after."""
    from litclip.corpus import CorpusConfig
    from litclip.corpus.types import DPI_RANGE
    from litclip.evaluate.datasets import parse_spec
    from litclip.evaluate.runner import ALL_TASKS
    from litclip.models import load_model
    from litclip.train import TrainConfig
    from litclip.workflow.split import read_splits_file

    check_device(cfg.device)
    corpus = stage_config(CorpusConfig, cfg.corpus, "config.corpus")
    low, high = DPI_RANGE
    if not low <= corpus.dpi <= high:
        raise LitclipError(f"config.corpus.dpi must be in {low}..{high}, got {corpus.dpi}")
    check_split(cfg.split)
    if cfg.split.splits_file:
        read_splits_file(cfg.split.splits_file)
    TrainConfig.from_dict({"model": cfg.model, "data": "-", "out": "-", **cfg.train})
    unknown = [t for t in cfg.evaluate.tasks if t not in ALL_TASKS]
    if unknown:
        raise LitclipError(
            f"unknown task(s) {unknown} in config.evaluate.tasks; choose from {', '.join(ALL_TASKS)}"
        )
    if not cfg.evaluate.tasks:
        raise LitclipError(f"config.evaluate.tasks is empty; choose from {', '.join(ALL_TASKS)}")
    if cfg.evaluate.batch_size < 1:
        raise LitclipError(
            f"config.evaluate.batch_size must be >= 1, got {cfg.evaluate.batch_size}"
        )
    for spec in cfg.evaluate.datasets:
        _, path = parse_spec(spec)
        if not path.exists():
            raise LitclipError(f"dataset not found: {spec} (config.evaluate.datasets)")
    load_model(cfg.model)  # an unreachable hub or a typo fails now, not after the corpus


def _resolved(cfg: RunConfig) -> dict[str, Any]:
    """``cfg`` as run_config.json records it: paths absolute, whatever the working folder."""
    data = dataclasses.asdict(cfg)
    absolute = lambda p: str(Path(p).resolve()) if p else p  # noqa: E731
    data["pdfs"], data["out"] = absolute(cfg.pdfs), absolute(cfg.out)
    data["split"]["splits_file"] = absolute(cfg.split.splits_file)
    if Path(cfg.model).exists():
        data["model"] = absolute(cfg.model)
    data["evaluate"]["datasets"] = [_absolute_spec(d) for d in cfg.evaluate.datasets]
    return data


def _write_run_config(out: Path, cfg: RunConfig) -> None:
    """``run_config.json``, rewritten only when the options change; the earlier ones stay
    under ``"earlier"`` (oldest first): the config behind set-aside models and results."""
    path, config = out / "run_config.json", json.loads(to_json(_resolved(cfg)))
    try:
        earlier = read_json(path) if path.is_file() else {}
    except ValueError:  # a broken file is not worth refusing the run for
        earlier = {}
    if earlier.get("config") == config and earlier.get("litclip_version") == __version__:
        return
    history = earlier.pop("earlier", []) + ([earlier] if earlier else [])
    write_resolved_config(out, config, name="run_config.json", earlier=history)


def run_pipeline(cfg: RunConfig, console: Console | None = None) -> RunSummary:
    """Run (or resume) the whole job described by ``cfg``; see the module docstring."""
    console = console or new_console()
    if not cfg.pdfs:
        raise LitclipError("no PDFs given: pass --pdfs DIR (or pdfs: in the config file)")
    if not Path(cfg.pdfs).exists():
        raise LitclipError(f"PDF input '{cfg.pdfs}' does not exist: pass --pdfs DIR")
    if not cfg.out:
        raise LitclipError("no output folder: pass --out DIR (or out: in the config file)")
    check_out(Path(cfg.out), cfg.pdfs)
    _check_before_work(cfg)
    out = Path(cfg.out).resolve()
    make_out(out)
    _write_run_config(out, cfg)
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
        products=lambda o: [out / p for p in o.values()],
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
