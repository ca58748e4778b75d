"""``run_evaluation``: every requested task for every model on every dataset, one results file.

The runner opens datasets, caches image features per model/dataset/split, dispatches tasks
through the explicit :data:`TASKS` registry, merges run records into ``OUT/results.json``
after every task (so an interrupted evaluation resumes with ``skip_existing``) and renders
``OUT/report.html`` + ``OUT/report.md`` from the results file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from litclip.console import count, new_console
from litclip.errors import LitclipError, did_you_mean
from litclip.evaluate import datasets as dsets
from litclip.evaluate.features import FeatureCache, ModelHandle, random_init_warning
from litclip.evaluate.prompts import PromptSet, fill, resolve_prompts
from litclip.evaluate.results import (
    RESULTS_FILE,
    make_run,
    merge_runs,
    new_results,
    read_results,
    run_id,
    write_results,
)
from litclip.io import (
    files_stamp,
    read_json,
    refuse_foreign_out,
    sole_writer,
    write_resolved_config,
)

CLASSIFICATION_TASKS = ("zeroshot", "calibration", "linear-probe", "few-shot", "cnn")
PROMPT_TASKS = ("coop", "cocoop", "biomedcoop")
ALL_TASKS = (*CLASSIFICATION_TASKS, "retrieval", "retention", "contamination", *PROMPT_TASKS)
DEFAULT_TASKS = ("zeroshot", "calibration", "linear-probe", "few-shot", "retrieval")


@dataclass
class EvalConfig:
    """Options of an evaluation (every field is recorded in ``results.json``)."""

    seed: int = 0
    n_boot: int = 1000
    criterion: str = "f1"  # calibration threshold criterion: f1 | youden
    lp_metric: str = "accuracy"  # validation metric choosing the linear probe's C
    fewshot_ks: tuple[int, ...] = (1, 2, 4, 8, 16)
    fewshot_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    fewshot_finetune: bool = False
    finetune_epochs: int = 10
    retrieval_ks: tuple[int, ...] = (1, 5, 10)
    # prompt learning (coop, cocoop, biomedcoop); K and seeds default to the few-shot ones
    prompt_ks: tuple[int, ...] | None = None
    prompt_seeds: tuple[int, ...] | None = None
    prompt_n_ctx: int = 4
    prompt_epochs: int = 10
    prompt_lr: float = 0.0025
    prompt_batch_size: int = 4
    prompt_lambda1: float = 1.0
    prompt_lambda2: float = 1.0
    cnn_archs: tuple[str, ...] = ("resnet18",)
    cnn_epochs: int = 10
    cnn_pretrained: str = "auto"
    prompts: dict[str, str] = field(default_factory=dict)  # dataset name (or "*") -> file/set
    retention_dataset: str | None = None  # folder:DIR of a general-domain dataset
    retention_base: str | None = None  # default: the fine-tuned model's base_spec
    alphas: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    contamination_manifest: str | None = None
    exclude_contaminated: bool = False
    max_distance: int = 4
    batch_size: int = 64
    device: str = "cpu"
    cache_features: bool = True
    skip_existing: bool = False
    report: bool = True
    progress: bool = True
    # what each model is to the reader ({"litclip-tiny": "base", "run/model": "fine-tuned"}):
    # recorded with its runs, shown in the report next to the spec
    model_roles: dict[str, str] = field(default_factory=dict)
    # said at the top of the report (the demo: its data are synthetic)
    notes: tuple[str, ...] = ()


class _Context:
    """State shared by the tasks of one evaluation: config, caches, exclusions, logging."""

    def __init__(self, cfg: EvalConfig, out_dir: Path, log: Callable[[str], None]) -> None:
        self.cfg, self.out_dir, self.log = cfg, out_dir, log
        self.cache = FeatureCache(
            out_dir / "features" if cfg.cache_features else None, cfg.batch_size, cfg.progress
        )
        self._splits: dict[str, list[str]] = {}
        self._opened: dict[tuple[str, str], Any] = {}
        self._classifiers: dict[tuple[str, str], tuple[np.ndarray, PromptSet]] = {}
        self.exclusions: dict[tuple[str, str], list[int]] = {}
        self.skipped: list[str] = []
        self.warnings: list[str] = []
        self.config_written = False
        self.tasks_run = 0  # of this call (results.json also holds earlier calls' runs)
        self.runs_made = 0
        self.resolved: dict[str, Any] = {}
        self.stamps: dict[str, str | None] = {}  # model spec -> model_stamp

    def splits(self, spec: str) -> list[str]:
        if spec not in self._splits:
            self._splits[spec] = dsets.available_splits(spec)
        return self._splits[spec]

    def role(self, spec: str, role: str) -> str | None:
        """The split for ``role``; evaluation falls back to the whole set (``all``)."""
        found = dsets.role_split(self.splits(spec), role)
        if found is None and role == "test" and dsets.ALL in self.splits(spec):
            return dsets.ALL
        return found

    def dataset(self, spec: str, split: str) -> Any:
        if (spec, split) not in self._opened:
            ds = dsets.open_split(spec, split)
            dsets.check_one_label(spec, ds)
            self._opened[(spec, split)] = ds
            len(ds)  # the lazy check of every image runs here, so what it dropped is known
            failed = getattr(ds, "qc_failed_left_out", 0)
            if failed:
                self.skipped.append(
                    f"{count(failed, 'pair')} that failed QC left out of {spec} "
                    f"({split}), as training leaves them out (`?query=...` in the spec "
                    "chooses the rows yourself)"
                )
            skipped = list(getattr(ds, "skipped", None) or [])
            if skipped:
                first = skipped[0]
                self.skipped.append(
                    f"{len(skipped)} unreadable or empty item{'s' * (len(skipped) != 1)} left "
                    f"out of {spec} ({split}), "
                    f"e.g. {first.source}: {first.reason} (`litclip data info` lists them all)"
                )
        return self._opened[(spec, split)]

    def keep(self, spec: str, split: str) -> np.ndarray:
        """Indices kept after excluding contaminated items (when asked to)."""
        n = len(self.dataset(spec, split))
        drop = self.exclusions.get((spec, split), []) if self.cfg.exclude_contaminated else []
        return np.setdiff1d(np.arange(n), np.asarray(drop, dtype=int))

    def features(self, model: ModelHandle, spec: str, split: str) -> tuple[np.ndarray, np.ndarray]:
        """Features and labels of the kept items of a classification split."""
        ds = self.dataset(spec, split)
        feats = self.cache.images(model, ds, spec, split)
        keep = self.keep(spec, split)
        return feats[keep], np.asarray(ds.labels, dtype=np.int64).ravel()[keep]

    def prompts(self, spec: str, dataset: Any) -> PromptSet:
        name = dsets.dataset_name(spec)
        user = self.cfg.prompts.get(name) or self.cfg.prompts.get("*")
        prompts = resolve_prompts(dataset, user, name=name)
        if all(re.fullmatch(r"class \d+", c) for c in prompts.classnames):
            said = (  # the numbers would read as a zero-shot result on named classes
                f"zero-shot on {name} used prompts such as {fill(prompts.templates[0], 'class 0')!r}: "
                "its classes have no names (give them with --prompts FILE)"
            )
            self.warn(said)
        return prompts

    def warn(self, said: str) -> None:
        """Add a warning for results.json, once however many models or tasks meet it."""
        if said not in self.warnings:
            self.warnings.append(said)

    def classifier(
        self, model: ModelHandle, spec: str, dataset: Any
    ) -> tuple[np.ndarray, PromptSet]:
        """Zero-shot class weights of ``model`` for ``spec`` (built once per pair)."""
        key = (model.key, spec)
        if key not in self._classifiers:
            from litclip.evaluate.zeroshot import build_classifier
            from litclip.models import encode_texts

            prompts = self.prompts(spec, dataset)
            enc = lambda texts: encode_texts(model.loaded, texts, progress=False)  # noqa: E731
            self._classifiers[key] = (build_classifier(enc, prompts), prompts)
        return self._classifiers[key]

    def split_sizes(self, spec: str) -> dict[str, int]:
        return {s: len(self.keep(spec, s)) for s in self.splits(spec)}


def _classes(ctx: _Context, spec: str, split: str) -> list[str]:
    return list(ctx.dataset(spec, split).classnames)


def _common(ctx: _Context, spec: str, prompts: PromptSet | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"dataset_spec": spec, "split_sizes": ctx.split_sizes(spec)}
    if prompts is not None:
        out["prompts"] = prompts.to_dict()
    if ctx.cfg.exclude_contaminated and any(k[0] == spec for k in ctx.exclusions):
        out["excluded_contaminated"] = {
            k[1]: len(v) for k, v in ctx.exclusions.items() if k[0] == spec
        }
    return out


def _need(ctx: _Context, spec: str, *roles: str, task: str | None = None) -> list[str] | None:
    """The split names playing ``roles`` in ``spec``, or None (recorded as a skip of ``task``)."""
    found = [ctx.role(spec, r) for r in roles]
    if any(f is None for f in found):
        if task:
            need = " and ".join([", ".join(roles[:-1]), roles[-1]] if len(roles) > 1 else roles)
            ctx.skipped.append(
                f"{task} on {spec}: needs {'a ' * (len(roles) == 1)}{need} "
                f"split{'s' * (len(roles) > 1)} "
                f"(its splits: {', '.join(ctx.splits(spec))})"
            )
        return None
    return found  # type: ignore[return-value]


def _one_class_val(ctx: _Context, spec: str, val: str, test: str, task: str) -> bool:
    """Whether a binary task's ``val`` split holds one class only (recorded as a skip of
    ``task``): the threshold, and the CNN's epoch, are chosen there on both classes."""
    classes = _classes(ctx, spec, test)
    labels = np.asarray(ctx.dataset(spec, val).labels, dtype=np.int64).ravel()
    present = np.unique(labels[ctx.keep(spec, val)])
    if len(classes) != 2 or len(present) != 1:
        return False
    ctx.skipped.append(
        f"{task} on {spec}: its {val} split holds only class {classes[int(present[0])]!r}; "
        "a threshold is chosen on val between both classes (give val images of each)"
    )
    return True


