"""Whole-document extraction: open a PDF, find captioned figures and tables on every page."""

from __future__ import annotations

import functools
import re
import statistics
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from litclip.corpus.extract import _raw, padding, scales, scans, subcaptions
from litclip.corpus.extract import panels as panel_mod
from litclip.corpus.extract import regions as reg
from litclip.corpus.extract.captions import (
    DASHES,
    LABEL_PUNCT,
    Caption,
    counted_panels,
    find_captions,
    mentioned_panels,
    page_continuation,
    parse_label,
    position_places,
    positioned_panels,
    split_caption,
    take_side_paragraphs,
)
from litclip.corpus.extract.furniture import element_furniture, line_furniture, margin_notes
from litclip.corpus.extract.text import (
    TextLine,
    body_font_size,
    page_lines,
    text_rows,
    typical_leading,
    word_share,
)
from litclip.corpus.extract.textfigures import (
    caption_column,
    code_block_over,
    echoed_code,
    frame_over,
    listing_lines,
    mono_block_over,
    mono_block_under,
    ruled_block_over,
    text_block_over,
)
from litclip.corpus.types import (
    NO_TEXT_LAYER,
    SCANNED_PAGES,
    UNREADABLE_TEXT,
    BBox,
    ExtractedFigure,
    ExtractedTable,
    Panel,
    PdfError,
    PdfExtraction,
)


def open_pdf(path: str | Path | bytes, password: str | None = None) -> pdfium.PdfDocument:
    """Open a PDF with pdfium, turning its failures into :class:`PdfError` kinds."""
    if not isinstance(path, bytes):
        p = Path(path)
        try:
            with p.open("rb") as fh:
                head = fh.read(1024)
        except OSError as exc:
            raise PdfError("io", f"{p}: {exc}") from exc
        if b"%PDF" not in head:
            raise PdfError("not_pdf", f"{p} does not start like a PDF (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfError("encrypted", f"{path}: password required or wrong") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise PdfError("encrypted", f"{path}: unsupported security handler") from exc
        if code == pdfium_c.FPDF_ERR_FILE:
            raise PdfError("io", f"{path}: cannot be read") from exc
        kind = (
            "truncated"
            if not isinstance(path, bytes) and _looks_truncated(Path(path))
            else "malformed"
        )
        raise PdfError(kind, f"{path}: {exc}") from exc
    if len(pdf) == 0:
        pdf.close()
        raise PdfError("zero_pages", f"{path} has no pages")
    return pdf


def _looks_truncated(path: Path) -> bool:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.seek(max(0, size - 2048))
            return b"%%EOF" not in fh.read()
    except OSError:
        return False


class PageCache:
    """Loaded pages of a document, the least recently used closed beyond ``size``.

    Layout loads a page to read it, again for a panel preview, and rendering loads it once
    more; kept open, a page is parsed once and pdfium reuses its decoded images for the crop.
    The size bound keeps memory flat however long the document (a loaded page may hold a
    decoded image of up to ``max_pixels``).
    """

    def __init__(self, pdf: pdfium.PdfDocument, size: int = 2, keep_max: int = 8) -> None:
        self._pdf, self._size, self._keep_max = pdf, size, keep_max
        self._pages: OrderedDict[int, pdfium.PdfPage] = OrderedDict()
        self._kept: dict[int, pdfium.PdfPage] = {}

    def keep(self, index: int) -> None:
        """Keep a loaded page open past the LRU bound (up to ``keep_max`` pages): a page
        that may hold figures is rendered again after the whole document is read."""
        if index in self._pages and len(self._kept) < self._keep_max:
            self._kept[index] = self._pages.pop(index)

    def release(self, needed: set[int] | None = None) -> None:
        """Close the kept pages other than ``needed`` (all of them by default)."""
        for index in [i for i in self._kept if needed is None or i not in needed]:
            self._kept.pop(index).close()

    def __getitem__(self, index: int) -> pdfium.PdfPage:
        kept = self._kept.get(index)
        if kept is not None:
            return kept
        page = self._pages.pop(index, None)
        if page is None:
            page = self._pdf[index]
        self._pages[index] = page
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)[1].close()
        return page

    def close(self) -> None:
        for page in (*self._pages.values(), *self._kept.values()):
            page.close()
        self._pages.clear()
        self._kept.clear()


class _LazyPage:
    """A page fetched on first use: layout needs the page object only to render a panel
    preview or to turn a page with sideways captions."""

    def __init__(self, pages: PageCache, index: int) -> None:
        self._pages, self._index = pages, index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pages[self._index], name)


@dataclass
class _PageResult:
    figures: list[tuple[ExtractedFigure, float]]  # with the caption's score
    tables: list[ExtractedTable]
    uncaptioned: int
    orphan_captions: list[Caption] = field(default_factory=list)  # figure captions, no region
    orphan_regions: list[reg.Region] = field(default_factory=list)  # regions, no caption
    jobs: PanelJobs = field(default_factory=dict)  # panel detection left for later
    # figure captions set sideways, no region, with the frame they read left to right in:
    # looked at for figures of text only (a landscape listing)
    turned_orphans: list[tuple[Caption, _Frame]] = field(default_factory=list)


@dataclass
class PanelJob:
    """What panel detection needs of a figure, kept so it can run just before the figure is
    rendered (the page is loaded once for its preview and its crop, and the crops of earlier
    figures are encoded meanwhile)."""

    page_index: int  # 0-based
    box: BBox
    images: list[reg.Element]
    lines: list[TextLine]
    paper: float = 255.0  # grey level of the page's paper (below 255 on a tinted scan)
    diagram: bool = False  # its pictures are a flow chart's nodes, arrows between them
    frame: _Frame | None = None  # set sideways with its caption: panels found in this frame
    # a figure continued from an earlier page ("Figure 1. Cont."): its own caption, and its
    # first part's caption and printed label, whose sub-captions its lettered panels take
    continues: tuple[str, str, str] | None = None


def _upright_job(job: PanelJob, frame: _Frame) -> PanelJob:
    """A sideways figure's job in ``frame``, where it reads upright (panels are found, named
    and ordered as a reader sees them)."""
    return replace(
        job,
        box=frame.box(job.box),
        images=[frame.element(e) for e in job.images],
        lines=[frame.line(ln) for ln in job.lines],
        frame=None,
    )


PanelJobs = dict[int, PanelJob]  # id(figure) -> its job; figures without one get no panels


def extract_pdf(
    path: str | Path,
    *,
    password: str | None = None,
    detect_panels: bool = True,
    max_pixels: int = 50_000_000,
) -> PdfExtraction:
    """Find the captioned figures (with panels) and the table captions of a PDF.

    Args:
        path: the PDF file.
        password: for encrypted PDFs.
        detect_panels: also look for panels (renders a small preview of each figure).
        max_pixels: pages declaring an image above this many pixels are never rendered
            (no panel preview; a ``huge_image: ...`` warning is added).

    Returns:
        A :class:`PdfExtraction`; coordinates are PDF points with a top-left origin.

    Raises:
        PdfError: when the file is not a PDF, is encrypted, malformed, truncated or empty.
    """
    pdf = open_pdf(path, password)
    try:
        return extract_document(pdf, detect_panels=detect_panels, max_pixels=max_pixels)
    finally:
        pdf.close()


def extract_document(
    pdf: pdfium.PdfDocument,
    *,
    detect_panels: bool = True,
    max_pixels: int = 50_000_000,
    pages: PageCache | None = None,
) -> PdfExtraction:
    """:func:`extract_pdf` on an already opened document.

    ``pages``: a cache the caller keeps for rendering afterwards (closed by the caller);
    without one, pages are closed before returning.
    """
    own = pages is None
    pages = PageCache(pdf) if pages is None else pages
    try:
        extraction, jobs = analyse_document(pdf, pages, detect_panels, max_pixels)
        for fig in extraction.figures:
            detect_figure_panels(pages, fig, jobs, extraction.warnings)
        return extraction
    finally:
        if own:
            pages.close()


def detect_figure_panels(
    pages: PageCache,
    fig: ExtractedFigure,
    jobs: PanelJobs,
    warnings: list[str],
    whole: Image.Image | None = None,
) -> None:
    """Fill ``fig.panels`` and ``fig.shared_caption`` from its job (nothing without one).

    ``whole`` is the figure's crop when it was rendered already: the panel preview is cut
    down from it instead of rendered again, where it is sharp enough.
    """
    job = jobs.get(id(fig))
    if job is None:
        return
    page = _LazyPage(pages, job.page_index)
    try:
        fig.shared_caption, fig.panels = _detect_panels(page, job, fig, whole)  # type: ignore[arg-type]
    except pdfium.PdfiumError as exc:  # the preview failed to render: a single figure
        warnings.append(f"{fig.label}: panels not detected (preview failed: {exc})")


