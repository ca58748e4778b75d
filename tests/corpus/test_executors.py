"""Executors: process pool with per-PDF timeout and crash isolation, serial, dask."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.executors import run_tasks
from litclip.errors import LitclipError
from tests.corpus.corpus_fixtures import (
    extractor_spec,
    make_corpus,
    make_pdf,
    refuse_dask_schedulers,
)


def _statuses(out: Path) -> dict[str, dict]:
    return {
        s["name"]: s for s in pd.read_json(out / "pdf_status.jsonl", lines=True).to_dict("records")
    }


def test_timeout_kills_only_the_slow_pdf(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    make_pdf(pdfs / "slow.pdf", seed=9, n_figures=1)
    cfg = CorpusConfig(extractor=extractor_spec("slow_iter_figures"), workers=2, timeout=3.0)
    t0 = time.perf_counter()
    summary = build_corpus(pdfs, tmp_path / "out", cfg)
    assert time.perf_counter() - t0 < 30  # the 60 s sleeper was killed
    st = _statuses(tmp_path / "out")
    assert st["slow.pdf"]["status"] == "error" and st["slow.pdf"]["error_kind"] == "timeout"
    assert st["paper_00.pdf"]["status"] == st["paper_01.pdf"]["status"] == "ok"
    assert summary.pdfs_ok == 2 and summary.pdfs_error == 1 and summary.pairs == 6
    assert summary.failed_lines() == [summary.failed[0]] and summary.failed[0].startswith(
        "slow.pdf (timeout: "
    )  # the summary names the PDF, not only the count
    assert not (tmp_path / "out" / ".staging").exists()


def test_crashing_worker_is_recorded(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    make_pdf(pdfs / "crash.pdf", seed=8, n_figures=1)
    build_corpus(
        pdfs,
        tmp_path / "out",
        CorpusConfig(extractor=extractor_spec("crash_iter_figures"), timeout=30),
    )
    st = _statuses(tmp_path / "out")
    assert (
        st["crash.pdf"]["error_kind"] == "crash"
        and "exit code 11" in st["crash.pdf"]["error_message"]
    )
    assert st["paper_00.pdf"]["status"] == "ok"


def test_workers_leave_ctrl_c_and_sigterm_to_the_parent(tmp_path: Path) -> None:
    """Ctrl-C and ``scancel`` signal every process: a worker that died of one was committed
    as its PDF's crash (kept by a rerun) and printed a traceback."""
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    make_pdf(pdfs / "signal.pdf", seed=8, n_figures=1)
    cfg = CorpusConfig(extractor=extractor_spec("signalled_iter_figures"), timeout=30)
    summary = build_corpus(pdfs, tmp_path / "out", cfg)
    st = _statuses(tmp_path / "out")
    assert st["signal.pdf"]["status"] == "ok", st["signal.pdf"]
    assert summary.pdfs_ok == 2


def _manifest(out: Path) -> pd.DataFrame:
    df = pd.read_parquet(out / "manifest.parquet")
    return df.drop(columns=["filepath"]).sort_values("pair_id").reset_index(drop=True)


