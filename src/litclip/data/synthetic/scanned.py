"""Scanned copies of PDFs: each page a JPEG picture under an invisible OCR-like text layer.

Old journal volumes reach users as scans with a text layer added by OCR. This simulates one
from any born-digital PDF (the text layer is the original text, placed as an ideal OCR
engine would place it), so scanned-page extraction can be tested and measured against the
born-digital ground truth: page sizes and coordinates are unchanged.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from litclip.corpus.extract.text import page_lines

TINT = (0.93, 0.9, 0.82)  # aged paper: each channel scaled (a yellowish grey of about 228)


def scan_pdf(
    src: str | Path,
    dst: str | Path,
    *,
    dpi: int = 150,
    jpeg_quality: int = 80,
    tinted: bool = False,
    noise: float = 0.0,
    seed: int = 0,
    text_under: bool = False,
    bitonal: bool = False,
    skew: float = 0.0,
) -> Path:
    """Write a scanned copy of ``src`` to ``dst``.

    Args:
        src: a born-digital PDF.
        dst: the scanned copy (written).
        dpi: scan resolution.
        jpeg_quality: JPEG quality of the page pictures.
        tinted: scale the colours like aged, yellowish paper.
        noise: standard deviation of Gaussian sensor noise (grey levels).
        seed: for the noise.
        bitonal: black and white pages, photographs dithered (old journal backfiles).
        skew: degrees the page is turned on the scanner glass (counter-clockwise); the text
            layer keeps the unturned positions, as OCR boxes around turned words do.
        text_under: write the text layer visible but under the picture (as some OCR
            tools do) instead of invisible on top.

    Returns:
        ``dst``.
    """
    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(src))
    out: canvas.Canvas | None = None
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            if page.get_rotation():  # the scan shows the page as stored (unrotated space)
                page.set_rotation(0)
            width, height = page.get_size()
            if out is None:
                out = canvas.Canvas(str(dst), pagesize=(width, height))
            else:
                out.setPageSize((width, height))
            picture = page.render(scale=dpi / 72.0).to_pil().convert("RGB")
            if skew:
                picture = picture.rotate(
                    skew, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)
                )
            if tinted or noise:
                pixels = np.asarray(picture, np.float32)
                if tinted:
                    pixels = pixels * np.asarray(TINT, np.float32)
                if noise:
                    pixels = pixels + rng.normal(0.0, noise, pixels.shape[:2] + (1,))
                picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            buf = io.BytesIO()
            if bitonal:
                picture.convert("L").convert("1").save(buf, "PNG")  # Floyd-Steinberg dither
            else:
                picture.save(buf, "JPEG", quality=jpeg_quality)
            # OCR engines mostly miss sideways text
            lines = [ln for ln in page_lines(page) if not ln.rotated and ln.text.strip()]
            if text_under:
                for line in lines:
                    _ocr_line(out, line.text, line.bbox, height, visible=True)
            out.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=width, height=height)
            if not text_under:
                for line in lines:
                    _ocr_line(out, line.text, line.bbox, height, visible=False)
            out.showPage()
            page.close()
    finally:
        pdf.close()
    if out is None:
        raise ValueError(f"{src} has no pages")
    out.save()
    return Path(dst)


def _ocr_line(
    c: canvas.Canvas,
    text: str,
    bbox: tuple[float, float, float, float],
    page_height: float,
    visible: bool,
) -> None:
    """A line of text stretched over ``bbox`` (top-left origin), invisible (render mode 3)
    unless ``visible``."""
    x0, y0, x1, y1 = bbox
    size = max(1.0, 0.8 * (y1 - y0))
    t = c.beginText()
    t.setTextRenderMode(0 if visible else 3)
    t.setFont("Helvetica", size)
    natural = c.stringWidth(text, "Helvetica", size)
    t.setHorizScale(100.0 * (x1 - x0) / max(natural, 1e-3))
    t.setTextOrigin(x0, page_height - y1 + 0.2 * (y1 - y0))
    t.textLine(text)
    c.drawText(t)
