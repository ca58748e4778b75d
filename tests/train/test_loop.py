"""End-to-end training runs on the micro model: run-dir layout, model dir contract, options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from litclip.errors import LitclipError
from litclip.train import TrainConfig, train
from litclip.train.checkpoint import load_checkpoint


@pytest.fixture(scope="module")
def run(corpus_dir: Path, val_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        val_data=str(val_dir),
        out=str(tmp_path_factory.mktemp("run") / "out"),
        epochs=2,
        batch_size=8,
        checkpoint_every=3,
        log_every=1,
        log_samples=True,
        progress=False,
        warmup_steps=2,
    )
    return cfg, train(cfg)


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


class _Killed(BaseException):
    """A kill -9 where the loop stands (a BaseException: no handler of the loop catches it)."""


def _killed_at_checkpoint(cfg: TrainConfig, when, saved: bool = True) -> None:  # noqa: ANN001
    """Run ``cfg`` until its checkpoint call where ``when(trainer)`` holds, and kill it there:
    after that save (``saved``) or before it."""
    import litclip.train.loop as loop

    real = loop.Trainer.checkpoint

    def checkpoint(self) -> None:  # noqa: ANN001
        kill = when(self)
        if kill and not saved:
            raise _Killed
        real(self)
        if kill:
            raise _Killed

    with pytest.MonkeyPatch.context() as mp, pytest.raises(_Killed):
        mp.setattr(loop.Trainer, "checkpoint", checkpoint)
        train(cfg)


def _train_losses(out: Path) -> list[float]:
    return [m["loss"] for m in _lines(out / "metrics.jsonl") if m["kind"] == "train"]


def test_run_dir_layout(run) -> None:
    cfg, result = run
    out = Path(cfg.out)
    assert result.run_dir == out and result.steps == 2 * (32 // 8)
    assert json.loads((out / "config.json").read_text())["config"]["batch_size"] == 8
    metrics = _lines(out / "metrics.jsonl")
    train_lines = [m for m in metrics if m["kind"] == "train"]
    assert [m["step"] for m in train_lines] == list(range(1, result.steps + 1))
    assert all(np.isfinite(m["loss"]) and m["samples_per_s"] > 0 for m in train_lines)
    # the logged lr is the base lr on its schedule (was the first group's: a tower's x0.1),
    # the one its step used (it was the next step's: the last step logged 0)
    from litclip.train.optim import cosine_with_warmup

    factor = cosine_with_warmup(min(cfg.warmup_steps, max(1, result.steps // 5)), result.steps)
    for m in train_lines:
        assert m["lr"] == pytest.approx(cfg.lr * factor(m["step"] - 1))
    assert train_lines[-1]["lr"] > 0
    val_lines = [m for m in metrics if m["kind"] == "val"]
    assert len(val_lines) == 2 and val_lines[0]["chance@1"] == pytest.approx(1 / 12)
    # the first epoch is 0 on its train lines and on its validation line alike
    assert [m["epoch"] for m in val_lines] == [0, 1] and train_lines[0]["epoch"] == 0
    assert (out / "checkpoints" / "latest").read_text().strip() == f"step_{result.steps:06d}.pt"
    kept = sorted(p.name for p in (out / "checkpoints").glob("step_*.pt"))
    assert kept == [
        "step_000004.pt",
        "step_000006.pt",
        "step_000008.pt",
    ]  # every 3 + epoch ends, 3 kept
    assert (
        result.best_model_dir == out / "best_model"
        and (out / "best_model" / "litclip.json").is_file()
    )
    assert "val_image_retrieval_recall@1" in result.metrics


def test_each_epoch_sees_each_sample_once(run) -> None:
    cfg, result = run
    lines = _lines(Path(cfg.out) / "samples.jsonl")
    for epoch in (0, 1):
        ids = [i for line in lines if line["epoch"] == epoch for i in line["ids"]]
        assert len(ids) == 32 and len(set(ids)) == 32
        assert not {"p0005", "p0011"} & set(ids)  # failed QC: never trained on
    orders = [[i for line in lines if line["epoch"] == e for i in line["ids"]] for e in (0, 1)]
    assert orders[0] != orders[1]  # reshuffled per epoch


def test_model_dir_loads_in_litclip_and_plain_open_clip(run, corpus_dir: Path) -> None:
    import open_clip
    from PIL import Image

    from litclip.models import load_model

    _, result = run
    lm = load_model(str(result.model_dir))
    assert lm.meta["base_spec"] == "litclip-micro" and lm.meta["training"]["loss"] == "clip"
    model, _, preprocess = open_clip.create_model_and_transforms(
        "local-dir:" + str(result.model_dir)
    )
    tokenizer = open_clip.get_tokenizer("local-dir:" + str(result.model_dir))
    model.eval()
    img = Image.open(corpus_dir / "images" / "p0000.png").convert("RGB")
    with torch.no_grad():
        a = lm.model.encode_image(lm.preprocess_val(img)[None])
        b = model.encode_image(preprocess(img)[None])
        ta = lm.model.encode_text(lm.tokenizer(["a red square"]))
        tb = model.encode_text(tokenizer(["a red square"]))
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(ta, tb)


def test_checkpoint_loads_in_plain_open_clip(run) -> None:
    from open_clip.factory import load_checkpoint as oc_load_checkpoint

    from litclip.models import load_model

    _, result = run
    fresh = load_model("litclip-micro").model
    ckpt = result.run_dir / "checkpoints" / f"step_{result.steps:06d}.pt"
    oc_load_checkpoint(fresh, str(ckpt))  # strict, weights_only=True
    final = load_model(str(result.model_dir)).model
    for (k, v), (_, w) in zip(fresh.state_dict().items(), final.state_dict().items(), strict=True):
        torch.testing.assert_close(v, w, msg=k)


def test_siglip_with_accumulation_and_locked_image(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(tmp_path / "r"),
        loss="siglip",
        batch_size=4,
        accum_steps=2,
        max_steps=2,
        progress=False,
        lock_image=True,
        val_fraction=0.25,
        val_every=1,
        early_stop_patience=1,
    )
    result = train(cfg)
    assert 1 <= result.steps <= 2  # early stopping may end it after the first validation
    ck = load_checkpoint(result.run_dir / "checkpoints" / f"step_{result.steps:06d}.pt")
    assert ck["objective"]["logit_bias"].item() != -10.0  # the loss-owned SigLIP bias trained
    assert ck["loop"]["step"] == result.steps
    # and the model folder keeps it (it was in checkpoints only: lost with them)
    meta = json.loads((result.model_dir / "litclip.json").read_text())
    assert meta["logit_bias"] == pytest.approx(ck["objective"]["logit_bias"].item())


def test_too_little_data_is_a_user_error(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(tmp_path),
        batch_size=64,
        progress=False,
    )
    with pytest.raises(LitclipError, match="batch"):
        train(cfg)


def test_lora_run_exports_plain_weights_and_resumes(corpus_dir: Path, tmp_path: Path) -> None:
    import open_clip

    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(tmp_path / "r"),
        lora=True,
        lora_rank=2,
        batch_size=8,
        max_steps=2,
        progress=False,
        lr=1e-2,
    )
    first = train(cfg)
    ck = load_checkpoint(first.run_dir / "checkpoints" / "step_000002.pt")
    assert any("lora_" in k for k in ck["train_state_dict"]) and not any(
        "lora_" in k for k in ck["state_dict"]
    )
    again = train(cfg.with_overrides({"max_steps": 3, "resume": "latest"}))
    assert again.steps == 3
    model = open_clip.create_model("local-dir:" + str(again.model_dir))  # plain keys, strict load
    assert not any("lora_" in k for k in model.state_dict())


def test_checkpoints_can_be_switched_off(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(tmp_path / "r"),
        batch_size=8,
        max_steps=1,
        progress=False,
        save_checkpoints=False,
    )
    result = train(cfg)
    assert result.steps == 1 and (result.model_dir / "litclip.json").is_file()
    assert not (result.run_dir / "checkpoints").exists()
    # nothing to go on from: --resume latest had trained it again and replaced its model
    weights = (result.model_dir / "open_clip_model.safetensors").read_bytes()
    with pytest.raises(LitclipError, match="holds a finished run .* nothing to resume"):
        train(cfg.with_overrides({"resume": "latest", "lr": 1e-2}))
    assert (result.model_dir / "open_clip_model.safetensors").read_bytes() == weights


def test_a_killed_checkpoint_write_leaves_no_temporary_file(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """A run killed while it wrote a checkpoint left its .tmp file (as large as the
    checkpoint) for good: the resume did not read it, nor remove it."""
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=8,
        max_steps=1, progress=False,
    )  # fmt: skip
    train(cfg)
    ckpts = tmp_path / "r" / "checkpoints"
    stale = ckpts / ".step_000002.pt.x1y2z3.tmp"
    stale.write_bytes(b"half a checkpoint")
    half_model = tmp_path / "r" / ".model.k9k9.tmp"  # a model save killed mid-way
    half_model.mkdir()
    train(cfg.with_overrides({"resume": "latest", "max_steps": 2}))
    assert not stale.exists() and (ckpts / "step_000002.pt").is_file()
    assert not half_model.exists()


def test_a_batch_of_one_pair_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    """It has no negatives: the loss was 0 at every step and the run reported success."""
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=1,
        max_steps=1, progress=False,
    )  # fmt: skip
    with pytest.raises(LitclipError, match="batch of one pair has no negatives"):
        train(cfg)


def test_resuming_a_finished_run_keeps_its_metrics(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--resume latest`` on a finished run trains nothing and re-exports the model with
    the run's metrics (it once showed 'loss nan' and wrote empty metrics)."""
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(tmp_path / "r"),
        epochs=1,
        batch_size=8,
        progress=True,
        warmup_steps=1,
    )
    first = train(cfg)
    meta = lambda: json.loads((first.model_dir / "litclip.json").read_text())  # noqa: E731
    before = meta()["metrics"]
    assert before and np.isfinite(before["loss"])
    capsys.readouterr()
    again = train(TrainConfig.from_dict({**cfg.to_dict(), "resume": "latest"}))
    assert "already complete" in capsys.readouterr().out
    assert again.steps == first.steps and again.metrics == first.metrics
    assert meta()["metrics"] == before
    # a resume with other maths is refused before anything loads (a batch size or lr was
    # ignored by the restored schedule; a loss or lock change was a state_dict traceback)
    for change in ({"batch_size": 4, "lr": 0.01}, {"loss": "siglip"}, {"lock_text": True}):
        with pytest.raises(LitclipError, match="that checkpoint was made with"):
            train(TrainConfig.from_dict({**cfg.to_dict(), "resume": "latest", **change}))
    # options that only change how the run is carried out may differ
    train(TrainConfig.from_dict({**cfg.to_dict(), "resume": "latest", "log_every": 3}))
    # other training pairs: a finished model was rolled back to an older checkpoint's
    # weights and config.json named the other corpus
    from tests.train.conftest import write_corpus

    other = write_corpus(tmp_path / "other", 20, seed=3)
    with pytest.raises(LitclipError, match=r"that checkpoint was made with 32 other training"):
        train(TrainConfig.from_dict({**cfg.to_dict(), "resume": "latest", "data": str(other)}))
    assert meta()["metrics"] == before


