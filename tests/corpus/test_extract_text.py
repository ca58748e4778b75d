"""Text reader: the run search for text objects, font flags per object, line squeezing."""

from __future__ import annotations

import ctypes
from itertools import repeat
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from litclip.corpus.extract import text as tx
from litclip.corpus.extract.captions import clean_caption_text

FONTS = ["Helvetica", "Helvetica-Bold", "Times-Roman", "Courier-Bold", "Times-BoldItalic"]


def _mixed_fonts_pdf(path: Path) -> Path:
    """Lines made of many text objects: words in rotating fonts and sizes, one-letter
    objects, a bold caption label and a rotated run."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    rng = np.random.default_rng(0)
    y = 800.0
    for row in range(40):
        x = 40.0
        for k in range(int(rng.integers(3, 9))):
            font = FONTS[int(rng.integers(len(FONTS)))]
            size = float(rng.choice([7, 9, 10, 12]))
            word = "x" if k % 4 == 3 else f"word{row * 10 + k}"
            c.setFont(font, size)
            c.drawString(x, y, word)
            x += c.stringWidth(word, font, size) + 4
        y -= 16
    c.setFont("Helvetica-Bold", 9)
    c.drawString(40, 120, "Figure 3.")
    c.setFont("Helvetica", 9)
    c.drawString(40 + c.stringWidth("Figure 3. ", "Helvetica-Bold", 9), 120, "A caption in roman.")
    c.saveState()
    c.translate(560, 300)
    c.rotate(90)
    c.setFont("Times-Roman", 8)
    c.drawString(0, 0, "Downloaded from a rotated margin note")
    c.restoreState()
    c.showPage()
    c.save()
    return path


def _boxed(textpage: pdfium.PdfTextPage) -> tuple[ctypes.c_void_p, np.ndarray]:
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    codes = tx._codes(tx._page_text(raw, n))
    idx = np.flatnonzero(~tx._NO_BOX[np.minimum(codes, tx._NO_BOX.size - 1)])
    return ctypes.c_void_p(ctypes.cast(raw, ctypes.c_void_p).value), idx


def test_run_search_matches_per_character_calls(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument(str(_mixed_fonts_pdf(tmp_path / "mixed.pdf")))
    textpage = pdf[0].get_textpage()
    handle, idx = _boxed(textpage)
    assert idx.size > 20 * tx._PROBE_STRIDE
    exact = tx._object_keys(handle, idx, exact=True)
    per_char = list(map(tx._TEXT_OBJECT, repeat(handle, idx.size), idx.tolist()))
    assert exact.tolist() == per_char
    assert len(set(per_char)) > 100  # many objects, many short runs
    assert tx._object_keys(handle, idx, exact=False).tolist() == per_char


def test_object_seen_twice_falls_back_to_per_character_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # object 7 comes back after object 9 (what bidi reordering could do): not one run each
    keys = [7] * 40 + [9] * 40 + [7] * 40 + [5] * 3
    calls: list[int] = []

    def fake(handle: object, i: int) -> int:
        calls.append(i)
        return keys[i]

    monkeypatch.setattr(tx, "_TEXT_OBJECT", fake)
    got = tx._object_keys(ctypes.c_void_p(1), np.arange(len(keys)), exact=False)
    assert got.tolist() == keys
    assert len(calls) > len(keys)  # probed, then read every character

    calls.clear()
    keys[80:120] = [8] * 40  # one run per object: a few calls per run suffice
    assert tx._object_keys(ctypes.c_void_p(1), np.arange(len(keys)), False).tolist() == keys
    assert len(calls) < len(keys) / 2


def test_right_to_left_text_is_detected() -> None:
    assert not tx._has_rtl(tx._codes("Figure 1. Résumé, αβγ, 図 1, naïve — done"))
    assert tx._has_rtl(tx._codes("Figure 1. שלום"))
    assert tx._has_rtl(tx._codes("الشكل 1"))
    assert tx._has_rtl(tx._codes("a\u200fb"))


def test_fonts_per_object(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument(str(_mixed_fonts_pdf(tmp_path / "mixed.pdf")))
    lines = tx.page_lines(pdf[0])
    caption = next(ln for ln in lines if ln.text.startswith("Figure 3."))
    assert caption.text == "Figure 3. A caption in roman."
    assert caption.prefix_bold(8) and not caption.mostly_bold()
    assert caption.size == pytest.approx(9)
    assert len(caption.bold) == len(caption.text)
    rotated = next(ln for ln in lines if ln.rotated)
    assert rotated.text == "Downloaded from a rotated margin note"
    assert rotated.direction == 90 and rotated.size == pytest.approx(8)
    courier = [ln for ln in lines if not ln.rotated and ln is not caption]
    assert any(any(ln.bold) and not all(ln.bold) for ln in courier)


@pytest.mark.parametrize("seed", range(5))
def test_squeeze_is_split_and_join_per_line(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shown = rng.choice(np.array([ord(" "), ord("a"), ord("b"), ord("-")]), 300)
    seg = np.cumsum(rng.random(300) < 0.1)
    kept = tx._squeeze(shown, seg)
    for s in np.unique(seg):
        at = np.flatnonzero(seg == s)
        line = tx._text(shown[at])
        assert tx._text(shown[at[kept[at]]]) == " ".join(line.split())


def _chars(text: str, box: np.ndarray) -> tx._Chars:
    """Upright 10 pt characters of ``text`` at ``box`` (spaces unboxed), in stream order."""
    n = len(text)
    boxed = np.array([c != " " for c in text])
    return tx._Chars(
        text, boxed, box, np.full(n, 10.0), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    )


def test_a_word_gap_without_a_space_character_reads_as_a_space() -> None:
    """pdfium writes no space between some words set apart by position only ("atone hole"
    for "a tone hole"); a gap of a quarter of the font size between letters is one."""
    text = "atone hole"
    xs = [72.0, 78.0, 82.0, 87.0, 92.0, 97.0, 102.0, 107.0, 112.0, 117.0]  # 'a' then a 3 pt gap
    box = np.array(
        [[x, 100.0, x + 5.0 - (2.0 if i == 0 else 0.0), 110.0] for i, x in enumerate(xs)]
    )
    (line,) = tx.group_lines(_chars(text, box))
    assert line.text == "a tone hole"
    assert len(line.bold) == len(line.text)


def test_tex_t1_ligature_codes_read_as_ligatures() -> None:
    """A T1-encoded TeX font without a Unicode map gives "fi" as code 0x1C (RBGL, evd
    vignettes); Python's split() took it for whitespace: "depth- rst", "con dence"."""
    text = "con\x1cdence e\x1bect"
    box = np.array([[72.0 + 5 * i, 100.0, 77.0 + 5 * i, 110.0] for i in range(len(text))])
    (line,) = tx.group_lines(_chars(text, box))
    assert line.text == "con\ufb01dence e\ufb00ect"
    assert clean_caption_text([line.text]) == "confidence effect"


