"""``litclip embed`` output folders: another stage's refused, its own reused, none left on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litclip.cli import main


def _argv(folder_ds: Path, out: Path) -> list[str]:
    return [
        "embed",
        "--model",
        "litclip-micro",
        "--dataset",
        f"folder:{folder_ds}",
        "--out",
        str(out),
    ]


def test_embed_refuses_another_stages_folder_and_reuses_its_own(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_text('{"config": {"model": "litclip-micro"}}')
    assert main(_argv(folder_ds, run)) == 2
    assert "not an embedding" in " ".join(capsys.readouterr().err.split())
    assert json.loads((run / "config.json").read_text()) == {"config": {"model": "litclip-micro"}}
    out = tmp_path / "emb"
    assert main(_argv(folder_ds, out)) == 0
    assert main([*_argv(folder_ds, out), "--split", "val"]) == 0
    assert json.loads((out / "config.json").read_text())["config"]["split"] == "val"


def test_a_failed_embed_leaves_no_folder(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "emb"
    assert main([*_argv(folder_ds, out), "--precision", "fp8"]) == 2
    assert "unknown precision" in capsys.readouterr().err and not out.exists()
    out.mkdir()  # a folder the user made stays
    assert main([*_argv(folder_ds, out), "--precision", "fp8"]) == 2
    assert out.is_dir()


def test_embed_says_random_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import litclip.models.embed_job

    monkeypatch.setattr(litclip.models.embed_job, "embed_dataset", lambda cfg: Path(cfg.out))
    argv = ["embed", "--dataset", f"folder:{tmp_path}", "--out", str(tmp_path / "e")]
    assert main([*argv, "--model", "ViT-B-32"]) == 0
    assert "ViT-B-32 has random weights" in " ".join(capsys.readouterr().out.split())
    assert main([*argv, "--model", "litclip-micro"]) == 0
    assert "random weights" not in capsys.readouterr().out


def test_embed_says_what_it_left_out(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    """An unreadable image was dropped without a word (config.json said n: 1 of 3)."""
    import shutil

    data = tmp_path / "lesions"
    shutil.copytree(folder_ds, data)
    broken = next((data / "test").rglob("*.png"))
    broken.write_bytes(b"not a png")
    out = tmp_path / "emb"
    assert main(_argv(data, out)) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "1 unreadable or empty item left out of" in err and broken.name in err
    saved = json.loads((out / "config.json").read_text())
    assert [s["source"] for s in saved["skipped"]] == [str(broken)]
