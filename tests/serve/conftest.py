"""Fixtures for the search service: a tiny seeded fake corpus and indexes built from it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

CAPTIONS = [
    "Axial CT of the chest showing a right upper lobe nodule",
    "Sagittal T1 MRI of a Chiari malformation with tonsillar herniation",
    "Bar chart of survival rates by treatment arm",
    "Histology slide with hematoxylin and eosin staining of liver tissue",
    "Coronal MRI of the knee with a meniscal tear",
    "Flow diagram of patient inclusion and exclusion",
    "Ultrasound of the thyroid gland with a hypoechoic nodule",
    "Chest radiograph with bilateral pleural effusions",
]


def make_corpus(
    root: Path, n: int = 8, seed: int = 0, start: int = 0, pdf_bytes: bytes | None = None
) -> Path:
    """Write a corpus dir (contract 1) with ``n`` random PNG crops; ids ``start..start+n-1``.

    Rows with an index divisible by 7 fail QC. When ``pdf_bytes`` is given, a PDF with that
    content is written to ``root/pdfs/paper.pdf`` and referenced by every row.
    """
    rng = np.random.default_rng(seed + start)
    (root / "images").mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(pdf_bytes or b"none").hexdigest()
    if pdf_bytes is not None:
        (root / "pdfs").mkdir(exist_ok=True)
        (root / "pdfs" / "paper.pdf").write_bytes(pdf_bytes)
    rows = []
    if (root / "manifest.parquet").is_file():
        rows = pd.read_parquet(root / "manifest.parquet").to_dict("records")
    for i in range(start, start + n):
        arr = rng.integers(0, 255, size=(24 + i % 5, 32, 3), dtype=np.uint8)
        rel = f"images/fig{i:03d}.png"
        Image.fromarray(arr, "RGB").save(root / rel)
        qc = i % 7 != 0 or i == 0
        rows.append(
            {
                "pair_id": f"{sha[:12]}-p{i // 3 + 1}-fig{i}",
                "filepath": rel,
                "caption": CAPTIONS[i % len(CAPTIONS)] + f" (case {i})",
                "figure_label": f"Figure {i + 1}",
                "panel": None if i % 2 else "A",
                "parent_id": None,
                "pdf_sha256": sha,
                "pdf_name": "paper.pdf",
                "page": i // 3 + 1,
                "bbox": [10.0, 20.0, 110.0, 220.0],
                "width": 32,
                "height": 24 + i % 5,
                "kind": "image",
                "qc_pass": qc,
                "qc_reasons": [] if qc else ["too_small"],
            }
        )
    pd.DataFrame(rows).to_parquet(root / "manifest.parquet", index=False)
    return root


@pytest.fixture(scope="session")
def micro_model():
    """The tiny random-init model, loaded once per session."""
    from litclip.models import load_model

    return load_model("litclip-micro")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, micro_model) -> Path:
    """A small flat index over a fake corpus (with its PDF), built once per session."""
    from litclip.serve.index import build_index

    root = tmp_path_factory.mktemp("serve")
    corpus = make_corpus(root / "corpus", n=12, pdf_bytes=b"%PDF-1.4\n% fake test pdf\n%%EOF\n")
    return build_index(micro_model, corpus, root / "index", pdf_dir=corpus / "pdfs", progress=False)


@pytest.fixture(scope="session")
def searcher(built_index: Path):
    """A Searcher over ``built_index`` with the model saved in it (checked against the probe)."""
    from litclip.serve.search import Searcher

    s = Searcher(built_index, batch_window_ms=2)
    yield s
    s.close()


@pytest.fixture(scope="session")
def api_token() -> str:
    return "test-token-4f9a"


@pytest.fixture
def corpus_factory():
    """:func:`make_corpus`, as a fixture (tests dirs are not packages)."""
    return make_corpus


def perturb(loaded, scale: float = 0.05, seed: int = 0) -> None:
    """Shift every weight of ``loaded`` by seeded noise: a different model, same architecture."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in loaded.model.parameters():
            p.add_(scale * torch.randn(p.shape, generator=gen, dtype=p.dtype))
