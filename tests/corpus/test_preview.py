"""The corpus contact sheet: every figure with its caption, panels and QC verdict."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from litclip.cli import main
from litclip.corpus.preview import write_preview
from litclip.errors import LitclipError


def _row(pair_id: str, pdf: str, page: int, caption: str, **extra: object) -> dict:
    row = {
        "pair_id": pair_id,
        "filepath": f"images/{pair_id}.png",
        "caption": caption,
        "figure_label": "Figure 1",
        "panel": None,
        "parent_id": None,
        "pdf_name": pdf,
        "page": page,
        "bbox": [10.0, 20.0, 300.0, 200.0],
        "width": 40,
        "height": 30,
        "kind": "image",
        "qc_pass": True,
        "qc_reasons": [],
    }
    row.update(extra)
    return row


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    rows = [
        _row("a1", "a.pdf", 2, "Figure 1. MRI <T2> & FLAIR. (A) axial (B) coronal"),
        _row("a1-A", "a.pdf", 2, "Figure 1 (A): axial", panel="A", parent_id="a1"),
        _row("a1-B", "a.pdf", 2, "Figure 1 (B): coronal", panel="B", parent_id="a1"),
        _row(
            "b2",
            "b.pdf",
            5,
            "Figure 2. A logo.",
            figure_label="Figure 2",
            qc_pass=False,
            qc_reasons=["too_small", "blank"],
        ),
    ]
    (tmp_path / "c" / "images").mkdir(parents=True)
    for r in rows:
        Image.new("RGB", (40, 30), "white").save(tmp_path / "c" / r["filepath"])
    pd.DataFrame(rows).to_parquet(tmp_path / "c" / "manifest.parquet")
    return tmp_path / "c"


def _img_sources(page: str) -> list[str]:
    return re.findall(r'<img class="\w+" src="([^"]+)"', page)


def test_every_figure_shows_its_caption_panels_and_verdict(corpus: Path, tmp_path: Path) -> None:
    s = write_preview(corpus)
    assert s.path == corpus / "preview.html"
    assert (s.pdfs, s.figures, s.panels) == (2, 2, 2)
    page = s.path.read_text(encoding="utf-8")
    assert "MRI &lt;T2&gt; &amp; FLAIR" in page  # captions are escaped, never markup
    assert "panel A" in page and "Figure 1 (B): coronal" in page
    assert "rejected: too_small, blank" in page and "passes QC" in page
    assert "page 2 [10, 20, 300, 200]" in page
    # figures in PDF order, each panel under its figure; every image link resolves
    assert page.index("a.pdf") < page.index("Figure 1 (A): axial") < page.index("b.pdf")
    srcs = _img_sources(page)
    assert len(srcs) == 4 and all((s.path.parent / src).is_file() for src in srcs)
    # a page written elsewhere links back to the corpus's images
    other = write_preview(corpus, tmp_path / "elsewhere" / "p.html").path
    srcs = _img_sources(other.read_text(encoding="utf-8"))
    assert srcs[0].startswith("../") and all((other.parent / src).is_file() for src in srcs)


def test_show_and_pdf_narrow_the_page(corpus: Path) -> None:
    rejected = write_preview(corpus, show="rejected")
    assert (rejected.figures, rejected.panels) == (1, 0)
    assert "b.pdf" in rejected.path.read_text(encoding="utf-8")
    assert "a.pdf" not in rejected.path.read_text(encoding="utf-8")
    passed = write_preview(corpus, show="passed")
    assert (passed.figures, passed.panels) == (1, 2)
    # each narrowed view has a page of its own: the full preview.html was overwritten
    assert (rejected.path.name, passed.path.name) == (
        "preview-rejected.html",
        "preview-passed.html",
    )
    narrowed = write_preview(corpus, pdf="b.p", show="passed", limit=3).path.name
    assert narrowed == "preview-passed-pdf-b.p-first3.html"
    # names in other scripts keep their letters: every such view was preview-pdf-x.html
    from litclip.corpus.preview import _default_name

    assert _default_name("all", "日本 論文", None) == "preview-pdf-日本_論文.html"
    assert _default_name("all", "über", None) != _default_name("all", "ü", None)
    assert write_preview(corpus, pdf="b.p").figures == 1
    none = write_preview(corpus, pdf="b.p", show="passed")
    assert none.figures == 0 and "No figure matches" in none.path.read_text(encoding="utf-8")
    with pytest.raises(LitclipError, match="--show"):
        write_preview(corpus, show="some")
    first = write_preview(corpus, limit=1)
    assert (first.pdfs, first.figures, first.panels) == (1, 1, 2)
    assert "the first 1 of 2 that match" in first.path.read_text(encoding="utf-8")
    with pytest.raises(LitclipError, match="--limit"):
        write_preview(corpus, limit=0)


def test_a_panel_without_its_figure_is_shown_alone(corpus: Path) -> None:
    """A filtered copy may keep a panel that passed QC and drop its rejected figure."""
    frame = pd.read_parquet(corpus / "manifest.parquet")
    frame[frame["pair_id"] != "a1"].to_parquet(corpus / "manifest.parquet")
    s = write_preview(corpus)
    assert (s.figures, s.panels) == (3, 0)
    assert "Figure 1 (A): axial" in s.path.read_text(encoding="utf-8")


def test_cli_preview(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sheet.html"
    assert main(["corpus", "preview", str(corpus), "--out", str(out), "--show", "rejected"]) == 0
    assert "1 figure (0 panels) from 1 PDF ->" in capsys.readouterr().out and out.is_file()
    assert main(["corpus", "preview", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert main(["corpus", "preview", str(tmp_path)]) == 2  # a folder without a manifest
    assert "manifest.parquet" in capsys.readouterr().err


def test_a_pdf_that_matches_nothing_is_an_error_that_keeps_the_page(corpus: Path) -> None:
    page = write_preview(corpus).path.read_text(encoding="utf-8")
    with pytest.raises(LitclipError, match="no PDF of the corpus has 'zzz' in its name"):
        write_preview(corpus, pdf="zzz")
    assert (corpus / "preview.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize("name", ["manifest.parquet", "config.json", "images/a1.png", "notes.md"])
def test_out_never_overwrites_the_corpus_own_files(corpus: Path, name: str) -> None:
    (corpus / "config.json").write_text("{}")
    (corpus / "notes.md").write_text("mine")
    before = (corpus / name).read_bytes()
    with pytest.raises(LitclipError, match="--out"):
        write_preview(corpus, corpus / name)
    assert (corpus / name).read_bytes() == before
    # its own page, and a new file beside the corpus's, are fine
    assert write_preview(corpus, corpus / "preview.html").figures == 2
    assert write_preview(corpus, corpus / "preview.html").figures == 2
    assert write_preview(corpus, corpus / "rejected.html", show="rejected").figures == 1


def test_cli_out_naming_a_folder_says_so(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pages").mkdir()
    assert main(["corpus", "preview", str(corpus), "--out", str(tmp_path / "pages")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"--out {tmp_path / 'pages'} is a folder" in err and ".tmp" not in err


def test_a_duplicate_names_the_pair_it_repeats(tmp_path: Path) -> None:
    """'rejected: duplicate' said not of what, though the manifest's duplicate_of knows."""
    rows = [
        _row("a1", "a.pdf", 2, "Figure 1. A flow chart."),
        _row(
            "c3",
            "c.pdf",
            4,
            "Figure 3. A flow chart.",
            figure_label="Figure 3",
            qc_pass=False,
            qc_reasons=["duplicate"],
            duplicate_of="a1",
        ),
    ]
    (tmp_path / "c" / "images").mkdir(parents=True)
    for r in rows:
        Image.new("RGB", (40, 30), "white").save(tmp_path / "c" / r["filepath"])
    pd.DataFrame(rows).to_parquet(tmp_path / "c" / "manifest.parquet")
    page = write_preview(tmp_path / "c", show="rejected").path.read_text()
    assert "rejected: duplicate of Figure 1, a.pdf p. 2" in page
    assert "1 figure with 0 panels, 1 pair of them rejected, from 1 PDF " in page
    assert "(1 figure)" in page


