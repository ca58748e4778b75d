"""``litclip corpus`` refusing what makes no sense, in one line, before it writes anything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from litclip.cli import main
from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.pipeline import resolve_inputs, select_shard
from litclip.corpus.writers import read_manifest, read_status
from litclip.errors import LitclipError
from tests.corpus.corpus_fixtures import (
    extractor_spec,
    make_corpus,
    make_pdf,
    refuse_dask_schedulers,
)

FAKE = extractor_spec("fake_iter_figures")


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # rich folds a long path at the terminal width


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return " ".join(err.split())  # rich wraps long lines


def _build(*args: str) -> int:
    return main(["corpus", "build", *args, "--executor", "serial", "--no-progress"])


def test_a_name_that_is_not_utf8_is_extracted_and_recorded_readably(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    odd = os.fsdecode(bytes(pdfs) + b"/caf\xe9.pdf")  # a Latin-1 name on a UTF-8 system
    make_pdf(Path(odd), seed=5, n_figures=1)
    inputs = resolve_inputs(pdfs)
    shards = [select_shard(inputs, f"{i}/2") for i in range(2)]
    assert sorted(shards[0] + shards[1]) == inputs  # hashing the name's bytes
    summary = build_corpus(pdfs, tmp_path / "c", CorpusConfig(extractor=FAKE, executor="serial"))
    assert (summary.pdfs_ok, summary.pdfs_error) == (2, 0)
    names = {s["name"] for s in read_status(tmp_path / "c")}
    assert names == {"caf\\xe9.pdf", "paper_00.pdf"}  # the odd byte, readable
    assert set(read_manifest(tmp_path / "c")["pdf_name"]) == names
    config = json.loads((tmp_path / "c" / "config.json").read_text(encoding="utf-8"))
    assert any(e["path"].endswith("caf\\xe9.pdf") for e in config["inputs"])


def test_list_files_in_utf16_are_read_and_other_encodings_refused(tmp_path: Path) -> None:
    make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    listing = tmp_path / "list.txt"
    listing.write_text("pdfs/paper_00.pdf\npdfs/paper_01.pdf\n", encoding="utf-16")  # with a BOM
    assert [p.name for p in resolve_inputs(listing)] == ["paper_00.pdf", "paper_01.pdf"]
    listing.write_bytes("pdfs/caf\xe9.pdf\n".encode("latin-1"))
    with pytest.raises(LitclipError, match="not UTF-8"):
        resolve_inputs(listing)


def test_brackets_in_paths_print_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'[/]' in a path broke the summary after the corpus was written (a markup error)."""
    pdfs = make_corpus(tmp_path / "br[/]", n=1, n_figures=1)
    out = tmp_path / "out[x]"
    assert _build(str(pdfs), "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert f"output: {out}\n" in printed
    assert f"read it by eye: litclip corpus preview '{out}'" in printed


def test_failed_builds_leave_no_out_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    for args in (
        [str(tmp_path / "missing")],
        [str(tmp_path / "empty")],
        [str(pdfs), "--shard", "4/3"],
        [str(pdfs), "--shard", "a/b"],
        [str(pdfs), "--shard", "1/0"],
        [str(pdfs), "--min-side", "-5"],
        [str(pdfs), "--max-aspect", "0"],
        [str(pdfs), "--min-caption-chars", "100", "--max-caption-chars", "10"],
    ):
        assert _build(*args, "--out", str(out)) == 2, args
        _err(capsys)
        assert not out.exists(), args


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--min-side", "-5"], "--min-side"),
        (["--max-aspect", "0.5"], "--max-aspect"),
        (["--min-caption-chars", "100", "--max-caption-chars", "10"], "--max-caption-chars"),
    ],
)
def test_qc_options_that_make_no_sense_are_refused(
    tmp_path: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    assert _build(str(pdfs), "--out", str(tmp_path / "o"), *args) == 2
    assert said in _err(capsys)


def test_serial_with_workers_warns_and_records_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    with pytest.warns(UserWarning, match="--workers"):
        build_corpus(
            pdfs, tmp_path / "c", CorpusConfig(extractor=FAKE, executor="serial", workers=2)
        )
    config = json.loads((tmp_path / "c" / "config.json").read_text())
    assert config["config"]["workers"] == 1


def test_serial_with_a_timeout_warns_and_records_none(tmp_path: Path) -> None:
    """Serial runs each PDF in the calling process, with no deadline: a --timeout was
    ignored without a word, while --workers warned."""
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    with pytest.warns(UserWarning, match="--timeout 5 is ignored"):
        build_corpus(
            pdfs, tmp_path / "c", CorpusConfig(extractor=FAKE, executor="serial", timeout=5)
        )
    assert json.loads((tmp_path / "c" / "config.json").read_text())["config"]["timeout"] is None


@pytest.mark.parametrize(
    ("argv", "said", "code"),
    [
        (["corpus", "merge", "OUT", "IN"], "interrupted. Nothing was merged; rerun", 130),
        (
            ["corpus", "filter", "--in", "IN", "--out", "OUT"],
            "terminated. Nothing was written",
            143,
        ),
        (["corpus", "build", "IN", "--out", "OUT"], "terminated. Finished PDFs are kept", 143),
    ],
)
def test_interrupted_commands_say_how_to_go_on(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
    code: int,
) -> None:
    """Ctrl-C in a merge or filter promised a resume that the rerun refused; SIGTERM (kill,
    scancel) ended a build at once, with worker tracebacks and no word."""
    import signal
    import time

    import litclip.corpus as corpus

    def stopped(*a: object, **k: object) -> None:
        if code == 130:
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends

    for name in ("merge_corpora", "filter_corpus", "build_corpus"):
        monkeypatch.setattr(corpus, name, stopped)
    before = signal.getsignal(signal.SIGTERM)
    assert main(argv) == code
    assert said in _err(capsys)
    assert signal.getsignal(signal.SIGTERM) is before  # main gives the handler back


def test_a_bad_modality_model_is_refused_before_extraction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    out = tmp_path / "o"
    assert _build(str(pdfs), "--out", str(out), "--modality-model", "./no-such-model") == 2
    assert "no-such-model" in _err(capsys) and not out.exists()


@pytest.mark.parametrize("scheduler", ["notanaddress", "http://localhost:8786", "tcp://h:port"])
def test_a_scheduler_address_of_the_wrong_form_is_refused(
    tmp_path: Path, scheduler: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    out = tmp_path / "o"
    argv = ["corpus", "build", str(pdfs), "--out", str(out), "--executor", "dask"]
    assert main([*argv, "--scheduler", scheduler, "--no-progress"]) == 2
    assert f"--scheduler {scheduler}" in _err(capsys) and not out.exists()


def test_an_unreachable_scheduler_leaves_no_config_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refuse_dask_schedulers(monkeypatch)
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    out = tmp_path / "o"
    argv = ["corpus", "build", str(pdfs), "--out", str(out), "--no-progress"]
    assert main([*argv, "--executor", "dask", "--scheduler", "tcp://nowhere:1"]) == 2
    assert "cannot reach" in _err(capsys) and not out.exists()
    out.mkdir()  # a folder the user made stays, empty
    assert main([*argv, "--executor", "dask", "--scheduler", "tcp://nowhere:1"]) == 2
    assert out.is_dir() and not any(out.iterdir())


def test_an_out_that_cannot_be_made_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc")
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    assert _build(str(pdfs), "--out", "/proc/litclip-test/x") == 2
    assert "/proc/litclip-test/x" in _err(capsys)


def _fake_corpus(d: Path, config: str) -> Path:
    d.mkdir()
    (d / "config.json").write_text(config)
    return d


def test_unreadable_configs_are_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = _fake_corpus(tmp_path / "empty", "{}")
    torn = _fake_corpus(tmp_path / "torn", '{"litclip_version": ')
    for d, said in ((empty, "not a litclip corpus"), (torn, "not valid JSON")):
        assert main(["corpus", "merge", str(tmp_path / "m"), str(d)]) == 2
        assert said in _err(capsys)
        assert main(["corpus", "filter", "--in", str(d), "--out", str(tmp_path / "f")]) == 2
        assert said in _err(capsys)
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    assert _build(str(pdfs), "--out", str(torn)) == 2
    assert "not valid JSON" in _err(capsys)


def test_a_corrupt_manifest_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {"litclip_version": "0", "config": {"dpi": 200, "image_format": "png"}}
    c = _fake_corpus(tmp_path / "c", json.dumps(config))
    (c / "manifest.parquet").write_text("garbage\n")
    (tmp_path / "gt.json").write_text(json.dumps({"documents": [{"file": "a.pdf", "figures": []}]}))
    for argv in (
        ["corpus", "filter", "--in", str(c), "--out", str(tmp_path / "f")],
        ["corpus", "preview", str(c)],
        ["corpus", "evaluate", "--pred", str(c), "--truth", str(tmp_path / "gt.json")],
    ):
        assert main(argv) == 2, argv
        assert f"{c / 'manifest.parquet'} cannot be read" in _err(capsys)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--modality", "MRI", "--min-modality-score", "2"], "--min-modality-score"),
        (["--min-modality-score", "0.5"], "--modality"),
        (["--modality-model", "litclip-tiny"], "--modality"),
    ],
)
def test_filter_options_that_make_no_sense_are_refused(
    tmp_path: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["corpus", "filter", "--in", str(tmp_path), "--out", str(tmp_path / "f"), *args]
    assert main(argv) == 2
    assert said in _err(capsys) and not (tmp_path / "f").exists()


def test_evaluate_truth_naming_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pred").mkdir()
    argv = ["corpus", "evaluate", "--pred", str(tmp_path / "pred"), "--truth", str(tmp_path)]
    assert main(argv) == 2
    assert f"{tmp_path} is a folder without a ground_truth.json" in _err(capsys)
