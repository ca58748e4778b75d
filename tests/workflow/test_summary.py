"""The run's printed summary: base vs fine-tuned with their intervals and chance levels."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from litclip.workflow.summary import headline, print_summary


def _run(model: str, task: str, metrics: dict, ci: dict, details: dict | None = None) -> dict:
    run = {"model": model, "task": task, "dataset": "test", "metrics": metrics, "ci95": ci}
    return {**run, "details": details or {}, "chance": {"image_retrieval_recall@1": 0.1}}


def test_the_summary_gives_each_number_its_interval(tmp_path: Path) -> None:
    """'linear probe accuracy 0.722 | 0.833' read as a gain though the intervals overlap."""
    r1 = "image_retrieval_recall@1"
    details = {"n_images": 40, "n_articles": 8}
    runs = [
        _run("base", "retrieval", {r1: 0.1}, {r1: [0.05, 0.2]}, details),
        _run("ft", "retrieval", {r1: 0.3}, {r1: [0.2, 0.4]}, details),
        _run("base", "linear-probe", {"accuracy": 0.722}, {"accuracy": [0.611, 0.819]}),
        _run("ft", "linear-probe", {"accuracy": 0.833}, {"accuracy": [0.75, 0.917]}),
        {
            **_run("corpus:t.parquet", "contamination", {"n_contaminated": 4}, {}),
            "n": 72,
            "split": "test",
        },
    ]
    (tmp_path / "results.json").write_text(json.dumps({"runs": runs}))
    summary = SimpleNamespace(
        headline=headline(tmp_path / "results.json", "base", "ft"),
        extraction=None,
        out_dir=tmp_path,
        model_dir=tmp_path / "m",
        index_dir=None,
        results=tmp_path / "results.json",
        report=tmp_path / "report.html",
    )
    console = Console(file=io.StringIO(), width=200)
    print_summary(console, summary, {})
    printed = console.file.getvalue()
    assert "0.722 [0.611, 0.819]" in printed and "0.833 [0.750, 0.917]" in printed
    assert "0.300 [0.200, 0.400]" in printed
    assert "on 40 test images of 8 articles, 95% CI [0.200, 0.400]" in printed
    assert "brackets: 95% intervals" in printed
    assert "near-duplicates of training images: test test 4/72 (the report's" in printed


def test_a_contamination_check_that_found_none_says_so(tmp_path: Path) -> None:
    """With no near-duplicate the summary had no line at all, read as "not checked"."""
    runs = [
        {**_run("corpus:t.parquet", "contamination", {"n_contaminated": 0}, {}), "n": n}
        for n in (72, 1)
    ]
    (tmp_path / "results.json").write_text(json.dumps({"runs": runs}))
    lines = headline(tmp_path / "results.json", "base", "ft")["contamination"]
    assert lines == ["near-duplicates of training images: none in 73 evaluation images of 2 splits"]
