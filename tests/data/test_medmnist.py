"""MedMNIST reader: real official files (../shared/data/medmnist) and tiny synthetic npz files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from litclip.data import MEDMNIST_INFO, MedMNISTDataset, load_medmnist
from litclip.data import medmnist as mm
from litclip.errors import DatasetNotFoundError, LitclipError

ALL_2D_FLAGS = {
    "pathmnist", "chestmnist", "dermamnist", "octmnist", "pneumoniamnist", "retinamnist",
    "breastmnist", "bloodmnist", "tissuemnist", "organamnist", "organcmnist", "organsmnist",
}  # fmt: skip


def _write_npz(path: Path, n: dict[str, int], size: int = 28, rgb: bool = False, n_labels: int = 1,
               n_classes: int = 2, compressed: bool = True) -> Path:  # fmt: skip
    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in n.items():
        shape = (count, size, size, 3) if rgb else (count, size, size)
        arrays[f"{split}_images"] = rng.integers(0, 256, size=shape, dtype=np.uint8)
        arrays[f"{split}_labels"] = rng.integers(
            0, n_classes, size=(count, n_labels), dtype=np.uint8
        )
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    return path


SPLITS3 = {"train": 6, "val": 2, "test": 4}


# -- real files -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("split", "n", "counts"),
    [("train", 4708, [1214, 3494]), ("val", 524, [135, 389]), ("test", 624, [234, 390])],
)
def test_real_pneumonia_splits(medmnist_dir: Path, split: str, n: int, counts: list[int]) -> None:
    ds = load_medmnist(medmnist_dir / "pneumoniamnist.npz", split)
    assert len(ds) == n
    assert ds.labels.dtype == np.int64 and ds.labels.shape == (n,)
    assert np.bincount(ds.labels).tolist() == counts
    assert ds.classnames == ["normal", "pneumonia"]
    assert (ds.name, ds.split, ds.task, ds.size) == ("pneumoniamnist", split, "binary-class", 28)


@pytest.mark.parametrize(
    ("split", "n", "counts"),
    [
        ("train", 1080, [486, 128, 206, 194, 66]),
        ("val", 120, [54, 12, 28, 20, 6]),
        ("test", 400, [174, 46, 92, 68, 20]),
    ],
)
def test_real_retina_splits(medmnist_dir: Path, split: str, n: int, counts: list[int]) -> None:
    ds = load_medmnist(medmnist_dir / "retinamnist.npz", split)
    assert len(ds) == n
    assert np.bincount(ds.labels).tolist() == counts
    assert ds.task == "ordinal-regression"
    assert ds.classnames[0] == "no diabetic retinopathy"
    assert ds.classnames[4] == "proliferative diabetic retinopathy"


def test_real_grayscale_becomes_rgb(medmnist_dir: Path) -> None:
    ds = load_medmnist(medmnist_dir / "pneumoniamnist.npz", "test")
    img, label = ds[3]
    assert img.mode == "RGB" and img.size == (28, 28)
    arr = np.asarray(img)
    assert np.array_equal(arr[..., 0], ds.images[3]) and np.array_equal(arr[..., 0], arr[..., 2])
    assert isinstance(label, int) and label == ds.labels[3]


def test_real_rgb_keeps_colour(medmnist_dir: Path) -> None:
    ds = load_medmnist(medmnist_dir / "retinamnist.npz", "val")
    img, _ = ds[0]
    arr = np.asarray(img)
    assert arr.shape == (28, 28, 3) and np.array_equal(arr, ds.images[0])
    assert not np.array_equal(arr[..., 0], arr[..., 1])  # real fundus photo: channels differ


def test_negative_index_and_out_of_range(medmnist_dir: Path) -> None:
    ds = load_medmnist(medmnist_dir / "pneumoniamnist.npz", "test")
    assert ds[-1][1] == ds.labels[-1]
    with pytest.raises(IndexError):
        ds[len(ds)]


# -- shipped metadata -------------------------------------------------------------------------
def test_info_covers_all_2d_flags() -> None:
    assert set(MEDMNIST_INFO) == ALL_2D_FLAGS
    for flag, info in MEDMNIST_INFO.items():
        assert len(info["classnames"]) == len(info["label_names"]), flag
        assert info["task"] in mm.TASKS, flag
    assert MEDMNIST_INFO["chestmnist"]["task"] == "multi-label"
    assert MEDMNIST_INFO["pneumoniamnist"]["n_samples"] == {"train": 4708, "val": 524, "test": 624}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pneumoniamnist.npz", ("pneumoniamnist", 28)),
        ("pneumoniamnist_224.npz", ("pneumoniamnist", 224)),
        ("OrganAMNIST_64.npz", ("organamnist", 64)),
        ("my_data.npz", (None, 28)),
    ],
)
def test_parse_filename(name: str, expected: tuple[str | None, int]) -> None:
    assert mm.parse_medmnist_filename(name) == expected


# -- synthetic files --------------------------------------------------------------------------
def test_larger_size_layout(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "pneumoniamnist_64.npz", SPLITS3, size=64)
    ds = load_medmnist(path, "train")
    assert (ds.name, ds.size, len(ds)) == ("pneumoniamnist", 64, 6)
    img, _ = ds[5]
    assert img.size == (64, 64) and img.mode == "RGB"
    assert ds.classnames == ["normal", "pneumonia"]


def test_multilabel_chest(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "chestmnist.npz", SPLITS3, n_labels=14)
    ds = load_medmnist(path, "test")
    assert ds.task == "multi-label" and ds.multilabel
    assert ds.labels.shape == (4, 14) and ds.labels.dtype == np.int64
    _, target = ds[1]
    assert target.shape == (14,) and np.array_equal(target, ds.labels[1])
    assert len(ds.classnames) == 14


def test_one_finding_of_a_multilabel_file_is_a_binary_task(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "chestmnist.npz", SPLITS3, n_labels=14)
    with np.load(path) as ref:
        column = ref["test_labels"][:, 6].astype(np.int64)
    for label in ("pneumonia", "Pneumonia", 6, "6"):
        ds = load_medmnist(path, "test", label=label)
        assert ds.task == "binary-class" and not ds.multilabel and ds.finding == "pneumonia"
        assert ds.classnames == ["no pneumonia", "pneumonia"] and ds.name == "chestmnist-pneumonia"
        assert np.array_equal(ds.labels, column) and ds[1][1] == column[1]
    # medmnist's own label name ("pleural") and a class name written with "_" both work
    assert load_medmnist(path, "test", label="pleural").finding == "pleural thickening"
    assert load_medmnist(path, "test", label="pleural_effusion").finding == "pleural effusion"
    with pytest.raises(LitclipError, match="has no finding 'lung'; choose one of atelectasis"):
        load_medmnist(path, "test", label="lung")
    with pytest.raises(LitclipError, match="rows of 14 findings"):  # was a TypeError later
        load_medmnist(path, "test", task="multi-class")
    picked = load_medmnist(path, "test", task="binary-class", label=2)  # the finding is picked
    assert picked.task == "binary-class" and picked.finding == "pleural effusion"
    single = _write_npz(tmp_path / "pneumoniamnist.npz", SPLITS3)
    with pytest.raises(LitclipError, match="picks one finding of a multi-label file"):
        load_medmnist(single, "test", label="pneumonia")


def test_uncompressed_member_is_memory_mapped(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "bloodmnist.npz", SPLITS3, rgb=True, n_classes=8, compressed=False)
    ds = load_medmnist(path, "val")
    assert isinstance(ds.images, np.memmap)
    with np.load(path) as ref:
        assert np.array_equal(np.asarray(ds.images), ref["val_images"])
        assert np.array_equal(ds.labels, ref["val_labels"][:, 0])


def test_large_compressed_member_extracted_to_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(mm, "_MMAP_THRESHOLD_BYTES", 0)
    monkeypatch.setenv("LITCLIP_CACHE", str(tmp_path / "cache"))
    path = _write_npz(tmp_path / "dermamnist.npz", SPLITS3, rgb=True, n_classes=7)
    ds = load_medmnist(path, "test")
    assert isinstance(ds.images, np.memmap)
    cached = list((tmp_path / "cache" / "medmnist").glob("*test_images.npy"))
    assert len(cached) == 1
    with np.load(path) as ref:
        assert np.array_equal(np.asarray(ds.images), ref["test_images"])
    mtime = cached[0].stat().st_mtime_ns
    load_medmnist(path, "test")  # second open reuses the cache file
    assert cached[0].stat().st_mtime_ns == mtime


def test_unknown_flag_warns_and_allows_override(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "mydata.npz", {"train": 30, "val": 6, "test": 9}, n_classes=3)
    with pytest.warns(UserWarning, match="classnames"):
        ds = load_medmnist(path, "val")  # 6 images may not show all 3 classes: the file does
    assert ds.name == "mydata" and ds.task == "multi-class" and len(ds.classnames) == 3
    assert ds.classnames[0] == "class 0"
    ds2 = load_medmnist(path, "train", classnames=["cat", "dog", "eel"], task="multi-class")
    assert ds2.classnames == ["cat", "dog", "eel"]
    with pytest.raises(LitclipError, match="class names"):
        load_medmnist(path, "train", classnames=["only-one"])


def test_transform_is_applied(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "breastmnist.npz", SPLITS3)
    ds = MedMNISTDataset(path, "test", transform=lambda im: np.asarray(im).shape)
    assert ds[0][0] == (28, 28, 3)


# -- errors -----------------------------------------------------------------------------------
def test_missing_file_error_names_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "pneumoniamnist.npz"
    with pytest.raises(DatasetNotFoundError) as exc:
        load_medmnist(missing)
    assert str(missing) in str(exc.value) and ".npz" in str(exc.value)


def test_missing_array_error_lists_keys(tmp_path: Path) -> None:
    path = tmp_path / "pneumoniamnist.npz"
    np.savez(path, train_images=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(LitclipError) as exc:
        load_medmnist(path, "test")
    assert "test_images" in str(exc.value) and "train_images" in str(exc.value)


def test_not_a_zip_error(tmp_path: Path) -> None:
    path = tmp_path / "pneumoniamnist.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(LitclipError, match="re-download"):
        load_medmnist(path)


def test_bad_split(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "pneumoniamnist.npz", SPLITS3)
    with pytest.raises(LitclipError, match="unknown split"):
        load_medmnist(path, "validation")


def test_unknown_flag_with_two_classes_is_binary(tmp_path: Path) -> None:
    path = _write_npz(tmp_path / "mydata.npz", SPLITS3, n_classes=2)
    with pytest.warns(UserWarning):
        assert load_medmnist(path, "train").task == "binary-class"


def test_empty_split_is_an_error(tmp_path: Path) -> None:
    """An empty test split loaded fine and failed later inside sklearn ("empty input")."""
    path = _write_npz(tmp_path / "pneumoniamnist.npz", {"train": 6, "val": 2, "test": 0})
    with pytest.raises(LitclipError, match=r"no test images.*\(train 6, val 2, test 0\)"):
        load_medmnist(path, "test")
    assert len(load_medmnist(path, "train")) == 6


def test_another_datasets_file_under_a_known_name_is_an_error(tmp_path: Path) -> None:
    """PneumoniaMNIST saved as retinamnist.npz was scored against five retinopathy grades
    (accuracy 0.000 on chest X-rays, no word said); the other way round, the error asked for
    class names the user never gave."""
    grey = _write_npz(tmp_path / "retinamnist.npz", SPLITS3, n_classes=2)
    with pytest.raises(
        LitclipError, match=r"named retinamnist, whose images are colour .* grayscale"
    ):
        load_medmnist(grey, "test")
    five = tmp_path / "b" / "pneumoniamnist.npz"
    five.parent.mkdir()
    _write_npz(five, {"train": 40, "val": 8, "test": 8}, n_classes=5)
    with pytest.raises(LitclipError, match="named pneumoniamnist, which has 2 classes, but holds"):
        load_medmnist(five, "test")
    rgb = tmp_path / "c" / "retinamnist.npz"  # its own kind of images: a subset loads
    rgb.parent.mkdir()
    assert len(load_medmnist(_write_npz(rgb, SPLITS3, rgb=True, n_classes=5), "test")) == 4


def test_placeholder_class_names_are_said_once_a_file_with_the_cli_fix(tmp_path: Path) -> None:
    """Said once per split opened, and only as a Python argument (classnames=[...])."""
    import warnings

    path = _write_npz(tmp_path / "myretina.npz", SPLITS3, n_classes=2)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        for split in ("train", "val", "test"):
            load_medmnist(path, split)
    (one,) = [str(w.message) for w in said]
    assert "--prompts FILE" in one and "retinamnist_64.npz" in one


def test_a_binary_task_for_labels_of_more_classes_is_an_error(tmp_path: Path) -> None:
    """?task=binary-class over a 5-class file was taken, and binary metrics read class 1."""
    path = _write_npz(tmp_path / "retinamnist.npz", SPLITS3, rgb=True, n_classes=5)
    with pytest.raises(LitclipError, match="whose labels go up to [34]: give"):
        load_medmnist(path, "test", task="binary-class")
    assert load_medmnist(path, "test", task="multi-class").task == "multi-class"
