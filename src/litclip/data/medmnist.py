"""MedMNIST v2 ``.npz`` files (the official layout), at 28 px and the larger sizes.

A file holds ``train_images``, ``val_images``, ``test_images`` (uint8, ``(N, H, W)`` grayscale
or ``(N, H, W, 3)`` RGB) and ``*_labels`` (uint8, ``(N, 1)``, or ``(N, 14)`` for the
multi-label ChestMNIST). The dataset flag and size come from the file name, following the
``medmnist`` package (``pneumoniamnist.npz`` = 28 px, ``pneumoniamnist_224.npz`` = 224 px);
class names are shipped as data in ``medmnist_info.json``.

Memory: only the requested split is read. Members stored uncompressed are memory-mapped in
place; a large compressed member is extracted once to a cache file and memory-mapped; small
ones are loaded into RAM. Images are converted to PIL per item, never all at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from litclip.data.errors import DatasetNotFoundError, LitclipError

SPLITS = ("train", "val", "test")
TASKS = ("binary-class", "multi-class", "ordinal-regression", "multi-label")
# Compressed members larger than this are extracted to a cache file and memory-mapped.
_MMAP_THRESHOLD_BYTES = 256 * 1024**2
_FILENAME_RE = re.compile(r"^(?P<flag>[a-z0-9]+?mnist(?:3d)?)(?:_(?P<size>\d+))?$")


@cache
def _info() -> dict[str, dict[str, Any]]:
    text = resources.files("litclip.data").joinpath("medmnist_info.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


class _LazyInfo(Mapping[str, Mapping[str, Any]]):
    """Read-only view of ``medmnist_info.json``, parsed on first access (no import-time I/O)."""

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return _info()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_info())

    def __len__(self) -> int:
        return len(_info())

    def __repr__(self) -> str:
        return f"MEDMNIST_INFO({sorted(_info())})"


#: Files whose placeholder class names were warned about (each once per process)
_PLACEHOLDERS_SAID: set[Path] = set()

#: Per-flag metadata for the 12 MedMNIST v2 2D datasets: ``task``, ``n_channels``,
#: ``modality``, ``label_names`` (official), ``classnames`` (human-readable), ``n_samples``.
MEDMNIST_INFO: Mapping[str, Mapping[str, Any]] = _LazyInfo()


def parse_medmnist_filename(path: str | os.PathLike[str]) -> tuple[str | None, int]:
    """Return ``(flag, size)`` from a file name: ``pneumoniamnist_224.npz`` -> ``("pneumoniamnist", 224)``.

    ``flag`` is ``None`` when the name does not follow the medmnist convention.
    """
    m = _FILENAME_RE.match(Path(path).stem.lower())
    if not m:
        return None, 28
    return m["flag"], int(m["size"] or 28)


def _cache_dir() -> Path:
    root = os.environ.get("LITCLIP_CACHE") or os.path.join(Path.home(), ".cache", "litclip")
    return Path(root) / "medmnist"


def _member_offset(fh: Any, info: zipfile.ZipInfo) -> int:
    """Byte offset of a stored member's data inside the zip (after its local header)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len


def _mmap_stored(path: Path, info: zipfile.ZipInfo) -> np.ndarray:
    with open(path, "rb") as fh:
        fh.seek(_member_offset(fh, info))
        version = np.lib.format.read_magic(fh)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(fh)
        offset = fh.tell()
    order = "F" if fortran else "C"
    return np.memmap(path, dtype=dtype, mode="r", shape=shape, offset=offset, order=order)


def _extract_to_cache(path: Path, zf: zipfile.ZipFile, member: str) -> np.ndarray:
    st = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    target = _cache_dir() / f"{path.stem}-{key}-{member}"
    if not target.is_file():
        from litclip.io import atomic_path

        with atomic_path(target) as tmp, zf.open(member) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, length=16 * 1024**2)
    return np.load(target, mmap_mode="r")


