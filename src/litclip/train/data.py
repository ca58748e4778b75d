"""Training pairs: corpus dirs, CSV/Parquet manifests and WebDataset shards, in a seeded order.

Every source becomes a :class:`PairTable` (ids, captions, a way to open image ``i``), so the
sampler can do what streaming readers cannot: a seeded permutation per epoch, split into
global batches whose per-rank slices are contiguous (DDP on W ranks sees exactly the batches
one process would), and resumption at any batch of an epoch. Shards are indexed once (member
offsets), so images are read with one seek each and never unpacked to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import tarfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from PIL import Image

from litclip.data import open_rgb
from litclip.data.splits import recorded, rows_of_split, split_names
from litclip.errors import DatasetNotFoundError, LitclipError
from litclip.train.config import parse_data_spec

IMAGE_EXTS = ("png", "jpg", "jpeg", "webp")


@dataclass
class PairTable:
    """Image-caption pairs with random access.

    Attributes:
        ids: stable sample ids (``pair_id`` or ``shard:key`` or the row number).
        captions: one caption per pair.
        images: a path string, or ``(tar path, offset, size)`` for a shard member.
        fields: optional structured labels per pair (for SeLIP's syntactic similarity).
        source: where the pairs came from.
        groups: the unit a held-out split keeps whole, per pair (a corpus's PDF, else the
            figure a panel belongs to); ``None``: each pair alone.
    """

    ids: list[str]
    captions: list[str]
    images: list[Any]
    fields: pd.DataFrame | None = None
    source: str = ""
    groups: list[str] | None = None
    #: rows of the source not read as these pairs, by why: another split's name ("test"),
    #: "failed QC" (said when training starts: a split column is easy to miss)
    left_out: dict[str, int] = field(default_factory=dict)
    _tar_handles: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def load_image(self, index: int) -> Image.Image:
        """Open image ``index`` as RGB."""
        ref = self.images[index]
        if isinstance(ref, tuple):
            tar_path, offset, size = ref
            with open(tar_path, "rb") as fh:
                fh.seek(offset)
                data = fh.read(size)
            return open_rgb(io.BytesIO(data))
        return open_rgb(ref)

    def subset(self, indices: Sequence[int]) -> PairTable:
        """The pairs at ``indices`` (order kept)."""
        idx = list(indices)
        fields = self.fields.iloc[idx].reset_index(drop=True) if self.fields is not None else None
        return PairTable(
            [self.ids[i] for i in idx],
            [self.captions[i] for i in idx],
            [self.images[i] for i in idx],
            fields,
            self.source,
            [self.groups[i] for i in idx] if self.groups is not None else None,
            dict(self.left_out),  # what the source set aside still holds for either part
        )


def _read_frame(path: Path) -> pd.DataFrame:
    from litclip.data.pairs import read_manifest  # one reader (separator sniffing) for all stages

    return read_manifest(path)


def _split_rows(frame: pd.DataFrame, path: Path, split: str) -> pd.DataFrame:
    """Rows of a manifest's ``split`` column that belong to ``split`` (val: val/valid/...)."""
    rows = rows_of_split(frame, split)
    if rows.empty:
        raise LitclipError(
            f"manifest {path} has a 'split' column but no {split!r} rows (it has "
            f"{sorted(frame['split'].map(recorded).unique())}); training uses the 'train' rows "
            "only."
        )
    return rows


def manifest_splits(spec: str | Path) -> set[str]:
    """The values of a manifest's ``split`` column, lower-cased (empty without one)."""
    path = Path(parse_data_spec(spec)[0])
    if path.is_dir():
        path = next(
            (path / n for n in ("manifest.parquet", "manifest.csv") if (path / n).is_file()), path
        )
    if not path.is_file() or path.suffix.lower() == ".tar":
        return set()
    frame = _read_frame(path)
    if "split" not in frame.columns:
        return set()
    return set(frame["split"].astype(str).str.strip().str.lower())


def _from_manifest(
    path: Path,
    image_key: str,
    caption_key: str,
    id_key: str,
    fields: Sequence[str],
    split: str | None = "train",
    root: str | None = None,
) -> PairTable:
    frame = _read_frame(path)
    left_out: dict[str, int] = {}
    if split is not None and "split" in frame.columns:  # never train on val or test rows
        kept = _split_rows(frame, path, split)
        others = frame["split"].map(recorded)[~frame.index.isin(kept.index)]
        for value, n in others.value_counts().items():
            name = "unsplit" if value in ("", "nan", "none") else str(value)
            left_out[name] = left_out.get(name, 0) + int(n)
        frame = kept
    for key, col in (("image_key", image_key), ("caption_key", caption_key)) + tuple(
        ("selip_fields", f) for f in fields
    ):
        if col not in frame.columns:
            how = f"--set {key}=NAME" + (
                f", or the spec pairs:{path}?{key}=NAME" if key != "selip_fields" else ""
            )
            raise LitclipError(
                f"manifest {path} has no column {col!r} (columns: {list(frame.columns)}); "
                f"name the right one with {how}"
            )
    if "qc_pass" in frame.columns:  # corpus manifests: train only on pairs that passed QC
        failed = int((~frame["qc_pass"].astype(bool)).sum())
        if failed:
            left_out["failed QC"] = failed
        frame = frame[frame["qc_pass"].astype(bool)]
    before = len(frame)
    frame = frame.dropna(subset=[image_key, caption_key])
    frame = frame[frame[caption_key].astype(str).str.strip() != ""].reset_index(drop=True)
    if len(frame) < before:  # no caption to learn from: said on training's first line
        left_out["with no caption"] = before - len(frame)
    base = Path(root).expanduser() if root else path.parent  # ?root=DIR, as other commands
    images = [str(p if Path(p).is_absolute() else base / p) for p in frame[image_key].astype(str)]
    present = [Path(p).is_file() for p in images]
    if not all(present):
        missing = [p for p, ok in zip(images, present, strict=True) if not ok]
        hint = (
            f"relative paths are read from {base} (the manifest's folder, or ?root=DIR); "
            "an open_clip CSV written for another folder needs absolute paths"
        )
        if len(missing) == len(images):
            raise LitclipError(
                f"none of the {len(images)} images of {path} exist ({hint}): {missing[0]}"
            )
        warnings.warn(
            f"{len(missing)} of {len(images)} images of {path} are missing and their pairs are "
            f"left out ({hint}); first: {missing[0]}",
            stacklevel=2,
        )
        frame = frame[present].reset_index(drop=True)
        images = [p for p, ok in zip(images, present, strict=True) if ok]
    ids = (
        frame[id_key].astype(str).tolist()
        if id_key in frame.columns
        else [str(i) for i in range(len(frame))]
    )
    extra = frame[list(fields)].reset_index(drop=True) if fields else None
    groups = _group_keys(frame.to_dict("records"), ids)
    captions = frame[caption_key].astype(str).tolist()
    return PairTable(ids, captions, images, extra, str(path), groups, left_out)


def _group_keys(rows: Sequence[dict[str, Any]], ids: list[str]) -> list[str] | None:
    """Each pair's article (``pdf_sha256``), else its figure (a panel's ``parent_id``), for a
    corpus's pairs: panels and figures of one paper held out apart from each other let the
    validation recall measure what training saw. ``None`` when no row says."""
    if not any(r.get("pdf_sha256") or r.get("parent_id") for r in rows):
        return None
    keys = []
    for r, i in zip(rows, ids, strict=True):
        key = next((r.get(k) for k in ("pdf_sha256", "parent_id") if _present(r.get(k))), i)
        keys.append(str(key))
    return keys


def _present(value: Any) -> bool:
    return value is not None and value == value and str(value) != ""


def _in_split(meta: Any, split: str | None) -> bool:
    """Whether a shard sample belongs to ``split`` (samples without a ``split`` always do)."""
    if split is None or not isinstance(meta, dict) or meta.get("split") is None:
        return True
    return recorded(meta["split"]) in split_names(split)


def _index_shard(
    path: Path, fields: Sequence[str], split: str | None = None
) -> tuple[list, list, list, list, list]:
    """Member offsets of one tar, grouped WebDataset-style by key (name up to the first dot);
    samples whose json names another ``split`` are left out, as a manifest's rows are."""
    groups: dict[str, dict[str, Any]] = {}
    from litclip.data.webdataset import check_plain_tar

    check_plain_tar(path)  # members are read at their offsets: no compressed shards
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            if not member.isfile():
                continue
            base = member.name.rsplit("/", 1)[-1]
            key = member.name[: len(member.name) - len(base)] + base.split(".", 1)[0]
            ext = base.split(".", 1)[1].lower() if "." in base else ""
            entry = groups.setdefault(key, {})
            if ext in IMAGE_EXTS:
                entry["image"] = (str(path), member.offset_data, member.size)
            elif ext == "txt":
                entry["txt"] = tar.extractfile(member).read().decode("utf-8").strip()
            elif ext == "json":  # fields, and the corpus's split of the sample
                entry["json"] = json.loads(tar.extractfile(member).read())
    ids, caps, imgs, extra, meta = [], [], [], [], []
    for key, entry in groups.items():
        if not _in_split(entry.get("json"), split):
            continue
        if "image" in entry and entry.get("txt"):
            ids.append(f"{path.stem}:{key}")
            caps.append(entry["txt"])
            imgs.append(entry["image"])
            extra.append({f: entry.get("json", {}).get(f) for f in fields})
            meta.append(entry.get("json") or {})
    return ids, caps, imgs, extra, meta


def _from_shards(paths: list[Path], fields: Sequence[str], split: str | None = None) -> PairTable:
    ids: list[str] = []
    caps: list[str] = []
    imgs: list[Any] = []
    extra: list[dict] = []
    metas: list[dict] = []
    for p in sorted(paths):
        i, c, m, e, meta = _index_shard(p, fields, split)
        ids += i
        caps += c
        imgs += m
        extra += e
        metas += meta
    frame = pd.DataFrame(extra, columns=list(fields)) if fields else None
    source = ",".join(str(p) for p in paths[:3])
    return PairTable(ids, caps, imgs, frame, source, _group_keys(metas, ids))


def open_pairs(
    spec: str | Path,
    image_key: str = "filepath",
    caption_key: str = "caption",
    id_key: str = "pair_id",
    fields: Sequence[str] = (),
    split: str | None = "train",
) -> PairTable:
    """Open training pairs from a corpus dir, a manifest, a shard, a shard folder or a glob.

    A manifest with a ``split`` column gives only its ``split`` rows (``train`` by default;
    ``val`` also takes ``valid``/``validation``; ``None``: every row); shard samples whose
    json has a ``split`` are filtered the same way. ``wds:``/``pairs:`` prefixes (the dataset
    specs of other commands, ``pairs:m.csv?caption_key=text`` overriding the keys) and brace
    patterns (``shard-{000..009}.tar``) are accepted.

    Raises:
        DatasetNotFoundError: nothing readable at ``spec``.
        LitclipError: a manifest without the needed columns, or no pairs at all.
    """
    text, options = parse_data_spec(spec)
    image_key = options.get("image_key", image_key)
    caption_key = options.get("caption_key", caption_key)
    path = Path(text)
    if any(ch in text for ch in "*?[{"):
        from litclip.data.webdataset import expand_shards

        shards = [Path(p) for p in expand_shards(text)]
        table = _from_shards(shards, fields, split) if shards else None
    elif path.is_dir():
        manifest = next(
            (path / n for n in ("manifest.parquet", "manifest.csv") if (path / n).is_file()), None
        )
        if manifest is not None:
            table = _from_manifest(
                manifest, image_key, caption_key, id_key, fields, split, options.get("root")
            )
        else:
            shards = sorted(path.glob("*.tar")) or sorted((path / "shards").glob("*.tar"))
            table = _from_shards(shards, fields, split) if shards else None
    elif path.is_file():
        if path.name.lower().endswith((".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")):
            table = _from_shards([path], fields, split)  # a compressed one is refused by name
        else:
            table = _from_manifest(
                path, image_key, caption_key, id_key, fields, split, options.get("root")
            )
    else:
        table = None
    if table is None and not path.exists() and not any(ch in text for ch in "*?[{"):
        raise DatasetNotFoundError(f"{text!r} does not exist: check the path")
    if table is None:
        raise DatasetNotFoundError(
            f"no image-caption pairs at {text!r}: expected a corpus dir (manifest.parquet), a CSV/"
            "Parquet manifest with filepath/caption columns, or WebDataset .tar shards"
        )
    if len(table) == 0:
        raise LitclipError(f"{text!r} holds no usable pairs (empty captions or all failed QC)")
    return table


def split_holdout(table: PairTable, fraction: float, seed: int = 0) -> tuple[PairTable, PairTable]:
    """Split by a seeded hash of each pair's group (its article or figure, see
    :class:`PairTable`; else its id), so no article is on both sides and the split is stable
    when the corpus grows."""
    keys = table.groups if table.groups is not None else table.ids
    digests = [
        int.from_bytes(hashlib.sha256(f"{seed}:{k}".encode()).digest()[:8], "big") / 2**64
        for k in keys
    ]
    val = [i for i, d in enumerate(digests) if d < fraction]
    train = [i for i, d in enumerate(digests) if d >= fraction]
    if not val or not train:
        units = f"{len(set(keys))} articles or figures" if table.groups is not None else "pairs"
        # a fraction in (min, max] of the digests leaves both sides non-empty
        lo = math.floor(min(digests) * 1000 + 1) / 1000
        hi = math.floor(max(digests) * 1000) / 1000
        works = (
            f"with seed {seed}, a val_fraction from {lo:g} to {hi:g} splits them"
            if lo <= hi
            else f"no val_fraction splits them with seed {seed}"
        )
        raise LitclipError(
            f"val_fraction={fraction} leaves an empty {'validation' if not val else 'training'} "
            f"split of {len(table)} pairs ({units}, held out whole): {works}; or pass val_data"
        )
    return table.subset(train), table.subset(val)


MAX_REPLACEMENTS = 64  # unreadable images in a row before a training run gives up


class PairDataset(torch.utils.data.Dataset):
    """``ds[i] -> (image tensor, caption, i)`` over a :class:`PairTable`."""

    def __init__(self, table: PairTable, transform: Callable[[Image.Image], torch.Tensor]) -> None:
        self.table = table
        self.transform = transform

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, item: int | tuple[int, int]) -> tuple[torch.Tensor, str, int]:
        """The pair at ``index`` (``item``, or ``(index, seed)``: its augmentation drawn from
        that seed, whichever worker process reads it); an unreadable image is replaced by the
        next readable pair (with a warning), so one corrupt file never stops a training run."""
        if isinstance(item, tuple):
            index, seed = item
            with torch.random.fork_rng(devices=[]):  # the caller's RNG goes on untouched
                torch.manual_seed(seed)
                return self._pair(index)
        return self._pair(item)

    def _pair(self, index: int) -> tuple[torch.Tensor, str, int]:
        n = len(self.table)
        for k in range(min(n, MAX_REPLACEMENTS)):
            j = (index + k) % n
            try:
                image = self.table.load_image(j)
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
                warnings.warn(
                    f"unreadable image of pair {self.table.ids[j]} ({self.table.images[j]}): "
                    f"{type(exc).__name__}: {exc}; the next pair is used instead",
                    stacklevel=1,  # said from here: the CLI prints it as one 'warning:' line
                )
                continue
            return self.transform(image), self.table.captions[j], j
        raise LitclipError(
            f"{MAX_REPLACEMENTS} images in a row from pair {self.table.ids[index]} on are "
            f"unreadable ({self.table.source}); check the data with `litclip data info`"
        )


