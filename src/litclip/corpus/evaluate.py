"""Figure extraction metrics against hand-checked ground truth (``ground_truth.json``).

A predicted figure matches a true one when both are on the same PDF and page and their boxes
overlap with IoU >= 0.5 (one-to-one, greedy by IoU). Over the matched figures we also score
the caption (normalised first 60 characters) and the panel count.

Predictions come from a corpus directory's ``manifest.parquet`` (ARCHITECTURE contract 1)
or directly as a list of row dicts (see :func:`rows_from_extraction`).
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from litclip.corpus.extract.captions import compose_accents
from litclip.corpus.extract.text import CP1252_CONTROLS
from litclip.corpus.types import PdfExtraction
from litclip.errors import LitclipError
from litclip.io import being_written

IOU_THRESHOLD = 0.5
CAPTION_CHARS = 60
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "`": "'",
    }
)
# TeX's T1 fonts without a Unicode map give ff, fi, fl, ffi, ffl as control codes 0x1B-0x1F
# and the en and em dashes as 0x15 and 0x16
# (a truth made with such a text layer reads "di\x1berent"); the extractor maps them too
_T1_LIGATURES = str.maketrans(
    {chr(0x1B + i): chr(0xFB00 + i) for i in range(5)} | {"\x15": "\u2013", "\x16": "\u2014"}
)
_DASHES_SPACE = re.compile(r"[\s\-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+")


def normalise_caption(text: str) -> str:
    """TeX's spacing accents on their letters, NFKC, lower-case, straight quotes, no
    hyphens/dashes/whitespace (so "de- viation" == "deviation", "ﬂ" == "fl" and
    "Se\u00b8c\u02dcao" as a PDF's text layer reads it == "Seção"; TeX's T1 ligature codes
    read as their letters, "di\\x1berent" == "different"; C1 controls as Windows-1252, as
    the extractor reads them: a truth taken by another tool may keep "\\x91" for "\u2018")."""
    text = (text or "").translate(_T1_LIGATURES).translate(CP1252_CONTROLS)
    text = unicodedata.normalize("NFKC", compose_accents(text)).translate(_QUOTES).lower()
    return _DASHES_SPACE.sub("", text)


def caption_matches(predicted: str, truth_start: str, n: int = CAPTION_CHARS) -> bool:
    """Whether the first ``n`` normalised characters agree (fewer when the truth is shorter)."""
    p, t = normalise_caption(predicted), normalise_caption(truth_start)
    k = min(n, len(t))
    return k > 0 and p[:k] == t[:k]


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (
        max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])
        + max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
        - inter
    )
    return inter / ua if ua > 0 else 0.0


def load_truth(truth_json: str | Path) -> dict[str, Any]:
    """Read a ground-truth file, with a clear error when it is missing or not the format."""
    path = Path(truth_json)
    if path.is_dir():  # the folder of the PDFs, with their ground_truth.json
        if not (path / "ground_truth.json").is_file():
            raise LitclipError(
                f"ground truth {path} is a folder without a ground_truth.json: pass the file"
            )
        path = path / "ground_truth.json"
    if not path.is_file():
        raise LitclipError(
            f"ground truth {path} not found; pass the ground_truth.json next to the PDFs"
        )
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LitclipError(f"ground truth {path} is not valid JSON: {exc}") from exc
    if not isinstance(truth, dict) or "documents" not in truth:
        raise LitclipError(
            f"ground truth {path} has no 'documents' list (see the schema block of the format)"
        )
    docs = truth["documents"]
    if not isinstance(docs, list) or not docs:
        raise LitclipError(
            f"ground truth {path} has no documents: 'documents' lists the PDFs, each with its "
            "figures (an empty truth would score nothing)"
        )
    for d, doc in enumerate(docs):
        _check_document(path, d, doc)
    _check_each_once(path, docs)
    return truth


def _check_each_once(path: Path, docs: list[dict[str, Any]]) -> None:
    """A PDF listed twice would be scored twice (its figures, its predictions): which of
    the two lists is the truth is for the file's author to say, not a guess."""
    seen: dict[str, int] = {}
    for d, doc in enumerate(docs):
        for key in (doc["file"], doc.get("sha256")):
            if key in seen:
                raise LitclipError(
                    f"ground truth {path}: {doc['file']} is listed twice (documents "
                    f"{seen[key] + 1} and {d + 1} are the same PDF, by name or sha256): "
                    "keep one"
                )
            if key:
                seen[key] = d


