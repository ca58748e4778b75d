"""The unseen-boxes benchmark again on the same PDFs rewritten by other PDF producers.

A journal's PDFs reach users through many programs: typesetters, Ghostscript (distilling
PostScript), cairo (printing from a viewer), tools that place each page into a new PDF as
a form XObject (pdfpages, imposition, "merge PDFs"). The truth of ``unseen_boxes.json``
still holds for such copies (the pages and their coordinates do not change), so each
copy is scored like the originals:

* ``original``: the PDFs as their packages ship them (``python benchmarks/unseen_boxes.py``);
* ``xobject``: every page wrapped whole into a form XObject of a new page (pypdfium2);
* ``ghostscript``: ``gs -sDEVICE=pdfwrite`` (when ``gs`` is found, or ``--gs CMD``);
* ``cairo``: ``pdftocairo -pdf`` from poppler (when found, or ``--cairo CMD``).

A copy a tool fails to write is left out of its variant: its figures count as missed. Producers that
drop the text layer's Unicode mapping (cairo re-embedding TeX's bitmap fonts as Type 3,
Ghostscript subsetting some fonts) leave captions unreadable: their figures cannot be
found by any caption-based extractor, and the table says how many PDFs lost their text.

Usage::

    python benchmarks/producer_variants.py [--cache DIR] [--workers 2] [--only xobject,cairo]
"""

from __future__ import annotations

import argparse
import functools
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from unseen_boxes import TRUTH, stage_all  # noqa: E402

from litclip.corpus import CorpusConfig, build_corpus  # noqa: E402
from litclip.corpus.evaluate import evaluate_corpus  # noqa: E402

TIMEOUT = 180  # seconds per PDF and tool


def as_xobjects(src: Path, dst: Path) -> None:
    """Each page of ``src`` placed whole, as one form XObject, on a page of the same size.

    A /Rotate page is copied as it is: pdfium's XObject of it is drawn turned, which
    would move its figures away from the truth's unrotated coordinates."""
    pdf, out = pdfium.PdfDocument(str(src)), pdfium.PdfDocument.new()
    try:
        for i in range(len(pdf)):
            if pdf[i].get_rotation():
                out.import_pages(pdf, [i])
                continue
            width, height = pdf.get_page_size(i)
            page = out.new_page(width, height)
            page.insert_obj(pdf.page_as_xobject(i, out).as_pageobject())
            page.gen_content()
            page.close()
        out.save(str(dst))
    finally:
        out.close()
        pdf.close()


def run_tool(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT)


@functools.cache
def _letters(path: Path) -> int:
    """Letters in the text layer of the first 10 pages (an original's is read once for all
    its copies)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        n = 0
        for i in range(min(len(pdf), 10)):
            textpage = pdf[i].get_textpage()
            n += sum(c.isalpha() for c in textpage.get_text_range())
            textpage.close()
        return n
    finally:
        pdf.close()


def text_lost(original: Path, copy: Path) -> bool:
    """Whether ``copy`` reads far fewer letters than ``original`` (its text layer is gone)."""
    return _letters.__wrapped__(copy) < 0.5 * _letters(original)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "litclip" / "unseen-pdfs"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gs", default="gs", help="Ghostscript command (before its arguments)")
    ap.add_argument("--cairo", default="pdftocairo", help="pdftocairo command")
    ap.add_argument("--only", default="", help="comma-separated variants (default: all found)")
    args = ap.parse_args(argv)
    gs = shlex.split(args.gs)
    gs += ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-o"]
    variants = {
        "original": None,
        "xobject": as_xobjects,
        "ghostscript": (lambda s, d: run_tool([*gs, str(d), str(s)]))
        if shutil.which(shlex.split(args.gs)[0])
        else False,
        "cairo": (lambda s, d: run_tool([*shlex.split(args.cairo), "-pdf", str(s), str(d)]))
        if shutil.which(shlex.split(args.cairo)[0])
        else False,
    }
    only = {v for v in args.only.split(",") if v}
    work = Path(tempfile.mkdtemp(prefix="litclip-producers-"))
    try:
        originals = work / "original"
        stage_all(Path(args.cache), originals)
        for name, make in variants.items():
            if only and name not in only:
                continue
            if make is False:
                print(f"{name}: tool not found, skipped", flush=True)
                continue
            folder, failed, lost = originals, 0, 0
            if make is not None:
                folder = work / name
                folder.mkdir()
                for src in sorted(originals.glob("*.pdf")):
                    try:
                        make(src, folder / src.name)
                        lost += text_lost(src, folder / src.name)
                    except Exception:  # a copy the tool cannot write: left out, counted
                        (folder / src.name).unlink(missing_ok=True)
                        failed += 1
            build_corpus(folder, work / f"corpus-{name}", CorpusConfig(workers=args.workers))
            m = evaluate_corpus(work / f"corpus-{name}", TRUTH)
            print(
                f"{name}: precision {m['figure_precision']:.3f}, recall {m['figure_recall']:.3f}, "
                f"caption {m['caption_match']:.3f}, panels {m['panel_accuracy']:.3f}, "
                f"mean IoU {m['mean_iou']:.3f} (copies not written: {failed}, "
                f"text layer lost: {lost})",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
