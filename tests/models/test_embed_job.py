"""``litclip embed`` end to end on a MedMNIST split (real file when ../shared is present)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from litclip.cli import main


def test_embed_medmnist_split(medmnist_dir, tmp_path) -> None:
    out = tmp_path / "emb"
    rc = main(
        [
            "embed",
            "--model",
            "litclip-micro",
            "--dataset",
            f"medmnist:{medmnist_dir / 'pneumoniamnist.npz'}",
            "--split",
            "val",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    emb = np.load(out / "image_embeddings.npy")
    meta = pd.read_parquet(out / "metadata.parquet")
    assert emb.shape == (524, 64) and len(meta) == 524
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert set(meta["classname"]) == {"normal", "pneumonia"}
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["config"]["model"] == "litclip-micro" and cfg["litclip_version"]


def test_embed_multilabel_npz(tmp_path) -> None:
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 4), ("val", 3), ("test", 5)):
        arrays[f"{split}_images"] = rng.integers(0, 255, (n, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = rng.integers(0, 2, (n, 14), dtype=np.uint8)
    path = tmp_path / "chestmnist.npz"
    np.savez(path, **arrays)
    out = tmp_path / "emb"
    assert (
        main(
            [
                "embed",
                "--model",
                "litclip-micro",
                "--dataset",
                f"medmnist:{path}",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    meta = pd.read_parquet(out / "metadata.parquet")
    assert len(meta) == 5 and len(meta["label"][0]) == 14


def test_embed_missing_dataset_is_a_clean_error(tmp_path, capsys) -> None:
    rc = main(
        [
            "embed",
            "--model",
            "litclip-micro",
            "--dataset",
            f"medmnist:{tmp_path / 'x.npz'}",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert rc == 2
    assert "x.npz" in capsys.readouterr().err


def test_embed_pairs_writes_text_embeddings(tmp_path) -> None:
    """Caption datasets get text embeddings too, in the file named (np.save renamed it)."""
    from tests.evaluate.conftest import make_pairs

    pairs_manifest = make_pairs(tmp_path / "corpus")
    out = tmp_path / "emb"
    argv = ["embed", "--model", "litclip-micro", "--dataset", f"pairs:{pairs_manifest}"]
    assert main([*argv, "--out", str(out)]) == 0
    text = np.load(out / "text_embeddings.npy")
    image = np.load(out / "image_embeddings.npy")
    assert text.shape == image.shape and len(text) == len(pd.read_parquet(out / "metadata.parquet"))
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp left
    meta = pd.read_parquet(out / "metadata.parquet")
    assert all(Path(p).is_file() for p in meta["filepath"])  # rows map back to their files
    folder = tmp_path / "folder"
    for cls in ("a", "b"):
        (folder / cls).mkdir(parents=True)
        for i, p in enumerate(meta["filepath"][:2]):
            shutil.copy(p, folder / cls / f"{i}.png")
    assert main([*argv[:3], "--dataset", f"folder:{folder}", "--out", str(out)]) == 0
    assert not (out / "text_embeddings.npy").exists()  # the pairs' captions are gone


def test_embed_refuses_a_dataset_with_nothing_readable(tmp_path, capsys) -> None:
    manifest = tmp_path / "pairs.csv"
    manifest.write_text("filepath,caption\nnowhere.png,a caption\n")
    argv = ["embed", "--model", "litclip-micro", "--dataset", f"pairs:{manifest}"]
    assert main([*argv, "--out", str(tmp_path / "emb")]) == 2
    assert "nothing to embed" in capsys.readouterr().err
