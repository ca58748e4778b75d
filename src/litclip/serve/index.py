"""Build, update and load a figure search index (ARCHITECTURE contract 5).

An index directory holds:

* ``index.json``: format version, the model spec queries must use, a probe fingerprint of
  that model, the FAISS parameters of each index and the corpora it was built from.
* ``config.json``: the resolved build options (``write_resolved_config``).
* ``metadata.parquet``: one row per figure, in vector order (pair_id, caption, pdf, page,
  bbox, panel, figure_label, image path inside the index, ...).
* ``image_vectors.npy`` / ``text_vectors.npy``: float16 L2-normalised image and caption
  embeddings (row ``i`` = metadata row ``i``).
* ``image.faiss`` / ``caption.faiss``: inner-product FAISS indexes over those vectors.
* ``images/``: the figure crops (hard links when possible, else copies), so the service
  serves only files inside its own folder. ``pdfs/``: source PDFs by sha256, when found.
* ``model/``: the model itself when the spec is a built-in random-init config (its weights
  then live with the index instead of depending on litclip's seeded initialisation code).

Builds are incremental (rows are keyed by ``pair_id``; only new pairs are embedded) and
resumable (embeddings are written in chunks under ``pending/`` and reused after a crash).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from litclip.errors import DatasetNotFoundError, LitclipError, NothingMadeError
from litclip.io import (
    atomic_path,
    atomic_write_json,
    foreign_entries,
    link_or_copy,
    now_iso,
    read_json_object,
    sha256_file,
    within,
    write_resolved_config,
)
from litclip.progress import progress_bar

if TYPE_CHECKING:
    import faiss

    from litclip.models import LoadedModel

FORMAT_VERSION = 1
INDEX_JSON = "index.json"
METADATA = "metadata.parquet"
IMAGE_VECTORS = "image_vectors.npy"
TEXT_VECTORS = "text_vectors.npy"
IMAGE_FAISS = "image.faiss"
CAPTION_FAISS = "caption.faiss"
MODEL_DIR = "model"
PENDING_DIR = "pending"
STARTED = ".litclip-index"  # written first: a build killed before index.json is resumed
PROBE_TEXT = "litclip index probe: axial CT of the chest with contrast"
REQUIRED_COLUMNS = ("pair_id", "filepath", "caption")
TARGETS = ("image", "caption")


@dataclass
class IndexParams:
    """How the FAISS indexes are chosen.

    Attributes:
        index_type: ``auto`` (exact ``flat`` up to ``flat_max`` vectors, else ``ivf``),
            ``flat``, ``ivf`` or ``hnsw``.
        flat_max: largest corpus searched exactly when ``index_type`` is ``auto``.
        nlist: IVF cells; ``None`` picks a power of two near sqrt(N).
        ivf_encoding: FAISS encoding of IVF vectors (``SQ8``, ``SQfp16`` or ``Flat``).
        hnsw_m: HNSW graph degree.
        target_recall: recall@10 against exact search that ``nprobe`` / ``efSearch`` must reach
            on tuning queries (caption vectors, or database vectors when there are none).
        tune_queries: number of tuning queries.
        tune_margin: extra recall demanded on the tuning queries, so that unseen queries
            (recall varies a lot between queries: about +-0.01 for 256) still reach ``target_recall``.
        seed: seed for sampling training and tuning vectors.
    """

    index_type: str = "auto"
    flat_max: int = 20_000
    nlist: int | None = None
    ivf_encoding: str = "SQ8"
    hnsw_m: int = 32
    target_recall: float = 0.95
    tune_queries: int = 256
    tune_margin: float = 0.02
    seed: int = 0


# ----------------------------------------------------------------------------- FAISS


def check_build_options(params: IndexParams, batch_size: int, chunk_size: int) -> None:
    """Refuse values that would fail deep inside torch or FAISS, before any folder is made."""
    problems = [
        f"{name} must be {rule} (got {value})"
        for name, value, ok, rule in (
            ("batch_size", batch_size, batch_size >= 1, ">= 1"),
            ("chunk_size", chunk_size, chunk_size >= 1, ">= 1"),
            ("flat_max", params.flat_max, params.flat_max >= 0, ">= 0"),
            ("target_recall", params.target_recall, 0 < params.target_recall <= 1, "in (0, 1]"),
        )
        if not ok
    ]
    if problems:
        raise LitclipError("; ".join(problems))


def resolve_index_type(n: int, params: IndexParams) -> str:
    """The concrete index type for ``n`` vectors (``auto`` resolved by size)."""
    if params.index_type not in ("auto", "flat", "ivf", "hnsw"):
        raise LitclipError(f"unknown index type '{params.index_type}': use auto, flat, ivf or hnsw")
    if params.index_type != "auto":
        return params.index_type
    return "flat" if n <= params.flat_max else "ivf"


def default_nlist(n: int) -> int:
    """A power of two near sqrt(n), at least 1, with >= 39 training points per cell."""
    nlist = 2 ** max(0, round(math.log2(max(1.0, math.sqrt(n)))))
    return max(1, min(nlist, n // 39 if n >= 39 else 1))


def _recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth, strict=True))
    return hits / max(1, truth.size - int((truth < 0).sum())) if k else 1.0


def _exact_topk(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    return flat.search(queries, k)[1]


def tune_search_param(
    index: faiss.Index, vectors: np.ndarray, queries: np.ndarray, target: float, k: int = 10
) -> tuple[int, float]:
    """Smallest ``nprobe`` (IVF) or ``efSearch`` (HNSW) reaching ``target`` recall@k.

    Doubles the value until the target is reached, then bisects between the last two values
    (to within 1/8) so the search does not scan up to twice what it needs.

    Returns:
        ``(value, recall)``; the largest value tried when the target is never reached.
    """
    import faiss

    k = min(k, vectors.shape[0])
    truth = _exact_topk(vectors, queries, k)
    ivf = faiss.try_extract_index_ivf(index) if "IVF" in type(index).__name__ else None
    limit = ivf.nlist if ivf is not None else 4096

    def recall_with(value: int) -> float:
        if ivf is not None:
            ivf.nprobe = value
        else:
            index.hnsw.efSearch = value
        return _recall_at(index.search(queries, k)[1], truth)

    lo, hi = 0, 1 if ivf is not None else max(16, k)
    recall = recall_with(hi)
    while recall < target and hi < limit:
        lo, hi = hi, min(limit, hi * 2)
        recall = recall_with(hi)
    while recall >= target and hi - lo > max(1, hi // 8):
        mid = (lo + hi) // 2
        r = recall_with(mid)
        if r >= target:
            hi, recall = mid, r
        else:
            lo = mid
    recall_with(hi)  # leave the index set to the chosen value
    return hi, recall


def build_faiss(
    vectors: np.ndarray, params: IndexParams, queries: np.ndarray | None = None
) -> tuple[faiss.Index, dict[str, Any]]:
    """Build an inner-product FAISS index over float32 ``vectors`` chosen by ``params``.

    Args:
        vectors: ``(N, D)`` float32, L2-normalised.
        params: index choice and tuning options.
        queries: tuning queries for approximate indexes (defaults to a sample of ``vectors``).

    Returns:
        The index and a JSON-able description (type, factory string, nprobe/efSearch, recall).
    """
    import faiss

    n, dim = vectors.shape
    kind = resolve_index_type(n, params)
    rng = np.random.default_rng(params.seed)
    if kind == "flat" or n == 0:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index, {"type": "flat", "factory": "Flat", "n": n}
    if kind == "ivf":
        nlist = params.nlist or default_nlist(n)
        factory = f"IVF{nlist},{params.ivf_encoding}"
        index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
        train_n = min(n, max(64 * nlist, 10_000))
        index.train(vectors[np.sort(rng.choice(n, train_n, replace=False))])
    else:
        factory = f"HNSW{params.hnsw_m}"
        index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    index.add(vectors)
    info: dict[str, Any] = {"type": kind, "factory": factory, "n": n, "trained_n": n}
    info.update(_tune(index, vectors, params, queries, rng))
    return index, info


def _tune(
    index: faiss.Index,
    vectors: np.ndarray,
    params: IndexParams,
    queries: np.ndarray | None,
    rng: np.random.Generator,
) -> dict[str, Any]:
    if queries is None or len(queries) == 0:
        queries = vectors
    take = min(len(queries), params.tune_queries)
    q = np.ascontiguousarray(queries[rng.choice(len(queries), take, replace=False)], np.float32)
    value, recall = tune_search_param(
        index, vectors, q, min(1.0, params.target_recall + params.tune_margin)
    )
    key = "nprobe" if "IVF" in type(index).__name__ else "efSearch"
    return {
        key: value,
        "tuned_recall_at_10": round(recall, 4),
        "target_recall": params.target_recall,
    }


def apply_search_params(index: faiss.Index, info: dict[str, Any]) -> None:
    """Set the tuned ``nprobe`` / ``efSearch`` recorded in ``info`` on a loaded index."""
    import faiss

    if "nprobe" in info:
        faiss.extract_index_ivf(index).nprobe = int(info["nprobe"])
    if "efSearch" in info:
        index.hnsw.efSearch = int(info["efSearch"])


def _write_faiss(index: faiss.Index, path: Path) -> None:
    import faiss

    with atomic_path(path) as tmp:
        faiss.write_index(index, str(tmp))


def _update_faiss(
    old_path: Path,
    old_info: dict[str, Any] | None,
    vectors: np.ndarray,
    n_old: int,
    params: IndexParams,
    queries: np.ndarray | None,
) -> tuple[faiss.Index, dict[str, Any]]:
    """Append to a trained IVF/HNSW index while it stays reasonably sized, else rebuild."""
    import faiss

    n = len(vectors)
    reusable = (
        old_info is not None
        and old_info.get("type") in ("ivf", "hnsw")
        and old_info["type"] == resolve_index_type(n, params)
        and old_info.get("n") == n_old
        and n <= 4 * old_info.get("trained_n", n_old)
        and old_path.is_file()
    )
    if not reusable:
        return build_faiss(vectors, params, queries)
    index = faiss.read_index(str(old_path))
    index.add(vectors[n_old:])
    info = dict(old_info, n=n)
    info.update(_tune(index, vectors, params, queries, np.random.default_rng(params.seed)))
    return index, info


# ----------------------------------------------------------------------------- corpus


def read_manifest(corpus_dir: str | os.PathLike[str], include_failed: bool = False) -> pd.DataFrame:
    """Read ``corpus_dir/manifest.parquet``; keep only ``qc_pass`` rows unless ``include_failed``.

    Raises:
        DatasetNotFoundError: no manifest, or required columns missing.
    """
    path = Path(corpus_dir) / "manifest.parquet"
    if not path.is_file():
        raise DatasetNotFoundError(
            f"no corpus manifest at {path}: build one with `litclip corpus build` "
            "(a corpus directory holds manifest.parquet and images/)"
        )
    df = pd.read_parquet(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise DatasetNotFoundError(f"{path} lacks required columns {missing} (contract 1)")
    if not include_failed and "qc_pass" in df.columns:
        df = df[df["qc_pass"].fillna(False).astype(bool)]
    df = df.drop_duplicates("pair_id", keep="last")
    return df.reset_index(drop=True)


def _image_name(pair_id: str, source: Path) -> str:
    # A hash, not the pair_id itself: ids may hold characters unsafe in file names.
    digest = hashlib.sha256(pair_id.encode("utf-8")).hexdigest()[:24]
    return f"{digest}{source.suffix.lower() or '.png'}"


def _pdf_candidates(corpus_dir: Path, pdf_dir: Path | None) -> dict[str, list[Path]]:
    """Candidate PDF files by file name: ``pdf_dir`` and paths recorded by the corpus."""
    found: dict[str, list[Path]] = {}
    paths: list[Path] = []
    if pdf_dir is not None and pdf_dir.is_dir():
        paths = [p for p in pdf_dir.rglob("*") if p.suffix.lower() == ".pdf"]
    elif pdf_dir is not None and pdf_dir.is_file():  # a single PDF
        paths = [pdf_dir]
    status = corpus_dir / "pdf_status.jsonl"
    if status.is_file():
        for line in status.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                paths.append(corpus_dir / entry["path"])
    for p in paths:
        if p.is_file():
            found.setdefault(p.name, []).append(p)
    return found


def _collect_pdfs(
    rows: pd.DataFrame, corpus_dir: Path, pdf_dir: Path | None, out: Path
) -> dict[str, str]:
    """Link the rows' source PDFs into ``out/pdfs`` (verified by sha256); sha256 -> rel path."""
    if "pdf_sha256" not in rows.columns:
        return {}
    wanted = {
        str(sha): str(name)
        for sha, name in zip(rows["pdf_sha256"], rows["pdf"], strict=True)
        if isinstance(sha, str) and sha
    }
    have = {sha: f"pdfs/{sha}.pdf" for sha in wanted if (out / "pdfs" / f"{sha}.pdf").is_file()}
    todo = {sha: name for sha, name in wanted.items() if sha not in have}
    if not todo:
        return have
    candidates = _pdf_candidates(corpus_dir, pdf_dir)
    for sha, name in todo.items():
        for path in candidates.get(Path(name).name, []):
            if sha256_file(path) == sha:
                link_or_copy(path, out / "pdfs" / f"{sha}.pdf")
                have[sha] = f"pdfs/{sha}.pdf"
                break
    return have


