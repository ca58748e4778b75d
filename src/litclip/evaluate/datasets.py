"""Opening evaluation datasets by spec and describing their splits.

Specs: ``medmnist:PATH.npz``, ``folder:DIR`` (``DIR/<split>/<class>/*`` or ``DIR/<class>/*``)
and ``pairs:MANIFEST`` (image-caption pairs). Datasets come from :mod:`litclip.data`; this
module only adds what the evaluation needs: a stable name, which splits exist, labels, and
per-split access with optional exclusion of contaminated items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from litclip.errors import LitclipError

KINDS = ("medmnist", "folder", "pairs")
ALL = "all"


def parse_spec(spec: str) -> tuple[str, Path]:
    """``"kind:path"`` -> ``(kind, Path)``; raises :class:`LitclipError` with the fix."""
    from litclip.data.registry import split_options

    kind, sep, path = spec.partition(":")
    if kind == "wds":  # shards hold no split to hold out; their corpus's manifest does
        raise LitclipError(
            f"evaluate reads a corpus through its manifest, not its shards ({spec!r}): use "
            "pairs:CORPUS/manifest.parquet (its split column names the test pairs)"
        )
    if not sep or kind not in KINDS:
        from litclip.data.registry import suggest_kind

        raise LitclipError(
            f"bad dataset spec {spec!r}: use medmnist:PATH.npz, folder:DIR or "
            f"pairs:MANIFEST (csv/tsv/parquet).{suggest_kind(spec)}"
        )
    return kind, Path(split_options(path)[0]).expanduser()


def open_split(spec: str, split: str | None) -> Any:
    """Open one split through :func:`litclip.data.open_dataset` (``None``/"all" = no split)."""
    from litclip import data

    split = None if split == ALL else split
    failed = qc_failed(spec, split)
    if failed:  # a corpus's pairs that failed QC: training leaves them out, so does its test
        ds = data.open_dataset(spec, split, query="qc_pass")
        ds.qc_failed_left_out = failed
        return ds
    if hasattr(data, "open_dataset"):
        return data.open_dataset(spec, split)
    kind, path = parse_spec(spec)  # fallback while litclip.data has no open_dataset
    if kind == "medmnist":
        from litclip.data.medmnist import load_medmnist

        return load_medmnist(path, split or "test")
    if kind == "folder":
        from litclip.data.folder import ImageFolderDataset

        return ImageFolderDataset(path, split=split)
    from litclip.data.pairs import PairsDataset

    return PairsDataset(path, split=split)


def qc_failed(spec: str, split: str | None) -> int:
    """How many rows of ``split`` a corpus manifest given as ``pairs:`` without its own
    ``?query=`` marks as failing QC (0 for anything else)."""
    from litclip.data.registry import split_options
    from litclip.data.splits import rows_of_split

    kind, _, rest = spec.partition(":")
    path, options = split_options(rest)
    path = str(Path(path).expanduser())
    if (
        kind != "pairs"
        or "query" in options
        or Path(path).suffix.lower() not in (".parquet", ".pq")
    ):
        return 0
    import pyarrow.parquet as pq

    try:
        columns = set(pq.read_schema(path).names)
        if "qc_pass" not in columns:
            return 0
        frame = pq.read_table(path, columns=["qc_pass", *({"split"} & columns)]).to_pandas()
    except Exception:  # an unreadable file: PairsDataset says why
        return 0
    if split is not None and "split" in frame.columns:
        frame = rows_of_split(frame, split)
    return int((~frame["qc_pass"].astype(bool)).sum())


def available_splits(spec: str) -> list[str]:
    """Splits of a dataset: those of a MedMNIST file's train/val/test it holds (a file
    without val runs the tasks that need none, as a folder without val/ does), split
    folders, a manifest's column."""
    kind, path = parse_spec(spec)
    if kind == "medmnist":
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (OSError, zipfile.BadZipFile):  # the reader says what is wrong with it
            return ["train", "val", "test"]
        held = [
            s for s in ("train", "val", "test") if {f"{s}_images.npy", f"{s}_labels.npy"} <= names
        ]
        return held or ["train", "val", "test"]
    if kind == "folder":
        from litclip.data.folder import find_splits

        found = find_splits(path) if path.is_dir() else []
        return found or [ALL]
    from litclip.data.pairs import read_manifest
    from litclip.data.splits import recorded

    frame = read_manifest(path)
    if "split" in frame.columns:  # as the reader compares them: "Test " (a spreadsheet's) is test
        return sorted({recorded(s) for s in frame["split"].dropna().unique()})
    return [ALL]


