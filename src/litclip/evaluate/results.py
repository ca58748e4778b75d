"""``results.json`` (ARCHITECTURE contract 4): one flat list of self-describing runs.

``{"litclip_version", "created", "config", "runs": [{"model", "dataset", "task", "split",
"metrics", "ci95", "seeds", "n", "details"}]}``. Runs are identified by
``(model, dataset, task, split, variant)``; merging replaces a run with the same identity, so
re-running part of an evaluation updates the file instead of duplicating rows. ``skipped``,
``warnings`` and ``this_call`` (``{"tasks_run", "runs_made"}``) describe the last call only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from litclip import __version__
from litclip.io import atomic_write_json, now_iso, read_json_object

RESULTS_FILE = "results.json"
RUN_KEYS = ("model", "dataset", "task", "split", "metrics", "ci95", "seeds", "n", "details")


def make_run(
    model: str,
    dataset: str,
    task: str,
    split: str,
    metrics: dict[str, float],
    n: int,
    ci95: dict[str, list[float]] | None = None,
    seeds: list[int] | None = None,
    details: dict[str, Any] | None = None,
    chance: dict[str, float] | None = None,
    variant: str | None = None,
) -> dict[str, Any]:
    """One run record; ``chance`` (retrieval) and ``variant`` (e.g. ``k=4``) when given."""
    run: dict[str, Any] = {
        "model": model,
        "dataset": dataset,
        "task": task,
        "split": split,
        "metrics": {k: _num(v) for k, v in metrics.items()},
        "ci95": ci95 or {},
        "seeds": list(seeds or [0]),
        "n": int(n),
        "details": details or {},
    }
    if chance is not None:
        run["chance"] = chance
    if variant is not None:
        run["variant"] = variant
    return run


def _num(value: Any) -> float | None:
    value = float(value)
    return None if value != value else value  # NaN -> null (JSON has no NaN)


def run_id(run: dict[str, Any]) -> tuple[str, ...]:
    """The identity of a run inside a results file."""
    return (run["model"], run["dataset"], run["task"], run["split"], run.get("variant") or "")


def new_results(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """An empty results document."""
    return {
        "litclip_version": __version__,
        "created": now_iso(),
        "config": config or {},
        "runs": [],
    }


def merge_runs(results: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Add ``runs`` to ``results`` (in place), replacing runs with the same identity."""
    new_ids = {run_id(r) for r in runs}
    results["runs"] = [r for r in results["runs"] if run_id(r) not in new_ids] + list(runs)
    return results


def read_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a results file (a directory means ``DIR/results.json``)."""
    from litclip.errors import LitclipError

    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    if not path.is_file():
        raise LitclipError(
            f"results file not found: {path}. Run `litclip evaluate ... --out DIR` "
            "first, then pass DIR/results.json."
        )
    if path.suffix.lower() != ".json":  # report.html given for the results it was made from
        raise LitclipError(
            f"{path} is no results file: give {path.parent / RESULTS_FILE} (or its folder)"
        )
    advice = "move it away or fix it, then run again"
    data = read_json_object(path, advice, what="results file")
    if not isinstance(data.get("runs"), list):
        raise LitclipError(f"{path} is not a litclip results file (no 'runs' list).")
    for i, run in enumerate(data["runs"]):
        missing = [k for k in ("model", "dataset", "task", "split") if not _has(run, k)]
        problem = f" lacks {', '.join(repr(k) for k in missing)}" if missing else _bad_values(run)
        if problem:
            raise LitclipError(
                f"{path}: run {i}{problem}; move the file away or fix that run, then run again."
            )
        # null means none, as make_run writes it: no interval, no details
        run["ci95"] = {k: v for k, v in (run.get("ci95") or {}).items() if v is not None}
        run["details"] = run.get("details") or {}
    return data


def _has(run: Any, key: str) -> bool:
    return isinstance(run, dict) and isinstance(run.get(key), str)


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bad_values(run: dict[str, Any]) -> str:
    """What makes a run's numbers unreadable ('' when nothing): a report of a hand-edited
    file refuses it by name rather than leave out, or misprint, the number it was made for."""
    name = f" ({run['model']} {run['task']} on {run['dataset']}): "
    metrics = run.get("metrics")
    if not isinstance(metrics, dict):
        return name + "lacks 'metrics' (a mapping of metric names to numbers)"
    for key, value in metrics.items():
        if value is not None and not _is_num(value):
            return name + f"metric {key!r} is {value!r}, not a number"
    ci95 = run.get("ci95")
    if ci95 is not None and not isinstance(ci95, dict):
        return name + f"ci95 is {ci95!r}, not a mapping of metric names to [low, high]"
    for key, ci in (ci95 or {}).items():
        if ci is not None and not (
            isinstance(ci, list) and len(ci) == 2 and all(_is_num(v) for v in ci)
        ):
            return name + f"ci95 {key!r} is {ci!r}, not [low, high]"
    if not _is_num(run.get("n")):
        return name + "lacks 'n' (the number of evaluated items)"
    details = run.get("details")
    if details is not None and not isinstance(details, dict):
        return name + f"details is {details!r}, not a mapping"
    return ""


def write_results(path: str | os.PathLike[str], results: dict[str, Any]) -> Path:
    """Write ``results`` atomically (a directory means ``DIR/results.json``)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / RESULTS_FILE
    results["created"] = now_iso()
    atomic_write_json(path, results)
    return path


def merge_files(paths: list[str | os.PathLike[str]]) -> dict[str, Any]:
    """Merge several results files into one document.

    A run whose identity another file already holds is kept beside it, its model named
    ``"MODEL [FOLDER]"`` by its file's folder, and ``merged["notes"]`` says so: the same model
    spec in two files (a relative path like ``ft`` in two experiment folders) may be two
    different models, and one file's numbers must not silently replace the other's.
    """
    merged = new_results({"merged_from": [str(p) for p in paths]})
    merged["notes"] = []
    owner: dict[tuple[str, ...], str] = {}
    for p in paths:
        label = _source_label(Path(p))
        runs = read_results(p)["runs"]
        for run in runs:
            first = owner.get(run_id(run))
            if first is not None and first != label:
                note = (
                    f"model {run['model']!r} has results in both {first} and {label}; "
                    f"the second is shown as '{run['model']} [{label}]'"
                )
                run = dict(run, model=f"{run['model']} [{label}]")
                if note not in merged["notes"]:
                    merged["notes"].append(note)
            owner.setdefault(run_id(run), label)
            merge_runs(merged, [run])
    return merged


def _source_label(path: Path) -> str:
    """A results file named by its folder as given (``expB/res`` for ``expB/res/results.json``)."""
    if path.name == RESULTS_FILE:
        return str(path.parent)
    return str(path if path.is_dir() else path.with_suffix(""))
