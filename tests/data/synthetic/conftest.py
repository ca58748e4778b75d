"""A small synthetic journal shared by the generator tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from litclip.data.synthetic import JournalSummary, generate_journal


@pytest.fixture(scope="session")
def small_journal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, JournalSummary]:
    """Five articles plus tiny classification sets (seed 7)."""
    out = tmp_path_factory.mktemp("journal")
    summary = generate_journal(
        out,
        n_articles=5,
        seed=7,
        panel_px=160,
        classification_articles=4,
        classification_images_per_article=4,
        classification_px=96,
    )
    return out, summary
