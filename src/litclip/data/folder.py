"""Image folders: one sub-folder per class, optionally under split folders.

Layouts: ``ROOT/<split>/<class>/*.png`` when split folders exist, else ``ROOT/<class>/*.png``.
Class names are the folder names with ``_`` turned into spaces (``00_normal`` stays
``00 normal``; pass ``classnames=`` to override). Labels follow the sorted folder names, unless
a ``classes.json`` in the root or up to two parents lists exactly those folders under
``classes`` (or ``folder_names``): then its order is the label order, so a binary task's
finding ("hemorrhage" after "no_hemorrhage") is the positive class 1. A ``classes.json`` that
lists other names (in any case), is not valid JSON or has another shape is an error, never
ignored (sorted order could flip the positive class); one with only ``classnames``, or whose
``classes`` name no folder beside ``templates``, is a prompt file.
Unreadable images follow the policy in :mod:`litclip.data._images` (skipped and counted by
default).
"""

from __future__ import annotations

import os
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from litclip.data._images import IMAGE_EXTENSIONS, ImageFilesDataset
from litclip.data.errors import DatasetNotFoundError, LitclipError
from litclip.data.splits import split_names
from litclip.io import read_json_object

SPLIT_NAMES = ("train", "val", "valid", "validation", "test")


def _subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


CLASSES_FILE = "classes.json"


def find_classes_file(root: str | os.PathLike[str]) -> Path | None:
    """``classes.json`` in a folder dataset's root or up to two parents (split/task dirs)."""
    root = Path(root)
    for d in [root, *list(root.parents)[:2]]:
        if (d / CLASSES_FILE).is_file():
            return d / CLASSES_FILE
    return None


def _declared_names(path: Path) -> tuple[list[str] | None, bool]:
    """The class folders a ``classes.json`` lists in label order (``None``: a prompt file that
    names no folders), and whether they may be a prompt file's display names instead (its
    ``classes`` beside ``templates``, see :mod:`litclip.evaluate.prompts`). A file that cannot
    say is an error: guessing flips the positive class."""
    example = '{"classes": ["normal", "pneumonia"]}'
    data = read_json_object(path, f"write it as {example}, the class folders in label order")
    names = data.get("folder_names") or data.get("classes")
    if names is None and "classnames" not in data:
        raise LitclipError(
            f"{path} has no 'classes' (or 'folder_names') list: write {example}, the class "
            "folders in label order."
        )
    alone = "folder_names" not in data and "classnames" not in data and "templates" in data
    if names is None or isinstance(names, dict):  # prompt file: display names, no order
        return None, alone
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise LitclipError(
            f"'classes' in {path} must be a list of the class folder names in label order, "
            f"e.g. {example}."
        )
    return names, alone


def _declared_order(root: Path, class_dirs: list[Path]) -> list[Path]:
    """``class_dirs`` in the order a ``classes.json`` beside them declares (else as given).

    Entries are folder names or their class names (``no_bleed`` or ``no bleed``)."""
    path = find_classes_file(root)
    names, alone = (None, False) if path is None else _declared_names(path)
    if names is None:
        return class_dirs
    # a folder's name or its class name, in any case ("Healthy" is healthy/)
    lookup = {d.name.replace("_", " ").strip().lower(): d for d in class_dirs}
    lookup.update({d.name.lower(): d for d in class_dirs})
    chosen = [lookup[n.lower()] for n in names if n.lower() in lookup]
    if not chosen and alone:
        return class_dirs  # a prompt file's display names under "classes": no folder named
    problems = [
        f"{label}: {found}"
        for label, found in (
            ("not class folders", [n for n in names if n.lower() not in lookup]),
            ("folders not listed", [d.name for d in class_dirs if d not in chosen]),
            ("listed twice", sorted({d.name for d in chosen if chosen.count(d) > 1})),
        )
        if found
    ]
    if problems:
        raise LitclipError(
            f"{path} does not match the class folders {[d.name for d in class_dirs]}: "
            f"{'; '.join(problems)}. List every class folder once, in label order, or "
            "remove the file (display names for prompts go under 'classnames')."
        )
    return chosen