def _check_document(path: Path, d: int, doc: Any) -> None:
    """Each document names its file and lists figures with a page, a box and a caption start;
    ``n_panels`` is a count or null (a count that is a judgement call: not scored)."""
    where = f"ground truth {path}, document {d + 1}"
    if not isinstance(doc, dict) or not isinstance(doc.get("file"), str):
        raise LitclipError(f"{where}: needs a 'file' (the PDF's name)")
    figures = doc.get("figures")
    if not isinstance(figures, list):  # a missing list would score as a PDF without figures
        raise LitclipError(
            f"{where} ({doc['file']}): needs a 'figures' list (empty for a PDF without figures)"
        )
    for k, fig in enumerate(figures):
        at = f"{where} ({doc['file']}), figure {k + 1}"
        if not isinstance(fig, dict):
            raise LitclipError(f"{at}: must be an object")
        bbox, page, panels = fig.get("bbox"), fig.get("page"), fig.get("n_panels", 1)
        if not (
            isinstance(bbox, list)
            and len(bbox) == 4
            and all(isinstance(v, int | float) for v in bbox)
        ):
            raise LitclipError(f"{at}: 'bbox' must be [x0, y0, x1, y1] in points")
        if not isinstance(page, int) or page < 1:
            raise LitclipError(f"{at}: 'page' must be a 1-based page number")
        if not isinstance(fig.get("caption_start", ""), str):
            raise LitclipError(f"{at}: 'caption_start' must be text")
        if panels is not None and not (isinstance(panels, int) and panels >= 1):
            raise LitclipError(f"{at}: 'n_panels' must be a count >= 1 or null")


def rows_from_extraction(pdf_name: str, extraction: PdfExtraction) -> list[dict[str, Any]]:
    """Manifest-like rows (whole figures and panels) from :func:`extract_pdf` output."""
    rows: list[dict[str, Any]] = []
    for fig in extraction.figures:
        pair_id = f"{pdf_name}-p{fig.page}-{fig.label}"
        rows.append(
            {
                "pair_id": pair_id,
                "pdf_name": pdf_name,
                "page": fig.page,
                "bbox": list(fig.bbox),
                "caption": fig.caption,
                "figure_label": fig.label,
                "panel": None,
                "parent_id": None,
            }
        )
        for panel in fig.panels:
            rows.append(
                {
                    "pair_id": f"{pair_id}-{panel.letter}",
                    "pdf_name": pdf_name,
                    "page": fig.page,
                    "bbox": list(panel.bbox),
                    "caption": panel.caption,
                    "figure_label": fig.label,
                    "panel": panel.letter,
                    "parent_id": pair_id,
                }
            )
    return rows


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    try:
        return value != value  # NaN
    except Exception:  # noqa: BLE001 - arrays and odd types are not null
        return False


