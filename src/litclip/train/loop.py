"""The training loop behind :func:`litclip.train.train`.

Run directory ``OUT/``:

- ``config.json``: the resolved :class:`~litclip.train.config.TrainConfig` (+ world size, data
  sizes, resume source), written by :func:`litclip.io.write_resolved_config`.
- ``metrics.jsonl``: one JSON object per line: ``{"kind": "train", "step", "epoch", "loss",
  "lr" (the base lr on its schedule), "samples_per_s", "logit_scale", ...}`` every ``log_every`` steps and ``{"kind": "val",
  "step", ..., "image_retrieval_recall@1", ...}`` per validation.
- ``samples.jsonl`` (``log_samples``): ``{"step", "epoch", "batch", "ids"}`` per micro-batch
  (the global batch's sample ids), so a resumed run can be checked for repeats.
- ``checkpoints/step_000100.pt`` + ``checkpoints/latest`` (pointer file, written atomically).
- ``model/``: the final model directory (ARCHITECTURE contract 3; loads with
  ``load_model(dir)`` and ``open_clip.create_model_and_transforms("local-dir:" + dir)``).
- ``best_model/``: the best model by ``val_metric`` (only when validation is configured).

On resume the JSONL logs are cut back to the checkpoint's step, so they describe exactly the
steps that produced the final model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from litclip.console import count
from litclip.data.splits import VAL_SPLITS
from litclip.errors import LitclipError
from litclip.io import atomic_write_text, to_json, write_resolved_config
from litclip.models import save_model
from litclip.models.loading import LITCLIP_META
from litclip.train.checkpoint import (
    LATEST,
    check_run_dir,
    checkpoint_dir,
    earlier_attempt,
    load_checkpoint,
    remove_stale_temps,
    resolve_resume,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from litclip.train.config import VALIDATION_OPTIONS, TrainConfig
from litclip.train.data import (
    PairDataset,
    epoch_batches,
    make_loader,
    rank_slice,
    sample_ids,
    seeded,
)
from litclip.train.distributed import DistEnv, barrier, broadcast_flag, mean_across_ranks
from litclip.train.progress import TrainProgress
from litclip.train.setup import (
    prepare_data,
    prepare_model,
    prepare_objective,
    prepare_optim,
    steps_per_epoch,
)
from litclip.train.validate import validate

log = logging.getLogger(__name__)
MAX_LOGIT_SCALE = 100.0


@dataclass
class TrainResult:
    """What a run produced.

    Attributes:
        model_dir: the final model directory (``OUT/model``).
        run_dir: the run directory ``OUT``.
        steps: optimizer steps taken in total (across resumes).
        metrics: last training loss/lr and the last validation metrics (``val_`` prefix).
        best_model_dir: ``OUT/best_model`` when validation ran, else ``None``.
        best_step: the step ``best_model`` was saved at (``None`` without it).
        stopped_early: whether early stopping ended the run.
    """

    model_dir: Path
    run_dir: Path
    steps: int
    metrics: dict[str, float] = field(default_factory=dict)
    best_model_dir: Path | None = None
    best_step: int | None = None
    stopped_early: bool = False


@dataclass
class LoopState:
    """Position and bookkeeping saved in checkpoints."""

    epoch: int = 0
    batch_in_epoch: int = 0  # micro-batches of ``epoch`` already consumed
    step: int = 0
    samples: int = 0
    best: float | None = None
    bad_evals: int = 0
    stopped_early: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the checkpoint."""
        return dict(self.__dict__)


