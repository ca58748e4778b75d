"""Fixtures for the training tests: one intra-op thread, tiny seeded corpora in tmp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from train_fixtures import write_corpus


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
