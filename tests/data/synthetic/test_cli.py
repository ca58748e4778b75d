"""``litclip synth journal`` through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from litclip.cli import main
from litclip.io import read_json


def test_synth_journal_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "journal"
    code = main(
        [
            "synth",
            "journal",
            "--out",
            str(out),
            "--articles",
            "2",
            "--seed",
            "5",
            "--panel-px",
            "96",
            "--classification-articles",
            "3",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in (out / "pdfs").glob("*.pdf")) == [
        "article_0001.pdf",
        "article_0002.pdf",
    ]
    gt = read_json(out / "pdfs" / "ground_truth.json")
    assert len(gt["documents"]) == 2
    assert read_json(out / "journal.json")["config"]["seed"] == 5
    assert (out / "classification" / "ct_hemorrhage" / "classes.json").is_file()
    # two articles hold none out: said (it printed "train 2, val 0, test 0" and no more)
    err = " ".join(capsys.readouterr().err.split())
    assert "2 article(s) leave the val and test splits empty" in err


def test_synth_journal_rejects_bad_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synth", "journal", "--out", str(tmp_path), "--articles", "0"]) == 2
    assert "--articles" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_synth_journal_out_that_cannot_be_made(capsys: pytest.CaptureFixture[str]) -> None:
    """--out /proc/x ended in a FileNotFoundError traceback."""
    assert main(["synth", "journal", "--out", "/proc/litclip-x", "--articles", "1"]) == 2
    assert "cannot create --out /proc/litclip-x" in " ".join(capsys.readouterr().err.split())
