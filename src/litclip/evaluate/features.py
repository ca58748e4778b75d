"""Lazily loaded models and image features cached per model + dataset + split.

Features live in ``<out>/features/<model key>/<dataset key>/<split>.npy``. The model key
includes a digest of the loaded weights, so retraining into the same directory (or a
random-init built-in that loads differently) never reuses stale features. Zero-shot, calibration, linear probe and
few-shot all share one forward pass per split; a second ``litclip evaluate`` run over the same
output directory does no image encoding at all.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from litclip.io import atomic_write_json, read_json


def slug(text: str, max_len: int = 60) -> str:
    """A filesystem-safe name for a spec or dataset (readable prefix + short hash)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[-max_len:] or "x"
    return f"{base}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def weights_digest(model: Any) -> str:
    """A short hash of a model's parameters and buffers (identifies the actual weights)."""
    h = hashlib.sha1()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:12]


class ModelHandle:
    """A model spec whose :class:`~litclip.models.LoadedModel` is loaded on first use."""

    def __init__(self, spec: str, device: str = "cpu", precision: str = "fp32") -> None:
        self.spec = spec
        self.device = device
        self.precision = precision
        self._loaded: Any = None
        self._key: str | None = None
        self.random_init = False  # known once loaded; kept after release()

    @property
    def key(self) -> str:
        """Cache key: the spec plus a digest of the loaded weights.

        Built-in random-init specs (``litclip-tiny``) may give different weights on each load,
        and a model directory may be retrained in place; hashing the weights keeps cached
        features consistent with the model that encodes the text.
        """
        if self._key is None:
            self._key = f"{slug(self.spec)}-{weights_digest(self.loaded.model)}"
        return self._key

    @property
    def loaded(self) -> Any:
        """The :class:`~litclip.models.LoadedModel` (loaded now if needed)."""
        if self._loaded is None:
            from litclip.models import load_model

            self._loaded = load_model(self.spec, device=self.device, precision=self.precision)
            self.random_init = bool(self._loaded.meta.get("random_init"))
        return self._loaded

    @property
    def logit_scale(self) -> float:
        """The model's learned temperature ``exp(logit_scale)``, clamped to CLIP's 100."""
        scale = getattr(self.loaded.model, "logit_scale", None)
        return float(min(scale.exp().item(), 100.0)) if scale is not None else 100.0

    def release(self) -> None:
        """Drop the loaded model (frees memory between models); the key is kept."""
        self._loaded = None


def random_init_warning(spec: str) -> str:
    """What to tell a user whose ``spec`` (a bare open_clip architecture name) loaded random
    weights: the numbers measure an untrained network, not CLIP."""
    import open_clip

    tags = open_clip.list_pretrained_tags_by_model(spec)
    hint = f"; pretrained: {', '.join(f'{spec}:{t}' for t in tags[:3])}" if tags else ""
    return (
        f"{spec} has random weights (a bare architecture name loads no pretrained weights), "
        f"so its results are those of an untrained network{hint}"
    )


def dataset_digest(dataset: Any) -> str:
    """A digest of what a dataset holds, so cached features follow edits to it.

    Covers each image file's path, size and modification time (or a MedMNIST file's and
    WebDataset shards'), the labels and the captions: moving an image to another class
    folder, replacing it or editing a caption all change it.
    """
    h = hashlib.sha256(str(len(dataset)).encode())
    if isinstance(dataset, list | tuple) and all(isinstance(x, str | Path) for x in dataset):
        files = list(dataset)  # a list of image paths (retrieval's unique images)
    else:
        files = list(getattr(dataset, "filepaths", None) or [])
    for attr in ("path", "shards"):
        value = getattr(dataset, attr, None)
        files += [value] if isinstance(value, str | Path) else list(value or [])
    for f in files:
        try:
            st = os.stat(f)
            h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        except (OSError, TypeError):
            h.update(f"{f}|?\n".encode())
    labels = getattr(dataset, "labels", None)
    if labels is not None:
        h.update(np.ascontiguousarray(np.asarray(labels)).tobytes())
    for caption in getattr(dataset, "captions", None) or []:
        h.update(f"{caption}\n".encode())
    return h.hexdigest()[:16]


class FeatureCache:
    """Image features on disk, keyed by model, dataset and split (``None`` = no caching)."""

    def __init__(
        self, root: str | Path | None, batch_size: int = 64, progress: bool = True
    ) -> None:
        self.root = Path(root) if root is not None else None
        self.batch_size = batch_size
        self.progress = progress

    def path(self, model: ModelHandle, dataset_key: str, split: str) -> Path | None:
        """Where the features of ``dataset_key``/``split`` under ``model`` are stored."""
        if self.root is None:
            return None
        return self.root / model.key / slug(dataset_key) / f"{split}.npy"

    def images(self, model: ModelHandle, dataset: Any, dataset_key: str, split: str) -> np.ndarray:
        """``(N, D)`` L2-normalised image features of ``dataset`` (computed once, then read)."""
        from litclip.models import encode_images

        path = self.path(model, dataset_key, split)
        digest = dataset_digest(dataset) if path is not None else ""
        if path is not None and path.is_file() and path.with_suffix(".json").is_file():
            meta = read_json(path.with_suffix(".json"))
            if meta.get("digest") == digest and meta.get("spec") == model.spec:
                return np.load(path)
        feats = encode_images(
            model.loaded, dataset, batch_size=self.batch_size, out_path=path, progress=self.progress
        )
        feats = np.asarray(feats, dtype=np.float32)
        if path is not None:
            meta = {
                "spec": model.spec,
                "dataset": dataset_key,
                "split": split,
                "n": len(dataset),
                "digest": digest,
            }
            atomic_write_json(path.with_suffix(".json"), meta)
        return feats
