"""QC statistics, reason codes and perceptual-hash duplicate detection."""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from litclip.corpus.qc import (
    QcConfig,
    duplicate_of,
    image_stats,
    phash,
    qc_reasons,
    same_picture,
    same_pixels,
)
from tests.corpus.corpus_fixtures import photo

CAPTION = "Figure 1. Axial T2-weighted MRI showing a lesion in the left frontal lobe."


def _row(img: Image.Image, **kw: object) -> dict:
    row = {
        **image_stats(img),
        "caption": CAPTION,
        "bbox": [72, 200, 400, 500],
        "page_size": [612, 792],
        "kind": "image",
        "panel": None,
    }
    row.update(kw)
    return row


def test_good_pair_passes() -> None:
    assert qc_reasons(_row(photo(1)), QcConfig()) == []


def test_each_reason_fires() -> None:
    cfg = QcConfig(keep_kinds=["image"])
    assert "too_small" in qc_reasons(_row(photo(1, (40, 200))), cfg)
    assert "aspect_ratio" in qc_reasons(_row(photo(1, (900, 100))), cfg)
    assert "blank" in qc_reasons(_row(Image.new("RGB", (300, 300), "white")), cfg)
    speck = np.full((300, 300), 255, np.uint8)
    speck[100:130, 100:130] = 0  # 1% ink: not blank by spread, but near-empty
    assert "low_entropy" in qc_reasons(_row(Image.fromarray(speck)), cfg)
    assert "low_entropy" not in qc_reasons(_row(photo(3)), cfg)
    assert "caption_short" in qc_reasons(_row(photo(1), caption="Figure 2"), cfg)
    assert "caption_long" in qc_reasons(_row(photo(1), caption="x" * 5000), cfg)
    assert "kind:chart" in qc_reasons(_row(photo(1), kind="chart"), cfg)


def test_non_figure_crops() -> None:
    cfg = QcConfig()
    header = _row(photo(1), bbox=[72, 20, 540, 40])  # thin band at the page top
    assert "non_figure:header_band" in qc_reasons(header, cfg)
    footer = _row(photo(1), bbox=[72, 770, 540, 785])
    assert "non_figure:header_band" in qc_reasons(footer, cfg)
    equation = _row(photo(1), bbox=[100, 400, 500, 425])  # thin band mid-page
    assert "non_figure:band" in qc_reasons(equation, cfg)
    logo = _row(photo(1), bbox=[500, 30, 540, 70])
    assert "non_figure:logo" in qc_reasons(logo, cfg)
    # Panels are small by design and never judged as logos.
    assert not any(r.startswith("non_figure") for r in qc_reasons({**logo, "panel": "A"}, cfg))


def test_image_stats_fields() -> None:
    s = image_stats(photo(2))
    assert (s["width"], s["height"]) == (320, 240)
    assert len(s["phash"]) == 16 and 0 < s["entropy"] <= 8 and s["gray_std"] > 10


def _brute(hashes: list[str], groups: list[int], d: int) -> list[int | None]:
    vals = [int(h, 16) for h in hashes]
    out: list[int | None] = [None] * len(vals)
    for i in range(len(vals)):
        for j in range(i):
            if out[j] is None and groups[i] != groups[j] and bin(vals[i] ^ vals[j]).count("1") <= d:
                out[i] = j
                break
    return out


def test_duplicate_of_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    base = [int(x) for x in rng.integers(0, 2**63, 40)]
    hashes = []
    for b in base:  # each base plus near copies with 0..6 flipped bits
        for flips in (0, 2, 6):
            v = b
            for bit in rng.choice(64, flips, replace=False):
                v ^= 1 << int(bit)
            hashes.append(f"{v:016x}")
    groups = list(range(len(hashes)))
    for d in (0, 4, 8):
        got = duplicate_of(hashes, groups, d)
        brute = _brute(hashes, groups, d)
        # Same set of flagged items; the kept original may differ only if ties exist.
        assert [g is None for g in got] == [b is None for b in brute]
    assert sum(g is not None for g in duplicate_of(hashes, groups, 4)) >= 40


def test_duplicates_ignore_own_group_and_find_real_copies() -> None:
    a, b = image_stats(photo(1))["phash"], image_stats(photo(2))["phash"]
    copy = image_stats(photo(1).resize((300, 225)))["phash"]  # a rescaled copy
    assert duplicate_of([a, b, copy], [0, 1, 2], 4) == [None, None, 0]
    assert duplicate_of([a, a], [7, 7], 4) == [None, None]  # a figure and its own panel
    assert all(x is None for x in duplicate_of([a, b], [0, 1], 0)) and not list(itertools.chain())


