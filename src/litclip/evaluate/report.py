"""HTML and markdown reports rendered from ``results.json`` alone.

Tables compare every model per dataset and task (metric with its 95% interval); plots are drawn
with matplotlib from the data stored in each run's ``details`` (ROC curves, reliability
diagrams, threshold-vs-F1 curves, few-shot curves, retrieval bars with chance, WiSE-FT sweeps)
and embedded as base64 PNG in the HTML (saved as PNG files beside the markdown).
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litclip.console import count
from litclip.evaluate.metrics import ECE_BINS
from litclip.io import atomic_write_bytes, atomic_write_text

FEW_TEST_IMAGES = 50  # test items under which numbers are read as a rough sign

CLS_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "f1",
    "precision",
    "sensitivity",
    "specificity",
    "auroc",
    "ece",
)
#: column titles of the metrics (results.json keeps the keys)
METRIC_NAMES = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro F1",
    "f1": "F1",
    "precision": "precision (PPV)",
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "auroc": "AUROC",
    "ece": "ECE",
}
TASK_ORDER = (
    "zeroshot",
    "calibration",
    "linear-probe",
    "few-shot",
    "few-shot-finetune",
    "coop",
    "cocoop",
    "biomedcoop",
    "cnn",
    "retrieval",
    "retention",
    "contamination",
)
CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1150px;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th,td:first-child{white-space:nowrap}th{background:#f0f3f7}
td:first-child,td:nth-child(2){text-align:left}.name{white-space:normal}.ci{color:#888;font-size:11px;display:block;white-space:nowrap}
img{max-width:100%;margin:.3em 0}h2{border-bottom:2px solid #dde;padding-top:.6em}
.note{color:#555;font-size:13px}"""


def _fmt(value: Any, ci: list[float] | None = None) -> tuple[str, str]:
    """(plain text, html) for a metric value with its interval."""
    if value is None:
        return "–", "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), str(value)
    text = f"{value:.3f}"
    if ci:
        return (
            f"{text} [{ci[0]:.3f}, {ci[1]:.3f}]",
            f"{text} <span class=ci>[{ci[0]:.3f}, {ci[1]:.3f}]</span>",
        )
    return text, text


class _Doc:
    """Builds HTML and markdown side by side; figures go inline (HTML) and to files (md)."""

    def __init__(self, md_dir: Path | None, stem: str) -> None:
        self.html: list[str] = []
        self.md: list[str] = []
        self.md_dir, self.stem, self.n_fig = md_dir, stem, 0

    def heading(self, text: str, level: int = 2) -> None:
        self.html.append(f"<h{level}>{html.escape(text)}</h{level}>")
        self.md.append(f"\n{'#' * level} {text}\n")

    def para(self, text: str) -> None:
        self.html.append(f"<p class=note>{html.escape(text)}</p>")
        self.md.append(f"{text}\n")

    def table(self, header: list[str], rows: list[list[tuple[str, str]]]) -> None:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{c[1]}</td>" for c in r) + "</tr>" for r in rows)
        self.html.append(f"<table><tr>{head}</tr>{body}</table>")
        self.md.append("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        self.md.extend("| " + " | ".join(c[0] for c in r) + " |" for r in rows)
        self.md.append("")

    def figure(
        self, draw: Callable[[Any], None], title: str, size: tuple[float, float] = (6, 4)
    ) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=size, dpi=120)
        draw(ax)
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        png = buf.getvalue()
        self.html.append(
            f'<img alt="{html.escape(title)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}">'
        )
        self.n_fig += 1
        if self.md_dir is not None:
            name = f"{self.stem}_fig{self.n_fig:02d}.png"
            atomic_write_bytes(self.md_dir / name, png)
            self.md.append(f"![{title}]({name})\n")


LEGEND_INSIDE = 4  # entries a legend may have inside the axes before it covers the data


def _legend(ax: Any) -> None:
    """A legend that does not cover the curves: inside the axes for a few entries, else in
    two columns under them, the figure made taller to hold it (eight curves of two models'
    prompt-learning methods hid the confidence bands)."""
    n = len(ax.get_legend_handles_labels()[1])
    if n <= LEGEND_INSIDE:
        ax.legend(fontsize=7)
        return
    rows = -(-n // 2)
    fig = ax.figure
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + 0.2 * rows + 0.2)
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)


def _short(key: str) -> str:
    return key.replace("_retrieval_recall", " R")


def _arrow(before: float | None, after: float | None) -> str:
    f = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    return f"{f(before)} → {f(after)}"


def _label(run: dict) -> str:
    return run["model"] + (f" ({run['variant']})" if run.get("variant") else "")


def _legend_name(run: dict) -> str:
    """A model as a plot's legend names it: its role (base, fine-tuned) with its folder's
    name, not a whole path in 7-point type."""
    name = run["model"]
    if "/" in name or os.sep in name:
        name = "/".join(Path(name).parts[-2:])
    role = run["details"].get("role")
    label = f"{role} ({name})" if role else name
    return label + (f" ({run['variant']})" if run.get("variant") else "")


