"""TrainConfig: files, overrides, validation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litclip.errors import LitclipError
from litclip.io import write_resolved_config
from litclip.train import TrainConfig


def test_yaml_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("model: litclip-micro\nlr: 1e-4\nval_k: [1, 5]\nlock_text: true\n")
    cfg = TrainConfig.from_file(path)
    assert cfg.lr == 1e-4 and isinstance(cfg.lr, float) and cfg.val_k == [1, 5] and cfg.lock_text
    cfg2 = cfg.with_overrides(["lr=3e-4", "epochs=2", "selip-fields=[location, signal]"])
    assert cfg2.lr == 3e-4 and cfg2.epochs == 2 and cfg2.selip_fields == ["location", "signal"]
    assert cfg.lr == 1e-4  # the original is unchanged


def test_resolved_config_json_roundtrip(tmp_path: Path) -> None:
    cfg = TrainConfig(model="litclip-micro", loss="selip", epochs=3)
    write_resolved_config(tmp_path, cfg.to_dict())
    assert TrainConfig.from_file(tmp_path / "config.json") == cfg


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"loss": "triplet"}, "loss"),
        ({"batch_size": 0}, "batch_size"),
        ({"nope": 1}, "unknown"),
        ({"lora": True, "lock_image": True}, "exclusive"),
        ({"lr": "fast"}, "number"),
        ({"epochs": 1.7}, "epochs expects an integer"),
        ({"batch_size": [16]}, "batch_size expects an integer"),
        ({"lock_text": "maybe"}, "expects true or false"),
        ({"grad_clip": "off"}, r"grad_clip expects a number \(or null\)"),
        ({"epochs": None}, "epochs needs a value"),
        ({"model": ["a"]}, "model expects text"),
        ({"val_metric": "recall@1"}, "val_metric must be one of"),
        ({"val_k": [5], "val_metric": "mean_recall@1"}, r"\['mean_recall@5'"),
        ({"grad_clip": -1}, r"grad_clip must be > 0 \(or 0/null to disable\)"),
        ({"grad_clip": float("nan")}, "grad_clip must be > 0"),
        ({"max_steps": -3}, "max_steps must be >= 1"),
        ({"max_steps": 0}, "max_steps must be >= 1"),
        ({"warmup_steps": -5}, "warmup_steps must be >= 0"),
        ({"num_workers": -1}, "num_workers must be >= 0"),
        ({"num_threads": -2}, "num_threads must be >= 1"),
        ({"log_every": -1}, r"log_every must be >= 1 \(0 logs every step too\)"),
        ({"val_every": -1}, "val_every must be >= 0"),
        ({"early_stop_patience": -1}, "early_stop_patience must be >= 0"),
        ({"checkpoint_every": -10}, "checkpoint_every must be >= 0"),
        ({"keep_checkpoints": -1}, r"keep_checkpoints must be >= 1 \(0 keeps the newest too\)"),
        ({"lora_rank": 0}, "lora_rank must be >= 1"),
    ],
)
def test_bad_values_are_user_errors(values: dict, match: str) -> None:
    with pytest.raises(LitclipError, match=match):
        TrainConfig.from_dict(values)


def test_hand_written_values_mean_what_they_say(tmp_path: Path) -> None:
    """A quoted "false" was truthy (the text tower got locked); 'image' was iterated as letters."""
    cfg = TrainConfig.from_dict(
        {"lock_text": "false", "augment": "no", "epochs": "3", "batch_size": 16.0,
         "val_k": 1, "lora_towers": "image", "grad_clip": "none", "val_fraction": "0.1"}
    )  # fmt: skip
    assert cfg.lock_text is False and cfg.augment is False
    assert cfg.epochs == 3 and cfg.batch_size == 16 and isinstance(cfg.batch_size, int)
    assert cfg.val_k == [1] and cfg.lora_towers == ["image"] and cfg.grad_clip is None
    assert cfg.val_fraction == 0.1
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    with pytest.raises(LitclipError, match="bad.yaml is not valid YAML") as exc:
        TrainConfig.from_file(bad)
    assert "\n" not in str(exc.value) and str(exc.value).endswith("at line 2, column 1")


def test_grad_clip_zero_or_null_still_disables() -> None:
    """Only negative norms are refused (they flip the gradients); 0 and null turn clipping off."""
    assert TrainConfig.from_dict({"grad_clip": 0}).grad_clip == 0
    assert TrainConfig().with_overrides(["grad_clip=null"]).grad_clip is None


def test_presets() -> None:
    cfg = TrainConfig.from_preset("cpu-small", data="x", epochs=3)
    assert (
        cfg.lock_text
        and cfg.model == "litclip-tiny"
        and cfg.epochs == 3
        and not cfg.save_checkpoints
    )
    with pytest.raises(LitclipError, match="preset"):
        TrainConfig.from_preset("gpu-huge")


def test_out_must_not_be_the_data_folder(tmp_path: Path) -> None:
    """A run's config.json would overwrite the corpus's own."""
    (tmp_path / "manifest.csv").write_text("filepath,caption\n")
    for data in (tmp_path, tmp_path / "manifest.csv"):
        with pytest.raises(LitclipError, match="data's own folder"):
            TrainConfig(data=str(data), out=str(tmp_path)).validate()
    TrainConfig(data=str(tmp_path), out=str(tmp_path / "run")).validate()


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("image_lr_mult", -1.0, "image_lr_mult must be >= 0"),
        ("text_lr_mult", -0.1, "text_lr_mult must be >= 0"),
        ("weight_decay", -0.1, "weight_decay must be >= 0"),
        ("beta1", 1.5, "beta1, beta2 must be in [0, 1)"),
        ("eps", -1e-8, "eps must be > 0"),
        ("selip_threshold", 1.5, "selip_threshold must be in [0, 1]"),
        ("lock_image_unlocked_groups", -1, "lock_image_unlocked_groups must be >= 0"),
        ("lock_text_unlocked_layers", -2, "lock_text_unlocked_layers must be >= 0"),
        ("lora_alpha", 0, "lora_alpha must be > 0"),
        ("lora_dropout", 1.5, "lora_dropout must be in [0, 1)"),
    ],
)
def test_values_that_train_wrong_are_refused(key: str, value: object, said: str) -> None:
    """Accepted before: a negative multiplier climbed its tower's loss, -1 unlocked groups
    trained nearly all of a 'locked' tower, lora_alpha 0 trained nothing while saying it
    trained, and the optimiser's own checks gave tracebacks mid-run."""
    with pytest.raises(LitclipError, match=re.escape(said)):
        TrainConfig.from_dict({key: value}).validate()


