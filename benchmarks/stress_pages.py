"""Extraction time and memory on pathological but valid pages: what no journal sample holds.

Each PDF is written here from raw objects (one small image XObject, Helvetica), then read by
the extraction engine (``iter_figures``, crops rendered at 200 dpi) in this process:

* ``tiles``: one figure made of 8,000 tiny image tiles (a mosaic, a tiled scan);
* ``paths``: one figure of 100,000 short vector strokes (a map, a dense scatter plot);
* ``fine_print``: 15,000 lines of 1 pt text around one figure (a table of fine print);
* ``long``: 999 pages, one figure each (a thesis, a book; labels stop at three digits).

Usage::

    python benchmarks/stress_pages.py [--only tiles,long]

Prints seconds, figures found and this process's peak RSS after each. Every case should take
seconds, not minutes (the build's per-PDF timeout is 120 s), and stay far under 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.corpus.corpus_fixtures import (  # noqa: E402 - a raw PDF writer
    gradient_image_object,
    pdf_from_objects,
)

from litclip.corpus.extract import iter_figures  # noqa: E402

_IMAGE = gradient_image_object()  # a 64 x 64 RGB gradient
_CAPTION = b"BT /F1 9 Tf 72 60 Td (Figure 1. A figure drawn from many parts.) Tj ET\n"


def write_pdf(path: Path, contents: list[bytes]) -> None:
    """A PDF of US-letter pages with ``contents`` as their content streams."""
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(len(contents)))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
        _IMAGE,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, body in enumerate(contents):
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject "
            b"<< /Im0 3 0 R >> /Font << /F1 4 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    path.write_bytes(pdf_from_objects(objs))


def _tiles() -> list[bytes]:
    return [
        b"".join(
            b"q 4 0 0 4 %d %d cm /Im0 Do Q\n" % (72 + 5 * (i % 90), 80 + 5 * (i // 90))
            for i in range(8000)
        )
        + _CAPTION
    ]


def _paths() -> list[bytes]:
    strokes = b"".join(
        b"%d %d m %d %d l S\n"
        % (72 + (i * 7) % 450, 80 + (i * 13) % 600, 73 + (i * 7) % 450, 81 + (i * 13) % 600)
        for i in range(100_000)
    )
    return [strokes + _CAPTION]


def _fine_print() -> list[bytes]:
    lines = b"".join(
        b"BT /F1 1 Tf %d %.2f Td (line %d of fine print) Tj ET\n"
        % (40 + 60 * (i % 9), 20 + (i // 9) * 0.45, i)
        for i in range(15_000)
    )
    figure = b"q 300 0 0 200 150 400 cm /Im0 Do Q\nBT /F1 10 Tf 150 380 Td (Figure 1. One.) Tj ET"
    return [lines + figure]


def _long() -> list[bytes]:
    return [
        b"q 300 0 0 200 72 400 cm /Im0 Do Q\nBT /F1 10 Tf 72 380 Td (Figure %d. Page %d.) Tj ET\n"
        b"BT /F1 10 Tf 72 200 Td (Body text of the page goes on here.) Tj ET" % (i + 1, i + 1)
        for i in range(999)
    ]


CASES: dict[str, Callable[[], list[bytes]]] = {
    "tiles": _tiles,
    "paths": _paths,
    "fine_print": _fine_print,
    "long": _long,
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help=f"comma-separated cases of {', '.join(CASES)}")
    args = ap.parse_args(argv)
    only = {c for c in args.only.split(",") if c} or set(CASES)
    with tempfile.TemporaryDirectory(prefix="litclip-stress-") as tmp:
        for name, make in CASES.items():
            if name not in only:
                continue
            path = Path(tmp) / f"{name}.pdf"
            write_pdf(path, make())
            t0 = time.perf_counter()
            found = sum(1 for _ in iter_figures(str(path), dpi=200))
            seconds = time.perf_counter() - t0
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{name}: {seconds:.2f} s, {found} figures, peak RSS {rss:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
