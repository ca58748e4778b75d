"""Small shared I/O helpers: atomic writes and the resolved-config stamp.

Every litclip output directory carries the resolved config and the litclip version that made
it, and every file is written atomically (temp file in the same directory, then ``os.replace``)
so a killed run never leaves a half-written file that a resumed run would trust.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from litclip import __version__


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once, while the process is still single-threaded (os.umask sets it to read it)
_FILE_MODE = 0o666 & ~_current_umask()
_DIR_MODE = 0o777 & ~_current_umask()


def left_temps(folder: str | os.PathLike[str], name_glob: str) -> list[Path]:
    """The temporary files :func:`atomic_path` left in ``folder`` for names matching
    ``name_glob`` (``"step_*.pt"``): writes a killed process never finished."""
    folder = Path(folder)
    return sorted(folder.glob(f".{name_glob}.*.tmp")) if folder.is_dir() else []


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    Use for writers that need a filename (pyarrow, numpy, faiss, tarfile). On an exception
    the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp makes the file private (0600); the result is for colleagues and servers too
    os.fchmod(fd, _FILE_MODE)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # again: a writer may have made the file anew (safetensors' save_file makes it 0600)
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it takes ``path``'s place.

    For outputs read as a whole (a model: its weights and the configs that describe them): a
    killed writer leaves the earlier folder, never new weights beside old metadata. An
    earlier ``path`` is renamed aside first and deleted last; :func:`mend_folder_swap`
    puts it back if the process died between the two renames.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp.chmod(_DIR_MODE)  # mkdtemp makes it private, as mkstemp does
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old)  # an empty folder may be replaced
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def mend_folder_swap(path: str | os.PathLike[str]) -> list[Path]:
    """Undo what a killed :func:`atomic_folder` left beside ``path``: an earlier folder
    renamed aside while ``path`` is missing goes back; unfinished temporary folders and
    replaced ones are deleted. Returns what was deleted. Only while no writer is at work."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    olds = sorted(path.parent.glob(f".{path.name}.*.old"), key=lambda p: p.stat().st_mtime)
    if olds and not path.exists():
        os.replace(olds.pop(), path)
    gone = [*olds, *path.parent.glob(f".{path.name}.*.tmp")]
    for p in gone:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return gone


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (else copy it), atomically; an existing ``dst`` stays."""
    if dst.is_file():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dst) as tmp:
        tmp.unlink()
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``root`` or lies inside it (both resolved)."""
    path, root = Path(path).resolve(), Path(root).resolve()
    return path == root or root in path.parents