def analyse_document(
    pdf: pdfium.PdfDocument, pages: PageCache, detect_panels: bool, max_pixels: int
) -> tuple[PdfExtraction, PanelJobs]:
    """Figures, tables and counts of a document, with each figure's panel detection left as
    a job (:func:`detect_figure_panels` runs it)."""
    warnings: list[str] = []
    all_lines: list[list[TextLine]] = []
    all_elements: list[list[reg.Element] | pdfium.PdfiumError] = []
    scanned: list[int] = []  # pages that are pictures under an OCR layer
    untexted: list[int] = []  # pages that are pictures with no text at all
    papers: dict[int, float] = {}  # their paper grey level
    frames: list[Callable[[BBox], BBox] | None] = []  # page space -> the page as displayed
    for i in range(len(pdf)):
        try:
            page = pages[i]
        except pdfium.PdfiumError as exc:  # a damaged page (reported in page order below):
            frames.append(None)  # the others may still hold figures
            all_lines.append([])
            all_elements.append(exc)
            continue
        frames.append(_displayed(page))
        try:
            all_lines.append(page_lines(page))
        except pdfium.PdfiumError as exc:
            warnings.append(f"page {i + 1}: text layer unreadable ({exc})")
            all_lines.append([])
        try:
            elements, paper, picture_only = _graphic_elements(page, all_lines[-1], max_pixels)
            all_elements.append(elements)
            if picture_only:
                untexted.append(i + 1)
            if paper is not None:
                scanned.append(i + 1)
                papers[i] = paper
            elif any(e.kind == "image" for e in elements) or len(elements) >= 3:
                pages.keep(i)  # may hold a figure (a scan is not kept: its picture is decoded)
        except pdfium.PdfiumError as exc:  # reported in page order below
            all_elements.append(exc)
    body_size = body_font_size([ln for lines in all_lines for ln in lines])
    # running headers and footers, and logos and bars beside them, play no part in figures;
    # they are looked for on the pages as displayed (pdfium sizes a /Rotate page so)
    sizes = [_page_size(pdf, i) for i in range(len(pdf))]
    heights = [h for _, h in sizes]
    frames_or_none = frames if any(frames) else None
    furniture = line_furniture(all_lines, heights, frames_or_none)
    furniture |= margin_notes(all_lines, [w for w, _ in sizes], frames_or_none)
    if furniture:
        all_lines = [[ln for ln in lines if id(ln) not in furniture] for lines in all_lines]
    graphics = [e if isinstance(e, list) else [] for e in all_elements]
    furniture = element_furniture(graphics, heights, frames_or_none, all_lines)
    if furniture:
        all_elements = [
            [e for e in elems if id(e) not in furniture] if isinstance(elems, list) else elems
            for elems in all_elements
        ]
    leading = statistics.median([typical_leading(lines) for lines in all_lines if lines] or [0.2])
    figures: list[tuple[ExtractedFigure, float]] = []
    tables: list[ExtractedTable] = []
    uncaptioned = 0
    jobs: PanelJobs = {}
    results: dict[int, _PageResult] = {}
    for i, (lines, elements) in enumerate(zip(all_lines, all_elements, strict=True)):
        page = _LazyPage(pages, i)
        try:
            if isinstance(elements, pdfium.PdfiumError):
                raise elements
            huge = [e.px_size for e in elements if e.px_size[0] * e.px_size[1] > max_pixels]
            if huge:
                w, h = huge[0]
                warnings.append(
                    f"huge_image: page {i + 1} declares a {w}x{h} px image; not rendered"
                )
            result = extract_page(
                page,  # type: ignore[arg-type]
                i + 1,
                lines,
                body_size,
                detect_panels=detect_panels and not huge,
                elements=elements,
                leading=leading,
            )
        except pdfium.PdfiumError as exc:
            warnings.append(f"page {i + 1}: skipped ({exc})")
            continue
        figures.extend(result.figures)
        jobs.update(result.jobs)
        tables.extend(result.tables)
        uncaptioned += result.uncaptioned
        if not huge:
            results[i] = result
    for i in sorted(results):  # legends listed in a section of their own may run on
        for cap in results[i].orphan_captions:
            if i + 1 < len(all_lines):
                cap.continued = page_continuation(cap, all_lines[i], all_lines[i + 1])
    # a manuscript's legends section first: its last legend, at the foot of its page, is
    # not the caption of the figure page after it unless every legend has its page so
    uncaptioned -= _pair_legends(
        results, all_lines, partial(_page_area, pdf), body_size, figures, jobs, detect_panels
    )
    uncaptioned -= _pair_across_pages(pages, results, all_lines, figures, jobs, detect_panels)
    _adopt_legends(results, figures)
    kept_elements = [e if isinstance(e, list) else [] for e in all_elements]  # furniture out
    panel_jobs = jobs if detect_panels else None
    uncaptioned -= _text_figures(results, all_lines, kept_elements, body_size, figures, panel_jobs)
    # said first: pdf_status keeps a PDF's first warnings only
    if not any(lines for lines in all_lines):
        warnings.insert(0, NO_TEXT_LAYER)
    elif (
        share := word_share([ln for lines in all_lines for ln in lines])
    ) is not None and share < READABLE_SHARE:
        warnings.insert(
            0,
            f"{UNREADABLE_TEXT} (only {share:.0%} of its words are made of letters; fonts "
            "without a Unicode map?): captions and running text may be missed",
        )
    # most pages so are a scan (a few may be full-page figures); all of them: NO_TEXT_LAYER
    if 2 * len(untexted) >= len(pdf) and any(all_lines):
        warnings.insert(
            0,
            f"{SCANNED_PAGES} (scanned, no OCR?): {len(untexted)} of {len(pdf)} "
            f"({_page_ranges(untexted)}); their figures cannot be found",
        )
    if scanned:
        warnings.append(
            f"{len(scanned)} scanned page(s) ({_page_ranges(scanned)}): figures located in "
            "the page pictures under their OCR text layer"
        )
    kept = _dedupe(figures, warnings)
    _join_continued(kept, jobs)
    pages.release({f.page - 1 for f in kept})
    kept_jobs = {id(f): jobs[id(f)] for f in kept if id(f) in jobs}
    for job in kept_jobs.values():
        job.paper = papers.get(job.page_index, job.paper)
    return PdfExtraction(kept, tables, len(pdf), uncaptioned, warnings), kept_jobs


def _graphic_elements(
    page: pdfium.PdfPage, lines: list[TextLine], max_pixels: int
) -> tuple[list[reg.Element], float | None, bool]:
    """A page's graphic elements, for a scanned page its paper grey level, and whether the
    page is a picture without any text.

    On a scan (a page picture under a hidden OCR layer) the picture's blobs of non-text ink
    stand in for the image objects (:mod:`~litclip.corpus.extract.scans`).
    """
    backgrounds: list[reg.Element] = []
    elements = reg.page_elements(page, backgrounds)
    gray_in = partial(_gray_in, page)
    covered = scans.covers_page(elements + backgrounds, page.get_size())
    # a scan without OCR, or a full-page figure: its picture stays an element, as on any page
    # (a figure's caption may be on the facing page)
    picture_only = not lines and covered
    if not (lines and covered and scans.has_ocr_layer(page, max_pixels)):
        width, height = page.get_size()
        trimmed = padding.trim_padded_images(gray_in, elements, lines, width * height)
        return trimmed, None, picture_only
    gray = gray_in((0, 0, *page.get_size()), scans.SCALE)
    paths = [e for e in elements if e.kind != "image"]
    return paths + scans.scan_elements(lines, gray), scans.paper_level(gray), False


