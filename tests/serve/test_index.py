"""Index build: files and metadata, QC filtering, FAISS choice, incremental and resumable updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import litclip.models
from litclip.errors import DatasetNotFoundError, LitclipError
from litclip.io import read_json
from litclip.serve.index import (
    IndexParams,
    build_faiss,
    build_index,
    default_nlist,
    load_index,
    resolve_index_type,
)
from tests.serve.conftest import perturb


def _count_embeds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many corpus images each ``encode_images`` call embeds (probe calls excluded)."""
    calls: list[int] = []
    real = litclip.models.encode_images

    def counting(lm, images, *args, **kwargs):
        if images and isinstance(images[0], str):
            calls.append(len(images))
        return real(lm, images, *args, **kwargs)

    monkeypatch.setattr(litclip.models, "encode_images", counting)
    return calls


def test_built_index_layout(built_index: Path) -> None:
    names = {p.name for p in built_index.iterdir()}
    assert {
        "index.json",
        "config.json",
        "metadata.parquet",
        "image_vectors.npy",
        "text_vectors.npy",
        "image.faiss",
        "caption.faiss",
        "images",
        "pdfs",
        "model",
    } <= names
    assert "pending" not in names  # chunks are cleaned once the build completes
    ix = load_index(built_index)
    # 12 rows, row 7 fails QC -> 11 indexed.
    assert ix.info["count"] == len(ix.metadata) == 11
    assert ix.image_vectors.dtype == np.float16 and ix.image_vectors.shape == (11, 64)
    assert ix.text_vectors.shape == (11, 64)
    norms = np.linalg.norm(ix.image_vectors.astype(np.float32), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=2e-3)
    for col in ("pair_id", "caption", "pdf", "page", "bbox", "image_path", "panel", "figure_label"):
        assert col in ix.metadata.columns
    assert ix.info["model_in_index"] and ix.info["model_source"] == "litclip-micro"
    assert ix.info["indexes"]["image"]["type"] == "flat"
    assert all((built_index / p).is_file() for p in ix.metadata["image_path"])
    assert all(p and (built_index / p).is_file() for p in ix.metadata["pdf_path"])
    assert read_json(built_index / "config.json")["config"]["index_type"] == "auto"


def test_include_failed_and_missing_corpus(tmp_path: Path, corpus_factory, micro_model) -> None:
    corpus = corpus_factory(tmp_path / "c", n=8)
    out = build_index(micro_model, corpus, tmp_path / "i", include_failed=True, progress=False)
    assert load_index(out).info["count"] == 8
    with pytest.raises(DatasetNotFoundError, match="manifest"):
        build_index(micro_model, tmp_path / "nope", tmp_path / "i2", progress=False)
    (corpus / "images" / "fig003.png").unlink()
    with pytest.raises(DatasetNotFoundError, match="missing"):
        build_index(micro_model, corpus, tmp_path / "i3", progress=False)


def test_incremental_update_embeds_only_new(
    tmp_path: Path, corpus_factory, micro_model, monkeypatch
) -> None:
    calls = _count_embeds(monkeypatch)
    corpus = corpus_factory(tmp_path / "c", n=6)
    out = build_index(micro_model, corpus, tmp_path / "i", progress=False)
    assert sum(calls) == 6
    before = load_index(out)
    old_vecs = np.array(before.image_vectors)
    corpus_factory(corpus, n=4, start=6)  # 4 new rows; row 7 fails QC -> 3 new
    calls.clear()
    build_index(micro_model, corpus, out, progress=False)
    assert sum(calls) == 3
    after = load_index(out)
    assert after.info["count"] == 9 and after.info["last_update"] == {
        "added": 3,
        "removed": 0,
        "kept": 6,
        "other_corpora": 0,
        "with_pdf": after.info["last_update"]["with_pdf"],
    }
    np.testing.assert_array_equal(np.array(after.image_vectors[:6]), old_vecs)  # old rows untouched
    calls.clear()
    stamp = (out / "image.faiss").stat().st_mtime_ns
    build_index(micro_model, corpus, out, progress=False)
    assert sum(calls) == 0  # nothing new: nothing embedded
    assert (out / "image.faiss").stat().st_mtime_ns == stamp  # nor re-indexed


