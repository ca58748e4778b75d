"""Writers for a corpus directory (ARCHITECTURE contract 1), every file written atomically.

* ``manifest.parquet``: one row per pair, the contract's columns first.
* ``manifest.csv``: the same rows with ``filepath`` and ``caption`` first (open_clip's CSV
  convention); list columns are JSON strings.
* ``shards/shard-NNNNNN.tar``: WebDataset tars with ``KEY.png`` (``KEY.jpg`` for a corpus built
  with ``image_format="jpg"``), ``KEY.txt``, ``KEY.json`` of
  the pairs that pass QC (the trainable set), ``shard_size`` samples per tar.
* ``pdf_status.jsonl``: one line per input PDF, with its counts: ``figures`` (captioned),
  ``uncaptioned`` (figure-like regions without a caption: kept out, counted), ``tables``
  (table captions: kept apart, never pairs), ``pairs`` and the extractor's ``warnings``. A
  filtered corpus counts the pairs it kept under ``pairs``, the source's under ``source_pairs``.
* ``datasheet.md``: sources, counts, rejection reasons, kinds, caption lengths, licence
  notes and split hashes.

Panel rows: the ``panel`` column is always the upper-case letter ("A", "B"...), whatever the
caption printed, so panels of all journals group and sort alike; the caption text keeps the
printed case. A panel's caption keeps its figure's context
(:func:`litclip.corpus.worker.panel_caption`):
``"<figure label> (<letter as printed>): <shared caption> <sub-caption>"``, e.g.
``"Figure 2 (b): Frogs. dorsal view"``; a panel whose caption was not split into
sub-captions gets the whole figure's caption.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from litclip import __version__
from litclip.corpus.types import NO_TEXT_LAYER, SCANNED_PAGES, UNREADABLE_TEXT
from litclip.errors import LitclipError
from litclip.io import atomic_path, atomic_write_text, now_iso, to_json

MANIFEST_COLUMNS = [
    "pair_id",
    "filepath",
    "caption",
    "figure_label",
    "panel",
    "parent_id",
    "pdf_sha256",
    "pdf_name",
    "page",
    "bbox",
    "width",
    "height",
    "kind",
    "qc_pass",
    "qc_reasons",
]
"""Required manifest columns, in order (ARCHITECTURE contract 1)."""

LIST_COLUMNS = ("bbox", "qc_reasons", "page_size")


def order_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The contract columns first, then the optional ones in a stable order."""
    rest = sorted(c for c in df.columns if c not in MANIFEST_COLUMNS)
    return df[[c for c in MANIFEST_COLUMNS if c in df.columns] + rest]