def _readable(path: Path) -> bool:
    """Whether ``path`` opens as an image (header only: cheap)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.verify()
        return True
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return False


def _metadata_rows(rows: pd.DataFrame, corpus_dir: Path, out: Path) -> pd.DataFrame:
    """Index metadata for manifest rows, linking each image into ``out/images``."""
    sources = [corpus_dir / str(p) for p in rows["filepath"]]
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        raise DatasetNotFoundError(
            f"{len(missing)} image(s) listed in {corpus_dir / 'manifest.parquet'} are missing, "
            f"e.g. {missing[:3]}; rebuild the corpus or fix its filepath column"
        )
    unreadable = [
        (pid, src) for pid, src in zip(rows["pair_id"], sources, strict=True) if not _readable(src)
    ]
    if unreadable:
        pid, src = unreadable[0]
        raise LitclipError(
            f"{len(unreadable)} image(s) listed in {corpus_dir / 'manifest.parquet'} are not "
            f"readable images, e.g. {src} (pair {pid}); rebuild the corpus"
        )
    names = [
        f"images/{_image_name(str(pid), src)}"
        for pid, src in zip(rows["pair_id"], sources, strict=True)
    ]
    for src, name in zip(sources, names, strict=True):
        link_or_copy(src, out / name)

    def col(name: str, default: Any = None) -> list[Any]:
        return list(rows[name]) if name in rows.columns else [default] * len(rows)

    return pd.DataFrame(
        {
            "pair_id": rows["pair_id"].astype(str).tolist(),
            "caption": rows["caption"].fillna("").astype(str).tolist(),
            "figure_label": col("figure_label"),
            "panel": col("panel"),
            "parent_id": col("parent_id"),
            "pdf": col("pdf_name"),
            "pdf_sha256": col("pdf_sha256"),
            "page": col("page"),
            "bbox": [list(map(float, b)) if b is not None else None for b in col("bbox")],
            "width": col("width"),
            "height": col("height"),
            "kind": col("kind"),
            "image_path": names,
            "source_path": [str(p) for p in sources],
            "corpus_dir": str(corpus_dir),
        }
    )


# ----------------------------------------------------------------------------- model


def _probe_image() -> Any:
    from PIL import Image

    ramp = np.linspace(0, 255, 64, dtype=np.uint8)
    rgb = np.stack(
        [np.add.outer(ramp, ramp) // 2, np.tile(ramp, (64, 1)), np.tile(ramp[:, None], (1, 64))], -1
    )
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def model_probe(lm: LoadedModel) -> dict[str, list[float]]:
    """Embeddings of a fixed text and image: a fingerprint that tells two models apart."""
    from litclip.models import encode_images, encode_texts

    text = encode_texts(lm, [PROBE_TEXT], progress=False)[0]
    image = encode_images(lm, [_probe_image()], progress=False)[0]
    return {
        "text": [round(float(x), 6) for x in text],
        "image": [round(float(x), 6) for x in image],
    }


def probe_matches(a: dict[str, list[float]], b: dict[str, list[float]], tol: float = 0.02) -> bool:
    """Whether two probes come from the same weights (cosine within ``tol`` of 1)."""
    for key in ("text", "image"):
        x, y = np.asarray(a.get(key, []), np.float64), np.asarray(b.get(key, []), np.float64)
        if x.shape != y.shape or x.size == 0 or float(x @ y) < 1.0 - tol:
            return False
    return True


def resolve_model_spec(index_dir: str | os.PathLike[str], info: dict[str, Any]) -> str:
    """The spec to load an index's query model with (relative model dirs resolved)."""
    spec = str(info["model_spec"])
    if info.get("model_in_index"):
        return str(Path(index_dir) / spec)
    return spec


