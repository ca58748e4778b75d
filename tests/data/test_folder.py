"""Image-folder datasets generated in tmp_path: layouts, class names, corrupt images, errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from litclip.data import CorruptImageError, ImageFolderDataset
from litclip.data import _images as images_mod
from litclip.errors import DatasetNotFoundError, LitclipError

from .conftest import CORRUPT_PNG


def _to_tensor(img) -> torch.Tensor:
    return torch.from_numpy(np.asarray(img).copy())


def test_flat_layout(make_folder) -> None:
    root = make_folder({"pleural_effusion": 2, "normal": 3})
    ds = ImageFolderDataset(root)
    assert ds.split is None and len(ds) == 5
    assert ds.folder_names == ["normal", "pleural_effusion"]  # sorted -> label order
    assert ds.classnames == ["normal", "pleural effusion"]
    assert ds.labels.tolist() == [0, 0, 0, 1, 1] and ds.labels.dtype == np.int64
    assert ds.task == "binary-class"
    img, label = ds[4]
    assert img.mode == "RGB" and img.size == (16, 16) and label == 1
    assert Path(ds.filepaths[4]).parent.name == "pleural_effusion"


def test_split_layout(make_folder, tmp_path: Path) -> None:
    root = tmp_path / "ds"
    make_folder({"a": 2, "b": 1, "c": 1}, split="train", root=root)
    make_folder({"a": 1, "b": 1, "c": 2}, split="test", root=root)
    test = ImageFolderDataset(root, split="test")
    assert test.split == "test" and len(test) == 4 and test.task == "multi-class"
    assert test.labels.tolist() == [0, 1, 2, 2]
    assert len(ImageFolderDataset(root, split="train")) == 4
    with pytest.raises(DatasetNotFoundError) as exc:
        ImageFolderDataset(root, split="val")
    assert "['test', 'train']" in str(exc.value)
    assert "with --split (split= in Python)" in str(exc.value)  # a spec takes no ?split=
    with pytest.raises(LitclipError, match="split"):
        ImageFolderDataset(root)


def test_classnames_override(make_folder) -> None:
    root = make_folder({"0": 1, "1": 1})
    assert ImageFolderDataset(root, classnames=["benign", "malignant"]).classnames == [
        "benign",
        "malignant",
    ]
    with pytest.raises(LitclipError, match="one name per folder"):
        ImageFolderDataset(root, classnames=["x"])


def test_corrupt_image_skipped_and_counted(make_folder) -> None:
    root = make_folder({"a": 2, "b": 2})
    bad = root / "a" / "img_001.png"
    bad.write_bytes(CORRUPT_PNG)
    ds = ImageFolderDataset(root, progress=False)
    assert ds.n_skipped == 0  # lazy: construction does not decode
    assert len(ds) == 3 and ds.n_skipped == 1
    assert ds.skipped[0].source == str(bad) and ds.skipped[0].reason
    assert ds.labels.tolist() == [0, 1, 1]  # labels stay aligned with kept items
    assert str(bad) not in ds.filepaths


def test_dataloader_workers_share_one_verification(
    make_folder, tmp_path: Path, monkeypatch
) -> None:
    """Workers fork before the sampler's ``len`` triggers verification; they must reuse it."""
    root = make_folder({"a": 3, "b": 2})
    (root / "b" / "img_000.png").write_bytes(CORRUPT_PNG)
    log = tmp_path / "passes.log"
    real = images_mod.find_unreadable

    def counting(*args, **kwargs):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(images_mod, "find_unreadable", counting)
    ds = ImageFolderDataset(root, progress=False, transform=_to_tensor)
    labels = [y for batch in DataLoader(ds, batch_size=2, num_workers=2) for y in batch[1].tolist()]
    assert labels == [0, 0, 0, 1] == ds.labels.tolist()
    assert log.read_text().splitlines() == [str(os.getpid())]  # one decode pass, in this process