def test_options_whose_switch_is_off_are_named_as_ignored() -> None:
    """lock_image_unlocked_groups without lock_image (and the like) changed nothing, silently."""
    assert TrainConfig().ignored_options() == []
    cfg = TrainConfig(lock_image_unlocked_groups=2, lora_rank=4, selip_threshold=0.7)
    lines = cfg.ignored_options()
    assert lines == [
        "lock_image_unlocked_groups acts only with lock_image=true: ignored",
        "lora_rank acts only with lora=true: ignored",
        "selip_threshold acts only with loss=selip: ignored",
    ]
    on = TrainConfig(lock_image=True, lock_image_unlocked_groups=2, loss="selip", selip_ngram=2)
    assert on.ignored_options() == []
    assert TrainConfig(lock_text_train_proj=False).changed(("lock_text_train_proj", "lr")) == [
        "lock_text_train_proj"
    ]


def test_a_mistyped_option_or_model_gets_a_suggestion() -> None:
    """A list of fifty valid keys and no hint for "batchsize"; none for "litclip-tinny"."""
    from litclip.errors import ModelLoadError, did_you_mean
    from litclip.models import load_model

    with pytest.raises(LitclipError, match=r"\['batchsize'\] \(did you mean 'batch_size'\?\)"):
        TrainConfig.from_dict({"batchsize": 8})
    with pytest.raises(ModelLoadError, match=r"'litclip-tinny' \(did you mean 'litclip-tiny'\?\)"):
        load_model("litclip-tinny")
    assert did_you_mean(["zzz"], ["batch_size"]) == ""
    # not a near miss of another meaning: lr_image is no typo of lock_image (which freezes)
    assert did_you_mean(["lr_image"], ["lock_image", "image_lr_mult"]) == ""
