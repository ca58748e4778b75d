"""Fixtures for the training tests: one intra-op thread and tiny seeded corpora in tmp dirs."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

COLORS = {
    "red": (230, 20, 20),
    "green": (20, 200, 40),
    "blue": (30, 40, 230),
    "yellow": (240, 230, 30),
    "purple": (140, 20, 160),
    "orange": (250, 140, 10),
    "black": (10, 10, 10),
    "white": (245, 245, 245),
}
SHAPES = ("top band", "bottom band", "left band", "right band")


def make_image(color: int, shape: int, rng: np.random.Generator, size: int = 32) -> Image.Image:
    """A colour field with a grey band; the caption names both (learnable by a tiny model)."""
    arr = np.empty((size, size, 3), np.float32)
    arr[:] = list(COLORS.values())[color]
    h = size // 4
    band = [np.s_[:h, :], np.s_[-h:, :], np.s_[:, :h], np.s_[:, -h:]][shape]
    arr[band] = 128
    arr += rng.normal(0, 8, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def make_pairs(n: int, seed: int = 0) -> list[tuple[str, Image.Image, str]]:
    """``(pair_id, image, caption)`` triples, seeded."""
    rng = np.random.default_rng(seed)
    out = []
    names = list(COLORS)
    for i in range(n):
        c, s = i % len(names), (i // len(names)) % len(SHAPES)
        out.append(
            (
                f"p{i:04d}",
                make_image(c, s, rng),
                f"a {names[c]} square with a {SHAPES[s]}, case {i}",
            )
        )
    return out


def write_corpus(root: Path, n: int, seed: int = 0, failing: tuple[int, ...] = ()) -> Path:
    """A corpus dir (contract 1 subset): images/ + manifest.parquet with qc_pass."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (pid, img, cap) in enumerate(make_pairs(n, seed)):
        img.save(root / "images" / f"{pid}.png")
        rows.append(
            {
                "pair_id": pid,
                "filepath": f"images/{pid}.png",
                "caption": cap,
                "qc_pass": i not in failing,
                "color": cap.split()[1],
            }
        )
    pd.DataFrame(rows).to_parquet(root / "manifest.parquet")
    return root


def write_shard(path: Path, n: int, seed: int = 0, splits: list[str] | None = None) -> Path:
    """A WebDataset tar with KEY.png + KEY.txt members (+ KEY.json naming ``splits[i]``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w") as tar:
        for i, (pid, img, cap) in enumerate(make_pairs(n, seed)):
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            members = [(f"{pid}.png", buf.getvalue()), (f"{pid}.txt", cap.encode())]
            if splits is not None:
                members.append((f"{pid}.json", json.dumps({"split": splits[i]}).encode()))
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> None:
    """One intra-op thread: on a shared 2-core box, 2 spinning threads per test run are far slower."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """34 pairs, two of which fail QC."""
    return write_corpus(tmp_path_factory.mktemp("corpus"), 34, failing=(5, 11))


@pytest.fixture(scope="session")
def val_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 held-out pairs."""
    return write_corpus(tmp_path_factory.mktemp("val"), 12, seed=1)


@pytest.fixture(scope="session")
def pair_factory():
    """``make_pairs(n, seed)`` -> ``[(pair_id, PIL image, caption)]``."""
    return make_pairs


@pytest.fixture(scope="session")
def shard_writer():
    """``write_shard(path, n, seed)`` -> a WebDataset tar."""
    return write_shard