def _chart(labels: str, values: list[int]) -> Image.Image:
    from PIL import ImageDraw

    img = Image.new("L", (400, 300), 255)
    d = ImageDraw.Draw(img)
    d.line([(40, 20), (40, 260), (380, 260)], fill=0, width=2)
    for i, v in enumerate(values):
        d.rectangle([70 + 80 * i, 260 - v, 110 + 80 * i, 259], outline=0, width=2)
        d.text((70 + 80 * i, 268), f"{labels}{i}", fill=0)
    return img


def test_same_pixels_separates_template_twins_from_copies() -> None:
    a = _chart("baseline ", [120, 150, 90, 200])
    b = _chart("follow-up ", [60, 210, 140, 100])  # same template, other data and labels
    assert not same_pixels(a, b)
    assert same_pixels(a, a.resize((200, 150)))  # a rescaled copy
    assert not same_pixels(a, a.resize((400, 150)))  # another aspect ratio
    # pHash alone calls the twins duplicates; verification overrules it.
    ha, hb = image_stats(a)["phash"], image_stats(b)["phash"]
    imgs = [a, b]
    verify = lambda i, j: same_pixels(imgs[i], imgs[j])  # noqa: E731
    assert duplicate_of([ha, hb], [0, 1], 64) == [None, 0]
    assert duplicate_of([ha, hb], [0, 1], 64, verify) == [None, None]


def test_phash_matches_imagehash() -> None:
    """The hashes ``imagehash.phash`` (4.3.2, scipy DCT) gives for these images, bit for bit:
    corpora built with either compare in contamination checks."""
    noise = np.random.default_rng(5).integers(0, 256, (37, 61, 3), dtype=np.uint8)
    assert phash(photo(1)) == "9e646197a79a2d98"
    assert phash(photo(2)) == "cbcb343cf230c333"
    assert phash(_chart("a ", [120, 150, 90, 200])) == "bb81e42cb533c16e"
    assert phash(Image.fromarray(noise)) == "fe13160f3548cf26"
    # flat images: only the mean frequency is above the median, whatever the rounding
    for colour in ("white", "black", (90, 90, 90)):
        assert phash(Image.new("RGB", (50, 20), colour)) in ("8000000000000000", "0" * 16)
    assert phash(Image.new("RGB", (50, 20), "white")) == "8000000000000000"


def _series(end_rise: int) -> Image.Image:
    """A time series with a forecast at its end (an article's Figures 1 and 2 in one
    template: the same data up to the forecast, which rises in one and not the other)."""
    from PIL import ImageDraw

    rng = np.random.default_rng(0)
    img = Image.new("RGB", (400, 300), "white")
    d = ImageDraw.Draw(img)
    d.line([(40, 20), (40, 260), (380, 260)], fill="black", width=2)
    y = 150 + np.cumsum(rng.normal(0, 4, 280))
    d.line(list(zip(range(45, 325), y.tolist(), strict=True)), fill="black", width=2)
    d.line([(325, y[-1]), (375, y[-1] - end_rise)], fill=(30, 90, 220), width=3)
    return img


def _scan(overlay: bool) -> Image.Image:
    """A smooth grey 'scan', with or without a green outline drawn over a lesion."""
    from PIL import ImageDraw

    rng = np.random.default_rng(1)
    field = rng.normal(0, 1, (300, 300)).cumsum(0).cumsum(1) / 40 + 100
    img = Image.fromarray(np.clip(field, 0, 255).astype(np.uint8)).convert("RGB")
    if overlay:
        ImageDraw.Draw(img).ellipse([100, 100, 180, 170], outline=(40, 200, 60), width=4)
    return img


def test_one_picture_placed_twice_is_told_from_an_articles_template_twins() -> None:
    """Two pairs of one article were duplicates when they merely looked alike at 64 px: a
    forecast's other ending, a scan with and without its overlay (and, in a real PDF, two
    random fields of one seed under the same axes) were dropped from the corpus."""
    flat, rising = _series(0), _series(25)
    plain, outlined = _scan(False), _scan(True)
    # what looking alike lets through ...
    assert same_pixels(flat, rising) and same_pixels(plain, outlined)
    # ... one picture does not
    assert not same_picture(flat, rising) and not same_picture(plain, outlined)
    assert same_picture(flat, flat.copy()) and same_picture(plain, plain.resize((200, 200)))
    assert same_picture(photo(3), photo(3).resize((480, 360)))
    assert not same_picture(photo(3), photo(4)) and not same_picture(flat, flat.resize((400, 150)))
