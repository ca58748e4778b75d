"""Run PDF tasks serially, on a local process pool, or on a dask.distributed cluster.

``process`` (the default) keeps ``workers`` worker processes, started from a ``forkserver``
(fork is unsafe once the rich progress thread runs), and hands them one PDF at a time. A
worker that exceeds ``timeout`` seconds on a PDF is killed (the PDF is recorded as a
``timeout`` error) and replaced; one that dies (segfault in the PDF library, OOM kill) is
recorded as a ``crash``. Workers are recycled every 50 PDFs, so leaks in the PDF library
never accumulate: peak RSS per worker stays that of its worst PDFs, whatever the corpus size.

``serial`` runs in the calling process (debugging; no timeout). ``dask`` submits one task
per PDF to ``distributed.Client(scheduler)``; workers must see ``out_dir`` (a shared file
system), since each writes its PDF's part. Inside a dask worker the same per-PDF child
process enforces the timeout; daemonic worker processes (dask's default), which may not
have multiprocessing children, run each PDF in a ``python -m litclip.corpus.worker``
subprocess instead (one interpreter start per PDF, killed at the deadline).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from multiprocessing import spawn
from multiprocessing.connection import wait
from typing import Any

from litclip.corpus.worker import PdfTask, error_status, part_path, process_pdf
from litclip.errors import LitclipError
from litclip.io import read_json

EXECUTORS = ("process", "serial", "dask")
# a dask scheduler address: [SCHEME://]HOST:PORT (an IPv6 host in brackets), or an
# in-process cluster's inproc://...
_SCHEDULER = re.compile(
    r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}|inproc://\S+"
)
_PRELOAD = [
    "litclip.corpus.worker",
    "pypdfium2",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "litclip.corpus.extract",
]
_MAIN_KEYS = ("init_main_from_path", "init_main_from_name")
OnResult = Callable[[dict[str, Any]], None]


@contextmanager
def _main_left_out() -> Iterator[None]:
    """Start processes that do not import the parent's ``__main__``.

    multiprocessing makes every child import the main script (the CLI, a benchmark, a
    user's notebook importing torch) so that pickles may name its functions. A PDF worker's
    target and task live in litclip modules, so that import is pure start-up cost (pandas
    alone is 0.4 s); it is left out of the data the child prepares itself from.
    """
    original = spawn.get_preparation_data

    def without_main(name: str) -> dict[str, Any]:
        data = original(name)
        for key in _MAIN_KEYS:
            data.pop(key, None)
        return data

    spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        spawn.get_preparation_data = original


if hasattr(mp.context, "ForkServerProcess"):  # POSIX: the classes exist where forkserver does

    class _WorkerProcess(mp.context.ForkServerProcess):  # module level: pickled by name
        def start(self) -> None:
            with _main_left_out():
                super().start()

    class _WorkerContext(mp.context.ForkServerContext):
        """Forkserver processes that leave the parent's ``__main__`` out."""

        Process = _WorkerProcess  # type: ignore[assignment]


def _context() -> Any:
    if "forkserver" not in mp.get_all_start_methods():  # Windows: slower, still isolated
        return mp.get_context("spawn")
    # Children fork from a server that has already imported the worker (no torch, ever).
    # Missing modules are skipped by the forkserver, so the engine is preloaded when present.
    ctx = _WorkerContext()
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


def _leave_signals_to_parent() -> None:
    """Ignore Ctrl-C and SIGTERM in a PDF worker: they reach every process of the terminal
    or the job (``scancel``), and the parent, which stops its workers itself, must decide.
    A worker ended by one mid-PDF was committed as that PDF's ``crash`` (a result a rerun
    keeps), and printed a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _child(task: PdfTask) -> None:
    _die_with_parent()
    _leave_signals_to_parent()
    process_pdf(task)


def _finish(task: PdfTask, exitcode: int | None, started: float, timed_out: bool) -> dict[str, Any]:
    """The status of a finished or killed child: its part file, or an error part."""
    elapsed = time.perf_counter() - started
    if timed_out:
        return error_status(
            task,
            "timeout",
            f"extraction took longer than the timeout: killed after {elapsed:.2f} s",
            elapsed,
        )
    part = part_path(task.out_dir, task.sha256)
    if exitcode == 0 and part.is_file():
        return read_json(part)["status"]
    return error_status(task, "crash", f"worker process died with exit code {exitcode}", elapsed)


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
    return _finish(task, proc.exitcode, started, timed_out)


def _worker_loop(conn: Any) -> None:
    """A pool worker: process the PDFs sent over ``conn`` until it sends ``None``."""
    _die_with_parent()
    _leave_signals_to_parent()
    try:
        while (task := conn.recv()) is not None:
            conn.send(process_pdf(task))
    except (EOFError, OSError):  # the parent is gone (killed): its part is committed anyway
        return


class _Slot:
    """One pool worker process and the PDF it is busy with (if any)."""

    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_loop, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.task: PdfTask | None = None
        self.started = 0.0
        self.done = 0

    def send(self, task: PdfTask) -> None:
        self.task, self.started = task, time.perf_counter()
        self.conn.send(task)

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _poll_slot(slot: _Slot, timeout: float | None) -> dict[str, Any] | None:
    """The finished PDF's status, an error status if its worker died or ran late, else None."""
    task = slot.task
    assert task is not None
    if slot.conn.poll():
        try:
            return slot.conn.recv()
        except (EOFError, OSError):  # died while answering
            slot.proc.join()
            return _finish(task, slot.proc.exitcode, slot.started, False)
    if not slot.proc.is_alive():
        return _finish(task, slot.proc.exitcode, slot.started, False)
    if timeout and timeout > 0 and time.perf_counter() - slot.started > timeout:
        slot.proc.kill()
        slot.proc.join()
        return _finish(task, slot.proc.exitcode, slot.started, True)
    return None


def run_process_pool(
    tasks: Sequence[PdfTask],
    workers: int,
    timeout: float | None,
    on_result: OnResult,
    max_pdfs_per_worker: int = 50,
) -> None:
    """``workers`` long-lived worker processes, each PDF with a deadline.

    A worker that crashes or runs past ``timeout`` is killed and replaced; a worker is also
    recycled after ``max_pdfs_per_worker`` PDFs, so leaks in the PDF library never build up.
    Workers live across PDFs, so per-process start-up (imports, pdfium) is paid once.
    """
    ctx = _context()
    pending = list(reversed(tasks))
    slots = [_Slot(ctx) for _ in range(max(1, min(workers, len(tasks))))]
    try:
        while pending or any(s.task for s in slots):
            for i, slot in enumerate(slots):
                if slot.task is None and pending:
                    if not slot.proc.is_alive() or slot.done >= max_pdfs_per_worker:
                        slot.stop()
                        slot = slots[i] = _Slot(ctx)
                    slot.send(pending.pop())
            busy = [s for s in slots if s.task is not None]
            deadlines = (
                [s.started + timeout - time.perf_counter() for s in busy]
                if timeout and timeout > 0
                else []
            )
            wait(
                [s.conn for s in busy] + [s.proc.sentinel for s in busy],
                timeout=max(0.0, min(deadlines)) if deadlines else None,
            )
            for i, slot in enumerate(slots):
                if slot.task is None or (status := _poll_slot(slot, timeout)) is None:
                    continue
                slot.task, slot.done = None, slot.done + 1
                if not slot.proc.is_alive():
                    slot.stop(kill=True)
                    slots[i] = _Slot(ctx) if pending else slot
                on_result(status)
    finally:
        for slot in slots:  # done or interrupted: leave no orphans behind
            slot.stop(kill=slot.task is not None)


def run_subprocess(task: PdfTask, timeout: float | None) -> dict[str, Any]:
    """Process one PDF in a fresh interpreter (``python -m litclip.corpus.worker``).

    For daemonic dask workers, which may not fork multiprocessing children: a plain
    subprocess can still be killed at the deadline.
    """
    cmd = [sys.executable, "-m", "litclip.corpus.worker", json.dumps(asdict(task))]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        proc.wait(timeout if timeout and timeout > 0 else None)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        timed_out = True
    return _finish(task, proc.returncode, started, timed_out)


def _dask_task(task: PdfTask, timeout: float | None) -> dict[str, Any]:
    # "daemonic processes are not allowed to have children": those use a plain subprocess.
    run = run_subprocess if mp.current_process().daemon else run_isolated
    status = run(task, timeout)
    if status.get("error_kind") == "crash":
        # A child can die for reasons outside its PDF (seen once in CI: exit code 255 at start-up
        # inside an in-process cluster); one retry tells a flaky start from a PDF that crashes.
        status = run(task, timeout)
    return status


def run_dask(
    tasks: Sequence[PdfTask],
    scheduler: str | Any,
    timeout: float | None,
    on_result: OnResult,
    workers: int = 1,
) -> None:
    """Submit one task per PDF to a dask.distributed scheduler (an address or a Client);
    without one, to a local cluster of ``workers`` single-threaded worker processes."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a core dependency
        raise LitclipError(
            "the dask executor needs dask[distributed]: pip install 'dask[distributed]'"
        ) from exc
    cluster = None
    if not scheduler:  # a local cluster: the same code path a real cluster takes
        from distributed import LocalCluster

        cluster = LocalCluster(
            n_workers=max(1, workers), threads_per_worker=1, dashboard_address=None
        )
        scheduler = cluster.scheduler_address
    try:
        client = scheduler if isinstance(scheduler, Client) else Client(scheduler, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:  # ValueError: an address of no form
        raise LitclipError(
            f"cannot reach the dask scheduler at {scheduler} ({exc}); check --scheduler "
            "(tcp://HOST:8786), or leave it out to start a local cluster"
        ) from None
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
        if cluster is not None:
            cluster.close()


def check_scheduler(address: str) -> None:
    """Raise :class:`LitclipError` for a ``--scheduler`` that is no dask address (distributed
    says "missing port number" or "unknown address scheme" in a traceback)."""
    if not _SCHEDULER.fullmatch(address):
        raise LitclipError(
            f"--scheduler {address} is not a dask scheduler address: give tcp://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786; tls://, ws://, wss://, ucx:// too), or leave it out to "
            "start a local cluster"
        )


def check_executor(executor: str) -> None:
    """Raise :class:`LitclipError` for an executor name that is not one of :data:`EXECUTORS`."""
    if executor not in EXECUTORS:
        raise LitclipError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")


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
        scheduler: dask scheduler address (or a ``distributed.Client``) for ``"dask"``;
            ``None``: a local cluster of ``workers`` processes.
        on_result: called in the calling process with each PDF's status line.
    """
    check_executor(executor)
    if executor == "serial":
        for task in tasks:
            on_result(process_pdf(task))
    elif executor == "process":
        run_process_pool(tasks, workers, timeout, on_result)
    else:
        run_dask(tasks, scheduler, timeout, on_result, workers)
