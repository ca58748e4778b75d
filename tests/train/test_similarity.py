"""SeLIP caption similarity: n-gram Dice, field overlap, MiniLM semantics and its cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from litclip.train.similarity import (
    CaptionEmbedder,
    SelipTargets,
    field_overlap,
    ngram_dice,
    normalize_caption,
)


def test_ngram_dice() -> None:
    sim = ngram_dice(["Axial MRI, left lobe.", "axial mri left lobe", "zzzz qqqq"])
    assert normalize_caption("Axial MRI, left lobe.") == "axial mri left lobe"
    assert sim[0, 1] == pytest.approx(1.0) and sim[0, 2] == 0.0
    np.testing.assert_allclose(sim, sim.T)


def test_field_overlap() -> None:
    fields = pd.DataFrame(
        {"location": ["frontal", "frontal", "parietal", None], "signal": ["T2", "T1", "T2", None]}
    )
    sim = field_overlap(fields)
    assert sim[0, 1] == 0.5 and sim[0, 2] == 0.5 and sim[3, 3] == 0.0 and sim[0, 0] == 1.0


def test_structured_fields_replace_ngrams() -> None:
    fields = pd.DataFrame({"location": ["frontal", "frontal", "parietal"]})
    t = SelipTargets(["x", "y", "z"], weight=1.0, threshold=0.5, fields=fields)
    torch.testing.assert_close(
        t.similarity([0, 1, 2]), torch.tensor([[1.0, 1, 0], [1, 1, 0], [0, 0, 1]])
    )


def test_minilm_targets_hard_for_dissimilar_soft_for_similar(tmp_path: Path) -> None:
    """The issue's test: soft targets differ from hard targets exactly where captions are similar."""
    dissimilar = [
        "Axial T2-weighted MRI shows a glioma in the left frontal lobe.",
        "Kaplan-Meier survival curves for both treatment groups.",
        "Flow chart of patient enrolment and exclusions.",
        "Chest radiograph with a right pleural effusion.",
    ]
    similar = dissimilar[:3] + ["Axial T2 weighted MRI showing a left frontal lobe glioma."]
    embed = CaptionEmbedder(cache_dir=tmp_path)
    hard = SelipTargets(dissimilar, weight=0.5, threshold=0.5, embed=embed)
    assert torch.equal(hard.targets(range(4)), torch.eye(4))
    soft = SelipTargets(similar, weight=0.5, threshold=0.5, embed=embed)
    p = soft.targets(range(4))
    differs = ~torch.isclose(p, torch.eye(4))
    assert differs[0, 3] and differs[3, 0]
    assert differs.sum() == 4  # rows 0 and 3 only: (0,0), (0,3), (3,3), (3,0)
    assert embed.computed == 5  # 4 + the one new caption; the rest came from the disk cache
    again = CaptionEmbedder(cache_dir=tmp_path)
    np.testing.assert_allclose(again(similar), embed(similar))
    assert again.computed == 0


def test_the_caption_cache_is_per_encoder_and_a_bad_encoder_is_said(tmp_path: Path) -> None:
    """Every encoder folder named 'model' shared one cache (MiniLM's folder is named so):
    another encoder, or one saved again, got MiniLM's vectors. A folder that is no encoder
    failed mid-run with a transformers traceback."""
    import shutil

    from litclip.errors import LitclipError
    from litclip.train.similarity import default_encoder_path

    other = tmp_path / "other" / Path(default_encoder_path()).name  # same folder name
    shutil.copytree(default_encoder_path(), other)
    first = CaptionEmbedder(cache_dir=tmp_path / "cache")
    first(["Axial T2 MRI of a glioma."])
    second = CaptionEmbedder(str(other), cache_dir=tmp_path / "cache")
    second(["Axial T2 MRI of a glioma."])
    assert second.computed == 1 and second.cache_path != first.cache_path
    with pytest.raises(LitclipError, match="is not a transformers model folder"):
        CaptionEmbedder(str(tmp_path), cache_dir=tmp_path / "cache")


def test_field_overlap_takes_list_columns() -> None:
    """selip_fields=[qc_reasons] or [bbox] crashed the run: 'unhashable type: list'."""
    fields = pd.DataFrame(
        {"reasons": [["blank"], ["blank"], [], None], "bbox": [[1, 2], [1, 2], [3, 4], [1, 2]]}
    )
    overlap = field_overlap(fields)
    assert overlap[0, 1] == 1.0 and overlap[0, 2] == 0.0 and overlap[0, 3] == 0.5
    assert overlap[3, 3] == 0.5  # a missing value agrees with nothing, itself included


def test_a_caption_whose_key_ends_in_a_zero_byte_is_found_in_the_cache(tmp_path: Path) -> None:
    """numpy's S16 keys lost their trailing zero bytes: 1 caption in 256 never hit the cache,
    was encoded again with each run's batch (floats differing, so runs did) and stored twice."""
    from litclip.train.similarity import _caption_key

    caption = next(f"caption {i}" for i in range(10_000) if _caption_key(f"caption {i}")[-1] == 0)
    first = CaptionEmbedder(cache_dir=tmp_path)
    first([caption, "another caption"])
    again = CaptionEmbedder(cache_dir=tmp_path)
    again([caption])
    assert again.computed == 0
    with np.load(next(tmp_path.glob("*.npz"))) as data:
        assert len(data["keys"]) == 2
