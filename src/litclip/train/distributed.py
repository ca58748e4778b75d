"""torchrun / DDP set-up from the environment, and seeding.

``torchrun --nproc-per-node 2 --no-python litclip train DATA ...`` sets ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK`` and the rendezvous address; :func:`init_distributed` reads them and starts
``nccl`` on CUDA or ``gloo`` on CPU. Feature gathering with gradients is open_clip's
(``ClipLoss(local_loss=True, gather_with_grad=True)``), see :mod:`litclip.train.losses`.
"""

from __future__ import annotations

import os
import random
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from litclip.models.device import resolve_device


@dataclass(frozen=True)
class DistEnv:
    """Where this process sits: ``rank`` of ``world_size``, on ``device``."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        """Whether this is rank 0 (the one that writes files)."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """Whether more than one process takes part."""
        return self.world_size > 1


def init_distributed(device: str = "auto", backend: str | None = None) -> DistEnv:
    """Start the process group when launched by torchrun (``WORLD_SIZE`` > 1); else single process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    dev = resolve_device(device, local)
    if world > 1 and not dist.is_initialized():
        if dev.type == "cuda":
            torch.cuda.set_device(dev)
        dist.init_process_group(backend=backend or ("nccl" if dev.type == "cuda" else "gloo"))
        # open_clip's gather_features uses torch.distributed.nn.all_gather, which warns on
        # every call (2 lines per step per process); the warning is for open_clip to act on
        warnings.filterwarnings(
            "ignore", message=".*all_gather is deprecated", category=FutureWarning
        )
    if dist.is_initialized():
        world, rank = dist.get_world_size(), dist.get_rank()
    return DistEnv(rank=rank, local_rank=local, world_size=world, device=dev)


def cleanup_distributed() -> None:
    """Tear the process group down (no-op when single process)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def seed_everything(seed: int, rank: int = 0) -> None:
    """Seed python, numpy and torch; ranks differ so augmentations are independent."""
    s = seed + rank
    random.seed(s)
    np.random.seed(s % 2**32)
    torch.manual_seed(s)


def barrier(env: DistEnv) -> None:
    """Wait for every rank (no-op when single process)."""
    if env.distributed:
        dist.barrier()


def mean_across_ranks(values: dict[str, float], env: DistEnv) -> dict[str, float]:
    """``values`` averaged over the ranks (every rank calls it). Each rank's loss covers its
    share of the global batch, so the mean is the loss a single process logs for the whole
    batch: logged alone, rank 0's share made a DDP run's curve unlike the same run on one."""
    if not env.distributed:
        return values
    keys = sorted(values)
    t = torch.tensor([values[k] for k in keys], dtype=torch.float64, device=env.device)
    dist.all_reduce(t)
    return dict(zip(keys, (t / env.world_size).tolist(), strict=True))


def broadcast_flag(flag: bool, env: DistEnv) -> bool:
    """Rank 0's decision (e.g. early stop) for every rank."""
    if not env.distributed:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=env.device)
    dist.broadcast(t, src=0)
    return bool(t.item())
