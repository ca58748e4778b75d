"""Shared machinery for datasets of image files: decoding, corrupt-image policy, verification.

Corrupt-image design (one mechanism, used by every map-style reader): with
``on_error="skip"`` (the default) a dataset **verifies itself lazily**, the first time its
length, labels or items are asked for. Verification decodes every image once (threads, with a
progress bar), drops the unreadable ones from the index and records each in ``.skipped`` with
its reason. It runs in the main process before a :class:`torch.utils.data.DataLoader` builds
its sampler (the sampler calls ``len``), so workers only ever see readable items, batches
never contain holes, and ``labels`` / ``captions`` stay aligned with the items. Construction
stays cheap. DataLoader workers are forked *before* the sampler asks for ``len``; the
verdicts live in a small shared (anonymous ``mmap``) buffer made at construction, so forked
workers read the main process's result instead of decoding everything again. With ``on_error="raise"`` there is no pre-pass and the first unreadable image
raises :class:`~litclip.data.errors.CorruptImageError` naming the file and the fix.
"""

from __future__ import annotations

import mmap
import os
import re
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageOps

from litclip.data.errors import CorruptImageError

OnError = Literal["skip", "raise"]
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"})


@dataclass(frozen=True)
class SkippedItem:
    """One item dropped from a dataset: its original index, its source and why."""

    index: int
    source: str
    reason: str


def check_on_error(on_error: str) -> OnError:
    """Validate an ``on_error`` option (a ``ValueError`` names the allowed values)."""
    if on_error not in ("skip", "raise"):
        raise ValueError(f"on_error must be 'skip' or 'raise', got {on_error!r}")
    return on_error  # type: ignore[return-value]


_HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


_EXIF_ORIENTATION = 0x0112


