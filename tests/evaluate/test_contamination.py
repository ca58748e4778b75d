"""Perceptual-hash near-duplicates between a corpus manifest and an evaluation set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageEnhance

from litclip.evaluate import contamination


def _photo(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 255, (8, 8), dtype=np.uint8)
    return Image.fromarray(arr).resize((64, 64), Image.BICUBIC).convert("RGB")


def test_hamming_distances() -> None:
    a = np.array([0, 0xFF], dtype=np.uint64)
    b = np.array([1, 0xF0, 2**64 - 1], dtype=np.uint64)
    np.testing.assert_array_equal(contamination.hamming(a, b), [[1, 4, 64], [7, 4, 56]])


def test_near_duplicates_found_and_listed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "images").mkdir(parents=True)
    rows = []
    for i in range(6):
        _photo(i).save(corpus / "images" / f"{i}.png")
        rows.append({"pair_id": f"p{i}", "filepath": f"images/{i}.png", "caption": "x"})
    pd.DataFrame(rows).to_csv(corpus / "manifest.csv", index=False)
    hashes, ids = contamination.hash_manifest(corpus / "manifest.csv")
    assert ids == [f"p{i}" for i in range(6)]
    # evaluation set: a re-encoded, slightly brightened copy of corpus image 3, plus new images
    copy = ImageEnhance.Brightness(_photo(3).resize((48, 48))).enhance(1.05)
    eval_items = [(_photo(100), 0), (copy, 1), (_photo(101), 0)]
    res = contamination.evaluate(
        contamination.hash_dataset(eval_items), hashes, ids, max_distance=6
    )
    assert res["details"]["contaminated_indices"] == [1]
    assert res["details"]["overlaps"][0]["train_id"] == "p3"
    assert res["metrics"]["fraction_contaminated"] == 1 / 3


def test_manifest_phash_column_is_used(tmp_path: Path) -> None:
    h = contamination.phash_int(_photo(7))
    pd.DataFrame(
        [{"pair_id": "a", "filepath": "missing.png", "caption": "x", "phash": f"{h:016x}"}]
    ).to_csv(tmp_path / "m.csv", index=False)
    hashes, _ = contamination.hash_manifest(tmp_path / "m.csv")  # no image read: file is missing
    assert int(hashes[0]) == h


def test_only_the_pairs_training_reads_count_as_training_images(tmp_path: Path) -> None:
    """A corpus's own test and val pairs (and those that failed QC) were hashed as training
    images, so its held-out test split read 100% contaminated."""
    rows = [
        {"pair_id": pid, "filepath": "x.png", "caption": "x", "phash": f"{i:016x}"}
        | {"split": split, "qc_pass": ok}
        for i, (pid, split, ok) in enumerate(
            [
                ("tr", "train", True),
                ("bad", "train", False),
                ("va", "val", True),
                ("te", "Test", True),
            ]
        )
    ]
    pd.DataFrame(rows).to_parquet(tmp_path / "manifest.parquet")
    _, ids = contamination.hash_manifest(tmp_path / "manifest.parquet")
    assert ids == ["tr"]