def test_a_narrowed_view_counts_the_pairs_that_match_and_names_its_corpus(
    corpus: Path, tmp_path: Path
) -> None:
    """The rejected view said '29 figures with 12 panels', though 9 of those panels passed
    (a figure is shown with all its panels); every demo's page was titled 'corpus'; boxes
    had no unit."""
    page = write_preview(corpus, show="rejected").path.read_text(encoding="utf-8")
    assert "1 figure with 0 panels, 1 pair of them rejected, from 1 PDF" in page
    run = tmp_path / "run7" / "corpus"
    shutil.copytree(corpus, run)
    page = write_preview(run).path.read_text(encoding="utf-8")
    assert "<title>Corpus preview: run7/corpus</title>" in page and "] pt ·" in page


def test_pdfs_without_a_figure_are_listed_with_why(corpus: Path) -> None:
    """A scanned PDF or a damaged one gave no row, so the page never named it."""
    import json

    status = [
        {"name": "a.pdf", "status": "ok", "figures": 1, "warnings": []},
        {"name": "scan.pdf", "status": "ok", "figures": 0, "warnings": ["no text layer <x>"]},
        {"name": "bad.pdf", "status": "error", "error_kind": "encrypted", "error_message": "pw"},
    ]
    (corpus / "pdf_status.jsonl").write_text("".join(json.dumps(s) + "\n" for s in status))
    page = write_preview(corpus).path.read_text(encoding="utf-8")
    listed = page[page.index("PDFs without a figure here") :]
    assert "<b>scan.pdf</b>: 0 captioned figures; no text layer &lt;x&gt;" in listed
    assert "<b>bad.pdf</b>: error (encrypted): pw" in listed and "a.pdf" not in listed
    # a narrowed page names only what its narrowing could show
    assert "PDFs without" not in write_preview(corpus, limit=1).path.read_text(encoding="utf-8")
    assert "PDFs without" not in write_preview(corpus, show="rejected").path.read_text("utf-8")
    only = write_preview(corpus, pdf="scan", show="all").path.read_text(encoding="utf-8")
    assert "scan.pdf" in only[only.index("PDFs without") :] and "bad.pdf" not in only
