"""Corpus orchestration: inputs -> per-PDF parts -> manifest, shards, status, datasheet.

The pipeline is resumable by construction. Each PDF's outcome is one atomically written
part file (``parts/<sha256>.json``, see :mod:`litclip.corpus.worker`); the corpus files are
reassembled from the parts at the end of every run. A rerun (or a run after a SIGKILL)
skips every PDF whose part exists, deletes orphan crops and staging directories, and
processes the rest, so no pair is lost or duplicated.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import shutil
import textwrap
import uuid
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image

from litclip.console import count
from litclip.corpus import executors
from litclip.corpus.kinds import check_kinds
from litclip.corpus.qc import QcConfig, duplicate_of, qc_reasons, same_picture, same_pixels
from litclip.corpus.worker import (
    DEFAULT_EXTRACTOR,
    IMAGE_FORMATS,
    IMAGES_DIR,
    PARTS_DIR,
    STAGING_DIR,
    PdfTask,
    image_dir_name,
    part_path,
    readable,
)
from litclip.corpus.writers import (
    MANIFEST_COLUMNS,
    read_manifest,
    read_status,
    split_of,
    unreadable_text,
    write_datasheet,
    write_manifest,
    write_shards,
    write_status,
)
from litclip.errors import LitclipError, NothingMadeError
from litclip.io import (
    atomic_write_json,
    atomic_write_text,
    being_written,
    foreign_entries,
    link_or_copy,
    read_json,
    read_json_object,
    sha256_file,
    sole_writer,
    write_resolved_config,
)
from litclip.progress import progress_bar

DEFAULT_TIMEOUT = 300.0  # seconds a worker may take over one PDF
LIST_SUFFIXES = (".txt", ".lst", ".list", ".tsv", ".csv")
# a table's column of PDF paths, by header name (any case); a one-column table needs none
PATH_COLUMNS = ("path", "pdf", "pdf_path", "filepath", "file", "filename")


@dataclass
class CorpusConfig:
    """Options of ``corpus build`` (written, resolved, into the corpus's ``config.json``)."""

    dpi: int = 200
    max_pixels: int = 50_000_000  # an embedded image bigger than this is an error, never decoded
    workers: int = 1
    executor: str = "process"  # process | serial | dask
    scheduler: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per PDF
    shard: str | None = None  # "i/n": this job's share of the sorted inputs
    shard_size: int = 1000  # pairs per WebDataset tar
    retry_errors: bool = False  # redo PDFs whose earlier attempt ended in an error
    image_format: str = (
        "png"  # png (lossless, the contract's default) | jpg (quality 95, ~10x faster to encode)
    )
    png_compress: int = 1  # zlib level of PNG crops (1: fast, a little larger)
    extractor: str = DEFAULT_EXTRACTOR
    qc: QcConfig = field(default_factory=QcConfig)
    modality_model: str | None = None  # score every pair with this litclip model
    modality_prompts: list[str] | None = None
    # what the PDFs are (a journal, years, how chosen), said at the top of datasheet.md
    description: str = ""


@dataclass
class BuildSummary:
    """What a build or merge produced (printed by the CLI)."""

    out_dir: Path
    pdfs_ok: int
    pdfs_error: int
    pdfs_skipped: int  # already done in an earlier run
    pairs: int
    passed: int
    reasons: list[tuple[str, int]]
    errors: list[tuple[str, int]]
    peak_worker_rss_mb: float = 0.0
    uncaptioned: int = 0  # figure-like regions without a caption (kept out, counted)
    tables: int = 0  # table captions found (kept apart)
    pdfs_left_out: int = 0  # in the earlier build's inputs, not in this one's: pairs dropped
    unreadable: int = 0  # PDFs with no text to find captions in (no text layer, undecodable)
    failed: list[str] = field(default_factory=list)  # "NAME (kind: message)" of failed PDFs
    notes: list[str] = field(default_factory=list)  # what to do next (printed after the counts)

    def failed_lines(self, limit: int = 5) -> list[str]:
        """The first ``limit`` failed PDFs, and how many more (pdf_status.jsonl has all)."""
        more = len(self.failed) - limit
        return self.failed[:limit] + ([f"... and {more} more"] if more > 0 else [])

    def left_out_note(self) -> str:
        """What became of the PDFs of the earlier build this one was not given ("" if none),
        as ``corpus build`` and ``run`` print it (rich markup)."""
        n = self.pdfs_left_out
        if not n:
            return ""
        return (
            f"[yellow]{count(n, 'PDF')} of the earlier build {'are' if n != 1 else 'is'}"
            " not among these inputs: their pairs left the corpus[/] (their extractions stay in"
            " its folder and come back, unextracted, when they are inputs again)"
        )


# --------------------------------------------------------------------------- inputs


def _from_list(path: Path) -> list[Path]:
    """The paths a list names, relative ones from the list's folder.

    ``.txt``/``.lst``/``.list``: one path per line, ``#`` comments. ``.csv``/``.tsv``: a table
    (a spreadsheet's export) whose path column is headed by one of ``PATH_COLUMNS``, or that has
    one column (a header is then any first cell that is not a file).
    """
    lines = [
        line.strip()
        for line in _list_text(path).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if path.suffix.lower() in (".csv", ".tsv"):
        lines = _path_column(path, lines)
    out = []
    for line in lines:
        p = Path(line).expanduser()
        out.append(p if p.is_absolute() else (path.parent / p))
    return out


def _list_text(path: Path) -> str:
    """A list file's text: UTF-8, or UTF-16 where a byte-order mark says so (Windows
    Notepad's "Unicode", PowerShell's ``>``)."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LitclipError(
            f"{path} is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r}): "
            "save the list as UTF-8"
        ) from None


def _path_column(path: Path, lines: list[str]) -> list[str]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in lines[0] else ","
    if delimiter == "," and ";" in lines[0] and "," not in lines[0]:
        delimiter = ";"  # European spreadsheets
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]
    if not rows:
        return []
    header = [cell.lower() for cell in rows[0]]
    named = [i for i, cell in enumerate(header) if cell in PATH_COLUMNS]
    if named:
        return [row[named[0]] for row in rows[1:] if len(row) > named[0] and row[named[0]]]
    if len(header) > 1:
        raise LitclipError(
            f"{path} has {len(header)} columns and none is headed "
            f"{', '.join(PATH_COLUMNS)}: name the column of PDF paths 'path'"
        )
    first = rows[0][0]
    has_header = not first.lower().endswith(".pdf") and not (path.parent / first).is_file()
    return [row[0] for row in rows[int(has_header) :] if row and row[0]]


def pdfs_under(folder: Path) -> list[Path]:
    """``*.pdf`` (any case) below ``folder``, through symlinked folders too (each real folder
    once, so a link back up the tree ends)."""
    found: list[Path] = []
    seen: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        found += [Path(root) / f for f in files if f.lower().endswith(".pdf")]
    others = [f for f in found if not f.is_file()]
    if others:  # broken links, pipes: no content to record a status for, so said here
        shown = ", ".join(str(f.relative_to(folder)) for f in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        warnings.warn(
            f"{len(others)} name(s) ending in .pdf under {folder} are not readable files "
            f"(broken links?), left out: {shown}{more}",
            stacklevel=4,
        )
    return [f for f in found if f.is_file()]


def resolve_inputs(inputs: str | Path | Sequence[str | Path]) -> list[Path]:
    """Expand inputs into a sorted list of files.

    Each input is a directory (searched recursively for ``*.pdf``, any case), a PDF, or a
    list of paths (one per line, ``#`` comments, or a CSV/TSV table with a ``path`` column;
    relative to the list's folder).

    Raises:
        LitclipError: an input does not exist, or nothing was found.
    """
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    found: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            found += pdfs_under(p)
        elif p.is_file() and p.suffix.lower() in LIST_SUFFIXES:
            listed = _from_list(p)
            folders = [f for f in listed if f.is_dir()]
            if folders:
                raise LitclipError(
                    f"{p} lists folders (e.g. {folders[0]}); a list names PDF files: give a "
                    "folder on the command line instead"
                )
            missing = [f for f in listed if not f.is_file()]
            if missing:
                raise LitclipError(
                    f"{p} lists {len(missing)} missing file(s), e.g. {missing[0]}; fix the list"
                )
            found += listed
        elif p.is_file():
            found.append(p)
        else:
            raise LitclipError(
                f"input {p} does not exist: give a directory of PDFs, a PDF, or a text file listing PDF paths"
            )
    unique = sorted({f.resolve() for f in found})
    if not unique:
        raise LitclipError(f"no PDF files found in {', '.join(str(i) for i in items)}")
    return unique


def parse_shard(spec: str | None) -> tuple[int, int] | None:
    """Parse ``"i/n"`` (0 <= i < n)."""
    if not spec:
        return None
    try:
        i, n = (int(x) for x in spec.split("/"))
    except ValueError:
        raise LitclipError(f"--shard must look like i/n (e.g. 0/4), got {spec!r}") from None
    if n < 1 or not 0 <= i < n:
        raise LitclipError(f"--shard {spec}: need 0 <= i < n")
    return i, n


def select_shard(paths: Sequence[Path], shard: str | None) -> list[Path]:
    """This shard's PDFs: a file belongs to shard ``crc32(name) % n`` (stable when files are added)."""
    parsed = parse_shard(shard)
    if parsed is None:
        return list(paths)
    i, n = parsed
    # the name's bytes: a name that is not UTF-8 (os.fsdecode's surrogates) hashes too
    return [p for p in paths if zlib.crc32(os.fsencode(p.name)) % n == i]


# --------------------------------------------------------------------------- build


def _clean_untrusted(out: Path) -> None:
    """Remove staging dirs and crops that have no committed part (a killed run's leftovers)."""
    shutil.rmtree(out / STAGING_DIR, ignore_errors=True)
    done = {p.stem[:16] for p in (out / PARTS_DIR).glob("*.json")}
    for d in (out / IMAGES_DIR).glob("*"):
        if d.is_dir() and d.name not in done:
            shutil.rmtree(d, ignore_errors=True)


def _is_done(out: Path, sha: str, retry_errors: bool) -> bool:
    """A PDF whose part file is there, with every crop it lists (a crop lost from images/,
    by a partial copy or a clean-up, has its PDF extracted again)."""
    path = part_path(out, sha)
    if not path.is_file():
        return False
    try:
        part = read_json(path)
        ok = part["status"]["status"] == "ok"
        rows = part["rows"]
    except (ValueError, KeyError, TypeError):
        return False
    if retry_errors and not ok:
        return False
    return not _missing_crops(out, rows)


def _crop_paths(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The crop files (whole figure or panel, and a native image) that ``rows`` list."""
    return [
        fp
        for r in rows
        for fp in (r.get("filepath"), r.get("native_filepath"))
        if isinstance(fp, str) and fp
    ]


def _missing_crops(root: Path, rows: Sequence[dict[str, Any]]) -> list[str]:
    """The crop files ``rows`` list that are not in ``root``."""
    return [fp for fp in _crop_paths(rows) if not (root / fp).is_file()]


def _make_tasks(
    out: Path,
    entries: Sequence[dict[str, Any]],
    cfg: CorpusConfig,
    fspaths: dict[str, str] | None = None,
) -> list[PdfTask]:
    """One task per entry; ``fspaths`` (sha256 -> path) gives the path to open where the
    entry's readable one is not the file's (a name that is not UTF-8)."""
    return [
        PdfTask(
            path=(fspaths or {}).get(e["sha256"], e["path"]),
            name=e["name"],
            sha256=e["sha256"],
            out_dir=str(out),
            staging=str(out / STAGING_DIR / f"{e['sha256'][:16]}-{uuid.uuid4().hex[:8]}"),
            dpi=cfg.dpi,
            max_pixels=cfg.max_pixels,
            extractor=cfg.extractor,
            png_compress=cfg.png_compress,
            image_format=cfg.image_format,
        )
        for e in entries
    ]


def _progress(total: int, enabled: bool) -> tuple[Any, Callable[[dict[str, Any]], None]]:
    prog = progress_bar(
        "PDFs", "{task.fields[pairs]} pairs, {task.fields[errors]} errors", enabled=enabled
    )
    tid = prog.add_task("pdfs", total=total, pairs=0, errors=0)
    counts = Counter()

    def update(status: dict[str, Any]) -> None:
        counts["pairs"] += int(status.get("pairs") or 0)
        counts["errors"] += status.get("status") == "error"
        prog.update(tid, advance=1, pairs=counts["pairs"], errors=counts["errors"])

    return prog, update


def _hash_inputs(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Each PDF's entry; a name that is not UTF-8 is recorded with its odd bytes as ``\\xNN``
    (JSON, parquet and terminals take no undecodable bytes)."""
    return [
        {
            "path": readable(str(p)),
            "name": readable(p.name),
            "sha256": sha256_file(p),
            "bytes": p.stat().st_size,
        }
        for p in paths
    ]


def _check_qc(qc: QcConfig) -> None:
    """Refuse thresholds that would reject every pair, or that mean nothing."""
    if qc.min_side < 0:
        raise LitclipError(f"--min-side {qc.min_side}: a side in pixels is 0 or more")
    if qc.max_aspect < 1:  # long side over short side: 1 is a square
        raise LitclipError(
            f"--max-aspect {qc.max_aspect}: the aspect ratio is the long side over the short "
            "one, 1 or more (below 1 every crop would be rejected)"
        )
    if qc.min_caption_chars < 0:
        raise LitclipError(f"--min-caption-chars {qc.min_caption_chars}: a count is 0 or more")
    if qc.max_caption_chars < qc.min_caption_chars:
        raise LitclipError(
            f"--max-caption-chars {qc.max_caption_chars} is below --min-caption-chars "
            f"{qc.min_caption_chars}: every caption would be rejected"
        )


def _checked(cfg: CorpusConfig) -> CorpusConfig:
    """``cfg`` with its options checked (before any file is written)."""
    if cfg.image_format.lower() == "jpeg":  # the same format by its other name
        cfg = replace(cfg, image_format="jpg")
    if cfg.image_format not in IMAGE_FORMATS:
        raise LitclipError(
            f"image format {cfg.image_format!r}: choose one of {', '.join(IMAGE_FORMATS)}"
        )
    executors.check_executor(cfg.executor)
    if cfg.scheduler and cfg.executor != "dask":
        raise LitclipError(
            f"--scheduler {cfg.scheduler} is for --executor dask (this build uses {cfg.executor})"
        )
    if cfg.scheduler:
        executors.check_scheduler(cfg.scheduler)
    _check_qc(cfg.qc)
    if cfg.executor == "serial" and cfg.workers > 1:
        warnings.warn(
            f"--executor serial runs one PDF at a time: --workers {cfg.workers} is ignored",
            stacklevel=3,
        )
        cfg = replace(cfg, workers=1)  # config.json says what ran
    if cfg.executor == "serial" and cfg.timeout not in (None, 0, DEFAULT_TIMEOUT):
        warnings.warn(
            f"--executor serial runs each PDF in this process, with no deadline: --timeout "
            f"{cfg.timeout:g} is ignored",
            stacklevel=3,
        )
    if cfg.executor == "serial":
        cfg = replace(cfg, timeout=None)  # none applies
    return cfg


def _make_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileNotFoundError as exc:  # e.g. under /proc; other errors the CLI words itself
        raise LitclipError(
            f"--out {out} cannot be made ({exc.strerror}): choose a folder that can be written"
        ) from None


@contextmanager
def _building_in(out: Path) -> Iterator[None]:
    """Make ``out`` and hold it alone (:func:`~litclip.io.sole_writer`) while a build writes
    into it. On a failure before any PDF is done (an unreachable scheduler, Ctrl-C), take
    back the config.json written into a folder that had none, and the folder if this build
    made it: left, they would refuse a later build with other crop options. A build refused
    the folder wrote nothing there, so it takes nothing back."""
    made = not out.exists()
    _make_out(out)
    with sole_writer(out, "corpus build"):
        _clear_leftovers(out)
        fresh = not (out / "config.json").exists()
        try:
            yield
        except BaseException:
            shutil.rmtree(out / STAGING_DIR, ignore_errors=True)
            if fresh and [f.name for f in out.iterdir()] == ["config.json"]:
                (out / "config.json").unlink()
            if made and not any(out.iterdir()):
                out.rmdir()
            raise


def build_corpus(
    inputs: str | Path | Sequence[str | Path],
    out_dir: str | Path,
    config: CorpusConfig | None = None,
    progress: bool = False,
) -> BuildSummary:
    """Turn PDFs into a corpus directory (ARCHITECTURE contract 1); resumable.

    Args:
        inputs: a directory of PDFs (recursive), a PDF, a list file of paths (.txt, .csv/.tsv), or a list
            of these.
        out_dir: the corpus directory (created; an existing one is resumed).
        config: options; defaults to :class:`CorpusConfig()`.
        progress: show a rich progress bar over PDFs.

    Returns:
        A :class:`BuildSummary`. Bad PDFs never raise: they are counted as errors.
    """
    cfg = _checked(config or CorpusConfig())
    out = Path(out_dir)
    earlier = _check_out(out, cfg)
    # bad inputs, --shard or model: said before --out is made, not after the extraction
    paths = select_shard(resolve_inputs(inputs), cfg.shard)
    if cfg.modality_model:
        from litclip.corpus.modality import check_model

        check_model(cfg.modality_model)
    entries = _hash_inputs(paths)
    fspaths = {e["sha256"]: str(p) for e, p in zip(entries, paths, strict=True)}
    left_out = len({e["sha256"] for e in earlier} - {e["sha256"] for e in entries})
    first: dict[str, dict[str, Any]] = {}
    for e in entries:  # identical content under two names is processed once
        first.setdefault(e["sha256"], e)
    peak = [0.0]
    with _building_in(out):
        write_resolved_config(out, asdict(cfg), inputs=entries)
        _clean_untrusted(out)
        todo = [e for e in first.values() if not _is_done(out, e["sha256"], cfg.retry_errors)]
        prog, update = _progress(len(todo), progress)

        def on_result(status: dict[str, Any]) -> None:
            peak[0] = max(peak[0], float(status.get("peak_rss_mb") or 0.0))
            update(status)

        with prog:
            executors.run_tasks(
                _make_tasks(out, todo, cfg, fspaths),
                executor=cfg.executor,
                workers=cfg.workers,
                timeout=cfg.timeout,
                scheduler=cfg.scheduler,
                on_result=on_result,
            )
        shutil.rmtree(out / STAGING_DIR, ignore_errors=True)
        summary = assemble_corpus(out, entries, cfg)
        summary.pdfs_skipped = len(first) - len(todo)
        summary.pdfs_left_out = left_out
        summary.peak_worker_rss_mb = peak[0]
    summary.notes += _retry_notes(summary)
    return summary


# error kinds a rerun may get past (a slow PDF, a killed worker, a flaky disk)
_RETRYABLE = ("timeout", "crash", "io")


def _retry_notes(summary: BuildSummary) -> list[str]:
    """How to extract again the PDFs a rerun may get past (errors are done, as results)."""
    kinds = {k: n for k, n in summary.errors if k in _RETRYABLE}
    if not kinds:
        return []
    longer = " (with a longer --timeout for timeouts)" if "timeout" in kinds else ""
    return [
        f"{sum(kinds.values())} PDF(s) failed by {' or '.join(kinds)}: a rerun with "
        f"--retry-errors extracts them again{longer}; without it they stay errors"
    ]


# options that shape the crops already written: a rerun with others would leave them as they are
_CROP_OPTIONS = ("dpi", "image_format")
# what a corpus folder holds (``.staging`` and temp files are hidden, so never foreign)
CORPUS_NAMES = frozenset(
    {"config.json", "manifest.parquet", "manifest.csv", "pdf_status.jsonl", "datasheet.md"}
    | {IMAGES_DIR, PARTS_DIR, "shards", "preview.html"}
)
_PAGES = re.compile(r".*\.html")  # `corpus preview --out` pages: the user's reading
# the pages `corpus preview` names itself in a corpus (preview.html, preview-rejected.html)
_OWN_PREVIEWS = re.compile(r"preview(?:-.*)?\.html")
# a merge or a filter writes its corpus's config.json last: until it ends, this hidden
# marker says whose the files are, so a rerun after Ctrl-C or a kill redoes the work
UNFINISHED = ".unfinished"


def _leftovers(out: Path) -> bool:
    """Whether ``out`` holds only what a merge or filter that never ended began writing:
    its marker, no config.json, and no file a corpus does not hold."""
    return (
        (out / UNFINISHED).is_file()
        and not (out / "config.json").exists()
        and not foreign_entries(out, CORPUS_NAMES, also=_PAGES)
    )


def _clear_leftovers(out: Path) -> None:
    """Remove an unfinished merge's or filter's files (:func:`_leftovers`); call it holding
    the folder's lock."""
    if not _leftovers(out):
        return
    for name in sorted(CORPUS_NAMES):
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    (out / UNFINISHED).unlink()


def _remove_previews(out: Path) -> None:
    """Remove the preview pages of the corpus a merge or filter rewrites: they would show
    its old figures, some of whose crops are gone."""
    for page in out.glob("preview*.html"):
        if _OWN_PREVIEWS.fullmatch(page.name):
            page.unlink()


@contextmanager
def _writing_corpus(out: Path, what: str) -> Iterator[None]:
    """Make ``out`` and hold it alone while ``what`` (a merge or a filter) rewrites the
    corpus there, its :data:`UNFINISHED` marker in place until it has ended."""
    _make_out(out)
    with sole_writer(out, what):
        _clear_leftovers(out)
        atomic_write_text(out / UNFINISHED, f"{what}\n")
        _remove_previews(out)
        yield
        (out / UNFINISHED).unlink(missing_ok=True)


def _read_out_config(out: Path) -> dict[str, Any]:
    config = out / "config.json"
    advice = "this folder is not a corpus to resume; choose a new --out"
    return read_json_object(config, advice) if config.is_file() else {}


def _crop_changes(earlier: dict[str, Any], cfg: CorpusConfig) -> list[str]:
    before = earlier.get("config", {})
    return [
        f"{k} {before[k]} -> {getattr(cfg, k)}"
        for k in _CROP_OPTIONS
        if k in before and before[k] != getattr(cfg, k)
    ]


def crop_options_changed(out: Path, cfg: CorpusConfig) -> list[str]:
    """The crop options (``dpi``, ``image_format``) in which corpus ``out`` differs from
    ``cfg``, as ``"dpi 200 -> 100"`` (``[]`` when it has no config or none differs)."""
    return _crop_changes(_read_out_config(out), cfg)


def _earlier_corpus(
    out: Path, note: str = "", filtered: bool = False, named: str = "--out"
) -> dict[str, Any]:
    """The config of the corpus already in ``out`` (``{}`` for a new or empty folder).

    Refused: a folder of other files (a training run, an evaluation or an index has a
    config.json with litclip_version too), a corpus that also holds files of the user's,
    and a corpus of the other kind (``filtered``: a filter writes only into its own earlier
    output, build and merge never into one: its crops would be cleaned away). ``note`` ends
    the message; ``named`` is how the command names its output (merge's is an argument).
    """
    if out.is_file():
        raise LitclipError(f"{named} {out} is a file, not a folder")
    if not out.exists() or not foreign_entries(out, frozenset()):  # hidden files aside
        return {}
    if _leftovers(out):  # of a merge or filter that never ended: redone from scratch
        return {}
    # pages `corpus preview --out` wrote beside the corpus's own are the user's reading
    other = foreign_entries(out, CORPUS_NAMES, also=_PAGES)
    try:
        earlier = _read_out_config(out)
    except LitclipError:  # a damaged config.json: said below when nothing else is there
        if not other:
            raise
        earlier = {}
    shown = f" ({', '.join(other[:3])})" if other else ""
    if "litclip_version" not in earlier or "inputs" not in earlier:
        raise LitclipError(
            f"{named} {out} holds other files{shown} and is not a litclip corpus: choose a new "
            f"or empty folder{note}"
        )
    if other:  # the corpus is there, with the user's own files in it
        raise LitclipError(
            f"{named} {out} is a litclip corpus that also holds files it did not write{shown}: "
            "move them out of it to go on, or choose a new or empty folder"
        )
    if filtered and "filter" not in earlier:
        raise LitclipError(
            f"{named} {out} holds a corpus, not an earlier `corpus filter` output: choose a new "
            "or empty folder (a filter replaces only its own earlier output)"
        )
    if not filtered and "filter" in earlier:
        raise LitclipError(
            f"{named} {out} is a `corpus filter` output (of {earlier['filter'].get('source')}): "
            "choose a new or empty folder"
        )
    return earlier


def _check_out(out: Path, cfg: CorpusConfig) -> list[dict[str, Any]]:
    """Refuse an ``--out`` that is not a corpus (other files), or a corpus whose crops were
    made with other options; returns the earlier build's inputs (``[]`` for a new folder)."""
    earlier = _earlier_corpus(out, " (an existing corpus is resumed)")
    if not earlier:
        return []
    changed = _crop_changes(earlier, cfg)
    if changed:
        raise LitclipError(
            f"corpus {out} was built with other crop options ({'; '.join(changed)}); its crops "
            "would stay as they are: build into a new --out (QC options may change on a rerun)"
        )
    return list(earlier.get("inputs", []))


# --------------------------------------------------------------------------- assembly


def _load_parts(
    out: Path, entries: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    statuses: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for e in entries:
        sha = e["sha256"]
        if sha in seen:
            statuses.append(
                {
                    **e,
                    "status": "ok",
                    "duplicate_of": seen[sha],
                    "pages": 0,
                    "figures": 0,
                    "pairs": 0,
                    "seconds": 0.0,
                    "error_kind": None,
                    "error_message": None,
                }
            )
            continue
        path = part_path(out, sha)
        if not path.is_file():
            statuses.append(
                {
                    **e,
                    "status": "error",
                    "error_kind": "missing",
                    "error_message": "no part file (run interrupted?)",
                }
            )
            continue
        part = read_json(path)
        seen[sha] = e["name"]
        statuses.append({**part["status"], "name": e["name"], "path": e["path"]})
        rows += part["rows"]
    return statuses, rows


def _pixel_check(
    root: Path | None, paths: Sequence[str], pdfs: Sequence[str]
) -> Callable[[int, int], bool] | None:
    """A ``verify(i, j)`` for :func:`duplicate_of` that compares the two crops' pixels: two
    crops of one PDF must be one picture (:func:`same_picture`: an article's series of
    figures in one template are not copies, and share its split); crops of two PDFs, where a
    near-copy would leak from training to test, need only look alike (:func:`same_pixels`)."""
    if root is None:
        return None

    def verify(i: int, j: int) -> bool:
        check = same_picture if pdfs[i] == pdfs[j] else same_pixels
        try:
            with Image.open(root / paths[i]) as a, Image.open(root / paths[j]) as b:
                return check(a, b)
        except OSError:  # an unreadable crop: trust the hash
            return True

    return verify


def apply_qc(df: pd.DataFrame, qc: QcConfig, root: Path | None = None) -> pd.DataFrame:
    """Fill ``qc_reasons``, ``qc_pass`` and ``duplicate_of`` from the stored statistics.

    With ``root`` (the corpus directory), pHash matches are confirmed on the crops' pixels.
    """
    if not len(df):
        return df.assign(qc_reasons=[], qc_pass=[], duplicate_of=[])
    df = df.sort_values(["pdf_name", "page", "pair_id"], kind="stable").reset_index(drop=True)
    reasons = [qc_reasons(r, qc) for r in df.to_dict("records")]
    groups = [
        p if isinstance(p, str) else i for i, p in zip(df["pair_id"], df["parent_id"], strict=True)
    ]
    dups = duplicate_of(
        list(df["phash"]),
        groups,
        qc.dup_distance,
        _pixel_check(root, list(df["filepath"]), list(df["pdf_sha256"])),
    )
    ids = list(df["pair_id"])
    for rs, d in zip(reasons, dups, strict=True):
        if d is not None:
            rs.append("duplicate")
    df["duplicate_of"] = [ids[d] if d is not None else None for d in dups]
    df["qc_reasons"] = reasons
    df["qc_pass"] = [not rs for rs in reasons]
    return df


def _empty_manifest() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in MANIFEST_COLUMNS})


def assemble_corpus(
    out_dir: str | Path, entries: Sequence[dict[str, Any]], cfg: CorpusConfig
) -> BuildSummary:
    """(Re)write the corpus files from the part files of ``entries``.

    Writes ``manifest.parquet``/``.csv``, ``shards/``, ``pdf_status.jsonl``, ``datasheet.md``
    and ``config.json``; optionally scores modality with ``cfg.modality_model``.
    """
    out = Path(out_dir)
    statuses, rows = _load_parts(out, entries)
    df = pd.DataFrame(rows) if rows else _empty_manifest()
    if len(df):
        df["split"] = df["pdf_sha256"].map(split_of)
    df = apply_qc(df, cfg.qc, out)
    if cfg.modality_model and len(df):
        from litclip.corpus.modality import add_modality

        df = add_modality(df, out, cfg.modality_model, cfg.modality_prompts)
    if _pairs_changed(out, df):  # a resumed build of other PDFs or other QC options
        _remove_previews(out)
    write_manifest(df, out)
    write_shards(df, out, cfg.shard_size)
    write_status(statuses, out)
    write_datasheet(df, statuses, asdict(cfg), out)
    write_resolved_config(out, asdict(cfg), inputs=list(entries))
    return summarize(out, df, statuses)


def _pairs_changed(out: Path, df: pd.DataFrame) -> bool:
    """Whether ``df`` holds other pairs, or other QC calls, than the manifest in ``out``: the
    preview pages made of that one would show figures the corpus no longer has."""
    manifest = out / "manifest.parquet"
    if not manifest.is_file():
        return False
    cols = ["pair_id", "qc_pass"]
    try:
        before = pd.read_parquet(manifest, columns=cols)
    except (OSError, ValueError, KeyError):
        return True
    after = df[cols] if len(df) else pd.DataFrame(columns=cols)
    key = lambda f: sorted(zip(f["pair_id"], f["qc_pass"].astype(bool), strict=True))  # noqa: E731
    return key(before) != key(after)


def summarize(out: Path, df: pd.DataFrame, statuses: Sequence[dict[str, Any]]) -> BuildSummary:
    """Counts for the end-of-run summary."""
    reasons = Counter(r for rs in (df["qc_reasons"] if len(df) else []) for r in rs)
    errors = Counter(s.get("error_kind") for s in statuses if s.get("status") == "error")
    ok = [s for s in statuses if s.get("status") == "ok"]
    return BuildSummary(
        out_dir=out,
        pdfs_ok=sum(s.get("status") == "ok" for s in statuses),
        pdfs_error=sum(errors.values()),
        pdfs_skipped=0,
        pairs=len(df),
        passed=int(df["qc_pass"].sum()) if len(df) else 0,
        reasons=reasons.most_common(),
        errors=errors.most_common(),
        uncaptioned=sum(int(s.get("uncaptioned") or 0) for s in ok),
        tables=sum(int(s.get("tables") or 0) for s in ok),
        unreadable=sum(unreadable_text(ok).values()),
        failed=[
            f"{s.get('name')} ({s.get('error_kind')}: "
            f"{textwrap.shorten(str(s.get('error_message')), 160, placeholder=' ...')})"
            for s in statuses
            if s.get("status") == "error"
        ],
    )


# --------------------------------------------------------------------------- merge


def _link_tree(src: Path, dst: Path) -> None:
    """Copy a directory by hard links where possible (same file system), else by copying."""
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(parents=True)
    for f in src.iterdir():
        try:
            os.link(f, tmp / f.name)
        except OSError:
            shutil.copy2(f, tmp / f.name)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.replace(dst)


def _read_config(d: Path) -> dict[str, Any]:
    path = d / "config.json"
    if not d.exists():
        raise LitclipError(f"{d} does not exist: give the --out of a corpus build")
    if not path.is_file():
        raise LitclipError(
            f"{d} is not a litclip corpus directory (no config.json); give the --out of a corpus build"
        )
    conf = read_json_object(path, "give the --out of a corpus build")
    if being_written(d):
        raise LitclipError(
            f"{d} is still being written (a `litclip corpus build` into it is running): wait "
            "for it to end, then go on"
        )
    if "litclip_version" not in conf or "dpi" not in (conf.get("config") or {}):
        raise LitclipError(
            f"{d} is not a litclip corpus directory (its config.json is not a corpus build's); "
            "give the --out of a corpus build"
        )
    return conf


def config_from_dict(d: dict[str, Any]) -> CorpusConfig:
    """Rebuild a :class:`CorpusConfig` from its ``asdict`` form (unknown keys ignored)."""
    known = {k: v for k, v in d.items() if k in CorpusConfig.__dataclass_fields__}
    qc = QcConfig(
        **{
            k: v
            for k, v in (known.pop("qc", None) or {}).items()
            if k in QcConfig.__dataclass_fields__
        }
    )
    return CorpusConfig(**known, qc=qc)


def merge_corpora(
    out_dir: str | Path, shard_dirs: Sequence[str | Path], config: CorpusConfig | None = None
) -> BuildSummary:
    """Merge corpus directories (e.g. the ``--shard i/n`` outputs) into one.

    PDFs are deduplicated by content hash (so pairs by ``pair_id``); crops are hard-linked
    when possible; QC (including cross-shard duplicates), manifest, shards, status and
    datasheet are recomputed. An input without ``parts/`` (a filter's output, a copy of the
    contract files) is merged from its manifest rows and ``pdf_status.jsonl``. Inputs must
    share their crop options, and their QC options unless ``config`` (whose QC is then
    used) is given. A PDF an input lists without a result (its build did not finish) is
    marked missing, and said in the summary's ``notes``.
    """
    out = Path(out_dir)
    dirs = [Path(d) for d in shard_dirs]
    if not dirs:
        raise LitclipError("corpus merge needs at least one shard directory")
    if any(d.resolve() == out.resolve() for d in dirs):
        raise LitclipError(
            f"corpus merge writes a new corpus: its output {out} must not be one of its inputs"
        )
    for d in dirs:
        _refuse_inside(out, d, "the merge's output")
    configs = [_read_config(d) for d in dirs]
    cfg = config or config_from_dict(configs[0].get("config", {}))
    cfg.modality_model = None if config is None else cfg.modality_model
    cfg.shard = None  # the merge is the whole, not the first input's share
    _check_merge_options(dirs, configs, qc=config is None)
    results = [_results(d, conf) for d, conf in zip(dirs, configs, strict=True)]
    found = [
        (d, e, res[e["sha256"]])
        for d, conf, res in zip(dirs, configs, results, strict=True)
        for e in conf.get("inputs", [])
        if e["sha256"] in res
    ]
    for d, e, part in found:
        lost = _missing_crops(d, part.get("rows", []))
        if lost:
            raise LitclipError(
                f"{d} lists crops that are missing (e.g. {lost[0]}): rerun `litclip corpus "
                f"build` into {d} to extract {e['name']} again, then merge"
            )
    have = {e["sha256"] for _, e, _ in found}
    unfinished = _unfinished(dirs, configs, have)
    _check_merge_out(out, have)
    with _writing_corpus(out, "corpus merge"):
        entries: list[dict[str, Any]] = []
        named: set[tuple[str, str]] = set()
        copied: set[str] = set()
        for d, e, part in found:
            sha = e["sha256"]
            if (sha, e["name"]) in named:  # a repeated input
                continue
            named.add((sha, e["name"]))
            entries.append(e)  # another name of the same content gets its duplicate_of line
            if sha in copied:
                continue
            copied.add(sha)
            img_dir = d / IMAGES_DIR / image_dir_name(sha)
            if img_dir.is_dir():
                _link_tree(img_dir, out / IMAGES_DIR / image_dir_name(sha))
            src, dst = part_path(d, sha), part_path(out, sha)
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_file():
                shutil.copy2(src, dst)
            else:  # a result read from the manifest
                atomic_write_json(dst, part)
        entries += [e for _, _, missing in unfinished for e in missing]  # status: missing
        entries.sort(key=lambda e: e["path"])
        summary = assemble_corpus(out, entries, cfg)
        summary.notes = [_unfinished_note(*u) for u in unfinished] + _absent_shards(configs)
        return summary


def _check_merge_options(dirs: Sequence[Path], configs: Sequence[dict[str, Any]], qc: bool) -> None:
    """Refuse inputs built with other crop options (one corpus would mix crops of two
    resolutions or formats) or, with ``qc``, other QC options (the first input's would
    silently apply to all: the result depended on the order of the inputs)."""
    first = configs[0].get("config", {})
    for d, conf in zip(dirs[1:], configs[1:], strict=True):
        own = conf.get("config", {})
        changed = [
            f"{k} {own[k]}, not {first[k]}" for k in _CROP_OPTIONS if own.get(k) != first.get(k)
        ]
        if changed:
            raise LitclipError(
                f"{d} was built with other crop options than {dirs[0]} ({'; '.join(changed)}): "
                "rebuild the shards with the same --dpi and --image-format"
            )
        changed = _qc_changes(first, own) if qc else []
        if changed:
            raise LitclipError(
                f"{d} was built with other QC options than {dirs[0]} ({'; '.join(changed)}): "
                "rerun `litclip corpus build` into one of them with the other's QC options "
                "(QC is redone, no PDF is extracted again), then merge"
            )


def _qc_changes(first: dict[str, Any], own: dict[str, Any]) -> list[str]:
    """The QC options in which config ``own`` differs from ``first``, as ``"min_side 5000,
    not 64"`` (an option a config lacks has its default; kinds are a set)."""
    a, b = asdict(config_from_dict(first).qc), asdict(config_from_dict(own).qc)

    def shown(v: Any) -> Any:
        return ",".join(sorted(v)) if isinstance(v, list) else v

    return [f"{k} {shown(b[k])}, not {shown(a[k])}" for k in a if shown(a[k]) != shown(b[k])]


# manifest columns that QC is recomputed from, and the columns it recomputes
_QC_COLUMNS = ("pair_id", "filepath", "pdf_sha256", "page", "bbox", "width", "height")
_QC_COLUMNS += ("gray_std", "entropy", "phash", "kind", "parent_id")
_DERIVED_COLUMNS = ("qc_pass", "qc_reasons", "duplicate_of", "split")


def _results(d: Path, conf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The result (a part: ``{"status", "rows"}``) of each PDF of corpus ``d`` that has one,
    by sha256: its part files, or, for a corpus without parts/ (a filter's output, a copy
    of contract 1's files), its manifest rows and pdf_status.jsonl lines."""
    shas = {e["sha256"] for e in conf.get("inputs", [])}
    if (d / PARTS_DIR).is_dir() or not (d / "manifest.parquet").is_file():
        paths = {sha: part_path(d, sha) for sha in shas}
        return {sha: read_json(p) for sha, p in paths.items() if p.is_file()}
    df = read_manifest(d)
    lacking = [c for c in _QC_COLUMNS if c not in df.columns] if len(df) else []
    if lacking:
        raise LitclipError(
            f"{d}/manifest.parquet has no {', '.join(lacking)} column(s), which merge "
            "recomputes QC from: merge the corpus it was made from"
        )
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in df.drop(columns=[c for c in _DERIVED_COLUMNS if c in df.columns]).to_dict("records"):
        rows.setdefault(r["pdf_sha256"], []).append({k: _none_if_na(v) for k, v in r.items()})
    statuses = {s.get("sha256"): s for s in read_status(d) if not s.get("duplicate_of")}
    parts = {}
    for sha in shas:
        status = statuses.get(sha) or ({"status": "ok", "sha256": sha} if sha in rows else None)
        if status is not None and status.get("error_kind") != "missing":
            parts[sha] = {"status": status, "rows": rows.get(sha, [])}
    return parts


def _none_if_na(v: Any) -> Any:
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def _unfinished(
    dirs: Sequence[Path], configs: Sequence[dict[str, Any]], have: set[str]
) -> list[tuple[Path, dict[str, Any], list[dict[str, Any]]]]:
    """Each input whose config lists PDFs that no input has a result for (its build was
    killed or has not finished), with those PDFs."""
    out = []
    seen: set[tuple[str, str]] = set()
    for d, conf in zip(dirs, configs, strict=True):
        missing = [
            e
            for e in conf.get("inputs", [])
            if e["sha256"] not in have and (e["sha256"], e["name"]) not in seen
        ]
        seen |= {(e["sha256"], e["name"]) for e in missing}
        if missing:
            out.append((d, conf, missing))
    return out


def _absent_shards(configs: Sequence[dict[str, Any]]) -> list[str]:
    """Notes on the shards of a ``--shard i/n`` split that are not among a merge's inputs:
    their PDFs are not in it (merging shard 0 of 2 alone was a quiet half corpus)."""
    got: dict[int, set[int]] = {}
    for conf in configs:
        parsed = parse_shard((conf.get("config") or {}).get("shard"))
        if parsed is not None:
            got.setdefault(parsed[1], set()).add(parsed[0])
    notes = []
    for n, have in sorted(got.items()):
        absent = sorted(set(range(n)) - have)
        if absent:
            names = ", ".join(f"{i}/{n}" for i in absent)
            many = len(absent) > 1
            notes.append(
                f"shard{'s' * many} {names} of the split {'are' if many else 'is'} not among the "
                "inputs: their PDFs are not in this merge (merge again with them when built)"
            )
    return notes


def _unfinished_note(d: Path, conf: dict[str, Any], missing: Sequence[dict[str, Any]]) -> str:
    n = len(conf.get("inputs", []))
    source = (conf.get("filter") or {}).get("source")
    if source:  # a filter's output: its source corpus is the unfinished build
        todo = f"finish the build of {source}, filter it again"
    else:
        shard = (conf.get("config") or {}).get("shard")
        again = f"litclip corpus build ...{f' --shard {shard}' if shard else ''} --out {d}"
        todo = f"rerun its `{again}`"
    return (
        f"{len(missing)} of the {n} PDFs of {d} have no result (its build did not finish; "
        f"marked missing in pdf_status.jsonl): {todo}, then merge again"
    )


def _check_merge_out(out: Path, merged: set[str]) -> None:
    """Refuse an ``--out`` of other files, or a corpus holding PDFs the merge would drop (the
    README's ``corpus merge corpus/ shard0/ shard1/`` over a built corpus lost its pairs)."""
    earlier = _earlier_corpus(out, named="the merge's output")
    # PDFs an earlier merge marked missing had no pairs to lose
    missing = {s.get("sha256") for s in read_status(out) if s.get("error_kind") == "missing"}
    dropped = [
        e
        for e in earlier.get("inputs", [])
        if e.get("sha256") not in merged and e.get("sha256") not in missing
    ]
    if dropped:
        raise LitclipError(
            f"the merge's output {out} already holds a corpus with {len(dropped)} PDF(s) that "
            "are not among the merge's inputs (e.g. "
            f"{Path(str(dropped[0].get('path', '?'))).name}): pass it as an input to keep "
            "them (into a new output folder), or choose a new output folder"
        )


# --------------------------------------------------------------------------- filter


def _refuse_inside(out: Path, corpus: Path, named: str) -> None:
    """Refuse an output inside an input corpus: the corpus would hold files it did not
    write, and its next build or merge would refuse it."""
    if corpus.resolve() in out.resolve().parents:
        raise LitclipError(
            f"{named} {out} is inside the corpus {corpus}: choose a folder outside it"
        )


def _nothing_kept(
    df: pd.DataFrame, qc_only: bool, kinds: Sequence[str] | None, modality: Sequence[str] | None
) -> str:
    """Why a filter kept no pair, with what the corpus holds instead."""
    asked = [f"--kinds {','.join(kinds)}"] if kinds else []
    asked += [f"--modality {','.join(modality)}"] if modality else []
    pool = df[df["qc_pass"].astype(bool)] if qc_only and len(df) else df
    where = "passing QC " if qc_only else ""
    if not len(pool):
        return f"the corpus has no pair {where}to filter: nothing was written"
    held = ", ".join(f"{k} {n}" for k, n in pool["kind"].value_counts().items())
    return (
        f"no pair {where}matched {' '.join(asked) or 'the filter'} (the corpus's pairs "
        f"{where}by kind: {held}): nothing was written"
    )


def _remove_other_crops(out: Path, keep: set[str]) -> None:
    """Remove the crops (and emptied folders) in ``out/images`` that ``keep`` does not list:
    an earlier, wider filter's (hard links: the source's crops stay)."""
    for f in (out / IMAGES_DIR).rglob("*"):
        if f.is_file() and f.relative_to(out).as_posix() not in keep:
            f.unlink()
    for d in (out / IMAGES_DIR).glob("*"):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


def _filtered_counts(statuses: list[dict[str, Any]], kept: pd.DataFrame) -> list[dict[str, Any]]:
    """Status lines whose ``pairs`` count the pairs a filter kept of each PDF; the source
    corpus's count stays as ``source_pairs`` (a reader compares them per PDF)."""
    per_pdf = kept["pdf_sha256"].value_counts().to_dict() if len(kept) else {}
    return [
        {**s, "pairs": int(per_pdf.get(s.get("sha256"), 0)), "source_pairs": s.get("pairs", 0)}
        for s in statuses
    ]


def filter_corpus(
    in_dir: str | Path,
    out_dir: str | Path,
    *,
    kinds: Sequence[str] | None = None,
    modality: Sequence[str] | None = None,
    min_modality_score: float = 0.0,
    modality_model: str | None = None,
    qc_only: bool = True,
    shard_size: int = 1000,
) -> BuildSummary:
    """Write a filtered copy of a corpus (re-runnable; the input is never modified).

    Args:
        in_dir: a corpus directory.
        out_dir: the new corpus directory.
        kinds: keep only these figure kinds (``image``, ``chart``, ...).
        modality: keep only pairs whose zero-shot modality is one of these (``MRI``, ``CT``).
            Uses the manifest's ``modality`` column, or scores it with ``modality_model``.
        min_modality_score: and whose ``modality_score`` is at least this.
        modality_model: a litclip model spec, needed when the manifest has no modality.
        qc_only: keep only pairs that pass QC.
        shard_size: pairs per WebDataset tar in the output.
    """
    src, out = Path(in_dir), Path(out_dir)
    conf = _read_config(src)
    if out.resolve() == src.resolve():
        raise LitclipError("corpus filter writes a new directory: --out must differ from --in")
    _refuse_inside(out, src, "--out")
    _earlier_corpus(out, filtered=True)
    df = read_manifest(src)
    check_kinds(kinds or [])
    if modality and "modality" not in df.columns:
        if not modality_model:
            raise LitclipError(
                f"{src}/manifest.parquet has no modality column: pass --modality-model SPEC (e.g. litclip-tiny or a trained model dir)"
            )
        from litclip.corpus.modality import add_modality

        df = add_modality(df, src, modality_model, None)
    keep = pd.Series(True, index=df.index)
    if qc_only:
        keep &= df["qc_pass"].astype(bool)
    if kinds:
        keep &= df["kind"].isin(list(kinds))
    if modality:
        # the labels the corpus was scored with, matched case-insensitively ("mri" is MRI)
        labels = {str(v).lower(): str(v) for v in df["modality"].dropna().unique()}
        from litclip.corpus.modality import DEFAULT_PROMPTS

        labels.update({v.lower(): v for v in DEFAULT_PROMPTS if v.lower() not in labels})
        unknown = [m for m in modality if m.lower() not in labels]
        if unknown:
            raise LitclipError(
                f"unknown modality {unknown}; the corpus's labels are {sorted(set(labels.values()))}"
            )
        wanted = [labels[m.lower()] for m in modality]
        keep &= df["modality"].isin(wanted) & (df["modality_score"] >= min_modality_score)
    sel = df[keep].reset_index(drop=True)
    crops = _crop_paths(sel.to_dict("records"))
    lost = [fp for fp in crops if not (src / fp).is_file()]
    if lost:
        raise LitclipError(
            f"{src} lists crops that are missing (e.g. {lost[0]}): rerun `litclip corpus build` "
            f"into {src} to extract them again, then filter"
        )
    if not len(sel):
        raise NothingMadeError(_nothing_kept(df, qc_only, kinds, modality))
    with _writing_corpus(out, "corpus filter"):
        for fp in dict.fromkeys(crops):  # only the kept figures' crops, not the left-out ones'
            link_or_copy(src / fp, out / fp)
        _remove_other_crops(out, set(crops))
        write_manifest(sel, out)
        write_shards(sel, out, shard_size)
        statuses = _filtered_counts(read_status(src), sel)
        write_status(statuses, out)
        filt = {
            "source": str(src),
            "kinds": list(kinds or []),
            "modality": list(modality or []),
            "min_modality_score": min_modality_score,
            "qc_only": qc_only,
        }
        write_datasheet(sel, statuses, conf.get("config", {}), out)
        write_resolved_config(
            out, conf.get("config", {}), inputs=conf.get("inputs", []), filter=filt
        )
        return summarize(out, sel, statuses)
