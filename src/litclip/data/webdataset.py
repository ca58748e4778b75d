"""WebDataset shards: ``.tar`` files of ``KEY.jpg|png`` + ``KEY.txt`` and/or ``KEY.json``.

Two readers over the same shards (ARCHITECTURE contract 1 writes ``shards/*.tar``):

* :class:`WebDatasetPairs` — a streaming :class:`torch.utils.data.IterableDataset` built on the
  ``webdataset`` library (shard splitting across nodes and DataLoader workers, optional shard
  shuffling) for training. Unreadable samples are skipped and counted in ``.skipped`` (per
  process: each DataLoader worker keeps its own count) or raise with ``on_error="raise"``.
* :class:`WebDatasetMap` — a small map-style reader for evaluation: it indexes the members of
  each tar once (``tarfile``), then reads one sample's bytes by offset, so ``len``, random
  access and aligned ``captions`` work. Corrupt images follow :mod:`litclip.data._images`.

The caption is the ``txt`` member, else the ``caption`` field of the ``json`` member. With
``split=``, both keep the samples whose ``json`` records that ``split`` (as a corpus writes it;
``val`` also matches ``valid``/``validation``) and those that record none.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import tarfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from torch.utils.data import IterableDataset

from litclip.data._images import (
    LazyVerifiedDataset,
    SkippedItem,
    check_on_error,
    corrupt_error,
    describe_failure,
    open_rgb,
)
from litclip.data.errors import DatasetNotFoundError, LitclipError
from litclip.data.splits import split_names

IMAGE_EXTS = ("jpg", "jpeg", "png", "webp")
_KEY_RE = re.compile(r"^((?:.*/|)[^.]+)[.]([^/]*)$")  # webdataset's base_plus_ext convention


def expand_shards(pattern: str | os.PathLike[str] | Sequence[str]) -> list[str]:
    """Expand a shard spec into a sorted list of existing ``.tar`` paths.

    Accepts a directory (all ``*.tar`` inside), brace notation (``shard-{000..009}.tar``), a
    glob (``shards/*.tar``), a single file, or a list of any of these.

    Raises:
        DatasetNotFoundError: nothing matches, or a named shard is missing.
    """
    if not isinstance(pattern, str | os.PathLike):
        return [s for p in pattern for s in expand_shards(p)]
    text = str(pattern)
    if Path(text).is_dir():
        shards = sorted(glob.glob(os.path.join(text, "*.tar")))
    else:
        import braceexpand

        shards = []
        for part in braceexpand.braceexpand(text):
            matches = sorted(glob.glob(part)) if glob.has_magic(part) else [part]
            shards.extend(matches)
        missing = [s for s in shards if not Path(s).is_file()]
        if missing:
            raise DatasetNotFoundError(
                f"WebDataset shard not found: {missing[0]} ({len(missing)} missing of {len(shards)}). "
                "Check the pattern (brace notation shard-{000..009}.tar, a glob, or a directory)."
            )
    if not shards:
        raise DatasetNotFoundError(
            f"no WebDataset shards match {text}: expected .tar files holding KEY.jpg/png with "
            "KEY.txt or KEY.json (e.g. a corpus dir's shards/)."
        )
    return shards


def _caption(sample: dict[str, bytes], json_field: str) -> str | None:
    if sample.get("txt") is not None:
        return sample["txt"].decode("utf-8").strip() or None
    if sample.get("json") is not None:
        value = json.loads(sample["json"]).get(json_field)
        return str(value).strip() or None if value is not None else None
    return None


def _split_names(split: str | None) -> tuple[str, ...]:
    """The recorded split values that count as ``split`` (none: no selection)."""
    return () if split is None else split_names(split)


def _recorded_split(meta: bytes | None) -> str | None:
    """The split a sample's ``json`` member records, lower-cased (``None``: none recorded)."""
    try:
        value = json.loads(meta).get("split") if meta is not None else None
    except (ValueError, AttributeError):
        return None  # an unreadable json is reported where its caption is read
    return None if value is None else str(value).strip().lower()


def _image_bytes(sample: dict[str, Any], image_exts: Sequence[str]) -> bytes | None:
    return next((sample[e] for e in image_exts if sample.get(e) is not None), None)


class WebDatasetPairs(IterableDataset):
    """Stream ``(PIL RGB image, caption)`` pairs from WebDataset shards (training).

    Args:
        urls: shard spec, see :func:`expand_shards`.
        image_exts: member extensions tried for the image, in order.
        json_caption_field: caption field in the ``json`` member when there is no ``txt``.
        transform: optional callable applied to each PIL image.
        on_error: ``"skip"`` (count in ``.skipped``) or ``"raise"``.
        shuffle_shards: shuffle the shard order each epoch (training).
        seed: seed for shard shuffling.
        split: keep the samples whose ``json`` records this split (and those recording none).
    """

    def __init__(
        self,
        urls: str | os.PathLike[str] | Sequence[str],
        *,
        image_exts: Sequence[str] = IMAGE_EXTS,
        json_caption_field: str = "caption",
        transform: Callable[[Image.Image], Any] | None = None,
        on_error: str = "skip",
        shuffle_shards: bool = False,
        seed: int = 0,
        split: str | None = None,
    ) -> None:
        super().__init__()
        self.shards = expand_shards(urls)
        self.split = split
        self.image_exts = tuple(image_exts)
        self.json_caption_field = json_caption_field
        self.transform = transform
        self.on_error = check_on_error(on_error)
        self.shuffle_shards = shuffle_shards
        self.seed = seed
        self.skipped: list[SkippedItem] = []

    def _pipeline(self) -> Any:
        import webdataset as wds

        return wds.WebDataset(
            self.shards,
            shardshuffle=100 if self.shuffle_shards else False,
            seed=self.seed,
            nodesplitter=wds.split_by_node,
            workersplitter=wds.split_by_worker,
            empty_check=False,  # fewer shards than workers is fine; some workers just idle
        )

    def _decode(self, n: int, sample: dict[str, Any]) -> tuple[Any, str] | None:
        where = f"{sample.get('__url__')}:{sample.get('__key__')}"
        try:
            raw = _image_bytes(sample, self.image_exts)
            if raw is None:
                raise ValueError(f"no image member ({'/'.join(self.image_exts)})")
            caption = _caption(sample, self.json_caption_field)
            if caption is None:
                raise ValueError("no caption (txt member or json 'caption' field)")
            img: Any = open_rgb(io.BytesIO(raw))
        except Exception as exc:
            if self.on_error == "raise":
                raise corrupt_error(where, exc, "WebDataset shards") from exc
            self.skipped.append(SkippedItem(n, where, describe_failure(exc)))
            return None
        if self.transform is not None:
            img = self.transform(img)
        return img, caption

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        wanted = _split_names(self.split)
        for n, sample in enumerate(self._pipeline()):
            recorded = _recorded_split(sample.get("json"))
            if wanted and recorded is not None and recorded not in wanted:
                continue
            item = self._decode(n, sample)
            if item is not None:
                yield item

    def to_map(self, progress: bool = True) -> WebDatasetMap:
        """A map-style reader over the same shards (for evaluation)."""
        return WebDatasetMap(
            self.shards,
            image_exts=self.image_exts,
            json_caption_field=self.json_caption_field,
            transform=self.transform,
            on_error=self.on_error,
            progress=progress,
            split=self.split,
        )


@dataclass
class _Entry:
    shard: str
    key: str
    members: dict[str, tuple[int, int]] = field(default_factory=dict)  # ext -> (offset, size)


def check_plain_tar(shard: str | os.PathLike[str]) -> None:
    """Refuse a compressed shard: members are read in place at their offsets, which a
    ``.tar.gz`` (or ``.tar.xz``, ``.tar.bz2``) does not have."""
    try:
        with open(shard, "rb") as fh:
            head = fh.read(6)
    except OSError:
        return  # the tar reader reports it
    for magic, kind, tool in (
        (b"\x1f\x8b", "gzip", "gunzip"),
        (b"\xfd7zXZ", "xz", "unxz"),
        (b"BZh", "bzip2", "bunzip2"),
    ):
        if head.startswith(magic):
            raise LitclipError(
                f"WebDataset shard {shard} is compressed ({kind}); litclip reads members in "
                f"place and needs plain .tar shards: decompress it (e.g. `{tool} -k {shard}`)"
            )


def _index_shard(shard: str) -> list[_Entry]:
    entries: dict[str, _Entry] = {}
    check_plain_tar(shard)
    try:
        with tarfile.open(shard, mode="r:") as tar:
            for m in tar:
                match = _KEY_RE.match(m.name)
                if not m.isfile() or not match:
                    continue
                key, ext = match.group(1), match.group(2).lower()
                entries.setdefault(key, _Entry(shard, key)).members[ext] = (m.offset_data, m.size)
    except tarfile.TarError as exc:
        raise LitclipError(
            f"cannot read WebDataset shard {shard}: {exc}. Re-create the shard (e.g. rerun corpus build)."
        ) from exc
    return list(entries.values())


class WebDatasetMap(LazyVerifiedDataset):
    """Map-style reader over WebDataset shards: ``ds[i] -> (PIL RGB image, caption)``.

    Samples without an image or caption are dropped at construction, unreadable images
    lazily; both are listed in ``.skipped``. ``keys``/``captions`` follow the kept items.
    With ``split=``, samples that record another split are left out (not skipped), and a split
    no sample records is an error; ``.split`` is ``None`` when no sample records one.
    """

    def __init__(
        self,
        urls: str | os.PathLike[str] | Sequence[str],
        *,
        image_exts: Sequence[str] = IMAGE_EXTS,
        json_caption_field: str = "caption",
        transform: Callable[[Image.Image], Any] | None = None,
        on_error: str = "skip",
        progress: bool = True,
        split: str | None = None,
    ) -> None:
        self.shards = expand_shards(urls)
        self.name = Path(self.shards[0]).parent.name
        self._wanted = _split_names(split)
        self._recorded: set[str] = set()
        self._in_split = 0
        self.image_exts = tuple(image_exts)
        self.json_caption_field = json_caption_field
        self.transform = transform
        self._init_policy(on_error, progress)
        self._entries: list[_Entry] = []
        self._captions: list[str] = []
        for shard in self.shards:
            for entry in _index_shard(shard):
                self._add(entry)
        self.split = split if self._recorded else None
        self._check_split(split)
        self._share_verdicts()

    def _check_split(self, split: str | None) -> None:
        """Like a manifest's ``split`` column: a split no sample records is an error."""
        if split is not None and self._recorded and not self._in_split:
            raise LitclipError(
                f"{self._describe()} have no samples with split == {split!r} (their samples "
                f"record {sorted(self._recorded)}); choose another split."
            )

    def _add(self, entry: _Entry) -> None:
        where = f"{entry.shard}:{entry.key}"
        sample = {e: self._read(entry, e) for e in ("txt", "json") if e in entry.members}
        recorded = _recorded_split(sample.get("json"))
        if recorded is not None:
            self._recorded.add(recorded)
            if self._wanted and recorded not in self._wanted:
                return
        self._in_split += 1
        image_ext = next((e for e in self.image_exts if e in entry.members), None)
        caption, reason = None, "no image member"
        if image_ext is not None:
            try:
                caption = _caption(sample, self.json_caption_field)
                reason = "no caption"
            except (ValueError, AttributeError) as exc:  # bad UTF-8 / JSON, or JSON not an object
                reason = f"unreadable caption: {describe_failure(exc)}"
        if image_ext is None or caption is None:
            if self.on_error == "raise":
                raise LitclipError(
                    f"WebDataset sample {where}: {reason}. Fix the shard or use on_error='skip'."
                )
            self.skipped.append(SkippedItem(-1, where, reason))
            return
        entry.members["__image__"] = entry.members[image_ext]
        self._entries.append(entry)
        self._captions.append(caption)

    @staticmethod
    def _read(entry: _Entry, ext: str) -> bytes:
        offset, size = entry.members[ext]
        with open(entry.shard, "rb") as fh:
            fh.seek(offset)
            return fh.read(size)

    # LazyVerifiedDataset hooks
    def _num_raw(self) -> int:
        return len(self._entries)

    def _load_raw(self, i: int) -> Image.Image:
        return open_rgb(io.BytesIO(self._read(self._entries[i], "__image__")))

    def _source(self, i: int) -> str:
        return f"{self._entries[i].shard}:{self._entries[i].key}"

    def _describe(self) -> str:
        return f"WebDataset shards {self.shards[0]}" + (
            f" (+{len(self.shards) - 1})" if len(self.shards) > 1 else ""
        )

    @property
    def captions(self) -> list[str]:
        """Caption of every kept sample."""
        return [self._captions[i] for i in self._raw_indices()]

    @property
    def keys(self) -> list[str]:
        """``__key__`` of every kept sample."""
        return [self._entries[i].key for i in self._raw_indices()]

    def metadata(self, i: int) -> dict[str, Any]:
        """The parsed ``json`` member of kept item ``i`` (``{}`` when there is none)."""
        entry = self._entries[self._raw_index(i)]
        return json.loads(self._read(entry, "json")) if "json" in entry.members else {}

    def _target(self, raw: int) -> str:
        return self._captions[raw]

    def __repr__(self) -> str:
        return f"WebDatasetMap(shards={len(self.shards)}, samples={self._num_raw()})"
