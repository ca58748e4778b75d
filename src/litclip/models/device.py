"""Torch device names as users give them (``auto``, ``cpu``, ``cuda:1``), checked.

Model loading and training both resolve a device here, so a typo or ``cuda`` on a machine
without a GPU is one clear user error wherever it is given.
"""

from __future__ import annotations

import torch

from litclip.errors import LitclipError


def resolve_device(name: str | torch.device, local_rank: int = 0) -> torch.device:
    """``auto`` -> ``cuda:LOCAL_RANK`` when available, else ``cpu``; any other name checked
    (a user error, not a torch traceback, for ``gpu`` or for ``cuda`` on a machine without)."""
    if name == "auto":
        return (
            torch.device(f"cuda:{local_rank}") if torch.cuda.is_available() else torch.device("cpu")
        )
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as exc:
        raise LitclipError(
            f"unknown device {str(name)!r}: use cpu, cuda, cuda:N, mps or auto"
        ) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise LitclipError(f"device {str(name)!r}: no CUDA GPU is available here; use cpu or auto")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise LitclipError(f"device {str(name)!r}: MPS is not available here; use cpu or auto")
    return device