def epoch_batches(n: int, global_batch: int, seed: int, epoch: int) -> list[list[int]]:
    """The global batches of one epoch: a seeded permutation, last partial batch dropped.

    Dropping the remainder keeps every contrastive batch full (and equal across ranks).
    """
    if n < global_batch:
        raise LitclipError(
            f"{n} training pairs are fewer than one global batch ({global_batch}); "
            "lower batch_size or add data"
        )
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    perm = torch.randperm(n, generator=gen).tolist()
    return [perm[i : i + global_batch] for i in range(0, n - global_batch + 1, global_batch)]


def seeded(
    batches: list[list[int]], seed: int, epoch: int, first: int
) -> list[list[tuple[int, int]]]:
    """Each sample of global ``batches`` (the epoch's ``first`` on) with its augmentation
    seed, made from the run's seed, the epoch, the batch's number and the sample's place in
    it: a run resumed mid-epoch, or read by other worker processes or ranks, draws the same
    crops (worker seeds followed where the loader started and which worker took a batch)."""
    base = (seed * 1_000_003 + epoch) * 1_000_003
    return [
        [(i, (base + (first + b) * 65_537 + p) % 2**63) for p, i in enumerate(batch)]
        for b, batch in enumerate(batches)
    ]


def rank_slice(batch: list, rank: int, world_size: int) -> list:
    """Rank ``rank``'s contiguous share of a global batch (gathering restores the global order)."""
    per = len(batch) // world_size
    return batch[rank * per : (rank + 1) * per]