def test_removed_rows_are_dropped(tmp_path: Path, corpus_factory, micro_model, monkeypatch) -> None:
    corpus = corpus_factory(tmp_path / "c", n=6)
    out = build_index(micro_model, corpus, tmp_path / "i", progress=False)
    df = pd.read_parquet(corpus / "manifest.parquet")
    gone = df["pair_id"].iloc[0]
    df.iloc[1:].to_parquet(corpus / "manifest.parquet", index=False)
    calls = _count_embeds(monkeypatch)
    build_index(micro_model, corpus, out, progress=False)
    ix = load_index(out)
    assert sum(calls) == 0 and gone not in set(ix.metadata["pair_id"])
    assert ix.info["count"] == 5 and ix.faiss["image"].ntotal == 5
    assert len(list((out / "images").iterdir())) == 5  # the dropped figure's image is removed


def test_a_moved_corpus_is_still_the_same_corpus(
    tmp_path: Path, corpus_factory, micro_model, monkeypatch
) -> None:
    """Renamed after indexing, then a figure dropped: its row leaves the index (the rows of
    the old path counted as another corpus and stayed forever)."""
    corpus = corpus_factory(tmp_path / "c", n=6)
    out = build_index(micro_model, corpus, tmp_path / "i", progress=False)
    moved = corpus.rename(tmp_path / "c_moved")
    df = pd.read_parquet(moved / "manifest.parquet")
    df.iloc[1:].to_parquet(moved / "manifest.parquet", index=False)
    calls = _count_embeds(monkeypatch)
    build_index(micro_model, moved, out, progress=False)
    ix = load_index(out)
    assert sum(calls) == 0 and ix.info["count"] == 5
    assert set(ix.metadata["corpus_dir"]) == {str(moved.resolve())}
    assert ix.info["corpora"] == [str(moved.resolve())]


def test_resume_after_crash_reuses_chunks(
    tmp_path: Path, corpus_factory, micro_model, monkeypatch
) -> None:
    corpus = corpus_factory(tmp_path / "c", n=6)
    calls = _count_embeds(monkeypatch)
    real_texts = litclip.models.encode_texts
    state = {"n": 0}

    def crashing(lm, texts, *args, **kwargs):
        if len(texts) > 1:  # corpus chunks (the probe is a single text)
            state["n"] += 1
            if state["n"] == 2:
                raise RuntimeError("simulated crash")
        return real_texts(lm, texts, *args, **kwargs)

    monkeypatch.setattr(litclip.models, "encode_texts", crashing)
    with pytest.raises(RuntimeError, match="simulated"):
        build_index(micro_model, corpus, tmp_path / "i", chunk_size=3, progress=False)
    assert len(list((tmp_path / "i" / "pending").glob("chunk-*.npz"))) == 1
    calls.clear()
    build_index(micro_model, corpus, tmp_path / "i", chunk_size=3, progress=False)
    assert sum(calls) == 3  # the first chunk came from disk
    assert load_index(tmp_path / "i").info["count"] == 6


def test_other_model_is_refused(tmp_path: Path, corpus_factory, micro_model) -> None:
    from litclip.models import load_model

    corpus = corpus_factory(tmp_path / "c", n=4)
    out = build_index(micro_model, corpus, tmp_path / "i", progress=False)
    other = load_model("litclip-micro")
    perturb(other)  # the same architecture with other weights (built-ins load identically)
    with pytest.raises(LitclipError, match=r"with --rebuild \(rebuild=True in Python\)"):
        build_index(other, corpus, out, progress=False)
    build_index(other, corpus, out, rebuild=True, progress=False)
    update = load_index(out).info["last_update"]
    assert (update["added"], update["removed"]) == (4, 4)  # a rebuild said "-0 removed"


def test_ivf_path_with_forced_params(tmp_path: Path, corpus_factory, micro_model) -> None:
    corpus = corpus_factory(tmp_path / "c", n=10)
    params = IndexParams(nlist=2, ivf_encoding="Flat", target_recall=1.0)
    out = build_index(
        micro_model, corpus, tmp_path / "i", index_type="ivf", params=params, progress=False
    )
    ix = load_index(out)
    info = ix.info["indexes"]["image"]
    assert info["type"] == "ivf" and info["factory"] == "IVF2,Flat"
    assert info["nprobe"] in (1, 2) and info["tuned_recall_at_10"] == 1.0
    assert ix.faiss["image"].ntotal == 9
    # an indexed vector finds itself first
    q = np.asarray(ix.image_vectors[4:5], np.float32)
    assert ix.faiss["image"].search(q, 3)[1][0][0] == 4


