"""Extraction metrics with constructed predictions (numbers worked out by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from litclip.corpus.evaluate import (
    caption_matches,
    evaluate_corpus,
    evaluate_predictions,
    format_errors,
    format_table,
    iou,
    load_truth,
    normalise_caption,
)
from litclip.errors import LitclipError

TRUTH = {
    "documents": [
        {
            "file": "a.pdf",
            "figures": [
                {
                    "label": "Figure 1",
                    "page": 1,
                    "bbox": [0, 0, 100, 100],
                    "n_panels": 1,
                    "caption_start": "Figure 1. Mean and standard de- viation of the \ufb02ow at baseline and follow-up in all",
                },
                {
                    "label": "Figure 2",
                    "page": 2,
                    "bbox": [0, 0, 100, 100],
                    "n_panels": 3,
                    "caption_start": "Figure 2. Three panels.",
                },
            ],
        },
        {
            "file": "b.pdf",
            "figures": [
                {
                    "label": "Fig. 1",
                    "page": 1,
                    "bbox": [50, 50, 150, 150],
                    "n_panels": 2,
                    "caption_start": "Fig. 1. Two \u201cquoted\u201d panels.",
                },
            ],
        },
    ]
}


def whole(pdf: str, page: int, bbox: list[float], caption: str, pid: str, qc: bool = True) -> dict:
    return {
        "pair_id": pid,
        "pdf_name": pdf,
        "page": page,
        "bbox": bbox,
        "caption": caption,
        "figure_label": "Figure",
        "panel": None,
        "parent_id": None,
        "qc_pass": qc,
    }


def panel(parent: str, letter: str) -> dict:
    return {
        "pair_id": f"{parent}-{letter}",
        "pdf_name": "x",
        "page": 1,
        "bbox": [0, 0, 1, 1],
        "caption": "",
        "figure_label": "Figure",
        "panel": letter,
        "parent_id": parent,
    }


def test_iou_and_normalisation() -> None:
    assert iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(1 / 3)
    assert iou([0, 0, 1, 1], [2, 2, 3, 3]) == 0.0
    assert normalise_caption("De- viation \u201cA\u201d \ufb02ow") == 'deviation"a"flow'
    # TeX's T1 ligature codes, as a text layer without a Unicode map reads them
    assert normalise_caption("strati\x1ced batch e\x1bect") == "stratifiedbatcheffect"
    assert caption_matches("Figure 2: different methods", "Figure 2: di\x1berent methods")
    assert caption_matches("Figure 2: Series \u2013 first", "Figure 2: Series \x15 first")
    # a font without a Unicode map: the extractor reads 0x91 as Windows-1252, a truth
    # taken by another tool may keep the control character
    assert caption_matches("Fig. 4: \u2018srun\u2019 steps", "Fig. 4: \x91srun\x92 steps")
    assert caption_matches(
        "Figure 1. Mean and standard deviation of the flow at baseline and follow-up.",
        TRUTH["documents"][0]["figures"][0]["caption_start"],
    )
    assert not caption_matches(
        "Figure 1. Median and standard deviation", "Figure 1. Mean and standard"
    )
    assert caption_matches(
        "Figure 2. Three panels. A, axial.", "Figure 2. Three panels."
    )  # short truth
    # a truth copied from a text layer that sets TeX's accents apart matches the composed text
    assert caption_matches(
        "Figura 2.1: Seção elástica", "Figura 2.1: Se\u00b8c\u02dcao el\u00b4astica"
    )
    assert not caption_matches("Figura 2.1: Secao elastica", "Figura 2.1: Seção elástica")


def test_hand_counted_metrics() -> None:
    preds = [
        # a.pdf p1: IoU 0.81 -> match, caption ok, no panel rows = 1 panel = truth 1
        whole(
            "a.pdf",
            1,
            [0, 0, 90, 90],
            "Figure 1. Mean and standard devi- ation of the flow at baseline and follow-up",
            "a1",
        ),
        # a.pdf p1: a second box on the same page: spurious
        whole("a.pdf", 1, [200, 200, 300, 300], "Figure 9. Noise", "a9"),
        # a.pdf p2: wrong page for nothing; IoU 0.25 with truth -> no match (missed + spurious)
        whole("a.pdf", 2, [50, 50, 150, 150], "Figure 2. Three panels.", "a2"),
        # b.pdf p1: exact box, caption with straight quotes, 2 panel rows = truth 2
        whole("/some/dir/b.pdf", 1, [50, 50, 150, 150], 'Fig. 1. Two "quoted" panels.', "b1"),
        panel("b1", "A"),
        panel("b1", "B"),
        # a PDF without ground truth is counted apart
        whole("c.pdf", 1, [0, 0, 10, 10], "Figure 1.", "c1"),
    ]
    m = evaluate_predictions(preds, TRUTH)
    assert (m["n_truth"], m["n_pred"], m["n_matched"]) == (3, 4, 2)
    assert m["figure_precision"] == pytest.approx(0.5)
    assert m["figure_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["caption_match"] == 1.0 and m["panel_accuracy"] == 1.0
    assert m["n_pred_unknown_pdf"] == 1
    assert m["per_pdf"]["a.pdf"]["figure_precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["per_pdf"]["b.pdf"]["figure_recall"] == 1.0
    kinds = sorted((e["pdf"], e["type"]) for e in m["errors"])
    assert kinds == [("a.pdf", "missed"), ("a.pdf", "spurious"), ("a.pdf", "spurious")]


def test_one_to_one_matching_and_panel_mismatch() -> None:
    # two predictions on one true figure: only one matches; the panel count is wrong (0 -> 1 != 2)
    preds = [
        whole("b.pdf", 1, [50, 50, 150, 150], "Fig. 1. x", "p"),
        whole("b.pdf", 1, [55, 55, 150, 150], "Fig. 1.", "q"),
    ]
    m = evaluate_predictions(preds, TRUTH)
    assert (
        m["per_pdf"]["b.pdf"]["n_matched"] == 1 and m["per_pdf"]["b.pdf"]["figure_precision"] == 0.5
    )
    assert m["panel_accuracy"] == 0.0 and m["caption_match"] == 0.0
    # the matched figure's disagreements are listed for reading, after the miss and the extra
    b = [e for e in m["errors"] if e["pdf"] == "b.pdf"]
    assert [(e["type"], e.get("pred"), e.get("truth")) for e in b] == [
        ("spurious", None, None),
        ("caption", "Fig. 1. x", "Fig. 1. Two \u201cquoted\u201d panels."),
        ("panels", 1, 2),
    ]
    listed = format_errors(m).splitlines()
    assert len(listed) == 2 + 3  # a.pdf's two misses, then b.pdf's three lines
    assert "panels    b.pdf p1 Fig. 1  got 1, truth 2" in listed
    assert listed[0].startswith("missed    a.pdf p1 Figure 1  box [0, 0, 100, 100]")
    assert (
        m["per_pdf"]["a.pdf"]["figure_recall"] == 0.0
        and m["per_pdf"]["a.pdf"]["figure_precision"] is None
    )


def test_only_qc_pass_filter() -> None:
    preds = [whole("b.pdf", 1, [50, 50, 150, 150], 'Fig. 1. Two "quoted" panels.', "b1", qc=False)]
    assert evaluate_predictions(preds, TRUTH)["n_matched"] == 1
    assert evaluate_predictions(preds, TRUTH, only_qc_pass=True)["n_matched"] == 0


def test_evaluate_corpus_reads_manifest_and_formats(tmp_path: Path) -> None:
    rows = [
        whole("b.pdf", 1, [50, 50, 150, 150], 'Fig. 1. Two "quoted" panels.', "b1"),
        panel("b1", "A"),
        panel("b1", "B"),
    ]
    pd.DataFrame(rows).to_parquet(tmp_path / "manifest.parquet")
    (tmp_path / "gt.json").write_text(json.dumps(TRUTH))
    m = evaluate_corpus(tmp_path, tmp_path / "gt.json")
    assert m["figure_precision"] == 1.0 and m["figure_recall"] == pytest.approx(1 / 3, abs=1e-4)
    table = format_table(m)
    assert "b.pdf" in table and "ALL" in table and "0.333" in table
    with pytest.raises(LitclipError, match="manifest.parquet"):
        evaluate_corpus(tmp_path / "nope", tmp_path / "gt.json")
    with pytest.raises(LitclipError, match="not found"):
        evaluate_corpus(tmp_path, tmp_path / "missing.json")


def test_pdfs_are_found_by_content_hash_and_absent_ones_left_out() -> None:
    """A renamed copy of a truth PDF is the same PDF; a truth PDF the corpus was not built
    from is not a miss."""
    truth = json.loads(json.dumps(TRUTH))
    truth["documents"][1]["sha256"] = "b" * 64
    renamed = whole("copy of b.pdf", 1, [50, 50, 150, 150], "Fig. 1. Two panels.", "q1")
    renamed["pdf_sha256"] = "b" * 64
    m = evaluate_predictions([renamed], truth, corpus_pdfs=[("copy of b.pdf", "b" * 64)])
    assert m["figure_recall"] == 1.0 and m["n_pdfs"] == 1 and m["n_pred_unknown_pdf"] == 0
    assert m["truth_pdfs_not_in_corpus"] == ["a.pdf"]
    everything = evaluate_predictions([renamed], truth)  # no corpus list: every truth PDF counts
    assert everything["figure_recall"] == pytest.approx(1 / 3, abs=1e-4)


def test_a_null_panel_count_is_not_scored() -> None:
    """Ground truth may leave a count it could not judge (plots sharing axes) as null."""
    truth = json.loads(json.dumps(TRUTH))
    truth["documents"][1]["figures"][0]["n_panels"] = None
    preds = [whole("a.pdf", 1, [0, 0, 100, 100], "Figure 1.", "a1")]
    preds += [whole("b.pdf", 1, [50, 50, 150, 150], "Fig. 1.", "b1")]
    m = evaluate_predictions(preds, truth)
    assert m["n_matched"] == 2 and m["n_panel_counted"] == 1 and m["panel_accuracy"] == 1.0
    assert m["per_pdf"]["b.pdf"]["panel_accuracy"] is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bbox", [0, 0, 100], "bbox"),
        ("page", 0, "page"),
        ("n_panels", 0, "n_panels"),
        ("caption_start", 3, "caption_start"),
    ],
)
def test_malformed_truth_is_refused_naming_the_figure(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    truth = json.loads(json.dumps(TRUTH))
    truth["documents"][0]["figures"][1][field] = value
    (tmp_path / "gt.json").write_text(json.dumps(truth))
    pd.DataFrame([whole("a.pdf", 1, [0, 0, 100, 100], "x", "a1")]).to_parquet(
        tmp_path / "manifest.parquet"
    )
    with pytest.raises(LitclipError, match=rf"document 1 \(a.pdf\), figure 2: '{message}'"):
        evaluate_corpus(tmp_path, tmp_path / "gt.json")


def test_the_unseen_boxes_truth_is_in_the_ground_truth_format() -> None:
    """benchmarks/data/unseen_boxes.json (hand-boxed rounds) reads as ground truth, each PDF
    once, each with the package and member it is fetched from."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "unseen_boxes.json"
    docs = load_truth(path)["documents"]
    names = [d["file"] for d in docs]
    assert len(names) == len(set(names))
    assert all(d["source"]["spec"] and d["source"]["member"] for d in docs)
    assert all(f["label"] and f["caption_start"] for d in docs for f in d["figures"])


