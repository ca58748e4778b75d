"""Typed configuration of ``litclip run`` / ``litclip demo`` (one YAML/TOML/JSON file).

Each stage section holds overrides for that stage's own config dataclass; unknown keys are a
user error that names the valid ones. The resolved config is written back as
``OUT/run_config.json``.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from litclip.errors import LitclipError, did_you_mean
from litclip.io import parse_error
from litclip.typed import coerce_fields


@dataclass
class SplitOptions:
    """How pairs are split into train / val / test: by article, never by pair."""

    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 0
    kinds: list[str] | None = field(default_factory=lambda: ["image"])  # None keeps all kinds
    only_qc_pass: bool = True
    splits_file: str | None = (
        None  # JSON {"train": [pdf names or ids], "val": [...], "test": [...]}
    )


@dataclass
class EvaluateOptions:
    """What ``run`` evaluates for the base and the fine-tuned model."""

    # contamination: near-duplicates of the run's training pairs among the evaluation images
    tasks: list[str] = field(
        default_factory=lambda: [
            "retrieval",
            "zeroshot",
            "calibration",
            "linear-probe",
            "contamination",
        ]
    )
    datasets: list[str] = field(default_factory=list)  # extra dataset specs (folder:, medmnist:)
    batch_size: int = 64
    notes: list[str] = field(default_factory=list)  # said at the top of the report


@dataclass
class IndexOptions:
    """The search index built over the corpus with the fine-tuned model."""

    enabled: bool = True
    include_rejected: bool = False


@dataclass
class RunConfig:
    """Options of the whole job."""

    pdfs: str = ""
    out: str = ""  # required: a run writes GBs, never into a folder the user did not name
    model: str = "litclip-tiny"
    seed: int = 0
    device: str = "cpu"
    corpus: dict[str, Any] = field(default_factory=dict)  # litclip.corpus.CorpusConfig fields
    split: SplitOptions = field(default_factory=SplitOptions)
    train: dict[str, Any] = field(default_factory=dict)  # litclip.train.TrainConfig fields
    evaluate: EvaluateOptions = field(default_factory=EvaluateOptions)
    index: IndexOptions = field(default_factory=IndexOptions)


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise LitclipError(f"config file '{path}' does not exist")
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".yaml", ".yml"}:
            data = yaml.safe_load(text) or {}
        elif path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise LitclipError(f"config file '{path}': use .yaml, .yml, .toml or .json")
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: JSON, UTF-8
        raise LitclipError(f"config file '{path}' is not valid: {parse_error(exc)}") from None
    if not isinstance(data, dict):
        raise LitclipError(f"config file '{path}' must hold a mapping at the top level")
    return data


_SECTIONS: dict[str, type] = {
    "split": SplitOptions,
    "evaluate": EvaluateOptions,
    "index": IndexOptions,
}


def _check_keys(cls: type, data: dict[str, Any], where: str) -> None:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise LitclipError(
            f"unknown option(s) {', '.join(unknown)} in '{where}'"
            f"{did_you_mean(unknown, names)}; valid: {', '.join(sorted(names))}"
        )


def _build(data: dict[str, Any]) -> RunConfig:
    _check_keys(RunConfig, data, "config")
    kwargs = dict(data)
    split = kwargs.get("split") or {}
    if kwargs.get("seed") is not None and isinstance(split, dict) and "seed" not in split:
        kwargs["split"] = {**split, "seed": kwargs["seed"]}  # the run's seed splits too
    for key, cls in _SECTIONS.items():
        if key in kwargs:
            section = kwargs.pop(key) or {}
            if not isinstance(section, dict):
                raise LitclipError(
                    f"config.{key} must be a mapping of option: value, got {section!r}"
                )
            _check_keys(cls, section, f"config.{key}")
            kwargs[key] = cls(**_typed(cls, section, f"config.{key}"))
    for key in ("corpus", "train"):
        if kwargs.get(key) is None:
            kwargs.pop(key, None)
    return RunConfig(**_typed(RunConfig, kwargs, "config"))


def _typed(cls: type, values: dict[str, Any], where: str) -> dict[str, Any]:
    """``values`` cast to ``cls``'s field types, an error naming ``where`` otherwise."""
    try:
        return coerce_fields(cls, values)
    except LitclipError as exc:
        raise LitclipError(f"{where}: {exc}") from None


def load_run_config(path: str | Path | None = None, **overrides: Any) -> RunConfig:
    """Read a config file (optional) and apply non-None keyword overrides on top."""
    data = _read_file(Path(path)) if path else {}
    for key, value in overrides.items():
        if value is not None:
            data[key] = value
    return _build(data)


def check_split(opts: SplitOptions) -> None:
    """Refuse fractions that leave no articles to train on (said before the corpus build)."""
    for name, role in (("val_fraction", "validation"), ("test_fraction", "test")):
        value = getattr(opts, name)
        if not 0 < value < 1:  # 0 was taken as one article all the same, without a word
            raise LitclipError(
                f"config.split.{name} must be in (0, 1), got {value:g}: `litclip run` holds out "
                f"at least one article for {role}"
            )
    if opts.val_fraction + opts.test_fraction >= 1:
        raise LitclipError(
            f"config.split.val_fraction + test_fraction = "
            f"{opts.val_fraction + opts.test_fraction:g} leaves no articles to train on: "
            "keep their sum under 1"
        )


def stage_config(cls: type, overrides: dict[str, Any], where: str, **defaults: Any) -> Any:
    """Instantiate a stage's config dataclass from defaults + user overrides (checked keys)."""
    _check_keys(cls, overrides, where)
    names = {f.name for f in dataclasses.fields(cls)}
    merged = {k: v for k, v in defaults.items() if k in names}
    merged.update(_typed(cls, overrides, where))
    return cls(**merged)