def test_corrupt_image_raise_mode(make_folder) -> None:
    root = make_folder({"a": 1, "b": 1})
    bad = root / "b" / "img_000.png"
    bad.write_bytes(CORRUPT_PNG)
    ds = ImageFolderDataset(root, on_error="raise")
    assert len(ds) == 2  # no pre-pass in raise mode
    ds[0]
    with pytest.raises(CorruptImageError) as exc:
        ds[1]
    assert str(bad) in str(exc.value) and "on_error='skip'" in str(exc.value)
    with pytest.raises(CorruptImageError):
        ds.verify(progress=False)


def test_bad_on_error_value(make_folder) -> None:
    with pytest.raises(ValueError, match="on_error"):
        ImageFolderDataset(make_folder({"a": 1}), on_error="ignore")


def test_missing_dir_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetNotFoundError) as exc:
        ImageFolderDataset(missing)
    assert str(missing) in str(exc.value) and "one sub-folder per class" in str(exc.value)


def test_no_class_folders_or_images(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match="no class folders"):
        ImageFolderDataset(tmp_path / "empty")
    (tmp_path / "empty" / "cls").mkdir()
    (tmp_path / "empty" / "cls" / "notes.txt").write_text("x")
    with pytest.raises(DatasetNotFoundError, match="no class folders with images"):
        ImageFolderDataset(tmp_path / "empty")


def test_classes_are_the_union_over_splits(make_folder, tmp_path: Path) -> None:
    """A class missing from one split keeps its label; Test/ matches split 'test'."""
    root = tmp_path / "ds"
    make_folder({"a": 2, "b": 1, "c": 1}, split="train", root=root)
    make_folder({"a": 1, "c": 2}, split="Test", root=root)
    train, test = ImageFolderDataset(root, "train"), ImageFolderDataset(root, "test")
    assert train.classnames == test.classnames == ["a", "b", "c"]
    assert test.labels.tolist() == [0, 2, 2] and test.task == "multi-class"


def test_class_folders_differing_in_case_across_splits_are_refused(
    make_folder, tmp_path: Path
) -> None:
    root = tmp_path / "ds"
    make_folder({"normal": 2, "Pneumonia": 2}, split="train", root=root)
    make_folder({"normal": 2, "pneumonia": 2}, split="test", root=root)
    with pytest.raises(LitclipError, match="differ only in case .pneumonia/ vs Pneumonia/"):
        ImageFolderDataset(root, "test")


def test_empty_and_output_folders_are_not_classes(make_folder, tmp_path: Path) -> None:
    root = make_folder({"normal": 2, "pneumonia": 3})
    (root / "unsorted").mkdir()  # empty
    results = root / "results"  # `litclip evaluate --out` put inside the dataset
    (results / "plots").mkdir(parents=True)
    (results / "results.json").write_text("{}")
    shutil.copy(next((root / "normal").iterdir()), results / "plots" / "roc.png")
    assert ImageFolderDataset(root).classnames == ["normal", "pneumonia"]
    shutil.rmtree(root / "pneumonia")
    with pytest.raises(LitclipError, match="only one class folder with images"):
        ImageFolderDataset(root)