def test_serial_process_and_dask_agree(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    pdfs = make_corpus(tmp_path / "pdfs", n=3, n_figures=1)
    spec = extractor_spec("fake_iter_figures")
    build_corpus(pdfs, tmp_path / "serial", CorpusConfig(extractor=spec, executor="serial"))
    build_corpus(pdfs, tmp_path / "proc", CorpusConfig(extractor=spec, workers=2))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        build_corpus(
            pdfs,
            tmp_path / "dask",
            CorpusConfig(
                extractor=spec, executor="dask", scheduler=cluster.scheduler_address, timeout=60
            ),
        )
    # no --scheduler: a local cluster of --workers processes
    build_corpus(pdfs, tmp_path / "local", CorpusConfig(extractor=spec, executor="dask"))
    ref = _manifest(tmp_path / "serial")
    assert len(ref) == 9
    pd.testing.assert_frame_equal(ref, _manifest(tmp_path / "proc"))
    pd.testing.assert_frame_equal(ref, _manifest(tmp_path / "dask"))
    pd.testing.assert_frame_equal(ref, _manifest(tmp_path / "local"))
    for name in ("proc", "dask"):  # same crops, byte for byte
        for fp in pd.read_parquet(tmp_path / name / "manifest.parquet")["filepath"]:
            assert (tmp_path / name / fp).read_bytes() == (tmp_path / "serial" / fp).read_bytes()
    shutil.rmtree(tmp_path / "dask")


def test_bad_executor_options() -> None:
    with pytest.raises(LitclipError, match="unknown executor"):
        run_tasks([], executor="slurm", on_result=print)


def test_dask_process_workers_enforce_the_timeout(tmp_path: Path) -> None:
    # a tiny PDF gets 20 s: its worker process starts and imports litclip inside that time,
    # which took over 8 s on two cores busy with other builds
    distributed = pytest.importorskip("distributed")
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    make_pdf(pdfs / "slow.pdf", seed=9, n_figures=1)
    cfg = CorpusConfig(extractor=extractor_spec("slow_iter_figures"), executor="dask", timeout=20.0)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        cfg.scheduler = cluster.scheduler_address
        summary = build_corpus(pdfs, tmp_path / "out", cfg)
    st = _statuses(tmp_path / "out")
    assert st["slow.pdf"]["error_kind"] == "timeout" and st["paper_00.pdf"]["status"] == "ok"
    assert summary.pairs == 3


def test_pool_workers_are_reused_then_recycled(tmp_path: Path) -> None:
    from litclip.corpus.executors import run_process_pool
    from litclip.corpus.pipeline import _hash_inputs, _make_tasks, resolve_inputs

    pdfs = make_corpus(tmp_path / "pdfs", n=3, n_figures=1)
    cfg = CorpusConfig(extractor=extractor_spec("fake_iter_figures"))
    entries = _hash_inputs(resolve_inputs(pdfs))
    for max_per_worker, n_pids in ((50, 1), (1, 3)):
        out = tmp_path / f"out{max_per_worker}"
        statuses: list[dict] = []
        run_process_pool(
            _make_tasks(out, entries, cfg),
            1,
            60,
            statuses.append,
            max_pdfs_per_worker=max_per_worker,
        )
        assert [s["status"] for s in statuses] == ["ok"] * 3
        assert len({s["worker_pid"] for s in statuses}) == n_pids


def test_dask_retries_a_worker_that_died_once(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        summary = build_corpus(
            pdfs,
            tmp_path / "out",
            CorpusConfig(
                extractor=extractor_spec("crash_once_iter_figures"),
                executor="dask",
                scheduler=cluster.scheduler_address,
                timeout=60,
            ),
        )
    assert summary.pdfs_ok == 2 and summary.pdfs_error == 0 and summary.pairs == 6


def test_workers_do_not_reimport_the_main_script(tmp_path: Path) -> None:
    """Neither the forkserver nor its children import the main script (a CLI, a notebook
    importing torch): PDF workers need only litclip's modules."""
    count = tmp_path / "imports.txt"
    script = tmp_path / "main_script.py"
    script.write_text(
        "import os\n"
        f"with open({str(count)!r}, 'a') as fh:\n"
        "    fh.write('x')\n"
        "if __name__ == '__main__':\n"
        "    from litclip.corpus.executors import _context\n"
        "    ctx = _context()\n"
        "    for _ in range(3):\n"
        "        p = ctx.Process(target=os.getpid)\n"
        "        p.start()\n"
        "        p.join()\n"
        "        assert p.exitcode == 0\n"
    )
    subprocess.run([sys.executable, str(script)], check=True, timeout=120)
    # the script's own run only: not the server's, not one per child
    assert count.read_text() == "x"


def test_unreachable_dask_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from litclip.cli import main

    refuse_dask_schedulers(monkeypatch)
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    argv = ["corpus", "build", str(pdfs), "--out", str(tmp_path / "out")]
    assert (
        main([*argv, "--executor", "dask", "--scheduler", "tcp://nowhere:1", "--no-progress"]) == 2
    )
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "cannot reach the dask scheduler at tcp://nowhere:1" in err and "--scheduler" in err
    assert "Traceback" not in err
