"""Run PDF tasks serially, on a local process pool, or on a dask.distributed cluster.

``process`` (the default) starts one short-lived child process per PDF, at most ``workers`` at
a time, from a ``forkserver`` (fork is unsafe once the rich progress thread runs; spawn is
slow). A child that exceeds ``timeout`` seconds is killed and the PDF recorded as a
``timeout`` error; a child that dies (segfault in the PDF library, OOM kill) is recorded as a
``crash``. One process per PDF also means leaks in the PDF library never accumulate: peak RSS
per worker is the peak of its worst single PDF, whatever the corpus size.

``serial`` runs in the calling process (debugging; no timeout). ``dask`` submits one task
per PDF to ``distributed.Client(scheduler)``; workers must see ``out_dir`` (a shared file
system), since each writes its PDF's part. Inside a dask worker the same per-PDF child
process enforces the timeout where the worker may fork; daemonic workers cannot, and then
the PDF runs in the worker itself without a timeout.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

from litclip.corpus.worker import PdfTask, error_status, part_path, process_pdf
from litclip.errors import LitclipError
from litclip.io import read_json

EXECUTORS = ("process", "serial", "dask")
_PRELOAD = [
    "litclip.corpus.worker",
    "pypdfium2",
    "scipy.fftpack",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "litclip.corpus.extract",
]
OnResult = Callable[[dict[str, Any]], None]


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    # Children fork from a server that has already imported the worker (no torch, ever).
    # Missing modules are skipped by the forkserver, so the engine is preloaded when present.
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _die_with_parent() -> None:
    """Linux: SIGKILL this child when its parent (the forkserver) exits.

    The forkserver exits when the main process dies, so a SIGKILLed build leaves no worker
    running on behind it, racing a resumed run for the same PDF.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux / no glibc: the atomic commit still holds
        pass


def _child(task: PdfTask) -> None:
    _die_with_parent()
    process_pdf(task)


def _finish(task: PdfTask, proc: Any, started: float, timed_out: bool) -> dict[str, Any]:
    """The status of a finished or killed child: its part file, or an error part."""
    elapsed = time.perf_counter() - started
    if timed_out:
        return error_status(
            task,
            "timeout",
            f"extraction took longer than the timeout ({elapsed:.1f} s); killed",
            elapsed,
        )
    part = part_path(task.out_dir, task.sha256)
    if proc.exitcode == 0 and part.is_file():
        return read_json(part)["status"]
    return error_status(
        task, "crash", f"worker process died with exit code {proc.exitcode}", elapsed
    )


def run_isolated(task: PdfTask, timeout: float | None, ctx: Any = None) -> dict[str, Any]:
    """Process one PDF in a child process, killing it after ``timeout`` seconds."""
    ctx = ctx or _context()
    proc = ctx.Process(target=_child, args=(task,), daemon=True)
    started = time.perf_counter()
    proc.start()
    proc.join(timeout if timeout and timeout > 0 else None)
    timed_out = proc.is_alive()
    if timed_out:
        proc.kill()
        proc.join()
    return _finish(task, proc, started, timed_out)


def run_process_pool(
    tasks: Sequence[PdfTask], workers: int, timeout: float | None, on_result: OnResult
) -> None:
    """At most ``workers`` child processes at once, one per PDF, each with a deadline."""
    ctx = _context()
    pending = list(reversed(tasks))
    running: dict[int, tuple[Any, PdfTask, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                task = pending.pop()
                proc = ctx.Process(target=_child, args=(task,), daemon=True)
                proc.start()
                running[proc.sentinel] = (proc, task, time.perf_counter())
            now = time.perf_counter()
            deadlines = (
                [s + timeout - now for _, _, s in running.values()]
                if timeout and timeout > 0
                else []
            )
            wait(list(running), timeout=max(0.0, min(deadlines)) if deadlines else None)
            for sentinel, (proc, task, started) in list(running.items()):
                late = bool(timeout and timeout > 0 and time.perf_counter() - started > timeout)
                if proc.is_alive() and not late:
                    continue
                if proc.is_alive():
                    proc.kill()
                proc.join()
                del running[sentinel]
                on_result(_finish(task, proc, started, late and proc.exitcode != 0))
    finally:
        for proc, _, _ in running.values():  # interrupted: leave no orphans behind
            proc.kill()


def _dask_task(task: PdfTask, timeout: float | None) -> dict[str, Any]:
    try:
        return run_isolated(task, timeout)
    except AssertionError:  # "daemonic processes are not allowed to have children"
        return process_pdf(task)


def run_dask(
    tasks: Sequence[PdfTask], scheduler: str | Any, timeout: float | None, on_result: OnResult
) -> None:
    """Submit one task per PDF to a dask.distributed scheduler (an address or a Client)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a core dependency
        raise LitclipError(
            "the dask executor needs dask[distributed]: pip install 'dask[distributed]'"
        ) from exc
    if not scheduler:
        raise LitclipError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.1:8786)")
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [
            client.submit(
                _dask_task, t, timeout, pure=False, key=f"litclip-pdf-{t.sha256}-{t.staging[-8:]}"
            )
            for t in tasks
        ]
        for fut in as_completed(futures):
            on_result(fut.result())
    finally:
        if client is not scheduler:
            client.close()


def run_tasks(
    tasks: Sequence[PdfTask],
    *,
    executor: str = "process",
    workers: int = 1,
    timeout: float | None = None,
    scheduler: str | Any = None,
    on_result: OnResult,
) -> None:
    """Process ``tasks`` with the chosen executor, calling ``on_result(status)`` per PDF.

    Args:
        tasks: one per PDF.
        executor: ``"process"``, ``"serial"`` or ``"dask"``.
        workers: concurrent child processes for ``"process"``.
        timeout: seconds per PDF (``None`` or 0: no limit; ignored by ``"serial"``).
        scheduler: dask scheduler address (or a ``distributed.Client``) for ``"dask"``.
        on_result: called in the calling process with each PDF's status line.
    """
    if executor == "serial":
        for task in tasks:
            on_result(process_pdf(task))
    elif executor == "process":
        run_process_pool(tasks, workers, timeout, on_result)
    elif executor == "dask":
        run_dask(tasks, scheduler, timeout, on_result)
    else:
        raise LitclipError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
