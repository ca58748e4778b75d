"""Labelled classification sets from the same phantom generator (ImageFolder layout).

Mirrors the CT classification task of CNS-CLIP: ``ct_hemorrhage`` (head CT: hemorrhage vs no
hemorrhage; the negatives include normal scans and hypodense lesions, so brightness, not
"any lesion", decides) and ``mri_lesion`` (lesion kind on MRI of any sequence and plane).

Images come from *classification-only* virtual articles (ids ``cls_<task>_0001`` ...) drawn from
their own seed stream, so they never share a case, a patient or an article with the journal
whose figure-caption pairs are used for training. Splits are by virtual article.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from litclip.data.synthetic.phantoms import render_scan, to_rgb
from litclip.data.synthetic.spec import MRI_SEQUENCES, Case, make_labels, sample_case
from litclip.io import atomic_path, atomic_write_json


@dataclass(frozen=True)
class ClassificationTask:
    """One classification task: class names, how to draw a case of a class, prompt templates."""

    name: str
    classes: tuple[str, ...]
    templates: tuple[str, ...]
    description: str


TASKS: dict[str, ClassificationTask] = {
    "ct_hemorrhage": ClassificationTask(
        "ct_hemorrhage",
        ("no_hemorrhage", "hemorrhage"),
        (
            "a head CT showing {}.",
            "a non-contrast CT scan of the brain with {}.",
            "axial CT of the head: {}.",
        ),
        "Non-contrast head CT: intracranial hemorrhage vs none (CNS-CLIP-style CT task).",
    ),
    "mri_lesion": ClassificationTask(
        "mri_lesion",
        ("glioma", "meningioma", "metastasis", "abscess"),
        (
            "a brain MRI showing {}.",
            "an MRI of the brain with a lesion consistent with {}.",
            "MR image of {}.",
        ),
        "Brain MRI (any sequence and plane): kind of the lesion shown.",
    ),
}

_CT_NEGATIVE = ("none", "none", "infarct", "glioma", "metastasis")


def _view_and_case(
    task: str, cls: str, rng: np.random.Generator
) -> tuple[Case, tuple[str, str | None, str]]:
    if task == "ct_hemorrhage":
        kind = "hemorrhage" if cls == "hemorrhage" else str(rng.choice(_CT_NEGATIVE))
        plane = "axial" if rng.random() < 0.8 else "coronal"
        return sample_case(rng, kind), ("ct", "brain_window", plane)
    seq = str(rng.choice(MRI_SEQUENCES))
    plane = str(rng.choice(["axial", "axial", "coronal", "sagittal"]))
    return sample_case(rng, cls), ("mri", seq, plane)


@dataclass(frozen=True)
class ClassificationSummary:
    """Counts written for one task."""

    task: str
    counts: dict[str, dict[str, int]]
    articles: dict[str, list[str]]


def split_ids(
    ids: list[str],
    rng: np.random.Generator,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
) -> dict[str, list[str]]:
    """Shuffle ``ids`` and cut them into train/val/test (val and test non-empty when possible)."""
    order = [ids[i] for i in rng.permutation(len(ids))]
    n = len(order)
    n_val = max(1, round(n * fractions[1])) if n >= 3 else 0
    n_test = max(1, round(n * fractions[2])) if n >= 3 else 0
    n_train = n - n_val - n_test
    return {
        "train": sorted(order[:n_train]),
        "val": sorted(order[n_train : n_train + n_val]),
        "test": sorted(order[n_train + n_val :]),
    }


def write_classification_task(
    out_dir: str | Path,
    task: str,
    seed: int,
    n_articles: int = 60,
    images_per_article: int = 8,
    size: int = 160,
    progress: Callable[[int], None] | None = None,
) -> ClassificationSummary:
    """Render one task as ``out_dir/<task>/{train,val,test}/<class>/*.png`` plus ``classes.json``.

    Args:
        out_dir: the ``classification`` directory.
        task: a key of :data:`TASKS`.
        seed: journal seed; the task uses its own derived stream.
        n_articles: number of classification-only virtual articles.
        images_per_article: images per virtual article (classes cycle, so sets are balanced).
        size: image width and height in pixels.
        progress: called with the number of images written after each article.

    Returns:
        Per-split per-class counts and the virtual article ids of each split.
    """
    spec = TASKS[task]
    root = Path(out_dir) / task
    ids = [f"cls_{task}_{i + 1:04d}" for i in range(n_articles)]
    task_index = list(TASKS).index(task)
    splits = split_ids(ids, np.random.default_rng([seed, 3, task_index]))
    split_of = {a: s for s, members in splits.items() for a in members}
    counts = {s: dict.fromkeys(spec.classes, 0) for s in splits}
    for i, art in enumerate(ids):
        rng = np.random.default_rng([seed, 4, task_index, i])
        for j in range(images_per_article):
            cls = spec.classes[(i * images_per_article + j) % len(spec.classes)]
            case, view = _view_and_case(task, cls, rng)
            img = to_rgb(render_scan(make_labels(case, *view), size, seed=case.seed + 7))
            path = root / split_of[art] / cls / f"{art}_{j:02d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                img.save(tmp, format="PNG", compress_level=1)  # speed over size
            counts[split_of[art]][cls] += 1
        if progress is not None:
            progress(images_per_article)
    atomic_write_json(
        root / "classes.json",
        {
            "task": task,
            "description": spec.description,
            "classes": list(spec.classes),
            "classnames": [c.replace("_", " ") for c in spec.classes],
            "templates": list(spec.templates),
            "counts": counts,
            "articles": splits,
        },
    )
    return ClassificationSummary(task, counts, splits)