def _match(
    truth_figs: list[dict[str, Any]], preds: list[dict[str, Any]]
) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching by IoU on the same page: ``[(truth i, pred j, iou)]``."""
    cands = []
    for i, t in enumerate(truth_figs):
        for j, p in enumerate(preds):
            if int(p["page"]) != int(t["page"]):
                continue
            v = iou(t["bbox"], [float(x) for x in p["bbox"]])
            if v >= IOU_THRESHOLD:
                cands.append((v, i, j))
    cands.sort(reverse=True)
    used_t: set[int] = set()
    used_p: set[int] = set()
    out = []
    for v, i, j in cands:
        if i in used_t or j in used_p:
            continue
        used_t.add(i)
        used_p.add(j)
        out.append((i, j, v))
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate_predictions(
    preds: Iterable[dict[str, Any]],
    truth: dict[str, Any],
    only_qc_pass: bool = False,
    corpus_pdfs: Iterable[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Precision, recall, caption match and panel accuracy of predicted figures.

    Args:
        preds: manifest rows with ``pdf_name``, ``page``, ``bbox``, ``caption``, ``panel``
            (None for a whole figure), ``pair_id`` and ``parent_id`` (panels).
        truth: the parsed ground truth (``{"documents": [...]}``).
        only_qc_pass: ignore rows whose ``qc_pass`` is false (off by default: QC judges
            training quality, not extraction).
        corpus_pdfs: ``(name, sha256)`` of every PDF the predictions come from; truth PDFs
            not among them are left out (listed in ``truth_pdfs_not_in_corpus``), not
            counted as missed. A truth PDF is found by its ``sha256`` (a renamed copy is
            the same PDF), else by its file name.

    Returns:
        A flat dict of overall metrics and counts plus ``per_pdf`` (one dict per truth PDF)
        and ``errors`` (for reading: missed and spurious figures, then matched figures
        whose caption or panel count disagrees with the truth).
    """
    rows = [r for r in preds if not (only_qc_pass and r.get("qc_pass") is False)]
    panel_counts: dict[str, int] = {}
    for r in rows:
        if not _is_null(r.get("panel")) and not _is_null(r.get("parent_id")):
            panel_counts[str(r["parent_id"])] = panel_counts.get(str(r["parent_id"]), 0) + 1
    wholes: dict[str, list[dict[str, Any]]] = {}
    by_sha: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if _is_null(r.get("panel")):
            wholes.setdefault(Path(str(r["pdf_name"])).name, []).append(r)
            if not _is_null(r.get("pdf_sha256")):
                by_sha.setdefault(str(r["pdf_sha256"]), []).append(r)
    pdfs = list(corpus_pdfs) if corpus_pdfs is not None else None
    inside = None if pdfs is None else {x for pair in pdfs for x in pair}
    # each PDF's content hash by file name: the corpus's list, else its manifest rows
    name_sha = {Path(str(n)).name: str(h) for n, h in pdfs or []} or {
        name: str(rs[0]["pdf_sha256"])
        for name, rs in wholes.items()
        if not _is_null(rs[0].get("pdf_sha256"))
    }
    docs: list[dict[str, Any]] = []
    absent: list[str] = []
    other_content: list[str] = []  # found by name only, with another hash than the truth's
    for d in truth["documents"]:
        if inside is None or d["file"] in inside or d.get("sha256") in inside:
            docs.append(d)
        else:
            absent.append(d["file"])
    used: set[int] = set()
    per_pdf: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    tot = {"truth": 0, "pred": 0, "matched": 0, "caption_ok": 0, "panel_ok": 0, "counted": 0}
    ious: list[float] = []
    for doc in docs:
        name = doc["file"]
        t_figs = doc.get("figures", [])
        p_figs = by_sha.get(str(doc.get("sha256")), None) or wholes.get(name, [])
        sha = doc.get("sha256")
        if sha and sha not in by_sha and name_sha.get(name, sha) != sha:
            other_content.append(name)
        used.update(id(r) for r in p_figs)
        matches = _match(t_figs, p_figs)
        cap_ok = sum(
            caption_matches(str(p_figs[j].get("caption", "")), t_figs[i]["caption_start"])
            for i, j, _ in matches
        )
        # a null count is a judgement call (plots sharing axes): not scored
        counted = [(i, j) for i, j, _ in matches if t_figs[i].get("n_panels", 1) is not None]
        pan_ok = sum(
            max(1, panel_counts.get(str(p_figs[j].get("pair_id")), 0))
            == t_figs[i].get("n_panels", 1)
            for i, j in counted
        )
        ious.extend(v for _, _, v in matches)
        per_pdf[name] = {
            "n_truth": len(t_figs),
            "n_pred": len(p_figs),
            "n_matched": len(matches),
            "figure_precision": _ratio(len(matches), len(p_figs)),
            "figure_recall": _ratio(len(matches), len(t_figs)),
            "caption_match": _ratio(cap_ok, len(matches)),
            "panel_accuracy": _ratio(pan_ok, len(counted)),
            "n_panel_counted": len(counted),
        }
        for key, val in zip(
            tot,
            (len(t_figs), len(p_figs), len(matches), cap_ok, pan_ok, len(counted)),
            strict=True,
        ):
            tot[key] += val
        errors.extend(_errors(name, t_figs, p_figs, matches))
        errors.extend(_mismatches(name, t_figs, p_figs, matches, panel_counts))
    return {
        "figure_precision": _ratio(tot["matched"], tot["pred"]),
        "figure_recall": _ratio(tot["matched"], tot["truth"]),
        "caption_match": _ratio(tot["caption_ok"], tot["matched"]),
        "panel_accuracy": _ratio(tot["panel_ok"], tot["counted"]),
        "mean_iou": round(sum(ious) / len(ious), 4) if ious else None,
        "n_truth": tot["truth"],
        "n_pred": tot["pred"],
        "n_matched": tot["matched"],
        "n_panel_counted": tot["counted"],
        "n_pdfs": len(per_pdf),
        "n_pred_unknown_pdf": sum(id(r) not in used for v in wholes.values() for r in v),
        "truth_pdfs_not_in_corpus": absent,
        "truth_pdfs_other_content": other_content,
        "per_pdf": per_pdf,
        "errors": errors,
    }


