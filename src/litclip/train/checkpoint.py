"""Atomic training checkpoints and ``--resume latest``.

``OUT/checkpoints/step_000100.pt`` holds everything a resumed run needs: ``state_dict`` (the
plain open_clip weights, LoRA merged, so ``open_clip.load_checkpoint(model, path)`` works),
``train_state_dict`` (the adapted model when LoRA is on), the objective (e.g. a SigLIP bias),
optimizer, scheduler, AMP scaler, RNG states, and the data position (epoch, batches consumed
in it, step). Every value is a tensor or plain Python data, so ``torch.load(...,
weights_only=True)`` (open_clip's default) accepts the file. Files are written under a
temporary name and renamed; the ``latest`` pointer is updated only after the rename, so a
kill at any moment leaves the previous checkpoint valid.
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from litclip.errors import LitclipError
from litclip.io import atomic_path, atomic_write_text, left_temps, mend_folder_swap

LATEST = "latest"


def checkpoint_dir(run_dir: str | Path) -> Path:
    """``run_dir/checkpoints``."""
    return Path(run_dir) / "checkpoints"


def earlier_attempt(run_dir: str | Path) -> tuple[bool, bool]:
    """What an earlier run left in ``run_dir``: (checkpoint files, a metrics log)."""
    ckpts = checkpoint_dir(run_dir)
    has_ckpts = ckpts.is_dir() and any(ckpts.glob("*.pt"))
    return has_ckpts, (Path(run_dir) / "metrics.jsonl").is_file()


def remove_stale_temps(run_dir: str | Path) -> int:
    """Delete the temporary files of checkpoint and model writes a killed run never finished
    (a checkpoint is as large as the model and optimizer state, and a resume never reads
    them) and put back a model folder a killed save had renamed aside; the run folder's
    lock keeps out any writer still at work. Returns how many were deleted."""
    stale = left_temps(checkpoint_dir(run_dir), "step_*.pt")
    for path in stale:
        path.unlink(missing_ok=True)
    for model in ("model", "best_model"):  # a model save killed mid-way (io.atomic_folder)
        stale += mend_folder_swap(Path(run_dir) / model)
    return len(stale)


#: What a training run folder holds (``run_key.json``: `litclip run`'s step key)
RUN_DIR_NAMES = frozenset(
    {"config.json", "metrics.jsonl", "samples.jsonl", "checkpoints", "model", "best_model"}
    | {"tensorboard", "run_key.json"}
)


def check_run_dir(out: str | Path, model: str) -> None:
    """Refuse an ``--out`` that is another tool's folder (a corpus, a model: its config.json
    would be overwritten) or the model being fine-tuned; a new, empty or earlier run folder
    is fine."""
    from litclip.errors import LitclipError
    from litclip.io import refuse_foreign_out, within

    path = Path(out)
    if path.is_file():
        raise LitclipError(f"--out {out} is a file, not a folder")
    if Path(model).is_dir() and within(path, model):
        raise LitclipError(f"--out {out} is (inside) the model {model}; choose another folder")
    refuse_foreign_out(
        path, RUN_DIR_NAMES, "a training run", "an earlier run is continued with --resume"
    )


def rng_state() -> dict[str, Any]:
    """Python, numpy, torch (and CUDA) generator states as weights_only-safe values."""
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [name, torch.from_numpy(np.asarray(keys).copy()), pos, has_gauss, gauss],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` captured."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy(), int(pos), int(has_gauss), float(cached)))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _by_step(paths: Iterable[Path]) -> list[Path]:
    """Checkpoints oldest first by their step number (past step 999999 a name has seven
    digits, and by name step_1000000 came before step_999999: the newest was pruned)."""

    def step(p: Path) -> int:
        digits = p.stem.removeprefix("step_")
        return int(digits) if digits.isdigit() else -1

    return sorted(paths, key=step)


def save_checkpoint(run_dir: str | Path, step: int, state: dict[str, Any], keep: int = 3) -> Path:
    """Write ``step_{step:06d}.pt`` atomically, point ``latest`` at it, prune old ones.

    Args:
        run_dir: the run directory.
        step: optimizer step (the file name).
        state: the checkpoint payload.
        keep: step checkpoints to keep (the newest ones; at least 1).

    Returns:
        The checkpoint path.
    """
    folder = checkpoint_dir(run_dir)
    path = folder / f"step_{step:06d}.pt"
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    atomic_write_text(folder / LATEST, path.name + "\n")
    for old in _by_step(folder.glob("step_*.pt"))[: -max(1, keep)]:
        old.unlink(missing_ok=True)
    return path


def resolve_resume(run_dir: str | Path, resume: str | None) -> Path | None:
    """The checkpoint to resume from: ``latest`` (None if the run has none yet) or a path.

    Raises:
        LitclipError: an explicit path that does not exist.
    """
    if not resume:
        return None
    if resume == LATEST:
        pointer = checkpoint_dir(run_dir) / LATEST
        if not pointer.is_file():
            return None
        path = checkpoint_dir(run_dir) / pointer.read_text(encoding="utf-8").strip()
        return path if path.is_file() else None
    path = Path(resume)
    if not path.is_file():
        raise LitclipError(f"checkpoint to resume from not found: {path} (use --resume latest)")
    return path


#: What a resumed run reads from a checkpoint (see ``Trainer.resume``)
CHECKPOINT_KEYS = (
    "state_dict",
    "train_state_dict",
    "objective",
    "optimizer",
    "scheduler",
    "scaler",
    "rng",
    "loop",
)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (weights_only: no code runs).

    Raises:
        LitclipError: the file is truncated, not a torch file, or not a training checkpoint
            (e.g. a model's weights), so ``--resume`` names it instead of a torch traceback.
    """
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, EOFError, RuntimeError, ValueError, pickle.UnpicklingError) as exc:
        # torch's UnpicklingError text advises weights_only=False: no step for an unknown file
        first = "" if isinstance(exc, pickle.UnpicklingError) else str(exc).partition("\n")[0]
        raise LitclipError(
            f"cannot resume from {path}: it is truncated or not a checkpoint written by "
            f"litclip train ({type(exc).__name__}{f': {first[:200]}' if first else ''})"
        ) from exc
    missing = [k for k in CHECKPOINT_KEYS if k not in ck] if isinstance(ck, dict) else []
    if not isinstance(ck, dict) or missing:
        lacks = f"it lacks {', '.join(missing)}" if missing else f"it holds a {type(ck).__name__}"
        raise LitclipError(
            f"cannot resume from {path}: not a checkpoint written by litclip train ({lacks}; "
            "resume from RUN/checkpoints/step_*.pt, or --resume latest)"
        )
    return ck
