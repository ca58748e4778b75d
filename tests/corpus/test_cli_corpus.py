"""``litclip corpus build | merge | filter | evaluate`` through ``main(argv)``."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from litclip.cli import main
from litclip.corpus import pipeline
from litclip.corpus.writers import read_manifest
from tests.corpus.corpus_fixtures import default_extractor, extractor_spec, make_corpus


@pytest.fixture()
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds with the default extractor; point that default at the test fake."""
    monkeypatch.setattr(
        pipeline.CorpusConfig,
        "__dataclass_fields__",
        dict(pipeline.CorpusConfig.__dataclass_fields__),
    )
    orig_init = pipeline.CorpusConfig.__init__

    def init(self, *a, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("extractor", extractor_spec("fake_iter_figures"))
        orig_init(self, *a, **kw)

    monkeypatch.setattr(pipeline.CorpusConfig, "__init__", init)


def test_build_merge_filter(
    tmp_path: Path, fake_engine: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    (pdfs / "broken.pdf").write_bytes(b"not a pdf")
    rc = main(
        [
            "corpus",
            "build",
            str(pdfs),
            "--out",
            str(tmp_path / "c"),
            "--workers",
            "2",
            "--no-progress",
            "--shard-size",
            "2",
            "--description",
            "Two test PDFs and a broken one.",
        ]
    )
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert rc == 0
    assert "2 ok, 1 error" in out and "not_pdf 1" in out and "pairs" in out and "output" in out
    assert "read it by eye: litclip corpus preview" in out
    assert len(read_manifest(tmp_path / "c")) == 6

    for i in range(2):
        shard = ["--shard", f"{i}/2", "--executor", "serial", "--no-progress"]
        rc = main(["corpus", "build", str(pdfs), "--out", str(tmp_path / f"s{i}"), *shard])
        status = (tmp_path / f"s{i}" / "pdf_status.jsonl").read_text().splitlines()
        # a shard whose PDFs all failed (broken.pdf alone) exits 1
        assert rc == (1 if all(json.loads(ln)["status"] == "error" for ln in status) else 0)
    assert (
        main(["corpus", "merge", str(tmp_path / "m"), str(tmp_path / "s0"), str(tmp_path / "s1")])
        == 0
    )
    assert sorted(read_manifest(tmp_path / "m")["pair_id"]) == sorted(
        read_manifest(tmp_path / "c")["pair_id"]
    )

    assert (
        main(
            [
                "corpus",
                "filter",
                "--in",
                str(tmp_path / "c"),
                "--out",
                str(tmp_path / "f"),
                "--kinds",
                "image",
            ]
        )
        == 0
    )
    assert set(read_manifest(tmp_path / "f")["kind"]) == {"image"}
    # the build's description opens the datasheet's sources, and a filtered copy keeps it
    for corpus in ("c", "f"):
        sheet = (tmp_path / corpus / "datasheet.md").read_text()
        assert "## Sources\n\nTwo test PDFs and a broken one.\n" in sheet


def test_keep_kinds_flags_other_kinds(tmp_path: Path, fake_engine: None) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    assert (
        main(
            [
                "corpus",
                "build",
                str(pdfs),
                "--out",
                str(tmp_path / "c"),
                "--keep-kinds",
                "chart",
                "--executor",
                "serial",
                "--no-progress",
            ]
        )
        == 0
    )
    df = read_manifest(tmp_path / "c")
    assert not df["qc_pass"].any() and all("kind:image" in r for r in df["qc_reasons"])
    cfg = json.loads((tmp_path / "c" / "config.json").read_text())
    assert cfg["config"]["qc"]["keep_kinds"] == ["chart"]


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "corpus",
                "build",
                str(tmp_path / "missing"),
                "--out",
                str(tmp_path / "o"),
                "--no-progress",
            ]
        )
        == 2
    )
    assert "does not exist" in " ".join(capsys.readouterr().err.split())
    assert (
        main(
            ["corpus", "build", str(tmp_path), "--out", str(tmp_path / "o"), "--keep-kinds", "xray"]
        )
        == 2
    )
    assert (
        main(["corpus", "build", str(tmp_path), "--out", str(tmp_path / "o"), "--shard", "5/2"])
        == 2
    )
    assert main(["corpus", "merge", str(tmp_path / "m"), str(tmp_path)]) == 2  # not a corpus dir
    assert (
        main(
            [
                "corpus",
                "evaluate",
                "--pred",
                str(tmp_path / "nope"),
                "--truth",
                str(tmp_path / "t.json"),
            ]
        )
        == 2
    )
    assert main(["corpus", "filter", "--in", str(tmp_path), "--out", str(tmp_path / "f")]) == 2