def test_a_truth_file_without_documents_is_refused(tmp_path: Path) -> None:
    """It scored 'ALL' as an empty table with exit 0."""
    for documents in ([], {}):
        (tmp_path / "gt.json").write_text(json.dumps({"documents": documents}))
        with pytest.raises(LitclipError, match="no documents"):
            load_truth(tmp_path / "gt.json")


def test_a_document_listed_twice_is_refused(tmp_path: Path) -> None:
    """Counted twice, it inflated every total; which copy is the truth is the user's call."""
    truth = json.loads(json.dumps(TRUTH))
    truth["documents"].append(truth["documents"][0])
    (tmp_path / "gt.json").write_text(json.dumps(truth))
    with pytest.raises(LitclipError, match="a.pdf is listed twice"):
        load_truth(tmp_path / "gt.json")


def test_truth_naming_a_folder_reads_its_ground_truth_json(tmp_path: Path) -> None:
    (tmp_path / "ground_truth.json").write_text(json.dumps(TRUTH))
    assert load_truth(tmp_path) == TRUTH
    (tmp_path / "other").mkdir()
    with pytest.raises(LitclipError, match="is a folder without a ground_truth.json"):
        load_truth(tmp_path / "other")


def test_a_document_without_its_figures_list_is_refused(tmp_path: Path) -> None:
    """A document whose 'figures' key was missing scored as a PDF without figures."""
    truth = json.loads(json.dumps(TRUTH))
    del truth["documents"][1]["figures"]
    (tmp_path / "gt.json").write_text(json.dumps(truth))
    with pytest.raises(LitclipError, match=r"document 2 \(b.pdf\): needs a 'figures' list"):
        load_truth(tmp_path / "gt.json")