def _load_build_model(
    model: str | LoadedModel, out: Path, old: dict[str, Any] | None, device: str
) -> tuple[LoadedModel, str, bool, bool]:
    """Load the model to embed with.

    Returns:
        (model, spec to record, whether the model lives in the index, whether to save it there)
    """
    from litclip.models import load_model
    from litclip.models.registry import is_builtin

    if not isinstance(model, str):
        if old and old.get("model_in_index"):
            return model, old["model_spec"], True, False
        if is_builtin(model.spec):
            return model, MODEL_DIR, True, True
        return model, model.spec, False, False
    if old and old.get("model_source") == model:
        stored = bool(old.get("model_in_index"))
        return (
            load_model(resolve_model_spec(out, old), device=device),
            old["model_spec"],
            stored,
            False,
        )
    lm = load_model(model, device=device)
    if is_builtin(model):
        return lm, MODEL_DIR, True, True
    spec = str(Path(model).resolve()) if Path(model).is_dir() else model
    return lm, spec, False, False


# ----------------------------------------------------------------------------- embedding


def _chunk_name(pair_ids: Sequence[str], fingerprint: str) -> str:
    h = hashlib.sha256(("\n".join(pair_ids) + "\0" + fingerprint).encode("utf-8")).hexdigest()[:20]
    return f"chunk-{h}.npz"


