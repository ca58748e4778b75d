"""Crops of figures and panels, native embedded images, and the streaming :func:`iter_figures`.

Memory stays flat: a few pages stay loaded at a time (:class:`PageCache`), one figure's
images are yielded at a time, and images whose *declared* pixel size exceeds ``max_pixels`` are never decoded
(a PDF may declare a 40000 x 40000 image; pdfium would decode all of it to render any crop
of that page).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from litclip.corpus.extract import _raw
from litclip.corpus.extract.document import (
    PageCache,
    analyse_document,
    detect_figure_panels,
    open_pdf,
    render_box,
)
from litclip.corpus.types import BBox, ExtractedFigure, PdfError

DEFAULT_MAX_PIXELS = 50_000_000
_NATIVE_FILTERS = {"DCTDecode": "jpg", "JPXDecode": "jp2"}


def _bbox_of(fig_or_bbox: ExtractedFigure | BBox) -> BBox:
    return fig_or_bbox.bbox if isinstance(fig_or_bbox, ExtractedFigure) else tuple(fig_or_bbox)  # type: ignore[return-value]


def page_images(page: pdfium.PdfPage) -> list[tuple[BBox, tuple[int, int], pdfium.PdfImage]]:
    """Image objects of a page: (bbox top-left, declared pixel size, object)."""
    left, _bottom, _right, top = _raw.page_box(page)
    scratch = _raw.Scratch()
    return [
        (
            (x0 - left, top - y1, x1 - left, top - y0),
            _raw.image_px_size(obj, scratch),
            _raw.wrap(obj, page),
        )
        for obj, _kind, (x0, y0, x1, y1) in _raw.walk(page, (_raw.IMAGE,))
    ]


def huge_images(page: pdfium.PdfPage, max_pixels: int) -> list[tuple[int, int]]:
    """Declared sizes of the page's images above ``max_pixels`` (checked without decoding)."""
    return [size for _b, size, _o in page_images(page) if size[0] * size[1] > max_pixels]