def test_build_faiss_tunes_nprobe_for_recall() -> None:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(32, 48))
    x = centers[rng.integers(0, 32, 4000)] + 0.4 * rng.normal(size=(4000, 48))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    params = IndexParams(index_type="ivf", nlist=32, target_recall=0.9, tune_queries=100)
    index, info = build_faiss(x, params)
    assert info["type"] == "ivf" and 1 <= info["nprobe"] <= 32
    assert info["tuned_recall_at_10"] >= 0.9
    index_h, info_h = build_faiss(
        x, IndexParams(index_type="hnsw", target_recall=0.9, tune_queries=50)
    )
    assert info_h["type"] == "hnsw" and info_h["tuned_recall_at_10"] >= 0.9


def test_auto_index_type_by_size() -> None:
    p = IndexParams(flat_max=100)
    assert resolve_index_type(100, p) == "flat" and resolve_index_type(101, p) == "ivf"
    assert default_nlist(1_000_000) == 1024 and default_nlist(10) == 1
    with pytest.raises(LitclipError, match="unknown index type"):
        resolve_index_type(5, IndexParams(index_type="magic"))


def test_out_is_never_someone_elses_folder(tmp_path: Path, corpus_factory, micro_model) -> None:
    """The index prunes images/ and pdfs/ of files it does not use: a user's folder of scans
    given as --out lost them."""
    corpus = corpus_factory(tmp_path / "c", n=4)
    mine = tmp_path / "myproject"
    (mine / "images").mkdir(parents=True)
    (mine / "images" / "patient_scan_001.png").write_bytes(b"x")
    with pytest.raises(LitclipError, match="holds other files .* not a litclip index"):
        build_index(micro_model, corpus, mine, progress=False)
    (mine / "images" / "patient_scan_001.png").unlink()
    (mine / "README.txt").write_text("notes")
    with pytest.raises(LitclipError, match="holds other files"):
        build_index(micro_model, corpus, mine, progress=False)
    assert (mine / "README.txt").is_file()
    with pytest.raises(LitclipError, match="is \\(inside\\) the corpus"):
        build_index(micro_model, corpus, corpus, progress=False)
    with pytest.raises(LitclipError, match="--pdf-dir .* does not exist"):
        build_index(micro_model, corpus, tmp_path / "i", pdf_dir=tmp_path / "nope", progress=False)


def test_rows_of_other_corpora_are_counted(tmp_path: Path, corpus_factory, micro_model) -> None:
    first = corpus_factory(tmp_path / "a", n=4)
    second = corpus_factory(tmp_path / "b", n=3, start=10)
    out = build_index(micro_model, first, tmp_path / "i", progress=False)
    build_index(micro_model, second, out, progress=False)
    assert load_index(out).info["last_update"]["other_corpora"] == 4


def test_an_unreadable_crop_is_named(tmp_path: Path, corpus_factory, micro_model) -> None:
    corpus = corpus_factory(tmp_path / "c", n=3)
    bad = sorted((corpus / "images").iterdir())[0]
    bad.write_bytes(b"garbage")
    with pytest.raises(LitclipError, match=f"not readable images, e.g. .*{bad.name}"):
        build_index(micro_model, corpus, tmp_path / "i", progress=False)


def test_a_running_server_follows_an_index_updated_in_place(
    tmp_path: Path, corpus_factory, micro_model, caplog
) -> None:
    """After `litclip index` added to (or rebuilt) the folder it served, the server went on
    with the old index: results linked to images and PDFs the update had removed."""
    from fastapi.testclient import TestClient

    from litclip.serve.app import create_app

    corpus = corpus_factory(tmp_path / "c", n=6)
    out = build_index(micro_model, corpus, tmp_path / "i", progress=False)
    client = TestClient(create_app(out))
    assert client.get("/health").json()["count"] == 6
    corpus_factory(corpus, n=4, start=6)
    build_index(micro_model, corpus, out, progress=False)
    with caplog.at_level("WARNING"):
        assert client.get("/health").json()["count"] == 9
    assert "was updated: 9 figures now" in caplog.text
    other = litclip.models.load_model("litclip-micro")
    perturb(other)
    build_index(other, corpus, out, rebuild=True, progress=False)
    caplog.clear()
    with caplog.at_level("WARNING"):
        assert client.get("/health").json()["count"] == 9  # still served, as loaded
    assert "rebuilt for another model: restart the server" in caplog.text