def test_a_fresh_run_never_lands_on_an_earlier_one(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --resume an out dir holding a run is refused (logs appended, checkpoints
    mixed before); --resume latest before any checkpoint restarts with cleared logs."""
    out = tmp_path / "r"
    cfg = TrainConfig(
        model="litclip-micro",
        data=str(corpus_dir),
        out=str(out),
        epochs=1,
        batch_size=8,
        progress=True,
        warmup_steps=1,
        log_every=1,
    )
    first = train(cfg)
    with pytest.raises(LitclipError, match="already holds a training run.*--resume latest"):
        train(cfg)
    for ck in (out / "checkpoints").iterdir():  # an attempt killed before its first checkpoint
        ck.unlink()
    shutil.rmtree(out / "model")  # (and so before its model)
    capsys.readouterr()
    again = train(TrainConfig.from_dict({**cfg.to_dict(), "resume": "latest"}))
    assert "starting from scratch" in capsys.readouterr().out
    steps = [m["step"] for m in _lines(out / "metrics.jsonl")]
    assert again.steps == first.steps and steps == sorted(steps) and len(steps) == len(set(steps))


def test_out_must_be_a_training_run_folder(corpus_dir: Path, tmp_path: Path) -> None:
    """A corpus or model folder as --out had its config.json overwritten by the run's."""
    other = tmp_path / "a_corpus"
    other.mkdir()
    (other / "manifest.csv").write_text("filepath,caption\n")
    (other / "config.json").write_text("{}")
    cfg = TrainConfig(model="litclip-micro", data=str(corpus_dir), out=str(other), epochs=1)
    with pytest.raises(LitclipError, match="holds other files .* is not a training run"):
        train(cfg)
    assert (other / "config.json").read_text() == "{}"
    from litclip.models import load_model, save_model

    model = save_model(load_model("litclip-micro"), tmp_path / "m")
    with pytest.raises(LitclipError, match="is \\(inside\\) the model"):
        train(TrainConfig(model=str(model), data=str(corpus_dir), out=str(model / "run")))


def test_with_accumulation_the_logged_loss_is_the_steps_mean(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The logged loss was the last micro-batch's (2.7293 where the step's mean was 2.491)."""
    from litclip.train import loop

    seen: list[float] = []
    real = loop.Trainer._micro_step

    def micro(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        parts = real(self, *args, **kwargs)
        seen.append(parts["loss"])
        return parts

    monkeypatch.setattr(loop.Trainer, "_micro_step", micro)
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "acc"), epochs=1,
        batch_size=4, accum_steps=2, max_steps=2, log_every=1, progress=False,
    )  # fmt: skip
    train(cfg)
    logged = [m["loss"] for m in _lines(tmp_path / "acc" / "metrics.jsonl") if m["kind"] == "train"]
    assert len(seen) == 4 and seen[0] != pytest.approx(seen[1])
    assert logged == pytest.approx([(seen[0] + seen[1]) / 2, (seen[2] + seen[3]) / 2])


def test_a_tie_keeps_the_later_model_and_does_not_reset_patience(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny val split ties at chance at every check: best_model stayed the first check's
    (step 3 of 18), and `litclip run` evaluated that as the fine-tuned model."""
    import litclip.train.loop as loop

    monkeypatch.setattr(loop, "validate", lambda *a, **k: {"mean_recall@1": 0.5, "n": 2.0})
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=8,
        epochs=3, val_fraction=0.25, val_metric="mean_recall@1", early_stop_patience=5,
        save_checkpoints=False, progress=False,
    )  # fmt: skip
    result = train(cfg)
    meta = json.loads((tmp_path / "r" / "best_model" / "litclip.json").read_text())
    assert meta["best_step"] == result.steps
    # a tie is no improvement: patience 1 ends the run at the second check
    short = train(cfg.with_overrides({"out": str(tmp_path / "r2"), "early_stop_patience": 1}))
    assert short.stopped_early and short.steps < result.steps


