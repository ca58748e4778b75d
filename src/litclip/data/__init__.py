"""Dataset readers: MedMNIST ``.npz``, image folders, pair manifests, WebDataset shards.

Every map-style dataset returns ``(PIL RGB image, target)`` items and exposes ``len``;
classification datasets add ``classnames``, ``labels`` and ``task``, pair datasets add
``captions`` and ``filepaths``. :func:`open_dataset` opens any of them from a
``KIND:PATH`` spec. Submodules are imported on first use, so importing this package is cheap
(no torch import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litclip.data._images import SkippedItem, open_rgb, to_rgb
    from litclip.data.errors import CorruptImageError
    from litclip.data.folder import ImageFolderDataset
    from litclip.data.medmnist import MEDMNIST_INFO, MedMNISTDataset, load_medmnist
    from litclip.data.pairs import PairsDataset, read_manifest
    from litclip.data.registry import list_datasets, open_dataset, register_dataset
    from litclip.data.webdataset import WebDatasetMap, WebDatasetPairs, expand_shards

# Explicit name -> module table (lazy attribute access, PEP 562).
_EXPORTS = {
    "load_medmnist": "medmnist",
    "MedMNISTDataset": "medmnist",
    "MEDMNIST_INFO": "medmnist",
    "ImageFolderDataset": "folder",
    "PairsDataset": "pairs",
    "read_manifest": "pairs",
    "WebDatasetPairs": "webdataset",
    "WebDatasetMap": "webdataset",
    "expand_shards": "webdataset",
    "open_dataset": "registry",
    "register_dataset": "registry",
    "list_datasets": "registry",
    "SkippedItem": "_images",
    "to_rgb": "_images",
    "open_rgb": "_images",
    "CorruptImageError": "errors",
}

__all__ = [
    "open_rgb",
    "to_rgb",
    "MEDMNIST_INFO",
    "CorruptImageError",
    "ImageFolderDataset",
    "MedMNISTDataset",
    "PairsDataset",
    "SkippedItem",
    "WebDatasetMap",
    "WebDatasetPairs",
    "expand_shards",
    "list_datasets",
    "load_medmnist",
    "open_dataset",
    "read_manifest",
    "register_dataset",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'litclip.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"litclip.data.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