def test_a_pdf_matched_by_name_with_another_hash_is_warned_of(tmp_path: Path) -> None:
    """Another journal's article_0001.pdf was scored against the truth's, without a word."""
    truth = json.loads(json.dumps(TRUTH))
    truth["documents"][1]["sha256"] = "b" * 64
    (tmp_path / "gt.json").write_text(json.dumps(truth))
    row = whole("b.pdf", 1, [50, 50, 150, 150], "Fig. 1. Two panels.", "b1")
    pd.DataFrame([{**row, "pdf_sha256": "c" * 64}]).to_parquet(tmp_path / "manifest.parquet")
    with pytest.warns(UserWarning, match=r"1 PDF\(s\) of the corpus share a name .* \(b.pdf\)"):
        m = evaluate_corpus(tmp_path, tmp_path / "gt.json")
    assert m["truth_pdfs_other_content"] == ["b.pdf"] and m["n_matched"] == 1
    pd.DataFrame([{**row, "pdf_sha256": "b" * 64}]).to_parquet(tmp_path / "manifest.parquet")
    assert evaluate_corpus(tmp_path, tmp_path / "gt.json")["truth_pdfs_other_content"] == []
    from litclip.io import sole_writer

    with sole_writer(tmp_path, "corpus build"), pytest.raises(LitclipError, match="still being"):
        evaluate_corpus(tmp_path, tmp_path / "gt.json")
