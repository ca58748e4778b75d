"""Figure extraction on scanned copies of PDFs with ground truth (scanned-page support).

Each PDF is turned into scans with :func:`litclip.data.synthetic.scan_pdf` (a page picture
under an invisible OCR-like text layer) in four flavours, extracted, and scored against the
born-digital ground truth (scans keep page sizes and coordinates):

* ``jpeg150``: 150 dpi colour JPEG pages;
* ``aged150``: the same, yellowed and with sensor noise (sigma 3 grey levels);
* ``bitonal300``: 300 dpi black-and-white pages, photographs dithered (old backfiles);
* ``skewed150``: 150 dpi pages turned 0.8 degrees (the text layer is not turned).

Usage::

    python benchmarks/scanned_extraction.py [PDF_DIR]   # default ../shared/data/pdfs

Prints one row of figure precision, recall, caption match, panel accuracy and mean IoU per
flavour, and the born-digital row first for comparison.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from litclip.corpus.evaluate import evaluate_predictions, load_truth, rows_from_extraction
from litclip.corpus.extract import extract_pdf
from litclip.data.synthetic import scan_pdf

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdfs"
FLAVOURS: dict[str, dict[str, Any]] = {
    "born-digital": {},
    "jpeg150": {"dpi": 150},
    "aged150": {"dpi": 150, "tinted": True, "noise": 3.0},
    "bitonal300": {"dpi": 300, "bitonal": True},
    "skewed150": {"dpi": 150, "skew": 0.8},
}
METRICS = ("figure_precision", "figure_recall", "caption_match", "panel_accuracy", "mean_iou")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf_dir", nargs="?", default=str(DEFAULT_DIR))
    args = ap.parse_args(argv)
    pdf_dir = Path(args.pdf_dir)
    truth = load_truth(pdf_dir / "ground_truth.json")
    print(f"{'flavour':14s}" + "".join(f"{m:>18s}" for m in METRICS) + f"{'seconds':>9s}")
    with tempfile.TemporaryDirectory(prefix="litclip-scans-") as tmp:
        for name, options in FLAVOURS.items():
            rows: list[dict[str, Any]] = []
            t0 = time.perf_counter()
            for doc in truth["documents"]:
                src = pdf_dir / doc["file"]
                path = (
                    scan_pdf(src, Path(tmp) / f"{name}-{doc['file']}", **options)
                    if options
                    else src
                )
                rows += rows_from_extraction(doc["file"], extract_pdf(path))
            metrics = evaluate_predictions(rows, truth)
            values = "".join(f"{metrics[m]:18.3f}" for m in METRICS)
            print(f"{name:14s}{values}{time.perf_counter() - t0:9.1f}")


if __name__ == "__main__":
    main()
