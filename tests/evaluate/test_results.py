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
    with pytest.raises(LitclipError, match="not a litclip results file"):
        read_results(tmp_path / "x.json")
