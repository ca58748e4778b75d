"""The report renders from results alone: every task type, several models, plots embedded."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

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
    assert (
        page.count('<span class="name">A</span>') >= 1
        and page.count('<span class="name">B</span>') >= 1
    )
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| task | model |" in md and (tmp_path / "rep" / "report_fig01.png").is_file()
    # the retention line printed Python pairs: "accuracy) ('0.750', '0.750')"
    assert "(fine-tuned / base general accuracy) 0.750." in md and "('" not in md


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


def _figures(monkeypatch: pytest.MonkeyPatch, results: dict) -> tuple[str, dict[str, Any]]:
    """The report's HTML and its figures as matplotlib axes, by title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from litclip.evaluate import report

    figures: dict[str, Any] = {}

    def figure(self: Any, draw: Any, title: str, size: tuple[float, float] = (6, 4)) -> None:
        _, ax = plt.subplots()
        draw(ax)
        figures[title] = ax
        self.html.append(f"<figure>{title}</figure>")

    monkeypatch.setattr(report._Doc, "figure", figure)
    page, _ = report.build_report(results)
    plt.close("all")
    return page, figures


def _roc_axes(figures: dict[str, Any]) -> tuple[str, Any]:
    return next((t, ax) for t, ax in figures.items() if t.startswith("ROC curves"))


def _legend_aucs(ax: Any) -> list[tuple[float, float]]:
    """(the AUC the legend names first, the area of the line it labels) per curve."""
    import re

    out = []
    for line in ax.get_lines():
        label = line.get_label()
        if label.startswith("_"):  # the chance diagonal
            continue
        shown = float(re.search(r"AUC[^0-9]*([0-9.]+)", label).group(1))
        out.append((shown, float(np.trapezoid(line.get_ydata(), line.get_xdata()))))
    return out


def _classifier(model: str, dataset: str, task: str, y: np.ndarray, probs: np.ndarray, **kw: Any):
    from litclip.evaluate.metrics import evaluate_predictions

    out = evaluate_predictions(y, probs, n_boot=kw.pop("n_boot", 0), **kw)
    return make_run(
        model, dataset, task, "test", out["metrics"], len(y), out["ci95"], [0], out["details"]
    )