def _is_output_dir(path: Path) -> bool:
    """A litclip output folder (``--out`` put inside the dataset): never a class."""
    if (path / "results.json").is_file():
        return True
    config = path / "config.json"
    try:
        return config.is_file() and "litclip_version" in config.read_text(encoding="utf-8")
    except OSError:
        return False


def class_folders(root: str | os.PathLike[str]) -> list[str]:
    """The class folder names of a dataset, sorted: those that hold images in any split.

    With split folders the classes are the union over all splits, so a class missing from
    one split keeps its label in the others (and ``train/Pneumonia`` never becomes another
    class than ``test/Pneumonia``). Empty folders and litclip output folders are not
    classes; names that differ only in case across splits are an error, not two classes.
    """
    root = Path(root)
    splits = find_splits(root)
    tops = [root / s for s in splits] if splits else [root]
    _warn_beside_splits(root, splits)
    found: dict[str, bool] = {}
    for top in tops:
        for d in _subdirs(top):
            if not _is_output_dir(d):
                # one image is enough to know: the split's own listing comes later
                # one spelling of a name: macOS writes "Ö" as O + a combining mark (NFD)
                name = unicodedata.normalize("NFC", d.name)
                found[name] = found.get(name, False) or next(_image_files(d), None) is not None
    by_case: dict[str, list[str]] = {}
    for name in found:
        by_case.setdefault(name.lower(), []).append(name)
    clashes = [names for names in by_case.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(" vs ".join(f"{n}/" for n in names) for names in clashes)
        raise LitclipError(
            f"class folders of {root} differ only in case ({listed}): they would be different "
            "classes. Rename them to one spelling in every split."
        )
    return sorted(name for name, has_images in found.items() if has_images)


def _warn_beside_splits(root: Path, splits: list[str]) -> None:
    """Say which folders of images sit beside the split folders: they are read in no split
    (a class a user forgot to move into train/ and test/ was lost without a word)."""
    if not splits:
        return
    stray = [
        d.name
        for d in _subdirs(root)
        if d.name not in splits and not _is_output_dir(d) and next(_image_files(d), None)
    ]
    if stray:
        warnings.warn(
            f"{root}: {', '.join(f'{s}/' for s in stray)} beside the split folders "
            f"({', '.join(splits)}) hold images that no split reads; a class goes under each "
            f"split ({splits[0]}/{stray[0]}/...)",
            stacklevel=3,
        )


def find_splits(root: str | os.PathLike[str]) -> list[str]:
    """Names of the split folders (``train``/``val``/``test``...) directly under ``root``."""
    root = Path(root)
    return [d.name for d in _subdirs(root) if d.name.lower() in SPLIT_NAMES and _subdirs(d)]


def resolve_split_root(root: Path, split: str | None) -> tuple[Path, str | None]:
    """Pick ``root/<split>`` when split folders exist, else ``root`` itself (split -> None)."""
    if not root.is_dir():
        raise DatasetNotFoundError(
            f"image folder not found: {root}. Expected a directory with one sub-folder per class "
            "(ROOT/<class>/*.png) or per split and class (ROOT/<split>/<class>/*.png)."
        )
    splits = find_splits(root)
    if not splits:
        return root, None
    if split is None:
        raise LitclipError(
            f"{root} has split folders {splits}; pass split= (or --split) to choose one."
        )
    by_lower = {s.lower(): s for s in splits}  # Train/ Val/ Test/ as exported on Windows
    if split not in splits and split.lower() in by_lower:
        return root / by_lower[split.lower()], split
    # val/, valid/ and validation/ are one split, as in a manifest's split column
    alias = next((by_lower[n] for n in split_names(split) if n in by_lower), None)
    if split not in splits and alias is not None:
        return root / alias, split
    if split not in splits:
        raise DatasetNotFoundError(
            f"split {split!r} not found under {root} (found split folders {splits}); "
            f"pass one of them with --split (split= in Python), or create {root / split}."
        )
    return root / split, split


def _image_files(class_dir: Path) -> Iterator[Path]:
    """Image files below ``class_dir``, unsorted (none for a class absent from this split).

    Linked sub-folders are followed (``rglob`` skipped them: a class of ``scans -> /data/..``
    lost those images without a word), each real folder once (a link back up is no loop).
    """
    if not class_dir.is_dir():
        return
    seen: set[str] = set()
    for folder, dirs, files in os.walk(class_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        # hidden files and what hidden folders hold (.thumbs/, .ipynb_checkpoints/)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            p = Path(folder) / name
            if not name.startswith(".") and p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file():
                yield p


def _list_images(class_dir: Path) -> list[Path]:
    return sorted(_image_files(class_dir))


class ImageFolderDataset(ImageFilesDataset):
    """Images grouped in class folders: ``ds[i] -> (PIL RGB image, class index)``.

    Attributes:
        root: the folder holding the class folders (after split resolution).
        split: the split folder used, or ``None`` for a flat layout.
        name: the dataset folder's name.
        classnames: class names from the folder names (``_`` -> space), or the override.
        folder_names: the class folder names, in label order.
        task: ``binary-class`` for two classes, else ``multi-class``.
        filepaths: image paths of the kept items.
        labels: ``int64`` array ``(N,)`` of the kept items.
        skipped: :class:`~litclip.data._images.SkippedItem` per dropped image.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        split: str | None = None,
        *,
        classnames: Sequence[str] | None = None,
        transform: Callable[[Image.Image], Any] | None = None,
        on_error: str = "skip",
        progress: bool = True,
    ) -> None:
        base = Path(root)
        self.root, self.split = resolve_split_root(base, split)
        self.name = base.name
        self.transform = transform
        self._init_policy(on_error, progress)
        names = class_folders(base if self.split is not None else self.root)
        # this split's own spelling of each class folder (NFC or NFD on disk)
        here = {unicodedata.normalize("NFC", d.name): d for d in _subdirs(self.root)}
        class_dirs = _declared_order(self.root, [here.get(n, self.root / n) for n in names])
        if not class_dirs:
            dicom = next(self.root.rglob("*.dcm"), None) is not None
            raise DatasetNotFoundError(
                f"no class folders with images in {self.root}: expected one sub-folder per "
                "class (e.g. normal/, pneumonia/) holding the images"
                + (
                    "; DICOM files (.dcm) are not read: export them to PNG or TIFF (16-bit "
                    "greyscale keeps its contrast)."
                    if dicom
                    else "."
                )
            )
        if len(class_dirs) == 1:
            raise LitclipError(
                f"only one class folder with images in {self.root} ({names[0]}/): "
                "classification needs two or more (e.g. normal/ and pneumonia/)."
            )
        self.folder_names = [unicodedata.normalize("NFC", d.name) for d in class_dirs]
        self.classnames = self._classnames(classnames)
        self._paths: list[Path] = []
        raw_labels: list[int] = []
        for label, d in enumerate(class_dirs):
            files = _list_images(d)
            self._paths.extend(files)
            raw_labels.extend([label] * len(files))
        if not self._paths:
            exts = ", ".join(sorted(IMAGE_EXTENSIONS))
            raise DatasetNotFoundError(f"no images ({exts}) in the class folders of {self.root}.")
        self._raw_labels = np.asarray(raw_labels, dtype=np.int64)
        self.task = "binary-class" if len(self.classnames) == 2 else "multi-class"
        self._share_verdicts()

    def _classnames(self, override: Sequence[str] | None) -> list[str]:
        if override is None:
            return [n.replace("_", " ").strip() for n in self.folder_names]
        if len(override) != len(self.folder_names):
            raise LitclipError(
                f"{len(override)} class names given for {len(self.folder_names)} class folders in "
                f"{self.root} ({self.folder_names}); pass one name per folder, in that order."
            )
        return [str(c) for c in override]

    # LazyVerifiedDataset hooks (the file ones come from ImageFilesDataset)
    def _describe(self) -> str:
        return f"image folder {self.root}"

    @property
    def labels(self) -> np.ndarray:
        """Class index of every kept item, ``int64`` ``(N,)``."""
        return self._raw_labels[np.asarray(self._raw_indices(), dtype=np.int64)]

    def _target(self, raw: int) -> int:
        return int(self._raw_labels[raw])

    def __repr__(self) -> str:
        return (
            f"ImageFolderDataset(root={str(self.root)!r}, split={self.split!r}, "
            f"images={self._num_raw()}, classes={self.classnames})"
        )
