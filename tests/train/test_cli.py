"""``litclip train`` and ``litclip interpolate`` through ``litclip.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litclip.cli import main


def test_train_then_interpolate(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "train.yaml"
    cfg.write_text("model: litclip-micro\nbatch_size: 8\nprogress: false\n")
    out = tmp_path / "run"
    code = main(
        [
            "train",
            str(corpus_dir),
            "--config",
            str(cfg),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--set",
            "max_steps=2",
            "--set",
            "lr=1e-4",
        ]
    )
    assert code == 0
    resolved = json.loads((out / "config.json").read_text())["config"]
    assert resolved["lr"] == 1e-4 and resolved["max_steps"] == 2 and resolved["epochs"] == 1
    assert (out / "model" / "open_clip_model.safetensors").is_file()
    assert (
        main(
            [
                "interpolate",
                "litclip-micro",
                str(out / "model"),
                "--alpha",
                "0.5",
                "--out",
                str(tmp_path / "wise"),
            ]
        )
        == 0
    )
    meta = json.loads((tmp_path / "wise" / "litclip.json").read_text())
    assert meta["wise_ft"]["alpha"] == 0.5
    # the run's folder for its model: pointed to it
    assert main(["interpolate", "litclip-micro", str(out), "--out", str(tmp_path / "w2")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"(a training run: did you mean '{out / 'model'}'?)" in err


def test_user_errors_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["train", str(tmp_path / "missing"), "--set", "model=litclip-micro"]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["train", str(tmp_path / "empty"), "--set", "model=litclip-micro"]) == 2
    assert main(["train", str(tmp_path), "--loss", "triplet"]) == 2
    assert main(["train", "--set", "model=litclip-micro"]) == 2
    assert main(["train", str(tmp_path), "--preset", "nope"]) == 2
    assert main(["train", str(tmp_path), "--set", "grad_clip=-1"]) == 2
    err = capsys.readouterr().err
    assert (
        "missing' does not exist: check the path" in " ".join(err.split())
        and "no image-caption pairs" in err
        and "loss must be one of" in err
        and "no training data" in err
        and "preset" in err
        and "grad_clip must be > 0" in err
    )


def test_resume_from_a_bad_file_exits_2(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage\n")
    args = ["train", str(corpus_dir), "--out", str(tmp_path / "run"), "--resume", str(bad)]
    assert (
        main([*args, "--model", "litclip-micro", "--batch-size", "8", "--set", "progress=false"])
        == 2
    )
    err = capsys.readouterr().err
    assert f"cannot resume from {bad}" in " ".join(err.split()) and "Traceback" not in err


def test_a_bare_resume_latest_goes_on_with_the_runs_own_options(
    corpus_dir: Path, tmp_path: Path, capsys
) -> None:
    """Options left off a resume took their defaults and counted as changes: a 2-epoch run
    resumed without --epochs trained on to 5, and one with batch_size 8 was refused."""
    out = tmp_path / "run"
    made = ["train", str(corpus_dir), "--out", str(out), "--model", "litclip-micro"]
    opts = ["--epochs", "2", "--batch-size", "8", "--set", "progress=false"]
    keep = ["--set", "checkpoint_every=1", "--set", "keep_checkpoints=100"]
    assert main([*made, *opts, *keep]) == 0
    steps = int(capsys.readouterr().out.split("trained ")[1].split()[0])
    ckpts = out / "checkpoints"
    first = sorted(ckpts.glob("step_*.pt"))[0]
    assert first.name == "step_000001.pt" and steps > 1
    (ckpts / "latest").write_text(first.name + "\n")  # as if killed after the first step
    assert main(["train", str(corpus_dir), "--out", str(out), "--resume", "latest"]) == 0
    printed = capsys.readouterr().out
    assert f"trained {steps} steps" in printed and "now 5" not in printed
    resolved = json.loads((out / "config.json").read_text())["config"]
    assert resolved["epochs"] == 2 and resolved["batch_size"] == 8
    # an option given again still changes: two more epochs
    again = ["--resume", str(ckpts / f"step_{steps:06d}.pt"), "--epochs", "4"]
    assert main(["train", str(corpus_dir), "--out", str(out), *again]) == 0
    assert f"trained {2 * steps} steps" in capsys.readouterr().out
    # a checkpoint kept outside the run folder goes on with the options of the run --out
    # names (it read none: "no training data")
    kept = tmp_path / "kept.pt"
    kept.write_bytes((ckpts / f"step_{2 * steps:06d}.pt").read_bytes())
    assert main(["train", "--out", str(out), "--resume", str(kept), "--epochs", "5"]) == 0
    assert f"trained {2 * steps + steps // 2} steps" in capsys.readouterr().out


def test_a_run_folder_another_process_trains_into_is_refused(
    corpus_dir: Path, tmp_path: Path, capsys
) -> None:
    """A run started twice into one --out (a requeued job whose first run still runs) wrote
    its checkpoints and logs among the other's."""
    from litclip.io import sole_writer

    out = tmp_path / "run"
    out.mkdir()
    args = ["train", str(corpus_dir), "--out", str(out), "--model", "litclip-micro"]
    with sole_writer(out, "training run"):  # the first run, as another process holds it
        assert main([*args, "--set", "max_steps=1", "--set", "progress=false"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"another process is writing into {out}" in err and "Traceback" not in err
    assert list(out.iterdir()) == []  # nothing written
    assert main([*args, "--set", "max_steps=1", "--set", "progress=false"]) == 0  # free again


def test_the_summary_names_the_best_model_and_an_early_stop(
    corpus_dir: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary named only OUT/model, the last weights, though the run had chosen
    best_model on validation and stopped early."""
    import litclip.train.loop as loop

    recalls = iter([0.5, 0.25, 0.25])  # the second validation is worse: patience 1 stops
    monkeypatch.setattr(loop, "validate", lambda *a, **k: {"mean_recall@1": next(recalls)})
    out = tmp_path / "run"
    args = ["train", str(corpus_dir), "--out", str(out), "--model", "litclip-micro"]
    opts = ["--batch-size", "8", "--epochs", "3", "--set", "progress=false"]
    val = ["--set", "val_fraction=0.3", "--set", "val_every=1", "--set", "early_stop_patience=1"]
    assert main([*args, *opts, *val]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "trained 2 steps (stopped early: no better validation)" in printed
    assert f"best model (step 1, best mean_recall@1): {out / 'best_model'}" in printed
    # the values printed next are the last step's, not the best model's: said so
    assert "last logged values (step 2; metrics.jsonl has every step): loss" in printed


def test_options_the_run_does_not_use_are_warned_of(
    corpus_dir: Path, tmp_path: Path, capsys
) -> None:
    """Early stopping without validation, an unlock count without the lock: ignored silently."""
    args = ["train", str(corpus_dir), "--out", str(tmp_path / "run"), "--model", "litclip-micro"]
    opts = ["--batch-size", "8", "--set", "max_steps=1", "--set", "progress=false"]
    unused = ["--set", "early_stop_patience=2", "--set", "lock_image_unlocked_groups=1"]
    assert main([*args, *opts, *unused]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "lock_image_unlocked_groups acts only with lock_image=true: ignored" in err
    assert "early_stop_patience acts only when the run validates" in err


def test_a_malformed_override_is_one_line(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    """`--set "lora_targets=[attn"` ended in a yaml ParserError traceback."""
    argv = ["train", str(corpus_dir), "--out", str(tmp_path / "r"), "--model", "litclip-micro"]
    assert main([*argv, "--set", "lora_targets=[attn"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "override 'lora_targets=[attn': '[attn' does not read as a value" in err
    assert "Traceback" not in err
