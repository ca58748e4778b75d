"""Checkpoints: SIGKILL mid-epoch, ``resume="latest"``, same steps, no repeated samples."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

import litclip.train.loop  # noqa: F401  (imported before forking: the child inherits it)
from litclip.train import TrainConfig, train
from litclip.train.checkpoint import (
    LATEST,
    load_checkpoint,
    resolve_resume,
    rng_state,
    set_rng_state,
)
from litclip.train.data import epoch_batches, open_pairs


def _config(corpus: Path, out: Path) -> TrainConfig:
    return TrainConfig(
        model="litclip-micro",
        data=str(corpus),
        out=str(out),
        epochs=1,
        batch_size=4,
        checkpoint_every=3,
        log_every=1,
        log_samples=True,
        progress=False,
        seed=3,
    )


def _train_quietly(cfg: TrainConfig) -> None:
    torch.set_num_threads(1)
    train(cfg)


def _kill_after_first_checkpoint(cfg: TrainConfig, timeout: float = 120.0) -> None:
    """Run training in a forked process (inherits the imports) and SIGKILL it at the first checkpoint."""
    proc = mp.get_context("fork").Process(target=_train_quietly, args=(cfg,))
    proc.start()
    pointer = Path(cfg.out) / "checkpoints" / LATEST
    deadline = time.monotonic() + timeout
    try:
        while not pointer.is_file():
            if not proc.is_alive():
                pytest.fail(f"training exited (code {proc.exitcode}) before writing a checkpoint")
            if time.monotonic() > deadline:
                pytest.fail("no checkpoint within the timeout")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(timeout=30)
    assert proc.exitcode == -signal.SIGKILL


def test_sigkill_mid_epoch_then_resume(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = _config(corpus_dir, tmp_path / "killed")
    _kill_after_first_checkpoint(cfg)
    ck = load_checkpoint(resolve_resume(cfg.out, "latest"))
    assert ck["loop"]["epoch"] == 0 and 0 < ck["loop"]["batch_in_epoch"] < 8, "killed mid-epoch"

    resumed = train(cfg.with_overrides({"resume": "latest"}))
    reference = train(_config(corpus_dir, tmp_path / "straight"))
    assert resumed.steps == reference.steps == 8
    config = json.loads((Path(cfg.out) / "config.json").read_text())
    assert config["resumed_from"].endswith(".pt")

    # The epoch's samples exactly once, in the seeded order, despite the kill.
    table = open_pairs(corpus_dir)
    lines = [json.loads(x) for x in (Path(cfg.out) / "samples.jsonl").read_text().splitlines()]
    assert [x["step"] for x in lines] == list(range(1, 9))
    seen = [i for x in lines for i in x["ids"]]
    expected = [table.ids[i] for b in epoch_batches(len(table), 4, 3, 0) for i in b]
    assert seen == expected and len(set(seen)) == 32
    steps = [
        json.loads(x)["step"] for x in (Path(cfg.out) / "metrics.jsonl").read_text().splitlines()
    ]
    assert steps == list(range(1, 9))

    # Model, optimizer, scheduler and RNG were all restored: the weights match a run never killed.
    a = load_checkpoint(Path(cfg.out) / "checkpoints" / "step_000008.pt")["state_dict"]
    b = load_checkpoint(Path(reference.run_dir) / "checkpoints" / "step_000008.pt")["state_dict"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], msg=key)


def test_rng_state_roundtrip() -> None:
    state = rng_state()
    x = torch.rand(3)
    set_rng_state(state)
    torch.testing.assert_close(torch.rand(3), x)


def test_resume_from_missing_path_is_a_user_error(tmp_path: Path) -> None:
    from litclip.errors import LitclipError

    assert resolve_resume(tmp_path, "latest") is None  # fresh run
    with pytest.raises(LitclipError, match="resume"):
        resolve_resume(tmp_path, str(tmp_path / "nope.pt"))


def test_resume_from_a_file_that_is_no_checkpoint_is_a_user_error(tmp_path: Path) -> None:
    """`--resume bad.pt` ended in torch.load's UnpicklingError (or a KeyError for a model's
    weights); the message names the file and what it is not."""
    from litclip.errors import LitclipError

    garbage, empty, weights = tmp_path / "bad.pt", tmp_path / "empty.pt", tmp_path / "w.pt"
    garbage.write_bytes(b"garbage\n")
    empty.write_bytes(b"")
    torch.save({"state_dict": {"a": torch.zeros(1)}}, weights)
    for path in (garbage, empty):
        with pytest.raises(LitclipError, match=f"resume from {path}: it is truncated or not a"):
            load_checkpoint(path)
    with pytest.raises(LitclipError, match="not a checkpoint written by litclip train .*lacks"):
        load_checkpoint(weights)


def test_pruning_keeps_the_newest_steps_past_a_million(tmp_path: Path) -> None:
    """By name step_1000000.pt sorts before step_999999.pt: the newest was deleted."""
    from litclip.train.checkpoint import checkpoint_dir, save_checkpoint

    for step in (999_998, 999_999, 1_000_000):
        save_checkpoint(tmp_path, step, {"step": step}, keep=2)
    kept = sorted(p.name for p in checkpoint_dir(tmp_path).glob("step_*.pt"))
    assert kept == ["step_1000000.pt", "step_999999.pt"]