def test_training_longer_starts_at_the_new_schedules_lr(corpus_dir: Path, tmp_path: Path) -> None:
    """A finished run resumed with more epochs took its first new step at lr 0.0 (the old
    cosine's end), though it said the schedule follows the new length."""
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=8,
        epochs=1, log_every=1, progress=False,
    )  # fmt: skip
    first = train(cfg)
    longer = train(cfg.with_overrides({"resume": "latest", "epochs": 2}))
    lines = _lines(tmp_path / "r" / "metrics.jsonl")
    new = [m for m in lines if m["kind"] == "train" and m["step"] > first.steps]
    from litclip.train.optim import cosine_with_warmup

    factor = cosine_with_warmup(min(cfg.warmup_steps, max(1, longer.steps // 5)), longer.steps)
    assert new[0]["lr"] > 0
    assert [m["lr"] for m in new] == pytest.approx([cfg.lr * factor(m["step"] - 1) for m in new])


def test_an_early_stopped_run_goes_on_with_more_patience(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--help lists early_stop_patience among what a resume may change, yet the restored
    'stopped early' ended the run at once."""
    import litclip.train.loop as loop

    monkeypatch.setattr(loop, "validate", lambda *a, **k: {"mean_recall@1": 0.5, "n": 2.0})
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=8,
        epochs=4, val_fraction=0.25, val_metric="mean_recall@1", early_stop_patience=1,
        progress=False,
    )  # fmt: skip
    stopped = train(cfg)
    assert stopped.stopped_early
    more = train(cfg.with_overrides({"resume": "latest", "early_stop_patience": 10}))
    assert not more.stopped_early and more.steps > stopped.steps


def test_a_kill_after_an_epoch_end_validation_logs_it_once(
    corpus_dir: Path, val_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The epoch's last step was saved before its validation too: killed between that
    validation and the epoch-end save, the resume started there and validated again."""
    import litclip.train.loop as loop

    validated: list[int] = []
    real_validate = loop.Trainer._validate
    monkeypatch.setattr(
        loop.Trainer, "_validate", lambda s: validated.append(1) or real_validate(s)
    )
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), val_data=str(val_dir),
        out=str(tmp_path / "r"), epochs=2, batch_size=8, checkpoint_every=4, progress=False,
    )  # fmt: skip
    # the kill: after epoch 0's validation, before its save
    _killed_at_checkpoint(
        cfg,
        lambda t: bool(validated) and not t.state.batch_in_epoch and t.state.epoch == 1,
        saved=False,
    )
    train(cfg.with_overrides({"resume": "latest"}))
    steps = [m["step"] for m in _lines(tmp_path / "r" / "metrics.jsonl") if m["kind"] == "val"]
    assert steps == sorted(set(steps)) and len(steps) == 2


def test_a_run_resumed_with_loader_workers_replays_the_same_augmentations(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """With num_workers > 0 a resumed run drew other crops than the uninterrupted one (worker
    seeds followed where the loader started and which worker took a batch)."""
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "whole"), batch_size=8,
        epochs=1, checkpoint_every=1, log_every=1, num_workers=2, progress=False,
    )  # fmt: skip
    train(cfg)
    cut = cfg.with_overrides({"out": str(tmp_path / "cut")})
    _killed_at_checkpoint(cut, lambda t: t.state.step == 2)
    train(cut.with_overrides({"resume": "latest"}))
    assert _train_losses(tmp_path / "cut") == _train_losses(tmp_path / "whole")


def test_a_resumed_runs_clock_goes_on(corpus_dir: Path, tmp_path: Path) -> None:
    """elapsed_s restarted at 0 after --resume, so a resumed run's log read as faster."""
    cfg = TrainConfig(
        model="litclip-micro", data=str(corpus_dir), out=str(tmp_path / "r"), batch_size=8,
        epochs=1, checkpoint_every=1, log_every=1, progress=False,
    )  # fmt: skip
    _killed_at_checkpoint(cfg, lambda t: t.state.step == 2)
    train(cfg.with_overrides({"resume": "latest"}))
    lines = _lines(tmp_path / "r" / "metrics.jsonl")
    clock = [m["elapsed_s"] for m in lines if m["kind"] == "train"]
    assert clock == sorted(clock) and len(clock) > 2
