"""Query an index: text -> figure, image -> figure and "more like this".

:class:`Searcher` loads an index directory and its model once. Text queries from concurrent
requests are gathered by a small micro-batcher (a queue and one worker thread that waits a
few milliseconds for company) so the model runs one forward pass per batch instead of one
per request.
"""

from __future__ import annotations

import concurrent.futures
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from litclip.data import to_rgb
from litclip.errors import LitclipError
from litclip.io import files_stamp
from litclip.serve.index import (
    TARGETS,
    IndexFiles,
    load_index,
    model_probe,
    probe_matches,
    resolve_model_spec,
)

TextEncoder = Callable[[list[str]], np.ndarray]
ImageEncoder = Callable[[list[Any]], np.ndarray]


class MicroBatcher:
    """Gather items submitted from many threads into batches for one function call.

    Args:
        fn: maps a list of items to an array with one row per item.
        max_batch: largest batch.
        window_ms: how long the worker waits for more items after the first arrives.
    """

    def __init__(
        self, fn: Callable[[list[Any]], np.ndarray], max_batch: int = 32, window_ms: float = 5.0
    ) -> None:
        self.fn = fn
        self.max_batch = max_batch
        self.window = window_ms / 1000.0
        self.batches: list[int] = []  # sizes of recent batches (bounded), for tests and /health
        self._queue: queue.Queue[tuple[Any, concurrent.futures.Future] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="litclip-batcher", daemon=True)
        self._thread.start()

    def submit(self, item: Any) -> concurrent.futures.Future:
        """Queue ``item``; the future resolves to its row of ``fn``'s output."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((item, future))
        return future

    def __call__(self, item: Any, timeout: float | None = 60.0) -> np.ndarray:
        """Submit ``item`` and wait for its result."""
        return self.submit(item).result(timeout=timeout)

    def close(self) -> None:
        """Stop the worker thread after the queued items."""
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _collect(self, first: tuple[Any, concurrent.futures.Future]) -> tuple[list, bool]:
        batch, deadline = [first], time.monotonic() + self.window
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                nxt = (
                    self._queue.get(timeout=max(remaining, 0))
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if nxt is None:
                return batch, True
            batch.append(nxt)
        return batch, False

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            self.batches = (self.batches + [len(batch)])[-1000:]
            try:
                out = self.fn([item for item, _ in batch])
                for i, (_, fut) in enumerate(batch):
                    fut.set_result(out[i])
            except Exception as exc:  # hand the failure to every caller still waiting
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
            if stop:
                return


def _index_stamp(root: Path) -> str | None:
    """A stamp of ``index.json`` (written last by an index run): a new one means a new index."""
    path = root / "index.json"
    return files_stamp(path) if path.is_file() else None


class Searcher:
    """Search an index directory by text, image or indexed figure.

    Args:
        index_dir: a directory written by :func:`litclip.serve.index.build_index`.
        device: torch device for the query model.
        text_encoder: replaces the model's text tower (``list[str] -> (N, D)`` normalised);
            with ``image_encoder``, lets tests run without loading a model.
        image_encoder: replaces the model's image tower (``list[PIL] -> (N, D)``).
        batch_window_ms: how long the text micro-batcher waits to fill a batch.
        max_batch: largest text batch.
        check_model: verify the loaded model reproduces the index's probe embeddings.
    """

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        device: str = "cpu",
        text_encoder: TextEncoder | None = None,
        image_encoder: ImageEncoder | None = None,
        batch_window_ms: float = 5.0,
        max_batch: int = 32,
        check_model: bool = True,
    ) -> None:
        self._lock = threading.Lock()
        self._use(load_index(index_dir))
        if text_encoder is None or image_encoder is None:
            text_encoder, image_encoder = self._model_encoders(
                device, check_model, text_encoder, image_encoder
            )
        self._encode_image = image_encoder
        self._batcher = MicroBatcher(text_encoder, max_batch=max_batch, window_ms=batch_window_ms)

    def _model_encoders(
        self, device: str, check: bool, text: TextEncoder | None, image: ImageEncoder | None
    ) -> tuple[TextEncoder, ImageEncoder]:
        from litclip.models import encode_images, encode_texts, load_model

        spec = resolve_model_spec(self.root, self.info)
        lm = load_model(spec, device=device)
        if check and not probe_matches(self.info.get("probe", {}), model_probe(lm)):
            raise LitclipError(
                f"the model '{spec}' does not reproduce the embeddings the index {self.root} was "
                "built with (were its weights changed?); rebuild the index with `litclip index --rebuild`"
            )
        self.model = lm
        lock = threading.Lock()  # the micro-batcher thread and image requests share the model

        def enc_text(texts: list[str]) -> np.ndarray:
            with lock:  # encode_texts trims padding columns for Hugging Face text towers
                return encode_texts(lm, texts, batch_size=len(texts), progress=False)

        def enc_image(images: list[Any]) -> np.ndarray:
            with lock:
                return encode_images(lm, images, batch_size=len(images), progress=False)

        return text or enc_text, image or enc_image

    def _use(self, files: IndexFiles) -> None:
        """Serve ``files`` (the index as loaded now)."""
        meta = files.metadata
        row_of = {pid: i for i, pid in enumerate(meta["pair_id"].astype(str))}
        records = meta.to_dict("records")
        with self._lock:  # searches see one index or the other, never half of each
            self.files, self.root, self.info = files, files.root, files.info
            self._row_of, self._records = row_of, records
            self._stamp = _index_stamp(files.root)

    def refresh(self) -> str:
        """Load the index again when ``litclip index`` has written it anew since (its results
        would link to images and PDFs it removed). Returns what happened ('' when nothing):
        an index rebuilt for another model keeps being served as it was, and says so."""
        stamp = _index_stamp(self.root)
        if stamp == self._stamp or stamp is None:
            return ""
        try:
            files = load_index(self.root)
        except LitclipError as exc:  # caught mid-write: the next request tries again
            return f"the index in {self.root} changed but cannot be read yet ({exc})"
        if not probe_matches(self.info.get("probe", {}), files.info.get("probe", {})):
            self._stamp = stamp  # said once
            return (
                f"the index in {self.root} was rebuilt for another model: restart the server "
                "to serve it (the index as loaded is served meanwhile)"
            )
        self._use(files)
        return f"the index in {self.root} was updated: {len(self)} figures now"

    def __len__(self) -> int:
        return len(self._records)

    @property
    def batch_sizes(self) -> list[int]:
        """Sizes of recent text-encoder batches (the micro-batcher's work)."""
        return list(self._batcher.batches)

    def close(self) -> None:
        """Stop the micro-batcher thread."""
        self._batcher.close()

    def record(self, pair_id: str) -> dict[str, Any] | None:
        """The metadata of ``pair_id`` (``None`` when not indexed)."""
        row = self._row_of.get(pair_id)
        return None if row is None else _clean(self._records[row])

    def _search(
        self, vector: np.ndarray, k: int, target: str, exclude: int | None = None
    ) -> list[dict[str, Any]]:
        if target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
        k = max(0, min(k, len(self._records) - (exclude is not None)))
        if k == 0:
            return []
        query = np.ascontiguousarray(np.asarray(vector, np.float32).reshape(1, -1))
        fetch = k + (exclude is not None)
        scores, ids = self.files.faiss[target].search(query, fetch)
        out = []
        for score, idx in zip(scores[0], ids[0], strict=True):
            if idx < 0 or idx == exclude:
                continue
            out.append(
                {
                    **_clean(self._records[idx]),
                    # cosine of unit vectors: float rounding put a figure's own at 1.00001
                    "score": round(min(1.0, max(-1.0, float(score))), 5),
                    "rank": len(out) + 1,
                }
            )
        return out[:k]

    def embed_text(self, query: str) -> np.ndarray:
        """The query's embedding, computed through the micro-batcher."""
        return self._batcher(query)

    def search_text(self, query: str, k: int = 10, target: str = "image") -> list[dict[str, Any]]:
        """Figures best matching ``query``.

        Args:
            query: free text, e.g. "sagittal T1 MRI of a Chiari malformation".
            k: number of results.
            target: ``image`` (CLIP text -> image) or ``caption`` (text -> caption text).
        """
        return self._search(self.embed_text(query), k, target)

    def search_image(self, image: Any, k: int = 10) -> list[dict[str, Any]]:
        """Figures most similar to a PIL ``image``."""
        vec = self._encode_image([to_rgb(image)])[0]
        return self._search(vec, k, "image")

    def similar_to(self, pair_id: str, k: int = 10) -> list[dict[str, Any]]:
        """Figures most similar to the indexed figure ``pair_id`` (itself excluded).

        Raises:
            KeyError: ``pair_id`` is not indexed.
        """
        row = self._row_of[pair_id]
        return self._search(self.files.image_vectors[row], k, "image", exclude=row)

    def image_file(self, pair_id: str) -> Path | None:
        """The figure's image file inside the index folder, or ``None`` (unknown or unsafe)."""
        return self._inside(pair_id, "image_path")

    def pdf_file(self, pair_id: str) -> Path | None:
        """The figure's source PDF inside the index folder, or ``None`` when not recorded."""
        return self._inside(pair_id, "pdf_path")

    def pdf_recorded(self, pair_id: str) -> bool:
        """Whether the index recorded a copy of the figure's source PDF (it may be gone)."""
        row = self._row_of.get(pair_id)
        return row is not None and bool(self._records[row].get("pdf_path"))

    def _inside(self, pair_id: str, key: str) -> Path | None:
        row = self._row_of.get(pair_id)
        rel = None if row is None else self._records[row].get(key)
        if not rel:
            return None
        path = (self.root / str(rel)).resolve()
        # Only files recorded by the index and inside its folder are ever served.
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    """A JSON-friendly public view of a metadata row (no local paths)."""
    out: dict[str, Any] = {}
    for key in (
        "pair_id",
        "caption",
        "figure_label",
        "panel",
        "parent_id",
        "pdf",
        "pdf_sha256",
        "page",
        "bbox",
        "width",
        "height",
        "kind",
    ):
        value = rec.get(key)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and np.isnan(value):
            value = None
        out[key] = value
    out["has_pdf"] = bool(rec.get("pdf_path"))
    return out


def batch_texts(searcher: Searcher, queries: Sequence[str]) -> list[np.ndarray]:
    """Embed ``queries`` concurrently through the searcher's micro-batcher (for benchmarks)."""
    futures = [searcher._batcher.submit(q) for q in queries]
    return [f.result() for f in futures]