def test_evaluate_json_and_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = []

    def evaluate_corpus(pred, truth):  # type: ignore[no-untyped-def]
        calls.append((Path(pred), Path(truth)))
        return {
            "figure_precision": 0.9,
            "figure_recall": 0.8,
            "caption_match": 0.7,
            "panel_accuracy": 0.6,
            "n_truth": 19,
        }

    fake = types.ModuleType("litclip.corpus.evaluate")
    fake.evaluate_corpus = evaluate_corpus  # type: ignore[attr-defined]
    fake.format_table = lambda m: "\n".join(f"{k}: {v}" for k, v in m.items())  # type: ignore[attr-defined]
    fake.format_errors = lambda m: "missed  a.pdf p1 Figure 2"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "litclip.corpus.evaluate", fake)
    (tmp_path / "pred").mkdir()
    (tmp_path / "truth.json").write_text("{}")
    args = ["corpus", "evaluate", "--pred", str(tmp_path / "pred")]
    args += ["--truth", str(tmp_path / "truth.json")]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"figure_precision", "figure_recall", "caption_match", "panel_accuracy"} <= set(out)
    assert calls == [(tmp_path / "pred", tmp_path / "truth.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "figure_recall: 0.8" in out and "missed" not in out  # errors only on request
    assert main([*args, "--errors"]) == 0
    assert "missed  a.pdf p1 Figure 2" in capsys.readouterr().out


@pytest.mark.slow
def test_real_pdfs_build_and_evaluate(
    real_pdfs_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("litclip.corpus.evaluate")
    if default_extractor() != "litclip.corpus.extract:iter_figures":
        pytest.skip("the real extraction engine has not landed")
    assert (
        main(
            [
                "corpus",
                "build",
                str(real_pdfs_dir),
                "--out",
                str(tmp_path / "c"),
                "--workers",
                "2",
                "--no-progress",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "corpus",
                "evaluate",
                "--pred",
                str(tmp_path / "c"),
                "--truth",
                str(real_pdfs_dir / "ground_truth.json"),
                "--json",
            ]
        )
        == 0
    )
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["figure_recall"] >= 0.8 and metrics["figure_precision"] >= 0.8


def test_build_says_which_pdfs_have_no_text_to_read_captions_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PDF whose fonts lack a Unicode map gives no caption: the summary says so instead
    of a silent zero, and the datasheet counts it."""
    from reportlab.pdfgen import canvas

    from tests.corpus.test_extract_scans import _undecoded

    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    c = canvas.Canvas(str(pdfs / "glyphs.pdf"))
    c.setFont("Times-Roman", 10)
    for i in range(20):
        c.drawString(72, 760 - 14 * i, _undecoded("Figure 1. The lesion was resected early."))
    c.showPage()
    c.save()
    out = tmp_path / "corpus"
    assert main(["corpus", "build", str(pdfs), "--out", str(out), "--executor", "serial"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "1 PDF(s) have no text to read captions from" in printed
    assert (
        "- PDFs with a text layer that does not read as words" in (out / "datasheet.md").read_text()
    )


def test_a_build_where_no_pdf_could_be_read_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exited 0 with 0 pairs: a SLURM array or a Makefile did not notice."""
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "notpdf.pdf").write_text("hi\n")
    (bad / "empty.pdf").write_bytes(b"")
    argv = ["corpus", "build", str(bad), "--out", str(tmp_path / "o"), "--no-progress"]
    assert main(argv) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "no PDF could be read" in err and "pdf_status.jsonl" in err
    assert len((tmp_path / "o" / "pdf_status.jsonl").read_text().splitlines()) == 2  # recorded
