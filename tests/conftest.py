"""Shared test fixtures: offline guards and the path to ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _offline_env() -> None:
    """Tests never touch the network: force the Hugging Face stack offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a clear reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real data not available: {SHARED_DATA} is absent (needs ../shared beside the repo)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def medmnist_dir(shared_data: Path) -> Path:
    d = shared_data / "medmnist"
    if not (d / "pneumoniamnist.npz").is_file():
        pytest.skip(f"MedMNIST files not found under {d}")
    return d


@pytest.fixture(scope="session")
def real_pdfs_dir(shared_data: Path) -> Path:
    d = shared_data / "pdfs"
    if not (d / "ground_truth.json").is_file():
        pytest.skip(f"real PDFs with ground truth not found under {d}")
    return d
