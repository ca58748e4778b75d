"""Test fixtures for the corpus pipeline tests: tiny seeded PDFs, bad PDFs, fake extractors.

Everything is generated in ``tmp_path`` (reportlab, byte surgery); nothing is committed.
``fake_iter_figures`` is a throwaway stand-in with the extraction engine's interface (it
yields one figure per embedded image, captioned by the page's "Figure N." paragraphs);
the pipeline tests use the real engine when it is importable and the fake otherwise.
Extractors are referenced as ``"/path/corpus_fixtures.py:function"`` so that worker
processes (forkserver children) load them too.
"""

from __future__ import annotations

import io
import os
import re
import signal
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve()

CAPTIONS = [
    "Axial T2-weighted MRI of the brain showing a hyperintense lesion in the left frontal lobe with surrounding oedema.",
    "Contrast-enhanced CT of the abdomen: a hypodense hepatic mass measuring 4 cm in segment VII.",
    "Lateral radiograph of the knee after fixation with two cannulated screws, six weeks after surgery.",
    "Histology of the resected specimen (haematoxylin and eosin) showing dense lymphocytic infiltrates.",
    "Digital subtraction angiography of the right internal carotid artery demonstrating a saccular aneurysm.",
]


def extractor_spec(name: str) -> str:
    """``/abs/path/corpus_fixtures.py:name`` for ``CorpusConfig.extractor``."""
    return f"{HERE}:{name}"


def real_engine_available() -> bool:
    """Whether the real extraction engine has landed (``litclip.corpus.extract.iter_figures``)."""
    try:
        from litclip.corpus.extract import iter_figures  # noqa: F401
    except ImportError:
        return False
    return True


def default_extractor() -> str:
    """The real engine when available, else the fake."""
    if real_engine_available():
        return "litclip.corpus.extract:iter_figures"
    return extractor_spec("fake_iter_figures")


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A seeded 'medical image': dark background, a textured bright ellipse."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.4, 0.6)
    r = ((xx - cx) / (w * 0.35)) ** 2 + ((yy - cy) / (h * 0.4)) ** 2
    base = np.clip(200 * (1 - r), 0, 255) + rng.normal(0, 18, (h, w))
    base[r > 1] = rng.normal(10, 4, (r > 1).sum())
    arr = np.clip(base, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "L").convert("RGB")


