"""A contact sheet of a corpus: one static HTML page to read the extraction by eye.

Before training on a corpus, its builder wants to see what came out: each figure crop
beside its caption, its panels under it with their sub-captions, where it came from (PDF,
page, box) and what quality control said (kind, pass or the reasons it was rejected).
:func:`write_preview` writes that page from the manifest alone; images are linked, not
copied, so the page stays small and opens offline in any browser.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litclip import __version__
from litclip.console import count
from litclip.corpus.writers import read_manifest, read_status
from litclip.errors import LitclipError
from litclip.io import atomic_write_text, within

SHOW = ("all", "passed", "rejected")
# a corpus's own files and folders: a page written over one would break the corpus
_CORPUS_FILES = (
    "manifest.parquet",
    "manifest.csv",
    "config.json",
    "pdf_status.jsonl",
    "datasheet.md",
)
_CORPUS_DIRS = ("images", "parts", "shards", ".staging")
_TITLE = "<title>Corpus preview: "  # how a page this module wrote begins


@dataclass(frozen=True)
class PreviewSummary:
    path: Path
    pdfs: int
    figures: int
    panels: int


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _reasons(row: dict[str, Any]) -> list[str]:
    reasons = row.get("qc_reasons")
    return [] if _blank(reasons) else [str(r) for r in reasons]


def _rejected(row: dict[str, Any]) -> bool:
    qc = row.get("qc_pass")
    return (not _blank(qc) and not bool(qc)) or bool(_reasons(row))


def _status(row: dict[str, Any], names: dict[str, str]) -> str:
    """Pass, or the reasons of a rejection; a duplicate names the pair it repeats (from
    ``names``: pair id -> "Figure 2, a.pdf p. 3")."""
    reasons = _reasons(row)
    if _rejected(row):
        text = html.escape(", ".join(reasons) or "qc")
        kept = row.get("duplicate_of")
        if "duplicate" in reasons and not _blank(kept):
            text += f" of {html.escape(names.get(str(kept), str(kept)))}"
        return f'<span class="bad">rejected: {text}</span>'
    return '<span class="ok">passes QC</span>'


def _image(row: dict[str, Any], corpus: Path, page_dir: Path, css: str) -> str:
    src = Path(os.path.relpath(corpus / str(row["filepath"]), page_dir)).as_posix()
    alt = html.escape(str(row.get("pair_id", "")), quote=True)
    return f'<img class="{css}" src="{html.escape(src, quote=True)}" alt="{alt}" loading="lazy">'


def _corpus_title(corpus: Path) -> str:
    """The corpus as its preview is titled: a folder named "corpus" (as `litclip run` names
    it) with its parent's name, which tells one run's from another's."""
    resolved = corpus.resolve()
    if resolved.name.lower() in ("corpus", "out", "output") and resolved.parent.name:
        return f"{resolved.parent.name}/{resolved.name}"
    return resolved.name


def _pair_name(row: dict[str, Any]) -> str:
    """A pair as a reader finds it: "Figure 2 (panel B), a.pdf p. 3"."""
    label = str(row.get("figure_label") or "a figure")
    panel = "" if _blank(row.get("panel")) else f" (panel {row['panel']})"
    return f"{label}{panel}, {row.get('pdf_name')} p. {int(row['page'])}"


def _facts(row: dict[str, Any], names: dict[str, str]) -> str:
    bbox = row.get("bbox")
    box = "" if _blank(bbox) else " [" + ", ".join(f"{float(v):.0f}" for v in bbox) + "] pt"
    kind = "" if _blank(row.get("kind")) else f" · {html.escape(str(row['kind']))}"
    size = f" · {row['width']}×{row['height']} px" if not _blank(row.get("width")) else ""
    return f"page {int(row['page'])}{box}{kind}{size} · {_status(row, names)}"


def _figure_card(
    row: dict[str, Any],
    panels: list[dict[str, Any]],
    corpus: Path,
    page_dir: Path,
    names: dict[str, str],
) -> str:
    label = html.escape(str(row.get("figure_label") or "(no label)"))
    parts = [
        '<div class="card">',
        _image(row, corpus, page_dir, "whole"),
        '<div class="text">',
        f"<h3>{label}</h3>",
        f'<p class="facts">{_facts(row, names)}</p>',
        f'<p class="caption">{html.escape(str(row.get("caption", "")))}</p>',
        "</div>",
    ]
    if panels:
        parts.append('<div class="panels">')
        for p in panels:
            parts += [
                '<div class="panel">',
                _image(p, corpus, page_dir, "thumb"),
                f'<p class="facts">panel {html.escape(str(p["panel"]))} · {_status(p, names)}</p>',
                f'<p class="caption">{html.escape(str(p.get("caption", "")))}</p>',
                "</div>",
            ]
        parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .8em; margin: .8em 0;
        display: flex; flex-wrap: wrap; gap: 1em; }