def _by_dataset(runs: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in runs:
        groups[r["dataset"]].append(r)
    return groups


def _name_html(name: str, full: str | None = None) -> str:
    """A model's name for a table cell, breakable after each ``/``: an absolute model path
    kept on one line pushed the metrics table past the page's right edge. ``full``: the
    whole name, shown on hover when the cell gives a shorter one."""
    title = f' title="{html.escape(full)}"' if full and full != name else ""
    return f'<span class="name"{title}>{html.escape(name).replace("/", "/<wbr>")}</span>'


def _model_cell(run: dict, suffix: str = "") -> tuple[str, str]:
    """A run's model as a table cell: the whole name for the markdown (papers quote it),
    the legend's role and folder on the page (a path took five lines of each row)."""
    full = _label(run) + suffix
    return full, _name_html(_legend_name(run) + suffix, full)


ROLE_ORDER = {"base": 0, "fine-tuned": 1}  # tables list the base model before its fine-tuned one


def _role_order(run: dict) -> int:
    return ROLE_ORDER.get(run["details"].get("role"), len(ROLE_ORDER))


def _classification_table(doc: _Doc, runs: list[dict]) -> None:
    rows_runs = [r for r in runs if r["task"] in ("zeroshot", "calibration", "linear-probe", "cnn")]
    if not rows_runs:
        return
    keys = [k for k in CLS_METRICS if any(k in r["metrics"] for r in rows_runs)]
    rows_runs.sort(key=lambda r: (TASK_ORDER.index(r["task"]), _role_order(r), r["model"]))
    rows = [
        [
            (r["task"], html.escape(r["task"])),
            _model_cell(r),
            (str(r["n"]), str(r["n"])),
        ]
        + [_fmt(r["metrics"].get(k), r["ci95"].get(k)) for k in keys]
        for r in rows_runs
    ]
    counts = _test_counts(rows_runs)
    reference = _majority_row(counts, keys)
    if reference:
        rows.append(reference)
    doc.table(["task", "model", "n", *(METRIC_NAMES.get(k, k) for k in keys)], rows)
    _test_set_note(doc, counts, rows_runs)
    for r in rows_runs:
        flags = _classification_flags(r)
        if flags:
            doc.para(f"Warning ({r['task']}, {_legend_name(r)}): {'; '.join(flags)}.")
    _confusion_tables(doc, rows_runs)


def _classnames(run: dict, n: int) -> list[str]:
    """A run's ``n`` class names: its own, then "class i" for any it did not record."""
    names = list(run["details"].get("classnames") or [])[:n]
    return names + [f"class {i}" for i in range(len(names), n)]


def _test_counts(runs: list[dict]) -> tuple[list[str], list[int]] | None:
    """The test split's class names and counts (the confusion matrix's row sums)."""
    for r in runs:
        cm = r["details"].get("confusion_matrix")
        if cm:
            return _classnames(r, len(cm)), [int(sum(row)) for row in cm]
    return None


Counts = tuple[list[str], list[int]] | None  # what _test_counts gives


def _majority_row(counts: Counts, keys: list[str]) -> list[tuple[str, str]] | None:
    """The row of a rule that ignores the image and calls every item the commonest class:
    the level a model must beat (its accuracy is the prevalence; balanced accuracy 1/k)."""
    if counts is None or sum(counts[1]) == 0:
        return None
    names, n = counts
    top = max(range(len(n)), key=n.__getitem__)
    present = sum(1 for c in n if c)
    share = n[top] / sum(n)
    values = {
        "accuracy": share,
        "balanced_accuracy": 1 / present,
        # its own class's F1 is 2p/(1+p), every other class's 0 (averaged over those present)
        "macro_f1": 2 * share / (1 + share) / present,
        "auroc": 0.5,
    }
    if len(n) == 2:  # the commonest class called positive or negative for every item
        values.update(sensitivity=float(top == 1), specificity=float(top == 0))
        values.update(f1=2 * share / (1 + share) if top == 1 else 0.0)
        if top == 1:  # precision of a rule that calls nothing positive is undefined
            values.update(precision=share)
    name = f"always '{names[top]}'"
    return [
        ("reference", "<i>reference</i>"),
        (name, f"<i>{html.escape(name)}</i>"),
        (str(sum(n)), str(sum(n))),
    ] + [_fmt(values.get(k)) for k in keys]


def _test_set_note(doc: _Doc, counts: Counts, runs: list[dict]) -> None:
    if counts is None:
        return
    names, n = counts
    said = f"Test split: {sum(n)} items ({', '.join(f'{a} {c}' for a, c in zip(names, n, strict=True))})."
    if len(n) == 2:
        said += (
            f" F1, precision, sensitivity and specificity take '{names[1]}' as the positive class."
        )
    elif any("auroc" in r["metrics"] for r in runs):
        said += " AUROC is the macro average of the one-vs-rest AUROCs."
    said += (
        " The reference row is a rule that ignores the image (AUROC 0.5 for any such rule);"
        f" ECE uses {ECE_BINS} equal-width confidence bins."
    )
    doc.para(said)


def _confusion_tables(doc: _Doc, runs: list[dict]) -> None:
    """Each run's confusion matrix (rows: true class, columns: predicted), where the summary
    metrics alone hide which classes are told apart."""
    shown = [r for r in runs if len(r["details"].get("confusion_matrix") or []) >= 2]
    if not shown:
        return
    doc.para("Confusion matrices on the test split (rows: true class; columns: predicted class).")
    for r in shown:
        cm = r["details"]["confusion_matrix"]
        names = _classnames(r, len(cm))
        doc.para(f"Confusion matrix — {r['task']}: {_legend_name(r)}")
        doc.table(
            ["true ↓ predicted →", *names],
            [
                [(names[i], html.escape(names[i]))] + [(str(v), str(v)) for v in row]
                for i, row in enumerate(cm)
            ],
        )


NEARLY_CONSTANT = 0.9  # share of predictions in one class that makes a rule nearly constant


def _classification_flags(run: dict) -> list[str]:
    """What makes a row of the classification table misleading on its face: a constant rule
    (one class for every test item) and an AUROC clearly below chance."""
    m, d, flags = run["metrics"], run["details"], []
    cm = d.get("confusion_matrix")
    predicted = [sum(col) for col in zip(*cm, strict=True)] if cm else []
    present = sum(1 for row in cm or [] if sum(row))
    rates = (m.get("sensitivity"), m.get("specificity"))
    rates_text = (
        f" (sensitivity {rates[0]:.3f}, specificity {rates[1]:.3f})" if None not in rates else ""
    )
    names = _classnames(run, len(predicted))
    if predicted and present >= 2 and sum(1 for p in predicted if p) == 1:
        top = next(i for i, p in enumerate(predicted) if p)
        name = names[top]
        flags.append(f"every test item is predicted '{name}'{rates_text}: a constant rule")
    elif predicted and present >= 2:
        top = max(range(len(predicted)), key=predicted.__getitem__)
        called, truly = predicted[top] / sum(predicted), sum(cm[top]) / sum(predicted)
        if called >= NEARLY_CONSTANT and truly < NEARLY_CONSTANT - 0.15:
            flags.append(
                f"{called:.0%} of the test items are predicted '{names[top]}' ({truly:.0%} are): "
                "a nearly constant rule"
            )
    elif not cm and rates in ((1.0, 0.0), (0.0, 1.0)):
        flags.append(f"one class for every test item{rates_text}: a constant rule")
    auroc, ci = m.get("auroc"), run["ci95"].get("auroc")
    if auroc is not None and (ci[1] < 0.5 if ci else auroc < 0.4):
        flags.append(
            f"AUROC {_fmt(auroc, ci)[0]} is worse than chance — check the label order/prompts"
        )
    return flags


def _diagonal_plot(
    doc: _Doc,
    curves: list[dict],
    detail: str,
    xy: tuple[str, str],
    labels: tuple[str, str],
    score: Callable[[dict], str],
    title: str,
    **style: Any,
) -> None:
    """One curve per run from ``details[detail][x/y]`` against the dotted diagonal; the
    legend names each run with its ``score`` (e.g. "AUC 0.812")."""
    if not curves:
        return

    def draw(ax: Any) -> None:
        for r in sorted(curves, key=_role_order):  # the base model first, as in the tables
            d = r["details"][detail]
            label = f"{r['task']}: {_legend_name(r)} ({score(r)})"
            ax.plot(d[xy[0]], d[xy[1]], label=label, **style)
        ax.plot([0, 1], [0, 1], "k:", lw=0.8)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        _legend(ax)

    doc.figure(draw, title)


#: What each kind of stored ROC curve is, for the plot's title
ROC_AVERAGES = {
    "macro": "macro average of the one-vs-rest curves",
    "micro": "micro-average one-vs-rest",
}


def _roc_average(run: dict) -> str:
    """Which curve ``details["roc"]`` holds: binary, macro or micro (multi-class results
    written before the curve's average was stored hold the micro-average curve)."""
    d = run["details"]
    if d["roc"].get("average"):
        return d["roc"]["average"]
    binary = len(d.get("classnames") or d.get("confusion_matrix") or []) == 2
    return "binary" if binary or "sensitivity" in run["metrics"] else "micro"


def _roc_score(run: dict) -> str:
    """The legend's AUC: the area of the curve drawn, with the table's AUROC beside it when
    that is another average (or another curve)."""
    d, auroc = run["details"]["roc"], run["metrics"].get("auroc")
    fpr, tpr = d["fpr"], d["tpr"]
    area = sum((fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2 for i in range(len(fpr) - 1))
    average = _roc_average(run)
    # a long curve is stored thinned: its area then differs from the AUROC in the 4th digit
    if auroc is not None and average != "micro" and abs(area - auroc) < 0.002:
        return f"AUC {auroc:.3f}"
    if auroc is None:
        return f"AUC {area:.3f}"
    return f"{'micro ' * (average == 'micro')}AUC {area:.3f}; table {auroc:.3f}"


def _positive_class(runs: list[dict]) -> str | None:
    """The positive class (the second name) of the first binary run among ``runs``."""
    return next(
        (
            r["details"]["classnames"][1]
            for r in runs
            if len(r["details"].get("classnames") or []) == 2
        ),
        None,
    )


def _roc_plot(doc: _Doc, runs: list[dict], name: str) -> None:
    curves = [r for r in runs if r["details"].get("roc")]
    averages = sorted({_roc_average(r) for r in curves})
    described = []
    for average in averages:
        if average != "binary":
            described.append(ROC_AVERAGES.get(average, average))
            continue
        positive = _positive_class(curves)
        described.append(f"positive class '{positive}'" if positive else "class 1 positive")
    _diagonal_plot(
        doc,
        curves,
        "roc",
        ("fpr", "tpr"),
        ("false positive rate", "true positive rate"),
        _roc_score,
        f"ROC curves — {name} (test; {'; '.join(described)})",
    )
    if "micro" in averages:
        doc.para(
            "These results hold micro-average one-vs-rest ROC curves (written by an earlier "
            "litclip): the legend gives the area of each curve drawn ('micro AUC') and the "
            "table's AUROC ('table'), which is the macro average of the per-class AUROCs."
        )


def _reliability_plot(doc: _Doc, runs: list[dict], name: str) -> None:
    _diagonal_plot(
        doc,
        [r for r in runs if r["details"].get("reliability", {}).get("confidence")],
        "reliability",
        ("confidence", "accuracy"),
        ("confidence", "accuracy"),
        lambda r: f"ECE {r['metrics'].get('ece') or 0:.3f}",
        f"Reliability diagram — {name}",
        marker="o",
        ms=3,
    )


def _calibration_section(doc: _Doc, runs: list[dict], name: str) -> None:
    cal = sorted((r for r in runs if r["task"] == "calibration"), key=_role_order)
    if not cal:
        return
    keys = [
        k
        for k in ("f1", "accuracy", "balanced_accuracy", "macro_f1", "sensitivity", "specificity")
        if any(k in r["metrics"] for r in cal)
    ]
    rows = []
    for r in cal:
        before, d = r["details"].get("before", {}), r["details"]
        fitted = (
            f"threshold {d['threshold']:.4f} ({d.get('criterion')})"
            if "threshold" in d
            else f"T={d.get('temperature', float('nan')):.4g}"
        )
        rows.append(
            [_model_cell(r), (fitted, html.escape(fitted))]
            + [(_arrow(before.get(k), r["metrics"].get(k)),) * 2 for k in keys]
        )
    positive = _positive_class(cal)
    doc.para(
        "Calibration fitted on the validation split only; test metrics before → after."
        + (
            f" F1, sensitivity and specificity take '{positive}' as the positive class."
            if positive
            else ""
        )
        + (
            " A threshold moves the decision, not the probabilities: a thresholded run's ECE"
            " and AUROC are its zero-shot row's (its ECE is shown –)."
            if any("threshold" in r["details"] for r in cal)
            else ""
        )
    )
    doc.table(["model", "fitted on val", *(METRIC_NAMES.get(k, k) for k in keys)], rows)
    for r in cal:
        if r["details"].get("warning"):
            doc.para(f"Warning ({_legend_name(r)}): {r['details']['warning']}.")
    curves = [r for r in cal if r["details"].get("threshold_curve")]
    if curves:

        def draw(ax: Any) -> None:
            for r in curves:
                tc = r["details"]["threshold_curve"]
                (line,) = ax.plot(
                    tc["val"]["threshold"], tc["val"]["f1"], label=f"{_legend_name(r)} val"
                )
                ax.plot(
                    tc["test"]["threshold"],
                    tc["test"]["f1"],
                    "--",
                    color=line.get_color(),
                    label=f"{_legend_name(r)} test",
                )
                ax.axvline(r["details"]["threshold"], color=line.get_color(), lw=0.8, ls=":")
            ax.set_xlabel("threshold on p(positive)")
            ax.set_ylabel(f"F1 ({positive or 'positive class'})")
            _legend(ax)

        doc.figure(draw, f"Threshold vs F1 — {name} (dotted: chosen on val)")


PROMPT_TASKS = ("coop", "cocoop", "biomedcoop")


def _fewshot_section(doc: _Doc, runs: list[dict], name: str) -> None:
    # prompt learning (coop, cocoop, biomedcoop) shares the K-shot protocol: same table/curve
    few = [r for r in runs if r["task"].startswith("few-shot") or r["task"] in PROMPT_TASKS]
    if not few:
        return
    learned = any(r["task"] in PROMPT_TASKS for r in few)
    doc.heading(f"Few-shot{' and prompt learning' if learned else ''} (K images per class)", 3)
    metric = "balanced_accuracy"

    def method(r: dict) -> str:  # " [linear-probe]", " [coop]": the series' method tag
        return f" [{r['details'].get('method', r['task'])}]"

    series: dict[str, list[dict]] = defaultdict(list)  # keyed by the whole name (unique)
    for r in sorted(few, key=_role_order):  # the base model's rows and curves first
        series[r["model"] + method(r)].append(r)

    def shown(rs: list[dict]) -> str:  # a series as the legends and warnings name it: by role
        return _legend_name({**rs[0], "variant": None}) + method(rs[0])

    rows = []
    for rs in series.values():
        rs.sort(key=lambda r: r["details"]["k"])
        for r in rs:
            rows.append(
                [
                    _model_cell({**r, "variant": None}, method(r)),  # its markdown: the key
                    (str(r["details"]["k"]),) * 2,
                    (str(len(r["seeds"])),) * 2,
                ]
                + [
                    _fmt(r["metrics"].get(k), r["ci95"].get(k))
                    for k in ("accuracy", metric, "auroc")
                ]
            )
    doc.table(
        ["model [method]", "K", "seeds", *(METRIC_NAMES[k] for k in ("accuracy", metric, "auroc"))],
        rows,
    )
    doc.para(_fewshot_protocol(few, runs))
    for rs in series.values():
        for r in rs:
            constant = r["details"].get("constant_seeds")
            if constant:  # averaged into the curve like any other seed: say so
                seeds = ", ".join(str(s) for s in constant)
                doc.para(
                    f"Warning ({shown(rs)}, K={r['details']['k']}): seed{'s' * (len(constant) > 1)} "
                    f"{seeds} of {len(r['seeds'])} call every test item one class (a constant "
                    "rule, chosen on validation), averaged into the mean."
                )
    zs = {r["model"]: r for r in runs if r["task"] == "zeroshot"}

    def draw(ax: Any) -> None:
        drawn: set[str] = set()
        for rs in series.values():
            ks = [r["details"]["k"] for r in rs]
            mean = [r["metrics"].get(metric) for r in rs]
            lo = [r["ci95"].get(metric, [m, m])[0] for r, m in zip(rs, mean, strict=True)]
            hi = [r["ci95"].get(metric, [m, m])[1] for r, m in zip(rs, mean, strict=True)]
            line = _curve(ax, ks, mean, lo, hi, shown(rs))
            zero = zs.get(rs[0]["model"])
            level = zero["metrics"].get(metric) if zero else None
            if level is not None and zero["model"] not in drawn:  # one line per model
                drawn.add(zero["model"])
                ax.axhline(
                    level,
                    ls=":",
                    color=line.get_color(),
                    lw=1,
                    label=f"{_legend_name({**zero, 'variant': None})} zero-shot",
                )
        counts = _test_counts(runs)
        if counts is not None and sum(1 for c in counts[1] if c) > 1:
            ax.axhline(
                1 / sum(1 for c in counts[1] if c), color="k", ls="--", lw=0.8, label="chance"
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("shots per class (K)")
        ax.set_ylabel(f"{metric} (mean, 95% CI over seeds)")
        _legend(ax)

    doc.figure(draw, f"Few-shot learning curve — {name}")


PROMPT_INIT = "a photo of a"  # prompt_learning.DEFAULT_INIT (that module imports torch)
FEW_SEEDS = 10  # seeds under which a K-shot mean is a rough sign (papers draw many more)


def _fewshot_protocol(few: list[dict], runs: list[dict]) -> str:
    """How the K-shot numbers were made: the draws, what was chosen on which split, and the
    prompt learners' settings (with where they differ from the published ones)."""
    seeds = max(len(r.get("seeds") or []) for r in few)
    val = next((r["details"].get("split_sizes", {}).get("val") for r in few), None)
    said = (
        "K images per class are drawn from the train split, one draw per seed, the same draws "
        "for every method and model; the table gives the mean over seeds with a Student-t 95% "
        f"interval. The probe's C and the prompt learners' epoch are chosen on the whole "
        f"validation split{f' ({val} images)' if val else ''}, not on K-shot validation sets."
    )
    if seeds < FEW_SEEDS:
        said += (
            f" {count(seeds, 'seed')}: the published protocols average many more "
            "draws, so read the means as rough signs (more with --seeds)."
        )
    learned = [r for r in few if r["task"] in PROMPT_TASKS and r["details"].get("config")]
    for method in sorted({r["task"] for r in learned}):
        c = next(r["details"]["config"] for r in learned if r["task"] == method)
        # results written before the phrase was recorded say None for the default one
        phrase = c.get("ctx_init") or (None if method == "coop" else PROMPT_INIT)
        init = f"'{phrase}'" if phrase else f"random ({c.get('n_ctx')} tokens)"
        said += (
            f" {method}: {c.get('epochs')} epochs (published: 100; --prompt-epochs), SGD lr "
            f"{c.get('lr'):g}, "
            f"batch {c.get('batch_size')}, context initialised from {init}"
        )
        if method == "biomedcoop":
            said += (
                f", λ1 {c.get('lambda1'):g}, λ2 {c.get('lambda2'):g}, τ {c.get('tau'):g}; its "
                "class descriptions are the zero-shot prompts (the published method uses "
                "LLM-written descriptions)"
            )
        said += "."
    return said


def _curve(ax: Any, ks: list, mean: list, lo: list, hi: list, label: str) -> Any:
    """One model's mean over K with its 95% band; a single K (no band to draw) gets
    whiskers instead, so its interval shows. Returns the line (its colour is the series')."""
    (line,) = ax.plot(ks, mean, "o-", label=label)
    if len(ks) > 1:
        ax.fill_between(ks, lo, hi, alpha=0.2, color=line.get_color())
    elif None not in (mean[0], lo[0], hi[0]):  # (a run without the metric has none)
        below, above = [mean[0] - lo[0]], [hi[0] - mean[0]]
        ax.errorbar(ks, mean, yerr=[below, above], fmt="none", color=line.get_color(), capsize=4)
    return line


def _retrieval_section(doc: _Doc, runs: list[dict], name: str) -> None:
    ret = sorted((r for r in runs if r["task"] == "retrieval"), key=_role_order)
    if not ret:
        return
    doc.heading("Image-text retrieval", 3)
    keys = sorted(
        {k for r in ret for k in r["metrics"]},
        key=lambda k: (k.split("@")[0], int(k.split("@")[1])),
    )
    rows = [
        [
            _model_cell(r),
            (str(r["details"].get("n_images")),) * 2,
            (str(r["n"]),) * 2,
        ]
        + [_fmt(r["metrics"].get(k), r["ci95"].get(k)) for k in keys]
        for r in ret
    ]
    rows.append(
        [("chance", "<i>chance</i>"), ("", ""), ("", "")]
        + [_fmt(ret[0].get("chance", {}).get(k)) for k in keys]
    )
    units = {r["details"].get("ci_unit") for r in ret}
    articles = max((r["details"].get("n_articles") or 0 for r in ret), default=0)
    doc.para(
        "image R@K = CLIP_benchmark's image_retrieval_recall@K (caption -> image); "
        "text R@K = text_retrieval_recall@K (image -> any of its captions). "
        + (
            f"Intervals resample whole articles ({articles} in the test split): the pairs of "
            "one article (a figure and its panels) are no independent draws."
            if units == {"article"}
            else "Intervals resample the pairs one by one (the manifest names no articles, "
            "or too few): pairs of one article are not independent, so they are too narrow "
            "when an article gives several pairs."
            if units == {"pair"}
            else ""
        )
    )
    doc.table(["model", "images", "captions", *[_short(k) for k in keys]], rows)
    trivial = _trivial_recalls(ret, keys)
    if trivial:
        doc.para(
            f"{', '.join(trivial)}: any ranking scores 1.000 there (chance 1.000), so these "
            "columns say nothing about the models."
        )

    def draw(ax: Any) -> None:
        import numpy as np

        width = 0.8 / len(ret)
        x = np.arange(len(keys))
        for i, r in enumerate(ret):
            values = [r["metrics"].get(k) or 0 for k in keys]
            cis = [r["ci95"].get(k) or [v, v] for k, v in zip(keys, values, strict=True)]
            errors = [
                [max(0.0, v - c[0]) for v, c in zip(values, cis, strict=True)],
                [max(0.0, c[1] - v) for v, c in zip(values, cis, strict=True)],
            ]
            ax.bar(x + i * width, values, width, label=_legend_name(r), yerr=errors, capsize=2)
        chance = [ret[0].get("chance", {}).get(k, 0) for k in keys]
        ax.scatter(
            x + 0.4 - width / 2, chance, marker="_", s=400, color="k", label="chance", zorder=3
        )
        ax.set_xticks(
            x + 0.4 - width / 2, [k.replace("_retrieval_recall", " R") for k in keys], fontsize=7
        )
        ax.set_ylim(0, 1.05)  # room over a bar at 1.0 for the chance mark on it
        ax.set_ylabel("recall (bars: 95% interval)")
        _legend(ax)

    doc.figure(draw, f"Retrieval recall — {name} (image R@K = text→image)", (7, 4))


def _trivial_recalls(ret: list[dict], keys: list[str]) -> list[str]:
    """The recalls that are 1.0 by construction: K at least the test images (captions)."""
    out: list[str] = []
    for k in keys:
        kind, n_key = ("images", "n_images") if k.startswith("image_") else ("captions", "n_texts")
        at = int(k.split("@")[1])
        for r in ret:
            n = r["details"].get(n_key)
            note = f"{_short(k)} (K ≥ the {n} test {kind})"
            if isinstance(n, int) and at >= n and note not in out:
                out.append(note)
    return out


def _cnn_notes(doc: _Doc, runs: list[dict]) -> None:
    for r in (r for r in runs if r["task"] == "cnn"):
        d = r["details"]
        threshold = d.get("threshold")
        chosen = (
            f"threshold {_threshold(threshold)} (chosen on val by F1)"
            if isinstance(threshold, float)
            else "argmax rule"
        )
        argmax = d.get("before", {}).get("metrics", d.get("before", {}))
        plain = (
            f" With the argmax rule instead (as MedMNIST reports): accuracy "
            f"{argmax['accuracy']:.3f}"
            + (f", F1 {argmax['f1']:.3f}" if argmax.get("f1") is not None else "")
            + "."
            if isinstance(threshold, float) and argmax.get("accuracy") is not None
            else ""
        )
        c = d.get("config") or {}
        recipe = (
            f" Recipe: AdamW lr {c['lr']:g}, weight decay {c.get('weight_decay', 0):g}, one-cycle "
            f"schedule, batch {c.get('batch_size')}, augmentation {'on' if c.get('augment') else 'off'}"
            " (not the MedMNIST paper's Adam, 100 epochs, steps at 50 and 75)."
            if "lr" in c
            else ""
        )
        doc.para(
            f"{r['model']}: pretrained={str(d.get('pretrained')).lower()}, img_size={d.get('img_size')}, "
            f"best epoch {d.get('best_epoch')} of {len(d.get('history', []))} (chosen on val), "
            f"{chosen}, train {d.get('train_seconds')} s.{plain}{recipe}"
        )


def _spec_name(spec: str | None) -> str:
    """A dataset spec's name as its results are filed (a path is no column title)."""
    if not spec:
        return "-"
    from litclip.evaluate.datasets import dataset_name

    try:
        return dataset_name(spec)
    except Exception:  # a spec of another version: show it as it is
        return spec


def _threshold(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "argmax"


def _retention_section(doc: _Doc, runs: list[dict], name: str) -> None:
    ret = [r for r in runs if r["task"] == "retention"]
    if not ret:
        return
    doc.heading("General-knowledge retention (WiSE-FT sweep)", 3)
    rows = [
        [
            _model_cell(r),
            (f"{s['alpha']:.2f}",) * 2,
            _fmt(s.get("general")),
            _fmt(s.get("domain")),
        ]
        for r in ret
        for s in r["details"]["sweep"]
    ]
    domains = sorted(
        {_spec_name(r["details"].get("domain_dataset")) for r in ret}  # a name, not a path
    )
    doc.table(
        ["model", "alpha", f"{name} zero-shot acc", f"{', '.join(domains)} zero-shot acc"],
        rows,
    )
    for r in ret:
        m = r["metrics"]
        chosen = (
            f"alpha {m['best_alpha_val']:.2f} is best on validation ({name} + domain; "
            f"test accuracies there {_fmt(m['best_alpha_general_accuracy'])[0]} and "
            f"{_fmt(m['best_alpha_domain_accuracy'])[0]})"
            if "best_alpha_val" in m
            else r["details"].get("best_alpha", "")
        )
        doc.para(
            f"{_legend_name(r)}: retention (fine-tuned / base {name} accuracy) "
            f"{_fmt(m.get('retention'))[0]}" + (f"; {chosen}." if chosen else ".")
        )

    def draw(ax: Any) -> None:
        for r in ret:
            sw = r["details"]["sweep"]
            ax.plot(
                [s["alpha"] for s in sw],
                [s["general"] for s in sw],
                "o-",
                label=f"{_legend_name(r)}: {name}",
            )
            if "domain" in sw[0]:
                ax.plot(
                    [s["alpha"] for s in sw],
                    [s["domain"] for s in sw],
                    "s--",
                    label=f"{_legend_name(r)}: {_spec_name(r['details'].get('domain_dataset'))}",
                )
        ax.set_xlabel("WiSE-FT alpha (0 = base, 1 = fine-tuned)")
        ax.set_ylabel("zero-shot accuracy")
        _legend(ax)

    doc.figure(draw, f"General-knowledge retention — {name}")


def _contamination_section(doc: _Doc, runs: list[dict]) -> None:
    con = [r for r in runs if r["task"] == "contamination"]
    if not con:
        return
    doc.heading(
        "Contamination (perceptual-hash near-duplicates of evaluation images in the corpus)"
    )
    rows = [
        [
            (r["dataset"], html.escape(r["dataset"])),
            (r["split"],) * 2,
            (str(r["n"]),) * 2,
            (str(int(r["metrics"]["n_contaminated"])),) * 2,
            _fmt(r["metrics"]["fraction_contaminated"]),
            (str(r["details"].get("excluded")),) * 2,
        ]
        for r in con
    ]
    doc.table(["dataset", "split", "n", "near-duplicates", "fraction", "excluded"], rows)
    listed = [(r, o) for r in con for o in r["details"].get("overlaps", [])][:50]
    if listed:
        doc.table(
            ["dataset", "split", "eval index", "corpus pair", "distance"],
            [
                [
                    (r["dataset"],) * 2,
                    (r["split"],) * 2,
                    (str(o["eval_index"]),) * 2,
                    (str(o["train_id"]), html.escape(str(o["train_id"]))),
                    (str(o["distance"]),) * 2,
                ]
                for r, o in listed
            ],
        )


def _header(doc: _Doc, results: dict) -> None:
    runs = results["runs"]
    roles = {r["model"]: r["details"]["role"] for r in runs if r["details"].get("role")}
    evaluated = {r["model"] for r in runs if r["task"] != "contamination"}  # not its corpus
    models = sorted(evaluated, key=lambda m: (m not in roles, roles.get(m, m)))
    named = [f"{roles[m]}: {m}" if m in roles else m for m in models]
    tasks = [t for t in TASK_ORDER if any(r["task"] == t for r in runs)]
    doc.heading("litclip evaluation report", 1)
    doc.para(
        f"litclip {results.get('litclip_version')} — {results.get('created')} — "
        f"{count(len(runs), 'run')}. Models: {'; '.join(named) or 'none (a contamination check)'}. "
        f"Tasks: {', '.join(tasks)}. {_protocol(results)}"
    )
    random = sorted({r["model"] for r in runs if r["details"].get("random_init")})
    if random:
        doc.para(
            f"Models with random weights (a bare architecture name, no pretrained weights): "
            f"{', '.join(random)}. Their numbers are those of an untrained network."
        )


FEW_SHOT_TASKS = ("few-shot", "few-shot-finetune", *PROMPT_TASKS)


def _protocol(results: dict) -> str:
    """How the numbers were made, as the runs say: what was fitted where, and what the
    intervals are (resamples, unit, seed)."""
    runs, config = results["runs"], results.get("config") or {}
    scored = [r for r in runs if r["task"] != "contamination"]
    if not scored:
        return ""
    said = (
        "Nothing was tuned on test: thresholds, temperatures, C and epochs are chosen on "
        "validation."
    )
    n_boot, seed = config.get("n_boot"), config.get("seed")
    if any(r.get("ci95") for r in scored if r["task"] not in FEW_SHOT_TASKS):
        how = [f"{n_boot} resamples"] if n_boot else []
        how += [f"seed {seed}"] if seed is not None else []
        said += (
            " Intervals are 95% percentile bootstrap intervals"
            + (f" ({', '.join(how)})" if how else "")
            + " of the test items, the probe, threshold or temperature held fixed"
            + (
                "; retrieval resamples whole articles where the corpus names them"
                if any(r["details"].get("ci_unit") == "article" for r in runs)
                else ""
            )
            + "."
        )
    elif n_boot == 0:
        said += " No intervals were computed (--n-boot 0)."
    if any(r["task"] in FEW_SHOT_TASKS for r in runs):
        said += " Few-shot intervals are Student-t 95% intervals over the seeds."
    return said


def build_report(
    results: dict, md_dir: Path | None = None, stem: str = "report"
) -> tuple[str, str]:
    """(HTML, markdown) for a results document; figures for the markdown go to ``md_dir``."""
    doc = _Doc(md_dir, stem)
    _header(doc, results)
    for note in results.get("notes") or []:  # what the reader must know before any number
        doc.para(f"Note: {note}")
    runs = results["runs"]
    _contamination_section(doc, runs)
    for name, group in _by_dataset([r for r in runs if r["task"] != "contamination"]).items():
        doc.heading(f"Dataset: {name}")
        sizes = next(
            (r["details"].get("split_sizes") for r in group if r["details"].get("split_sizes")),
            None,
        )
        if sizes:
            order = {"train": 0, "val": 1, "test": 2}  # as a pipeline reads them
            ordered = sorted(sizes.items(), key=lambda kv: (order.get(kv[0], 3), kv[0]))
            doc.para("Split sizes: " + ", ".join(f"{k} {v}" for k, v in ordered))
        # as the run summary: a retrieval set counts its images, the others their test items
        n_test = min(r["details"].get("n_images") or r["n"] for r in group)
        if n_test < FEW_TEST_IMAGES:
            doc.para(
                f"Few test items ({n_test}, under {FEW_TEST_IMAGES}): read these numbers as a "
                "rough sign; the intervals show how wide."
            )
        _classification_table(doc, group)
        _cnn_notes(doc, group)
        _calibration_section(doc, group, name)
        # binary calibration moves the threshold, not the scores: its curves equal zero-shot's
        distinct = [r for r in group if r["task"] != "calibration" or "temperature" in r["details"]]
        _roc_plot(doc, distinct, name)
        _reliability_plot(doc, distinct, name)
        _fewshot_section(doc, group, name)
        _retrieval_section(doc, group, name)
        _retention_section(doc, group, name)
    # the last call's warnings (random weights have their line at the top already)
    warned = [w for w in results.get("warnings") or [] if " has random weights " not in w]
    if warned:
        doc.heading("Warnings")
        for s in warned:
            doc.para(s)
    if results.get("skipped"):
        doc.heading("Skipped")
        for s in results["skipped"]:
            doc.para(s)
    body = "\n".join(doc.html)
    page = (
        f"<!doctype html><html><head><meta charset=utf-8><title>litclip evaluation</title>"
        f"<style>{CSS}</style></head><body>{body}</body></html>\n"
    )
    return page, "\n".join(doc.md) + "\n"


def render_report(
    results: dict | str | os.PathLike[str],
    out_html: str | os.PathLike[str],
    out_md: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the HTML report (and markdown beside it) for a results document or file.

    Args:
        results: a results dict, or the path of ``results.json`` (or its directory).
        out_html: the HTML file to write.
        out_md: the markdown file (default: ``out_html`` with ``.md``); its PNGs go beside it.
    """
    from litclip.evaluate.results import read_results

    if not isinstance(results, dict):
        results = read_results(results)
    out_html = Path(out_html)
    out_md = Path(out_md) if out_md is not None else out_html.with_suffix(".md")
    out_md.parent.mkdir(parents=True, exist_ok=True)
    page, md = build_report(results, out_md.parent, out_md.stem)
    atomic_write_text(out_html, page)
    atomic_write_text(out_md, md)
    return out_html