class JsonlLog:
    """Append-only JSON-lines file on rank 0, cut back to a step on resume."""

    def __init__(self, path: Path, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled

    def truncate_after(self, step: int) -> None:
        """Keep only well-formed lines with ``step <= step`` (atomic rewrite)."""
        if not self.enabled or not self.path.is_file():
            return
        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line).get("step", 0) <= step:
                    kept.append(line)
            except json.JSONDecodeError:  # a line torn by a kill
                continue
        atomic_write_text(self.path, "".join(x + "\n" for x in kept))

    def last(self, key: str) -> float:
        """The last value of ``key`` in the file (0 when none)."""
        if not self.enabled or not self.path.is_file():
            return 0.0
        for line in reversed(self.path.read_text(encoding="utf-8").splitlines()):
            try:
                value = json.loads(line).get(key)
            except json.JSONDecodeError:
                continue
            if isinstance(value, int | float):
                return float(value)
        return 0.0

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (flushed, so a kill loses at most this line)."""
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(to_json(record, indent=None) + "\n")  # a NaN loss as null
            fh.flush()


def _tensorboard(run_dir: Path, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # tensorboard is optional
        return None
    return SummaryWriter(str(run_dir / "tensorboard"))


def autocast_for(precision: str, device: torch.device) -> Any:
    """A context-manager factory: AMP on CUDA for ``amp_*``, no-op otherwise."""
    if device.type != "cuda" or precision == "fp32":
        return contextlib.nullcontext
    dtype = torch.bfloat16 if precision == "amp_bf16" else torch.float16
    return lambda: torch.autocast("cuda", dtype=dtype)


def clamp_logit_scale(model: torch.nn.Module) -> None:
    """Keep ``exp(logit_scale) <= 100`` as CLIP does."""
    scale = getattr(model, "logit_scale", None)
    if isinstance(scale, torch.nn.Parameter):
        with torch.no_grad():
            scale.clamp_(0, torch.log(torch.tensor(MAX_LOGIT_SCALE)).item())


def allreduce_grads(params: list[torch.nn.Parameter], env: DistEnv) -> None:
    """Average gradients of parameters outside DDP (e.g. a loss-owned SigLIP bias)."""
    if not env.distributed:
        return
    for p in params:
        if p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad /= env.world_size


def write_run_config(run_dir: Path, config: TrainConfig, env: DistEnv, **extra: Any) -> None:
    """``OUT/config.json`` (rank 0)."""
    if env.is_main:
        write_resolved_config(run_dir, config.to_dict(), world_size=env.world_size, **extra)


def _warn_ignored(config: TrainConfig, validates: bool) -> None:
    """Say which options this run does not use: set while what they depend on is off, they
    would otherwise be ignored without a word (patience without validation never stops)."""
    lines = config.ignored_options()
    unused = config.changed(VALIDATION_OPTIONS) if not validates else []
    if unused:
        lines.append(
            f"{', '.join(unused)} act{'s' * (len(unused) == 1)} only when the run validates "
            "(val_data, val rows in the "
            "manifest's split column, or val_fraction > 0): ignored"
        )
    for line in lines:
        warnings.warn(line, stacklevel=3)


#: Options a resume may change (a run continued for longer, validated more often)
RESUME_MAY_CHANGE = ("epochs", "max_steps", "early_stop_patience", "val_every")


class Trainer:
    """One run: built from a config and a :class:`DistEnv`, driven by :meth:`fit`."""

    def __init__(self, config: TrainConfig, env: DistEnv) -> None:
        self.config, self.env = config, env
        check_run_dir(config.out, config.model)
        self.run_dir = Path(config.out)
        self.lm, self.lora = prepare_model(config, env.device)
        self.model = self.lm.model
        if config.batch_size * env.world_size < 2:  # the other pairs are the negatives
            raise LitclipError(
                "a contrastive batch of one pair has no negatives to tell it from: nothing is "
                "learned; use batch_size >= 2 (the batch is gathered across processes)"
            )
        self.data = prepare_data(config)
        if env.is_main:
            _warn_ignored(config, validates=self.data.val is not None)
        self.objective = prepare_objective(config, self.data.train, env)
        self.per_epoch = steps_per_epoch(len(self.data.train), config, env.world_size)
        if self.per_epoch == 0:
            raise LitclipError(
                f"{len(self.data.train)} pairs give no full step with batch_size={config.batch_size} "
                f"x {env.world_size} process(es) x accum_steps={config.accum_steps}; lower them"
            )
        total = self.per_epoch * config.epochs
        self.total_steps = min(total, config.max_steps) if config.max_steps else total
        self.optimizer, self.scheduler = prepare_optim(
            config, self.model, self.objective, self.total_steps
        )
        amp16 = config.precision == "amp_fp16" and env.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=amp16)
        self.autocast = autocast_for(config.precision, env.device)
        self.text_cache = self._text_cache()
        self.ddp = self._wrap_ddp()
        self.state = LoopState()
        self.metrics_log = JsonlLog(self.run_dir / "metrics.jsonl", env.is_main)
        self.samples_log = JsonlLog(
            self.run_dir / "samples.jsonl", env.is_main and config.log_samples
        )
        self.dataset = PairDataset(
            self.data.train, self.lm.preprocess_train if config.augment else self.lm.preprocess_val
        )
        self.last: dict[str, float] = {}
        self._val_step = -1
        self._step_lr = config.lr

    def _text_cache(self) -> Any:
        from litclip.train.text_cache import (
            CachedTextModel,
            FrozenTextFeatures,
            has_frozen_hf_trunk,
        )

        if not (self.config.cache_text_features and has_frozen_hf_trunk(self.model)):
            return None
        features = FrozenTextFeatures(self.model, self.lm.tokenizer, self.env.device)
        return CachedTextModel(self.model, features, self.data.train.captions)

    def _wrap_ddp(self) -> torch.nn.Module:
        module = self.text_cache if self.text_cache is not None else self.model
        if not self.env.distributed:
            return module
        ids = [self.env.device.index] if self.env.device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(module, device_ids=ids)

    # ---- checkpoints -------------------------------------------------------------------
    def export_model(self) -> torch.nn.Module:
        """Plain open_clip weights (LoRA merged into a copy when adapters are on)."""
        if self.lora is None:
            return self.model
        from litclip.models.lora import merged_model

        return merged_model(self.lora)

    def checkpoint(self) -> None:
        """Save an atomic checkpoint (rank 0) at the current step."""
        if not self.config.save_checkpoints:
            return
        if self.env.is_main:
            from litclip.models.saving import state_dict_for_saving

            state = {
                "state_dict": state_dict_for_saving(self.export_model()),
                "train_state_dict": self.model.state_dict() if self.lora is not None else None,
                "objective": self.objective.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "scaler": self.scaler.state_dict(),
                "rng": rng_state(),
                "loop": self.state.to_dict(),
                "config": self.config.to_dict(),
                "world_size": self.env.world_size,
                "last": dict(self.last),  # the metrics a resumed run reports if it is done
                "data": self._data_identity(),
            }
            save_checkpoint(self.run_dir, self.state.step, state, self.config.keep_checkpoints)
        barrier(self.env)

    def resume(self) -> Path | None:
        """Restore the latest (or given) checkpoint; returns its path or ``None``."""
        path = resolve_resume(self.run_dir, self.config.resume)
        if path is None:
            return None
        ck = load_checkpoint(path)
        self._check_resumable(path, ck)
        self.model.load_state_dict(ck["train_state_dict"] or ck["state_dict"])
        self.objective.load_state_dict(ck["objective"])
        self.optimizer.load_state_dict(ck["optimizer"])
        self.scheduler.load_state_dict(ck["scheduler"])
        # the optimizer holds the lr the saved schedule set last (0 at a finished cosine's
        # end): the next step takes the lr of the schedule as it is now (a longer run's)
        step = self.scheduler.last_epoch
        lrs = [
            b * f(step)
            for b, f in zip(self.scheduler.base_lrs, self.scheduler.lr_lambdas, strict=True)
        ]
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self.scheduler._last_lr = lrs  # noqa: SLF001 - what get_last_lr() reports
        self.scaler.load_state_dict(ck["scaler"])
        set_rng_state(ck["rng"])
        self.state = LoopState(**ck["loop"])
        # an early stop is judged again by today's patience (more patience goes on)
        patience = self.config.early_stop_patience
        self.state.stopped_early = 0 < patience <= self.state.bad_evals
        self.last = dict(ck.get("last") or {})
        self.metrics_log.truncate_after(self.state.step)
        self.samples_log.truncate_after(self.state.step)
        return path

    def _data_identity(self) -> dict[str, Any]:
        """The training pairs a checkpoint was made on: their count and a hash of their ids."""
        ids = "\n".join(str(i) for i in self.data.train.ids)
        digest = hashlib.sha256(ids.encode("utf-8")).hexdigest()[:16]
        return {"n_train": len(self.data.train), "ids_sha256": digest}

    def _check_resumable(self, path: Path, ck: dict[str, Any]) -> None:
        """A checkpoint continues only the run that made it: other options (batch size, lr,
        loss, locks, model, world size) would be ignored by the restored optimizer and
        schedule, or fail to load, while config.json recorded them."""
        saved = ck.get("config") or {}
        diffs = {
            k: f"{k} {saved[k]!r} (now {v!r})"
            for k, v in self.config.maths().items()
            if k in saved and saved[k] != v
        }
        allowed = [k for k in RESUME_MAY_CHANGE if k in diffs]
        longer = [diffs.pop(k) for k in allowed]
        if longer and self.env.is_main:  # training longer (or shorter) is a choice to allow
            then = (
                ": the schedule follows the new length"
                if {"epochs", "max_steps"} & set(allowed)
                else ""
            )
            print(f"resuming with {', '.join(longer)}{then}")
        changed = list(diffs.values())
        world = ck.get("world_size")
        if world is not None and world != self.env.world_size:
            changed.append(f"{world} process(es) (now {self.env.world_size})")
        # other training pairs (another corpus, or one rebuilt since): a checkpoint taken
        # before this was recorded continues unchecked
        data, now = ck.get("data"), self._data_identity()
        if data and data.get("ids_sha256") != now["ids_sha256"]:
            changed.append(
                f"{data.get('n_train')} other training pairs (now {now['n_train']} from "
                f"{self.config.data})"
            )
        if changed:
            raise LitclipError(
                f"--resume {path.name}: that checkpoint was made with "
                + ", ".join(changed)
                + "; resume with the same options, or start a new run in another --out"
            )

    # ---- steps ------------------------------------------------------------------------
    def _micro_step(
        self, batch: dict[str, Any], global_batch: list[int], sync: bool
    ) -> dict[str, float]:
        dev = self.env.device
        images = batch["images"].to(dev, non_blocking=True)
        if self.text_cache is not None:
            texts = batch["indices"]
        else:
            texts = batch["texts"].to(dev, non_blocking=True)
        no_sync = self.env.distributed and not sync
        with self.ddp.no_sync() if no_sync else contextlib.nullcontext():
            with self.autocast():
                out = self.ddp(images, texts)
                parts = self.objective(out, global_batch)
            self.scaler.scale(parts["loss"] / self.config.accum_steps).backward()
        return {k: float(v.detach()) for k, v in parts.items()}

    def _optimizer_step(self) -> None:
        allreduce_grads(list(self.objective.parameters()), self.env)
        if self.config.grad_clip:
            self.scaler.unscale_(self.optimizer)
            params = [p for g in self.optimizer.param_groups for p in g["params"]]
            torch.nn.utils.clip_grad_norm_(params, self.config.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        # the base lr this step used (the config's lr on its schedule; per-tower multipliers
        # apply on top), read before the schedule moves on to the next step's
        group = self.optimizer.param_groups[0]
        initial = group.get("initial_lr")
        self._step_lr = self.config.lr * group["lr"] / initial if initial else group["lr"]
        self.scheduler.step()
        clamp_logit_scale(self.model)

    def _after_step(self, bar: TrainProgress, parts: dict[str, float], rate: float) -> None:
        cfg, st = self.config, self.state
        lr = self._step_lr
        scale = (
            float(self.model.logit_scale.detach().exp())
            if hasattr(self.model, "logit_scale")
            else 0.0
        )
        self.last = {**parts, "lr": lr, "samples_per_s": rate, "logit_scale": scale}
        bar.update(st.step, rate, parts["loss"], lr)
        if st.step % max(1, cfg.log_every) == 0 or st.step == self.total_steps:
            self.metrics_log.write(
                {
                    "kind": "train",
                    "step": st.step,
                    "epoch": st.epoch,
                    "samples": st.samples,
                    "elapsed_s": time.perf_counter() - self._t0,
                    **self.last,
                }
            )
            if self.tb is not None:
                for k, v in self.last.items():
                    self.tb.add_scalar(f"train/{k}", v, st.step)
        if self.data.val is not None and cfg.val_every and st.step % cfg.val_every == 0:
            self._validate()
        # the step that ends an epoch is saved at the epoch's end, after its validation: saved
        # before it too, a kill in between resumed there and logged that validation twice
        ends_epoch = st.batch_in_epoch >= self.per_epoch * cfg.accum_steps
        if cfg.checkpoint_every and st.step % cfg.checkpoint_every == 0 and not ends_epoch:
            self.checkpoint()

    def _done(self) -> bool:
        st = self.state
        return st.step >= self.total_steps or st.stopped_early or st.epoch >= self.config.epochs

    def _run_epoch(self, bar: TrainProgress) -> None:
        cfg, st, env = self.config, self.state, self.env
        batches = epoch_batches(
            len(self.data.train), cfg.batch_size * env.world_size, cfg.seed, st.epoch
        )
        remaining = batches[: self.per_epoch * cfg.accum_steps][st.batch_in_epoch :]
        with_seeds = seeded(remaining, cfg.seed, st.epoch, st.batch_in_epoch)
        loader = make_loader(
            self.dataset,
            [rank_slice(b, env.rank, env.world_size) for b in with_seeds],
            None if self.text_cache is not None else self.lm.tokenizer,
            cfg.num_workers,
            env.device.type == "cuda",
            seed=cfg.seed * 1009 + st.epoch * 31 + st.batch_in_epoch + env.rank,
        )
        start, seen = time.perf_counter(), 0
        summed: dict[str, float] = {}  # the step's micro-batches, logged as their mean
        for batch, global_batch in zip(loader, remaining, strict=True):
            last_micro = (st.batch_in_epoch + 1) % cfg.accum_steps == 0
            for k, v in self._micro_step(batch, global_batch, sync=last_micro).items():
                summed[k] = summed.get(k, 0.0) + v
            self.samples_log.write(
                {
                    "step": st.step + 1,
                    "epoch": st.epoch,
                    "batch": st.batch_in_epoch,
                    "ids": sample_ids(self.data.train, global_batch),
                }
            )
            st.batch_in_epoch += 1
            seen += len(global_batch)
            if not last_micro:
                continue
            self._optimizer_step()
            st.step += 1
            st.samples += len(global_batch) * cfg.accum_steps
            parts = {k: v / cfg.accum_steps for k, v in summed.items()}
            summed = {}
            parts = mean_across_ranks(parts, env)  # the global batch's loss, as on one process
            self._after_step(bar, parts, seen / max(1e-9, time.perf_counter() - start))
            if self._done():
                break
        if st.batch_in_epoch >= self.per_epoch * cfg.accum_steps:  # the epoch is complete
            st.epoch, st.batch_in_epoch = st.epoch + 1, 0
            if self.data.val is not None and not cfg.val_every:
                self._validate()
            self.checkpoint()

    # ---- validation ------------------------------------------------------------------
    def _validate(self) -> None:
        cfg, st = self.config, self.state
        self._val_step = st.step
        if self.env.is_main:
            metrics = validate(
                self.model,
                self.data.val,
                self.lm.preprocess_val,
                self.lm.tokenizer,
                self.env.device,
                cfg.val_k,
                max(cfg.batch_size, 64),
                self.autocast,
                self.text_cache.features.encode if self.text_cache is not None else None,
            )
            # the epoch the weights are in, counted from 0 as on train lines (at an epoch's
            # end the counter has already moved on to the next one)
            epoch = st.epoch - 1 if st.batch_in_epoch == 0 and st.epoch else st.epoch
            self.metrics_log.write({"kind": "val", "step": st.step, "epoch": epoch, **metrics})
            self.last.update({f"val_{k}": v for k, v in metrics.items()})
            if cfg.val_metric not in metrics:
                raise LitclipError(f"val_metric {cfg.val_metric!r} is not one of {sorted(metrics)}")
            value = metrics[cfg.val_metric]
            improved = st.best is None or value > st.best
            # a tie keeps the later, more trained weights (a tiny val split ties at chance at
            # every check, and the first check's model was kept); patience counts no tie
            if improved or value == st.best:
                self._save(
                    self.run_dir / "best_model", {"best_step": st.step, cfg.val_metric: value}
                )
            if improved:
                st.best, st.bad_evals = value, 0
            else:
                st.bad_evals += 1
        stop = (
            self.env.is_main
            and cfg.early_stop_patience > 0
            and st.bad_evals >= cfg.early_stop_patience
        )
        st.stopped_early = broadcast_flag(stop, self.env)

    def _save(self, out: Path, extra: dict[str, Any]) -> Path:
        meta = {
            "training": self.config.to_dict(),
            "metrics": dict(self.last),
            "steps": self.state.step,
            "base_spec": self.lm.meta.get("base_spec", self.lm.spec),
            **extra,
        }
        bias = getattr(self.objective, "logit_bias", None)
        if bias is not None:  # SigLIP's learned bias: its sigmoid probabilities need it
            meta["logit_bias"] = float(bias.detach())
        return save_model(self.lm, out, metadata=meta, model=self.export_model())

    # ---- driver ----------------------------------------------------------------------
    def fit(self) -> TrainResult:
        """Train to ``epochs`` / ``max_steps`` (or early stop); save the final model."""
        resumed = self.resume()
        if resumed is None:
            self._start_fresh()
        if self.env.is_main:
            remove_stale_temps(self.run_dir)
        write_run_config(
            self.run_dir,
            self.config,
            self.env,
            resumed_from=str(resumed) if resumed else None,
            n_train=len(self.data.train),
            n_val=len(self.data.val) if self.data.val else 0,
            total_steps=self.total_steps,
        )
        self.tb = _tensorboard(self.run_dir, self.env.is_main)
        # a resumed run's clock goes on from the checkpoint's (it restarted at 0)
        self._t0 = time.perf_counter() - self.metrics_log.last("elapsed_s")
        had_dict = getattr(self.model, "output_dict", False)
        self.model.output_dict = True
        self.model.train()
        from litclip.train.text_cache import has_frozen_hf_trunk

        if has_frozen_hf_trunk(self.model):  # locked: no dropout, as its cached features have
            self.model.text.transformer.eval()
        enabled = self.config.progress and self.env.is_main
        if enabled:
            n_val = len(self.data.val) if self.data.val else 0
            # another split's rows (a corpus's test articles) and QC rejects: said, not silent
            aside = {
                k: n
                for k, n in self.data.train.left_out.items()
                if n_val == 0 or k not in VAL_SPLITS
            }
            said = {
                "failed QC": "pairs that failed QC",
                "unsplit": "pairs with no split",
                "with no caption": "rows with no image or caption",
            }
            unused = "".join(
                f"; {n} {said.get(k, f'{k}-split pairs')} left out" for k, n in aside.items()
            )
            print(
                f"training on {len(self.data.train)} pairs ({n_val} held out for validation"
                f"{unused}): "
                f"{count(self.per_epoch, 'step')}/epoch x "
                f"{count(self.config.epochs, 'epoch')} -> "
                f"{count(self.total_steps, 'step')} on {self.env.device}"
                + (f"; resumed from {resumed} at step {self.state.step}" if resumed else "")
                + (
                    f"; {self.config.precision} needs CUDA: fp32 here"
                    if self.config.precision != "fp32" and self.env.device.type != "cuda"
                    else ""
                )
            )
        # resuming a finished run re-exports its model with its metrics; nothing to train
        finished = resumed is not None and self._done()
        if finished and enabled:
            print(f"run already complete at step {self.state.step} ({resumed}): nothing to train")
        try:
            if not finished:
                with TrainProgress(self.total_steps, self.state.step, enabled) as bar:
                    while not self._done():
                        self._run_epoch(bar)
            if not finished and self.data.val is not None and self._val_step != self.state.step:
                self._validate()  # stopped mid-epoch (max_steps): validate the final weights
            if resolve_resume(self.run_dir, "latest") != self._ckpt_path():
                self.checkpoint()
        finally:
            self.model.output_dict = had_dict
            self.model.eval()
            if self.tb is not None:
                self.tb.close()
        return self._finish()

    def _start_fresh(self) -> None:
        """A fresh run never lands on an earlier one (its logs would be appended to, and the
        checkpoint rotation would mix both runs' files). ``--resume latest`` before any
        checkpoint restarts the interrupted attempt, whose logs are cleared."""
        ckpts = checkpoint_dir(self.run_dir)
        has_ckpts, has_logs = earlier_attempt(self.run_dir)
        if self.config.resume and has_ckpts:
            raise LitclipError(
                f"--resume {self.config.resume}: {ckpts} holds checkpoints but no "
                f"'{LATEST}' pointer; pass one of them as --resume PATH"
            )
        if not self.config.resume and (has_ckpts or has_logs):
            raise LitclipError(
                f"{self.run_dir} already holds a training run (checkpoints/, metrics.jsonl): "
                "pass --resume latest to continue it, or choose another --out"
            )
        if self.config.resume and (self.run_dir / "model").is_dir():
            # finished without checkpoints (save_checkpoints false, as cpu-small sets): a
            # restart would train it again and replace its model
            raise LitclipError(
                f"--resume {self.config.resume}: {self.run_dir} holds a finished run (model/) "
                "and no checkpoint to go on from (save_checkpoints was false, or they were removed): "
                "there is nothing to resume; train into another --out"
            )
        if self.config.resume:
            self.metrics_log.truncate_after(-1)
            self.samples_log.truncate_after(-1)
            if self.config.progress and self.env.is_main:
                print(f"no checkpoint in {ckpts} yet: starting from scratch")

    def _ckpt_path(self) -> Path:
        return self.run_dir / "checkpoints" / f"step_{self.state.step:06d}.pt"

    def _finish(self) -> TrainResult:
        model_dir = self.run_dir / "model"
        if self.env.is_main:
            self._save(model_dir, {"stopped_early": self.state.stopped_early})
        barrier(self.env)
        best = self.run_dir / "best_model"
        best_meta = best / LITCLIP_META
        return TrainResult(
            model_dir,
            self.run_dir,
            self.state.step,
            dict(self.last),
            best if best.is_dir() else None,
            json.loads(best_meta.read_text()).get("best_step") if best_meta.is_file() else None,
            self.state.stopped_early,
        )
