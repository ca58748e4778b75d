"""``litclip evaluate`` / ``litclip report`` through ``main(argv)``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litclip.cli import main


@pytest.mark.timeout(180)
def test_evaluate_then_report(
    tmp_path: Path, pairs_manifest: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "res"
    rc = main(
        [
            "evaluate",
            "--model",
            "litclip-micro",
            "--dataset",
            f"pairs:{pairs_manifest}",
            "--tasks",
            "retrieval",
            "--recall",
            "1,5",
            "--n-boot",
            "10",
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        ]
    )
    assert rc == 0
    data = json.loads((out / "results.json").read_text())
    (run,) = data["runs"]
    assert set(run["metrics"]) == {
        "image_retrieval_recall@1",
        "image_retrieval_recall@5",
        "text_retrieval_recall@1",
        "text_retrieval_recall@5",
    }
    assert data["config"]["retrieval_ks"] == [1, 5]
    assert not (out / "report.html").exists()
    rc = main(["report", str(out / "results.json"), "--out", str(tmp_path / "r" / "again.html")])
    assert rc == 0
    assert "Retrieval recall" in (tmp_path / "r" / "again.html").read_text()
    assert (tmp_path / "r" / "again.md").is_file()


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rc = main(
        [
            "evaluate",
            "--dataset",
            f"folder:{tmp_path}",
            "--tasks",
            "zero-shot",
            "--out",
            str(tmp_path),
        ]
    )
    assert rc == 2 and "unknown task" in capsys.readouterr().err
    rc = main(
        ["evaluate", "--dataset", f"folder:{tmp_path}", "--shots", "a,b", "--out", str(tmp_path)]
    )
    assert rc == 2 and "--shots" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json")]) == 2


def test_retrieval_without_readable_pairs_is_skipped_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    manifest = tmp_path / "pairs.csv"
    manifest.write_text("filepath,caption,split\ngone.png,an axial CT,test\n")
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"pairs:{manifest}"]
    assert main([*argv, "--tasks", "retrieval", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    # rich wraps at the terminal's width, wherever the long temporary path puts the break
    assert "no readable image-caption pairs" in " ".join(capsys.readouterr().out.split())
    folder = tmp_path / "folder"
    for cls in ("a", "b"):
        (folder / cls).mkdir(parents=True)
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{folder}"]
    assert main([*argv, "--tasks", "retrieval", "--out", str(tmp_path / "f"), "--quiet"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "retrieval: none of the datasets has image-caption pairs" in out


def test_repeated_tasks_accumulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--tasks a --tasks b,a` runs a and b once each (typer kept only the last before)."""
    import litclip.evaluate

    seen: list[list[str]] = []

    def fake_run(models, datasets, tasks, out, cfg):  # noqa: ANN001, ANN202 - a stand-in
        seen.append(list(tasks))
        return {"runs": []}

    monkeypatch.setattr(litclip.evaluate, "run_evaluation", fake_run)
    argv = ["evaluate", "--dataset", f"folder:{tmp_path}", "--out", str(tmp_path / "r")]
    assert main([*argv, "--tasks", "zeroshot", "--tasks", "linear-probe,zeroshot"]) == 0
    assert main(argv) == 0
    assert seen[0] == ["zeroshot", "linear-probe"]
    assert seen[1] == ["zeroshot", "calibration", "linear-probe", "few-shot", "retrieval"]


def test_help_documents_every_option() -> None:
    from typer.testing import CliRunner

    from litclip.cli import app

    text = CliRunner().invoke(app, ["evaluate", "--help"], terminal_width=200).output
    for option in (
        "--model",
        "--dataset",
        "--tasks",
        "--out",
        "--skip-existing",
        "--prompts",
        "--criterion",
    ):
        assert option in text


def test_ctrl_c_says_what_was_kept_and_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import litclip.evaluate

    def interrupted(*a, **k):  # noqa: ANN002, ANN003, ANN202 - a stand-in
        raise KeyboardInterrupt

    monkeypatch.setattr(litclip.evaluate, "run_evaluation", interrupted)
    argv = ["evaluate", "--dataset", f"folder:{tmp_path}", "--out", str(tmp_path / "r")]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "--skip-existing" in err
