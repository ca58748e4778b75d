"""Classification sets: ImageFolder layout, balance, determinism, split by virtual article."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from litclip.data.synthetic.classification import TASKS, split_ids, write_classification_task


def test_layout_counts_and_determinism(tmp_path: Path) -> None:
    a = write_classification_task(
        tmp_path / "a", "mri_lesion", seed=1, n_articles=6, images_per_article=4, size=64
    )
    b = write_classification_task(
        tmp_path / "b", "mri_lesion", seed=1, n_articles=6, images_per_article=4, size=64
    )
    assert a.counts == b.counts
    total = sum(sum(c.values()) for c in a.counts.values())
    assert total == 24
    per_class = {
        cls: sum(a.counts[s][cls] for s in a.counts) for cls in TASKS["mri_lesion"].classes
    }
    assert set(per_class.values()) == {6}  # classes cycle, so the set is balanced
    files_a = sorted((tmp_path / "a" / "mri_lesion").rglob("*.png"))
    assert len(files_a) == 24
    first = files_a[0].relative_to(tmp_path / "a")
    img_a, img_b = Image.open(files_a[0]), Image.open(tmp_path / "b" / first)
    assert img_a.mode == "RGB" and img_a.size == (64, 64)
    assert np.array_equal(np.asarray(img_a), np.asarray(img_b))


def test_ct_hemorrhage_positives_are_brighter(tmp_path: Path) -> None:
    write_classification_task(
        tmp_path, "ct_hemorrhage", seed=2, n_articles=4, images_per_article=6, size=96
    )
    root = tmp_path / "ct_hemorrhage"

    def bright_fraction(cls: str) -> float:
        vals = []
        for f in root.glob(f"*/{cls}/*.png"):
            arr = np.asarray(Image.open(f).convert("L")).astype(float)
            inner = arr[24:72, 24:72]  # inside the skull ring
            vals.append((inner > 190).mean())
        return float(np.mean(vals))

    assert bright_fraction("hemorrhage") > 3 * bright_fraction("no_hemorrhage") + 0.005


def test_split_ids_cover_all_once() -> None:
    ids = [f"x{i}" for i in range(20)]
    s = split_ids(ids, np.random.default_rng(0))
    assert sorted(s["train"] + s["val"] + s["test"]) == sorted(ids)
    assert (len(s["train"]), len(s["val"]), len(s["test"])) == (14, 3, 3)
