"""Resume after SIGKILL: a killed build, rerun, equals an uninterrupted build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from litclip.corpus import CorpusConfig, build_corpus
from litclip.io import sha256_file
from tests.corpus.corpus_fixtures import HERE, extractor_spec, make_corpus, make_pdf

SCRIPT = """
import sys
from litclip.corpus import CorpusConfig, build_corpus
build_corpus(sys.argv[1], sys.argv[2], CorpusConfig(extractor=sys.argv[3], workers=2, timeout=60))
"""


def _start(pdfs: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(pdfs), str(out), extractor_spec("sleepy_iter_figures")],
        cwd=HERE.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_when(proc: subprocess.Popen, out: Path, n_parts: int, limit: float = 60) -> int:
    """SIGKILL the build's main process once ``n_parts`` PDFs are committed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "parts").glob("*.json"))) >= n_parts:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # a worker may commit the PDF it was on before it dies with its forkserver
    # (PR_SET_PDEATHSIG): count once the parts have stopped changing
    count, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 0.5 and time.monotonic() < deadline + 5:
        now = len(list((out / "parts").glob("*.json")))
        if now != count:
            count, stable_since = now, time.monotonic()
        time.sleep(0.05)
    return count


def _snapshot(out: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The manifest and each crop's digest: a failure then shows short names and hashes
    (comparing the crops' bytes made pytest's diff of a failure run for minutes)."""
    df = pd.read_parquet(out / "manifest.parquet").sort_values("pair_id").reset_index(drop=True)
    files = {
        str(p.relative_to(out)): sha256_file(p) for p in (out / "images").rglob("*") if p.is_file()
    }
    return df, files


def test_sigkill_midway_then_resume_equals_clean_build(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=5, n_figures=2)
    out = tmp_path / "killed"
    done1 = _kill_when(_start(pdfs, out), out, n_parts=1)
    assert 1 <= done1 < 5, "the kill must land mid-way"
    assert not (out / "manifest.parquet").exists()
    done2 = _kill_when(_start(pdfs, out), out, n_parts=done1 + 1)  # killed again, later
    assert done2 >= done1
    # on a loaded machine an orphaned worker may still commit after the count settled: the
    # resumed build must skip exactly the PDFs committed when it starts
    committed = len(list((out / "parts").glob("*.json")))
    assert committed >= done2
    summary = build_corpus(
        pdfs, out, CorpusConfig(extractor=extractor_spec("fake_iter_figures"), workers=2)
    )
    assert summary.pdfs_skipped == committed and summary.pdfs_ok == 5
    clean = tmp_path / "clean"
    build_corpus(
        pdfs, clean, CorpusConfig(extractor=extractor_spec("fake_iter_figures"), executor="serial")
    )
    (df_k, files_k), (df_c, files_c) = _snapshot(out), _snapshot(clean)
    pd.testing.assert_frame_equal(df_k.drop(columns=["filepath"]), df_c.drop(columns=["filepath"]))
    assert df_k["pair_id"].is_unique and len(df_k) == 5 * 2 * 3
    assert sorted(files_k) == sorted(files_c)  # no lost, no duplicated crops
    assert files_k == files_c  # no half-written crops
    assert len((out / "pdf_status.jsonl").read_text().splitlines()) == 5
    assert not (out / ".staging").exists()


def test_half_written_images_are_not_trusted(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    out = tmp_path / "out"
    build_corpus(
        pdfs, out, CorpusConfig(extractor=extractor_spec("fake_iter_figures"), executor="serial")
    )
    # Simulate a kill between publishing the crops and the part file of one PDF.
    part = sorted((out / "parts").glob("*.json"))[0]
    part.unlink()
    img_dir = out / "images" / part.stem[:16]
    (img_dir / "garbage.png").write_bytes(b"half")
    (out / ".staging" / "x").mkdir(parents=True)
    summary = build_corpus(
        pdfs, out, CorpusConfig(extractor=extractor_spec("fake_iter_figures"), executor="serial")
    )
    assert summary.pdfs_skipped == 1 and summary.pairs == 6
    assert not (img_dir / "garbage.png").exists() and not (out / ".staging").exists()


def test_a_pdf_whose_crops_went_missing_is_extracted_again(tmp_path: Path) -> None:
    """A partial copy or a clean-up lost a PDF's crops: the rerun re-extracts that PDF (it
    crashed, and rewrote a manifest pointing at missing images)."""
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    out = tmp_path / "out"
    cfg = CorpusConfig(extractor=extractor_spec("fake_iter_figures"), executor="serial")
    build_corpus(pdfs, out, cfg)
    gone = sorted((out / "images").iterdir())[0]
    for f in gone.iterdir():
        f.unlink()
    gone.rmdir()
    summary = build_corpus(pdfs, out, cfg)
    assert summary.pdfs_skipped == 1 and summary.pairs == 6
    df = pd.read_parquet(out / "manifest.parquet")
    assert all((out / fp).is_file() for fp in df["filepath"])


def test_retry_errors_redoes_only_failed_pdfs(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    make_pdf(pdfs / "crash.pdf", seed=5, n_figures=1)
    out = tmp_path / "out"
    first = build_corpus(
        pdfs, out, CorpusConfig(extractor=extractor_spec("crash_iter_figures"), timeout=30)
    )
    assert first.pdfs_error == 1 and first.pairs == 3
    again = build_corpus(pdfs, out, CorpusConfig(extractor=extractor_spec("fake_iter_figures")))
    assert again.pdfs_skipped == 2 and again.pdfs_error == 1  # errors are done too, by default
    retried = build_corpus(
        pdfs, out, CorpusConfig(extractor=extractor_spec("fake_iter_figures"), retry_errors=True)
    )
    assert retried.pdfs_skipped == 1 and retried.pdfs_error == 0 and retried.pairs == 6