def _page_ranges(pages: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    spans: list[list[int]] = []
    for p in pages:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


FACING_MIN_PAGE_SHARE = 0.3  # a figure captioned on another page fills much of its own
FACING_MIN_SCORE = 3.0  # and its caption is unmistakable (e.g. bold label + punctuation)


def _pair(
    results: dict[int, _PageResult],
    all_lines: list[list[TextLine]],
    figures: list[tuple[ExtractedFigure, float]],
    jobs: PanelJobs | None,
    caption_index: int,
    cap: Caption,
    index: int,
    region: reg.Region,
) -> None:
    """Add the figure of an uncaptioned ``region`` of page ``index`` (0-based), captioned by
    ``cap`` set on page ``caption_index``; the region is no longer an orphan."""
    fig = _make_figure(index + 1, cap, [region], all_lines[index], jobs)
    results[index].orphan_regions.remove(region)
    fig.caption_page = caption_index + 1
    figures.append((fig, cap.score))


TEXT_FIGURE_MIN_SCORE = 2.0  # a caption over no graphics: at least two cues (":" and a block start)
NOTE_ROWS = 5  # rows of a figure's note set between the figure and its caption, at most
NOTE_PITCH = 2.0  # font sizes from one row of the note to the next, at most


def _region_over_note(
    cap: Caption, regions: list[reg.Region], lines: list[TextLine]
) -> reg.Region | None:
    """An uncaptioned region right over a short note that is right over ``cap`` (massXpert's
    manual: a drawing, a paragraph of two lines saying what it shows, then "FIGURE 2.1:
    ..."): the figure of that caption, without its note. None unless the note has at most
    :data:`NOTE_ROWS` rows, each close under the last, and stands within
    :data:`reg.TEXT_GAP` of both."""
    x0, top, x1, _ = cap.bbox
    for region in sorted(regions, key=lambda r: -r.bbox[3]):
        bx0, _, bx1, bottom = region.bbox
        if bottom >= top or min(bx1, x1) - max(bx0, x0) <= 0.5 * min(bx1 - bx0, x1 - x0):
            continue
        between = [
            ln
            for ln in lines
            if ln.y0 >= bottom - 1.0 and ln.y1 <= top + 1.0 and min(ln.x1, x1) > max(ln.x0, x0)
        ]
        rows = text_rows(between)
        if not rows or len(rows) > NOTE_ROWS or any(parse_label(ln.text) for ln in between):
            return None  # the nearest region over the caption decides
        tops = [min(ln.y0 for ln in row) for row in rows]
        ends = [max(ln.y1 for ln in row) for row in rows]
        sizes = [max(ln.size for ln in row) for row in rows]
        pitched = all(  # one paragraph: each row within two of its lines' size of the last
            0.5 * size < b - a <= NOTE_PITCH * size
            for a, b, size in zip(tops, tops[1:], sizes[1:], strict=False)
        )
        if pitched and tops[0] - bottom <= reg.TEXT_GAP and top - ends[-1] <= reg.TEXT_GAP:
            return region
        return None
    return None


def _text_figures(
    results: dict[int, _PageResult],
    all_lines: list[list[TextLine]],
    all_elements: list[list[reg.Element]],
    body_size: float,
    figures: list[tuple[ExtractedFigure, float]],
    jobs: PanelJobs | None,
) -> int:
    """Captions still without a figure, under an uncaptioned figure and a short note of its
    own (that figure), or over a block of text that is not running text (a code listing, a
    terminal screen) or a frame drawn stroke by stroke: that block or frame is the figure
    (:mod:`.textfigures`). Returns how many uncaptioned figures took a caption."""
    found = {fig.label.lower() for fig, _ in figures}
    adopted = 0
    for i in sorted(results):
        candidates: list[tuple[Caption, _Frame | None]] = [
            (c, None) for c in results[i].orphan_captions
        ]
        candidates += results[i].turned_orphans
        caps = [
            (c, frame)
            for c, frame in candidates
            if c.label.lower() not in found and c.score >= TEXT_FIGURE_MIN_SCORE
        ]
        lines = all_lines[i]
        views: dict[int, _TextView] = {}  # by the frame's direction (0: upright), made once
        for cap, frame in caps:
            region = None if frame else _region_over_note(cap, results[i].orphan_regions, lines)
            if region is not None:
                results[i].orphan_regions.remove(region)
                adopted += 1
                members = [region]
            else:
                key = frame.direction if frame else 0
                if key not in views:
                    views[key] = _text_view(lines, all_elements[i], body_size, frame)
                box = _text_block_of(cap, views[key], frame)
                if box is None:
                    continue
                members = [reg.Region([reg.Element(box, "text")])]
            fig = _make_figure(i + 1, cap, members, lines, jobs)
            if frame is not None:  # set sideways: cropped and its panels found turned upright
                _turn(fig, frame, jobs)
                results[i].turned_orphans.remove((cap, frame))
            else:
                results[i].orphan_captions.remove(cap)
            found.add(cap.label.lower())
            figures.append((fig, cap.score))
    return adopted


@dataclass
class _TextView:
    """A page's lines and drawings as figures of text are looked for in them: upright, or
    turned into a sideways caption's frame, with the running text among the lines."""

    lines: list[TextLine]
    elements: list[reg.Element]
    running: set[int]
    turned: dict[int, TextLine]  # a page line's id -> that line turned into the frame


def _text_view(
    lines: list[TextLine], elements: list[reg.Element], body_size: float, frame: _Frame | None
) -> _TextView:
    turned: dict[int, TextLine] = {}
    if frame is not None:
        turned = {id(ln): frame.line(ln) for ln in lines}
        lines = list(turned.values())
        elements = [frame.element(e) for e in elements]
    # a listing set in a fixed-width font reads as paragraphs but is no running text
    running = reg.running_text(lines, body_size) - listing_lines(lines)
    return _TextView(lines, elements, running, turned)


def _text_block_of(cap: Caption, view: _TextView, frame: _Frame | None) -> BBox | None:
    """The block of text (or the frame) over a caption that is its figure, or a listing
    under it (:func:`~litclip.corpus.extract.textfigures.mono_block_under`), in page space;
    looked for in ``frame`` (``view`` turned into it) when the caption runs sideways."""
    if frame is not None:
        cap = replace(cap, lines=[view.turned.get(id(ln)) or frame.line(ln) for ln in cap.lines])
    lines, elements = view.lines, view.elements
    own = view.running | {id(ln) for ln in cap.lines}
    height = cap.lines[0].height if cap.lines else 0.0
    column = caption_column(cap.bbox, [ln for ln in lines if id(ln) in view.running])
    # a listing under its caption, and no listing over it: the caption heads the listing
    # (Intel's "Figure 4. Pseudo-code for Single Folding" over its framed code, under a
    # paragraph of formulas that reads like pseudocode)
    mono_over = mono_block_over(cap.bbox, lines, height)
    under = mono_block_under(cap.bbox, lines, height) if mono_over is None else None
    if under is not None:
        return frame.unbox(under) if frame is not None else under
    box = (
        text_block_over(cap.bbox, lines, own, column=column)
        or frame_over(cap.bbox, elements)
        or ruled_block_over(cap.bbox, lines, elements, own)
        or code_block_over(cap.bbox, lines, column)
        # a listing in small type set as far over its caption as the caption's size puts it
        # (irace's 7 pt console output 3.7 of its lines over a 10 pt caption)
        or text_block_over(cap.bbox, lines, own, height, column)
        or mono_over
    )
    return frame.unbox(box) if box is not None and frame is not None else box


def _pair_across_pages(
    pages: PageCache,
    results: dict[int, _PageResult],
    all_lines: list[list[TextLine]],
    figures: list[tuple[ExtractedFigure, float]],
    jobs: PanelJobs,
    detect_panels: bool,
) -> int:
    """Match captions left without a figure to a large uncaptioned figure on the page before
    or after (full-page figures whose caption is set on the facing page); returns how many.
    """
    found = {fig.label.lower() for fig, _ in figures}
    paired = 0
    for i in sorted(results):
        for cap in results[i].orphan_captions:
            if cap.score < FACING_MIN_SCORE or cap.label.lower() in found:
                continue
            for j in (i - 1, i + 1):
                if j not in results:
                    continue
                left, bottom, right, top = _raw.page_box(pages[j])
                least = FACING_MIN_PAGE_SHARE * (right - left) * (top - bottom)
                big = [r for r in results[j].orphan_regions if reg.area(r.bbox) >= least]
                if not big:  # a figure ending one page, its caption starting the next
                    size = (right - left, top - bottom)
                    big = _run_over(cap, all_lines[i], results[j], all_lines[j], j < i, size)
                if not big:
                    continue
                region = max(big, key=lambda r: reg.area(r.bbox))
                _pair(
                    results, all_lines, figures, jobs if detect_panels else None, i, cap, j, region
                )
                found.add(cap.label.lower())
                paired += 1
                break
    return paired


RUN_OVER_PAGE_SHARE = 0.1  # a figure the page break parts from its caption: no mere logo
PAGE_MARGIN_SHARE = 0.08  # of the page height: running heads and footers sit in this band


def _run_over(
    cap: Caption,
    cap_lines: list[TextLine],
    other: _PageResult,
    other_lines: list[TextLine],
    before: bool,
    size: tuple[float, float],
) -> list[reg.Region]:
    """The uncaptioned figure that ends the page before the page that ``cap`` starts
    (``before``), or that starts the page after the page ``cap`` ends: the page break fell
    between a figure and its caption, with no text on either side of it. ``size`` is the
    figure page's width and height (both pages' heights are taken as equal)."""
    width, height = size
    margin = PAGE_MARGIN_SHARE * height
    own = {id(ln) for ln in cap.lines}
    # the caption's side of the break: only a running head or footer
    if before:
        top = cap.bbox[1]
        text = [ln for ln in cap_lines if ln.y1 <= top and ln.y0 > margin]
    else:
        text = [
            ln
            for ln in cap_lines
            if id(ln) not in own and ln.y0 >= cap.bbox[3] and ln.y1 < height - margin
        ]
    if text:
        return []
    # the figure's side: one sizeable region with nothing between it and the break
    boxes = [r.bbox for r in other.orphan_regions] + [f.bbox for f, _ in other.figures]
    boxes += [t.bbox for t in other.tables if t.bbox is not None]
    found = []
    for r in other.orphan_regions:
        x0, y0, x1, y1 = r.bbox
        if reg.area(r.bbox) < RUN_OVER_PAGE_SHARE * width * height:
            continue
        if before:
            beyond = any(ln.y0 >= y1 and ln.y1 < height - margin for ln in other_lines)
            beyond = beyond or any(b[1] >= y1 for b in boxes)
        else:
            beyond = any(ln.y1 <= y0 and ln.y0 > margin for ln in other_lines)
            beyond = beyond or any(b[3] <= y0 for b in boxes)
        if not beyond:
            found.append(r)
    return found if len(found) == 1 else []


READABLE_SHARE = 0.5  # of a document's words made of letters, at least (see word_share)
LEGEND_MIN_PAGE_SHARE = 0.1  # a manuscript's figure page: its figure is no mere logo


def _page_size(pdf: pdfium.PdfDocument, index: int) -> tuple[float, float]:
    """A page's width and height in points as displayed (0 when pdfium cannot size it; such
    a page has no lines)."""
    try:
        return pdf.get_page_size(index)
    except pdfium.PdfiumError:
        return 0.0, 0.0


def _page_area(pdf: pdfium.PdfDocument, index: int) -> float:
    """A page's area in square points (infinite when pdfium cannot size it: never a match)."""
    try:
        width, height = pdf.get_page_size(index)
    except pdfium.PdfiumError:
        return float("inf")
    return width * height


def _pair_legends(
    results: dict[int, _PageResult],
    all_lines: list[list[TextLine]],
    page_area: Callable[[int], float],
    body_size: float,
    figures: list[tuple[ExtractedFigure, float]],
    jobs: PanelJobs,
    detect_panels: bool,
) -> int:
    """Pair a manuscript's figure legends with its figure pages; returns how many.

    Accepted manuscripts often list the legends ("Figure 1: ...", "Figure 2: ...") in a
    section of their own and put each figure on a page of its own with no label. The two
    are paired in order, and only when they match exactly: captions numbered 1, 2, ... k
    (k >= 2) left without a figure, and k figure pages after the legends (one uncaptioned
    figure of at least a tenth of the page, no caption and no running text).
    """
    found = {fig.label.lower() for fig, _ in figures}
    legends = [
        (i, cap)
        for i in sorted(results)
        for cap in results[i].orphan_captions
        if cap.label.lower() not in found and cap.number.isdigit()
    ]
    numbers = [int(c.number) for _, c in legends]
    if len(legends) < 2 or numbers != list(range(1, len(legends) + 1)):
        return 0
    figure_pages: list[tuple[int, reg.Region]] = []
    for j in sorted(results):
        r = results[j]
        if j <= legends[-1][0] or r.figures or r.tables or r.orphan_captions:
            continue
        if len(r.orphan_regions) != 1 or reg.area(r.orphan_regions[0].bbox) < (
            LEGEND_MIN_PAGE_SHARE * page_area(j)
        ):
            continue
        region = r.orphan_regions[0]
        running = reg.running_text(all_lines[j], body_size)
        if not any(
            id(ln) in running and not reg.contains(region.bbox, ln.bbox) for ln in all_lines[j]
        ):
            figure_pages.append((j, region))
    if len(figure_pages) != len(legends):
        return 0
    for (i, cap), (j, region) in zip(legends, figure_pages, strict=True):
        _pair(results, all_lines, figures, jobs if detect_panels else None, i, cap, j, region)
    return len(legends)


def _adopt_legends(
    results: dict[int, _PageResult], figures: list[tuple[ExtractedFigure, float]]
) -> None:
    """A figure captioned by its bare label ("Figure 1" printed over it) takes the legend of
    that label set elsewhere (a manuscript's legends section), when there is exactly one."""
    legends: dict[str, list[tuple[int, Caption]]] = {}
    for i in sorted(results):
        for cap in results[i].orphan_captions:
            legends.setdefault(cap.label.lower(), []).append((i, cap))
    for fig, _ in figures:
        rest = fig.caption[len(fig.printed_label) :] if fig.printed_label else fig.caption
        found = legends.get(fig.label.lower(), [])
        if (
            len(found) != 1
            or not fig.caption.startswith(fig.printed_label)
            or rest.strip(" .:|-–—")
        ):
            continue
        i, cap = found[0]
        fig.caption, fig.caption_bbox = cap.text, _round(cap.bbox)
        fig.caption_page = i + 1 if i + 1 != fig.page else None


SAME_PAGE_PART = 1.0  # how much weaker a part's caption may be than another part's on its page


def _dedupe(
    figures: list[tuple[ExtractedFigure, float]], warnings: list[str]
) -> list[ExtractedFigure]:
    """One figure per label unless the captions are equally strong.

    An in-text line can look like a caption and find a region; it scores lower than the real,
    bold or punctuated caption and is dropped. Equally strong duplicates (a figure continued
    on the next page, a supplement with its own numbering) are all kept.
    """
    best: dict[str, list[tuple[ExtractedFigure, float]]] = {}
    for fig, score in figures:
        best.setdefault(fig.label.lower(), []).append((fig, score))
    kept: list[ExtractedFigure] = []
    for label, items in best.items():
        top = max(score for _, score in items)
        keep = [fig for fig, score in items if score >= top]
        # parts of one figure set on several pages ("Figure 4A." here, "Figure 4B." on the
        # next page; "Figure 4 (continued)") are all kept, and parts on one page when their
        # captions are about as strong ("Figure 1(a)" over "Figure 1(b)", each one line)
        keep += [fig for fig, score in items if score < top and _also_kept(fig, score, top, keep)]
        if len(keep) < len(items):
            warnings.append(
                f"{label}: {len(items) - len(keep)} weaker caption(s) with the same label dropped"
            )
        kept.extend(keep)
    return sorted(kept, key=lambda f: (f.page, f.bbox[1], f.bbox[0]))


_PART = re.compile(r"\d\(?([A-Za-z])\)?$")
_CONTINUED = re.compile(r"\((?:continued|cont\.?)\)|\bcontinued\b|\bcont(?:\.|'d)", re.IGNORECASE)


TWIN_CAPTION = 3.0  # the least score of a second caption of a label on another page


def _also_kept(fig: ExtractedFigure, score: float, top: float, kept: list[ExtractedFigure]) -> bool:
    """Whether a weaker caption's figure stays beside the ``kept`` ones of its label: another
    part of the figure (on another page, or on the same page when about as strong), or the
    figure continued on another page."""
    part = _other_part(fig, kept)
    elsewhere = all(fig.page != k.page for k in kept)
    # two figures a document numbers alike (PyBioMed's guide prints two "Figure 3"), each
    # under a caption of two cues or more: one cue less is no reference in running text (a
    # part named twice, "Figure 4A" here and there, is still a duplicate)
    twin = elsewhere and _part_letter(fig) is None and score >= max(top - 1.0, TWIN_CAPTION)
    return (
        ((part or _continued(fig)) and elsewhere)
        or (part and score >= top - SAME_PAGE_PART)
        or twin
    )


def _part_letter(fig: ExtractedFigure) -> str | None:
    """The panel letter printed right after the number of the label ("Figure 4B" -> "B")."""
    m = _PART.search(fig.printed_label.strip())
    return m.group(1).upper() if m else None


def _other_part(fig: ExtractedFigure, kept: list[ExtractedFigure]) -> bool:
    """Whether ``fig`` is labelled as another part of the kept figures: all name their part
    ("Figure 4A" kept, "Figure 4B" here); an in-text "Figure 4B." beside a plain "Figure 4."
    caption is not."""
    parts = {_part_letter(k) for k in kept}
    letter = _part_letter(fig)
    return letter is not None and None not in parts and letter not in parts


_CONTINUATION_ONLY = re.compile(
    rf"[\s.:|(\[{DASHES}-]*(?:cont(?:inued|'d|\.)?)[\s.:)\]]*", re.IGNORECASE
)


def _join_continued(figures: list[ExtractedFigure], jobs: PanelJobs) -> None:
    """A figure whose caption only says that it continues ("Figure 1. Cont.", "Figure 3
    (continued)") is given, after those words, the caption of the part of it captioned in
    full on another page; its panels take their sub-captions by the letters printed on
    them. (MDPI sets a figure's panels (b)-(d) on two more pages under "Figure 1. Cont.",
    or its panels (a), (b) under "Figure 4. Cont." a page before the full caption.)"""
    only = [_CONTINUATION_ONLY.fullmatch(f.caption[len(f.printed_label) :]) for f in figures]
    full: dict[str, ExtractedFigure] = {}
    for fig, cont in zip(figures, only, strict=True):  # in page order: the first full one
        if not cont:
            full.setdefault(fig.label.lower(), fig)
    for fig, cont in zip(figures, only, strict=True):
        origin = full.get(fig.label.lower())
        if not cont or origin is None or origin.page == fig.page:
            continue
        own = fig.caption
        body = origin.caption[len(origin.printed_label) :].lstrip(LABEL_PUNCT)
        fig.caption = f"{own.rstrip()} {body}"
        job = jobs.get(id(fig))
        if job is not None:
            job.continues = (own, origin.caption, origin.printed_label)


def _continued(fig: ExtractedFigure) -> bool:
    """Whether the caption says the figure continues ("Figure 3 (continued)")."""
    head = fig.caption[len(fig.printed_label) : len(fig.printed_label) + 30]
    return bool(_CONTINUED.search(head))


SIDE_GRAPHIC = 20.0  # points: a graphic this big beside a caption's column may be its figure


def _side_paragraphs(
    captions: list[Caption], lines: list[TextLine], elements: list[reg.Element], body: set[int]
) -> None:
    """:func:`~litclip.corpus.extract.captions.take_side_paragraphs`, measured against the
    width of a full line of running text (the widest tenth: not a line set beside a figure)."""
    widths = [ln.x1 - ln.x0 for ln in lines if id(ln) in body]
    graphics = [
        e.bbox
        for e in elements
        if e.kind != "text" and max(e.bbox[2] - e.bbox[0], e.bbox[3] - e.bbox[1]) >= SIDE_GRAPHIC
    ]
    take_side_paragraphs(
        captions, lines, graphics, float(np.percentile(widths, 90)) if widths else 0.0
    )


def _layout(
    lines: list[TextLine], elements: list[reg.Element], body_size: float, leading: float
) -> tuple[list[Caption], list[reg.Region], dict[int, list[int]]]:
    """Captions, significant regions and their matching for one page (pure geometry)."""
    graphics = [e.bbox for e in elements if e.kind != "text"]
    captions = find_captions(lines, body_size, leading=leading, graphics=graphics)
    reg.stop_captions_at_rules(captions, elements)
    body = reg.running_text(lines, body_size)
    _side_paragraphs(captions, lines, elements, body)
    caption_boxes = [cap.bbox for cap in captions]
    # pieces of a caption row that were not joined to it (a subscript's "tot" hanging under
    # the row) are the caption's too, never figure text
    within_caption = reg.contained_in_any([ln.bbox for ln in lines], caption_boxes, slack=2.0)
    caption_ids = {id(ln) for cap in captions for ln in cap.lines} | {
        id(ln) for ln, hit in zip(lines, within_caption, strict=True) if hit
    }
    frame = reg.frame_pieces(elements, caption_boxes)
    # a caption's background holds it; a mark set in its text (a legend symbol, a label
    # printed as a picture) lies inside it: neither is part of a figure
    elements = [
        e
        for e, piece in zip(elements, frame, strict=True)
        if not piece
        and not any(
            reg.contains(e.bbox, cb, slack=0.5) or reg.contains(cb, e.bbox, slack=0.5)
            for cb in caption_boxes
        )
    ]
    body |= reg.sentence_tails(lines, body)
    body -= reg.notes_under_pictures(lines, body, elements)
    body |= reg.running_pieces(lines, body)
    body_boxes = [ln.bbox for ln in lines if id(ln) in body]
    elements = reg.drop_ornaments(reg.drop_text_backgrounds(elements, body_boxes), lines, body_size)
    elements = reg.drop_text_strokes(elements, lines)
    elements = reg.drop_word_frames(elements, [ln for ln in lines if id(ln) in body])
    graphics = reg.cluster(elements, caption_boxes + body_boxes)
    # running text inside a graphic (flow-chart boxes, boxed labels) belongs to the figure
    within = reg.contained_in_any(
        [ln.bbox for ln in lines], [r.graphic_bbox for r in graphics if r.elements], slack=2.0
    )
    inside = {
        id(ln) for ln, hit in zip(lines, within, strict=True) if hit and id(ln) not in caption_ids
    }
    running = [
        ln for ln in lines if id(ln) in body and id(ln) not in inside and id(ln) not in caption_ids
    ]
    # code echoed at a prompt over a plot is the page's text, however few its rows, and so
    # is a magazine's jump line ("Continued on page 1011") set over a figure in its box
    echoed = echoed_code(lines) - body - inside - caption_ids
    echo = [ln for ln in lines if id(ln) in echoed or _JUMP_LINE.match(ln.text)]
    barriers = caption_boxes + [ln.bbox for ln in running + echo]
    columns = reg.text_columns(running)
    kept_out = caption_ids | {id(ln) for ln in running + echo}
    reg.attach_text(graphics, lines, kept_out, columns=columns, body_size=body_size)
    regions = reg.cluster_regions(graphics, barriers)
    for region in regions:
        reg.trim_text_boxes(region, lines)
    barriers = _join_subcaptioned_stacks(captions, regions, lines, running, barriers)
    small = [r for r in regions if not reg.significant(r)]
    regions = [r for r in regions if reg.significant(r)]
    # too small to be figures alone: pictures, and drawings of a few strokes (a logo)
    pictures = [
        r
        for r in small
        if any(e.kind == "image" for e in r.elements)
        or sum(e.kind == "path" for e in r.elements) >= ICON_STROKES
    ]
    small = reg.join_like_marks(regions, reg.join_keys(regions, small, barriers, lines), barriers)
    rows, small = reg.piece_rows(small, barriers)
    regions += rows + reg.sparse_charts(small, barriers)
    assignment = reg.assign(captions, regions, barriers, lines)
    _icons_over_captions(captions, regions, assignment, pictures, lines)
    _pieces_over_captions(captions, regions, assignment, small, lines, barriers)
    _labels_before_captions(captions, regions, assignment, lines, kept_out)
    _captions_inside_figures(captions, regions, assignment)
    return captions, regions, assignment


_JUMP_LINE = re.compile(r"^\s*continued (?:on|from) (?:page|p\.)\s*\d+\s*$", re.IGNORECASE)
HOST_COVER = 0.5  # share of a figure's box its pictures cover when it holds its caption


def _captions_inside_figures(
    captions: list[Caption], regions: list[reg.Region], assignment: dict[int, list[int]]
) -> None:
    """Give a figure caption left without a figure the one unclaimed figure whose pictures
    enclose it, in place: a magazine sets the caption in a corner of its figure's tinted
    panel, and the panel's slices, drawn under the caption's first line and round it, wall
    it in on every side, so it sits in no notch. The figure must be mostly pictures
    (:data:`HOST_COVER` of its box) and hold no other caption."""
    claimed = {j for js in assignment.values() for j in js}
    for i, cap in enumerate(captions):
        if assignment.get(i) or cap.kind != "figure":
            continue
        hosts = [
            j
            for j, r in enumerate(regions)
            if j not in claimed
            and reg.contains(r.graphic_bbox, cap.bbox, slack=2.0)
            and not any(
                k != i and reg.intersection(other.bbox, r.bbox) > 0
                for k, other in enumerate(captions)
            )
            and _covered_share(r) >= HOST_COVER
        ]
        if len(hosts) == 1:
            assignment[i] = hosts
            claimed.add(hosts[0])


def _covered_share(region: reg.Region) -> float:
    """Share of ``region``'s graphic box that its pictures and drawings cover (overlaps
    counted once, on a coarse grid)."""
    if not region.graphic_boxes:
        return 0.0
    x0, y0, x1, y1 = region.graphic_bbox
    if x1 <= x0 or y1 <= y0:
        return 0.0
    grid = np.zeros((32, 32), dtype=bool)
    scale = np.array([32 / (x1 - x0), 32 / (y1 - y0)])
    boxes = np.asarray(region.graphic_boxes, dtype=np.float64) - [x0, y0, x0, y0]
    starts = (boxes[:, :2] * scale).astype(int)  # (x, y) first cells
    ends = np.ceil(boxes[:, 2:] * scale).astype(int)  # exclusive
    reg.paint_cells(grid, starts, ends)
    return float(grid.mean())


def _labels_before_captions(
    captions: list[Caption],
    regions: list[reg.Region],
    assignment: dict[int, list[int]],
    lines: list[TextLine],
    kept_out: set[int],
) -> None:
    """Give a figure the free lines between it and its caption, and beside it within the
    caption's width: titles of its parts set a little under them ("Basic taping process",
    ADOL-C's Figure 4) and a listing set beside a drawing (scotch's decomposition file
    right of its tree, neato's graph file left of its layout), which no text gap reached;
    a listing's lines going on from those past the zone's top or left edge ("graph G {")
    too. Nothing else stands there: a running line would have parted the figure from its
    caption. A line over another caption level with this one's (figures side by side, each
    over its own caption) is that one's."""
    boxes = [r.bbox for r in regions]
    candidates = [ln for ln in lines if id(ln) not in kept_out and not ln.rotated]
    for ci, members in assignment.items():
        if not members:
            continue
        cap = captions[ci].bbox
        x0, y0, x1, y1 = reg.union([boxes[m] for m in members])
        left, right = min(x0, cap[0]), max(x1, cap[2])
        others = [c.bbox for c in captions if c is not captions[ci]]
        taken: list[TextLine] = []
        for ln in candidates:
            if ln.x0 < left - 1 or ln.x1 > right + 1:
                continue
            # the caption under the figure, or over it (not beside it: its lines go on
            # beside the figure, a listing under them is the text's)
            under = cap[1] >= y1 - 1 and y0 - 1 <= ln.y0 and ln.y1 <= cap[1] + 1
            over = cap[3] <= y0 + 1 and cap[3] - 1 <= ln.y0 and ln.y1 <= y1 + 1
            if (under or over) and _free_of(ln, under, cap, others, boxes):
                _give(ln, members, regions, boxes)
                taken.append(ln)
        if not taken or cap[1] < y1 - 1:
            continue
        # under a caption below the figure, a listing's lines go on past the zone
        grown = True
        while grown:
            grown = False
            for ln in candidates:
                if ln in taken or ln.y1 > cap[1] + 1 or ln.y0 < y0 - reg.TEXT_REACH:
                    continue
                if ln.x1 > right + 1 or not _goes_on(ln, taken):
                    continue
                if _free_of(ln, True, cap, others, boxes):
                    _give(ln, members, regions, boxes)
                    taken.append(ln)
                    grown = True


def _free_of(line: TextLine, under: bool, cap: BBox, others: list[BBox], boxes: list[BBox]) -> bool:
    """Whether ``line`` is in no region, nor over (under) another caption than ``cap`` set
    level with it or nearer."""
    if any(reg.contains(b, line.bbox) for b in boxes):
        return False
    return not any(
        o[0] < line.x1
        and line.x0 < o[2]
        and (line.y1 <= o[1] <= cap[1] + 1 if under else cap[3] - 1 <= o[3] <= line.y0)
        for o in others
    )


def _give(line: TextLine, members: list[int], regions: list[reg.Region], boxes: list[BBox]) -> None:
    """Add ``line`` to the nearest of the figure's regions ``members`` (``boxes`` follow)."""
    near = min(members, key=lambda m: reg.gap(boxes[m], line.bbox))
    regions[near].elements.append(reg.Element(line.bbox, "text"))
    boxes[near] = regions[near].bbox


def _goes_on(line: TextLine, taken: list[TextLine]) -> bool:
    """Whether ``line`` goes on from a taken line of a listing, a line's pitch over or under
    it, starting within its width or a little left of it."""
    return any(
        max(t.y0 - line.y1, line.y0 - t.y1) <= t.height
        and min(t.y0 - line.y1, line.y0 - t.y1) < 0 <= max(t.y0 - line.y1, line.y0 - t.y1)
        and t.x0 - 3 * t.size <= line.x0 <= t.x1
        for t in taken
    )


def _join_subcaptioned_stacks(
    captions: list[Caption],
    regions: list[reg.Region],
    lines: list[TextLine],
    running: list[TextLine],
    barriers: list[BBox],
) -> list[BBox]:
    """Join each stack (or row) of pictures over their "(a) ...", "(b) ..." paragraphs, over
    one caption, into one region with those paragraphs (in place), and return ``barriers``
    without them: set as running text, they cut the pictures off their caption."""
    ids = {id(ln) for ln in running}
    for cap in captions:
        stack = (
            subcaptions.subcaptioned_stack(cap.bbox, regions, lines, ids)
            or subcaptions.subcaptioned_row(cap.bbox, regions, lines, ids)
            if cap.kind == "figure"
            else None
        )
        if stack is None:
            continue
        members, texts = stack
        joined = reg.Region([e for i in sorted(members) for e in regions[i].elements])
        joined.elements += [reg.Element(ln.bbox, "text") for ln in texts]
        regions[min(members)] = joined
        gone = set(members) - {min(members)}
        regions[:] = [r for i, r in enumerate(regions) if i not in gone]  # indices stay true
        ids -= {id(ln) for ln in texts}
        barriers = [b for b in barriers if not any(b == ln.bbox for ln in texts)]
    return barriers


ICON_MIN_SIDE = 8.0  # points: smaller pictures are bullets and rule ornaments
ICON_STROKES = 3  # paths of a drawn icon (a logo) at least: a lone rule or box is none
ICON_GAP = 2.5  # caption line heights between an icon and its caption, at most
ICON_CENTRED = 0.1  # of the caption's width: how far the icon's centre may stray from its


def _icons_over_captions(
    captions: list[Caption],
    regions: list[reg.Region],
    assignment: dict[int, list[int]],
    pictures: list[reg.Region],
    lines: list[TextLine],
) -> None:
    """Give a caption left without a figure the small picture centred right over it (a
    manual's "Figure 5.11: Shortcut to move images" under a 32 pt toolbar icon), in place:
    too small to be a figure alone, but nothing else is captioned like that."""
    claimed = [regions[j].bbox for js in assignment.values() for j in js]
    for i, cap in enumerate(captions):
        if assignment.get(i):
            continue
        cb = cap.bbox
        x0, y0, x1, _ = cb
        height = cap.lines[0].bbox[3] - cap.lines[0].bbox[1] if cap.lines else 10.0
        near = [
            r
            for r in pictures
            if _free_icon(r.bbox, claimed)
            and 0 <= y0 - r.bbox[3] <= ICON_GAP * height
            and abs((r.bbox[0] + r.bbox[2]) / 2 - (x0 + x1) / 2) <= ICON_CENTRED * (x1 - x0)
            and not any(_between(ln.bbox, r.bbox, cb) for ln in lines)
        ]
        if near:
            row = _icon_row(min(near, key=lambda r: y0 - r.bbox[3]), pictures, claimed)
            regions.append(reg.Region([e for r in row for e in r.elements]))
            assignment[i] = [len(regions) - 1]
            claimed.append(regions[-1].bbox)


ICON_ROW_GAP = 36.0  # points between icons set in a row over one caption


def _icon_row(
    icon: reg.Region, pictures: list[reg.Region], claimed: list[BBox]
) -> list[reg.Region]:
    """``icon`` and the icons set level with it in a row, each at most ICON_ROW_GAP from
    the row so far (faust's "int cast" and "float cast" boxes over one caption)."""
    row = [icon]
    grown = True
    while grown:
        grown = False
        box = reg.union([r.bbox for r in row])
        for r in pictures:
            if (
                all(r is not m for m in row)
                and _free_icon(r.bbox, claimed)
                and reg.level(r.bbox, box)
                and reg.gap(r.bbox, box) <= ICON_ROW_GAP
            ):
                row.append(r)
                grown = True
    return row


PIECES_REACH = 6.0  # caption line heights between the pieces of a figure and its caption
PIECES_CENTRED = 0.1  # of the wider of the pieces' row and the caption: centres this close


def _pieces_over_captions(
    captions: list[Caption],
    regions: list[reg.Region],
    assignment: dict[int, list[int]],
    fragments: list[reg.Region],
    lines: list[TextLine],
    barriers: list[BBox],
) -> None:
    """Give a figure caption left without a figure the drawn pieces set in a row over it,
    joined, in place, when together they make a figure: each too small to count alone and
    too far apart to cluster (TCM's label positions, two 59 pt rules with their letters 51
    pt apart; ReportLab's five 29 pt colour swatches). Nothing lies between the pieces and
    the caption, their row is centred on it and holds no running text."""
    claimed = [regions[j].bbox for js in assignment.values() for j in js]
    drawn = [
        r
        for r in fragments
        if any(e.kind != "text" for e in r.elements)
        and not any(reg.intersection(r.bbox, c) > 0 for c in claimed)
    ]
    # the pieces' own letters are no text between a piece and the caption
    free = [ln for ln in lines if not any(reg.contains(r.bbox, ln.bbox, 1.0) for r in drawn)]
    for i, cap in enumerate(captions):
        if assignment.get(i) or cap.kind != "figure" or not drawn:
            continue
        cb = cap.bbox
        x0, y0, x1, _ = cb
        height = cap.lines[0].bbox[3] - cap.lines[0].bbox[1] if cap.lines else 10.0

        def clear(r: reg.Region, cb: BBox = cb) -> bool:
            return not any(_between(ln.bbox, r.bbox, cb) for ln in free)

        over = [
            r
            for r in drawn
            if 0 <= y0 - r.bbox[3] <= PIECES_REACH * height
            and r.bbox[0] < x1
            and x0 < r.bbox[2]
            and clear(r)
        ]
        if not over:
            continue
        top, bottom = min(r.bbox[1] for r in over), max(r.bbox[3] for r in over)
        row = over + [
            r
            for r in drawn
            if all(r is not o for o in over) and r.bbox[1] < bottom and top < r.bbox[3] and clear(r)
        ]
        if len(row) < 2:
            continue
        box = reg.union([r.bbox for r in row])
        figure = reg.Region([e for r in row for e in r.elements])
        width = max(box[2] - box[0], x1 - x0)
        if (
            reg.significant(figure)
            and abs(box[0] + box[2] - x0 - x1) / 2 <= PIECES_CENTRED * width
            and not any(reg.intersection(b, box) > 0 for b in barriers)
        ):
            regions.append(figure)
            assignment[i] = [len(regions) - 1]
            drawn = [r for r in drawn if all(r is not m for m in row)]


def _free_icon(box: BBox, claimed: list[BBox]) -> bool:
    """Big enough for an icon (not a bullet) and no part of a figure already taken."""
    return min(box[2] - box[0], box[3] - box[1]) >= ICON_MIN_SIDE and not any(
        reg.intersection(box, c) > 0 for c in claimed
    )


def _between(box: BBox, upper: BBox, lower: BBox) -> bool:
    """Whether ``box`` lies in the gap between ``upper`` and ``lower`` (level with ``lower``)."""
    return (
        upper[3] - 1 <= box[1]
        and box[3] <= lower[1] + 1
        and box[0] < lower[2]
        and lower[0] < box[2]
    )


def extract_page(
    page: pdfium.PdfPage,
    page_no: int,
    lines: list[TextLine],
    body_size: float,
    *,
    detect_panels: bool = True,
    elements: list[reg.Element] | None = None,
    leading: float = 0.2,
) -> _PageResult:
    """Captioned figures, tables and the number of uncaptioned regions on one page.

    Pages whose captions are set sideways (a landscape figure on a portrait page) are also
    read in a frame turned so those captions run left to right.
    """
    elements = reg.page_elements(page) if elements is None else elements
    captions, regions, assignment = _layout(lines, elements, body_size, leading)
    result = _PageResult([], [], 0)
    jobs = result.jobs if detect_panels else None
    _collect(result, page_no, captions, regions, assignment, lines, jobs)
    taken = {r for rs in assignment.values() for r in rs}
    result.uncaptioned = sum(1 for i in range(len(regions)) if i not in taken)
    directions = {ln.direction for ln in lines if ln.rotated and parse_label(ln.text)}
    turned_orphans: list[tuple[Caption, _Frame]] = []
    for direction in sorted(directions):
        frame = _Frame(direction, *_unrotated_size(page))
        back = {}
        t_lines = []
        for ln in lines:
            t = frame.line(ln)
            back[id(t)] = ln
            t_lines.append(t)
        t_elems = [frame.element(e) for e in elements]
        caps, regs, asg = _layout(t_lines, t_elems, body_size, leading)
        caps = [replace(c, lines=[back[id(x)] for x in c.lines]) for c in caps]
        regs = [
            reg.Region([replace(e, bbox=frame.unbox(e.bbox)) for e in r.elements]) for r in regs
        ]
        before = len(result.figures)
        _collect(result, page_no, caps, regs, asg, lines, jobs, frame)
        result.uncaptioned = max(0, result.uncaptioned - (len(result.figures) - before))
        turned_orphans += [
            (cap, frame)
            for ci, cap in enumerate(caps)
            if cap.kind == "figure" and ci not in asg and cap.lines and cap.lines[0].rotated
        ]
    found = {fig.label.lower() for fig, _ in result.figures}
    result.orphan_captions = [
        cap
        for ci, cap in enumerate(captions)
        if cap.kind == "figure" and ci not in assignment and cap.label.lower() not in found
    ]
    result.turned_orphans = [(c, f) for c, f in turned_orphans if c.label.lower() not in found]
    result.orphan_regions = [
        r
        for i, r in enumerate(regions)
        if i not in taken
        and not any(
            reg.intersection(r.bbox, f.bbox) > 0.5 * reg.area(r.bbox) for f, _ in result.figures
        )
    ]
    return result


def _displayed(page: pdfium.PdfPage) -> Callable[[BBox], BBox] | None:
    """How a box of a /Rotate page's content sits on the page as displayed (None: unturned)."""
    rotation = page.get_rotation()
    if rotation not in (90, 180, 270):
        return None
    width, height = _unrotated_size(page)
    if rotation == 180:
        return lambda b: (width - b[2], height - b[3], width - b[0], height - b[1])
    return _Frame(90 if rotation == 90 else 270, width, height).box


def _unrotated_size(page: pdfium.PdfPage) -> tuple[float, float]:
    """Width and height of the page as its content is drawn (pdfium gives a /Rotate page's
    size as displayed, turned; text and elements are read in the unturned space)."""
    width, height = page.get_size()
    return (height, width) if page.get_rotation() in (90, 270) else (width, height)


@dataclass
class _Frame:
    """A page turned by 90 degrees so sideways text (``direction``) runs left to right."""

    direction: int
    width: float
    height: float

    @property
    def turn(self) -> int:
        """Degrees clockwise that turn a page-space picture into this frame."""
        return 90 if self.direction == 90 else 270

    def box(self, b: BBox) -> BBox:
        x0, y0, x1, y1 = b
        if self.direction == 90:
            return (self.height - y1, x0, self.height - y0, x1)
        return (y0, self.width - x1, y1, self.width - x0)

    def unbox(self, b: BBox) -> BBox:
        x0, y0, x1, y1 = b
        if self.direction == 90:
            return (y0, self.height - x1, y1, self.height - x0)
        return (self.width - y1, x0, self.width - y0, x1)

    def element(self, e: reg.Element) -> reg.Element:
        return replace(e, bbox=self.box(e.bbox))

    def line(self, ln: TextLine) -> TextLine:
        turned = ln.rotated and ln.direction == self.direction
        return TextLine(
            ln.text, self.box(ln.bbox), ln.size, ln.bold, rotated=not turned, mono=ln.mono
        )


def _collect(
    result: _PageResult,
    page_no: int,
    captions: list[Caption],
    regions: list[reg.Region],
    assignment: dict[int, list[int]],
    lines: list[TextLine],
    jobs: PanelJobs | None,
    frame: _Frame | None = None,
) -> None:
    """Add the figures and tables of ``captions`` to ``result``; figures found in a turned
    ``frame`` are cropped turned into it and their panels looked for there."""
    for ci, cap in enumerate(captions):
        members = [regions[r] for r in assignment.get(ci, [])]
        if cap.kind == "table":
            box = reg.union([m.bbox for m in members]) if members else None
            result.tables.append(
                ExtractedTable(cap.label, page_no, _round(box) if box else None, cap.text)
            )
        elif members and cap.kind == "figure":
            fig = _make_figure(page_no, cap, members, lines, jobs)
            if frame is not None:
                _turn(fig, frame, jobs)
            result.figures.append((fig, cap.score))


def _turn(fig: ExtractedFigure, frame: _Frame, jobs: PanelJobs | None) -> None:
    """A figure found in a turned ``frame``: cropped turned into it, panels looked for there."""
    fig.turn = frame.turn
    if jobs is not None and id(fig) in jobs:
        jobs[id(fig)].frame = frame


def _round(box: BBox) -> BBox:
    return tuple(round(v, 2) for v in box)  # type: ignore[return-value]


CAPTION_OVERLAP = 8.0  # points: a picture's padding or drop shadow printed under its caption


def _clear_of_caption(box: BBox, cap: BBox) -> BBox:
    """``box`` cut back to the edge of its caption where the caption, set under (or over) it,
    overlaps it by a few points: a picture whose white margin or drop shadow runs under the
    caption's first line. A caption inside the figure (a notch, a slot) is not at its edge."""
    x0, y0, x1, y1 = box
    if min(x1, cap[2]) - max(x0, cap[0]) < 0.5 * (cap[2] - cap[0]):
        return box  # beside the figure, not under or over it
    if cap[3] > y1 > cap[1] >= y1 - CAPTION_OVERLAP and cap[1] > y0:
        return (x0, y0, x1, cap[1])
    if cap[1] < y0 < cap[3] <= y0 + CAPTION_OVERLAP and cap[3] < y1:
        return (x0, cap[3], x1, y1)
    return box


def _make_figure(
    page_no: int,
    cap: Caption,
    members: list[reg.Region],
    lines: list[TextLine],
    jobs: PanelJobs | None,
) -> ExtractedFigure:
    """The figure of a caption and its regions; its panel detection is added to ``jobs``."""
    box = _clear_of_caption(reg.union([m.bbox for m in members]), cap.bbox)
    elements = [e for m in members for e in m.elements]
    images = [e for e in elements if e.kind == "image"]
    n_paths = sum(e.kind == "path" for e in elements)
    fig = ExtractedFigure(
        label=cap.label,
        number=cap.number,
        page=page_no,
        bbox=_round(box),
        caption=cap.text,
        caption_bbox=_round(cap.bbox),
        source="vector" if not images else ("mixed" if n_paths >= 5 else "raster"),
        n_raster=sum(not e.scan for e in images),
        printed_label=cap.printed_label,
        text=scales.text_hints(lines, box),
    )
    if jobs is not None:
        paths = [e.bbox for e in elements if e.kind == "path"] if len(images) >= 3 else []
        diagram = panel_mod.linked_by_arrows([e.bbox for e in images if not e.scan], paths)
        jobs[id(fig)] = PanelJob(page_no - 1, box, images, lines, diagram=diagram)
    return fig


def _detect_panels(
    page: pdfium.PdfPage, job: PanelJob, fig: ExtractedFigure, whole: Image.Image | None = None
) -> tuple[str, list[Panel]]:
    """Panels of a figure and the caption's shared part (``("", [])`` for a single figure)."""
    frame, page_box = job.frame, job.box
    if frame is not None:
        job = _upright_job(job, frame)
    box = job.box
    printed: dict[str, str] = {}
    # a continued figure's panels are counted by its own caption ("Figure 1. Cont."), not by
    # the first part's it was given (that names the panels of both parts)
    caption = job.continues[0] if job.continues else fig.caption
    shared, subs = split_caption(caption, fig.printed_label, printed)
    expected = len(subs)
    letters = panel_mod.letter_lines(job.lines, box)
    # "(a) ..." printed under each sub-figure: they name the panels when the caption itself
    # names none (and may still cut a grid, below)
    printed_subs = subcaptions.subcaption_lines(job.lines, box)
    inner = [] if subs else printed_subs
    # letters the caption mentions out of order name panels too ("(a), (b), and (e) are ..."),
    # as do "(i)", "(ii)"... and positions ("(top left)", "Left: ... Right: ...")
    expected = expected or mentioned_panels(caption)
    if not expected and len(letters) < 2:  # printed letters count the panels better
        expected = positioned_panels(caption) or counted_panels(shared)
    # rendered once, and only when a pixel method needs it
    preview = functools.cache(
        lambda: _turned(scans.whiten(_gray_preview(page, page_box, whole), job.paper), frame)
    )
    boxes = _panel_boxes(job, expected, letters, inner, preview)
    # nothing else names panels, and many more letters than parts (they label a graph's
    # nodes or a plot's points), or letters that name none of the parts by their place,
    # none at a part's top left corner or under its middle (zones "A", "B" and "C" marked
    # inside a diagram): not panels' letters; look again without them
    if (
        expected < 2
        and len(inner) < 2
        and (
            len(letters) >= max(4, 2 * len(boxes))
            or (boxes and not panel_mod.heads_any(boxes, letters))
        )
    ):
        letters = []
        boxes = _panel_boxes(job, expected, letters, inner, preview)
    # sub-captions printed at the top (or foot) of the cells of a grid whose gutters the cut
    # missed (titles and axes fill them): the grid's cells, when the caption counts as many
    if len(printed_subs) > max(len(boxes), 1) and (
        inner or len(printed_subs) in (expected, mentioned_panels(caption))
    ):
        grid = subcaptions.grid_cells(printed_subs, box)
        if grid:
            boxes, inner = grid, printed_subs
    if not boxes:
        return "", []
    attached = subcaptions.attach(boxes, inner)
    if attached:  # each sub-caption names its panel (a mark at the panel's corner)
        letters = [(sub.letter, (*boxes[i][:2], *boxes[i][:2])) for i, sub in attached.items()]
        subs = {sub.letter: sub.text for sub in attached.values()}
        printed = {sub.letter: sub.printed for sub in attached.values()}
        shared = shared if shared[-1:] in (".", ":", ";", "!", "?", "") else f"{shared}."
    named = panel_mod.name_panels(boxes, letters)
    if job.continues and not subs and {n for n, _ in named} <= {n for n, _ in letters}:
        # every panel of the continued part carries its printed letter: it takes that
        # letter's words from the first part's caption
        shared, subs = split_caption(job.continues[1], job.continues[2], printed)
    # "Upper: ... Lower: ..." over two rows of three pictures: each picture takes its row's
    # words (the second picture of the top row is not the lower one)
    places = position_places(printed) if subs and len(named) > len(subs) else None
    at = panel_mod.place_panels([b for _, b in named], places) if places else None
    return (shared if subs else ""), [
        Panel(
            letter,
            _round(frame.unbox(b) if frame else b),
            subs.get(at[k] if at else letter, ""),
            printed.get(at[k] if at else letter, ""),
            scales.text_hints(job.lines, b),
        )
        for k, (letter, b) in enumerate(named)
    ]


def _turned(gray: np.ndarray, frame: _Frame | None) -> np.ndarray:
    """A page-space preview turned into ``frame`` (as is without one)."""
    if frame is None:
        return gray
    return np.ascontiguousarray(np.rot90(gray, k=-1 if frame.turn == 90 else 1))


def _panel_boxes(
    job: PanelJob,
    expected: int,
    letters: list[tuple[str, BBox]],
    inner: list[subcaptions.SubCaption],
    preview: Callable[[], np.ndarray],
) -> list[BBox]:
    """The panel boxes of a figure (page points; ``[]`` for a single figure), given the
    panels its caption names (``expected``), its printed panel letters and sub-captions."""
    box, images = job.box, job.images
    # the count the caption names, else the sub-captions printed under the panels; the
    # panel letters printed in the figure marked as such, "(b)", when they are more (a
    # continued figure's caption names none; moltemplate's names "(a) and (b)" in one
    # sentence, "(c)" in another). Bare letters may name a graph's nodes or a chart's points
    marked = len(letters)
    if marked < 2 or panel_mod.marked_letters(job.lines, box) != marked:
        marked = 0  # the lines are read only where letters were found
    named = next((n for n in (expected, len(inner)) if n >= 2), 0)
    from_letters = marked >= 2 and len(inner) < 2 and marked > named
    count = marked if from_letters else named
    # separate image objects are panels; the blobs of a scan may be pieces of one picture
    boxes = panel_mod.panels_from_images([e for e in images if not e.scan], box, count)
    raster_cover = sum(reg.intersection(e.bbox, box) for e in images) / max(reg.area(box), 1.0)
    named_panels = expected >= 2 or len(letters) >= 2 or len(inner) >= 2
    if job.diagram and not named_panels:
        return []  # pictures joined by arrows: one flow chart
    # a tree plot's leaves each show a plot with its scales: one figure, unless named
    tree = not named_panels and scales.is_tree(job.lines, box)
    # vector figures without panel letters are flow charts and plots: gutters there are not
    # panels, unless the figure prints the scales of several plots (or its parts are like
    # drawings side by side, below)
    drawn = not named_panels and not tree and raster_cover < 0.5
    n_scales = scales.count_scales(job.lines, box) if drawn else 0
    plots = drawn and n_scales >= scales.MIN_SCALES
    # fewer images than named panels: the others are drawn (charts, a table); look at pixels
    want = max(expected, len(letters))
    if expected >= 2 and len(boxes) > expected:
        boxes = panel_mod.join_tiles(boxes, expected)
    image_boxes = boxes
    if 2 <= len(boxes) < want:
        boxes = []
    if not boxes and (raster_cover >= 0.5 or named_panels or plots):
        gray = preview()
        leaves: list[tuple[int, int, int, int]] = []  # the cut's, to grow plots from
        boxes = panel_mod.panels_from_pixels(gray, box, leaves=leaves)
        # pictures big enough to be a panel (a publisher's icon in a corner is none)
        pictures = [
            e for e in images if reg.area(e.bbox) >= panel_mod.MIN_PANEL_FRACTION * reg.area(box)
        ]
        if boxes and not named_panels and not plots and len(pictures) == 1:
            # one picture nothing names panels of, crossed by long rules (a program's
            # window) or cut into parts of all sizes, strips among them (a dialog's rows,
            # a settings pane's group boxes, a label's words in a framed screenshot): the
            # blank bands between them are no gutters; a stack of like plots, each over
            # its axis, are panels
            if not panel_mod.uniform_sizes(boxes) and (
                panel_mod.has_strip(boxes)
                or panel_mod.has_strip(panel_mod.ink_extents(gray, box, boxes))
                or panel_mod.ruled_picture(gray)
            ):
                boxes = []
            # parts a line runs across (a chart's axis under a gap in its bars): one chart
            if panel_mod.joined_by_lines(gray, box, boxes):
                boxes = []
        if not boxes and not named_panels and not plots and not tree and raster_cover >= 0.5:
            boxes = panel_mod.panels_from_plot_grid(gray, box, leaves)
        if plots:
            cut = scales.plot_panels(boxes, job.lines)
            bodies = panel_mod.panels_from_plot_bodies(gray, box, leaves)
            grown = scales.plot_panels(bodies, job.lines)
            # the gutters keep only the plots big enough alone (a row of scatter plots under
            # a row of histograms a little smaller): plots grown from their bodies that take
            # in every one of those and more are the whole grid
            whole = len(grown) > len(cut) and all(
                any(reg.contains(g, c, slack=2.0) for g in grown) for c in cut
            )
            boxes = grown if whole or not cut else cut
        if from_letters and count < len(boxes):
            # the letters that give the count head the parts first (RayFlare's "a)" and "b)"
            # over drawings cut in three)
            grouped = panel_mod.group_by_letters(boxes, letters)
            boxes = grouped if len(grouped) == count else boxes
        if count and len(boxes) != count:
            cuts = panel_mod.ShareCuts(gray, box)

            def apart(found: list[BBox]) -> list[BBox]:
                # two of the letters naming the panels in one part: a cut at a lenient
                # share may have gone across a plot's blank inside (Rythmos' tableau "a)"
                # and plot "b)", cut into the plot's top and the rest); the letters' own
                # cut, where it crosses no ink, is the better one
                if len(letters) == count and panel_mod.shares_letters(found, letters):
                    return panel_mod.panels_by_letter_cuts(gray, box, letters, count, cuts) or found
                return found

            boxes = (
                apart(panel_mod.panels_for_count(gray, box, count, cuts))
                or panel_mod.panels_by_bands(gray, box, count)
                or panel_mod.panels_between_rules(gray, box, count)
                or panel_mod.panels_by_blobs(gray, box, letters, count)
                or panel_mod.panels_by_letter_cuts(gray, box, letters, count, cuts)
                or panel_mod.panels_by_letter_grid(gray, box, letters, count)
                or panel_mod.panels_by_regular_grid(gray, box, count)
                or panel_mod.panels_by_widest_gutters(gray, box, count)
                or panel_mod.panels_without_letters(gray, box, letters, count)
                or boxes
            )
        if image_boxes and len(boxes) != want:
            boxes = image_boxes
    # unlettered plots side by side, each with its own y scale (two scales are not enough
    # for the scale count above: one plot may show two)
    if not boxes and not named_panels and not tree and raster_cover < 0.5:
        y_scales = scales.y_scales(job.lines, box)
        x_scales = scales.x_scales(job.lines, box)
        if len(y_scales) >= 2:
            boxes = panel_mod.panels_between_scales(
                preview(), box, y_scales
            ) or panel_mod.panels_stacked_beside_scales(preview(), box, y_scales, x_scales)
        # or stacked, each over an x scale of its own, or side by side
        if not boxes and len(x_scales) >= 2:
            boxes = panel_mod.panels_over_scales(
                preview(), box, x_scales
            ) or panel_mod.panels_beside_x_scales(preview(), box, x_scales, y_scales)
    # unlettered drawings of one size side by side, a gutter apart (two graphs, a row of
    # shapes): panels; a flow chart's parts are of all sizes, a chart's stacked tracks one
    # above the other share its axis. A drawing that prints an axis scale is a chart: one
    # plot, or plots the scale rules above have cut (and it is not rendered for nothing)
    if not boxes and drawn and not job.diagram and not n_scales:
        boxes = panel_mod.like_parts_side_by_side(preview(), box)
    # more pictures than the letters the caption names (or that head the panels' titles,
    # the caption naming none): each letter heads a group of them
    if 2 <= len(letters) < len(boxes) and expected in (0, len(letters)):
        boxes = panel_mod.group_by_letters(boxes, letters) or boxes
    return boxes


def _gray_in(page: pdfium.PdfPage, box: BBox, scale: float) -> np.ndarray:
    return np.asarray(render_box(page, box, scale).convert("L"))


def _gray_preview(
    page: pdfium.PdfPage, box: BBox, whole: Image.Image | None = None, long_side: int = 800
) -> np.ndarray:
    """``box`` in grey, its long side ``long_side`` px (at most 4 px a point), shrunk from
    ``whole`` (the box already rendered) when that is at least as sharp: one render less."""
    scale = min(4.0, long_side / max(box[2] - box[0], box[3] - box[1], 1.0))
    if whole is not None:
        width, _height = _unrotated_size(page)
        shown = min(width, box[2]) - max(0.0, box[0])  # the crop stops at the page's edge
        ratio = scale * shown / max(whole.width, 1)
        if ratio <= 1.0:
            size = (max(1, round(whole.width * ratio)), max(1, round(whole.height * ratio)))
            return np.asarray(whole.convert("L").resize(size, Image.Resampling.BOX))
    return _gray_in(page, box, scale)


def render_box(page: pdfium.PdfPage, box: BBox, scale: float):  # noqa: ANN201 - PIL.Image.Image
    """Render the part of ``page`` inside ``box`` (points, top-left origin) at ``scale`` px/pt.

    Boxes are in unrotated page space (like the ground truth); a /Rotate page is rendered
    unrotated so the crop lines up (the document is only changed in memory).
    """
    if page.get_rotation():
        page.set_rotation(0)
    width, height = page.get_size()
    x0, y0, x1, y1 = (max(0.0, box[0]), max(0.0, box[1]), min(width, box[2]), min(height, box[3]))
    crop = (x0, height - y1, width - x1, y0)
    bitmap = page.render(scale=scale, crop=crop, may_draw_forms=False)
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
