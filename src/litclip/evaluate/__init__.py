"""Evaluation suite: one small module per task, each returning plain dicts; a runner on top.

Tasks: :mod:`~litclip.evaluate.zeroshot`, :mod:`~litclip.evaluate.calibration`,
:mod:`~litclip.evaluate.linear_probe`, :mod:`~litclip.evaluate.fewshot`,
:mod:`~litclip.evaluate.retrieval`, :mod:`~litclip.evaluate.cnn_baseline`,
:mod:`~litclip.evaluate.retention`, :mod:`~litclip.evaluate.contamination`.
Results follow ARCHITECTURE contract 4 (:mod:`~litclip.evaluate.results`) and reports are
rendered from them alone (:mod:`~litclip.evaluate.report`). Heavy dependencies (torch, timm,
matplotlib) are imported inside the functions that need them.
"""

from litclip.evaluate.report import render_report
from litclip.evaluate.results import make_run, merge_runs, read_results, write_results
from litclip.evaluate.runner import ALL_TASKS, DEFAULT_TASKS, EvalConfig, run_evaluation

__all__ = [
    "ALL_TASKS",
    "DEFAULT_TASKS",
    "EvalConfig",
    "make_run",
    "merge_runs",
    "read_results",
    "render_report",
    "run_evaluation",
    "write_results",
]
