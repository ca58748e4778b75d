"""Write a model directory (ARCHITECTURE contract 3).

Layout of ``OUT/``:

- ``open_clip_model.safetensors``: the full state dict.
- ``open_clip_config.json``: ``{"model_cfg": ..., "preprocess_cfg": ...}`` (open_clip's
  local-dir layout), so ``open_clip.create_model_and_transforms("local-dir:OUT")`` loads it.
- for a Hugging Face text tower: its ``config.json`` and tokenizer files, so the folder is
  self-contained (no hub, no site-packages path needed).
- ``litclip.json``: litclip version, base model spec, training config and metrics.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch

from litclip import __version__
from litclip.io import atomic_folder, atomic_path, atomic_write_json, foreign_entries, now_iso
from litclip.models.loading import LITCLIP_META, OPEN_CLIP_CONFIG, WEIGHTS_FILE, LoadedModel

_HF_TEXT_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
    "merges.txt",
    "vocab.json",
    "sentencepiece.bpe.model",
    "spiece.model",
)

#: What a model directory holds (a folder with anything else is not one)
MODEL_FILES = frozenset({WEIGHTS_FILE, OPEN_CLIP_CONFIG, LITCLIP_META, *_HF_TEXT_FILES})


def state_dict_for_saving(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A contiguous CPU copy of the state dict (safetensors refuses shared/strided storage)."""
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}


def save_model(
    loaded: LoadedModel,
    out_dir: str | Path,
    metadata: dict[str, Any] | None = None,
    model: torch.nn.Module | None = None,
) -> Path:
    """Save ``loaded`` (or ``model`` with ``loaded``'s config) as a litclip model directory.

    Args:
        loaded: the model and its configs.
        out_dir: target folder (created). It is written whole beside and then renamed into
            place, unless it holds other files than a model's.
        metadata: extra entries for ``litclip.json`` (training config, metrics, ...).
        model: weights to save instead of ``loaded.model`` (e.g. a merged LoRA model).

    Returns:
        The output directory.
    """
    out = Path(out_dir)
    if out.is_dir() and foreign_entries(out, MODEL_FILES):
        # a folder of other files too (``interpolate --out .``): they must stay, so each
        # model file is replaced on its own
        _write_model(loaded, out, out, metadata, model)
        return out
    with atomic_folder(out) as tmp:  # a killed save leaves the earlier model whole
        _write_model(loaded, tmp, out, metadata, model)
    return out


def _write_model(
    loaded: LoadedModel,
    folder: Path,
    final: Path,
    metadata: dict[str, Any] | None,
    model: torch.nn.Module | None,
) -> None:
    """Write the model files into ``folder``, which will be known as ``final``."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    model_cfg = json.loads(json.dumps(loaded.model_cfg))
    text_cfg = model_cfg.get("text_cfg", {})
    hf_src = text_cfg.get("hf_model_name")
    if hf_src and Path(hf_src).is_dir():
        for name in _HF_TEXT_FILES:
            src = Path(hf_src) / name
            if src.is_file() and src.resolve() != (folder / name).resolve():
                with atomic_path(folder / name) as tmp:
                    shutil.copyfile(src, tmp)
        # Absolute path so plain open_clip finds config + tokenizer; litclip re-points on load.
        text_cfg["hf_model_name"] = str(final.resolve())
        text_cfg["hf_tokenizer_name"] = str(final.resolve())
        text_cfg.pop("hf_model_pretrained", None)
    with atomic_path(folder / WEIGHTS_FILE) as tmp:
        save_file(state_dict_for_saving(model or loaded.model), str(tmp))
    preprocess = {k: v for k, v in loaded.preprocess_cfg.items() if k != "size"}
    atomic_write_json(
        folder / OPEN_CLIP_CONFIG, {"model_cfg": model_cfg, "preprocess_cfg": preprocess}
    )
    meta = {
        "litclip_version": __version__,
        "created": now_iso(),
        "model_name": loaded.model_name,
        "base_spec": loaded.meta.get("base_spec", loaded.spec),
        **(metadata or {}),
    }
    atomic_write_json(folder / LITCLIP_META, meta)
