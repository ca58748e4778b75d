"""Searcher correctness (real micro model saved with the index) and the micro-batcher."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from litclip.errors import LitclipError
from litclip.serve.search import MicroBatcher, Searcher
from tests.serve.conftest import perturb


def test_image_query_returns_itself_first(searcher: Searcher, built_index: Path) -> None:
    meta = searcher.files.metadata
    for row in (0, 5, 10):
        img = Image.open(built_index / meta["image_path"].iloc[row])
        hits = searcher.search_image(img, k=3)
        assert hits[0]["pair_id"] == meta["pair_id"].iloc[row]
        assert hits[0]["score"] == pytest.approx(1.0, abs=5e-3)
        assert [h["rank"] for h in hits] == [1, 2, 3]
        assert all(-1.0 <= h["score"] <= 1.0 for h in hits)  # a cosine (was 1.00001)


def test_caption_query_finds_its_figure(searcher: Searcher) -> None:
    meta = searcher.files.metadata
    for row in (1, 6):
        hits = searcher.search_text(meta["caption"].iloc[row], k=5, target="caption")
        assert hits[0]["pair_id"] == meta["pair_id"].iloc[row]
    hits = searcher.search_text("chest radiograph", k=4)
    assert len(hits) == 4
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert "image_path" not in hits[0] and "source_path" not in hits[0]  # no local paths leak


def test_similar_to_excludes_itself(searcher: Searcher) -> None:
    pid = searcher.files.metadata["pair_id"].iloc[2]
    hits = searcher.similar_to(pid, k=50)
    assert len(hits) == len(searcher) - 1
    assert pid not in {h["pair_id"] for h in hits}
    with pytest.raises(KeyError):
        searcher.similar_to("no-such-id")


def test_fake_encoders_and_file_safety(built_index: Path) -> None:
    """A deterministic fake embedding: query vector == stored vector of row 3."""
    s0 = Searcher(
        built_index, text_encoder=lambda t: np.zeros((len(t), 64)), image_encoder=lambda i: None
    )
    target = np.asarray(s0.files.text_vectors[3], np.float32)
    s0.close()
    s = Searcher(
        built_index,
        text_encoder=lambda texts: np.tile(target, (len(texts), 1)),
        image_encoder=lambda imgs: np.zeros((len(imgs), 64), np.float32),
    )
    try:
        assert (
            s.search_text("anything", k=1, target="caption")[0]["pair_id"]
            == s.files.metadata["pair_id"].iloc[3]
        )
        pid = s.files.metadata["pair_id"].iloc[0]
        assert s.image_file(pid) is not None and s.image_file(pid).is_relative_to(
            built_index.resolve()
        )
        s._records[0]["image_path"] = "../../../../etc/passwd"  # a tampered metadata row
        assert s.image_file(pid) is None
        assert s.image_file("unknown") is None
    finally:
        s.close()


def test_model_mismatch_is_detected(tmp_path: Path, corpus_factory) -> None:
    from litclip.models import load_model
    from litclip.serve.index import build_index

    corpus = corpus_factory(tmp_path / "c", n=3)
    model = load_model("litclip-micro")
    out = build_index(model, corpus, tmp_path / "i", progress=False)
    Searcher(out).close()  # the saved model reproduces the probe
    import shutil

    other = load_model("litclip-micro")
    perturb(other)  # the same architecture with other weights (built-ins load identically)
    from litclip.models import save_model

    shutil.rmtree(out / "model")
    save_model(other, out / "model")
    with pytest.raises(LitclipError, match="rebuild"):
        Searcher(out)


def test_micro_batcher_groups_concurrent_calls() -> None:
    seen: list[list[str]] = []

    def fn(items: list[str]) -> np.ndarray:
        seen.append(list(items))
        time.sleep(0.01)
        return np.array([[len(x)] for x in items])

    b = MicroBatcher(fn, max_batch=8, window_ms=50)
    results: dict[int, int] = {}

    def worker(i: int) -> None:
        results[i] = int(b("x" * i)[0])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(1, 21)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    b.close()
    assert results == {i: i for i in range(1, 21)}  # each caller gets its own row
    assert max(len(s) for s in seen) > 1 and len(seen) < 20  # calls were batched
    assert max(len(s) for s in seen) <= 8


def test_micro_batcher_propagates_errors() -> None:
    def boom(items):
        raise ValueError("bad batch")

    b = MicroBatcher(boom, window_ms=1)
    with pytest.raises(ValueError, match="bad batch"):
        b("q")
    b.close()
