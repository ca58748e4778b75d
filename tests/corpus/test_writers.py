"""Corpus writers: manifest parquet/CSV, WebDataset shards, status lines, datasheet."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from litclip.corpus.types import NO_TEXT_LAYER, SCANNED_PAGES, UNREADABLE_TEXT
from litclip.corpus.writers import (
    MANIFEST_COLUMNS,
    datasheet_text,
    read_manifest,
    read_status,
    split_of,
    write_manifest,
    write_shards,
    write_status,
)
from tests.corpus.corpus_fixtures import photo


def _corpus(tmp_path: Path, n: int = 5) -> pd.DataFrame:
    rows = []
    for i in range(n):
        fp = f"images/abc/p{i}.png"
        (tmp_path / fp).parent.mkdir(parents=True, exist_ok=True)
        photo(i, (64, 48)).save(tmp_path / fp)
        rows.append(
            {
                "pair_id": f"abc-p1-figure{i}",
                "filepath": fp,
                "caption": f"Figure {i}. A caption with some words number {i}.",
                "figure_label": f"Figure {i}",
                "panel": "A" if i == 4 else None,
                "parent_id": "abc-p1-figure3" if i == 4 else None,
                "pdf_sha256": f"{i:064x}",
                "pdf_name": "a.pdf",
                "page": 1,
                "bbox": [1.0, 2.0, 3.0, 4.0],
                "width": 64,
                "height": 48,
                "kind": "image",
                "qc_pass": i != 2,
                "qc_reasons": ["blank"] if i == 2 else [],
                "phash": "0" * 16,
            }
        )
    return pd.DataFrame(rows)


def test_manifest_columns_and_roundtrip(tmp_path: Path) -> None:
    df = _corpus(tmp_path)
    write_manifest(df[list(reversed(df.columns))], tmp_path)
    back = read_manifest(tmp_path)
    assert list(back.columns[: len(MANIFEST_COLUMNS)]) == MANIFEST_COLUMNS
    assert back["bbox"][0] == [1.0, 2.0, 3.0, 4.0] and back["qc_reasons"][2] == ["blank"]
    assert back["panel"][4] == "A" and back["parent_id"][4] == "abc-p1-figure3"
    csv = pd.read_csv(tmp_path / "manifest.csv")
    assert list(csv.columns[:2]) == ["filepath", "caption"]
    assert json.loads(csv["qc_reasons"][2]) == ["blank"] and len(csv) == 5
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files


def test_shards_hold_qc_passing_pairs(tmp_path: Path) -> None:
    df = _corpus(tmp_path)
    paths = write_shards(df, tmp_path, shard_size=2)
    assert [p.name for p in paths] == ["shard-000000.tar", "shard-000001.tar"]
    names = [n for p in paths for n in tarfile.open(p).getnames()]
    keys = sorted({n.rsplit(".", 1)[0] for n in names})
    assert keys == sorted(df.loc[df.qc_pass, "pair_id"])
    assert {n.rsplit(".", 1)[1] for n in names} == {"png", "txt", "json"}
    with tarfile.open(paths[0]) as tar:
        meta = json.load(tar.extractfile(f"{keys[0]}.json"))
        assert meta["pair_id"] == keys[0] and meta["bbox"] == [1.0, 2.0, 3.0, 4.0]
    # A smaller rerun removes stale shards.
    assert len(write_shards(df, tmp_path, shard_size=10)) == 1
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == ["shard-000000.tar"]


def test_shards_read_by_webdataset(tmp_path: Path) -> None:
    wds = pytest.importorskip("webdataset")
    df = _corpus(tmp_path)
    (path,) = write_shards(df, tmp_path, shard_size=100)
    samples = list(
        wds.WebDataset(str(path), shardshuffle=False).decode("pil").to_tuple("png", "txt")
    )
    assert len(samples) == int(df.qc_pass.sum()) and samples[0][0].size == (64, 48)


def test_status_roundtrip(tmp_path: Path) -> None:
    statuses = [
        {"name": "a.pdf", "status": "ok", "pairs": 3},
        {"name": "b.pdf", "status": "error", "error_kind": "encrypted"},
    ]
    write_status(statuses, tmp_path)
    assert read_status(tmp_path) == statuses


def test_datasheet_sections(tmp_path: Path) -> None:
    df = _corpus(tmp_path)
    statuses = [
        {"name": "a.pdf", "status": "ok", "pages": 3, "figures": 4, "uncaptioned": 2, "tables": 1},
        {"name": "c.pdf", "status": "ok", "pages": 1, "figures": 0, "uncaptioned": 1, "tables": 2},
        {"name": "b.pdf", "status": "error", "error_kind": "encrypted"},
    ]
    text = datasheet_text(df, statuses, {})
    assert "- figures without captions (kept out, counted): 3" in text
    assert "- table captions (tables kept apart): 3" in text
    for section in (
        "## Sources",
        "## Counts",
        "## Rejection reasons",
        "## Figure kinds",
        "## Caption lengths",
        "## Licence notes",
        "## Splits",
    ):
        assert section in text
    assert "| blank | 1 |" in text and "| encrypted | 1 |" in text
    assert "`image` is photographs and medical images" in text  # what a kind means
    assert "- pairs: 5 (4 whole figures, 1 panels)" in text and "- pairs passing QC: 4" in text


def test_split_is_deterministic_and_balanced() -> None:
    splits = [split_of(f"{i * 2654435761 % 2**64:016x}" + "0" * 48) for i in range(2000)]
    assert splits == [split_of(f"{i * 2654435761 % 2**64:016x}" + "0" * 48) for i in range(2000)]
    assert 0.85 < splits.count("train") / 2000 < 0.95


def test_datasheet_counts_pdfs_without_figures_and_why(tmp_path: Path) -> None:
    statuses = [
        {"name": "a.pdf", "status": "ok", "figures": 2},
        {"name": "scan.pdf", "status": "ok", "figures": 0, "warnings": [NO_TEXT_LAYER]},
        {
            "name": "glyphs.pdf",
            "status": "ok",
            "figures": 0,
            "warnings": [f"{UNREADABLE_TEXT} (only 7% of its words are made of letters)"],
        },
        {"name": "none.pdf", "status": "ok", "figures": 0, "warnings": []},
        {
            "name": "qex.pdf",
            "status": "ok",
            "figures": 0,
            "warnings": [f"{SCANNED_PAGES} (scanned, no OCR?): 8 of 9 (1-8); ..."],
        },
    ]
    text = datasheet_text(_corpus(tmp_path), statuses, {})
    assert "- PDFs read without a captioned figure: 4" in text
    assert "- PDFs with most pages scanned with no text layer: 1" in text
    assert "- PDFs with no text layer (scanned, no OCR): 1" in text
    assert "- PDFs with a text layer that does not read as words" in text


def test_datasheet_says_what_each_rejection_means_with_its_threshold(tmp_path: Path) -> None:
    """'duplicate' (29 pairs of the demo) was never defined; nor was the kind `table`; the
    split read '90/5/5' over shares of 87/7/5."""
    df = _corpus(tmp_path)
    df.at[3, "qc_reasons"] = ["duplicate", "kind:chart"]
    text = datasheet_text(df, [], {"qc": {"min_std": 6.0, "dup_distance": 3}})
    assert "| blank | 1 | grey-level spread under 6 |" in text
    assert "| duplicate | 1 | perceptual hash within 3 bits of an earlier pair's" in text
    assert "| kind:chart | 1 | a kind left out by the build's --keep-kinds (chart) |" in text
    assert "`table` ruled grids" in text and "with chances 90/5/5" in text


def test_datasheet_opens_its_sources_with_the_builds_description(tmp_path: Path) -> None:
    df = _corpus(tmp_path)
    text = datasheet_text(df, [], {"description": "  J Neurosurg 2015-2020, open access.\n"})
    assert text.split("## Sources\n")[1].startswith("\nJ Neurosurg 2015-2020, open access.\n")
    assert "## Sources\n\n0 input PDF files" in datasheet_text(df, [], {"description": " "})
