"""RunConfig files: YAML/TOML/JSON, overrides, unknown keys."""

from __future__ import annotations

import pytest

from litclip.errors import LitclipError
from litclip.workflow.config import SplitOptions, load_run_config, stage_config


def test_defaults_and_overrides() -> None:
    cfg = load_run_config(None, pdfs="p", out="o", model=None)
    assert cfg.pdfs == "p" and cfg.out == "o" and cfg.model == "litclip-tiny"
    assert cfg.split.kinds == ["image"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.yaml", "model: m\nsplit:\n  seed: 3\ntrain:\n  epochs: 2\n"),
        ("c.toml", 'model = "m"\n[split]\nseed = 3\n[train]\nepochs = 2\n'),
        ("c.json", '{"model": "m", "split": {"seed": 3}, "train": {"epochs": 2}}'),
    ],
)
def test_file_formats(tmp_path, name, text) -> None:
    path = tmp_path / name
    path.write_text(text)
    cfg = load_run_config(path)
    assert cfg.model == "m" and cfg.split.seed == 3 and cfg.train == {"epochs": 2}


def test_unknown_keys_name_the_valid_ones(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("split:\n  sed: 3\n")
    with pytest.raises(LitclipError, match="sed.*valid:.*seed"):
        load_run_config(path)
    path.write_text("modle: x\n")
    with pytest.raises(LitclipError, match="modle"):
        load_run_config(path)


def test_bad_files(tmp_path) -> None:
    with pytest.raises(LitclipError, match="does not exist"):
        load_run_config(tmp_path / "missing.yaml")
    bad = tmp_path / "c.yaml"
    bad.write_text("a: [1,\n")
    with pytest.raises(LitclipError, match="not valid") as exc:
        load_run_config(bad)
    # one line that says where, not PyYAML's pointer under "<unicode string>"
    assert "\n" not in str(exc.value) and "<unicode string>" not in str(exc.value)
    assert str(exc.value).endswith("at line 2, column 1")
    bad.write_bytes(b"a: \xff\xfe\n")  # not UTF-8: said, no traceback
    with pytest.raises(LitclipError, match="not valid: 'utf-8' codec can't decode"):
        load_run_config(bad)
    txt = tmp_path / "c.txt"
    txt.write_text("x")
    with pytest.raises(LitclipError, match="yaml"):
        load_run_config(txt)


def test_stage_config_checks_keys() -> None:
    opts = stage_config(SplitOptions, {"seed": 5}, "split", val_fraction=0.2, unrelated=1)
    assert opts.seed == 5 and opts.val_fraction == 0.2
    with pytest.raises(LitclipError, match="nope"):
        stage_config(SplitOptions, {"nope": 1}, "split")


def test_hand_written_values_are_typed(tmp_path) -> None:
    """A quoted "no" built the index anyway; a single task was split into letters; a quoted
    fraction failed only after the corpus was built."""
    path = tmp_path / "run.yaml"
    path.write_text(
        'index: {enabled: "no"}\nevaluate: {tasks: retrieval}\nsplit: {val_fraction: "0.1"}\n'
    )
    cfg = load_run_config(path)
    assert cfg.index.enabled is False and cfg.evaluate.tasks == ["retrieval"]
    assert cfg.split.val_fraction == 0.1
    path.write_text("split: [0.1]\n")
    with pytest.raises(LitclipError, match="config.split must be a mapping"):
        load_run_config(path)


def test_the_run_seed_reaches_the_split_unless_it_has_its_own(tmp_path) -> None:
    assert load_run_config(None, seed=5).split.seed == 5
    path = tmp_path / "c.yaml"
    path.write_text("seed: 4\nsplit: {kinds: null}\n")
    assert load_run_config(path).split.seed == 4
    assert load_run_config(path, seed=6).split.seed == 6
    path.write_text("split: {seed: 3}\n")
    assert load_run_config(path, seed=6).split.seed == 3
