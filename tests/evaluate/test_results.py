"""results.json: run records, merging by identity, read/write and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from litclip.errors import LitclipError
from litclip.evaluate.results import (
    RUN_KEYS,
    make_run,
    merge_files,
    merge_runs,
    new_results,
    read_results,
    write_results,
)


def test_run_record_contract() -> None:
    run = make_run(
        "m",
        "d",
        "retrieval",
        "all",
        {"image_retrieval_recall@1": 0.5, "x": float("nan")},
        10,
        chance={"image_retrieval_recall@1": 0.1},
    )
    assert set(RUN_KEYS) <= set(run)
    assert run["metrics"]["x"] is None  # NaN is not valid JSON
    assert run["chance"]["image_retrieval_recall@1"] == 0.1
    assert run["seeds"] == [0]


def test_merge_replaces_same_identity(tmp_path: Path) -> None:
    res = new_results({"a": 1})
    merge_runs(res, [make_run("m", "d", "zeroshot", "test", {"accuracy": 0.5}, 4)])
    merge_runs(
        res,
        [
            make_run("m", "d", "zeroshot", "test", {"accuracy": 0.7}, 4),
            make_run("m", "d", "few-shot", "test", {"accuracy": 0.6}, 4, variant="k=1"),
        ],
    )
    assert [r["metrics"]["accuracy"] for r in res["runs"]] == [0.7, 0.6]
    path = write_results(tmp_path, res)
    assert path.name == "results.json"
    back = read_results(tmp_path)
    assert back["config"] == {"a": 1} and len(back["runs"]) == 2
    other = tmp_path / "other.json"
    write_results(other, new_results())
    assert len(merge_files([path, other])["runs"]) == 2


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(LitclipError, match="not found"):
        read_results(tmp_path / "nope.json")
    (tmp_path / "x.json").write_text("[1, 2]")
    with pytest.raises(LitclipError, match="results file .* must hold a JSON object, not list"):
        read_results(tmp_path / "x.json")
    (tmp_path / "y.json").write_text('{"run": []}')
    with pytest.raises(LitclipError, match="not a litclip results file"):
        read_results(tmp_path / "y.json")
    (tmp_path / "cut.json").write_text('{"runs": [')
    with pytest.raises(LitclipError, match="not valid JSON"):
        read_results(tmp_path / "cut.json")
    (tmp_path / "hand.json").write_text('{"runs": [{"model": "x"}]}')
    with pytest.raises(LitclipError, match="run 0 lacks 'dataset', 'task', 'split'"):
        read_results(tmp_path / "hand.json")


def test_merging_one_model_spec_from_two_folders_keeps_both(tmp_path: Path) -> None:
    """`ft` in expA/res and `ft` in expB/res may be two models: neither may vanish."""
    for exp, acc in (("expA", 0.1), ("expB", 0.2)):
        doc = new_results()
        doc["runs"] = [make_run("ft", "retinamnist", "zeroshot", "test", {"accuracy": acc}, 5)]
        write_results(tmp_path / exp / "res", doc)
    a, b = tmp_path / "expA" / "res", tmp_path / "expB" / "res" / "results.json"
    merged = merge_files([a, b])
    assert {(r["model"], r["metrics"]["accuracy"]) for r in merged["runs"]} == {
        ("ft", 0.1),
        (f"ft [{b.parent}]", 0.2),
    }
    assert "has results in both" in merged["notes"][0]


def test_a_report_given_for_its_results_names_the_results_file(tmp_path: Path) -> None:
    """`litclip report r1/report.html` said the page "is not valid JSON: move it away"."""
    (tmp_path / "report.html").write_text("<html></html>")
    with pytest.raises(
        LitclipError, match=r"no results file: give .*results\.json \(or its folder\)"
    ):
        read_results(tmp_path / "report.html")
