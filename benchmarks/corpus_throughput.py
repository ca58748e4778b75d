"""Throughput of ``build_corpus`` against a bare pypdfium2 pass over the same PDFs.

The bare pass is the floor any extractor must pay (issue 4): open each PDF, read every
page's text (one ``FPDFText_GetText`` call a page) and image objects (bounds and declared
pixel sizes, inside form XObjects too), and render exactly the crops the build rendered: one
per whole figure, same DPI, same box (panel crops are cut from the whole figure's pixels by
the build, so the bare pass does not render them again). The build adds per-character
boxes and fonts, vector paths, caption/region analysis, panel previews, QC statistics,
kinds, pHash, PNG encoding, atomic commits and the manifest/shards/datasheet.

Usage::

    python benchmarks/corpus_throughput.py [PDF_DIR] [--workers 1] [--repeat 1]

Prints pages/s of each, the extractor alone (to split the cost between the extraction
engine and the pipeline around it), peak RSS (this process and the worst worker), and the
ratio last (goal: build time <= 1.5x the bare pass).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.pipeline import resolve_inputs
from litclip.corpus.worker import DEFAULT_EXTRACTOR, load_extractor
from litclip.corpus.writers import read_manifest

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdfs"


def bare_pass(paths: list[Path], crops: dict[tuple[str, int], list[list[float]]], dpi: int) -> int:
    """Open, read text and image objects, render the given crops; returns pages read."""
    pages = 0
    scale = dpi / 72.0
    for path in paths:
        doc = pdfium.PdfDocument(str(path))
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=6):
                obj.get_bounds()
                obj.get_px_size()
            if page.get_rotation():  # crops are in unrotated page space, as in the build
                page.set_rotation(0)
            width, height = page.get_size()
            for x0, y0, x1, y1 in crops.get((path.name, i + 1), []):
                x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(width, x1), min(height, y1)
                bitmap = page.render(
                    scale=scale, crop=(x0, height - y1, width - x1, y0), may_draw_forms=False
                )
                bitmap.to_pil().convert("RGB")
                bitmap.close()
            page.close()
            pages += 1
        doc.close()
    return pages


def extractor_pass(paths: list[Path], extractor: str, dpi: int) -> float:
    """Seconds for the extractor alone (iterate its figures, write nothing): the engine's share."""
    iter_figures = load_extractor(extractor)
    t0 = time.perf_counter()
    for path in paths:
        try:
            for _fig, whole, panels, _native in iter_figures(str(path), dpi=dpi):
                for im in (whole, *panels):
                    im.close()
        except Exception:  # bad PDFs are the pipeline's business; skip them here
            continue
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf_dir", nargs="?", default=str(DEFAULT_DIR))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--executor", default="process")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1, help="best of N timings for each side")
    ap.add_argument("--extractor", default=DEFAULT_EXTRACTOR)
    ap.add_argument("--image-format", default="png", choices=["png", "jpg"])
    args = ap.parse_args(argv)
    paths = resolve_inputs(args.pdf_dir)
    for p in paths:  # warm the page cache for both sides
        p.read_bytes()
    tmp = Path(tempfile.mkdtemp(prefix="litclip-bench-"))
    build_times = []
    try:
        for r in range(args.repeat):
            out = tmp / f"corpus{r}"
            t0 = time.perf_counter()
            summary = build_corpus(
                paths,
                out,
                CorpusConfig(
                    dpi=args.dpi,
                    workers=args.workers,
                    executor=args.executor,
                    extractor=args.extractor,
                    image_format=args.image_format,
                ),
            )
            build_times.append(time.perf_counter() - t0)
        df = read_manifest(out)
        crops: dict[tuple[str, int], list[list[float]]] = defaultdict(list)
        whole = df[df["panel"].isna()]  # the figures the build rendered (panels are cut)
        for name, page, bbox in zip(whole["pdf_name"], whole["page"], whole["bbox"], strict=True):
            crops[(name, int(page))].append(bbox)
        bare_times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            pages = bare_pass(paths, crops, args.dpi)
            bare_times.append(time.perf_counter() - t0)
        engine_s = min(extractor_pass(paths, args.extractor, args.dpi) for _ in range(args.repeat))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    build_s, bare_s = min(build_times), min(bare_times)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"PDFs: {len(paths)}, pages: {pages}, pairs: {summary.pairs} "
        f"({sum(map(len, crops.values()))} whole-figure crops rendered by the bare pass)"
    )
    print(f"errors: {summary.errors or 'none'}")
    print(
        f"build_corpus ({args.executor}, workers={args.workers}, {args.image_format}): {build_s:.2f} s, {pages / build_s:.2f} pages/s"
    )
    print(f"bare pypdfium2 pass: {bare_s:.2f} s, {pages / bare_s:.2f} pages/s")
    print(
        f"extractor alone (iter_figures, no writes): {engine_s:.2f} s, {pages / engine_s:.2f} pages/s ({engine_s / bare_s:.2f}x bare)"
    )
    print(
        f"pipeline overhead over the extractor (QC, kinds, pHash, image encoding, commits, manifest, shards, worker start): {build_s / engine_s:.2f}x"
    )
    print(
        f"peak RSS: main process {self_rss:.0f} MiB, worst worker {max(child_rss, summary.peak_worker_rss_mb):.0f} MiB"
    )
    print(f"ratio build/bare: {build_s / bare_s:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
