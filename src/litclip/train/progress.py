"""A rich progress bar for training: steps, samples/s, loss, lr."""

from __future__ import annotations

from typing import Any

from litclip.progress import progress_bar


class TrainProgress:
    """Context manager around :class:`rich.progress.Progress` (disabled off rank 0 or on request)."""

    def __init__(self, total: int, completed: int = 0, enabled: bool = True) -> None:
        self.progress = progress_bar(
            "train",
            "{task.fields[rate]:>7.1f} samples/s  loss {task.fields[loss]:.4f}  lr {task.fields[lr]:.2e}",
            enabled=enabled,
        )
        self.task = self.progress.add_task(
            "train", total=total, completed=completed, rate=0.0, loss=float("nan"), lr=0.0
        )

    def __enter__(self) -> TrainProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def update(self, step: int, rate: float, loss: float, lr: float) -> None:
        """Show the state after optimizer step ``step``."""
        self.progress.update(self.task, completed=step, rate=rate, loss=loss, lr=lr)