def _control_glyph_pdf(path: Path, content: bytes) -> Path:
    """A page in Helvetica whose ToUnicode map gives "c" as U+000D, as pdfium reads a
    broken TeX font (written by hand: reportlab writes its own maps)."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"1 beginbfchar <63> <000D> endbfchar endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        *(b"<< /Length %d >>\nstream\n%b\nendstream" % (len(b), b) for b in (content, cmap)),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (k, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def test_a_glyph_read_as_a_control_code_stays_in_its_line(tmp_path: Path) -> None:
    """DIRECT's user guide is set in a TeX font that pdfium reads as "c" = "\\r" and
    "fi" = "\\x0c": its lines broke at each ("Pri", "e fun", "tion"). A control code with a
    glyph's width is a glyph, shown as a space; pdfium's own line breaks, which have none,
    still end lines."""
    content = b"BT /F1 12 Tf 20 100 Td (Price function) Tj 0 -20 Td (next line) Tj ET"
    path = _control_glyph_pdf(tmp_path / "control.pdf", content)
    doc = pdfium.PdfDocument(str(path))
    page = doc[0]
    assert page.get_textpage().get_text_range().startswith("Pri\re fun\rtion")
    assert [ln.text for ln in tx.page_lines(page)] == ["Pri e fun tion", "next line"]
    page.close()
    doc.close()


def test_tex_t1_dash_codes_read_as_dashes() -> None:
    """The same fonts give the en and em dashes as 0x15 and 0x16 (strucchange's "Time
    series used \x15 first differences"): control codes no text holds otherwise."""
    text = "used \x15 first, 1990\x152000 \x16 end"
    box = np.array([[72.0 + 5 * i, 100.0, 77.0 + 5 * i, 110.0] for i in range(len(text))])
    (line,) = tx.group_lines(_chars(text, box))
    assert line.text == "used \u2013 first, 1990\u20132000 \u2014 end"


def test_body_size_ignores_print_too_small_to_be_running_text() -> None:
    """A montage of page thumbnails (1.5 pt print) outweighs a four-page paper's body."""
    body = [tx.TextLine("running text of the article " * 3, (0, 0, 1, 1), 9.0)] * 40
    thumbs = [tx.TextLine("tiny print in a figure " * 3, (0, 0, 1, 1), 1.5)] * 400
    assert tx.body_font_size(body + thumbs) == 9.0
    assert tx.body_font_size(thumbs) == 1.5


def test_characters_beyond_the_bmp_are_joined_from_their_utf16_halves() -> None:
    """pdfium gives math italic 𝑑 as two UTF-16 halves; captions held lone surrogates that
    no UTF-8 writer (parquet, CSV, a terminal) accepts."""
    from litclip.corpus.extract.text import _join_surrogates

    halves = "∆\ud835\udc3a1\udc00".encode("utf-16-le", "surrogatepass")
    shown = np.frombuffer(halves, np.uint16).astype(np.int64)
    kept = np.ones(shown.size, bool)
    _join_surrogates(shown, kept)
    text = "".join(chr(c) for c in shown[kept])
    assert text == "∆\U0001d43a1\ufffd"  # the pair is 𝐺; a lone half is U+FFFD


@pytest.mark.parametrize(
    ("font", "name"),
    [
        ("cmbx10", "bold"),  # Computer Modern bold extended (pdfium reads weight 570)
        ("sfbx1000", "bold"),
        ("ptmb8t", "bold"),  # PSNFSS Times bold
        ("arial-boldmt", "bold"),
        ("cmb10", "bold"),
        ("ecbx1200", "bold"),
        ("lmroman10-bold", "bold"),
        ("cmr12", "regular"),  # pdfium reads this regular face at weight 732
        ("cmr10", "regular"),
        ("cmti10", "regular"),
        ("ecrm1000", "regular"),
        ("lmroman10-regular", "regular"),
        ("ptmr8t", "regular"),
        ("timesnewromanpsmt", "unknown"),  # pdfium's weight decides
    ],
)
def test_tex_font_names_tell_bold_from_regular(font: str, name: str) -> None:
    from litclip.corpus.extract.text import _BOLD_RE, _REGULAR_TEX_RE

    assert bool(_BOLD_RE.search(font)) is (name == "bold")
    assert bool(_REGULAR_TEX_RE.search(font)) is (name == "regular")


def test_fixed_width_fonts_are_known_by_name() -> None:
    """Code fonts by name (TeX's typewriter faces, Courier, programmers' fonts); Monotype's
    faces are not fixed-width for the foundry's name."""
    for name in (
        "lmmono10-regular",
        "cmtt10",
        "sftt1000",
        "pcrr8r",
        "courier-bold",
        "inconsolata",
        "nimbusmonl-regu",
        "t1xtt",  # newtx's typewriter, as the GSL manual's listings are set
        "t1xbtt",
    ):
        assert tx._MONO_RE.search(name), name
    for name in (
        "lmroman10-regular",
        "monotypecorsiva",
        "times-roman",
        "cmr10",
        "helvetica",
        "t1xr",
    ):
        assert not tx._MONO_RE.search(name), name


def _helvetica_and_type3(content: bytes, type3: bytes, glyph: bytes) -> bytes:
    """A one-page PDF drawing ``content`` with Helvetica as /F1 and the Type 3 font
    ``type3`` as /F3, whose one glyph draws ``glyph``."""
    from tests.corpus.corpus_fixtures import pdf_from_objects

    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 5 0 R /F3 6 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            type3,
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(glyph), glyph),
        ]
    )