def _embed_new(
    lm: LoadedModel,
    meta: pd.DataFrame,
    out: Path,
    fingerprint: str,
    batch_size: int,
    chunk_size: int,
    num_workers: int,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Embed images and captions of ``meta`` in resumable chunks under ``out/pending``."""

    from litclip.models import encode_images, encode_texts

    pending = out / PENDING_DIR
    pending.mkdir(parents=True, exist_ok=True)
    images, texts = [], []
    with progress_bar("embed figures", enabled=progress, transient=True, elapsed=False) as bar:
        task = bar.add_task("embed", total=len(meta))
        for start in range(0, len(meta), chunk_size):
            part = meta.iloc[start : start + chunk_size]
            path = pending / _chunk_name(part["pair_id"].tolist(), fingerprint)
            if path.is_file():
                with np.load(path) as z:
                    img, txt = z["image"], z["text"]
            else:
                img = encode_images(
                    lm,
                    [str(out / p) for p in part["image_path"]],
                    batch_size=batch_size,
                    num_workers=num_workers,
                    progress=False,
                )
                txt = encode_texts(
                    lm, part["caption"].tolist(), batch_size=batch_size, progress=False
                )
                with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                    np.savez(fh, image=img.astype(np.float16), text=txt.astype(np.float16))
            images.append(np.asarray(img, np.float16))
            texts.append(np.asarray(txt, np.float16))
            bar.advance(task, len(part))
    dim = lm.embed_dim
    if not images:
        return np.empty((0, dim), np.float16), np.empty((0, dim), np.float16)
    return np.concatenate(images), np.concatenate(texts)


# ----------------------------------------------------------------------------- build


def _save_npy(path: Path, arr: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, arr)


def _indexed_count(out: Path) -> int:
    """How many figures the index in ``out`` holds now (0 when there is none)."""
    if not (out / INDEX_JSON).is_file():
        return 0
    try:
        return int(read_info(out).get("count", 0))
    except LitclipError:  # a damaged one: nothing to count
        return 0


def _existing(
    out: Path,
) -> tuple[dict[str, Any] | None, pd.DataFrame, np.ndarray | None, np.ndarray | None]:
    if not (out / INDEX_JSON).is_file():
        return None, pd.DataFrame(), None, None
    info = read_info(out)
    if info.get("format") != FORMAT_VERSION:
        raise LitclipError(f"{out} holds an index of format {info.get('format')}; use a new --out")
    meta = pd.read_parquet(out / METADATA)
    return info, meta, np.load(out / IMAGE_VECTORS), np.load(out / TEXT_VECTORS)


def _check_same_model(
    old: dict[str, Any] | None, probe: dict[str, Any], spec: str, out: Path
) -> None:
    if old is not None and not probe_matches(old.get("probe", {}), probe):
        raise LitclipError(
            f"the index in {out} was built with model '{old.get('model_source')}', whose weights "
            f"differ from '{spec}': old vectors cannot be mixed with new ones. Re-embed "
            "everything with --rebuild (rebuild=True in Python), or choose a new --out"
        )


def build_index(
    model_spec: str | LoadedModel,
    corpus_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    batch_size: int = 64,
    index_type: str = "auto",
    params: IndexParams | None = None,
    include_failed: bool = False,
    pdf_dir: str | os.PathLike[str] | None = None,
    rebuild: bool = False,
    chunk_size: int = 512,
    num_workers: int = 0,
    device: str = "cpu",
    progress: bool = True,
) -> Path:
    """Embed a corpus's figures and captions and write (or update) a search index.

    Args:
        model_spec: a ``load_model`` spec or an already loaded model.
        corpus_dir: a corpus directory (contract 1).
        out_dir: the index directory; an existing index there is updated incrementally (rows
            keyed by ``pair_id``: only new pairs are embedded; rows of this corpus that left
            its manifest are dropped).
        batch_size: images/texts per forward pass.
        index_type: ``auto``, ``flat``, ``ivf`` or ``hnsw`` (overrides ``params.index_type``).
        params: FAISS choice and tuning options (see :class:`IndexParams`).
        include_failed: also index rows whose ``qc_pass`` is false.
        pdf_dir: folder with the source PDFs (or one PDF), linked into the index (verified by
            sha256) so the service can open a figure's page; paths in ``pdf_status.jsonl`` are
            also tried.
        rebuild: re-embed everything (needed after changing the model).
        chunk_size: pairs per resumable embedding chunk.
        num_workers: image decoding workers.
        device: torch device for embedding.
        progress: show progress bars.

    Returns:
        The index directory.
    """
    from litclip.models import save_model

    params = IndexParams(**{**asdict(params or IndexParams()), "index_type": index_type})
    check_build_options(params, batch_size, chunk_size)
    resolve_index_type(0, params)
    corpus, out = Path(corpus_dir).resolve(), Path(out_dir)
    _check_out(out, corpus)
    if pdf_dir is not None and not Path(pdf_dir).exists():
        raise LitclipError(f"--pdf-dir {pdf_dir} does not exist")
    manifest = read_manifest(corpus, include_failed)
    if manifest.empty:  # an index of nothing served empty results without a word
        failed = 0 if include_failed else len(read_manifest(corpus, include_failed=True))
        raise NothingMadeError(
            f"corpus {corpus_dir} has no pair to index"
            + (
                f": none of its {failed} pairs passed QC (--include-failed indexes them)"
                if failed
                else ""
            )
        )
    old, old_meta, old_img, old_txt = (
        (None, pd.DataFrame(), None, None) if rebuild else _existing(out)
    )
    # what a rebuild replaces, for its count of removed figures ("-0 removed" of 91 gone)
    replaced = _indexed_count(out) if rebuild else 0
    lm, spec, in_index, save_needed = _load_build_model(model_spec, out, old, device)
    probe = model_probe(lm)
    _check_same_model(old, probe, getattr(lm, "spec", str(model_spec)), out)
    # only now, with the model loaded: a run refused above leaves no folder behind
    out.mkdir(parents=True, exist_ok=True)
    (out / STARTED).touch()  # marks the folder as an index before its files arrive
    if save_needed:
        # A random-init built-in: keep its exact weights with the index (self-contained).
        save_model(
            lm,
            out / MODEL_DIR,
            metadata={"source_spec": str(model_spec), "saved_by": "litclip index"},
        )

    if len(old_meta):  # a corpus moved since it was indexed: its rows follow it
        old_meta.loc[_same_corpus(old_meta, manifest, corpus), "corpus_dir"] = str(corpus)
    keep = _kept_rows(old_meta, manifest, corpus)
    new_rows = manifest[~manifest["pair_id"].astype(str).isin(set(old_meta.get("pair_id", [])))]
    new_meta = _metadata_rows(new_rows, corpus, out)
    fingerprint = hashlib.sha256(json.dumps(probe).encode()).hexdigest()
    new_img, new_txt = _embed_new(
        lm, new_meta, out, fingerprint, batch_size, chunk_size, num_workers, progress
    )

    kept_img = old_img[keep] if old_img is not None else np.empty((0, lm.embed_dim), np.float16)
    kept_txt = old_txt[keep] if old_txt is not None else np.empty((0, lm.embed_dim), np.float16)
    meta = pd.concat([old_meta[keep] if len(old_meta) else None, new_meta], ignore_index=True)
    image_vectors = np.concatenate([kept_img, new_img])
    text_vectors = np.concatenate([kept_txt, new_txt])
    pdfs = _collect_pdfs(meta, corpus, Path(pdf_dir) if pdf_dir else None, out)
    meta["pdf_path"] = [pdfs.get(str(s)) for s in meta["pdf_sha256"]]

    appended = old is not None and bool(np.all(keep))
    unchanged = appended and not len(new_meta) and (old or {}).get("params") == asdict(params)
    if unchanged:  # nothing to embed or re-index: keep the FAISS files and vectors as they are
        indexes = old["indexes"]
    else:
        n_old = len(kept_img) if appended else 0
        indexes = _write_indexes(
            out, old if appended else None, image_vectors, text_vectors, n_old, params
        )
        _save_npy(out / IMAGE_VECTORS, image_vectors)
        _save_npy(out / TEXT_VECTORS, text_vectors)
    with atomic_path(out / METADATA) as tmp:
        meta.to_parquet(tmp, index=False)
    corpora = sorted(set(meta["corpus_dir"].astype(str)) | {str(corpus)})  # moved ones re-keyed
    info = {
        "format": FORMAT_VERSION,
        "created": (old or {}).get("created", now_iso()),
        "updated": now_iso(),
        "model_spec": spec,
        "model_source": model_spec if isinstance(model_spec, str) else lm.spec,
        "model_in_index": in_index,
        "embed_dim": int(lm.embed_dim),
        "count": len(meta),
        "probe": probe,
        "indexes": indexes,
        "params": asdict(params),
        "corpora": corpora,
        "last_update": {
            "added": len(new_meta),
            "removed": int((~keep).sum()) + replaced,
            "kept": int(keep.sum()),
            # rows of other corpora indexed here before: searchable beside this corpus's
            "other_corpora": int((meta["corpus_dir"].astype(str) != str(corpus)).sum()),
            "with_pdf": int(meta["pdf_path"].notna().sum()),
        },
    }
    atomic_write_json(out / INDEX_JSON, info)
    config = {
        **asdict(params),
        "model": info["model_source"],
        "corpus_dir": str(corpus),
        "out_dir": str(out),
        "batch_size": batch_size,
        "include_failed": include_failed,
        "pdf_dir": str(pdf_dir) if pdf_dir else None,
        "rebuild": rebuild,
        "chunk_size": chunk_size,
        "device": device,
    }
    write_resolved_config(out, config, count=len(meta), added=len(new_meta))
    shutil.rmtree(out / PENDING_DIR, ignore_errors=True)
    _remove_orphans(out, meta)
    return out


#: What an index folder holds (anything else there is someone else's)
INDEX_NAMES = frozenset(
    {INDEX_JSON, METADATA, IMAGE_VECTORS, TEXT_VECTORS, IMAGE_FAISS, CAPTION_FAISS}
    | {MODEL_DIR, PENDING_DIR, "images", "pdfs", "config.json"}
)


def _check_out(out: Path, corpus: Path) -> None:
    """Refuse an ``--out`` that is the corpus (or inside it) or a folder of other files: the
    index prunes its ``images/`` and ``pdfs/`` of every file it does not use."""
    if within(out, corpus):
        raise LitclipError(f"--out {out} is (inside) the corpus {corpus}: choose another folder")
    if out.is_file():
        raise LitclipError(f"--out {out} is a file, not a folder")
    if not out.is_dir():
        return
    other = foreign_entries(out, INDEX_NAMES)
    ours = (out / INDEX_JSON).is_file() or (out / STARTED).is_file()
    if not ours:  # images/ and pdfs/ of a folder no index was ever built in are the user's
        other += [
            f"{sub}/{f.name}"
            for sub in ("images", "pdfs")
            if (out / sub).is_dir()
            for f in (out / sub).iterdir()
        ]
    if other and ours:
        raise LitclipError(
            f"--out {out} is a litclip index that also holds other files "
            f"({', '.join(other[:3])}): move them out of it, or choose a new or empty folder"
        )
    if other:
        raise LitclipError(
            f"--out {out} holds other files ({', '.join(other[:3])}) and is not a litclip "
            "index: choose a new or empty folder (an existing index is updated)"
        )


def _same_corpus(old_meta: pd.DataFrame, manifest: pd.DataFrame, corpus: Path) -> pd.Series:
    """Old rows of this corpus: indexed from its path, or from a folder that no longer exists
    and shares PDFs with it (the corpus was moved or renamed since)."""
    dirs = old_meta["corpus_dir"].astype(str)
    same = dirs == str(corpus)
    shas = set(manifest.get("pdf_sha256", pd.Series(dtype=str)).astype(str))
    for d in set(dirs) - {str(corpus)}:
        rows = dirs == d
        if not Path(d).exists() and shas & set(old_meta.loc[rows, "pdf_sha256"].astype(str)):
            same |= rows
    return same


def _kept_rows(old_meta: pd.DataFrame, manifest: pd.DataFrame, corpus: Path) -> np.ndarray:
    """Mask of old rows to keep: rows of other corpora, and this corpus's rows still listed."""
    if not len(old_meta):
        return np.zeros(0, dtype=bool)
    listed = set(manifest["pair_id"].astype(str))
    other = old_meta["corpus_dir"].astype(str) != str(corpus)
    return (other | old_meta["pair_id"].isin(listed)).to_numpy()


def _write_indexes(
    out: Path,
    old: dict[str, Any] | None,
    image_vectors: np.ndarray,
    text_vectors: np.ndarray,
    n_old: int,
    params: IndexParams,
) -> dict[str, Any]:
    img32 = np.ascontiguousarray(image_vectors, np.float32)
    txt32 = np.ascontiguousarray(text_vectors, np.float32)
    old_idx = (old or {}).get("indexes", {})
    img_index, img_info = _update_faiss(
        out / IMAGE_FAISS, old_idx.get("image"), img32, n_old, params, txt32
    )
    cap_index, cap_info = _update_faiss(
        out / CAPTION_FAISS, old_idx.get("caption"), txt32, n_old, params, txt32
    )
    _write_faiss(img_index, out / IMAGE_FAISS)
    _write_faiss(cap_index, out / CAPTION_FAISS)
    return {"image": img_info, "caption": cap_info}


def _remove_orphans(out: Path, meta: pd.DataFrame) -> None:
    """Delete image/PDF files that no indexed row refers to any more."""
    used = set(meta["image_path"]) | {p for p in meta["pdf_path"] if p}
    for sub in ("images", "pdfs"):
        folder = out / sub
        if folder.is_dir():
            for f in folder.iterdir():
                if f.is_file() and f"{sub}/{f.name}" not in used:
                    f.unlink()


# ----------------------------------------------------------------------------- load


@dataclass
class IndexFiles:
    """A loaded index directory: metadata, vectors, FAISS indexes and ``index.json``."""

    root: Path
    info: dict[str, Any]
    metadata: pd.DataFrame
    image_vectors: np.ndarray
    text_vectors: np.ndarray
    faiss: dict[str, Any]


def read_info(root: Path) -> dict[str, Any]:
    """An index's ``index.json``; a damaged one is a one-line error, not a JSON traceback."""
    path = root / INDEX_JSON
    info = read_json_object(path, "rebuild the index with `litclip index --rebuild`")
    indexes = info.get("indexes")
    ok = isinstance(indexes, dict) and all(isinstance(indexes.get(t), dict) for t in TARGETS)
    if not ok or "model_spec" not in info:
        raise LitclipError(
            f"{path} does not describe a litclip index (it needs 'model_spec' and 'indexes' "
            f"for {' and '.join(TARGETS)}): rebuild the index with `litclip index --rebuild`"
        )
    return info


def load_index(index_dir: str | os.PathLike[str]) -> IndexFiles:
    """Load an index directory written by :func:`build_index` (vectors memory-mapped).

    Raises:
        LitclipError: not an index directory, files missing, or a damaged ``index.json``.
    """
    import faiss

    root = Path(index_dir).resolve()
    if not (root / INDEX_JSON).is_file():
        raise LitclipError(
            f"{root} is not a litclip index (no {INDEX_JSON}); build one with `litclip index`"
        )
    info = read_info(root)
    try:
        meta = pd.read_parquet(root / METADATA)
        img = np.load(root / IMAGE_VECTORS, mmap_mode="r")
        txt = np.load(root / TEXT_VECTORS, mmap_mode="r")
        indexes = {
            t: faiss.read_index(str(root / f))
            for t, f in (("image", IMAGE_FAISS), ("caption", CAPTION_FAISS))
        }
    except (OSError, RuntimeError) as exc:
        raise LitclipError(
            f"index {root} is incomplete or damaged ({exc}); rebuild it with `litclip index`"
        ) from exc
    for target, index in indexes.items():
        apply_search_params(index, info["indexes"][target])
    return IndexFiles(root, info, meta, img, txt, indexes)
