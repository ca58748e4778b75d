"""Figure boxes, captions and panel counts on PDFs nobody here wrote, scored like the held-out set.

``benchmarks/unseen_pdfs.py`` checks label and page only. Here every figure was also boxed by
hand on a rendering of its page (the ground-truth format of ``../shared/data/pdfs``), so the
crops themselves are scored: ``litclip corpus build`` over the PDFs, then ``litclip corpus
evaluate`` (a match is the same page and IoU >= 0.5). The PDFs are fetched from the package
registries like ``unseen_pdfs.py`` does (its cache is shared); the truth is
``benchmarks/data/unseen_boxes.json`` (its ``provenance`` says where each round came from).
Each round was scored blind before anything was fixed for it; those scores, and what is
still missed, are in ``benchmarks/EXTRACTION.md``.

Usage::

    python benchmarks/unseen_boxes.py [--cache DIR] [--workers 2] [--json]

Prints the per-PDF table of ``litclip corpus evaluate`` and the overall row. A package that
cannot be downloaded is skipped with a note (its figures are then not counted).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.evaluate import evaluate_corpus, format_errors, format_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from unseen_pdfs import fetch  # noqa: E402 - a sibling script, not a package

TRUTH = Path(__file__).resolve().parent / "data" / "unseen_boxes.json"


def stage(doc: dict, cache: Path, folder: Path) -> None:
    """Fetch a truth document's PDF into ``folder`` under the truth's file name (which
    evaluate matches); ``source.pages = [first, last]`` keeps those pages only (one article
    of a whole journal issue), as a new PDF of the same pages and page boxes."""
    path = fetch(doc["source"]["spec"], doc["source"]["member"], cache)
    if path is None:
        return
    pages = doc["source"].get("pages")
    if not pages:
        shutil.copyfile(path, folder / doc["file"])
        return
    src, out = pdfium.PdfDocument(str(path)), pdfium.PdfDocument.new()
    try:
        out.import_pages(src, list(range(pages[0] - 1, pages[1])))
        out.save(str(folder / doc["file"]))
    finally:
        out.close()
        src.close()


def stage_all(cache: Path, folder: Path) -> dict:
    """Fetch every truth document's PDF into ``folder``; returns the truth."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for doc in truth["documents"]:
        stage(doc, cache, folder)
    return truth


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "litclip" / "unseen-pdfs"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="litclip-unseen-boxes-"))
    try:
        pdfs = work / "pdfs"
        stage_all(Path(args.cache), pdfs)
        build_corpus(pdfs, work / "corpus", CorpusConfig(workers=args.workers))
        metrics = evaluate_corpus(work / "corpus", TRUTH)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({k: v for k, v in metrics.items() if k not in ("per_pdf", "errors")}))
        return
    print(format_table(metrics))
    print(f"mean IoU of matched figures: {metrics['mean_iou']}")
    print(format_errors(metrics))


if __name__ == "__main__":
    main()