@contextmanager
def taken_back_if_empty(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Remove ``folder`` when the work inside fails before writing into it, if it did not
    exist before: a failed command leaves no empty output folder behind."""
    path = Path(folder)
    made = not path.exists()
    try:
        yield
    except BaseException:
        if made and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        raise


@contextmanager
def sole_writer(folder: str | os.PathLike[str], what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (it must exist) while ``what`` writes into it.

    A second process that would write into the same folder meanwhile (the same command
    started twice, a SLURM job requeued while its first run still runs) is refused with a
    one-line error: its clean-up of a killed run's leftovers would delete the live files of
    the first. The lock is the kernel's (``flock`` on the folder itself): no file is left
    behind, and a killed process holds it no longer. Where folders cannot be locked (Windows,
    some network file systems) the work goes on unlocked.
    """
    from litclip.errors import LitclipError

    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LitclipError(
                f"another process is writing into {folder} (a {what} started twice, or a "
                "requeued job whose first run still runs): wait for it to end, or choose "
                "another --out"
            ) from None
        except OSError:  # no locks on this file system
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def being_written(folder: str | os.PathLike[str]) -> bool:
    """Whether another process holds ``folder``'s :func:`sole_writer` lock now (a build
    still writing into it); False where folders cannot be locked."""
    try:
        import fcntl
    except ImportError:  # Windows
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # refused while a writer holds it
    except BlockingIOError:
        return True
    except OSError:  # no locks on this file system
        return False
    finally:
        os.close(fd)  # releases the probe's own lock
    return False


# a command's output sent into its own --out (`litclip train ... > run/train.log`, a SLURM
# --output=run/slurm-%j.out): the shell makes the file before the command looks at the folder
USER_LOGS = re.compile(r".+\.(?:log|out|err)")


def foreign_entries(
    folder: Path, allowed: frozenset[str], also: re.Pattern[str] | None = None
) -> list[str]:
    """Names in ``folder`` that are not ``allowed`` nor matched whole by ``also`` (hidden
    ones, temp files among them, and logs aside): another tool's or the user's files in
    what should be an output folder."""
    return sorted(
        f.name
        for f in folder.iterdir()
        if f.name not in allowed
        and f.name[0] != "."
        and not (also is not None and also.fullmatch(f.name))
        and not (USER_LOGS.fullmatch(f.name) and f.is_file())
    )


def refuse_foreign_out(
    out: str | os.PathLike[str],
    allowed: frozenset[str],
    kind: str,
    hint: str,
    also: re.Pattern[str] | None = None,
) -> None:
    """Refuse an ``--out`` that is a file, or a folder holding other entries than ``kind``
    writes (:func:`foreign_entries`): another tool's or the user's files would be overwritten.
    ``hint`` says what happens to an earlier ``kind`` there."""
    from litclip.errors import LitclipError

    path = Path(out)
    if path.is_file():
        raise LitclipError(f"--out {out} is a file, not a folder")
    other = foreign_entries(path, allowed, also) if path.is_dir() else []
    if not other:
        return
    shown = ", ".join(other[:3])
    # files of its own beside the strays (config.json aside: every tool writes one)
    if any((path / name).exists() for name in allowed - {"config.json"}):
        raise LitclipError(
            f"--out {out} is {kind} that also holds other files ({shown}): move them out of "
            f"it, or choose a new or empty folder ({hint})"
        )
    raise LitclipError(
        f"--out {out} holds other files ({shown}) and is not {kind}: choose a new or empty "
        f"folder ({hint})"
    )


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (fsync'd before the rename)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _json_default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return _finite(obj.tolist())
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _finite(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float made None: ``NaN`` is no JSON, and a browser's
    or another language's parser refuses the whole file over one."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def to_json(obj: Any, indent: int | None = 2) -> str:
    """Serialise dataclasses, paths and numpy values as strict JSON (NaN and infinities as
    null)."""
    return json.dumps(
        _finite(obj), indent=indent, default=_json_default, ensure_ascii=False, allow_nan=False
    )


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as pretty JSON to ``path`` atomically."""
    atomic_write_text(path, to_json(obj) + "\n")


def now_iso() -> str:
    """The current UTC time as an ISO-8601 string (seconds precision)."""
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def write_resolved_config(
    out_dir: str | os.PathLike[str], config: Any, name: str = "config.json", **extra: Any
) -> Path:
    """Write ``out_dir/name`` with the resolved ``config``, the litclip version and a timestamp."""
    payload = {"litclip_version": __version__, "created": now_iso(), "config": config, **extra}
    path = Path(out_dir) / name
    atomic_write_json(path, payload)
    return path


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20, seed: bytes = b"") -> str:
    """Content sha256 of a file (after ``seed``, when given), read in 1 MiB chunks."""
    import hashlib

    h = hashlib.sha256(seed)
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def files_stamp(path: str | os.PathLike[str], salt: str = "") -> str:
    """A short fingerprint of a file, or of the files directly in a folder (names, sizes,
    modification times; ``salt`` first): cheap to take without reading them, and changed by
    anything saved there again."""
    import hashlib

    path = Path(path)
    files = sorted(f for f in path.iterdir() if f.is_file()) if path.is_dir() else [path]
    h = hashlib.sha1(salt.encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


def parse_error(exc: BaseException) -> str:
    """A parser's complaint on one line. YAML's spans several, with a pointer under a
    ``"<unicode string>"``: its problem and place are kept ("expected ',' or ']', but got
    '<stream end>' at line 2, column 1"); other messages have their whitespace collapsed."""
    problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(exc).split())


def read_json_object(
    path: str | os.PathLike[str],
    advice: str,
    *,
    what: str = "",
    error: type[Exception] | None = None,
) -> dict[str, Any]:
    """A JSON file that must hold an object (a config, results, an index's description).

    A file that cannot be read, does not parse or holds another JSON value is a one-line
    ``error`` (default :class:`~litclip.errors.LitclipError`) naming the file (as ``what``
    when given), the problem, and ending with ``advice``: what the user can do about it.
    """
    from litclip.errors import LitclipError

    name = f"{what} '{path}'" if what else str(path)
    try:
        value = read_json(path)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise (error or LitclipError)(f"{name} is not valid JSON ({exc}): {advice}") from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise (error or LitclipError)(f"{name} cannot be read ({reason}): {advice}") from None
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise (error or LitclipError)(f"{name} must hold a JSON object, not {kind}: {advice}")
    return value
