"""What happens to one PDF, in a worker process: extract, crop, measure, commit one part.

A worker never imports torch. It streams the extractor's figures one at a time (one figure's
images in memory at once), writes the crops into a private staging directory and then
*commits* the PDF in two atomic steps:

1. ``os.replace`` the staging directory onto ``images/<sha16>/`` (the old directory, left by
   an earlier half-finished attempt, is removed first);
2. write ``parts/<sha256>.json`` atomically: the PDF's status line and its manifest rows.

The part file is the only proof that a PDF is done. Images without a part file are never
trusted: a resumed run deletes them and processes the PDF again, so a SIGKILL at any point
loses nothing and duplicates nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import resource
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from litclip.corpus.kinds import classify_kind, kind_from_panels
from litclip.corpus.pngenc import save_png
from litclip.corpus.qc import image_stats
from litclip.corpus.types import PdfError, TextHints
from litclip.io import atomic_write_json

DEFAULT_EXTRACTOR = "litclip.corpus.extract:iter_figures"
PARTS_DIR = "parts"
IMAGES_DIR = "images"
STAGING_DIR = ".staging"
IMAGE_FORMATS = ("png", "jpg")
MAX_WARNINGS = 20  # per PDF in its status line


@dataclass
class PdfTask:
    """Everything a worker needs for one PDF (picklable, sent to worker processes)."""

    path: str
    name: str
    sha256: str
    out_dir: str
    staging: str  # a fresh directory under out_dir/.staging for this attempt
    dpi: int = 200
    max_pixels: int = 50_000_000
    extractor: str = DEFAULT_EXTRACTOR
    png_compress: int = 1
    image_format: str = "png"


def readable(text: str) -> str:
    """``text`` with the bytes of a file name that is not UTF-8 (``os.fsdecode``'s lone
    surrogates) written ``\\xNN``: JSON, parquet and terminals take it."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name makes
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def image_dir_name(sha256: str) -> str:
    """The directory of a PDF's crops under ``images/``."""
    return sha256[:16]


def part_path(out_dir: str | Path, sha256: str) -> Path:
    """Where a PDF's committed part file lives."""
    return Path(out_dir) / PARTS_DIR / f"{sha256}.json"


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", label.lower()) or "fig"


def make_pair_id(sha256: str, page: int, label: str, panel: str | None = None) -> str:
    """Stable pair id: ``<sha16>-p<page>-<label slug>[-<panel>]`` (a valid WebDataset key)."""
    base = f"{sha256[:16]}-p{int(page)}-{_slug(label)}"
    return f"{base}-{_slug(panel)}" if panel else base


def load_extractor(spec: str) -> Callable[..., Iterator[Any]]:
    """Load ``module:function`` or ``/path/file.py:function`` (tests plug fakes in this way)."""
    mod_name, _, attr = spec.rpartition(":")
    if mod_name.endswith(".py"):
        mspec = importlib.util.spec_from_file_location(Path(mod_name).stem, mod_name)
        if mspec is None or mspec.loader is None:
            raise ImportError(f"cannot load extractor file {mod_name}")
        module = importlib.util.module_from_spec(mspec)
        mspec.loader.exec_module(module)
    else:
        module = importlib.import_module(mod_name)
    return getattr(module, attr)


def _check_header(path: str) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise PdfError("not_pdf", f"{path} is empty")
    if b"%PDF-" not in head:
        raise PdfError("not_pdf", f"{path} has no %PDF- header")