def dataset_name(spec: str) -> str:
    """A readable name: the MedMNIST flag, the folder name, the corpus folder name (for its
    ``manifest.*``), else the manifest's folder and stem ("splits/test"): two manifests of one
    folder must not share a name (their results would overwrite each other)."""
    kind, path = parse_spec(spec)
    if kind == "medmnist":
        return _medmnist_name(spec, path)
    if kind == "folder" or path.is_dir():
        return path.resolve().name
    if path.stem == "manifest":
        return path.resolve().parent.name
    return f"{path.resolve().parent.name}/{path.stem}"


def _medmnist_name(spec: str, path: Path) -> str:
    """The flag, and the finding a multi-label file is read for ("chestmnist-pneumonia",
    the name :class:`~litclip.data.medmnist.MedMNISTDataset` gives it)."""
    from litclip.data.medmnist import (
        MEDMNIST_INFO,
        finding_index,
        finding_name,
        parse_medmnist_filename,
    )
    from litclip.data.registry import split_options

    # as the dataset names itself: the flag of "pneumoniamnist_224.npz", else the whole stem
    # ("site_a.npz" and "site_b.npz" were both "site")
    flag = parse_medmnist_filename(path)[0]
    flag = flag if flag in MEDMNIST_INFO else path.stem
    label = split_options(spec.partition(":")[2])[1].get("label")
    if label is None:
        return flag
    info = MEDMNIST_INFO.get(flag, {})
    names = list(info.get("classnames", ()))
    j = finding_index(names, label, info.get("label_names")) if names else None
    finding = names[j] if j is not None else str(label).replace("_", " ")
    return finding_name(flag, finding)


def check_one_label(spec: str, dataset: Any) -> None:
    """Refuse a multi-label split (its label rows are no class indices), naming the spec that
    scores one finding of it."""
    if not getattr(dataset, "multilabel", False):
        return
    names = list(getattr(dataset, "classnames", ()))
    join = "&" if "?" in spec.partition(":")[2] else "?"
    example = names[6] if len(names) > 6 else (names[0] if names else "NAME")
    raise LitclipError(
        f"{dataset_name(spec)} is multi-label ({len(names)} findings per image, any number "
        "present); litclip's classification tasks score one label per image: evaluate one "
        f"finding against its absence with {spec}{join}label={example.replace(' ', '_')} "
        f"(findings: {', '.join(names)})"
    )


class SplitData:
    """One opened split: the dataset, its labels and the kept indices (after exclusions)."""

    def __init__(self, dataset: Any, split: str, keep: np.ndarray | None = None) -> None:
        self.dataset = dataset
        self.split = split
        self.keep = np.arange(len(dataset)) if keep is None else np.asarray(keep)

    @property
    def labels(self) -> np.ndarray:
        """Integer labels of the kept items."""
        return np.asarray(self.dataset.labels, dtype=np.int64).ravel()[self.keep]

    def __len__(self) -> int:
        return len(self.keep)


ROLE_ALIASES = {"train": ("train",), "val": ("val", "valid", "validation"), "test": ("test",)}


def role_split(splits: list[str], role: str) -> str | None:
    """The split name playing ``role`` (train/val/test) among ``splits``, or ``None``."""
    for name in splits:
        if name.lower() in ROLE_ALIASES[role]:
            return name
    return None


class Subset:
    """Items ``keep`` of a dataset, with ``labels`` and ``classnames`` passed through."""

    def __init__(self, dataset: Any, keep: np.ndarray) -> None:
        self.dataset, self.keep = dataset, np.asarray(keep)
        self.classnames = getattr(dataset, "classnames", None)

    @property
    def labels(self) -> np.ndarray:
        """Labels of the kept items."""
        return np.asarray(self.dataset.labels).ravel()[self.keep]

    def __len__(self) -> int:
        return len(self.keep)

    def __getitem__(self, i: int) -> Any:
        return self.dataset[int(self.keep[i])]
