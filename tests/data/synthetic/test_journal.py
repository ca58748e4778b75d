"""The generated journal: ground truth format, boxes vs. the real PDF content, determinism, splits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from litclip.data.synthetic import generate_journal
from litclip.io import read_json

# Keys of ../shared/data/pdfs/ground_truth.json (checked against the real file when present).
DOC_KEYS = {
    "file",
    "sha256",
    "bytes",
    "pages",
    "page_size_pt",
    "source",
    "journal",
    "title",
    "doi",
    "license",
    "license_evidence",
    "hard_case_tags",
    "domain",
    "figures",
    "tables",
}
FIG_KEYS = {
    "label",
    "page",
    "caption_start",
    "caption_bbox",
    "bbox",
    "n_panels",
    "compound",
    "eye_verified",
}


def _iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area else 0.0


def test_ground_truth_has_the_real_schema_keys(small_journal, shared_data: Path) -> None:
    real = read_json(shared_data / "pdfs" / "ground_truth.json")
    ours = read_json(small_journal[0] / "pdfs" / "ground_truth.json")
    assert set(real) <= set(ours)
    real_doc_keys = set.intersection(*(set(d) for d in real["documents"]))
    real_fig_keys = set.intersection(*(set(f) for d in real["documents"] for f in d["figures"]))
    for doc in ours["documents"]:
        assert real_doc_keys <= set(doc)
        for fig in doc["figures"]:
            assert real_fig_keys <= set(fig)


def test_ground_truth_is_valid(small_journal) -> None:
    out, summary = small_journal
    gt = read_json(out / "pdfs" / "ground_truth.json")
    assert len(gt["documents"]) == summary.n_articles == 5
    for doc in gt["documents"]:
        assert DOC_KEYS <= set(doc)
        path = out / "pdfs" / doc["file"]
        assert path.stat().st_size == doc["bytes"]
        pdf = pdfium.PdfDocument(path)
        assert len(pdf) == doc["pages"] >= 2
        w, h = doc["page_size_pt"]
        labels = [f["label"] for f in doc["figures"]]
        assert labels == [f"Figure {i + 1}" for i in range(len(labels))] and 2 <= len(labels) <= 4
        for fig in doc["figures"]:
            assert FIG_KEYS <= set(fig)
            assert 1 <= fig["page"] <= doc["pages"]
            for box in (fig["bbox"], fig["caption_bbox"]):
                assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h
            assert fig["caption_bbox"][1] >= fig["bbox"][3]  # caption below the figure
            assert fig["caption_start"] == re.sub(r"\s+", " ", fig["caption"])[:80]
            assert fig["n_panels"] == len(fig["panels"]) and fig["compound"] == (
                fig["n_panels"] > 1
            )
            assert fig["figure_type"] in {"imaging", "chart", "diagram", "table"}
            if fig["figure_type"] == "imaging":
                assert fig["labels"]["modality"] in {"mri", "ct", "angiography", "xray"}


def _image_boxes(page: pdfium.PdfPage) -> list[list[float]]:
    height = page.get_height()
    boxes = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        boxes.append([left, height - top, right, height - bottom])
    return boxes


def test_raster_panels_and_caption_text_are_where_ground_truth_says(small_journal) -> None:
    out, _ = small_journal
    gt = read_json(out / "pdfs" / "ground_truth.json")
    n_checked = 0
    for doc in gt["documents"]:
        pdf = pdfium.PdfDocument(out / "pdfs" / doc["file"])
        for fig in doc["figures"]:
            page = pdf[fig["page"] - 1]
            rasters = _image_boxes(page)
            for panel in fig["panels"]:  # every panel is one embedded raster at its box
                assert max(_iou(panel["bbox"], r) for r in rasters) > 0.95
            assert max(_iou(fig["bbox"], r) for r in rasters) > 0.1
            x0, y0, x1, y1 = fig["caption_bbox"]
            hgt = page.get_height()
            text = page.get_textpage().get_text_bounded(x0 - 1, hgt - y1 - 1, x1 + 1, hgt - y0 + 1)
            assert re.sub(r"\s+", " ", text).strip().startswith(fig["caption_start"][:60])
            n_checked += 1
    assert n_checked >= 10


def test_mixture_of_figure_kinds(small_journal) -> None:
    _, s = small_journal
    assert s.n_imaging_figures >= 0.5 * s.n_figures
    assert s.n_compound_figures >= 1 and s.n_panels > s.n_imaging_figures
    compound_panels = s.n_panels - (s.n_imaging_figures - s.n_compound_figures)
    assert s.n_pairs == s.n_figures + compound_panels  # whole figures + each compound panel


def test_splits_are_disjoint_and_classification_uses_other_articles(small_journal) -> None:
    out, _ = small_journal
    splits = read_json(out / "splits.json")
    pairs = splits["pairs"]
    all_ids = [a for ids in pairs.values() for a in ids]
    assert len(all_ids) == len(set(all_ids)) == 5 and pairs["val"] and pairs["test"]
    for task, task_splits in splits["classification"].items():
        cls_ids = [a for ids in task_splits.values() for a in ids]
        assert len(cls_ids) == len(set(cls_ids))
        assert not set(cls_ids) & set(all_ids)  # never the journal's (training) articles
        root = out / "classification" / task
        classes = read_json(root / "classes.json")
        for split, ids in task_splits.items():
            files = list((root / split).glob("*/*.png"))
            assert files and {f.name.rsplit("_", 1)[0] for f in files} <= set(ids)
            assert {f.parent.name for f in files} <= set(classes["classes"])
        assert all("{}" in t for t in classes["templates"])


def test_journal_json_records_config_and_version(small_journal) -> None:
    out, summary = small_journal
    meta = json.loads((out / "journal.json").read_text())
    assert meta["config"]["seed"] == 7 and meta["litclip_version"]
    assert meta["summary"]["n_pairs"] == summary.n_pairs


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path: Path) -> None:
    kw = {"n_articles": 2, "panel_px": 96, "classification": False}
    a = generate_journal(tmp_path / "a", seed=3, **kw)
    b = generate_journal(tmp_path / "b", seed=3, **kw)
    c = generate_journal(tmp_path / "c", seed=4, **kw)
    assert a.n_pairs == b.n_pairs
    gt = "pdfs/ground_truth.json"
    assert (tmp_path / "a" / gt).read_bytes() == (tmp_path / "b" / gt).read_bytes()
    for name in ("article_0001.pdf", "article_0002.pdf"):
        assert (tmp_path / "a/pdfs" / name).read_bytes() == (
            tmp_path / "b/pdfs" / name
        ).read_bytes()
        assert (tmp_path / "a/pdfs" / name).read_bytes() != (
            tmp_path / "c/pdfs" / name
        ).read_bytes()
    assert (tmp_path / "a" / gt).read_bytes() != (tmp_path / "c" / gt).read_bytes()
    del c


def test_rejects_zero_articles(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n_articles"):
        generate_journal(tmp_path, n_articles=0)