class Collate:
    """Stack images, tokenize captions, keep dataset indices (picklable for worker processes)."""

    def __init__(self, tokenizer: Callable[[list[str]], torch.Tensor] | None) -> None:
        self.tokenizer = tokenizer  # None: no tokens (text features come from a cache)

    def __call__(self, items: list[tuple[torch.Tensor, str, int]]) -> dict[str, Any]:
        images, captions, indices = zip(*items, strict=True)
        return {
            "images": torch.stack(images),
            "texts": self.tokenizer(list(captions)) if self.tokenizer else None,
            "indices": torch.tensor(indices, dtype=torch.long),
        }


def make_loader(
    dataset: PairDataset,
    batches: list[list[int]] | list[list[tuple[int, int]]],
    tokenizer: Callable[[list[str]], torch.Tensor] | None,
    num_workers: int = 0,
    pin_memory: bool = False,
    seed: int | None = None,
) -> torch.utils.data.DataLoader:
    """A DataLoader over precomputed index batches (the sampler state is the batch list);
    indices paired with seeds (:func:`seeded`) fix each sample's augmentation.

    ``seed`` gives the loader its own generator (worker seeds), so creating a loader does not
    draw from the global RNG.
    """
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    return torch.utils.data.DataLoader(
        dataset,
        batch_sampler=batches,
        collate_fn=Collate(tokenizer),
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=False,
        generator=gen,
    )


def sample_ids(table: PairTable, indices: torch.Tensor | np.ndarray) -> list[str]:
    """Ids of the pairs at ``indices``."""
    return [table.ids[int(i)] for i in indices]