def make_pdf(path: Path, seed: int, n_figures: int = 2, pages: int = 1) -> Path:
    """A small journal-like PDF: per page, some text and ``n_figures`` captioned images."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(f"test paper {seed}")
    width, height = A4
    fig = 1
    for _ in range(pages):
        c.setFont("Helvetica", 9)
        c.drawString(
            72,
            height - 60,
            f"Journal of Tests {seed}: an article body that mentions Figure 1 in passing.",
        )
        y = height - 100
        for _ in range(n_figures):
            img = photo(seed * 100 + fig)
            c.drawImage(ImageReader(img), 72, y - 220, width=290, height=215)
            c.setFont("Helvetica-Bold", 9)
            cap = f"Figure {fig}. {CAPTIONS[(seed + fig) % len(CAPTIONS)]}"
            c.drawString(72, y - 235, cap[:110])
            c.drawString(72, y - 247, cap[110:])
            y -= 300
            fig += 1
        c.showPage()
    c.save()
    return path


def make_corpus(d: Path, n: int = 3, n_figures: int = 2) -> Path:
    """``n`` small PDFs in ``d``."""
    d.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        make_pdf(d / f"paper_{i:02d}.pdf", seed=i + 1, n_figures=n_figures)
    return d


# --------------------------------------------------------------------------- bad input


def _good_bytes(seed: int) -> bytes:
    buf = io.BytesIO()
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(buf)
    c.drawString(72, 720, f"hello {seed}")
    c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="secret-user-password")
    c.drawString(72, 720, "encrypted")
    c.showPage()
    c.save()


def _huge_image_pdf(w: int = 40000, h: int = 40000) -> bytes:
    """A PDF declaring a w x h RGB image whose stream is tiny (decoding it would need 4.8 GB)."""
    data = zlib.compress(b"\x00" * 3000)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (w, h, len(data))
        + data
        + b"\nendstream",
    ]
    content = b"q 500 0 0 500 50 150 cm /Im0 Do Q\nBT /F1 9 Tf 50 130 Td (Figure 1. A declared huge image that must never be decoded in full.) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return pdf_from_objects(objs)


def _zero_pages() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    return pdf_from_objects(objs)


def pdf_from_objects(objs: list[bytes]) -> bytes:
    """A PDF file from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def make_bad_corpus(d: Path) -> dict[str, str]:
    """At least 20 bad files in ``d``; returns ``{file name: expected family}``.

    Families: ``not_pdf``, ``encrypted``, ``truncated``, ``zero_pages``, ``malformed``,
    ``huge_image``. The exact error kind of the engine-detected ones is the engine's call;
    the pipeline test checks each ends as a recorded error.
    """
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    good = _good_bytes(1)
    files: dict[str, bytes | None] = {
        "empty.pdf": b"",
        "text_named_pdf.pdf": b"This is a plain text file, not a PDF at all.\n" * 20,
        "png_named_pdf.pdf": _png_bytes(),
        "random_bytes.pdf": rng.bytes(4096),
        "html.pdf": b"<html><body>404 Not Found</body></html>",
        "truncated_half.pdf": good[: len(good) // 2],
        "truncated_header_only.pdf": b"%PDF-1.7\n",
        "truncated_10_bytes.pdf": good[:10],
        "truncated_no_eof.pdf": good[: len(good) - 40],
        "zero_pages.pdf": _zero_pages(),
        "garbage_after_header.pdf": b"%PDF-1.4\n" + rng.bytes(3000),
        "broken_xref.pdf": good.replace(b"xref", b"xxxx").replace(b"startxref", b"startxxxx")[
            : len(good) // 3
        ],
        "no_root.pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Pages >>\nendobj\ntrailer\n<< /Size 2 >>\n%%EOF\n",
        "bad_catalog.pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "nul_bytes.pdf": b"%PDF-1.5\n" + b"\x00" * 5000,
        "huge_image.pdf": _huge_image_pdf(),
        "huge_image_wide.pdf": _huge_image_pdf(200000, 3000),
        "encrypted.pdf": None,
        "encrypted_2.pdf": None,
        "flipped_bytes.pdf": _flip(good, rng),
        "header_late.pdf": rng.bytes(2048) + good,
    }
    family = {}
    for name, data in files.items():
        if data is None:
            _encrypted(d / name)
        else:
            (d / name).write_bytes(data)
        family[name] = (
            name.split("_")[0]
            if name.split("_")[0] in ("empty", "truncated", "encrypted", "huge")
            else "other"
        )
    return family


def _png_bytes() -> bytes:
    buf = io.BytesIO()
    photo(3, (64, 64)).save(buf, format="PNG")
    return buf.getvalue()


def _flip(data: bytes, rng: np.random.Generator) -> bytes:
    arr = bytearray(data)
    for i in rng.integers(50, len(arr) - 50, 200):
        arr[int(i)] ^= 0xFF
    return bytes(arr)


# --------------------------------------------------------------------------- fake extractors


def fake_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """A throwaway engine with the real interface: one figure per embedded image."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from litclip.corpus.types import ExtractedFigure, Panel, PdfError

    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        kind = "encrypted" if "password" in str(exc).lower() else "malformed"
        raise PdfError(kind, f"{path}: {exc}") from exc
    if len(doc) == 0:
        raise PdfError("zero_pages", f"{path} has no pages")
    number = 0
    for pno in range(len(doc)):
        page = doc[pno]
        width, height = page.get_size()
        text = page.get_textpage().get_text_range()
        caps = [
            re.sub(r"\s+", " ", m).strip()
            for m in re.findall(r"Figure \d+\..*?(?=Figure \d+\.|\Z)", text, flags=re.S)
        ]
        images = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]))
        for k, obj in enumerate(images):
            iw, ih = obj.get_px_size()
            if iw * ih > max_pixels:
                raise PdfError("huge_image", f"image of {iw}x{ih} px on page {pno + 1}")
            left, bottom, right, top = obj.get_bounds()
            bbox = (left, height - top, right, height - bottom)
            img = page.render(
                scale=dpi / 72, crop=(left, bottom, width - right, height - top)
            ).to_pil()
            number += 1
            cap = caps[k] if k < len(caps) else f"Figure {number}."
            half = (bbox[0] + bbox[2]) / 2
            panels = [
                Panel("A", (bbox[0], bbox[1], half, bbox[3]), "left half."),
                Panel("B", (half, bbox[1], bbox[2], bbox[3]), "right half."),
            ]
            pimgs = [
                img.crop((0, 0, img.width // 2, img.height)),
                img.crop((img.width // 2, 0, img.width, img.height)),
            ]
            fig = ExtractedFigure(
                label=f"Figure {number}",
                number=str(number),
                page=pno + 1,
                bbox=bbox,
                caption=cap,
                caption_bbox=bbox,
                shared_caption=cap,
                panels=panels,
                source="raster",
                n_raster=1,
            )
            native = bytes(obj.get_data(decode_simple=True))
            yield fig, img, pimgs, native


def slow_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """Hangs on files whose name contains 'slow' (for the timeout test)."""
    if "slow" in Path(path).name:
        time.sleep(60)
    yield from fake_iter_figures(path, dpi=dpi, max_pixels=max_pixels)


def crash_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """Kills its process on files whose name contains 'crash' (a segfault stand-in)."""
    if "crash" in Path(path).name:
        os._exit(11)
    yield from fake_iter_figures(path, dpi=dpi, max_pixels=max_pixels)


def crash_once_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """Dies (exit 255) the first time it sees a PDF, works the second: a flaky worker start."""
    marker = Path(path).with_suffix(".tried")
    if not marker.exists():
        marker.touch()
        os._exit(255)
    yield from fake_iter_figures(path, dpi=dpi, max_pixels=max_pixels)


def signalled_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """Gets the Ctrl-C and SIGTERM a terminal or ``scancel`` sends every process of the run,
    on files whose name contains 'signal', then goes on (its parent decides)."""
    if "signal" in Path(path).name:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # a signal's handler runs at once, but give it time anyway
    yield from fake_iter_figures(path, dpi=dpi, max_pixels=max_pixels)


def sleepy_iter_figures(path: str, dpi: int = 200, max_pixels: int = 50_000_000) -> Any:
    """Like the fake, but slow per figure: gives a SIGKILL test time to strike mid-run."""
    for item in fake_iter_figures(path, dpi=dpi, max_pixels=max_pixels):
        time.sleep(0.15)
        yield item


def make_counts_pdf(path: Path) -> Path:
    """One page: a captioned figure, an uncaptioned image between running text, a table caption."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    body = "The running text of the article continues here with enough words per line."
    c.drawImage(ImageReader(photo(1)), 72, height - 280, width=290, height=215)
    c.setFont("Helvetica-Bold", 9)
    c.drawString(72, height - 295, "Figure 1. Axial T2-weighted MRI of the brain showing a lesion.")
    c.setFont("Helvetica", 9)
    y = height - 330
    for _ in range(6):
        c.drawString(72, y, body)
        y -= 12
    c.drawImage(ImageReader(photo(2)), 72, y - 200, width=250, height=190)  # no caption
    y -= 220
    for _ in range(6):
        c.drawString(72, y, body)
        y -= 12
    c.setFont("Helvetica-Bold", 9)
    c.drawString(72, y - 10, "Table 1. Characteristics of the patients included in the study.")
    c.showPage()
    c.save()
    return path


def gradient_image_object() -> bytes:
    """The body of a 64 x 64 RGB gradient image XObject (for PDFs written from objects)."""
    data = zlib.compress(bytes(range(256)) * 48)
    return (
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(data)
        + data
        + b"\nendstream"
    )


def damaged_pdf(off_page_x: float = 241134.0) -> bytes:
    """Three pages: a figure (a grey image and its caption) on pages 1 and 3, page 2 a page
    tree entry that is no page (pdfium fails to load it), and on page 3 a line of text and
    an image set ``off_page_x`` points to the right, off the page (as a damaged stream may)."""
    image = gradient_image_object()
    resources = b"/Resources << /XObject << /Im0 4 0 R >> /Font << /F1 5 0 R >> >>"

    def page(contents: int) -> bytes:
        return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s /Contents %d 0 R >>" % (
            resources,
            contents,
        )

    def stream(n: int, extra: bytes = b"") -> bytes:
        text = b"Figure %d. A gradient phantom imaged at the standard dose." % n
        body = b"q 300 0 0 200 72 400 cm /Im0 Do Q\nBT /F1 10 Tf 72 380 Td (%s) Tj ET\n" % text
        return b"<< /Length %d >>\nstream\n" % len(body + extra) + body + extra + b"\nendstream"

    off = b"BT /F1 10 Tf %.1f 380 Td (stray words) Tj ET\nq 300 0 0 200 %.1f 100 cm /Im0 Do Q" % (
        off_page_x,
        off_page_x,
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 6 0 R 7 0 R] /Count 3 >>",
        page(8),
        image,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"42",  # page 2: no page dictionary
        page(9),
        stream(1),
        stream(2, off),
    ]
    return pdf_from_objects(objs)


def refuse_dask_schedulers(monkeypatch: Any) -> None:
    """Make every ``distributed.Client`` fail to connect, as an unreachable scheduler does."""
    import distributed

    class Refusing(distributed.Client):
        def __init__(self, address: str, timeout: float) -> None:
            raise OSError(f"Timed out trying to connect to {address} after {timeout} s")

    monkeypatch.setattr(distributed, "Client", Refusing)
