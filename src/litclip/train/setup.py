"""Build the pieces of a run from a :class:`TrainConfig`: model, data, objective, optimizer."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from litclip.data.splits import VAL_SPLITS
from litclip.errors import LitclipError
from litclip.models import LoadedModel, load_model
from litclip.train.config import TrainConfig
from litclip.train.data import PairTable, manifest_splits, open_pairs, split_holdout
from litclip.train.distributed import DistEnv, barrier
from litclip.train.freeze import lock_image, lock_text
from litclip.train.losses import Objective, create_objective
from litclip.train.optim import create_optimizer, create_scheduler, param_groups
from litclip.train.similarity import CaptionEmbedder, SelipTargets, default_cache_dir


@dataclass
class RunData:
    """Training pairs and optional held-out pairs."""

    train: PairTable
    val: PairTable | None


def prepare_model(config: TrainConfig, device: torch.device) -> tuple[LoadedModel, Any]:
    """Load the model and apply locks / LoRA / grad checkpointing; returns ``(lm, lora_wrapper)``."""
    lm = load_model(config.model, device=str(device))
    if lm.meta.get("random_init") and config.progress:
        import open_clip

        tags = open_clip.list_pretrained_tags_by_model(config.model)
        hint = (
            f" (pretrained: {', '.join(f'{config.model}:{t}' for t in tags[:3])})" if tags else ""
        )
        print(f"note: {config.model} has no pretrained weights: training from random init{hint}")
    model = lm.model
    lora = None
    if config.lora:
        from litclip.models.lora import apply_lora

        lora = apply_lora(
            model,
            config.lora_rank,
            config.lora_alpha,
            config.lora_dropout,
            config.lora_towers,
            config.lora_targets,
        )
    if config.lock_image:
        lock_image(model, config.lock_image_unlocked_groups)
    if config.lock_text:
        lock_text(model, config.lock_text_unlocked_layers, config.lock_text_train_proj)
    if config.grad_checkpointing:
        model.set_grad_checkpointing(True)
    return lm, lora


def prepare_data(config: TrainConfig) -> RunData:
    """Open the training pairs and the held-out pairs: ``val_data``, else the manifest's own
    ``val`` rows when it has a ``split`` column, else a ``val_fraction`` holdout."""
    keys = dict(
        image_key=config.image_key,
        caption_key=config.caption_key,
        id_key=config.id_key,
        fields=config.selip_fields,
    )
    train = open_pairs(config.data, **keys)
    val = None
    if config.val_data:
        # its val rows if it has a split column (all of it without one)
        splits = manifest_splits(config.val_data)
        named = bool(splits & set(VAL_SPLITS))
        if splits and not named:  # all rows would be its train and test pairs
            raise LitclipError(
                f"val_data {config.val_data} has a split column ({', '.join(sorted(splits))}) "
                "but no val rows: validating on all of it would choose the best model on "
                "training and test pairs; mark val rows, or give a file of held-out pairs"
            )
        val = open_pairs(config.val_data, **{**keys, "fields": ()}, split="val" if named else None)
    elif manifest_splits(config.data) & set(VAL_SPLITS):  # the manifest's own val rows
        val = open_pairs(config.data, **{**keys, "fields": ()}, split="val")
    elif config.val_fraction > 0:
        train, val = split_holdout(train, config.val_fraction, config.seed)
    shared = _shared(val, train) if config.val_data and val is not None else 0
    if shared:
        warnings.warn(  # recall of pairs trained on: best_model and early stopping follow it
            f"val_data {config.val_data}: {shared} of its {len(val)} pairs are training pairs, "
            "so validation measures recall of what training saw (give held-out pairs, or "
            "val_fraction)",
            stacklevel=2,
        )
    return RunData(train, val)


def _shared(val: PairTable, train: PairTable) -> int:
    """How many pairs of ``val`` (image and caption) are also training pairs."""
    seen = set(zip(train.images, train.captions, strict=True))
    return sum(pair in seen for pair in zip(val.images, val.captions, strict=True))


def prepare_objective(config: TrainConfig, train: PairTable, env: DistEnv) -> Objective:
    """The loss; for SeLIP rank 0 fills the caption-embedding cache first, then the others read it."""

    def targets() -> SelipTargets:
        cache = Path(config.cache_dir) if config.cache_dir else default_cache_dir()
        embed = CaptionEmbedder(config.selip_encoder, cache_dir=cache)
        return SelipTargets(
            train.captions,
            config.selip_weight,
            config.selip_threshold,
            config.selip_ngram,
            train.fields if config.selip_fields else None,
            embed,
        )

    if config.loss == "selip" and env.distributed and not env.is_main:
        barrier(env)
    objective = create_objective(config.loss, env.rank, env.world_size, targets)
    if config.loss == "selip" and env.distributed and env.is_main:
        barrier(env)
    return objective.to(env.device)


def steps_per_epoch(n_pairs: int, config: TrainConfig, world_size: int) -> int:
    """Optimizer steps per epoch (full global batches only, whole accumulation groups only)."""
    return (n_pairs // (config.batch_size * world_size)) // config.accum_steps


def prepare_optim(
    config: TrainConfig, model: torch.nn.Module, objective: Objective, total_steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW with per-tower lrs, and the warmup + cosine schedule over ``total_steps``."""
    groups = param_groups(
        model,
        objective.parameters(),
        config.lr,
        config.weight_decay,
        config.image_lr_mult,
        config.text_lr_mult,
    )
    if not groups:
        from litclip.errors import LitclipError

        raise LitclipError(
            "nothing to train: every parameter is frozen (check lock_* / lora options)"
        )
    optimizer = create_optimizer(groups, (config.beta1, config.beta2), config.eps)
    # at most a fifth of the run warms up: a short run must still decay, not end at peak lr
    warmup = min(config.warmup_steps, max(1, total_steps // 5))
    return optimizer, create_scheduler(optimizer, warmup, total_steps)