def _multiclass(seed: int = 5, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    probs = rng.dirichlet(np.ones(4), n)
    probs[np.arange(n), y] += 0.25
    return y, probs / probs.sum(1, keepdims=True)


def test_roc_legend_names_the_area_of_the_drawn_multiclass_curve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Multi-class: the curve drawn is the macro average whose area is the table's AUROC."""
    y, probs = _multiclass()
    res = new_results({"models": ["A"], "tasks": ["zeroshot"]})
    res["runs"].append(_classifier("A", "four", "zeroshot", y, probs, classnames=list("abcd")))
    page, figures = _figures(monkeypatch, res)
    title, ax = _roc_axes(figures)
    ((shown, area),) = _legend_aucs(ax)
    assert f"{shown:.3f}" == f"{area:.3f}" == f"{res['runs'][0]['metrics']['auroc']:.3f}"
    assert f"{shown:.3f}" in page  # the table's AUROC
    assert "macro" in title and "micro" not in title


def test_an_older_micro_average_roc_is_labelled_with_its_own_area(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """results.json written before the macro curve holds a micro-average one: its legend
    gives the area drawn and says the table's AUROC is another (macro) average."""
    from sklearn.metrics import roc_curve

    y, probs = _multiclass(6)
    run = _classifier("A", "four", "zeroshot", y, probs, classnames=list("abcd"))
    fpr, tpr, _ = roc_curve((y[:, None] == np.arange(4)).ravel(), probs.ravel())
    run["details"]["roc"] = {"fpr": fpr.tolist(), "tpr": tpr.tolist()}  # no "average" key
    res = new_results({"models": ["A"], "tasks": ["zeroshot"]})
    res["runs"].append(run)
    page, figures = _figures(monkeypatch, res)
    title, ax = _roc_axes(figures)
    ((shown, area),) = _legend_aucs(ax)
    assert f"{shown:.3f}" == f"{area:.3f}" != f"{run['metrics']['auroc']:.3f}"
    label = next(line.get_label() for line in ax.get_lines())
    assert "micro AUC" in label and f"table {run['metrics']['auroc']:.3f}" in label
    assert "micro" in title and "macro average of the per-class AUROCs" in page


def test_a_binary_roc_is_titled_by_its_positive_class(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 60)
    p1 = np.clip(0.3 * y + 0.7 * rng.random(60), 0, 1)
    res = new_results({"models": ["A"], "tasks": ["zeroshot"]})
    res["runs"].append(
        _classifier("A", "ct", "zeroshot", y, np.stack([1 - p1, p1], 1), classnames=["no", "bleed"])
    )
    _, figures = _figures(monkeypatch, res)
    title, ax = _roc_axes(figures)
    assert "multi-class" not in title and "micro" not in title and "'bleed'" in title
    ((shown, area),) = _legend_aucs(ax)
    assert f"{shown:.3f}" == f"{area:.3f}" == f"{res['runs'][0]['metrics']['auroc']:.3f}"


def test_constant_rules_and_worse_than_chance_auroc_are_flagged_for_every_task() -> None:
    """Zero-shot and linear-probe rows, not only calibration: one class for every test item
    (binary: sensitivity 1/specificity 0; multi-class: one column of the confusion matrix),
    and an AUROC below 0.5 by more than its interval (or below 0.4 without one)."""
    from litclip.evaluate.report import build_report

    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 80)
    always = np.stack([np.full(80, 0.3), np.full(80, 0.7)], 1)
    always[:, 1] += 0.2 * (1 - y) - 0.1  # always "bleed", scores reversed: AUROC 0
    good = np.stack([0.8 - 0.6 * y, 0.2 + 0.6 * y], 1)
    y4, p4 = _multiclass(9, 80)
    one_class = p4.copy()
    one_class[:, 2] += 5
    one_class /= one_class.sum(1, keepdims=True)
    res = new_results({"models": ["A", "B"], "tasks": ["zeroshot", "linear-probe"]})
    res["runs"] += [
        _classifier("A", "ct", "zeroshot", y, always, n_boot=200, classnames=["no", "bleed"]),
        _classifier("B", "ct", "linear-probe", y, good, n_boot=200, classnames=["no", "bleed"]),
        _classifier("A", "four", "linear-probe", y4, one_class, classnames=list("abcd")),
        _classifier("B", "four", "zeroshot", y4, p4, classnames=list("abcd")),
    ]
    page, _ = build_report(res)
    ct, four = html.unescape(page).split("Dataset: four")
    assert "zeroshot, A" in ct and "constant rule" in ct and "'bleed'" in ct
    assert "worse than chance — check the label order/prompts" in ct
    assert "linear-probe, B" not in ct
    assert "linear-probe, A" in four and "constant rule" in four and "'c'" in four
    assert "zeroshot, B" not in four and "worse than chance" not in four

    lone = new_results({"models": ["A"], "tasks": ["zeroshot"]})
    lone["runs"].append(make_run("A", "x", "zeroshot", "test", {"auroc": 0.35}, 30))
    lone["runs"].append(make_run("B", "x", "zeroshot", "test", {"auroc": 0.45}, 30))
    page, _ = build_report(lone)
    assert "zeroshot, A" in page and "worse than chance" in page and "zeroshot, B" not in page


def test_trivial_recall_at_k_and_few_test_items_are_noted() -> None:
    """R@K with K >= the test images is 1.0 by construction; a small test set reads as a rough
    sign (the console's threshold); neither note for a large set."""
    from litclip.evaluate.report import build_report
    from litclip.workflow.summary import FEW_TEST_IMAGES

    def results(n: int) -> dict:
        res = new_results({"models": ["A"], "tasks": ["retrieval"]})
        rr = retrieval.evaluate(np.eye(n), np.eye(n), list(range(n)), ks=(1, 10), n_boot=0)
        res["runs"].append(
            make_run(
                "A",
                "pairs",
                "retrieval",
                "test",
                rr["metrics"],
                n,
                rr["ci95"],
                [0],
                {**rr["details"], "split_sizes": {"test": n}},
                chance=rr["details"]["chance"],
            )
        )
        return res

    page, _ = build_report(results(7))
    assert "R@10" in page and "K ≥ the 7 test images" in page
    assert "few test items (7" in page.lower() and "rough sign" in page
    page, _ = build_report(results(FEW_TEST_IMAGES))
    assert "K ≥" not in page and "rough sign" not in page


def test_a_long_legend_sits_under_the_axes_not_over_the_curves() -> None:
    """Eight few-shot curves (two models, three methods, zero-shot lines) had their legend
    drawn in the middle of the axes, over the lines and confidence bands."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from litclip.evaluate.report import LEGEND_INSIDE, _legend

    for n in (2, 8):
        fig, ax = plt.subplots(figsize=(6, 4))
        for i in range(n):
            ax.plot([1, 2, 4], [0.5 + i / 20] * 3, label=f"model{i} [coop]")
        _legend(ax)
        fig.tight_layout()
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        axes = ax.get_window_extent()
        if n <= LEGEND_INSIDE:
            assert axes.y0 <= legend.y0 and legend.y1 <= axes.y1  # inside: it fits there
        else:
            assert legend.y1 < axes.y0 and fig.get_size_inches()[1] > 4  # under, figure taller
        plt.close(fig)


def test_model_paths_in_tables_break_after_slashes() -> None:
    """An absolute model path on one line pushed the metrics table past the page's edge."""
    from litclip.evaluate.report import _name_html

    cell = _name_html("/runs/demo/train/best_model<1>")
    assert (
        cell == '<span class="name">/<wbr>runs/<wbr>demo/<wbr>train/<wbr>best_model&lt;1&gt;</span>'
    )


def test_multiclass_rows_show_their_confusion_matrix_and_a_nearly_constant_rule() -> None:
    """A zero-shot run calling 91% of the images 'mild' got no flag (only 100% did), and
    the report showed no confusion matrix of a 5-grade task, though results.json has them."""
    from litclip.evaluate.report import build_report

    y4, p4 = _multiclass(9, 80)
    mostly = p4.copy()
    mostly[:74, 1] += 5  # 74 of 80 called 'b', which about a quarter of them are
    mostly /= mostly.sum(1, keepdims=True)
    res = new_results({"models": ["A"], "tasks": ["zeroshot"]})
    res["runs"].append(_classifier("A", "four", "zeroshot", y4, mostly, classnames=list("abcd")))
    page = html.unescape(build_report(res)[0])
    share = (mostly.argmax(1) == 1).mean()
    assert f"{share:.0%} of the test items are predicted 'b'" in page
    assert "a nearly constant rule" in page and "Confusion matrix — zeroshot: A" in page
    cm = res["runs"][0]["details"]["confusion_matrix"]
    assert f"<td>{cm[1][1]}</td>" in page and "true ↓ predicted →" in page


def test_report_sections_are_titled_and_read_in_pipeline_order(tmp_path: Path) -> None:
    """Split sizes came alphabetically (test, train, val), the few-shot and retrieval tables
    had no title, the retrieval chart no y label, the CNN note a raw float threshold and the
    retention table a dataset path as a column title."""
    from litclip.evaluate.report import _spec_name, _threshold, build_report
    from litclip.evaluate.results import make_run, new_results

    results = new_results({})
    sizes = {"split_sizes": {"test": 3, "train": 5, "val": 2}}
    few = make_run("m", "d", "few-shot", "test", {"balanced_accuracy": 0.5}, 3, {}, [0],
                   {**sizes, "k": 1, "per_seed": []}, variant="k=1")  # fmt: skip
    results["runs"] = [few]
    page, md = build_report(results, tmp_path, "report")
    assert "Split sizes: train 5, val 2, test 3" in md
    assert "### Few-shot (K images per class)" in md
    assert _threshold(0.5777295231819153) == "0.578" and _threshold(None) == "argmax"
    assert _spec_name("medmnist:/a/b/pneumoniamnist.npz") == "pneumoniamnist"


def test_a_few_shot_curve_of_one_k_shows_its_interval() -> None:
    """A few-shot run at a single K drew one dot: its band needs two Ks. It gets whiskers
    spanning its 95% interval; a curve of several Ks keeps its band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from litclip.evaluate.report import _curve

    fig, ax = plt.subplots()
    _curve(ax, [4], [0.6], [0.5], [0.75], "m [linear-probe]")
    (bars,) = ax.containers
    (segment,) = bars.lines[2][0].get_segments()
    assert segment[0][1] == 0.5 and segment[1][1] == 0.75
    fig2, ax2 = plt.subplots()
    _curve(ax2, [1, 2, 4], [0.5, 0.6, 0.7], [0.4, 0.5, 0.6], [0.6, 0.7, 0.8], "m")
    assert not ax2.containers and len(ax2.collections) == 1  # the band
    plt.close(fig)
    plt.close(fig2)


def test_the_header_counts_one_run_in_the_singular() -> None:
    from litclip.evaluate.report import build_report

    res = new_results({"models": ["m"], "tasks": ["few-shot"]})
    res["runs"].append(
        make_run("m", "d", "few-shot", "test", {"accuracy": 0.6}, 30, {}, [0], {"k": 4})
    )
    assert "1 run. Models" in build_report(res)[0]


def test_a_classification_table_has_a_reference_row_and_names_its_test_set() -> None:
    """Zero-shot accuracies under the 0.625 of always calling 'pneumonia' read as results:
    the report gave no chance level, no class counts, raw metric keys and no positive class;
    binary runs had no confusion matrix; the interval header named no resamples."""
    from litclip.evaluate.report import build_report

    rng = np.random.default_rng(3)
    y = np.array([0] * 30 + [1] * 50)
    probs = np.column_stack([1 - (p := rng.uniform(size=80)), p])
    res = new_results({"n_boot": 200, "seed": 7})
    res["runs"].append(
        _classifier(
            "A", "chest", "zeroshot", y, probs, classnames=["normal", "pneumonia"], n_boot=200
        )
    )
    md = build_report(res)[1]
    # accuracy, balanced accuracy, macro F1, F1, precision, sensitivity, specificity, AUROC
    ref = "| reference | always 'pneumonia' | 80 | 0.625 | 0.500 | 0.385 | 0.769 | 0.625 | 1.000 |"
    assert ref + " 0.000 | 0.500 |" in md
    assert "Test split: 80 items (normal 30, pneumonia 50)." in md
    assert "take 'pneumonia' as the positive class" in md
    assert "| balanced accuracy | macro F1 | F1 | precision (PPV) |" in md
    assert "| true ↓ predicted → | normal | pneumonia |" in md
    assert "(200 resamples, seed 7) of the test items" in md
    assert "Student-t" not in md  # no few-shot run here


def test_retrieval_says_what_its_intervals_resample() -> None:
    from litclip.evaluate.report import build_report

    emb = np.eye(10)
    res = new_results({"n_boot": 50})
    for groups, model in ((None, "A"), ([i // 2 for i in range(10)], "B")):
        rr = retrieval.evaluate(emb, emb, list(range(10)), ks=(1,), n_boot=50, text_groups=groups)
        run = make_run(model, f"p{model}", "retrieval", "test", rr["metrics"], 10, rr["ci95"],
                       [0], rr["details"], chance=rr["details"]["chance"])  # fmt: skip
        res["runs"].append(run)
    md = build_report(res)[1]
    assert "Intervals resample whole articles (5 in the test split)" in md
    assert "Intervals resample the pairs one by one" in md
    assert "retrieval resamples whole articles where the corpus names them" in md


def test_a_contamination_corpus_is_no_model_and_legends_name_roles() -> None:
    """A contamination-only report listed its corpus under 'Models'; legends printed whole
    /tmp/... paths in 7-point type."""
    from litclip.evaluate.report import _legend_name, build_report

    res = _results()
    res["runs"] = [r for r in res["runs"] if r["task"] == "contamination"]
    page = build_report(res)[0]
    assert (
        "Models: none (a contamination check)" in page
        and "corpus:m.csv" not in page.split("Tasks")[0]
    )
    run = {"model": "/tmp/x/demo/train/best_model", "details": {"role": "fine-tuned"}}
    assert _legend_name(run) == "fine-tuned (train/best_model)"
    assert _legend_name({"model": "litclip-tiny", "details": {}}) == "litclip-tiny"


def test_a_thresholded_calibration_says_why_its_ece_is_blank() -> None:
    """Its ECE column showed '–' without a word (a threshold leaves the probabilities)."""
    from litclip.evaluate.report import build_report

    md = build_report(_results())[1]
    assert "a thresholded run's ECE and AUROC are its zero-shot row's" in md


def test_a_few_shot_table_says_how_its_draws_and_choices_were_made() -> None:
    """The report named no prompt-learning setting (10 epochs where the papers train 100),
    recorded ctx_init null for learners started from 'a photo of a', gave no chance level
    for K-shot results and no warning for 3 seeds; the reference row left F1 blank."""
    from litclip.evaluate.report import _fewshot_protocol

    config = {"epochs": 10, "lr": 0.0025, "batch_size": 4, "n_ctx": 4, "ctx_init": None}
    config |= {"lambda1": 1.0, "lambda2": 1.0, "tau": 1.5}
    few = [
        {"task": "biomedcoop", "seeds": [0, 1, 2],
         "details": {"config": config, "split_sizes": {"val": 524}}},
        {"task": "coop", "seeds": [0, 1, 2], "details": {"config": config}},
    ]  # fmt: skip
    said = _fewshot_protocol(few, few)
    assert "chosen on the whole validation split (524 images)" in said
    assert "3 seeds: the published protocols average many more draws" in said
    assert "biomedcoop: 10 epochs (published: 100; --prompt-epochs)" in said
    assert "context initialised from 'a photo of a'" in said  # the default, not 'random'
    assert "coop: 10 epochs" in said and "initialised from random (4 tokens)" in said
    assert "the zero-shot prompts (the published method uses LLM-written descriptions)" in said


def test_a_cnn_note_gives_the_argmax_numbers_and_its_recipe() -> None:
    """Its row uses an F1-chosen threshold while MedMNIST reports the argmax rule: the
    argmax numbers were only in results.json, and the training recipe nowhere."""
    from litclip.evaluate.report import build_report

    details = {"threshold": 0.37, "pretrained": False, "img_size": 28, "best_epoch": 2}
    details |= {"before": {"accuracy": 0.819, "f1": 0.872}, "train_seconds": 4.0}
    details |= {"config": {"lr": 0.002, "weight_decay": 0.05, "batch_size": 128, "augment": True}}
    res = new_results({})
    res["runs"].append(make_run("timm:resnet18", "p", "cnn", "test", {"accuracy": 0.798}, 624,
                                {}, [0], details))  # fmt: skip
    md = build_report(res)[1]
    assert "threshold 0.370 (chosen on val by F1)" in md
    assert "With the argmax rule instead (as MedMNIST reports): accuracy 0.819, F1 0.872." in md
    assert "Recipe: AdamW lr 0.002, weight decay 0.05, one-cycle schedule, batch 128" in md


def test_results_without_their_options_still_read_cleanly() -> None:
    """Results of an earlier litclip hold no n_boot or seed: no '()' in the header."""
    from litclip.evaluate.report import _protocol

    res = _results()
    res["config"] = {}
    said = _protocol(res)
    assert "bootstrap intervals of the test items" in said and "()" not in said


def test_tables_name_models_by_role_and_list_the_base_first() -> None:
    """The demo's tables printed /tmp/.../train/best_model over five lines of every row, and
    listed the fine-tuned model before its base (paths sort before names). The markdown,
    which papers quote, keeps the whole name; the page gives it on hover."""
    from litclip.evaluate.report import build_report

    res = _results()
    tuned = "/tmp/x/demo/train/best_model"
    for r in res["runs"]:
        if r["model"] == "A":
            r["model"], r["details"]["role"] = tuned, "fine-tuned"
        elif r["model"] == "B":
            r["details"]["role"] = "base"
    page, md = build_report(res)[:2]
    cell = f'<span class="name" title="{tuned}">fine-tuned (train/<wbr>best_model)</span>'
    assert cell in page and '<span class="name" title="B">base (B)</span>' in page
    table = page.split("Dataset: toy")[1]
    assert table.index("base (B)") < table.index("fine-tuned (train/<wbr>best_model)")
    assert f"| {tuned} |" in md
    # the notes under a table name it as the table does
    assert "Confusion matrix — zeroshot: fine-tuned (train/best_model)" in md
    assert f"Confusion matrix — zeroshot: {tuned}" not in md


def test_few_shot_legends_and_warnings_name_models_by_role(monkeypatch) -> None:
    """The few-shot curves' legends and constant-seed warnings still printed whole
    /tmp/... paths after the tables and the other plots had moved to roles; the few-shot
    table and the ROC legend listed the fine-tuned model before its base."""
    from litclip.evaluate import report

    res = _results()
    tuned = "/tmp/x/demo/train/best_model"
    for r in res["runs"]:
        if r["model"] == "A":
            r["model"], r["details"]["role"] = tuned, "fine-tuned"
        else:
            r["details"]["role"] = "base"
        if r["task"] == "few-shot" and r["details"]["k"] == 4:
            r["details"]["constant_seeds"] = [1]
    labels: list[str] = []
    real = report._legend
    monkeypatch.setattr(
        report, "_legend", lambda ax: (labels.extend(ax.get_legend_handles_labels()[1]), real(ax))
    )
    page, md = report.build_report(res)[:2]
    curves = [label for label in labels if "[linear-probe]" in label or "zero-shot" in label]
    assert "fine-tuned (train/best_model) [linear-probe]" in curves
    assert "fine-tuned (train/best_model) zero-shot" in curves
    assert curves.index("base (B) [linear-probe]") < curves.index(
        "fine-tuned (train/best_model) [linear-probe]"
    )  # the base model first, as in the tables
    assert not any(tuned in label for label in labels), [la for la in labels if tuned in la]
    roc = [label for label in labels if "(AUC" in label]
    assert roc[0].startswith("zeroshot: base (B)"), roc  # the base model first here too
    assert "Warning (fine-tuned (train/best_model) [linear-probe], K=4): seed 1" in md
    assert f"Warning ({tuned}" not in md