def render_figure(
    pdf: pdfium.PdfDocument,
    fig_or_bbox: ExtractedFigure | BBox,
    page: int | None = None,
    dpi: int = 200,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Image.Image:
    """Render a figure (or any box, PDF points top-left) of a 1-based ``page`` at ``dpi``.

    The crop is in page space, like the box (:func:`render_panels` cuts panels from it);
    a figure set sideways reads upright after ``upright(image, fig.turn)``.

    Raises:
        PdfError: ``huge_image`` when the page holds an image declared above ``max_pixels``.
    """
    page_no = page if page is not None else fig_or_bbox.page  # type: ignore[union-attr]
    pg = pdf[page_no - 1]
    try:
        images = page_images(pg)
        whole = _render_on_page(pg, images, fig_or_bbox, page_no, dpi, max_pixels)
        if isinstance(fig_or_bbox, ExtractedFigure) and page_no == fig_or_bbox.page:
            whole = hide_caption(whole, fig_or_bbox, images)
        return whole
    finally:
        pg.close()


CAPTION_INSIDE = 0.5  # of a caption's height inside its figure's box: printed in the crop
CAPTION_MIN_WIDTH = 6.0  # points of it across, at least (less is the box's edge grazing it)


def hide_caption(
    image: Image.Image,
    fig: ExtractedFigure,
    images: list[tuple[BBox, tuple[int, int], pdfium.PdfImage]],
) -> Image.Image:
    """``image`` (the crop of ``fig``) with the figure's own caption painted over in the
    colour behind it, where the caption is printed inside the figure's box (in a corner
    notch of an L-shaped figure, or hanging under part of a diagram): a crop must not show
    its caption's words. A caption printed over a picture is left alone unless the picture is
    one flat colour behind it (a tinted panel stored as picture slices); a caption that is a
    picture of its own words is painted over."""
    if fig.caption_page is not None:
        return image
    x0, y0, x1, y1 = fig.bbox
    c = fig.caption_bbox
    inside = (max(x0, c[0] - 1), max(y0, c[1] - 1), min(x1, c[2] + 1), min(y1, c[3] + 1))
    width, height = inside[2] - inside[0], inside[3] - inside[1]
    if width < CAPTION_MIN_WIDTH or height < CAPTION_INSIDE * (c[3] - c[1]):
        return image
    over = any(_overlap(b, inside) > 0 and not _holds(c, b) for b, _size, _obj in images)
    sx, sy = image.width / max(x1 - x0, 1e-6), image.height / max(y1 - y0, 1e-6)
    px = (
        max(0, int((inside[0] - x0) * sx)),
        max(0, int((inside[1] - y0) * sy)),
        min(image.width, int(np.ceil((inside[2] - x0) * sx))),
        min(image.height, int(np.ceil((inside[3] - y0) * sy))),
    )
    if px[2] <= px[0] or px[3] <= px[1]:
        return image
    patch = np.asarray(image.crop(px)).reshape(-1, len(image.getbands()))
    paper = tuple(int(v) for v in np.median(patch, axis=0))  # the words are a minority
    if over and _flat_share(patch, paper) < FLAT_BEHIND:
        return image  # a picture's own detail behind the words: not ours to paint
    out = image.copy()
    ImageDraw.Draw(out).rectangle((px[0], px[1], px[2] - 1, px[3] - 1), fill=paper)
    return out


def _render_on_page(
    pg: pdfium.PdfPage,
    images: list[tuple[BBox, tuple[int, int], pdfium.PdfImage]],
    fig_or_bbox: ExtractedFigure | BBox,
    page_no: int,
    dpi: int,
    max_pixels: int,
) -> Image.Image:
    huge = [size for _b, size, _o in images if size[0] * size[1] > max_pixels]
    if huge:
        raise PdfError(
            "huge_image", f"page {page_no} declares a {huge[0][0]}x{huge[0][1]} px image"
        )
    box = _bbox_of(fig_or_bbox)
    scale = dpi / 72.0
    out_px = (box[2] - box[0]) * scale * (box[3] - box[1]) * scale
    if out_px > max_pixels:  # a huge crop request: lower the resolution instead
        scale *= (max_pixels / out_px) ** 0.5
    return render_box(pg, box, scale)


def render_panels(
    pdf: pdfium.PdfDocument, fig: ExtractedFigure, dpi: int = 200, whole: Image.Image | None = None
) -> list[Image.Image]:
    """One crop per panel of ``fig`` (cut from ``whole`` when given, else rendered)."""
    if not fig.panels:
        return []
    if whole is None:
        whole = render_figure(pdf, fig, dpi=dpi)
    x0, y0, x1, y1 = fig.bbox
    sx, sy = whole.width / max(x1 - x0, 1e-6), whole.height / max(y1 - y0, 1e-6)
    crops = []
    for panel in fig.panels:
        px0, py0, px1, py1 = panel.bbox
        box = (
            max(0, round((px0 - x0) * sx)),
            max(0, round((py0 - y0) * sy)),
            min(whole.width, round((px1 - x0) * sx)),
            min(whole.height, round((py1 - y0) * sy)),
        )
        crops.append(whole.crop(box) if box[2] > box[0] and box[3] > box[1] else whole.copy())
    return crops


def native_image(
    pdf: pdfium.PdfDocument,
    fig: ExtractedFigure,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    warnings: list[str] | None = None,
) -> bytes | None:
    """The original embedded image bytes when the figure is exactly one raster image.

    Only JPEG (DCTDecode) and JPEG 2000 streams are returned as they are stored; other
    encodings would need decoding and re-encoding, which the rendered crop already gives.
    Returns None (and says why in ``warnings``) otherwise.
    """
    if fig.n_raster != 1 or fig.source != "raster":
        return None
    pg = pdf[fig.page - 1]
    try:
        return _native_on_page(page_images(pg), fig, max_pixels, warnings)
    finally:
        pg.close()


def _native_on_page(
    images: list[tuple[BBox, tuple[int, int], pdfium.PdfImage]],
    fig: ExtractedFigure,
    max_pixels: int,
    warnings: list[str] | None,
) -> bytes | None:
    if fig.n_raster != 1 or fig.source != "raster":
        return None
    inside = [(b, s, o) for b, s, o in images if _overlap(b, fig.bbox) > 0.5 * _area(b)]
    if len(inside) != 1:
        return None
    bbox, (w, h), obj = inside[0]
    if _area(bbox) < 0.8 * _area(fig.bbox):
        return None  # the figure also holds text or drawings the native image lacks
    if w * h > max_pixels:
        if warnings is not None:
            warnings.append(
                f"{fig.label}: native image declared {w}x{h} px > max_pixels; not decoded"
            )
        return None
    # simple filters (ASCII85, Flate around a JPEG) are undone; the JPEG itself is kept
    filters = obj.get_filters(skip_simple=True)
    if len(filters) != 1 or filters[0] not in _NATIVE_FILTERS:
        return None
    return bytes(obj.get_data(decode_simple=True))


FLAT_BEHIND = 0.5  # share of a caption's patch in the colour behind its words (dense bold
# words over a tint leave 0.6 of it): a flat ground
FLAT_SPREAD = 12  # grey levels a pixel of that ground may differ from it (JPEG noise)


def _flat_share(patch: np.ndarray, paper: tuple[int, ...]) -> float:
    """Share of the pixels of ``patch`` (one row per pixel) within :data:`FLAT_SPREAD` of
    ``paper`` in every band."""
    near = np.abs(patch.astype(np.int16) - np.asarray(paper, dtype=np.int16)) <= FLAT_SPREAD
    return float(near.all(axis=1).mean())


def _holds(caption: BBox, box: BBox) -> bool:
    """Whether the picture ``box`` is the caption's own words set as a picture (a word
    processor's text box): it covers the caption and is not much bigger."""
    return _overlap(caption, box) >= 0.8 * _area(caption) and _area(box) <= 3 * _area(caption)


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _overlap(a: BBox, b: BBox) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def iter_figures(
    path: str | Path,
    dpi: int = 200,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    password: str | None = None,
    info: dict[str, Any] | None = None,
) -> Iterator[tuple[ExtractedFigure, Image.Image, list[Image.Image], bytes | None]]:
    """Stream ``(figure, whole crop, panel crops, native bytes or None)`` for each figure of a PDF.

    The PDF is opened once; one figure's images are alive at a time.

    Args:
        path: the PDF.
        dpi: rendering resolution of the crops.
        max_pixels: pages declaring a bigger image are never rendered.
        password: for encrypted PDFs.
        info: when given, filled (before the first figure is yielded) with what the
            figures do not carry: ``n_pages``, ``uncaptioned_regions`` (figure-like regions
            without a caption: kept out, counted), ``tables`` (table captions found, kept
            apart) and ``warnings`` (list of str; figures skipped while rendering and panel
            previews that failed are added as they happen).

    Raises:
        PdfError: for unreadable PDFs, and ``huge_image`` when every figure of the PDF sat on
            a page declaring an image above ``max_pixels`` (such pages are never rendered).
    """
    pdf = open_pdf(path, password)
    pages = PageCache(pdf)
    try:
        # panels are detected figure by figure just after rendering: the page is loaded
        # once for the crop and the preview, and the caller encodes the previous figure
        extraction, jobs = analyse_document(pdf, pages, True, max_pixels)
        warnings = list(extraction.warnings)
        if info is not None:
            info.update(
                n_pages=extraction.n_pages,
                uncaptioned_regions=extraction.uncaptioned_regions,
                tables=len(extraction.tables),
                warnings=warnings,
            )
        skipped = [w for w in extraction.warnings if w.startswith("huge_image")]
        emitted = 0
        # figures come sorted by page: each page is loaded once and its images listed once
        for page_no, figs in groupby(extraction.figures, key=lambda f: f.page):
            pg = pages[page_no - 1]
            images = page_images(pg)
            for fig in figs:
                try:
                    whole = _render_on_page(pg, images, fig, page_no, dpi, max_pixels)
                except PdfError as exc:
                    skipped.append(str(exc))
                    warnings.append(f"{fig.label}: not rendered ({exc})")
                    continue
                # the panel preview is shrunk from the crop (one render a figure, not two)
                detect_figure_panels(pages, fig, jobs, warnings, whole)
                whole = hide_caption(whole, fig, images)
                panels = render_panels(pdf, fig, dpi=dpi, whole=whole)
                if fig.turn:  # a figure set sideways: its crops read upright
                    whole, panels = upright(whole, fig.turn), [upright(p, fig.turn) for p in panels]
                native = _native_on_page(images, fig, max_pixels, None)
                emitted += 1
                yield fig, whole, panels, native
            pages.release({f.page - 1 for f in extraction.figures if f.page > page_no})
        if emitted == 0 and skipped:
            # each page once: the analysis and the render both say a page is too big
            said = (w.removeprefix("huge_image: ").removesuffix("; not rendered") for w in skipped)
            pages_said = "; ".join(dict.fromkeys(said))
            raise PdfError(
                "huge_image", f"{pages_said}; not rendered (over --max-pixels {max_pixels:,})"
            )
    finally:
        pages.close()
        pdf.close()


_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,  # PIL turns counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def upright(image: Image.Image, turn: int) -> Image.Image:
    """``image`` turned ``turn`` degrees clockwise (0, 90, 180 or 270)."""
    return image.transpose(_TRANSPOSE[turn]) if turn % 360 else image


def image_to_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    """Encode a PIL image (helper for callers that store bytes)."""
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()