def _type3_caption_pdf(path: Path) -> Path:
    """A dark box (the figure) over "Figure 1: f''(E) for pure Cu ..." whose f''(E) is set,
    as dvips sets TeX's math, in a Type 3 font at Tf 0.1 with a glyph space of 100 units a
    point (pdfium reads its size as 0.1 pt, its glyphs stand 10 pt tall), the primes raised."""
    glyph = b"100 0 0 0 80 100 d1 0 0 80 100 re f"
    widths = b" ".join([b"100"] * 63)
    t3 = (
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 80 100] /FontMatrix [1 0 0 1 0 0]"
        b" /CharProcs << /g 7 0 R >> /Encoding << /Type /Encoding"
        b" /Differences [40 /g /g 48 /g 69 /g 102 /g] >> /FirstChar 40 /LastChar 102"
        b" /Widths [" + widths + b"] /Resources << >> >>"
    )
    content = (
        b"0.3 g 100 420 300 250 re f 0 g BT /F1 10 Tf 72 400 Td (Figure 1: ) Tj"
        b" /F3 0.1 Tf (f) Tj 0.04 Ts /F3 0.07 Tf (00) Tj 0 Ts /F3 0.1 Tf (\\(E\\)) Tj"
        b" /F1 10 Tf ( for pure Cu, from theory.) Tj ET"
    )
    path.write_bytes(_helvetica_and_type3(content, t3, glyph))
    return path


def test_type3_math_read_at_a_tenth_of_a_point_keeps_its_place_in_the_caption(
    tmp_path: Path,
) -> None:
    from litclip.corpus.extract import extract_pdf

    (fig,) = extract_pdf(_type3_caption_pdf(tmp_path / "t3.pdf")).figures
    assert fig.caption == "Figure 1: f00(E) for pure Cu, from theory."
    pdf = pdfium.PdfDocument(str(tmp_path / "t3.pdf"))
    page = pdf[0]
    chars = tx._read_chars(page.get_textpage(), page.get_size()[1], 0.0)
    f = chars.text.index("f")
    assert 7.0 <= chars.size[f] <= 12.0  # about the glyph's 10 pt, not the 0.1 pt pdfium reads
    pdf.close()


