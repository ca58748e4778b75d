"""The rich progress bar the long-running steps share: label, bar, done/total, stats, times.

Bars are drawn on stderr, so stdout holds a command's results alone, and only on a terminal:
written to a file or a pipe (a SLURM log, ``> out.txt``) a bar cannot move, and rich left a
blank line where each one stopped. The commands print what they did when they are done.
"""

from __future__ import annotations

from typing import Any

from litclip.console import new_console


def progress_bar(
    label: str,
    *stats: str,
    enabled: bool = True,
    transient: bool = False,
    elapsed: bool = True,
) -> Any:  # rich.progress.Progress (rich is imported only when a bar is made)
    """A :class:`rich.progress.Progress` showing ``label`` (a rich template: may use
    ``{task.description}``), the bar, done/total, each ``stats`` template (e.g.
    ``"{task.fields[pairs]} pairs"``), the elapsed time when ``elapsed``, and the time left.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn()]
    columns += [TextColumn(s) for s in stats]
    if elapsed:
        columns.append(TimeElapsedColumn())
    columns.append(TimeRemainingColumn())
    console = new_console(stderr=True)
    shown = enabled and console.is_terminal
    return Progress(*columns, console=console, disable=not shown, transient=transient)