def _page_sizes(path: str) -> list[tuple[float, float] | None]:
    """Each page's size (None for a damaged page pdfium cannot size: it holds no figure)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        sizes: list[tuple[float, float] | None] = []
        for i in range(len(doc)):
            try:
                sizes.append(tuple(doc.get_page_size(i)))  # type: ignore[arg-type]
            except pdfium.PdfiumError:
                sizes.append(None)
        return sizes
    finally:
        doc.close()


def _native_ext(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] in (b"\x00\x00\x00\x0c", b"\xff\x4f\xff\x51"):
        return "jp2"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tif"
    return "bin"


def _is_gray(pixels: np.ndarray) -> bool:
    return bool(
        np.array_equal(pixels[..., 0], pixels[..., 1])
        and np.array_equal(pixels[..., 1], pixels[..., 2])
    )


def _save(img: Image.Image, path: Path, task: PdfTask) -> None:
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    pixels = np.asarray(img)
    # scans (MRI, CT, X-ray) render with R = G = B: one channel is lossless, about a third
    # faster to encode and half the size; readers convert to RGB again
    gray = pixels.ndim == 3 and _is_gray(pixels)
    if task.image_format == "jpg":
        (img.convert("L") if gray else img).save(path, format="JPEG", quality=95)
    else:
        save_png(pixels[..., 0] if gray else pixels, path, task.png_compress)


def panel_caption(
    label: str, whole_caption: str, shared: str, letter: str, sub: str, printed_letter: str = ""
) -> str:
    """The caption of a panel row (the manifest convention: :mod:`litclip.corpus.writers`).

    Args:
        label: the figure's normalised label ("Figure 2").
        whole_caption: the figure's full caption (used when there is no sub-caption).
        shared: the caption's part shared by all panels ("" when none).
        letter: the panel letter (upper-case).
        sub: the panel's own sub-caption ("" when the caption was not split).
        printed_letter: the letter as printed in the caption ("b"); defaults to ``letter``.

    Returns:
        ``"Figure 2 (b): <shared> <sub>"``, or ``whole_caption`` without a sub-caption.
    """
    sub = sub.strip()
    if not sub:
        return whole_caption
    body = " ".join(part for part in (shared.strip(), sub) if part)
    return f"{label} ({printed_letter or letter}): {body}"


def _row(
    task: PdfTask, fig: Any, img: Image.Image, pair_id: str, text: Any, **extra: Any
) -> dict[str, Any]:
    fname = f"{pair_id}.{task.image_format}"
    _save(img, Path(task.staging) / fname, task)
    thumb = img.copy()
    thumb.thumbnail((256, 256))  # one thumbnail serves the kind and the QC statistics
    text = text if isinstance(text, TextHints) else TextHints()  # plug-ins may give none
    kind, _ = classify_kind(thumb, getattr(fig, "source", "raster"), text)
    return {
        "pair_id": pair_id,
        "filepath": f"{IMAGES_DIR}/{image_dir_name(task.sha256)}/{fname}",
        "figure_label": fig.label,
        "figure_number": str(fig.number),
        "pdf_sha256": task.sha256,
        "pdf_name": task.name,
        "page": int(fig.page),
        "kind": kind,
        "source": getattr(fig, "source", "raster"),
        "n_raster": int(getattr(fig, "n_raster", 0)),
        "turn": int(getattr(fig, "turn", 0)),  # the crop turned upright from page space
        "text_lines": text.lines,
        "mono_lines": text.mono,
        "n_scales": text.scales,
        **image_stats(img, thumb),
        **extra,
    }


def _figure_rows(
    task: PdfTask,
    fig: Any,
    whole: Image.Image,
    panels: list[Image.Image],
    native: bytes | None,
    seen: set[str],
) -> list[dict[str, Any]]:
    base = pid = make_pair_id(task.sha256, fig.page, fig.label)
    k = 2
    while pid in seen:  # the same label twice on one page (e.g. "continued"): stay unique
        pid = f"{base}-{k}"  # "figure21-2", never "figure212" (which reads as Figure 212)
        k += 1
    seen.add(pid)
    native_fp = None
    if native:  # the figure is exactly one raster image: keep its original bytes too
        nname = f"{pid}.native.{_native_ext(native)}"
        (Path(task.staging) / nname).write_bytes(native)
        native_fp = f"{IMAGES_DIR}/{image_dir_name(task.sha256)}/{nname}"
    rows = [
        _row(
            task,
            fig,
            whole,
            pid,
            getattr(fig, "text", None),
            caption=fig.caption,
            panel=None,
            parent_id=None,
            bbox=[float(v) for v in fig.bbox],
            native_filepath=native_fp,
            n_panels=len(fig.panels),
        )
    ]
    shared = fig.shared_caption or ""
    for panel, pimg in zip(fig.panels, panels, strict=False):
        caption = panel_caption(
            fig.label,
            fig.caption,
            shared,
            panel.letter,
            panel.caption or "",
            getattr(panel, "printed_letter", ""),  # plug-in extractors may not print letters
        )
        rows.append(
            _row(
                task,
                fig,
                pimg,
                f"{pid}-{_slug(panel.letter)}",
                getattr(panel, "text", None),
                caption=caption,
                panel=panel.letter,
                parent_id=pid,
                bbox=[float(v) for v in panel.bbox],
                native_filepath=None,
                n_panels=0,
            )
        )
    rows[0]["kind"] = kind_from_panels(rows[0]["kind"], [r["kind"] for r in rows[1:]])
    return rows


def _save_figure(task: PdfTask, item: tuple[Any, ...], seen: set[str]) -> list[dict[str, Any]]:
    fig, whole, panels, native = item
    try:
        return _figure_rows(task, fig, whole, panels, native, seen)
    finally:
        for im in (whole, *panels):
            im.close()  # free pixel buffers now: memory stays one figure deep


def accepts_info(fn: Callable[..., Any]) -> bool:
    """Whether an extractor takes the ``info`` dict (``iter_figures(..., info=...)``)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "info" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _extract(task: PdfTask, info: dict[str, Any]) -> tuple[list[dict[str, Any]], int, int]:
    """Run the extractor over one PDF; returns (rows, n_pages, n_figures).

    ``info`` receives the extractor's counts (uncaptioned regions, tables, warnings).

    Encoding and measuring figure k (one background thread; PNG/zlib and pdfium release the
    GIL) overlaps with the extractor finding and rendering figure k+1. At most one figure
    waits, so memory stays two figures deep.
    """
    _check_header(task.path)
    iter_figures = load_extractor(task.extractor)
    Path(task.staging).mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    n_figures = 0
    pending: Future[list[dict[str, Any]]] | None = None
    kwargs: dict[str, Any] = {"dpi": task.dpi, "max_pixels": task.max_pixels}
    if accepts_info(iter_figures):  # plug-in extractors may not report counts
        kwargs["info"] = info
    with ThreadPoolExecutor(max_workers=1) as pool:
        for item in iter_figures(task.path, **kwargs):
            n_figures += 1
            if pending is not None:
                rows.extend(pending.result())
            pending = pool.submit(_save_figure, task, tuple(item), seen)
        if pending is not None:
            rows.extend(pending.result())
    sizes = _page_sizes(task.path)
    for row in rows:
        size = sizes[row["page"] - 1] if row["page"] <= len(sizes) else None
        row["page_size"] = None if size is None else [float(v) for v in size]
    return rows, len(sizes), n_figures


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def commit_part(task: PdfTask, status: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Publish a PDF's crops and then its part file (the commit point), both atomically."""
    out = Path(task.out_dir)
    target = out / IMAGES_DIR / image_dir_name(task.sha256)
    staging = Path(task.staging)
    if target.exists():  # left by an attempt that died before its part file: not trusted
        shutil.rmtree(target)
    if rows and staging.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.replace(target)
    elif staging.exists():
        shutil.rmtree(staging, ignore_errors=True)
    atomic_write_json(part_path(out, task.sha256), {"status": status, "rows": rows})


def base_status(task: PdfTask) -> dict[str, Any]:
    """The fields every status line has, before the outcome is known."""
    return {
        "name": readable(task.name),
        "path": readable(task.path),
        "sha256": task.sha256,
        "status": "ok",
        "error_kind": None,
        "error_message": None,
        "pages": 0,
        "figures": 0,
        "pairs": 0,
        "uncaptioned": 0,  # figure-like regions without a caption: kept out, counted
        "tables": 0,  # table captions found (tables are kept apart, never pairs)
        "warnings": [],
        "seconds": 0.0,
    }


def process_pdf(task: PdfTask) -> dict[str, Any]:
    """Extract one PDF and commit its part; bad input becomes an error status, never a raise.

    Returns:
        The PDF's status line (as written to ``pdf_status.jsonl``).
    """
    t0 = time.perf_counter()
    status = base_status(task)
    rows: list[dict[str, Any]] = []
    info: dict[str, Any] = {}
    try:
        rows, status["pages"], status["figures"] = _extract(task, info)
    except PdfError as exc:
        status.update(
            status="error", error_kind=exc.kind, error_message=str(exc.args[0] if exc.args else exc)
        )
    except OSError as exc:  # unreadable file, full disk: nothing wrong with the PDF itself
        status.update(status="error", error_kind="io", error_message=f"{type(exc).__name__}: {exc}")
    except MemoryError as exc:
        status.update(
            status="error", error_kind="huge_image", error_message=f"out of memory: {exc}"
        )
    except Exception as exc:  # a bug or an unforeseen PDF: record it, never stop the run
        # Not "malformed": the PDF may be fine and the fault ours; say where, so it can be
        # reported, and let `--retry-errors` redo it after an upgrade.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        status.update(
            status="error",
            error_kind="internal",
            error_message=f"{type(exc).__name__}: {exc} (at {where})",
        )
    if status["status"] == "error":
        rows = []
        status["error_message"] = readable(str(status["error_message"]))  # may name the file
    status["uncaptioned"] = int(info.get("uncaptioned_regions") or 0)
    status["tables"] = int(info.get("tables") or 0)
    status["warnings"] = [readable(str(w)) for w in info.get("warnings") or []][:MAX_WARNINGS]
    status["pairs"] = len(rows)
    status["seconds"] = round(time.perf_counter() - t0, 3)
    status["peak_rss_mb"] = peak_rss_mb()
    status["worker_pid"] = os.getpid()
    commit_part(task, status, rows)
    return status


def error_status(task: PdfTask, kind: str, message: str, seconds: float) -> dict[str, Any]:
    """Commit an error part for a PDF whose worker died or timed out (called by the parent)."""
    status = base_status(task)
    status.update(status="error", error_kind=kind, error_message=message, seconds=round(seconds, 3))
    commit_part(task, status, [])
    return status


def task_dict(task: PdfTask) -> dict[str, Any]:
    """A task as a plain dict (for logs and tests)."""
    return asdict(task)


if __name__ == "__main__":  # python -m litclip.corpus.worker '<task json>' (dask subprocesses)
    import json
    import sys

    process_pdf(PdfTask(**json.loads(sys.argv[1])))
