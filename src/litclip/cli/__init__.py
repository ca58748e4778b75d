"""The ``litclip`` command line: one typer sub-app per stage, no logic of its own.

Each stage's commands live in ``litclip/cli/<stage>.py`` and call that stage's typed public
functions. Heavy imports (torch, open_clip) happen inside the commands so ``--help`` is fast.
User mistakes raise :class:`litclip.errors.LitclipError`; :func:`main` prints them without a
traceback and exits with status 2.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from litclip import __version__
from litclip.console import new_console
from litclip.errors import LitclipError

app = typer.Typer(
    name="litclip",
    help="Turn a medical journal's PDFs into a domain-specific CLIP model, and prove what it is worth.",
    no_args_is_help=True,
    # click's plain help wraps long option names; rich's option table cuts them at 80 columns
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"litclip {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Stages: synth -> corpus -> train -> evaluate -> index/serve; `run`/`demo` chain them."""


def _register() -> None:
    # Explicit registry of the stages' command modules (STYLE lesson 2: no name sniffing);
    # each module's `register(app)` adds its commands or sub-app.
    from litclip.cli import corpus, data, embed, evaluate, serve, synth, train, workflow

    for module in (workflow, synth, corpus, train, evaluate, serve, embed, data):
        module.register(app)


_register()


def _usage_errors() -> tuple[type[Exception], ...]:
    """Click's exception base: typer >= 0.2x vendors its own click (``typer._click``), whose
    exceptions are not ``click.ClickException``; catch whichever this install raises."""
    import click

    vendored = getattr(getattr(typer, "_click", None), "exceptions", None)
    return tuple({click.ClickException, getattr(vendored, "ClickException", click.ClickException)})


def _culprit(name: str) -> Path:
    """The path the user gave that is in the way: the first existing file on ``name``'s way
    (``OUT`` for ``OUT/images/x.tmp`` when OUT is a file), else ``name`` itself."""
    path = Path(name)
    for p in [path, *path.parents]:
        if p.exists():
            return p if p.is_file() else path
    return path


INTERRUPTED = 130  # the shell's exit status for Ctrl-C
TERMINATED = 143  # and for SIGTERM (`kill`, `scancel`, a SLURM time limit)
_terminated = False


def _on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM ends a command as Ctrl-C does (finished work kept, workers stopped, one
    line said), not with Python's default instant exit."""
    global _terminated
    _terminated = True
    raise KeyboardInterrupt


# what an interrupted command kept, and how to go on
_RESUME_HINTS = {
    "evaluate": "Finished runs are in results.json; rerun with --skip-existing to do the rest.",
    "train": "Rerun with --resume latest to continue from the last checkpoint (a run with "
    "save_checkpoints off kept none: rerun the same command).",
    "corpus": "Finished PDFs are kept; rerun the same command to resume.",
    "corpus merge": "Nothing was merged; rerun the same command to do it again.",
    "corpus filter": "Nothing was written; rerun the same command to do it again.",
    "run": "Finished steps are kept; rerun the same command to resume.",
    "demo": "Finished steps are kept; rerun the same command to resume.",
    "index": "Rerun the same command: the index is built incrementally.",
}


def _warning_line(err: Console) -> Any:
    """``warnings.showwarning`` printing litclip's own warnings as one 'warning:' line (the
    default shows the source file and line, which is for developers)."""
    default = getattr(warnings.showwarning, "default", warnings.showwarning)

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        if f"{os.sep}litclip{os.sep}" in str(filename):
            err.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)
        else:
            default(message, category, filename, lineno, file, line)

    show.default = default  # type: ignore[attr-defined]  # so nested mains don't stack
    return show


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one clear line (no traceback) and return 2 (1 when
    nothing was made: :class:`~litclip.errors.NothingMadeError`)."""
    # under torchrun every rank meets the same user error: rank 0 says it, the others
    # exit with the same code quietly (it was printed once per process)
    err = new_console(stderr=True, quiet=os.environ.get("RANK", "0") != "0")
    warnings.showwarning = _warning_line(err)
    global _terminated
    _terminated = False
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if on_main_thread else None
    try:
        return _run(argv, err)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(argv: list[str] | None, err: Console) -> int:
    try:
        code = app(args=argv, prog_name="litclip", standalone_mode=False)
        if code == INTERRUPTED:  # typer returns 130 for Ctrl-C when not standalone
            raise KeyboardInterrupt
    except LitclipError as exc:
        # escaped: a path or a format like "[x0, y0, x1, y1]" is text, not rich markup
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        return getattr(exc, "exit_code", 2)
    except (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError) as exc:
        # a path that is a file where a folder belongs (--out), or one the user may not write
        what = {
            FileExistsError: "exists and is not a folder",
            NotADirectoryError: "is a file, not a folder",
            IsADirectoryError: "is a folder, not a file",
            PermissionError: "cannot be written or read (permission denied)",
        }[type(exc)]
        culprit = _culprit(exc.filename) if exc.filename else exc
        err.print(f"[bold red]error:[/] {escape(str(culprit))} {what}")
        return 2
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            raise
        what = {errno.EROFS: "is on a read-only file system", errno.ENOSPC: "has no space left"}
        name = Path(exc.filename) if exc.filename else None
        where = next((q for q in [name, *name.parents] if q.exists()), name) if name else "--out"
        err.print(
            f"[bold red]error:[/] {escape(str(where))} {what.get(exc.errno, 'is over its disk quota')}: "
            "choose an --out that can be written"
        )
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C (click turns it into Abort)
        words = [w for w in (sys.argv[1:] if argv is None else argv) if not w.startswith("-")]
        hint = _RESUME_HINTS.get(" ".join(words[:2])) or _RESUME_HINTS.get(
            words[0] if words else ""
        )
        what = "terminated." if _terminated else "interrupted."
        err.print(f"[bold yellow]{what}[/] {hint or ''}".rstrip())
        return TERMINATED if _terminated else INTERRUPTED
    except _usage_errors() as exc:  # click usage errors arrive here in non-standalone mode
        exc.show()
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