def test_classes_json_sets_the_label_order(make_folder, tmp_path: Path) -> None:
    """A classes.json naming exactly the folders sets the label order, so a binary task's
    finding is the positive class 1 (sorted, "hemorrhage" came before "no_hemorrhage")."""
    import json

    root = tmp_path / "ct"
    make_folder({"no_hemorrhage": 2, "hemorrhage": 1}, split="test", root=root)
    assert ImageFolderDataset(root, "test").folder_names == ["hemorrhage", "no_hemorrhage"]
    (root / "classes.json").write_text(json.dumps({"classes": ["no_hemorrhage", "hemorrhage"]}))
    ds = ImageFolderDataset(root, "test")
    assert ds.folder_names == ["no_hemorrhage", "hemorrhage"]
    assert ds.classnames == ["no hemorrhage", "hemorrhage"]
    assert sorted(ds.labels.tolist()) == [0, 0, 1]
    assert Path(ds.filepaths[int(np.flatnonzero(ds.labels == 1)[0])]).parent.name == "hemorrhage"
    # the other documented shapes: folder_names; display names; a prompt file (no order)
    (root / "classes.json").write_text(
        json.dumps({"folder_names": ["no_hemorrhage", "hemorrhage"]})
    )
    assert ImageFolderDataset(root, "test").folder_names == ["no_hemorrhage", "hemorrhage"]
    (root / "classes.json").write_text(json.dumps({"classes": ["no hemorrhage", "hemorrhage"]}))
    assert ImageFolderDataset(root, "test").folder_names == ["no_hemorrhage", "hemorrhage"]
    (root / "classes.json").write_text(json.dumps({"classnames": ["bleed", "no bleed"]}))
    assert ImageFolderDataset(root, "test").folder_names == ["hemorrhage", "no_hemorrhage"]
    # a prompt file's display names under "classes" beside its templates: sorted order
    prompts = {"classes": ["a bleed", "no bleed seen"], "templates": ["a CT showing {c}."]}
    (root / "classes.json").write_text(json.dumps(prompts))
    assert ImageFolderDataset(root, "test").folder_names == ["hemorrhage", "no_hemorrhage"]
    # without templates, names that match no folder are a mistake, not display names: the
    # sorted order they fell back to made the wrong class positive; any case matches
    (root / "classes.json").write_text(json.dumps({"classes": ["normal"]}))
    with pytest.raises(LitclipError, match=r"not class folders: \['normal'\]"):
        ImageFolderDataset(root, "test")
    (root / "classes.json").write_text(json.dumps({"classes": ["No_Hemorrhage", "Hemorrhage"]}))
    assert ImageFolderDataset(root, "test").folder_names == ["no_hemorrhage", "hemorrhage"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"classes": ["no_hemorrhage", "hemorhage"]}', r"\['hemorhage'\].*\['hemorrhage'\]"),
        ('["no_hemorrhage", "hemorrhage"]', "a JSON object"),
        ('{"classes": ["no_hemorrhage", "hemorrhage"]', "not valid JSON"),
        ('{"classes": "no_hemorrhage,hemorrhage"}', "list of the class folder names"),
        ('{"clases": ["no_hemorrhage", "hemorrhage"]}', "'classes'"),
    ],
)
def test_bad_classes_json_is_an_error(
    make_folder, tmp_path: Path, content: str, message: str
) -> None:
    """A misspelled, malformed or unparsable classes.json fell back to sorted order, which
    silently flips a binary task's positive class."""
    root = tmp_path / "ct"
    make_folder({"no_hemorrhage": 2, "hemorrhage": 1}, split="test", root=root)
    (root / "classes.json").write_text(content)
    with pytest.raises(LitclipError, match=message) as exc:
        ImageFolderDataset(root, "test")
    assert "classes.json" in str(exc.value)


def test_16_bit_greyscale_keeps_its_contrast(tmp_path: Path) -> None:
    """16-bit PNG/TIFF exports (12-bit CT values) are stretched, not clipped to white."""
    from PIL import Image

    ramp = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 64).astype(np.uint16)  # 0..4032
    for cls, values in (("dark", ramp), ("bright", ramp[::-1])):
        (tmp_path / cls).mkdir()
        Image.fromarray(values).save(tmp_path / cls / "a.png")  # mode I;16
        Image.fromarray(values.astype(np.int32)).save(tmp_path / cls / "b.tif")  # mode I
    ds = ImageFolderDataset(tmp_path)
    pixels = [np.asarray(ds[i][0])[..., 0] for i in range(len(ds))]
    for px in pixels:
        assert px.min() == 0 and px.max() == 255  # the full range, not 255 everywhere
    assert not np.array_equal(pixels[0], pixels[2])  # the two classes still differ
    assert np.asarray(images_mod.to_rgb(Image.new("I;16", (4, 4), 700))).max() == 0  # flat