def _errors(
    name: str,
    t_figs: list[dict[str, Any]],
    p_figs: list[dict[str, Any]],
    matches: list[tuple[int, int, float]],
) -> list[dict[str, Any]]:
    got_t = {i for i, _, _ in matches}
    got_p = {j for _, j, _ in matches}
    out = [
        {
            "pdf": name,
            "type": "missed",
            "label": t.get("label"),
            "page": t["page"],
            "bbox": t["bbox"],
        }
        for i, t in enumerate(t_figs)
        if i not in got_t
    ]
    out += [
        {
            "pdf": name,
            "type": "spurious",
            "label": p.get("figure_label"),
            "page": int(p["page"]),
            "bbox": [round(float(x), 1) for x in p["bbox"]],
        }
        for j, p in enumerate(p_figs)
        if j not in got_p
    ]
    return out


def _mismatches(
    name: str,
    t_figs: list[dict[str, Any]],
    p_figs: list[dict[str, Any]],
    matches: list[tuple[int, int, float]],
    panel_counts: dict[str, int],
) -> list[dict[str, Any]]:
    """Matched figures whose caption or (scored) panel count disagrees with the truth."""
    out = []
    for i, j, _ in sorted(matches):
        t, p = t_figs[i], p_figs[j]
        where = {"pdf": name, "label": t.get("label"), "page": t["page"]}
        caption = str(p.get("caption", ""))
        if not caption_matches(caption, t["caption_start"]):
            out.append(
                {**where, "type": "caption", "pred": caption[:60], "truth": t["caption_start"][:60]}
            )
        n_truth = t.get("n_panels", 1)
        n_pred = max(1, panel_counts.get(str(p.get("pair_id")), 0))
        if n_truth is not None and n_pred != n_truth:
            out.append({**where, "type": "panels", "pred": n_pred, "truth": n_truth})
    return out