def write_manifest(df: pd.DataFrame, out_dir: str | Path) -> None:
    """Write ``manifest.parquet`` and ``manifest.csv`` (filepath, caption first)."""
    out = Path(out_dir)
    df = order_columns(df.reset_index(drop=True))
    with atomic_path(out / "manifest.parquet") as tmp:
        df.to_parquet(tmp, index=False)
    csv = df[
        ["filepath", "caption"] + [c for c in df.columns if c not in ("filepath", "caption")]
    ].copy()
    for col in LIST_COLUMNS:
        if col in csv.columns:
            csv[col] = [json.dumps(_plain(v)) for v in csv[col]]
    with atomic_path(out / "manifest.csv") as tmp:
        csv.to_csv(tmp, index=False)


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read ``manifest.parquet`` (a corpus directory or the file) with list columns as lists."""
    path = Path(path)
    file = path / "manifest.parquet" if path.is_dir() else path
    if not file.is_file():
        raise LitclipError(
            f"{file} does not exist: expected a corpus folder made by `litclip corpus build` "
            "(or its manifest.parquet)"
        )
    df = read_parquet_file(file)
    for col in LIST_COLUMNS:
        if col in df.columns:
            df[col] = [_plain(v) for v in df[col]]
    return df


def read_parquet_file(file: Path) -> pd.DataFrame:
    """``pd.read_parquet``, with a file that is not parquet (overwritten, truncated) as a
    user error."""
    try:
        return pd.read_parquet(file)
    except PermissionError:  # the CLI says so itself
        raise
    except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise LitclipError(
            f"{file} cannot be read as parquet ({type(exc).__name__}: {exc}): rerun the "
            "command that wrote it (`litclip corpus build` reassembles it from parts/)"
        ) from None


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _sample_json(row: dict[str, Any]) -> bytes:
    keep = {k: _plain(v) for k, v in row.items() if not (isinstance(v, float) and v != v)}
    return json.dumps(keep, ensure_ascii=False, default=str).encode("utf-8")


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0  # deterministic tars: same corpus, same bytes
    tar.addfile(info, io.BytesIO(data))


def write_shards(df: pd.DataFrame, out_dir: str | Path, shard_size: int = 1000) -> list[Path]:
    """Write the QC-passing pairs as WebDataset tars, streaming one image at a time.

    Returns:
        The shard paths (stale shards from an earlier, larger run are removed).
    """
    out = Path(out_dir)
    shard_dir = out / "shards"
    shard_dir.mkdir(parents=True, exist_ok=True)
    rows = df[df["qc_pass"]].to_dict("records") if len(df) else []
    paths: list[Path] = []
    for start in range(0, len(rows), max(1, shard_size)):
        path = shard_dir / f"shard-{len(paths):06d}.tar"
        with atomic_path(path) as tmp, tarfile.open(tmp, "w") as tar:
            for row in rows[start : start + shard_size]:
                key = row["pair_id"]
                ext = Path(row["filepath"]).suffix.lstrip(".") or "png"
                _add(tar, f"{key}.{ext}", (out / row["filepath"]).read_bytes())
                _add(tar, f"{key}.txt", str(row["caption"]).encode("utf-8"))
                _add(tar, f"{key}.json", _sample_json(row))
        paths.append(path)
    keep = {p.name for p in paths}
    for stale in shard_dir.glob("shard-*.tar"):
        if stale.name not in keep:
            stale.unlink()
    return paths


def write_status(statuses: Iterable[dict[str, Any]], out_dir: str | Path) -> None:
    """Write ``pdf_status.jsonl`` (one JSON object per input PDF)."""
    text = "".join(to_json(s, indent=None) + "\n" for s in statuses)
    atomic_write_text(Path(out_dir) / "pdf_status.jsonl", text)


def read_status(out_dir: str | Path) -> list[dict[str, Any]]:
    """Read ``pdf_status.jsonl``; a torn last line (impossible with atomic writes) is skipped."""
    path = Path(out_dir) / "pdf_status.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def split_of(pdf_sha256: str) -> str:
    """Deterministic paper-level split (90/5/5 by the PDF hash): no paper leaks across splits."""
    bucket = int(pdf_sha256[:8], 16) % 100
    return "train" if bucket < 90 else "val" if bucket < 95 else "test"


def _ids_hash(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()[:16]


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _caption_hist(df: pd.DataFrame) -> str:
    words = (
        df["caption"].fillna("").map(lambda s: len(str(s).split()))
        if len(df)
        else pd.Series([], dtype=int)
    )
    edges = [0, 5, 10, 20, 40, 80, 160, 320, 10**9]
    counts = np.histogram(words, bins=edges)[0] if len(words) else np.zeros(len(edges) - 1, int)
    peak = max(int(counts.max()), 1)
    rows = []
    for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True):
        label = f"{lo}-{hi - 1}" if hi < 10**9 else f"{lo}+"
        rows.append((label, int(c), "#" * round(30 * int(c) / peak)))
    med = float(np.median(words)) if len(words) else 0.0
    return f"Median caption length: {med:.0f} words (whole figures and panels).\n\n" + _table(
        ["words", "pairs", ""], rows
    )


def _status_section(statuses: Sequence[dict[str, Any]]) -> str:
    ok = [s for s in statuses if s.get("status") == "ok"]
    errs = Counter(s.get("error_kind") for s in statuses if s.get("status") == "error")
    text = f"- PDFs: {len(statuses)} ({len(ok)} ok, {sum(errs.values())} errors)\n"
    text += f"- pages read: {sum(int(s.get('pages') or 0) for s in ok)}\n"
    text += f"- captioned figures: {sum(int(s.get('figures') or 0) for s in ok)}\n"
    text += (
        "- figures without captions (kept out, counted): "
        f"{sum(int(s.get('uncaptioned') or 0) for s in ok)}\n"
    )
    text += f"- table captions (tables kept apart): {sum(int(s.get('tables') or 0) for s in ok)}\n"
    text += _no_figure_lines(ok)
    if errs:
        text += "\nErrors by kind:\n\n" + _table(["error kind", "PDFs"], errs.most_common())
    return text


_TEXT_WARNINGS = (
    ("no text layer (scanned, no OCR)", NO_TEXT_LAYER),
    ("a text layer that does not read as words (fonts without a Unicode map)", UNREADABLE_TEXT),
    ("most pages scanned with no text layer", SCANNED_PAGES),
)


def unreadable_text(statuses: Sequence[dict[str, Any]]) -> dict[str, int]:
    """How many PDFs have no text to find captions in, by why (no text layer, or one that
    does not decode), as their warnings say."""
    counts = {
        what: sum(any(str(w).startswith(start) for w in s.get("warnings") or []) for s in statuses)
        for what, start in _TEXT_WARNINGS
    }
    return {what: n for what, n in counts.items() if n}


def _no_figure_lines(ok: Sequence[dict[str, Any]]) -> str:
    """How many PDFs gave no figure, and how many had no text to find captions in (most of
    those give no figure either)."""
    bare = [s for s in ok if not s.get("figures")]
    text = f"- PDFs read without a captioned figure: {len(bare)}\n"
    for what, n in unreadable_text(ok).items():
        text += f"- PDFs with {what}: {n} (see their warnings in `pdf_status.jsonl`)\n"
    return text


def datasheet_text(
    df: pd.DataFrame, statuses: Sequence[dict[str, Any]], config: dict[str, Any]
) -> str:
    """Render ``datasheet.md`` (datasheets-for-datasets style, the numbers a paper needs)."""
    n = len(df)
    passed = df[df["qc_pass"]] if n else df
    reasons = Counter(r for rs in (df["qc_reasons"] if n else []) for r in rs)
    kinds = Counter(df["kind"]) if n else Counter()
    kinds_pass = Counter(passed["kind"]) if n else Counter()
    panels = int(df["panel"].notna().sum()) if n else 0
    names = sorted({str(s.get("name")) for s in statuses})
    shown = ", ".join(names[:20]) + (f", ... ({len(names) - 20} more)" if len(names) > 20 else "")
    splits = df["pdf_sha256"].map(split_of) if n else pd.Series([], dtype=str)
    split_rows = [
        (
            sp,
            int((splits == sp).sum()),
            _ids_hash(list(df.loc[splits == sp, "pair_id"])) if n else _ids_hash([]),
        )
        for sp in ("train", "val", "test")
    ]
    parts = [
        "# Datasheet: litclip figure-caption corpus\n",
        f"Created {now_iso()} by litclip {__version__}. Resolved options are in `config.json`.\n",
        "## Sources\n",
        *(
            [f"{config['description'].strip()}\n"]
            if (config.get("description") or "").strip()
            else []
        ),
        f"{len(names)} input PDF files: {shown or '(none)'}. Every PDF's sha256, status and counts are in `pdf_status.jsonl`.\n",
        "## Counts\n",
        _status_section(statuses),
        f"- pairs: {n} ({n - panels} whole figures, {panels} panels)\n- pairs passing QC: {len(passed)}\n",
        "## Rejection reasons\n",
        "A pair may have several reasons; it passes QC when it has none.\n\n"
        + (
            _table(
                ["reason", "pairs", "what it means"],
                [(r, c, _reason_meaning(r, config)) for r, c in reasons.most_common()],
            )
            if reasons
            else "No pair was rejected.\n"
        ),
        "## Figure kinds\n",
        "A cheap classifier's call (pixels and the PDF's text inside each figure): `image` is "
        "photographs and medical images, `chart` plots, `diagram` drawings, `table` ruled "
        "grids, `other` screenshots, program text and the rest. On 435 figures of manuals, vignettes and articles labelled "
        "by eye it was right for about 4 in 5 and called all 35 photographs and medical images "
        "`image` (`benchmarks/figure_kinds.py`); `litclip corpus filter --kinds image` keeps "
        "those.\n\n"
        + _table(
            ["kind", "pairs", "passing QC"],
            [(k, kinds[k], kinds_pass.get(k, 0)) for k in sorted(kinds)],
        )
        if kinds
        else "No pairs.\n",
        "## Caption lengths\n",
        _caption_hist(df),
        "## Licence notes\n",
        "The images and captions are excerpts of the source articles and keep those articles' licences "
        "(check each PDF's own licence statement before redistributing; many open-access licences "
        "such as CC BY allow reuse with attribution, CC BY-NC-ND forbids commercial use and derivatives). "
        "The manifest records the source PDF of every pair for attribution.\n",
        "## Splits\n",
        "Paper-level split by PDF sha256: each paper goes to train, val or test with chances "
        "90/5/5 (with few papers the shares come out uneven), so figures of one paper never "
        "cross splits. This is the manifest's `split` column; a pipeline may split otherwise "
        "(`litclip run` writes its own, by article, under its `splits/`). "
        "Hash = first 16 hex digits of sha256 over the sorted pair ids.\n\n"
        + _table(["split", "pairs", "pair-id hash"], split_rows)
        + f"\nAll pairs: `{_ids_hash(list(df['pair_id']) if n else [])}`; passing QC: `{_ids_hash(list(passed['pair_id']) if n else [])}`.\n",
    ]
    return "\n".join(parts)


def _reason_meaning(reason: str, config: dict[str, Any]) -> str:
    """What a QC reason code means, with the threshold this corpus used."""
    from litclip.corpus.qc import QcConfig

    known = QcConfig.__dataclass_fields__
    qc = QcConfig(**{k: v for k, v in (config.get("qc") or {}).items() if k in known})
    meanings = {
        "too_small": f"shorter side under {qc.min_side} px",
        "aspect_ratio": f"longer side over {qc.max_aspect:g} times the shorter",
        "blank": f"grey-level spread under {qc.min_std:g}",
        "low_entropy": f"grey-level entropy under {qc.min_entropy:g} bits",
        "caption_short": f"caption under {qc.min_caption_chars} characters",
        "caption_long": f"caption over {qc.max_caption_chars} characters",
        "duplicate": f"perceptual hash within {qc.dup_distance} bits of an earlier pair's, "
        "and the pixels alike (within one PDF: the same picture, not a twin in one template): "
        "only the first copy passes",
        "non_figure:logo": f"both sides under {qc.logo_max_pt:g} pt: a logo or icon",
        "non_figure:band": f"under {qc.band_max_height_pt:g} pt tall and very wide: an equation "
        "or a rule",
        "non_figure:header_band": "a band in the page's top or bottom margin: a running head",
    }
    if reason.startswith("kind:"):
        return f"a kind left out by the build's --keep-kinds ({reason[5:]})"
    return meanings.get(reason, "")


def write_datasheet(
    df: pd.DataFrame,
    statuses: Sequence[dict[str, Any]],
    config: dict[str, Any],
    out_dir: str | Path,
) -> None:
    """Write ``datasheet.md`` atomically."""
    atomic_write_text(Path(out_dir) / "datasheet.md", datasheet_text(df, statuses, config))
