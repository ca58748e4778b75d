"""The report renders from results alone: every task type, several models, plots embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from litclip.evaluate import calibration, fewshot, linear_probe, retrieval, zeroshot
from litclip.evaluate.report import render_report
from litclip.evaluate.results import make_run, new_results, write_results


def _results() -> dict:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    x = np.eye(2, 4)[y] + rng.normal(0, 0.8, (80, 4))
    w = np.eye(2, 4, dtype=np.float32)
    res = new_results({"models": ["A", "B"], "tasks": ["zeroshot"]})
    for model in ("A", "B"):
        zs = zeroshot.evaluate(x[40:], y[40:], w, 10.0, n_boot=20)
        cal = calibration.evaluate(10 * x[:40] @ w.T, y[:40], 10 * x[40:] @ w.T, y[40:], n_boot=20)
        lp = linear_probe.evaluate(
            x[:30], y[:30], x[30:40], y[30:40], x[40:], y[40:], n_boot=20, refine=False
        )
        runs = [
            make_run(model, "toy", t, "test", r["metrics"], 40, r["ci95"], [0], r["details"])
            for t, r in (("zeroshot", zs), ("calibration", cal), ("linear-probe", lp))
        ]
        for r in fewshot.evaluate(
            x[:30], y[:30], x[30:40], y[30:40], x[40:], y[40:], ks=(1, 4), seeds=(0, 1)
        ):
            r["details"]["method"] = "linear-probe"
            runs.append(
                make_run(
                    model,
                    "toy",
                    "few-shot",
                    "test",
                    r["metrics"],
                    40,
                    r["ci95"],
                    r["seeds"],
                    r["details"],
                    variant=f"k={r['k']}",
                )
            )
        rr = retrieval.evaluate(np.eye(5), np.eye(5), list(range(5)), ks=(1, 5), n_boot=0)
        runs.append(
            make_run(
                model,
                "pairs",
                "retrieval",
                "all",
                rr["metrics"],
                5,
                rr["ci95"],
                [0],
                rr["details"],
                chance=rr["details"]["chance"],
            )
        )
        runs.append(
            make_run(
                model,
                "general",
                "retention",
                "test",
                {"base_accuracy": 0.8, "finetuned_accuracy": 0.6, "retention": 0.75},
                10,
                details={"sweep": [{"alpha": 0.0, "general": 0.8}, {"alpha": 1.0, "general": 0.6}]},
            )
        )
        res["runs"].extend(runs)
    res["runs"].append(
        make_run(
            "corpus:m.csv",
            "toy",
            "contamination",
            "test",
            {"n_contaminated": 1, "fraction_contaminated": 0.025},
            40,
            seeds=[],
            details={
                "overlaps": [{"eval_index": 3, "train_id": "pair-xyz", "distance": 2}],
                "excluded": False,
            },
        )
    )
    return res


def test_report_from_results_file_alone(tmp_path: Path) -> None:
    path = write_results(tmp_path / "results.json", _results())
    out = render_report(path, tmp_path / "rep" / "report.html")
    page = out.read_text()
    for text in (
        "Dataset: toy",
        "Threshold vs F1",
        "ROC curves",
        "Reliability diagram",
        "Few-shot learning curve",
        "Retrieval recall",
        "chance",
        "General-knowledge retention",
        "pair-xyz",
        "before → after",
    ):
        assert text in page, text
    assert page.count("data:image/png;base64,") >= 6
    assert page.count("<td>A</td>") >= 1 and page.count("<td>B</td>") >= 1
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| task | model |" in md and (tmp_path / "rep" / "report_fig01.png").is_file()


def test_report_out_names_a_folder_or_the_markdown(tmp_path: Path) -> None:
    from litclip.cli.evaluate import report_path
    from litclip.errors import LitclipError

    assert report_path(tmp_path) == tmp_path / "report.html"
    assert report_path(tmp_path / "rep_dir") == tmp_path / "rep_dir" / "report.html"
    assert report_path(tmp_path / "rep.md") == tmp_path / "rep.html"  # never HTML over .md
    assert report_path(tmp_path / "r.html") == tmp_path / "r.html"
    with pytest.raises(LitclipError, match="give an .html file"):
        report_path(tmp_path / "r.pdf")


def test_a_flattening_temperature_reads_as_a_warning(tmp_path: Path) -> None:
    """Multi-class calibration of a model without signal: T prints in 4 figures, not as
    'T=462817.487', and the constant-rule warning is shown under the table."""
    rng = np.random.default_rng(2)
    y = rng.choice(4, 400, p=[0.4, 0.2, 0.2, 0.2])
    noise = rng.normal(0, 3.0, (400, 4))
    cal = calibration.evaluate(noise[:300], y[:300], noise[300:], y[300:], n_boot=0)
    res = new_results({"models": ["A"], "tasks": ["calibration"]})
    res["runs"].append(
        make_run(
            "A", "toy4", "calibration", "test", cal["metrics"], 80, cal["ci95"], [0], cal["details"]
        )
    )
    page = render_report(write_results(tmp_path / "r.json", res), tmp_path / "r.html").read_text()
    t = cal["details"]["temperature"]
    assert f"T={t:.4g}" in page and f"T={t:.3f}" not in page
    assert "a (nearly) constant rule, the model" in page
