"""Bad input never stops a run: 21 generated bad files each end as a recorded error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.types import PDF_ERROR_KINDS
from litclip.corpus.worker import PdfTask, process_pdf
from litclip.io import sha256_file
from tests.corpus.corpus_fixtures import (
    damaged_pdf,
    default_extractor,
    make_bad_corpus,
    make_pdf,
)

EXPECTED = {
    "empty.pdf": {"not_pdf"},
    "text_named_pdf.pdf": {"not_pdf"},
    "png_named_pdf.pdf": {"not_pdf"},
    "random_bytes.pdf": {"not_pdf"},
    "html.pdf": {"not_pdf"},
    "header_late.pdf": {"not_pdf"},
    "encrypted.pdf": {"encrypted"},
    "encrypted_2.pdf": {"encrypted"},
    "huge_image.pdf": {"huge_image"},
    "huge_image_wide.pdf": {"huge_image"},
    "zero_pages.pdf": {"zero_pages", "malformed"},
    "truncated_half.pdf": {"truncated", "malformed"},
    "truncated_header_only.pdf": {"truncated", "malformed"},
    "truncated_10_bytes.pdf": {"truncated", "malformed"},
    "truncated_no_eof.pdf": {"truncated", "malformed"},
}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("bad")
    make_bad_corpus(root / "pdfs")
    make_pdf(root / "pdfs" / "good_a.pdf", seed=1, n_figures=1)
    make_pdf(root / "pdfs" / "good_b.pdf", seed=2, n_figures=1)
    build_corpus(
        root / "pdfs",
        root / "out",
        CorpusConfig(extractor=default_extractor(), workers=2, timeout=60),
    )
    lines = [json.loads(x) for x in (root / "out" / "pdf_status.jsonl").read_text().splitlines()]
    return root, {s["name"]: s for s in lines}


def test_at_least_twenty_bad_files_all_recorded(bad_build: tuple[Path, dict[str, dict]]) -> None:
    _, st = bad_build
    bad = {n: s for n, s in st.items() if not n.startswith("good")}
    assert len(bad) >= 20 and len(st) == len(bad) + 2
    for name, s in bad.items():
        assert s["status"] == "error", (name, s)
        assert s["error_kind"] in PDF_ERROR_KINDS and s["error_message"], (name, s)
        assert s["pairs"] == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_error_kinds(bad_build: tuple[Path, dict[str, dict]], name: str) -> None:
    s = bad_build[1][name]
    assert s["error_kind"] in EXPECTED[name], s


def test_good_files_still_processed(bad_build: tuple[Path, dict[str, dict]]) -> None:
    root, st = bad_build
    assert st["good_a.pdf"]["status"] == st["good_b.pdf"]["status"] == "ok"
    assert st["good_a.pdf"]["figures"] == 1 and st["good_a.pdf"]["pairs"] >= 1
    assert "## Counts" in (root / "out" / "datasheet.md").read_text()


def test_huge_image_never_decoded(bad_build: tuple[Path, dict[str, dict]]) -> None:
    # 40000 x 40000 RGB would be 4.8 GB decoded; the worker stays far below that.
    for name in ("huge_image.pdf", "huge_image_wide.pdf"):
        s = bad_build[1][name]
        assert s["peak_rss_mb"] < 1024 and s["seconds"] < 20, s
    assert max(s.get("peak_rss_mb") or 0 for s in bad_build[1].values()) < 2048


def test_worker_never_raises(tmp_path: Path) -> None:
    # process_pdf turns even an unreadable path into a status line.
    task = PdfTask(
        path=str(tmp_path / "gone.pdf"),
        name="gone.pdf",
        sha256="0" * 64,
        out_dir=str(tmp_path / "out"),
        staging=str(tmp_path / "out" / ".staging" / "x"),
        extractor=default_extractor(),
    )
    status = process_pdf(task)
    assert status["status"] == "error" and status["error_kind"] == "io"
    assert (tmp_path / "out" / "parts" / ("0" * 64 + ".json")).is_file()


def test_unexpected_exception_is_recorded(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", seed=1, n_figures=1)
    task = PdfTask(
        path=str(pdf),
        name="a.pdf",
        sha256=sha256_file(pdf),
        out_dir=str(tmp_path / "out"),
        staging=str(tmp_path / "s"),
        extractor="json:loads",
    )  # wrong signature: a bug
    status = process_pdf(task)
    assert (
        status["status"] == "error"
        and status["error_kind"] == "internal"
        and "TypeError" in status["error_message"]
        and "(at " in status["error_message"]
    )


def test_a_damaged_page_costs_only_that_page(tmp_path: Path) -> None:
    """A page pdfium cannot load is skipped with a warning; the figures of the others stay
    (the whole PDF was an 'internal' error). Text and pictures a damaged stream sets far off
    the page are not read: they are not on it (a line at x = 241,134 pt once made a
    57 GB grid)."""
    import pypdfium2 as pdfium

    from litclip.corpus.extract.document import extract_pdf
    from litclip.corpus.extract.regions import page_elements
    from litclip.corpus.extract.text import page_lines

    path = tmp_path / "damaged.pdf"
    path.write_bytes(damaged_pdf())
    ex = extract_pdf(path)
    assert [(f.label, f.page) for f in ex.figures] == [("Figure 1", 1), ("Figure 2", 3)]
    assert any(w.startswith("page 2: skipped") for w in ex.warnings)
    page = pdfium.PdfDocument(str(path))[2]
    assert [ln.text for ln in page_lines(page)] == [
        "Figure 2. A gradient phantom imaged at the standard dose."
    ]
    assert [e.bbox for e in page_elements(page)] == [(72.0, 192.0, 372.0, 392.0)]
    status = process_pdf(
        PdfTask(
            path=str(path),
            name=path.name,
            sha256=sha256_file(path),
            out_dir=str(tmp_path / "out"),
            staging=str(tmp_path / "s"),
            extractor=default_extractor(),
        )
    )
    assert status["status"] == "ok" and status["figures"] == 2, status


def test_grids_stay_small_on_a_huge_page() -> None:
    """The cell grids over a page grow coarser, never bigger, on a page declared a million
    points wide; the overlap test stays conservative."""
    import numpy as np

    from litclip.corpus.extract.regions import _touches_none

    boxes = np.array([[0.0, 0.0, 10.0, 10.0], [999_990.0, 0.0, 1_000_000.0, 10.0]])
    barriers = np.array([[5.0, 5.0, 20.0, 20.0]])
    assert _touches_none(boxes, barriers).tolist() == [False, True]