def _words(*texts: str) -> list[tx.TextLine]:
    return [
        tx.TextLine(t, (0.0, 12.0 * i, 500.0, 12.0 * i + 10), 10.0) for i, t in enumerate(texts)
    ]


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("Axial T2-weighted MRI shows the lesion in the patient's left frontal lobe.", True),
        ("Pacient byl operován a po zákroku se jeho řeč zlepšila během dvou týdnů.", True),
        ("患者在手术后恢复良好 没有出现 并发症 随访 六个月", True),
        # numbers and plot markers are no words either way: the prose around them counts
        ("The mean volume was 12.5 ± 3.1 ml (n = 42, p < 0.001) ●●● ●● 1e−04 in all.", True),
        # glyph codes of fonts without a Unicode map
        ("L $6( (32576 ,1 57+23(',&6 ),*85( 1 $;,$/ 7:", False),
        ("\x0e\x08\x01\x18\x08 \x11\x01\x08\x19\x17\x01\x03 \x19 \x03\x08 \x01!$", False),
        ("ćăđÿđāĆćāÿċ āđăĂćĀćċćēĘ ČĎĂăċ ĆăĒ Ąĉč ÿđăĂĘ", False),
    ],
)
def test_word_share_tells_prose_from_undecoded_glyph_codes(text: str, reads: bool) -> None:
    share = tx.word_share(_words(*[text] * 20))
    assert share is not None
    assert (share >= 0.5) is reads, share


def test_word_share_needs_enough_words_to_judge() -> None:
    assert tx.word_share(_words("$6( (32576")) is None


def test_c1_controls_read_as_windows_1252_punctuation(tmp_path: Path) -> None:
    """A font whose glyphs map to C1 controls (a broken Unicode map: "\\x96" for the dash
    after the label, "\\x92" for an apostrophe) still gives its caption, with the dash."""
    from reportlab.pdfgen import canvas

    from litclip.corpus.extract import extract_pdf
    from tests.corpus.test_extract_layout import H, W, caption, image, paragraph, photo

    path = tmp_path / "c1.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H), pageCompression=0)
    y = paragraph(c, 72, 60, 95, 4)
    image(c, photo(2, (300, 200)), (150, y + 10, 450, y + 210))
    caption(
        c, 72, y + 220, "Figure 1 \u2013", ["Axial T2-weighted MRI of the patient\u2019s lesion."]
    )
    paragraph(c, 72, y + 250, 95, 6)
    c.showPage()
    c.save()
    differences = b"<< /BaseEncoding /WinAnsiEncoding /Differences [ 146 /uni0092 150 /uni0096 ] >>"
    path.write_bytes(path.read_bytes().replace(b"/WinAnsiEncoding", differences))
    textpage = pdfium.PdfDocument(path)[0].get_textpage()
    n = pdfium_c.FPDFText_CountChars(textpage.raw)
    read = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
    assert "\x96" in read and "\x92" in read  # pdfium itself gives the controls
    (fig,) = extract_pdf(path).figures
    assert fig.caption == "Figure 1 \u2013 Axial T2-weighted MRI of the patient\u2019s lesion."


def test_a_glyph_whose_font_reads_absurdly_tall_keeps_to_its_line(tmp_path: Path) -> None:
    """webbpsf's report: the parentheses of an axis title ("True position (mas)", 8 pt) come
    from a font whose box runs 240 pt up and down. Their loose boxes broke the title into
    pieces that reached down over the caption under the plot; their glyphs' own boxes
    keep them on the title's line."""
    glyph = b"100 0 0 0 80 100 d1 0 0 80 100 re f"
    tall = (
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 -3000 80 3000]"
        b" /FontMatrix [0.01 0 0 0.01 0 0] /CharProcs << /g 7 0 R >>"
        b" /Encoding << /Type /Encoding /Differences [40 /g /g] >>"
        b" /FirstChar 40 /LastChar 41 /Widths [100 100] /Resources << >> >>"
    )
    content = (
        b"BT /F1 8 Tf 200 400 Td (True position ) Tj /F3 8 Tf (\\() Tj"
        b" /F1 8 Tf (mas) Tj /F3 8 Tf (\\)) Tj ET"
    )
    path = tmp_path / "tall.pdf"
    path.write_bytes(_helvetica_and_type3(content, tall, glyph))
    pdf = pdfium.PdfDocument(str(path))
    try:
        (line,) = tx.page_lines(pdf[0])
        assert line.text == "True position (mas)"
        assert line.bbox[3] - line.bbox[1] < 12.0
    finally:
        pdf.close()