def read_npz_member(path: Path, member: str) -> np.ndarray:
    """Read one array from an ``.npz`` without loading the others, memory-mapped when large."""
    with zipfile.ZipFile(path) as zf:
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise LitclipError(
                f"{path} has no array {member[:-4]!r} (it has {sorted(n[:-4] for n in zf.namelist())}). "
                "A MedMNIST file needs train_images/val_images/test_images and the matching *_labels; "
                "download the official file from https://zenodo.org/records/10519652."
            ) from None
        if info.compress_type == zipfile.ZIP_STORED:
            return _mmap_stored(path, info)
        if info.file_size > _MMAP_THRESHOLD_BYTES:
            return _extract_to_cache(path, zf, member)
        with zf.open(member) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False)


class MedMNISTDataset:
    """One split of a MedMNIST ``.npz`` file: ``ds[i] -> (PIL RGB image, label)``.

    Attributes:
        name: dataset flag (``pneumoniamnist``) or the file stem for unknown files.
        split: ``train`` | ``val`` | ``test``.
        task: ``binary-class`` | ``multi-class`` | ``ordinal-regression`` | ``multi-label``.
        classnames: human-readable class names (index = label).
        labels: ``int64`` array ``(N,)``; ``(N, C)`` 0/1 matrix for multi-label data.
        images: the uint8 image array (memory-mapped when large).
        size: image side in pixels.
        skipped: always empty (arrays cannot hold a corrupt image); kept for a uniform API.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        split: str = "test",
        *,
        classnames: Sequence[str] | None = None,
        task: str | None = None,
        label: str | int | None = None,
        transform: Callable[[Image.Image], Any] | None = None,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DatasetNotFoundError(
                f"MedMNIST file not found: {self.path}. Expected an official MedMNIST .npz "
                "(e.g. pneumoniamnist.npz or pneumoniamnist_224.npz); check the path or download "
                "it from https://zenodo.org/records/10519652."
            )
        if split not in SPLITS:
            raise LitclipError(
                f"unknown split {split!r} for {self.path}; choose one of {list(SPLITS)}"
            )
        self.split = split
        self.transform = transform
        flag, self.size = parse_medmnist_filename(self.path)
        self.info: Mapping[str, Any] = MEDMNIST_INFO.get(flag, {}) if flag else {}
        self.name = flag if self.info else self.path.stem
        self.images = self._read(f"{split}_images.npy")
        self.labels = self._read_labels(f"{split}_labels.npy")
        self.task = self._resolve_task(task, picks_finding=label is not None)
        self.multilabel = self.task == "multi-label"
        self.classnames = self._resolve_classnames(classnames)
        self.finding: str | None = None
        if label is not None:
            self._pick_finding(label)
        self.skipped: list[Any] = []
        self._check_shapes()

    def _pick_finding(self, label: str | int) -> None:
        """``label``: one finding of a multi-label file, as a binary task (absent, present)."""
        if self.labels.ndim != 2:  # (a task given beside it does not make it one)
            raise LitclipError(
                f"label= picks one finding of a multi-label file (ChestMNIST); {self.path} is "
                f"{self.task}: leave label out"
            )
        j = finding_index(self.classnames, label, self.info.get("label_names"))
        if j is None:
            raise LitclipError(
                f"{self.path} has no finding {label!r}; choose one of "
                f"{', '.join(self.classnames)} (or its index, from 0)"
            )
        name = self.classnames[j]
        self.labels = np.ascontiguousarray(self.labels[:, j])
        self.task, self.multilabel, self.finding = "binary-class", False, name
        self.classnames = [f"no {name}", name]
        self.name = finding_name(self.name, name)

    def _read(self, member: str) -> np.ndarray:
        try:
            return read_npz_member(self.path, member)
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise LitclipError(
                f"cannot read {member} from {self.path}: {exc}. The file looks corrupt or is not a "
                "MedMNIST .npz; re-download it and compare its MD5 with medmnist.INFO."
            ) from exc

    def _read_labels(self, member: str) -> np.ndarray:
        labels = np.asarray(self._read(member), dtype=np.int64)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        return labels

    def _n_classes(self) -> int:
        """Label values over every split (one split may lack the highest class)."""
        with zipfile.ZipFile(self.path) as zf:
            present = set(zf.namelist())
        members = [f"{s}_labels.npy" for s in SPLITS if f"{s}_labels.npy" in present]
        return max(int(self._read_labels(m).max(initial=-1)) for m in members) + 1

    def _resolve_task(self, task: str | None, picks_finding: bool = False) -> str:
        given = task is not None
        task = task or self.info.get("task")
        if task is None:
            binary = self.labels.ndim == 1 and self._n_classes() == 2
            task = (
                "multi-label"
                if self.labels.ndim == 2
                else ("binary-class" if binary else "multi-class")
            )
        if task not in TASKS:
            raise LitclipError(
                f"unknown task {task!r} for {self.path}; choose one of {list(TASKS)}"
            )
        if given and task != "multi-label" and self.labels.ndim == 2 and not picks_finding:
            raise LitclipError(  # rows of findings are no class indices
                f"task {task} for {self.path}, whose labels are rows of "
                f"{self.labels.shape[1]} findings (multi-label): leave task out, and pick one "
                "finding with label=NAME to score it as a binary task"
            )
        if given and task == "binary-class" and self.labels.ndim == 1 and self._n_classes() > 2:
            raise LitclipError(  # F1, sensitivity and the threshold would read class 1 alone
                f"task binary-class for {self.path}, whose labels go up to "
                f"{self._n_classes() - 1}: give ?task=multi-class, or leave task out"
            )
        return task

    def _resolve_classnames(self, classnames: Sequence[str] | None) -> list[str]:
        if classnames is not None:
            names = [str(c) for c in classnames]
        elif self.info:
            names = list(self.info["classnames"])
        else:
            n = self.labels.shape[1] if self.labels.ndim == 2 else self._n_classes()
            names = [f"class {i}" for i in range(n)]
            if self.path.resolve() not in _PLACEHOLDERS_SAID:  # once a file, not once a split
                _PLACEHOLDERS_SAID.add(self.path.resolve())
                flags = ", ".join(sorted(MEDMNIST_INFO))
                warnings.warn(
                    f"{self.path.name} is not named after a MedMNIST flag ({flags}), so its "
                    "classes are 'class 0', 'class 1'...: name it FLAG.npz or "
                    "FLAG_SIZE.npz (e.g. retinamnist_64.npz), or give zero-shot its class names "
                    "with --prompts FILE (in Python: classnames=[...])",
                    stacklevel=3,
                )
        n_labels = (
            self.labels.shape[1] if self.labels.ndim == 2 else int(self.labels.max(initial=-1)) + 1
        )
        if len(names) < n_labels and classnames is None and self.info:
            raise LitclipError(
                f"{self.path} is named {self.name}, which has {len(names)} classes, but holds "
                f"labels up to {n_labels - 1}: it is another dataset's file; give it the name of "
                "its own MedMNIST flag (e.g. retinamnist.npz)"
            )
        if len(names) < n_labels:
            raise LitclipError(
                f"{self.path} has labels up to {n_labels - 1} but only {len(names)} class names were "
                "given; pass one class name per label."
            )
        return names

    def _check_shapes(self) -> None:
        if self.images.ndim not in (3, 4) or len(self.images) != len(self.labels):
            raise LitclipError(
                f"{self.path}: {self.split}_images has shape {self.images.shape} and "
                f"{self.split}_labels {self.labels.shape}; expected (N, H, W[, 3]) images with one "
                "label row each (the official MedMNIST layout). Re-download the file."
            )
        if not len(self.images):  # found now, not as an "empty input" deep inside a metric
            raise LitclipError(
                f"{self.path} has no {self.split} images ({self._split_sizes()}): choose "
                "another split (--split), or use a file whose split holds images."
            )
        self.size = int(self.images.shape[1])
        channels = int(self.images.shape[-1]) if self.images.ndim == 4 else 1
        wanted = self.info.get("n_channels")
        if wanted is not None and channels != wanted:  # another dataset under this one's name
            kinds = {1: "grayscale", 3: "colour (RGB)"}
            raise LitclipError(
                f"{self.path} is named {self.name}, whose images are {kinds.get(wanted, wanted)}, "
                f"but holds {kinds.get(channels, f'{channels}-channel')} images: it is another dataset's file; give it the "
                "name of its own MedMNIST flag (e.g. pneumoniamnist.npz)"
            )

    def _split_sizes(self) -> str:
        with zipfile.ZipFile(self.path) as zf:
            present = set(zf.namelist())
        return ", ".join(
            f"{s} {len(self._read(f'{s}_labels.npy'))}"
            for s in SPLITS
            if f"{s}_labels.npy" in present
        )

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_skipped(self) -> int:
        """Always 0: decoded arrays cannot hold an unreadable image (uniform dataset API)."""
        return 0

    def image(self, i: int) -> Image.Image:
        """Item ``i`` as an RGB PIL image (grayscale is replicated to 3 channels)."""
        arr = np.asarray(self.images[i])
        return Image.fromarray(arr).convert("RGB")

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        if not -len(self) <= i < len(self):
            raise IndexError(
                f"index {i} out of range for {self.name}/{self.split} with {len(self)} items"
            )
        img: Any = self.image(i)
        if self.transform is not None:
            img = self.transform(img)
        label = self.labels[i]
        return img, (label.copy() if self.multilabel else int(label))

    def __repr__(self) -> str:
        return (
            f"MedMNISTDataset(name={self.name!r}, split={self.split!r}, n={len(self)}, "
            f"size={self.size}, task={self.task!r}, classes={len(self.classnames)})"
        )


def finding_index(
    names: Sequence[str], label: str | int, aliases: Sequence[str] | None = None
) -> int | None:
    """Which of a multi-label file's findings ``label`` names: its class name or the
    ``medmnist`` label name, in any case, ``_`` for a space ("pleural_effusion"), or its
    index; ``None`` when none."""
    key = str(label).strip().lower().replace("_", " ")
    for options in (names, aliases or ()):
        found = [i for i, n in enumerate(options) if str(n).lower() == key]
        if found:
            return found[0]
    return int(key) if key.isdigit() and int(key) < len(names) else None


def finding_name(dataset: str, finding: str) -> str:
    """The name one finding of a multi-label dataset is filed under ("chestmnist-pleural-effusion")."""
    return f"{dataset}-{finding.replace(' ', '-')}"


def load_medmnist(
    path: str | os.PathLike[str],
    split: str = "test",
    *,
    classnames: Sequence[str] | None = None,
    task: str | None = None,
    label: str | int | None = None,
    transform: Callable[[Image.Image], Any] | None = None,
) -> MedMNISTDataset:
    """Open one split of a MedMNIST ``.npz`` file.

    Args:
        path: an official MedMNIST file (``<flag>.npz`` or ``<flag>_<size>.npz``).
        split: ``train``, ``val`` or ``test``.
        classnames: override the shipped class names (one per label).
        task: override the task type (needed only for files with an unknown flag).
        label: for a multi-label file (ChestMNIST), one finding (name or index) to read as
            a binary task: ``no <finding>`` (0) against ``<finding>`` (1); the dataset's
            name becomes ``<flag>-<finding>``.
        transform: optional callable applied to each PIL image.

    Returns:
        A :class:`MedMNISTDataset`.

    Raises:
        DatasetNotFoundError: the file does not exist.
        LitclipError: the file is not in the MedMNIST layout, or the split is unknown.
    """
    return MedMNISTDataset(
        path, split, classnames=classnames, task=task, label=label, transform=transform
    )