def format_errors(metrics: dict[str, Any]) -> str:
    """One line per error of :func:`evaluate_predictions` (what to look at, PDF by PDF)."""
    lines = []
    for e in metrics.get("errors", []):
        at = f"{e['pdf']} p{e['page']} {e.get('label') or '(no label)'}"
        if e["type"] in ("missed", "spurious"):
            box = ", ".join(f"{float(v):.0f}" for v in e["bbox"])
            lines.append(f"{e['type']:8}  {at}  box [{box}]")
        else:
            lines.append(f"{e['type']:8}  {at}  got {e['pred']!r}, truth {e['truth']!r}")
    return "\n".join(lines)


def read_manifest_rows(pred_dir: str | Path) -> list[dict[str, Any]]:
    """Rows of ``<pred_dir>/manifest.parquet`` as plain dicts."""
    path = Path(pred_dir) / "manifest.parquet"
    if not path.is_file():
        raise LitclipError(
            f"{path} not found; point at a corpus directory written by `litclip corpus build`"
        )
    from litclip.corpus.writers import read_parquet_file

    frame = read_parquet_file(path)
    missing = {"pdf_name", "page", "bbox", "caption", "panel"} - set(frame.columns)
    if missing:
        raise LitclipError(f"{path} lacks columns {sorted(missing)} (ARCHITECTURE contract 1)")
    rows = frame.to_dict(orient="records")
    for r in rows:
        r["bbox"] = [float(x) for x in r["bbox"]]
    return rows


def evaluate_corpus(
    pred_dir: str | Path, truth_json: str | Path, only_qc_pass: bool = False
) -> dict[str, Any]:
    """:func:`evaluate_predictions` on a corpus directory's manifest and a ground-truth file,
    over the truth PDFs the corpus was built from (its ``pdf_status.jsonl``).

    Raises:
        LitclipError: none of the truth PDFs is in the corpus.
    """
    from litclip.corpus.writers import read_status

    if being_written(pred_dir):
        raise LitclipError(
            f"{pred_dir} is still being written (a `litclip corpus build` into it is running): "
            "wait for it to end, then evaluate"
        )
    status = Path(pred_dir) / "pdf_status.jsonl"
    pdfs = [(s["name"], s["sha256"]) for s in read_status(pred_dir)] if status.is_file() else None
    truth = load_truth(truth_json)
    metrics = evaluate_predictions(
        read_manifest_rows(pred_dir), truth, only_qc_pass=only_qc_pass, corpus_pdfs=pdfs
    )
    other = metrics["truth_pdfs_other_content"]
    if other:
        shown = ", ".join(other[:3]) + (" ..." if len(other) > 3 else "")
        warnings.warn(
            f"{len(other)} PDF(s) of the corpus share a name with a truth PDF but not its "
            f"sha256 ({shown}): scored by name, though they may be other files (another "
            "version of the paper, or other papers): check the --truth is for these PDFs",
            stacklevel=2,
        )
    if not metrics["per_pdf"] and truth["documents"]:
        raise LitclipError(
            f"none of the {len(truth['documents'])} PDFs of {truth_json} is in corpus {pred_dir} "
            "(matched by content hash, then by file name): build the corpus from those PDFs"
        )
    return metrics


def _fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def format_table(metrics: dict[str, Any]) -> str:
    """A fixed-width text table: one row per PDF, then the overall row."""
    cols = [
        "n_truth",
        "n_pred",
        "n_matched",
        "figure_precision",
        "figure_recall",
        "caption_match",
        "panel_accuracy",
    ]
    heads = ["truth", "pred", "match", "precision", "recall", "caption", "panels"]
    rows = [
        [name] + [_fmt(m.get(c)) for c in cols] for name, m in metrics.get("per_pdf", {}).items()
    ]
    rows.append(["ALL"] + [_fmt(metrics.get(c)) for c in cols])
    header = ["pdf"] + heads
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    lines = [
        "  ".join(
            str(c).ljust(w) if k == 0 else str(c).rjust(w)
            for k, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)
