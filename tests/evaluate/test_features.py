"""The feature cache's dataset digest: cached features follow edits to the data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from litclip.data import ImageFolderDataset
from litclip.evaluate.features import dataset_digest

from .conftest import make_folder_dataset


def test_digest_changes_when_images_move_or_change(tmp_path: Path) -> None:
    root = make_folder_dataset(tmp_path / "ds", {"test": 3})

    def digest() -> str:
        return dataset_digest(ImageFolderDataset(root, split="test"))

    first = digest()
    assert digest() == first  # the same data: the cache is used
    moved = root / "test" / "finding" / "moved.png"
    shutil.move(root / "test" / "no_finding" / "000.png", moved)  # relabelled
    relabelled = digest()
    assert relabelled != first
    st = moved.stat()
    os.utime(moved, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # replaced in place
    assert digest() != relabelled


def test_digest_of_a_list_of_image_paths_follows_the_files(tmp_path: Path) -> None:
    """Retrieval caches the features of its unique images, passed as a list of paths."""
    root = make_folder_dataset(tmp_path / "ds", {"test": 2})
    paths = sorted(str(p) for p in (root / "test").rglob("*.png"))
    first = dataset_digest(paths)
    shutil.copy(paths[1], paths[0])  # an image replaced by another
    os.utime(paths[0], ns=(1, 10**18))
    assert dataset_digest(paths) != first
