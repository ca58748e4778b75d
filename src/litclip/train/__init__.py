"""Contrastive fine-tuning: ``train(TrainConfig(...)) -> TrainResult``.

Losses ``clip`` / ``selip`` / ``siglip``, locked towers (LiT), LoRA, AMP, gradient
accumulation and checkpointing, torchrun/DDP with gathered features, atomic checkpoints with
``resume="latest"``, and held-out retrieval validation. See :mod:`litclip.train.loop` for the
run-directory layout and :class:`TrainConfig` for every option. A small CPU run::

    from litclip.train import TrainConfig, train

    cfg = TrainConfig.from_preset("cpu-small", data="corpus/", val_data="val.parquet", out="run/")
    result = train(cfg)  # result.model_dir loads with litclip.models.load_model
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from litclip.train.config import PRESETS, TrainConfig

if TYPE_CHECKING:
    from litclip.train.loop import TrainResult

__all__ = ["PRESETS", "TrainConfig", "TrainResult", "train"]


def train(config: TrainConfig) -> TrainResult:
    """Run one training job (single process, or one rank under torchrun).

    Args:
        config: the run's options (``TrainConfig.from_file(...)`` / ``.with_overrides(...)``).

    Returns:
        a :class:`TrainResult`: the model folder, steps, last metrics, ``best_model``
        and the step it was saved at, whether early stopping ended the run.
    """
    import torch.distributed as dist

    from litclip.train.distributed import cleanup_distributed, init_distributed, seed_everything
    from litclip.train.loop import Trainer

    owned = not (dist.is_available() and dist.is_initialized())
    env = init_distributed(config.device)
    try:
        if config.num_threads:
            import torch

            torch.set_num_threads(config.num_threads)
        seed_everything(config.seed, env.rank)
        with _sole_writer(config.out, env.is_main):
            return Trainer(config, env).fit()
    finally:
        if owned:
            cleanup_distributed()


@contextlib.contextmanager
def _sole_writer(out: str, main: bool) -> Iterator[None]:
    """Rank 0 holds the run folder while it trains (:func:`litclip.io.sole_writer`): a run
    started twice into one ``--out`` (a requeued job whose first run still runs) would mix
    its checkpoints and logs with the other's. A folder made for nothing is taken back."""
    from litclip.io import sole_writer, taken_back_if_empty

    path = Path(out)
    if not main or path.is_file():  # a file: check_run_dir says so
        yield
        return
    with taken_back_if_empty(path):
        path.mkdir(parents=True, exist_ok=True)
        with sole_writer(path, "training run"):
            yield


def __getattr__(name: str):  # noqa: ANN202 - lazy export keeps `import litclip.train` light
    if name == "TrainResult":
        from litclip.train.loop import TrainResult

        return TrainResult
    raise AttributeError(name)
