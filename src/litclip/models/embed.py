"""Batched, normalised image and text embeddings with flat memory.

Embeddings stream into a ``.npy`` memory map when ``out_path`` is given, so memory does not grow
with the dataset; the file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from litclip.data import open_rgb, to_rgb
from litclip.io import atomic_path
from litclip.models.loading import LoadedModel
from litclip.progress import progress_bar


class _ImageSource(Dataset):
    """Wraps paths, PIL images or a dataset of (image, ...) items and applies ``transform``."""

    def __init__(self, items: Any, transform: Any) -> None:
        self.items = items
        self.transform = transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> torch.Tensor:
        item = self.items[index]
        if isinstance(item, tuple | list):
            item = item[0]
        if isinstance(item, str | Path):
            item = open_rgb(item)
        elif isinstance(item, Image.Image):
            item = to_rgb(item)
        return self.transform(item)


def _autocast(device: torch.device) -> contextlib.AbstractContextManager:
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def _output(n: int, dim: int, out_path: str | Path | None) -> Iterator[np.ndarray]:
    """An in-memory array, or a memory-mapped ``.npy`` renamed into place when complete."""
    if out_path is None:
        yield np.empty((n, dim), dtype=np.float32)
        return
    with atomic_path(out_path) as tmp:
        arr = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, dim))
        yield arr
        arr.flush()
        del arr


def encode_images(
    loaded: LoadedModel,
    images: Sequence[Any] | Dataset,
    batch_size: int = 64,
    num_workers: int = 0,
    out_path: str | Path | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Embed images with ``loaded``'s image tower.

    Args:
        loaded: a model from :func:`load_model`.
        images: PIL images, file paths, or a dataset whose items are an image or a tuple
            starting with one.
        batch_size: images per forward pass.
        num_workers: DataLoader workers decoding images in parallel.
        out_path: stream results into this ``.npy`` file (memory-mapped) instead of RAM.
        progress: show a progress bar.

    Returns:
        ``(N, embed_dim)`` float32, L2-normalised (a read-only memmap when ``out_path``).
    """
    source = _ImageSource(images, loaded.preprocess_val)
    loader = DataLoader(
        source,
        batch_size=batch_size,
        num_workers=num_workers,
        pin_memory=loaded.device.type == "cuda",
        persistent_workers=False,
    )
    model = loaded.model.eval()
    start = 0
    with (
        _output(len(source), loaded.embed_dim, out_path) as out,
        progress_bar("{task.description}", enabled=progress, transient=True, elapsed=False) as bar,
        torch.inference_mode(),
    ):
        task = bar.add_task("embed images", total=len(source))
        # fp16/bf16 weights need inputs of their dtype (autocast only covers CUDA)
        low = {p.dtype for p in model.visual.parameters()} & {torch.float16, torch.bfloat16}
        dtype = low.pop() if low else torch.float32
        for batch in loader:
            with _autocast(loaded.device):
                feats = model.encode_image(batch.to(loaded.device, dtype, non_blocking=True))
            feats = torch.nn.functional.normalize(feats.float(), dim=-1)
            out[start : start + len(feats)] = feats.cpu().numpy()
            start += len(feats)
            bar.advance(task, len(feats))
    if out_path is not None:
        return np.load(out_path, mmap_mode="r")
    return out


def text_pad_id(loaded: LoadedModel) -> int | None:
    """The padding token id when the text tower masks padding (Hugging Face towers), else None.

    open_clip's own text transformer uses a causal mask and takes the feature at the EOT token,
    so it needs its full context length; a Hugging Face tower ignores padding entirely.
    """
    if not loaded.hf_text_path:
        return None
    config = getattr(getattr(loaded.model, "text", None), "config", None)
    return getattr(config, "pad_token_id", None)


def trim_padding(tokens: torch.Tensor, pad_id: int | None) -> torch.Tensor:
    """Drop the trailing columns that are padding in every row (same embeddings, less compute).

    Captions are far shorter than the 77-token context, so this cuts a Hugging Face text
    tower's cost several-fold in embedding and training alike.
    """
    if pad_id is None:
        return tokens
    used = (tokens != pad_id).any(0).nonzero()
    length = int(used.max()) + 1 if len(used) else 1
    return tokens[:, :length]


def encode_texts(
    loaded: LoadedModel,
    texts: Sequence[str],
    batch_size: int = 256,
    progress: bool = True,
) -> np.ndarray:
    """Embed texts with ``loaded``'s text tower; returns ``(N, D)`` float32 L2-normalised."""
    out = np.empty((len(texts), loaded.embed_dim), dtype=np.float32)
    model = loaded.model.eval()
    pad_id = text_pad_id(loaded)
    with (
        progress_bar("{task.description}", enabled=progress, transient=True, elapsed=False) as bar,
        torch.inference_mode(),
    ):
        task = bar.add_task("embed texts", total=len(texts))
        for start in range(0, len(texts), batch_size):
            chunk = [str(t) for t in texts[start : start + batch_size]]
            tokens = trim_padding(loaded.tokenizer(chunk), pad_id).to(loaded.device)
            with _autocast(loaded.device):
                feats = model.encode_text(tokens)
            feats = torch.nn.functional.normalize(feats.float(), dim=-1)
            out[start : start + len(chunk)] = feats.cpu().numpy()
            bar.advance(task, len(chunk))
    return out