def to_rgb(image: Image.Image) -> Image.Image:
    """``image`` as 8-bit RGB, upright, on white, 16-bit and float greyscale stretched from
    its own min to max.

    PIL's ``convert("RGB")`` clips a 16-bit value to 255, so a 16-bit export (DICOM to PNG or
    TIFF, microscopy) turns white and every image looks the same to a model. A camera's JPEG
    tagged "rotate 90" is turned as a viewer shows it (PIL reads the pixels as stored), and
    transparent pixels are laid on white (``convert`` keeps the colour stored under them,
    often black: a figure exported with a transparent background turned black).
    """
    if image.getexif().get(_EXIF_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    if image.mode not in _HIGH_DEPTH_MODES:
        return image.convert("RGB")  # a loaded copy even for RGB: the file may close after
    values = np.asarray(image, dtype=np.float64)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    scaled = (values - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(values)
    return Image.fromarray(scaled.round().astype(np.uint8), mode="L").convert("RGB")


MAX_PIXELS_ENV = "LITCLIP_MAX_IMAGE_PIXELS"


def max_image_pixels() -> int:
    """The largest image decoded (pixels): PIL's bomb limit, or ``$LITCLIP_MAX_IMAGE_PIXELS``."""
    value = os.environ.get(MAX_PIXELS_ENV, "").strip()
    try:  # "2e8" as well as "200000000"
        given = int(float(value)) if value else 0
    except ValueError:
        given = 0
    return given if given > 0 else 2 * (Image.MAX_IMAGE_PIXELS or 89_478_485)


def open_rgb(source: str | os.PathLike[str] | Any) -> Image.Image:
    """Decode an image file (path or binary file object) fully and return it as RGB.

    Images over :func:`max_image_pixels` are refused before decoding (with how to raise the
    limit); large ones under it decode without PIL's warning.
    """
    limit = max_image_pixels()
    if limit > 2 * (Image.MAX_IMAGE_PIXELS or limit):  # the user raised it: so does PIL
        Image.MAX_IMAGE_PIXELS = limit // 2
    try:
        with warnings.catch_warnings():  # PIL warns at open already, for what we allow
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(source)
    except Image.DecompressionBombError as exc:  # PIL refuses it at open
        raise Image.DecompressionBombError(
            f"image too large ({exc}); downscale it, or raise the limit with "
            f"{MAX_PIXELS_ENV}=N (pixels)"
        ) from exc
    with im:
        w, h = im.size
        if w * h > limit:
            raise Image.DecompressionBombError(
                f"image too large: {w}x{h} = {w * h / 1e6:.0f} Mpx over the {limit / 1e6:.0f} Mpx "
                f"limit; downscale it, or raise the limit with {MAX_PIXELS_ENV}=N (pixels)"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im.load()  # full decode: a truncated file fails here, not later in a worker
        return to_rgb(im)


def describe_failure(exc: BaseException) -> str:
    """A short reason for a failed decode (``FileNotFoundError`` -> ``missing file``)."""
    if isinstance(exc, FileNotFoundError):
        return "missing file"
    # PIL names an in-memory image by its repr ("<_io.BytesIO object at 0x7f...>")
    text = re.sub(r"<_io\.BytesIO object at 0x[0-9a-f]+>", "(the sample's bytes)", str(exc))
    return f"{type(exc).__name__}: {text}"


def corrupt_error(source: str, exc: BaseException | str, what: str) -> CorruptImageError:
    """The error raised in ``on_error="raise"`` mode for one unreadable image."""
    reason = exc if isinstance(exc, str) else describe_failure(exc)
    return CorruptImageError(
        f"cannot read image {source} in {what}: {reason}. Fix or remove the file, or open "
        "the dataset with on_error='skip' to drop unreadable images and count them."
    )


def find_unreadable(
    load: Callable[[int], Any],
    n: int,
    *,
    desc: str,
    progress: bool = True,
    num_threads: int | None = None,
) -> dict[int, str]:
    """Try ``load(i)`` for every ``i < n``; return ``{index: reason}`` for the failures.

    PIL releases the GIL while decoding, so a small thread pool speeds this up without the
    start-up cost of processes.
    """
    num_threads = num_threads or min(8, (os.cpu_count() or 1) + 2)

    def _try(i: int) -> str | None:
        try:
            load(i)
        except Exception as exc:  # any decode failure is a reason to skip, never fatal here
            return describe_failure(exc)
        return None

    failures: dict[int, str] = {}
    with ThreadPoolExecutor(max_workers=num_threads) as pool:
        results = pool.map(_try, range(n))
        for i, reason in enumerate(_progress(results, n, desc, progress)):
            if reason is not None:
                failures[i] = reason
    return failures


def _progress(it: Any, total: int, desc: str, enabled: bool) -> Any:
    if not enabled or total < 2:
        yield from it
        return
    from litclip.progress import progress_bar

    with progress_bar(desc, transient=True, elapsed=False) as bar:
        yield from bar.track(it, total=total)


class LazyVerifiedDataset:
    """Base for map-style datasets whose items can be unreadable.

    Subclasses implement ``_num_raw()``, ``_load_raw(i)`` (may raise), ``_source(i)``,
    ``_describe()`` and ``_target(i)`` (the label or caption an item pairs its image with), and
    read ``self._keep`` (indices of raw items still in the dataset) via ``self._raw_index(i)``.
    Items are ``(image after self.transform, target)``. See the module docstring for the policy.
    """

    transform: Any = None
    on_error: OnError
    skipped: list[SkippedItem]
    _keep: list[int] | None

    def _init_policy(self, on_error: str, progress: bool = True) -> None:
        self.on_error = check_on_error(on_error)
        self.skipped = []
        self._keep = None
        self._progress = progress
        self._verified = False
        self._shared: mmap.mmap | None = None

    def _share_verdicts(self) -> None:
        """Call at the end of ``__init__``: byte 0 = verified flag, byte 1+i = item i is bad.

        An anonymous mmap is shared with processes forked later (DataLoader workers).
        """
        self._shared = mmap.mmap(-1, self._num_raw() + 1)

    def _adopt_shared_verdicts(self) -> bool:
        if self._shared is None or self._shared[0] != 1:
            return False
        bad = self._shared[1:]
        self._keep = [i for i, b in enumerate(bad) if not b]
        self._verified = True
        return True

    def __getstate__(self) -> dict[str, Any]:
        # Pickled for spawn-started workers: verify first (once, here) and drop the mmap.
        self._ensure_ready()
        state = self.__dict__.copy()
        state["_shared"] = None
        return state

    # -- to implement -------------------------------------------------------------------
    def _num_raw(self) -> int:
        raise NotImplementedError

    def _load_raw(self, i: int) -> Any:
        raise NotImplementedError

    def _source(self, i: int) -> str:
        raise NotImplementedError

    def _describe(self) -> str:
        raise NotImplementedError

    # -- policy -------------------------------------------------------------------------
    def verify(self, progress: bool | None = None) -> LazyVerifiedDataset:
        """Decode every image once; drop unreadable ones and record them in ``.skipped``.

        Runs automatically on first use when ``on_error="skip"``; call it yourself to choose
        when the cost is paid. In ``on_error="raise"`` mode the first failure raises.

        Returns:
            ``self``, so ``ds = PairsDataset(path).verify()`` reads well.
        """
        if self._verified or self._adopt_shared_verdicts():
            return self
        show = self._progress if progress is None else progress
        bad = find_unreadable(
            self._load_raw, self._num_raw(), desc=f"verifying {self._describe()}", progress=show
        )
        if bad and self.on_error == "raise":
            i = min(bad)
            raise corrupt_error(self._source(i), bad[i], self._describe())
        self.skipped.extend(
            SkippedItem(self._original_index(i), self._source(i), r) for i, r in sorted(bad.items())
        )
        self._keep = [i for i in range(self._num_raw()) if i not in bad]
        self._verified = True
        if self._shared is not None:
            for i in bad:
                self._shared[i + 1] = 1
            self._shared[0] = 1  # written last: a reader never sees a half-written verdict
        return self

    def _original_index(self, i: int) -> int:
        """The identifier recorded in ``.skipped`` for raw item ``i`` (a manifest row, say)."""
        return i

    def _ensure_ready(self) -> None:
        if self.on_error == "skip" and not self._verified:
            self.verify()

    def _raw_index(self, i: int) -> int:
        self._ensure_ready()
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for {self._describe()} with {n} items")
        i = i % n
        return self._keep[i] if self._keep is not None else i

    def _raw_indices(self) -> Sequence[int]:
        self._ensure_ready()
        return self._keep if self._keep is not None else range(self._num_raw())

    def __len__(self) -> int:
        self._ensure_ready()
        return len(self._keep) if self._keep is not None else self._num_raw()

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        raw = self._raw_index(i)
        img: Any = self._load_item_image(raw)
        if self.transform is not None:
            img = self.transform(img)
        return img, self._target(raw)

    def _target(self, raw: int) -> Any:
        """What an item pairs its image with (a label, a caption): a subclass hook."""
        raise NotImplementedError

    def _load_item_image(self, i: int) -> Image.Image:
        """Load raw item ``i``; in raise mode wrap failures in a :class:`CorruptImageError`."""
        try:
            return self._load_raw(i)
        except CorruptImageError:
            raise
        except Exception as exc:
            raise corrupt_error(self._source(i), exc, self._describe()) from exc

    @property
    def n_skipped(self) -> int:
        """How many items were dropped so far (unreadable images, empty rows)."""
        return len(self.skipped)


def resolve_path(path: str | os.PathLike[str], base: Path) -> Path:
    """``path`` if absolute, else ``base / path``. A relative path written on Windows
    (``images\\fig1.png``) is read with ``/`` where that file exists and the path as written
    does not."""
    p = Path(path)
    out = p if p.is_absolute() else base / p
    if os.sep == "/" and "\\" in str(path) and not p.is_absolute() and not out.exists():
        posix = base / PureWindowsPath(str(path)).as_posix()
        if not PureWindowsPath(str(path)).anchor and posix.exists():
            return posix
    return out


class ImageFilesDataset(LazyVerifiedDataset):
    """A :class:`LazyVerifiedDataset` whose raw items are image files (``self._paths``)."""

    _paths: Sequence[str | os.PathLike[str]]

    def _num_raw(self) -> int:
        return len(self._paths)

    def _load_raw(self, i: int) -> Image.Image:
        return open_rgb(self._paths[i])

    def _source(self, i: int) -> str:
        return str(self._paths[i])

    @property
    def filepaths(self) -> list[str]:
        """Path of every kept image."""
        return [str(self._paths[i]) for i in self._raw_indices()]
