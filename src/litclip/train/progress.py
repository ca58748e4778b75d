"""A rich progress bar for training: steps, samples/s, loss, lr.

Off a terminal (a SLURM or nohup log, ``> train.log``) no bar is drawn, so a plain line says
where the run is at every tenth of its steps: a log must tell a slow run from a hung one.
"""

from __future__ import annotations

import sys
import time
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
        self.total, self.t0 = total, time.perf_counter()
        self.plain = enabled and not self.progress.console.is_terminal
        self.every = max(1, total // 10)

    def __enter__(self) -> TrainProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def update(self, step: int, rate: float, loss: float, lr: float) -> None:
        """Show the state after optimizer step ``step``."""
        self.progress.update(self.task, completed=step, rate=rate, loss=loss, lr=lr)
        if self.plain and (step % self.every == 0 or step == self.total):
            minutes, seconds = divmod(int(time.perf_counter() - self.t0), 60)
            print(
                f"train {step}/{self.total} ({100 * step // max(1, self.total)}%)  "
                f"{rate:.1f} samples/s  loss {loss:.4f}  lr {lr:.2e}  "
                f"{minutes}:{seconds:02d} elapsed",
                file=sys.stderr,
                flush=True,
            )
