"""The summary printed at the end of ``run``/``demo``: base vs fine-tuned, with chance levels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from litclip.console import count
from litclip.evaluate.report import FEW_TEST_IMAGES
from litclip.io import read_json

RETRIEVAL_ROWS = [
    ("text→image R@1", "image_retrieval_recall@1"),
    ("text→image R@5", "image_retrieval_recall@5"),
    ("text→image R@10", "image_retrieval_recall@10"),
    ("image→text R@1", "text_retrieval_recall@1"),
    ("image→text R@5", "text_retrieval_recall@5"),
    ("image→text R@10", "text_retrieval_recall@10"),
]
# (task, metric, label): what a reader wants first from each classification task.
CLASSIFICATION_ROWS = [
    ("zeroshot", "accuracy", "zero-shot accuracy"),
    ("zeroshot", "macro_f1", "zero-shot macro F1"),
    ("calibration", "accuracy", "calibrated zero-shot accuracy"),
    ("calibration", "macro_f1", "calibrated zero-shot macro F1"),
    ("linear-probe", "accuracy", "linear probe accuracy"),
    ("linear-probe", "auroc", "linear probe AUROC"),
]


def _index(runs: list[dict]) -> dict[tuple[str, str, str], dict]:
    """(model, task, dataset) -> run; tasks with variants (few-shot K) are left out here."""
    return {(r["model"], r["task"], r["dataset"]): r for r in runs if not r.get("variant")}


def headline(results_path: Path, base: str, finetuned: str) -> dict[str, Any]:
    """Pull the numbers the summary shows out of ``results.json``."""
    if not Path(results_path).is_file():
        return {}
    runs = read_json(results_path)["runs"]
    by = _index(runs)
    datasets = sorted({r["dataset"] for r in runs})
    out: dict[str, Any] = {"retrieval": {}, "classification": {}}
    for ds in datasets:
        b, f = by.get((base, "retrieval", ds)), by.get((finetuned, "retrieval", ds))
        if b or f:
            chance = (f or b).get("chance", {})
            out["retrieval"][ds] = {
                key: {
                    **_pair(b, f, key),
                    "chance": chance.get(key),
                }
                for _, key in RETRIEVAL_ROWS
            }
            out["retrieval"][ds]["n_images"] = (f or b).get("details", {}).get("n_images")
            out["retrieval"][ds]["n_articles"] = (f or b).get("details", {}).get("n_articles")
        rows = {}
        for task, metric, label in CLASSIFICATION_ROWS:
            b, f = by.get((base, task, ds)), by.get((finetuned, task, ds))
            if b or f:
                rows[label] = _pair(b, f, metric)
        if rows:
            out["classification"][ds] = rows
    checked = [r for r in runs if r["task"] == "contamination"]
    found = [
        f"{r['dataset']} {r['split']} {int(r['metrics']['n_contaminated'])}/{r['n']}"
        for r in checked
        if r["metrics"].get("n_contaminated")
    ]
    if found:
        out["contamination"] = [
            f"near-duplicates of training images: {', '.join(found)} (the report's "
            "contamination table lists them)"
        ]
    elif checked:  # a check that found none says so (silence read as "not checked")
        images = sum(int(r["n"]) for r in checked)
        out["contamination"] = [
            f"near-duplicates of training images: none in {count(images, 'evaluation image')} "
            f"of {count(len(checked), 'split')}"
        ]
    else:
        out["contamination"] = []
    return out


def _pair(base: dict | None, finetuned: dict | None, metric: str) -> dict[str, Any]:
    """A metric of the base and the fine-tuned run, with their 95% intervals."""
    out: dict[str, Any] = {}
    for name, run in (("base", base), ("finetuned", finetuned)):
        out[name] = (run or {}).get("metrics", {}).get(metric)
        out[f"{name}_ci95"] = (run or {}).get("ci95", {}).get(metric)
    return out


def _fmt(value: float | None, ci: list[float] | None = None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def learning_check(numbers: dict[str, Any]) -> list[str]:
    """One line per retrieval set: fine-tuned text→image R@1 vs chance and vs base."""
    lines = []
    for ds, rows in numbers.get("retrieval", {}).items():
        r1 = rows["image_retrieval_recall@1"]
        if r1["finetuned"] is None or not r1["chance"]:
            continue
        ratio = r1["finetuned"] / r1["chance"]
        n, ci = rows.get("n_images"), r1.get("finetuned_ci95")
        articles = rows.get("n_articles")
        size = (
            f" on {count(n, 'test image')}"
            + (f" of {count(articles, 'article')}" if articles else "")
            if n
            else ""
        )
        interval = f", 95% CI [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        few = " (few test images: read it as a rough sign)" if n and n < FEW_TEST_IMAGES else ""
        lines.append(
            f"{ds}: fine-tuned text→image R@1 = {r1['finetuned']:.3f} = {ratio:.1f}× chance "
            f"({r1['chance']:.3f}){size}{interval}; base model {_fmt(r1['base'])}{few}"
        )
    return lines


def print_summary(console: Console, summary: Any, timings: dict[str, float]) -> None:
    """Print the headline tables, the learning check, timings and where the report is."""
    numbers = summary.headline
    for ds, rows in numbers.get("retrieval", {}).items():
        table = Table(title=f"Retrieval on held-out articles ({ds})")
        for col in ("metric", "chance", "base", "fine-tuned"):
            table.add_column(col, justify="right" if col != "metric" else "left")
        for label, key in RETRIEVAL_ROWS:
            r = rows[key]
            table.add_row(
                label,
                _fmt(r["chance"]),
                _fmt(r["base"], r.get("base_ci95")),
                _fmt(r["finetuned"], r.get("finetuned_ci95")),
            )
        console.print(table)
    for ds, rows in numbers.get("classification", {}).items():
        table = Table(title=f"Classification: {ds} (test split)")
        for col in ("metric", "base", "fine-tuned"):
            table.add_column(col, justify="right" if col != "metric" else "left")
        for label, r in rows.items():
            table.add_row(
                label,
                _fmt(r["base"], r.get("base_ci95")),
                _fmt(r["finetuned"], r.get("finetuned_ci95")),
            )
        console.print(table)
    if numbers.get("retrieval") or numbers.get("classification"):
        console.print("[dim]brackets: 95% intervals (the report says how they were made)[/]")
    for line in learning_check(numbers):
        console.print(f"[bold]{line}[/]")
    for line in numbers.get("contamination", []):
        console.print(f"[yellow]{line}[/]")
    if summary.extraction:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in summary.extraction.items())
        console.print(f"extraction vs ground truth: {parts}")
    if timings:
        console.print("time per step: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    preview = summary.out_dir / "corpus" / "preview.html"
    if preview.is_file():
        console.print(f"corpus:  {preview}  (each figure, its caption and QC verdict)")
    console.print(f"model:   {summary.model_dir}")
    if summary.index_dir:
        console.print(
            f"index:   {summary.index_dir}  (search it: litclip serve {summary.index_dir})"
        )
    console.print(f"results: {summary.results}")
    console.print(f"[bold green]report:  {summary.report}[/]")