def _split_features(
    ctx: _Context, model: ModelHandle, spec: str, task: str
) -> tuple[list[str], list[tuple[np.ndarray, np.ndarray]]] | None:
    """Train/val/test split names and their (features, labels), or None (skip recorded)."""
    splits = _need(ctx, spec, "train", "val", "test", task=task)
    if splits is None:
        return None
    return splits, [ctx.features(model, spec, s) for s in splits]


def _record(
    model: str, spec: str, task: str, split: str, res: dict, n: int, seeds: list[int], **extra: Any
) -> dict:
    """A contract-4 run record from a task module's ``{"metrics", "ci95", "details"}``."""
    return make_run(
        model,
        dsets.dataset_name(spec),
        task,
        split,
        res["metrics"],
        n,
        res["ci95"],
        seeds,
        res["details"],
        **extra,
    )


def task_zeroshot(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Zero-shot classification on the test split (or the whole set)."""
    from litclip.evaluate import zeroshot

    (test,) = _need(ctx, spec, "test", task="zeroshot") or (None,)
    if test is None:
        return []
    weights, prompts = ctx.classifier(model, spec, ctx.dataset(spec, test))
    x, y = ctx.features(model, spec, test)
    res = zeroshot.evaluate(
        x, y, weights, model.logit_scale, ctx.cfg.n_boot, ctx.cfg.seed, _classes(ctx, spec, test)
    )
    res["details"].update(_common(ctx, spec, prompts))
    return [_record(model.spec, spec, "zeroshot", test, res, len(y), [ctx.cfg.seed])]


def task_calibration(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Zero-shot with a threshold (binary) or temperature/bias (multi-class) fitted on val."""
    from litclip.evaluate import calibration
    from litclip.evaluate.zeroshot import zeroshot_logits

    splits = _need(ctx, spec, "val", "test", task="calibration")
    if splits is None or _one_class_val(ctx, spec, *splits, task="calibration"):
        return []
    val, test = splits
    weights, prompts = ctx.classifier(model, spec, ctx.dataset(spec, test))
    (xv, yv), (xt, yt) = ctx.features(model, spec, val), ctx.features(model, spec, test)
    scale = model.logit_scale
    res = calibration.evaluate(
        zeroshot_logits(xv, weights, scale),
        yv,
        zeroshot_logits(xt, weights, scale),
        yt,
        ctx.cfg.criterion,
        ctx.cfg.n_boot,
        ctx.cfg.seed,
        _classes(ctx, spec, test),
    )
    res["details"].update(_common(ctx, spec, prompts))
    n_classes = len(_classes(ctx, spec, test))
    if ctx.cfg.criterion != "f1" and n_classes > 2:  # said, not silently unused
        ctx.skipped.append(
            f"--criterion {ctx.cfg.criterion} chooses a binary threshold; "
            f"{dsets.dataset_name(spec)} has {n_classes} classes, so its calibration fits a "
            "temperature and class biases on val instead"
        )
    return [_record(model.spec, spec, "calibration", test, res, len(yt), [ctx.cfg.seed])]


def task_linear_probe(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Linear probe (CLIP protocol) on frozen image features."""
    from litclip.evaluate import linear_probe

    found = _split_features(ctx, model, spec, "linear-probe")
    if found is None:
        return []
    splits, ((xtr, ytr), (xv, yv), (xt, yt)) = found
    classes = _classes(ctx, spec, splits[2])
    res = linear_probe.evaluate(
        xtr,
        ytr,
        xv,
        yv,
        xt,
        yt,
        len(classes),
        ctx.cfg.lp_metric,
        seed=ctx.cfg.seed,
        n_boot=ctx.cfg.n_boot,
        classnames=classes,
    )
    res["details"].update(_common(ctx, spec))
    return [_record(model.spec, spec, "linear-probe", splits[2], res, len(yt), [ctx.cfg.seed])]


def _finetune_fn(ctx: _Context, model: ModelHandle, spec: str, splits: list[str]) -> Callable:
    from litclip.evaluate.fewshot import finetune_probs

    train_ds = ctx.dataset(spec, splits[0])
    test_ds = dsets.Subset(ctx.dataset(spec, splits[2]), ctx.keep(spec, splits[2]))
    weights, _ = ctx.classifier(model, spec, test_ds.dataset)

    def fit_predict(idx: np.ndarray, seed: int) -> np.ndarray:
        items = [train_ds[int(i)] for i in ctx.keep(spec, splits[0])[idx]]
        return finetune_probs(
            model.loaded, items, test_ds, weights, ctx.cfg.finetune_epochs, seed=seed
        )

    return fit_predict


def _feasible_ks(
    ctx: _Context,
    spec: str,
    task: str,
    ks: Sequence[int],
    y_train: np.ndarray,
    classes: Sequence[str] = (),
) -> list[int]:
    """The K values a train split can give, K images of every class; larger ones are recorded
    as skipped (past the smallest class, every draw takes all of it: the run would be
    unbalanced, the same images for every seed, yet labelled K-shot). ``classes`` (the
    label names) whose train split holds none are said too."""
    counts = np.bincount(np.asarray(y_train, dtype=np.int64))
    smallest = int(counts[counts > 0].min()) if len(y_train) else 0
    absent = [n for c, n in enumerate(classes) if c >= len(counts) or not counts[c]]
    if absent:  # K shots of every class are drawn from train: these get none, silently
        many = len(absent) > 1
        ctx.skipped.append(
            f"{task} on {spec}: class{'es' * many} {', '.join(map(repr, absent))} "
            f"{'have' if many else 'has'} no train images, so its K-shot rules never "
            f"predict {'them' if many else 'it'}"
        )
    kept = [int(k) for k in ks if k <= smallest]
    dropped = [int(k) for k in ks if k > smallest]
    if dropped:
        ctx.skipped.append(
            f"{task} K={','.join(map(str, dropped))} on {spec}: the smallest class of its "
            f"train split has {count(smallest, 'image')}"
        )
    return kept


def task_fewshot(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Few-shot linear probe (and optionally end-to-end fine-tuning): one run per K."""
    from litclip.evaluate import fewshot

    found = _split_features(ctx, model, spec, "few-shot")
    if found is None:
        return []
    splits, ((xtr, ytr), (xv, yv), (xt, yt)) = found
    n_classes = len(_classes(ctx, spec, splits[2]))
    methods: list[tuple[str, Callable | None]] = [("few-shot", None)]
    if ctx.cfg.fewshot_finetune:
        methods.append(("few-shot-finetune", _finetune_fn(ctx, model, spec, splits)))
    runs = []
    for task, fn in methods:
        for r in fewshot.evaluate(
            xtr,
            ytr,
            xv,
            yv,
            xt,
            yt,
            _feasible_ks(ctx, spec, task, ctx.cfg.fewshot_ks, ytr, _classes(ctx, spec, splits[2])),
            ctx.cfg.fewshot_seeds,
            n_classes,
            fit_predict=fn,
        ):
            r["details"].update(
                {"method": "linear-probe" if fn is None else "finetune", **_common(ctx, spec)}
            )
            runs.append(
                _record(
                    model.spec, spec, task, splits[2], r, len(yt), r["seeds"], variant=f"k={r['k']}"
                )
            )
    return runs


def task_prompt_learning(ctx: _Context, model: ModelHandle, spec: str, method: str) -> list[dict]:
    """CoOp / CoCoOp / BiomedCoOp on frozen features: one run per K (epoch chosen on val)."""
    from litclip.evaluate import prompt_learning as pl

    found = _split_features(ctx, model, spec, method)
    if found is None:
        return []
    splits, ((xtr, ytr), (xv, yv), (xt, yt)) = found
    prompts = ctx.prompts(spec, ctx.dataset(spec, splits[2]))
    c = ctx.cfg
    pcfg = pl.PromptConfig(
        method=method,
        n_ctx=c.prompt_n_ctx,
        epochs=c.prompt_epochs,
        lr=c.prompt_lr,
        batch_size=c.prompt_batch_size,
        lambda1=c.prompt_lambda1,
        lambda2=c.prompt_lambda2,
        seed=c.seed,
    )
    results = pl.evaluate(
        model.loaded,
        prompts.classnames,
        xtr,
        ytr,
        xv,
        yv,
        xt,
        yt,
        _feasible_ks(ctx, spec, method, c.prompt_ks or c.fewshot_ks, ytr, prompts.classnames),
        c.prompt_seeds or c.fewshot_seeds,
        pcfg,
        descriptions=prompts.texts(),
    )
    runs = []
    for r in results:
        r["details"].update(_common(ctx, spec, prompts))
        runs.append(
            _record(
                model.spec, spec, method, splits[2], r, len(yt), r["seeds"], variant=f"k={r['k']}"
            )
        )
    return runs


def task_retrieval(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Image <-> text Recall@K over a pairs manifest (the test split, else the whole file)."""
    from litclip.evaluate import retrieval
    from litclip.models import encode_texts

    split = ctx.role(spec, "test")
    if split is None:
        ctx.skipped.append(
            f"retrieval on {spec}: no rows with split == 'test' (its splits: "
            f"{', '.join(ctx.splits(spec))}); mark pairs held out from training as 'test' in "
            "its split column (`litclip run` writes OUT/splits/test.parquet, split by article), "
            "never evaluate the pairs a model was trained on"
        )
        return []
    ds = ctx.dataset(spec, split)
    paths = [str(p) for p in ds.filepaths]
    keep = ctx.keep(spec, split)
    if len(keep) == 0:
        excluded = len(ds) if ctx.cfg.exclude_contaminated else 0
        ctx.skipped.append(
            f"retrieval on {spec}: all {excluded} pairs of split {split!r} were excluded as "
            "near-duplicates of training images (--exclude-contaminated)"
            if excluded
            else f"retrieval on {spec}: no readable image-caption pairs in split {split!r} "
            "(`litclip data info` lists what was skipped and why)"
        )
        return []
    first: dict[tuple[str, str], int] = {}
    for i in keep:
        first.setdefault((paths[i], ds.captions[i]), int(i))
    unique = list(first.values())  # in row order
    if len(unique) < len(keep):  # a repeated row counted again: recall halved on a copy
        ctx.warnings.append(
            f"retrieval on {dsets.dataset_name(spec)}: {len(keep) - len(unique)} row(s) of split "
            f"{split!r} repeat an image with the same caption; each pair is scored once"
        )
        keep = np.asarray(unique)
    rows, text_image = retrieval.group_captions(
        [paths[i] for i in keep], [ds.captions[i] for i in keep]
    )
    images = ctx.cache.images(model, [paths[keep[r]] for r in rows], f"{spec}#images", split)
    texts = encode_texts(model.loaded, [ds.captions[i] for i in keep], progress=False)
    # each pair's article: intervals resample articles, whose pairs are no independent draws
    frame = getattr(ds, "frame", None)
    articles = (
        [str(v) for v in frame["pdf_sha256"].iloc[keep]]
        if frame is not None and "pdf_sha256" in frame.columns
        else None
    )
    res = retrieval.evaluate(
        images,
        texts,
        text_image,
        ctx.cfg.retrieval_ks,
        ctx.cfg.n_boot,
        ctx.cfg.seed,
        text_groups=articles,
    )
    res["details"].update({"dataset_spec": spec, "split_sizes": {split: len(keep)}})
    trivial = sorted(k for k in ctx.cfg.retrieval_ks if k >= len(rows))
    if trivial:  # every image is within the top K: recall 1 whatever the model
        said = (
            f"retrieval on {dsets.dataset_name(spec)}: Recall@{', @'.join(map(str, trivial))} "
            f"is 1 by construction, as split {split!r} holds {len(rows)} images (choose K "
            "below that with --recall)"
        )
        ctx.warn(said)
    return [
        _record(
            model.spec,
            spec,
            "retrieval",
            split,
            res,
            len(texts),
            [ctx.cfg.seed],
            chance=res["details"]["chance"],
        )
    ]


def _zeroshot_accuracy(ctx: _Context, spec: str, ds_spec: str, split: str) -> float:
    from litclip.evaluate import zeroshot

    handle = ModelHandle(spec, ctx.cfg.device)
    weights, _ = ctx.classifier(handle, ds_spec, ctx.dataset(ds_spec, split))
    x, y = ctx.features(handle, ds_spec, split)
    return zeroshot.evaluate(x, y, weights, handle.logit_scale, n_boot=0)["metrics"]["accuracy"]


def task_retention(ctx: _Context, model: ModelHandle, spec: str) -> list[dict]:
    """Zero-shot accuracy on the general-domain set along the WiSE-FT sweep (per model)."""
    from litclip.evaluate import retention

    general = ctx.cfg.retention_dataset
    base = ctx.cfg.retention_base or model.loaded.meta.get("base_spec")
    if general is None or base is None or base == model.spec:
        ctx.skipped.append(
            f"retention for {model.spec}: needs --retention-dataset and a fine-tuned "
            "model (litclip.json base_spec) or --retention-base"
        )
        return []
    domain = spec if dsets.parse_spec(spec)[0] != "pairs" else None

    def measure(s: str) -> dict[str, float]:
        out = {}
        for key, ds in (("general", general), ("domain", domain)):
            if ds is None:
                continue
            out[key] = _zeroshot_accuracy(ctx, s, ds, ctx.role(ds, "test"))
            val = ctx.role(ds, "val")
            if val is not None:  # what WiSE-FT's alpha is chosen on
                out[f"{key}_val"] = _zeroshot_accuracy(ctx, s, ds, val)
        return out

    res = retention.evaluate(base, model.spec, measure, ctx.out_dir / "wise_ft", ctx.cfg.alphas)
    res["details"].update({"general_dataset": general, "domain_dataset": domain, "base": base})
    # filed under the general dataset: it is what the run measured (not the domain ``spec``)
    res["details"].update(
        {
            "dataset_spec": general,
            "dataset_path": data_identity(general),
            "data_stamp": data_stamp(general),
        }
    )
    split = ctx.role(general, "test")
    return [
        make_run(
            model.spec,
            dsets.dataset_name(general),
            "retention",
            split,
            res["metrics"],
            len(ctx.keep(general, split)),
            None,
            [ctx.cfg.seed],
            res["details"],
            variant=f"domain={dsets.dataset_name(spec)}",
        )
    ]


#: Explicit task registry (STYLE lesson 2): name -> function(ctx, model, dataset spec).
TASKS: dict[str, Callable[[_Context, ModelHandle, str], list[dict]]] = {
    "zeroshot": task_zeroshot,
    "calibration": task_calibration,
    "linear-probe": task_linear_probe,
    "few-shot": task_fewshot,
    "retrieval": task_retrieval,
    "retention": task_retention,
    **{
        m: (lambda ctx, model, spec, m=m: task_prompt_learning(ctx, model, spec, m))
        for m in PROMPT_TASKS
    },
}


def task_cnn(ctx: _Context, spec: str, archs: Sequence[str] | None = None) -> list[dict]:
    """Supervised CNN baselines trained on this dataset's train split (model independent);
    ``archs`` defaults to the configured ones."""
    from litclip.evaluate import cnn_baseline

    splits = _need(ctx, spec, "train", "val", "test", task="cnn")
    if splits is None or _one_class_val(ctx, spec, splits[1], splits[2], task="cnn"):
        return []
    parts = [dsets.Subset(ctx.dataset(spec, s), ctx.keep(spec, s)) for s in splits]
    classes = _classes(ctx, spec, splits[2])
    runs = []
    for arch in archs or ctx.cfg.cnn_archs:
        cfg = cnn_baseline.CNNConfig(
            arch=arch,
            epochs=ctx.cfg.cnn_epochs,
            seed=ctx.cfg.seed,
            pretrained=ctx.cfg.cnn_pretrained,
            criterion=ctx.cfg.criterion,
        )
        res = cnn_baseline.evaluate(
            *parts, cfg, len(classes), ctx.cfg.n_boot, classes, ctx.cfg.progress
        )
        res["details"].update(_common(ctx, spec))
        runs.append(
            _record(f"timm:{arch}", spec, "cnn", splits[2], res, len(parts[2]), [ctx.cfg.seed])
        )
    return runs


def task_contamination(ctx: _Context, spec: str) -> list[dict]:
    """Near-duplicates between the training corpus and each evaluation split of ``spec``."""
    from litclip.evaluate import contamination

    manifest = ctx.cfg.contamination_manifest
    if manifest is None:
        ctx.skipped.append("contamination: needs --contamination-manifest (the training corpus)")
        return []
    if not hasattr(ctx, "_train_hashes"):
        ctx._train_hashes = contamination.hash_manifest(manifest)  # type: ignore[attr-defined]
    train_hashes, train_ids = ctx._train_hashes  # type: ignore[attr-defined]
    runs = []
    for split in ctx.splits(spec):
        if split == dsets.role_split(ctx.splits(spec), "train"):
            continue
        ds = ctx.dataset(spec, split)
        items = [p for p in ds.filepaths] if hasattr(ds, "captions") else ds
        res = contamination.evaluate(
            contamination.hash_images(items[i] for i in range(len(ds))),
            train_hashes,
            train_ids,
            ctx.cfg.max_distance,
        )
        ctx.exclusions[(spec, split)] = res["details"]["contaminated_indices"]
        res["details"].update({"manifest": str(manifest), "excluded": ctx.cfg.exclude_contaminated})
        runs.append(
            make_run(
                f"corpus:{manifest}",
                dsets.dataset_name(spec),
                "contamination",
                split,
                res["metrics"],
                len(ds),
                None,
                [],
                res["details"],
            )
        )
    return runs


def _applicable(task: str, spec: str) -> bool:
    kind = dsets.parse_spec(spec)[0]
    if task == "retrieval":
        return kind == "pairs"
    if task in ("retention", "contamination"):
        return True
    return kind != "pairs"


KSHOT_TASKS = ("few-shot", "coop", "cocoop", "biomedcoop")

_SHARED_OPTIONS = ("seed", "n_boot", "exclude_contaminated", "contamination_manifest")
_PROMPT_OPTIONS = (
    "prompt_n_ctx",
    "prompt_epochs",
    "prompt_lr",
    "prompt_batch_size",
    "prompt_lambda1",
    "prompt_lambda2",
)
#: The options that change a task's numbers (recorded in each run; --skip-existing compares
#: them). K and seeds are part of a K-shot run's identity and its ``seeds`` field already.
TASK_OPTIONS: dict[str, tuple[str, ...]] = {
    "zeroshot": ("prompts",),
    "calibration": ("prompts", "criterion"),
    "linear-probe": ("lp_metric",),
    "few-shot": ("lp_metric",),
    "few-shot-finetune": ("finetune_epochs", "prompts"),
    "retrieval": ("retrieval_ks",),
    "retention": ("prompts", "retention_dataset", "retention_base", "alphas"),
    "cnn": ("cnn_epochs", "cnn_pretrained", "criterion"),
    "contamination": ("max_distance",),
    **{t: ("prompts", *_PROMPT_OPTIONS) for t in PROMPT_TASKS},
}


def run_options(cfg: EvalConfig, task: str) -> dict[str, Any]:
    """The options ``task``'s numbers depend on, JSON-ready (tuples as lists)."""
    names = _SHARED_OPTIONS + TASK_OPTIONS.get(task, ())
    return json.loads(json.dumps({k: getattr(cfg, k) for k in names}))


def _done(results: dict, model: str, spec: str, task: str, cfg: EvalConfig) -> bool:
    """Whether ``results`` already holds ``task`` for ``model`` on ``spec`` made with today's
    options (K-shot tasks: every requested K with the requested seeds, so new shots or seeds
    are run); a run made with other options is run again."""
    name = dsets.dataset_name(spec)
    if task == "retention":  # filed under the general dataset, the domain one as its variant
        if cfg.retention_dataset is None:
            return False
        general = dsets.dataset_name(cfg.retention_dataset)
        return any(
            r["model"] == model
            and r["dataset"] == general
            and r["task"] == "retention"
            and r.get("variant") == f"domain={name}"
            and r.get("options") == run_options(cfg, "retention")
            for r in results["runs"]
        )
    tasks = {task}
    if task == "few-shot" and cfg.fewshot_finetune:
        tasks.add("few-shot-finetune")
    have = {
        (r["task"], r.get("variant"), tuple(r.get("seeds") or ()))
        for r in results["runs"]
        if r["model"] == model
        and r["dataset"] == name
        and r["task"] in tasks
        and r.get("options") == run_options(cfg, r["task"])
    }
    if task not in KSHOT_TASKS:
        return bool(have)
    prompts = task != "few-shot"
    ks = (cfg.prompt_ks if prompts else None) or cfg.fewshot_ks
    seeds = tuple((cfg.prompt_seeds if prompts else None) or cfg.fewshot_seeds)
    return all((t, f"k={k}", seeds) in have for t in tasks for k in ks)


def _check(models: Sequence[str], datasets: Sequence[str], tasks: Sequence[str]) -> None:
    if not tasks:
        raise LitclipError(f"no task given: choose from {', '.join(ALL_TASKS)}")
    unknown = [t for t in tasks if t not in ALL_TASKS]
    if unknown:
        hint = did_you_mean(unknown, ALL_TASKS)
        raise LitclipError(f"unknown task(s) {unknown}{hint}; choose from {', '.join(ALL_TASKS)}")
    if not datasets:
        raise LitclipError(
            "no dataset given: pass --dataset medmnist:PATH.npz|folder:DIR|pairs:MANIFEST"
        )
    for spec in datasets:
        kind, path = dsets.parse_spec(spec)
        if not path.exists():
            raise LitclipError(f"dataset not found: {path} (from {spec!r}); check the path.")
    if not models and any(t not in ("cnn", "contamination") for t in tasks):
        raise LitclipError(
            "no model given: pass --model SPEC (e.g. litclip-tiny or a model directory)"
        )
    from litclip.models import check_model_spec

    for model in models:  # a half-written second model was found after the first's tasks ran
        check_model_spec(model)


#: What an evaluation folder holds (wise_ft: retention's blends), besides the markdown
#: report's figures (report_fig01.png, ...) and earlier runs set aside (results.replaced-N.json)
EVAL_DIR_NAMES = frozenset(
    {RESULTS_FILE, "config.json", "report.html", "report.md", "features", "wise_ft"}
)
_EVAL_EXTRA = re.compile(r"report_fig\d+\.png|results\.replaced-\d+\.json")


def check_out_dir(out: str | os.PathLike[str]) -> None:
    """Refuse an ``--out`` that is another tool's folder (a training run, a corpus, an index:
    its config.json would be overwritten); a new, empty or earlier evaluation folder is fine.
    (``litclip run`` evaluates into its own run folder and does not call this.)"""
    refuse_foreign_out(
        out,
        EVAL_DIR_NAMES,
        "an evaluation folder",
        "an earlier evaluation's results are merged",
        also=_EVAL_EXTRA,
    )


def _check_options(cfg: EvalConfig, tasks: Sequence[str]) -> None:
    """Refuse options a task would fail on only after the tasks before it ran."""
    from litclip.evaluate.metrics import MIN_BOOT

    if 0 < cfg.n_boot < MIN_BOOT or cfg.n_boot < 0:  # gave no interval, without a word
        raise LitclipError(
            f"--n-boot {cfg.n_boot}: give at least {MIN_BOOT} resamples for a 95% interval "
            "(1000 is usual), or 0 for none"
        )
    outside = [a for a in cfg.alphas if not 0.0 <= a <= 1.0]
    if outside:  # WiSE-FT is defined between the two models: 2.0 would be recorded for 1.0
        raise LitclipError(f"--alphas must be in [0, 1], got {outside[0]:g}")
    if "cnn" not in tasks:
        return
    from litclip.evaluate import cnn_baseline

    for arch in cfg.cnn_archs:
        if arch not in cnn_baseline.ARCHS:
            raise LitclipError(
                f"unknown CNN baseline {arch!r} (--cnn-arch): choose {', '.join(cnn_baseline.ARCHS)}"
            )
        if cfg.cnn_pretrained == "yes" and not cnn_baseline.pretrained_available(arch):
            raise LitclipError(cnn_baseline.offline_message(arch))


def _console_log(progress: bool) -> Callable[[str], None]:
    if not progress:
        return lambda msg: None
    console = new_console(stderr=True)
    return lambda msg: console.print(msg)


def _number(key: str, value: float) -> str:
    """A metric for a log line: a count as a count (n_contaminated=10, not 10.000)."""
    return str(int(value)) if key.startswith("n_") else f"{value:.3f}"


def _summary(runs: list[dict]) -> str:
    ks = (
        runs[0].get("details", {}).get("ks")
        if runs and runs[0].get("task") == "retrieval"
        else None
    )
    recall = f"image_retrieval_recall@{min(ks)}" if ks else "image_retrieval_recall@1"
    keys = ("f1", "accuracy", "auroc", recall, "retention", "n_contaminated")
    # the binary F1 is the positive class's: a summary table beside it gives the macro F1
    names = {"f1": "positive-class f1"}
    parts = [
        f"{names.get(k, k)}={_number(k, r['metrics'][k])}"
        for r in runs[:1]
        for k in keys
        if r["metrics"].get(k) is not None
    ]
    k = runs[0].get("details", {}).get("k") if runs else None
    shots = f"K={k}: " if k is not None and len(runs) > 1 else ""  # which of the K it shows
    return shots + ", ".join(parts[:3])


def _execute(
    ctx: _Context,
    results: dict,
    label: str,
    fn: Callable[[], list[dict]],
    results_path: Path,
    spec: str,
    model: ModelHandle | None = None,
) -> None:
    t0 = time.perf_counter()
    runs = fn()
    ctx.tasks_run += 1
    ctx.runs_made += len(runs)
    for r in runs:
        r["details"]["seconds"] = round(time.perf_counter() - t0, 2)
        r["details"].setdefault("dataset_spec", spec)
        r["details"].setdefault("dataset_path", data_identity(spec))
        r["details"].setdefault("data_stamp", data_stamp(spec))
        if model is not None and ctx.stamps.get(model.spec):
            r["details"]["model_stamp"] = ctx.stamps[model.spec]
        r["options"] = run_options(ctx.cfg, r["task"])
        if model is not None and model.random_init:  # kept with the run through merges
            r["details"]["random_init"] = True
        if model is not None and model.spec in ctx.cfg.model_roles:
            r["details"]["role"] = ctx.cfg.model_roles[model.spec]
    if runs and model is not None and model.random_init:
        ctx.warn(random_init_warning(model.spec))
    old = {run_id(r): r for r in results["runs"]}
    for r in runs:
        change = _change(old.get(run_id(r)), r)
        if change:
            ctx.log(f"[yellow]replaced[/] {' '.join(run_id(r)).strip()}: {change}")
    if not ctx.config_written:  # once something ran: a failed start keeps the old config
        results["config"] = ctx.resolved
        write_resolved_config(ctx.out_dir, ctx.resolved)
        ctx.config_written = True
    merge_runs(results, runs)
    write_results(results_path, results)
    if runs:
        ctx.log(f"[green]done[/] {label} ({time.perf_counter() - t0:.1f}s) {_summary(runs)}")


def data_identity(spec: str) -> str:
    """A dataset spec with its path resolved (options kept): the file a run measured, whatever
    the folder the command ran from. Two files of one name ("siteA/pneumoniamnist.npz",
    "siteB/pneumoniamnist.npz") share their dataset name in results, not this."""
    from litclip.data.registry import split_options

    kind, _, rest = spec.partition(":")
    path, options = split_options(rest)
    if kind == "medmnist":  # the finding ("?label=6" or "=pneumonia") is in the dataset name
        options.pop("label", None)
    query = "&".join(f"{k}={v}" for k, v in sorted(options.items()))
    return f"{kind}:{Path(path).expanduser().resolve()}" + (f"?{query}" if query else "")


def data_stamp(spec: str) -> str | None:
    """A fingerprint of a dataset's file (a folder's entries): a file made again at the same
    path (another subsample, a regenerated split) changes it."""
    from litclip.data.registry import split_options

    path = Path(split_options(spec.partition(":")[2])[0]).expanduser()
    return files_stamp(path) if path.exists() else None


def model_stamp(spec: str) -> str | None:
    """A fingerprint of a local model's files (names, sizes, modification times), cheap to
    take before loading: other weights saved at the same path (a run trained again) change
    it. ``None`` for a named model (``litclip-tiny``, ``ViT-B-32:openai``)."""
    _, sep, tag = spec.partition(":")
    path = Path(spec).expanduser()
    if not path.exists() and sep and Path(tag).expanduser().is_file():  # NAME:/path/weights
        path = Path(tag).expanduser()
    return files_stamp(path) if path.exists() else None


def _stale(
    run: dict,
    data: dict[str, str],
    stamps: dict[str, str | None],
    data_stamps: dict[str, str | None],
) -> str:
    """Why an earlier ``run`` no longer describes what this command evaluates under its
    names ('' when it does): another file of the same dataset name, that file made again,
    or other weights at the same model path. Runs from before these were recorded are kept."""
    measured = run["details"].get("dataset_path")
    if run["dataset"] in data and measured and measured != data[run["dataset"]]:
        return f"{run['dataset']} was {measured.partition(':')[2]}"
    before = run["details"].get("data_stamp")
    if run["dataset"] in data_stamps and before and before != data_stamps[run["dataset"]]:
        return f"the file of {run['dataset']} was written again"
    stamp = run["details"].get("model_stamp")
    if run["model"] in stamps and stamp and stamp != stamps[run["model"]]:
        return f"{run['model']} holds other weights now"
    return ""


def _set_aside_stale(
    results: dict, out: Path, datasets: Sequence[str], models: Sequence[str]
) -> str:
    """Move the earlier runs of ``results`` that measured another file under a dataset name
    of this command, or other weights under a model path of it, into
    ``OUT/results.replaced-N.json``: kept, they were replaced one task at a time, the report
    mixed two files' numbers in one section, and ``--skip-existing`` took them for done.
    Returns the warning to give ('' when nothing was moved)."""
    data = {dsets.dataset_name(s): data_identity(s) for s in datasets}
    data_stamps = {dsets.dataset_name(s): data_stamp(s) for s in datasets}
    stamps = {m: model_stamp(m) for m in models}
    why = {id(r): _stale(r, data, stamps, data_stamps) for r in results["runs"]}
    stale = [r for r in results["runs"] if why[id(r)]]
    if not stale:
        return ""
    n = 1
    while (aside := out / f"results.replaced-{n}.json").exists():
        n += 1
    write_results(aside, {**results, "runs": stale})
    results["runs"] = [r for r in results["runs"] if not why[id(r)]]
    write_results(out / RESULTS_FILE, results)
    reasons = "; ".join(dict.fromkeys(why[id(r)] for r in stale))
    return (
        f"{len(stale)} earlier run(s) in {out / RESULTS_FILE} measured something else under "
        f"the same names ({reasons}): moved to {aside}; the tasks asked for now are run again"
    )


def _change(before: dict | None, after: dict) -> str:
    """How a run replaced in results.json differs from its successor ('' when it doesn't)."""
    if before is None:
        return ""
    out = []
    a, b = before["details"].get("dataset_spec"), after["details"].get("dataset_spec")
    if a and a != b:
        out.append(f"dataset {a} -> {b}")
    if before.get("seeds") != after.get("seeds"):
        out.append(f"seeds {before.get('seeds')} -> {after.get('seeds')}")
    opts_a, opts_b = before.get("options") or {}, after["options"]
    out += [
        f"{k} {opts_a[k]} -> {opts_b[k]}" for k in opts_b if k in opts_a and opts_a[k] != opts_b[k]
    ]
    return ", ".join(out)


def run_evaluation(
    models: Sequence[str],
    datasets: Sequence[str],
    tasks: Sequence[str] = DEFAULT_TASKS,
    out_dir: str | os.PathLike[str] = "results",
    config: EvalConfig | None = None,
    **overrides: Any,
) -> dict:
    """Evaluate ``models`` on ``datasets`` with ``tasks``; write results.json and report.html.

    Args:
        models: model specs (``litclip-tiny``, a model directory, ``ViT-B-32:openai``...).
        datasets: dataset specs (``medmnist:PATH.npz``, ``folder:DIR``, ``pairs:MANIFEST``).
        tasks: names from :data:`ALL_TASKS`; each runs where it applies (retrieval on pairs,
            the classification tasks on labelled datasets).
        out_dir: output directory (results.json, report.html, report.md, features/).
        config: options; keyword ``overrides`` replace single fields (``n_boot=200``).

    Returns:
        The results document (also written to ``out_dir/results.json``).
    """
    cfg = dataclasses.replace(config or EvalConfig(), **overrides)
    # a model or dataset given twice is evaluated once (its runs would replace each other)
    models, datasets = list(dict.fromkeys(models)), list(dict.fromkeys(datasets))
    _check(models, datasets, tasks)
    _check_options(cfg, tasks)
    if cfg.retention_base and "retention" in tasks:
        from litclip.models import check_model_spec

        check_model_spec(cfg.retention_base)
    for option, values in (
        ("seeds", cfg.fewshot_seeds),
        ("shots", cfg.fewshot_ks),
        ("prompt seeds", cfg.prompt_seeds or ()),
        ("prompt shots", cfg.prompt_ks or ()),
    ):
        repeated = sorted({v for v in values if list(values).count(v) > 1})
        if repeated:  # five draws of seed 1 are one draw, and no interval
            raise LitclipError(f"{option} {list(values)} repeat {repeated}: give each once")
    by_name: dict[str, list[str]] = {}
    for spec in dict.fromkeys(datasets):
        by_name.setdefault(dsets.dataset_name(spec), []).append(spec)
    clash = {name: specs for name, specs in by_name.items() if len(specs) > 1}
    if clash:
        name, specs = next(iter(clash.items()))
        raise LitclipError(
            f"datasets {' and '.join(specs)} are both named {name!r}, so their results "
            "would replace each other; evaluate them into separate --out folders, or "
            "rename a folder/file"
        )
    if any(t not in ("retrieval", "contamination") for t in tasks):
        for spec in by_name.values():  # refused before anything runs: nothing is half done
            if spec[0].startswith("medmnist:") and "test" in dsets.available_splits(spec[0]):
                dsets.check_one_label(spec[0], dsets.open_split(spec[0], "test"))
    names = set(by_name)
    stray = sorted(set(cfg.prompts) - names - {"*"})
    if stray:
        raise LitclipError(
            f"--prompts names dataset(s) {stray} that are not evaluated here; the datasets "
            f"are named {sorted(names)} (NAME=FILE), or give one FILE for all"
        )
    if not cfg.model_roles:
        cfg = dataclasses.replace(cfg, model_roles=inferred_roles(models))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # a second evaluation into OUT meanwhile would write its own copy of results.json over
    # this one's runs (one SLURM job per model into one folder): refused, as train refuses
    with sole_writer(out, "litclip evaluate"):
        return _evaluate(models, datasets, tasks, out, cfg)


def inferred_roles(models: Sequence[str]) -> dict[str, str]:
    """``{base: "base", model_dir: "fine-tuned"}`` when one model is a saved fine-tune of
    another evaluated with it (its litclip.json names that one as its ``base_spec``): the
    report then says which is which, as `litclip run` does."""
    roles: dict[str, str] = {}
    for spec in models:
        meta = Path(spec) / "litclip.json"
        try:
            base = read_json(meta).get("base_spec") if meta.is_file() else None
        except Exception:  # an unreadable file: the model's loading says why
            base = None
        if base in models and base != spec and base not in roles:
            roles[base] = "base"
            roles[spec] = "fine-tuned"
    return roles if len(roles) == 2 else {}


def _evaluate(
    models: Sequence[str], datasets: Sequence[str], tasks: Sequence[str], out: Path, cfg: EvalConfig
) -> dict:
    resolved = {
        "models": list(models),
        "datasets": list(datasets),
        "tasks": list(tasks),
        **dataclasses.asdict(cfg),
    }
    path = out / RESULTS_FILE
    results = read_results(path) if path.is_file() else new_results(resolved)
    ctx = _Context(cfg, out, _console_log(cfg.progress))
    ctx.resolved = resolved
    ctx.stamps = {m: model_stamp(m) for m in models}
    moved = _set_aside_stale(results, out, datasets, models) if path.is_file() else ""
    if moved:
        ctx.warnings.append(moved)
        ctx.log(f"[yellow]{moved}[/]")
    skip = lambda m, d, t: cfg.skip_existing and _done(results, m, d, t, cfg)  # noqa: E731
    if "contamination" in tasks or cfg.exclude_contaminated:
        for spec in datasets:  # first: later tasks use its exclusions
            _execute(
                ctx,
                results,
                f"contamination {dsets.dataset_name(spec)}",
                lambda s=spec: task_contamination(ctx, s),
                path,
                spec,
            )
    for model_spec in models:
        handle = ModelHandle(model_spec, cfg.device)
        for spec in datasets:
            for task in (t for t in tasks if t in TASKS and _applicable(t, spec)):
                if skip(model_spec, spec, task):
                    ctx.log(f"[dim]already in {path} with these options:[/] {task} {model_spec}")
                    continue
                _execute(
                    ctx,
                    results,
                    f"{task} {model_spec} on {dsets.dataset_name(spec)}",
                    lambda t=task, s=spec, h=handle: TASKS[t](ctx, h, s),
                    path,
                    spec,
                    handle,
                )
        handle.release()
    if "cnn" in tasks:
        for spec in (s for s in datasets if _applicable("cnn", s)):
            archs = [a for a in cfg.cnn_archs if not skip(f"timm:{a}", spec, "cnn")]
            if archs:
                _execute(
                    ctx,
                    results,
                    f"cnn on {dsets.dataset_name(spec)}",
                    lambda s=spec, a=tuple(archs): task_cnn(ctx, s, a),
                    path,
                    spec,
                )
    unsuited: dict[str, list[str]] = {}  # what is missing -> the tasks that need it
    for task in tasks:  # a task no dataset suits would otherwise vanish without a word
        if task in TASKS and not any(_applicable(task, spec) for spec in datasets):
            need = {"retrieval": "image-caption pairs (pairs:MANIFEST)"}.get(
                task, "class labels (medmnist:FILE.npz or folder:DIR)"
            )
            unsuited.setdefault(need, []).append(task)
    for need, names in unsuited.items():  # one line for all the tasks one lack skips
        ctx.skipped.append(f"{', '.join(names)}: none of the datasets has {need}")
    results["skipped"] = list(dict.fromkeys(ctx.skipped))  # once, not once per model
    results["warnings"] = ctx.warnings
    if cfg.notes:
        results["notes"] = list(cfg.notes)
    results["this_call"] = {"tasks_run": ctx.tasks_run, "runs_made": ctx.runs_made}
    write_results(path, results)
    if cfg.report and results["runs"]:  # no page of "0 runs. Models: ?. Tasks: ."
        from litclip.evaluate.report import render_report

        render_report(results, out / "report.html", out / "report.md")
    return results