def test_image_size_limit_names_its_setting(tmp_path: Path, monkeypatch) -> None:
    from PIL import Image

    path = tmp_path / "mosaic.png"
    Image.new("L", (300, 200)).save(path)
    monkeypatch.setenv(images_mod.MAX_PIXELS_ENV, "50000")
    with pytest.raises(Image.DecompressionBombError, match="300x200.*LITCLIP_MAX_IMAGE_PIXELS"):
        images_mod.open_rgb(path)
    monkeypatch.setenv(images_mod.MAX_PIXELS_ENV, "60000")
    assert images_mod.open_rgb(path).size == (300, 200)
    monkeypatch.setenv(images_mod.MAX_PIXELS_ENV, "6e4")  # was ignored: isdigit() only
    assert images_mod.max_image_pixels() == 60000


def test_a_camera_jpeg_is_read_upright_and_transparency_on_white(tmp_path: Path) -> None:
    """PIL reads pixels as stored: a phone photo tagged "rotate 90" came out sideways, and
    a figure exported with a transparent background kept the black stored under it."""
    from PIL import Image

    photo = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    photo.save(tmp_path / "phone.jpg", exif=exif.tobytes())
    assert images_mod.open_rgb(tmp_path / "phone.jpg").size == (20, 40)
    clear = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    clear.putpixel((0, 0), (0, 0, 255, 255))
    clear.save(tmp_path / "figure.png")
    rgb = np.asarray(images_mod.open_rgb(tmp_path / "figure.png"))
    assert rgb[3, 3].tolist() == [255, 255, 255] and rgb[0, 0].tolist() == [0, 0, 255]


def test_images_beside_the_split_folders_are_said_and_hidden_folders_skipped(
    make_folder, tmp_path: Path
) -> None:
    """A class folder left beside train/ and test/ was dropped with no word; images in a
    class folder's hidden sub-folder (.thumbs/) were counted as that class's."""
    root = tmp_path / "ds"
    make_folder({"a": 2, "b": 1}, split="train", root=root)
    make_folder({"a": 1, "b": 1}, split="test", root=root)
    make_folder({"g5": 1}, root=root)  # forgot to move it into the splits
    shutil.copytree(root / "test" / "a", root / "test" / "a" / ".thumbs")
    with pytest.warns(UserWarning, match=r"g5/ beside the split folders \(test, train\)"):
        test = ImageFolderDataset(root, split="test")
    assert len(test) == 2 and test.folder_names == ["a", "b"]


def test_linked_sub_folders_count_and_one_class_in_two_unicode_spellings(
    make_folder, tmp_path: Path
) -> None:
    """A sub-folder linked into a class folder was skipped (rglob does not follow links),
    and "Ödem" spelled NFC in train and NFD (as macOS writes it) in test made two classes."""
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "Ödem") for form in ("NFC", "NFD"))
    root = tmp_path / "ds"
    make_folder({nfc: 2, "normal": 2}, split="train", root=root)
    make_folder({nfd: 1, "normal": 1}, split="test", root=root)
    elsewhere = make_folder({"more": 3}, root=tmp_path / "store")
    (root / "train" / "normal" / "linked").symlink_to(elsewhere / "more")
    (root / "train" / "normal" / "loop").symlink_to(root / "train" / "normal")  # read once
    train, test = ImageFolderDataset(root, "train"), ImageFolderDataset(root, "test")
    assert train.classnames == test.classnames and len(train.classnames) == 2
    assert sorted(np.bincount(train.labels).tolist()) == [2, 2 + 3]
    assert np.bincount(test.labels).tolist() == [1, 1]


def test_a_folder_of_dicom_files_says_to_export_them(tmp_path: Path) -> None:
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        (tmp_path / cls / "1.dcm").write_bytes(b"DICM")
    with pytest.raises(DatasetNotFoundError, match="DICOM files .* export them to PNG or TIFF"):
        ImageFolderDataset(tmp_path)


def test_split_val_finds_a_valid_folder_and_the_reverse(make_folder, tmp_path: Path) -> None:
    """data info and embed asked for --split val found no valid/ (evaluate did)."""
    root = tmp_path / "ds"
    make_folder({"a": 1, "b": 1}, split="train", root=root)
    make_folder({"a": 2, "b": 1}, split="valid", root=root)
    assert len(ImageFolderDataset(root, "val")) == 3
    assert len(ImageFolderDataset(root, "validation")) == 3