.whole { max-width: 480px; max-height: 420px; object-fit: contain; background: #f6f6f6; }
.text { flex: 1; min-width: 280px; }
.text h3 { margin: 0 0 .3em 0; }
.facts { color: #666; font-size: .9em; margin: .2em 0; }
.caption { white-space: pre-wrap; margin: .4em 0; }
.panels { display: flex; flex-wrap: wrap; gap: .8em; width: 100%; }
.panel { width: 220px; }
.thumb { max-width: 220px; max-height: 180px; object-fit: contain; background: #f6f6f6; }
.panel .caption { font-size: .85em; }
.ok { color: #18794e; } .bad { color: #b42318; font-weight: 600; }
"""


def _figureless(
    statuses: list[dict[str, Any]], pdf: str | None, shown: set[str] | None
) -> list[str]:
    """A list of the PDFs (of ``pdf_status.jsonl``) without a figure on the page, each with
    its error or warnings: a scan without text, a damaged file. ``shown``: the PDFs the page
    has figures of (None: a page cut short by --limit, where a missing PDF proves nothing)."""
    if shown is None:
        return []
    items = []
    for s in statuses:
        name = str(s.get("name"))
        if name in shown or (pdf and pdf not in name):
            continue
        if s.get("status") == "error":
            said = [f"error ({s.get('error_kind')}): {s.get('error_message')}"]
        else:
            said = [f"{count(int(s.get('figures') or 0), 'captioned figure')}"]
            said += [str(w) for w in s.get("warnings") or []]
        items.append(f"<li><b>{html.escape(name)}</b>: {html.escape('; '.join(said))}</li>")
    if not items:
        return []
    return [
        f"<h2>PDFs without a figure here <small>({len(items)})</small></h2>",
        f'<ul class="facts">{"".join(items)}</ul>',
    ]


def _is_page(path: Path) -> bool:
    """Whether ``path`` is a page :func:`write_preview` wrote (so may be written again)."""
    with open(path, "rb") as fh:
        return _TITLE.encode() in fh.read(512)


def _check_target(target: Path, corpus: Path, out: str | Path | None) -> None:
    """Refuse a page over a folder, or over a file in the corpus that is not a page this
    module wrote (``--out CORPUS/manifest.parquet`` made the corpus unreadable)."""
    given = f"--out {out}" if out is not None else str(target)
    if target.is_dir():
        example = Path(out or target) / "preview.html"
        raise LitclipError(f"{given} is a folder: give the HTML file to write, e.g. {example}")
    if target == corpus or not within(target, corpus):
        return
    rel = target.relative_to(corpus)
    own = rel.parts[0] in _CORPUS_DIRS or str(rel) in _CORPUS_FILES
    if own or (target.is_file() and not _is_page(target)):
        what = "one of the corpus files" if own else "a file in the corpus, not a preview page"
        raise LitclipError(
            f"{given} is {what}: a page there would replace it; choose another --out "
            "(e.g. CORPUS/preview.html)"
        )


def _default_name(show: str, pdf: str | None, limit: int | None) -> str:
    """``preview.html``, or for a narrowed view a name of its own ("preview-rejected.html",
    "preview-pdf-bmc-first20.html"): the full preview that build and run point to stays."""
    parts = [show] if show != "all" else []
    if pdf:
        parts.append("pdf-" + (re.sub(r"[^\w.]+", "_", pdf).strip("_.")[:40] or "x"))
    if limit is not None:
        parts.append(f"first{limit}")
    return "-".join(["preview", *parts]) + ".html"


def write_preview(
    corpus_dir: str | Path,
    out: str | Path | None = None,
    show: str = "all",
    pdf: str | None = None,
    limit: int | None = None,
) -> PreviewSummary:
    """Write an HTML contact sheet of a corpus (default: ``<corpus>/preview.html``).

    Args:
        corpus_dir: a corpus directory written by ``litclip corpus build``.
        out: the HTML file to write; image links are made relative to it.
        show: ``all`` figures, only those that ``passed`` QC, or only the ``rejected`` ones
            (a figure is shown with all its panels when it or any of its panels matches).
        pdf: only the figures of PDFs whose file name contains this text.
        limit: show at most this many figures (the first, by PDF and page); a corpus of
            tens of thousands of pairs makes a page too long to read at once.

    Returns:
        Where the page went and how many PDFs, figures and panels it shows.
    """
    if show not in SHOW:
        raise LitclipError(f"--show must be one of {', '.join(SHOW)}, not {show!r}")
    if limit is not None and limit < 1:
        raise LitclipError(f"--limit must be at least 1, not {limit}")
    corpus = Path(corpus_dir).resolve()
    target = Path(out).resolve() if out is not None else corpus / _default_name(show, pdf, limit)
    _check_target(target, corpus, out)
    df = read_manifest(corpus)
    rows = df.to_dict(orient="records")
    statuses = read_status(corpus)
    read = {str(s.get("name")) for s in statuses}  # those without a row too
    if pdf and not any(pdf in name for name in read | {str(r.get("pdf_name")) for r in rows}):
        names = sorted({str(r.get("pdf_name")) for r in rows} | read)
        raise LitclipError(  # an empty page over the last one helps nobody
            f"--pdf: no PDF of the corpus has {pdf!r} in its name (its PDFs: "
            f"{', '.join(names[:5]) or 'none'}{' ...' if len(names) > 5 else ''})"
        )
    ids = {str(r.get("pair_id")) for r in rows if _blank(r.get("panel"))}
    names = {str(r.get("pair_id")): _pair_name(r) for r in rows}
    # a panel whose figure is not in the corpus (a filtered copy kept the panel, not the
    # figure) is shown as a figure of its own
    wholes = [r for r in rows if _blank(r.get("panel")) or str(r.get("parent_id")) not in ids]
    panels: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if not _blank(r.get("panel")) and str(r.get("parent_id")) in ids:
            panels.setdefault(str(r.get("parent_id")), []).append(r)

    def wanted(r: dict[str, Any]) -> bool:
        group = [r, *panels.get(str(r.get("pair_id")), [])]
        if pdf and pdf not in str(r.get("pdf_name", "")):
            return False
        if show == "rejected":
            return any(_rejected(x) for x in group)
        if show == "passed":
            return any(not _rejected(x) for x in group)
        return True

    matching = sorted(
        (r for r in wholes if wanted(r)),
        key=lambda r: (str(r.get("pdf_name")), int(r["page"]), str(r.get("pair_id"))),
    )
    shown = matching if limit is None else matching[:limit]
    by_pdf: dict[str, list[dict[str, Any]]] = {}
    for r in shown:
        by_pdf.setdefault(str(r.get("pdf_name")), []).append(r)
    n_panels = sum(len(panels.get(str(r.get("pair_id")), [])) for r in shown)
    # a figure is shown with all its panels when any of them matches: say how many match
    group = [x for r in shown for x in (r, *panels.get(str(r.get("pair_id")), []))]
    n_match = sum(1 for x in group if _rejected(x) == (show == "rejected"))
    matched = f", {count(n_match, 'pair')} of them {show}," if show != "all" else ""
    title = html.escape(_corpus_title(corpus))
    body = [
        f"<h1>Corpus preview: {title}</h1>",
        f"<p>{count(len(shown), 'figure')} with {count(n_panels, 'panel')}{matched} from "
        f"{count(len(by_pdf), 'PDF')}"
        f"{f' (the first {len(shown)} of {len(matching)} that match)' if len(shown) < len(matching) else ''} "
        f"(showing: {html.escape(show)}{', PDFs matching ' + html.escape(pdf) if pdf else ''}; "
        f"the corpus holds {len(wholes)} figures, {len(rows)} pairs). "
        f"Written by litclip {html.escape(__version__)} from {html.escape(str(corpus))}.</p>",
    ]
    for name, figs in by_pdf.items():
        body.append(f"<h2>{html.escape(name)} <small>({count(len(figs), 'figure')})</small></h2>")
        for r in figs:
            kids = sorted(panels.get(str(r.get("pair_id")), []), key=lambda p: str(p["panel"]))
            body.append(_figure_card(r, kids, corpus, target.parent, names))
    if not shown:
        body.append("<p>No figure matches.</p>")
    if show == "all":  # a PDF that gave nothing would otherwise not be seen at all
        body += _figureless(statuses, pdf, set(by_pdf) if limit is None else None)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Corpus preview: {title}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, page)
    return PreviewSummary(target, len(by_pdf), len(shown), n_panels)
