"""Panel splitting on synthetic greyscale renderings (numpy arrays, no PDF)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from litclip.corpus.extract.panels import (
    SeamField,
    complete_grid,
    group_by_letters,
    join_tiles,
    joined_by_lines,
    letter_lines,
    panels_between_rules,
    panels_by_bands,
    panels_by_regular_grid,
    panels_for_count,
    panels_from_images,
    panels_from_pixels,
    panels_from_plot_bodies,
    panels_without_letters,
    reading_order,
    seam_strength,
    xy_cut,
)
from litclip.corpus.extract.regions import Element

FIG = (0.0, 0.0, 400.0, 300.0)  # page box of an 800 x 600 preview: 2 px per point


def photo(h: int, w: int, mean: float, seed: int) -> np.ndarray:
    """A smooth seeded texture (a few random waves plus noise), like a photograph."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.full((h, w), float(mean))
    for _ in range(4):
        fy, fx = rng.uniform(0.01, 0.06, 2)
        img += rng.uniform(10, 25) * np.sin(fy * yy + fx * xx + rng.uniform(0, 6))
    img += rng.normal(0, 3, (h, w))
    return np.clip(img, 0, 255).astype(np.uint8)


def blob(h: int, w: int, seed: int) -> np.ndarray:
    """A bright textured ellipse on black (a specimen photographed on a black cloth)."""
    yy, xx = np.mgrid[0:h, 0:w]
    inside = ((yy - h / 2) / (h / 2)) ** 2 + ((xx - w / 2) / (w / 2)) ** 2 <= 1
    return np.where(inside, photo(h, w, 150, seed), 3).astype(np.uint8)


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _assert_panels(boxes: list, pixel_boxes: list, min_iou: float) -> None:
    """``boxes`` (points, FIG is half the pixel size) match ``(y0, y1, x0, x1)`` pixel boxes."""
    assert len(boxes) == len(pixel_boxes)
    ordered = sorted(boxes, key=lambda b: (b[1], b[0]))
    for (y0, y1, x0, x1), b in zip(pixel_boxes, ordered, strict=True):
        assert iou(b, (x0 / 2, y0 / 2, x1 / 2, y1 / 2)) > min_iou


def test_abutting_photos_split_at_seams_when_the_caption_names_them() -> None:
    gray = np.empty((600, 800), np.uint8)
    tiles = [(0, 280, 0, 420), (0, 280, 420, 800), (280, 600, 0, 420), (280, 600, 420, 800)]
    for i, (y0, y1, x0, x1) in enumerate(tiles):
        gray[y0:y1, x0:x1] = photo(y1 - y0, x1 - x0, (70, 170, 110, 40)[i], i)
    # the last one is two specimens on black: its own dark rows must not split it
    gray[280:600, 420:800] = 3
    gray[300:420, 440:780] = blob(120, 340, 8)
    gray[460:580, 440:780] = blob(120, 340, 9)
    assert panels_from_pixels(gray, FIG) == []  # no white gutter
    _assert_panels(panels_for_count(gray, FIG, 4), tiles, 0.95)


def test_specimens_on_black_split_at_dark_gutters() -> None:
    gray = np.full((600, 800), 3, np.uint8)
    spots = [(30, 270, 30, 380), (30, 270, 420, 770), (320, 570, 40, 260), (320, 570, 300, 480)]
    spots.append((320, 570, 520, 760))
    for i, (y0, y1, x0, x1) in enumerate(spots):
        gray[y0:y1, x0:x1] = blob(y1 - y0, x1 - x0, i)
    gray[5:8, :] = 255  # a thin white frame line at the top must not matter
    _assert_panels(panels_for_count(gray, FIG, 5), spots, 0.9)


def test_one_photo_on_black_is_not_split_for_panels_named_elsewhere() -> None:
    # an X-ray on black whose caption names (a)-(c) for other figures' parts: no cut gives 3
    gray = np.full((600, 800), 3, np.uint8)
    gray[60:540, 150:650] = blob(480, 500, 7)
    gray[300:304, 150:650] = 3  # a dark line across the bone is not a gutter between panels
    assert panels_for_count(gray, FIG, 3) == []
    assert panels_for_count(gray, FIG, 1) == []


def _grid_on_black() -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A 3 x 2 grid of micrographs: photos on the left with white gutters between them,
    diffraction patterns on black on the right that abut with no line between them."""
    gray = np.full((600, 800), 255, np.uint8)
    cells = [(y0, y0 + 196, x0, x0 + 396) for y0 in (0, 202, 404) for x0 in (0, 404)]
    for i, (y0, y1, x0, x1) in enumerate(cells):
        if x0 == 0:
            gray[y0:y1, x0:x1] = photo(y1 - y0, x1 - x0, (90, 150, 120)[i // 2], i)
    gray[:, 404:] = 3  # one black field: the right column shows no gutter at all
    for y0, y1, x0, x1 in cells[1::2]:
        gray[y0 + 40 : y1 - 40, x0 + 100 : x1 - 100] = blob(y1 - y0 - 80, x1 - x0 - 200, y0)
    return gray, cells


def test_a_grid_of_pictures_abutting_on_black_is_cut_at_its_neighbours_lines() -> None:
    gray, cells = _grid_on_black()
    boxes = panels_for_count(gray, FIG, 6)
    assert len(boxes) == 6
    for y0, y1, x0, x1 in cells:
        assert max(iou(b, (x0 / 2, y0 / 2, x1 / 2, y1 / 2)) for b in boxes) > 0.9
    # the line must be dark across the merged part: a bright picture spanning two rows of
    # its neighbours is one picture
    gray[:, 404:] = photo(600, 396, 160, 11)
    assert len(panels_for_count(gray, FIG, 6)) != 6


def test_complete_grid_needs_a_full_grid_of_the_count() -> None:
    gray = np.full((600, 800), 3, np.uint8)
    left = [(0.0, 0.0, 200.0, 98.0), (0.0, 101.0, 200.0, 199.0), (0.0, 202.0, 200.0, 300.0)]
    boxes = [*left, (202.0, 0.0, 400.0, 300.0)]  # one tall part beside three
    assert len(complete_grid(gray, boxes, FIG, 6)) == 6
    assert complete_grid(gray, boxes, FIG, 5) == []  # 3 rows x 2 columns is not 5
    assert complete_grid(gray, boxes, FIG, 4) == []  # already 4 parts: nothing to complete
    assert complete_grid(np.full_like(gray, 200), boxes, FIG, 6) == []  # light: one picture


def _plot(gray: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
    """A small scatter plot: an L of axes and a few dots."""
    gray[y0:y1, x0 : x0 + 2] = 0
    gray[y1 - 2 : y1, x0:x1] = 0
    for k in range(5):
        y, x = y0 + 10 + 13 * k % (y1 - y0 - 20), x0 + 10 + 17 * k % (x1 - x0 - 20)
        gray[y : y + 4, x : x + 4] = 60


def test_rows_of_small_plots_are_the_panels_a_caption_names() -> None:
    # four rows (A-D, letters in the margin outside the figure) of 3-5 plots each, too small
    # to be panels themselves; a title row above the first and an axis arrow under the last
    gray = np.full((600, 800), 255, np.uint8)
    gray[10:20, 100:700] = 0  # column titles
    rows = [(30, 150, 3), (180, 300, 4), (330, 450, 3), (480, 570, 5)]
    for y0, y1, n in rows:
        step = 780 // n
        for k in range(n):
            _plot(gray, y0, y1, 10 + k * step, 10 + k * step + step - 30)
    gray[584:586, 20:760] = 0  # the arrow under the last row
    assert len(panels_from_pixels(gray, FIG)) != 4  # its leaves are plots, not rows
    bands = panels_by_bands(gray, FIG, 4)
    assert len(bands) == 4
    tops = sorted(b[1] for b in bands)
    assert tops == pytest.approx([5, 90, 165, 240], abs=1)  # the title row joined A
    assert sorted(b[3] for b in bands)[-1] == pytest.approx(293, abs=1)  # the arrow joined D
    assert panels_by_bands(gray, FIG, 3) == []  # a count no cut gives: nothing
    assert panels_by_bands(gray, FIG, 1) == []


def test_a_small_drawing_far_over_a_chart_is_a_panel_of_its_own() -> None:
    """NEURON's Figure 2: "A." a dendrite drawn as a thin bar with a synapse under it, a
    chart's height over "B." the synapse's conductance curve. The drawing is thin beside
    the chart, but no label row: it stands farther from the chart than half the chart's
    height, so the two are the panels the caption names."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[20:30, 40:700] = 0  # the dendrite
    gray[30:80, 300:304] = 0  # the synapse's stem
    gray[330:590, 60:62] = gray[588:590, 60:760] = 0  # the chart's axes
    xs = np.arange(62, 760)
    gray[(560 - 200 * np.exp(-(((xs - 250) / 120.0) ** 2))).astype(int), xs] = 0  # its curve
    bands = panels_by_bands(gray, FIG, 2)
    assert [round(b[1]) for b in bands] == [10, 180]
    gray[20:80] = 255
    gray[300:310, 100:700] = 0  # a title row close over the chart joins it
    assert panels_by_bands(gray, FIG, 2) == []


def test_two_views_on_black_stay_one_image_without_named_panels() -> None:
    gray = np.full((600, 800), 3, np.uint8)
    gray[50:550, 40:380] = blob(500, 340, 1)
    gray[50:550, 420:760] = blob(500, 340, 2)
    assert panels_from_pixels(gray, FIG) == []  # the plain white-gutter cut (no caption names)
    assert len(xy_cut(gray)) == 1


def _instruments_with_shadow() -> np.ndarray:
    """Two drawn forceps (a straight tube, jaws at its left end) on white, lettered a and b,
    in a frame whose drop shadow runs down the right side and along the bottom."""
    gray = np.full((400, 800), 255, np.uint8)
    for top in (60, 220):
        gray[top : top + 30, 100:770] = 60  # the tube: a straight edge across most rows
        gray[top - 20 : top + 60, 10:100] = 90  # the jaws reach past both of its sides
        gray[top + 64 : top + 84, 20:40] = 30  # its letter
    gray[:, 780:] = 150  # every row crosses the shadow: no line is blank end to end
    gray[385:, :] = 150
    return gray


def test_a_drawings_straight_edge_is_no_seam() -> None:
    # a seam is where two pictures meet; a tube's edge has the white background on one side
    gray = _instruments_with_shadow()
    for y0, y1, _x0, _x1 in xy_cut(gray, uniform=0.98):
        assert y1 <= 200 or y0 <= 200 < 280 <= y1  # the lower forceps is never cut through
    boxes = panels_for_count(gray, (0.0, 0.0, 400.0, 200.0), 2)  # 2 px a point
    assert len(boxes) == 2
    upper, lower = sorted(boxes, key=lambda b: b[1])
    assert 144 / 2 <= upper[3] == lower[1] <= 200 / 2  # cut in the white between them


def test_a_count_reached_by_overlapping_parts_is_no_partition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # plots that abut, cut at one frame line: a crumb joined across the other panel
    from litclip.corpus.extract import panels

    found = {
        0.98: [(0.0, 0.0, 300.0, 200.0), (240.0, 20.0, 400.0, 200.0)],  # overlap 60 x 180
        0.95: [(0.0, 0.0, 200.0, 200.0), (200.0, 0.0, 400.0, 200.0)],
    }
    monkeypatch.setattr(panels, "panels_from_pixels", lambda g, box, share, s: found.get(share, []))
    gray = np.full((400, 800), 255, np.uint8)
    assert panels.panels_for_count(gray, (0.0, 0.0, 400.0, 200.0), 2) == found[0.95]


@pytest.mark.parametrize("noise", [3, 60])  # smooth photos, and a texture busy everywhere
def test_seam_field_equals_seam_strength_of_each_box(noise: int) -> None:
    """The image-wide steps give exactly the strengths computed on each box alone."""
    rng = np.random.default_rng(noise)
    img = np.hstack([photo(120, 90, 80, 1), photo(120, 70, 170, 2)]).astype(np.int16)
    img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    field = SeamField(img)
    boxes = [(0, 120, 0, 160), (5, 60, 3, 150), (0, 120, 80, 100), (10, 11, 0, 160), (0, 3, 0, 4)]
    for _ in range(30):
        y0, x0 = int(rng.integers(0, 119)), int(rng.integers(0, 159))
        boxes.append((y0, int(rng.integers(y0 + 1, 121)), x0, int(rng.integers(x0 + 1, 161))))
    for y0, y1, x0, x1 in boxes:
        for axis in (0, 1):
            expected = seam_strength(img[y0:y1, x0:x1], axis)
            assert np.array_equal(field.strength((y0, y1, x0, x1), axis), expected)
    if noise < 10:  # the seam between the photos stands out of smooth photos
        assert field.strength((0, 120, 0, 160), 0)[88] >= 0.6


def test_reading_order_rows_left_to_right() -> None:
    grid = [(210, 160, 400, 300), (0, 0, 190, 140), (0, 160, 190, 300), (210, 0, 400, 140)]
    assert reading_order(grid) == [grid[1], grid[3], grid[2], grid[0]]
    # a short photo beside a tall one on one baseline: one row, left first
    short, tall = (0, 160, 190, 300), (210, 0, 400, 300)
    assert reading_order([tall, short]) == [short, tall]
    # a tall panel at the left of two stacked ones reads first
    left, top_right, bottom_right = (0, 0, 190, 300), (210, 0, 400, 140), (210, 160, 400, 300)
    assert reading_order([top_right, bottom_right, left]) == [left, top_right, bottom_right]


def test_small_parts_join_the_one_panel_they_belong_to() -> None:
    """An axis title under one panel joins it; a title spanning both panels joins neither."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[40:400, 20:380] = photo(360, 360, 110, 1)
    gray[40:400, 420:780] = photo(360, 360, 120, 2)
    gray[410:430, 120:280] = 0  # under the left panel only (a thin strip: not a panel itself)
    gray[560:580, 100:700] = 0  # a title under both panels
    boxes = sorted(panels_from_pixels(gray, FIG), key=lambda b: b[0])
    _assert_panels(boxes, [(40, 430, 20, 380), (40, 400, 420, 780)], 0.97)


def test_tick_labels_join_the_nearer_of_two_panels() -> None:
    """A column of tick labels 8 px from one panel and 20 px from the other is the first's."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[40:560, 20:385] = photo(520, 365, 110, 3)
    gray[100:500, 405:470] = 0  # the labels: too narrow to be a panel
    gray[40:560, 478:780] = photo(520, 302, 120, 4)
    boxes = sorted(panels_from_pixels(gray, FIG), key=lambda b: b[0])
    _assert_panels(boxes, [(40, 560, 20, 385), (40, 560, 405, 780)], 0.97)


def test_section_letters_head_groups_of_plots() -> None:
    """ "A" over one row of two plots and "B" over two rows of three: two panels."""
    row_a = [(40.0, 20.0, 190.0, 120.0), (200.0, 20.0, 350.0, 120.0)]
    rows_b = [
        (40.0 + 110 * i, 160.0 + 110 * j, 140.0 + 110 * i, 260.0 + 110 * j)
        for j in (0, 1)
        for i in (0, 1, 2)
    ]
    letters = [("A", (10.0, 10.0, 18.0, 20.0)), ("B", (10.0, 150.0, 18.0, 160.0))]
    assert group_by_letters(row_a + rows_b, letters) == [
        (40.0, 20.0, 350.0, 120.0),
        (40.0, 160.0, 360.0, 370.0),
    ]
    # a letter heading nothing, or a plot under no letter: no grouping
    assert group_by_letters(row_a, letters) == []
    assert group_by_letters([(0.0, 0.0, 30.0, 30.0), *row_a], letters[:1]) == []


def test_a_letter_beside_the_top_of_its_drawing_heads_it() -> None:
    """RayFlare's Figure 1: "a)" over a drawing cut in two at a gap (sheets over an exit
    ray), and "b)" level with "a)" but 10 pt down into its taller drawing, beside its top.
    Of letters level with each other, the one nearest the box heads it: two panels."""
    parts = [
        (125.5, 566.4, 272.5, 641.8),
        (126.4, 647.3, 272.5, 680.9),
        (304.6, 555.8, 493.0, 661.6),
    ]
    letters = [("A", (125.5, 566.2, 134.9, 576.5)), ("B", (307.9, 565.4, 317.3, 575.6))]
    assert group_by_letters(parts, letters) == [(125.5, 566.4, 272.5, 680.9), parts[2]]
    # a letter halfway down a box heads none of it
    low = [("A", (125.5, 566.2, 134.9, 576.5)), ("B", (307.9, 620.0, 317.3, 630.2))]
    assert group_by_letters(parts, low) == []


def test_a_framed_chart_is_not_split_at_the_gaps_between_its_markers() -> None:
    # a chart boxed by its axes: two series of square markers, with white rows only a few
    # pixels tall between them once the frame is cleared
    gray = np.full((600, 800), 255, np.uint8)
    gray[20:22, 60:780] = gray[578:580, 60:780] = 0  # top and bottom of the frame
    gray[20:580, 60:62] = gray[20:580, 778:780] = 0  # its sides
    for k in range(40):
        y = 40 + 13 * k  # 10-px markers every 13 px: 3-px white rows between them
        gray[y : y + 10, 700:710] = 60
        gray[300:310, 80 + 15 * k : 90 + 15 * k] = 60
    assert panels_from_pixels(gray, FIG) == []
    # two plots in one frame with a real gutter between them are still two panels
    gray[150:450, 62:778] = 255
    _plot(gray, 40, 280, 80, 760)
    _plot(gray, 320, 560, 80, 760)
    gray[20:580, 60:62] = gray[20:580, 778:780] = 0
    assert len(panels_from_pixels(gray, FIG)) == 2


def test_dark_scans_at_the_box_edges_are_no_frame() -> None:
    """TractSeg's Figure 3: brain renderings on black, set side by side 3 px apart, fill
    the box to its edges. Their dark sides are no frame line around the panels (which
    would ask for a gutter of 1 % of the box, 8 px here): three panels. A thin frame drawn
    round the same row still asks for the wider gutter, as the framed chart above does."""
    gray = np.full((300, 800), 255, np.uint8)
    for x0, x1 in ((0, 264), (267, 532), (535, 800)):
        gray[:, x0:x1] = 20
        gray[100:200, x0 + 60 : x1 - 60] = 180  # the scan's lighter middle
    assert len(xy_cut(gray)) == 3
    framed = np.full((320, 820), 255, np.uint8)
    framed[20:300, 20:800] = gray[:280, :780]  # the same scans, 8 px in from a frame
    framed[10:12, 10:810] = framed[308:310, 10:810] = 0  # a frame 2 px thick
    framed[10:310, 10:12] = framed[10:310, 808:810] = 0
    assert len(xy_cut(framed)) == 1


def test_panels_stacked_between_hairlines_in_a_frame() -> None:
    """SnpEff's Fly article, Figure 4: a framed picture of panels A to C stacked between
    hairlines, each of lines of aligned sequence whose white gaps are as wide as any
    between the panels. The rules name the stretches; the gaps between lines do not."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[0:2, :] = gray[598:600, :] = 0  # the frame
    gray[:, 0:2] = gray[:, 798:800] = 0
    gray[270:272, 2:798] = 0  # hairlines between the panels
    gray[480:482, 2:798] = 0
    for top, bottom in ((20, 250), (290, 470), (500, 580)):  # lines of text, 12 px apart
        for y in range(top, bottom - 8, 20):
            gray[y : y + 8, 40:760] = 40
    panels = panels_between_rules(gray, FIG, 3)
    assert [(round(b[1]), round(b[3])) for b in panels] == [(10, 124), (145, 229), (250, 284)]
    assert panels_between_rules(gray, FIG, 2) == []  # the rules give 3, not 2
    # a photo's dark streak top to bottom, photo on both sides, is no rule (CUDA's blurred
    # painting, whose caption names "(a)" and "(b)")
    photo = np.random.default_rng(3).integers(100, 256, (600, 800)).astype(np.uint8)
    photo[:, 500:502] = 10
    assert panels_between_rules(photo, FIG, 2) == []
    gray[270:272] = gray[480:482] = 255
    gray[:, 0:2] = gray[:, 798:800] = 0
    assert panels_between_rules(gray, FIG, 3) == []  # a frame alone is no rule


def _image(box: tuple[float, float, float, float]) -> Element:
    return Element(box, "image")


def test_bars_filled_with_pictures_are_not_panels() -> None:
    """An office chart fills its bars with gradient pictures: narrow, one width, one
    baseline, different heights. Photos set side by side on one baseline stay panels."""
    fig = (300.0, 440.0, 570.0, 584.0)
    bars = [_image((x, top, x + 33.6, 559.7)) for x, top in ((362, 550), (436, 483), (510, 468))]
    assert panels_from_images(bars, fig) == []
    photos = [_image((105.0, 461.0, 292.0, 586.0)), _image((303.0, 305.0, 490.0, 586.0))]
    assert len(panels_from_images(photos, (100.0, 300.0, 495.0, 600.0))) == 2
    same = [_image((x, 468.0, x + 33.6, 559.7)) for x in (362.0, 436.0, 510.0)]
    assert len(panels_from_images(same, (340.0, 460.0, 560.0, 570.0))) == 3


def test_pictures_laid_over_each_other_are_one_collage() -> None:
    """GenABEL's Figure 6.7: four blurred quadrants of colour and a fifth blob over their
    meeting point, each a picture of its own, under a diagram's labels. Nothing names
    panels and the pictures overlap: one figure, not five crossing crops. Pictures set
    apart stay panels."""
    fig = (151.0, 136.0, 414.0, 331.0)
    quadrants = [
        (152.8, 136.1, 282.9, 233.4),
        (282.9, 136.1, 413.9, 233.4),
        (151.2, 232.6, 282.1, 330.8),
        (282.1, 233.4, 413.1, 330.8),
    ]
    blob = (188.8, 178.6, 333.7, 277.6)
    assert panels_from_images([_image(b) for b in [*quadrants, blob]], fig) == []
    apart = [(152.8, 136.1, 278.0, 229.0), (287.0, 136.1, 413.9, 229.0)]
    assert len(panels_from_images([_image(b) for b in apart], fig)) == 2


def test_a_grid_of_small_pictures_set_apart_is_its_panels() -> None:
    """WebbPSF's Figure 20: nine PSF images in a 3x3 grid, each a twentieth of the figure
    (their axes, titles and colour bars are drawn around them). Pictures a gutter apart
    that together fill much of the figure are its panels, though each is small. A few of
    them (icons in a diagram, a fifth of it) are not, nor are MRI slices set edge to edge
    in a model's overview (tiles of its tables, 0.4 pt apart)."""
    fig = (111.6, 365.8, 510.4, 647.9)
    cells = [(x, y) for y in (386.0, 477.0, 567.0) for x in (134.0, 268.0, 402.0)]
    grid = [_image((x, y, x + 75.6, y + 75.6)) for x, y in cells]
    assert len(panels_from_images(grid, fig)) == 9
    assert panels_from_images(grid[:4], fig) == []
    tiles = [
        _image((40.4 * i, 40.4 * j, 40.4 * i + 40.0, 40.4 * j + 40.0))
        for i in range(8)
        for j in range(3)
    ]
    assert panels_from_images(tiles, (0.0, 0.0, 400.0, 130.0)) == []


def _drawing(gray: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
    """An outlined drawing with a curve inside (pixels of an 800 x 600 preview)."""
    gray[y0:y1, x0 : x0 + 2] = gray[y0:y1, x1 - 2 : x1] = 0
    gray[y0 : y0 + 2, x0:x1] = gray[y1 - 2 : y1, x0:x1] = 0
    for x in range(x0 + 10, x1 - 10):
        y = y0 + (y1 - y0) // 2 + int(0.3 * (y1 - y0) * np.sin((x - x0) / 15))
        gray[y : y + 3, x] = 0


def test_like_drawings_side_by_side_are_panels() -> None:
    """luadraw's and earth's figures: two drawings of one size side by side, a gutter apart,
    nothing naming them. They are two panels; so is a grid of four. Drawings of all sizes
    (a flow chart's parts), drawings stacked one over the other (a chart's tracks over one
    axis), drawings a line or an arrow joins and drawings a hair apart stay one figure."""
    from litclip.corpus.extract.panels import like_parts_side_by_side

    pair = np.full((600, 800), 255, np.uint8)
    _drawing(pair, 100, 500, 40, 380)
    _drawing(pair, 100, 500, 420, 760)
    parts = like_parts_side_by_side(pair, FIG)
    assert len(parts) == 2
    assert iou(parts[0], (20.0, 50.0, 190.0, 250.0)) > 0.9
    grid = np.full((600, 800), 255, np.uint8)
    for y0 in (20, 320):
        for x0 in (40, 420):
            _drawing(grid, y0, y0 + 260, x0, x0 + 340)
    assert len(like_parts_side_by_side(grid, FIG)) == 4
    row = np.full((600, 800), 255, np.uint8)  # three in a row: the middle one is no link
    for x0 in (20, 290, 560):
        _drawing(row, 200, 420, x0, x0 + 220)
    assert len(like_parts_side_by_side(row, FIG)) == 3
    sizes = np.full((600, 800), 255, np.uint8)
    _drawing(sizes, 100, 500, 40, 380)
    _drawing(sizes, 200, 400, 420, 600)
    assert like_parts_side_by_side(sizes, FIG) == []
    stacked = np.full((600, 800), 255, np.uint8)
    _drawing(stacked, 20, 280, 40, 760)
    _drawing(stacked, 320, 580, 40, 760)
    assert like_parts_side_by_side(stacked, FIG) == []
    joined = pair.copy()
    joined[300:302, 380:420] = 0
    assert like_parts_side_by_side(joined, FIG) == []
    arrow = pair.copy()  # an arrow from one box to the other, its ends clear of both
    arrow[150:153, 386:414] = 0
    assert like_parts_side_by_side(arrow, FIG) == []
    close = np.full((600, 800), 255, np.uint8)
    _drawing(close, 100, 500, 40, 395)
    _drawing(close, 100, 500, 405, 760)  # 10 px apart: 5 pt
    assert like_parts_side_by_side(close, FIG) == []


def _drawings(*boxes: tuple[int, int, int, int]) -> np.ndarray:
    """An 800 x 600 preview of outlined drawings, one per ``(y0, y1, x0, x1)``."""
    gray = np.full((600, 800), 255, np.uint8)
    for y0, y1, x0, x1 in boxes:
        _drawing(gray, y0, y1, x0, x1)
    return gray


def test_a_grid_of_plots_loosely_of_one_size_is_its_panels() -> None:
    """Cpp-Taskflow's Figures 8, 15 and 17: a 2 x 2 grid of titled plots whose glyphs are
    paths (no axis scale is read), 5 pt apart, their sizes within a fifth of each other
    (titles and legends of different lengths). A full grid is its panels, though a pair that
    near stays one drawing; a grid with a part of another size entirely stays one too."""
    from litclip.corpus.extract.panels import like_parts_side_by_side

    first = [(10, 280, 10, 390), (10, 250, 400, 790), (300, 590, 10, 360)]
    grid = _drawings(*first, (300, 560, 370, 790))
    assert len(like_parts_side_by_side(grid, FIG)) == 4
    uneven = _drawings(*first, (300, 400, 370, 500))
    assert like_parts_side_by_side(uneven, FIG) == []


def test_pictures_on_a_backdrop_are_the_panels_the_caption_counts() -> None:
    """JFMS sets four photos of forceps on one drop-shadow picture ("(a) ...; (b) ...;
    (c) ...; (d) ..."): the four are the panels, not overlays on a single picture. An inset
    on a photo stays an overlay, and so do pictures the caption does not count."""
    fig = (252.0, 298.0, 360.0, 656.0)
    backdrop = _image((252.0, 298.0, 360.0, 661.0))
    forceps = [
        _image(b)
        for b in (
            (264.0, 304.0, 298.0, 469.0),
            (312.0, 306.0, 342.0, 469.0),
            (264.0, 478.0, 296.0, 646.0),
            (310.0, 479.0, 343.0, 646.0),
        )
    ]
    assert len(panels_from_images([backdrop, *forceps], fig, 4)) == 4
    assert panels_from_images([backdrop, *forceps], fig) == []  # nothing counts them
    assert panels_from_images([backdrop, *forceps], fig, 2) == []
    photo = _image((100.0, 100.0, 400.0, 400.0))
    insets = [_image((110.0, 110.0, 190.0, 190.0)), _image((310.0, 310.0, 390.0, 390.0))]
    assert panels_from_images([photo, *insets], (100.0, 100.0, 400.0, 400.0), 2) == []


def _plot_grid(rows: int, cols: int) -> np.ndarray:
    """An 800 x 600 rendering of ``rows`` x ``cols`` small plots, 200 px a row, 260 a column:
    each a frame, tick labels under and left of it, and an axis title."""
    gray = np.full((600, 800), 255, np.uint8)
    for row in range(rows):
        for col in range(cols):
            y0, x0 = 20 + 200 * row, 40 + 260 * col
            gray[y0, x0 : x0 + 170] = gray[y0 + 110, x0 : x0 + 170] = 0  # the frame
            gray[y0 : y0 + 110, x0] = gray[y0 : y0 + 110, x0 + 170] = 0
            for k in range(4):  # tick labels under the frame and left of it
                gray[y0 + 120 : y0 + 128, x0 + 10 + 45 * k : x0 + 18 + 45 * k] = 0
                gray[y0 + 10 + 30 * k : y0 + 18 + 30 * k, x0 - 20 : x0 - 12] = 0
            gray[y0 + 145 : y0 + 153, x0 + 50 : x0 + 120] = 0  # the axis title
    return gray


def test_as_many_pictures_as_sub_captions_are_the_panels_however_small() -> None:
    """A thesis template's subfig example: six pictures of a frog, (a) to (f) printed under
    each, the caption naming none. Four are under the panel size of the figure; all six
    are its panels. Without a count, small pictures are no panels (icons beside a photo)."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.subcaptions import SubCaption

    fig = (101.0, 284.3, 511.0, 636.0)
    frogs = [
        (221.2, 284.3, 268.0, 326.7),
        (344.0, 284.3, 390.8, 326.7),
        (235.8, 364.4, 376.2, 491.7),
        (101.0, 552.7, 168.9, 614.2),
        (259.2, 529.3, 352.8, 614.2),
        (443.1, 552.7, 511.0, 614.2),
    ]
    subs = [
        SubCaption(c, c, f"frog{k}.", (b[0], b[3] + 6.0, b[0] + 40.0, b[3] + 14.0))
        for k, (c, b) in enumerate(zip("abcdef", frogs, strict=True), start=1)
    ]
    job = PanelJob(0, fig, [Element(b, "image") for b in frogs], [])
    blank = np.full((704, 820), 255, dtype=np.uint8)
    assert sorted(_panel_boxes(job, 0, [], subs, lambda: blank)) == sorted(frogs)
    assert sorted(panels_from_images(job.images, fig, 6)) == sorted(frogs)
    assert panels_from_images(job.images, fig) == []
    assert panels_from_images(job.images, fig, 5) == []


def _spectrum(gray: np.ndarray, y0: int, y1: int, x0: int, x1: int, seed: int) -> None:
    """A mass spectrum that falls apart at any gutter: peaks and their labels over tick
    marks (no axis line), a title over it."""
    rng = np.random.default_rng(seed)
    for x in range(x0, x1, 40):
        gray[y1 - 2 : y1, x : x + 3] = 0
    for x in rng.integers(x0 + 40, x1 - 20, 6):
        top = int(rng.integers(y0 + 10, y1 - 30))
        gray[top : y1 - 2, x : x + 2] = 0
        gray[top - 12 : top - 6, x - 8 : x + 8] = 40
    gray[y0 - 14 : y0 - 8, x0 : x0 + 60] = 40


def test_panel_letters_marked_as_such_give_the_count_a_continued_caption_does_not() -> None:
    """Polymers 2013, Figure 1 continued: spectra (b) and (c) stacked on one page, under a
    caption "Figure 1. Cont. ... (a) ... (d)", which names four panels, two of them on
    another page, so it gives no count. The letters "(b)" and "(c)" printed under the
    spectra do; bare letters ("A", "B" on a chart's points, a graph's nodes "a" to "d")
    give none."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.text import TextLine

    gray = np.full((600, 800), 255, np.uint8)
    _spectrum(gray, 40, 250, 40, 760, 1)
    _spectrum(gray, 340, 550, 40, 760, 2)
    gray[262:276, 390:410] = gray[562:576, 390:410] = 0  # the letters' ink
    for marks, found in ((("(b)", "(c)"), 2), (("b", "c"), 0)):
        lines = [
            TextLine(marks[0], (195.0, 131.0, 205.0, 138.0), 9.0),
            TextLine(marks[1], (195.0, 281.0, 205.0, 288.0), 9.0),
        ]
        job = PanelJob(0, FIG, [], lines)
        letters = letter_lines(lines, FIG)
        assert len(letters) == 2
        assert len(_panel_boxes(job, 0, letters, [], lambda: gray)) == found, marks


def test_marked_letters_that_give_the_count_head_their_parts_first() -> None:
    """RayFlare's Figure 1 (its caption names no count): "a)" over a drawing cut in two at
    a gap, "b)" beside the top of a taller one. The letters give the count, 2, and head the
    three parts; the search for 2 panels by gutters alone would cut elsewhere."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.text import TextLine

    fig = (120.0, 550.0, 500.0, 690.0)
    parts = [
        (125.5, 566.4, 272.5, 641.8),
        (126.4, 647.3, 272.5, 680.9),
        (304.6, 555.8, 493.0, 661.6),
    ]
    scale = 800 / (fig[2] - fig[0])
    gray = np.full((round((fig[3] - fig[1]) * scale), 800), 255, np.uint8)
    for b in parts:  # each drawing a box with a line across its middle
        x0, y0 = int((b[0] - fig[0]) * scale), int((b[1] - fig[1]) * scale)
        x1, y1 = int((b[2] - fig[0]) * scale), int((b[3] - fig[1]) * scale)
        gray[y0:y1, x0 : x0 + 2] = gray[y0:y1, x1 - 2 : x1] = 0
        gray[y0 : y0 + 2, x0:x1] = gray[y1 - 2 : y1, x0:x1] = gray[(y0 + y1) // 2, x0:x1] = 0
    lines = [
        TextLine("a)", (125.5, 566.2, 134.9, 576.5), 9.0),
        TextLine("b)", (307.9, 565.4, 317.3, 575.6), 9.0),
    ]
    letters = letter_lines(lines, fig)
    panels = _panel_boxes(PanelJob(0, fig, [], lines), 0, letters, [], lambda: gray)
    want = [(125.5, 566.4, 272.5, 680.9), (304.6, 555.8, 493.0, 661.6)]
    assert len(panels) == 2
    for got, box in zip(panels, want, strict=True):
        assert got == pytest.approx(box, abs=1.0)


def test_more_marked_letters_than_the_caption_names_are_the_panels() -> None:
    """moltemplate's Figure 4: three molecule pictures in a row, "a)", "b)" and "c)" printed
    beside them; the caption names "(a) and (b)" in one sentence and "(c)" in another, so
    it names 2. The three printed letters, each once, are the panels."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.text import TextLine

    fig = (128.0, 86.0, 482.0, 123.0)
    pictures = [
        (142.7, 86.2, 156.1, 120.2),
        (184.5, 98.9, 228.4, 120.2),
        (255.4, 103.1, 482.2, 120.2),
    ]
    lines = [
        TextLine(mark, (x, 110.0, x + 9.0, 118.0), 9.0)
        for mark, x in (("a)", 128.5), ("b)", 172.0), ("c)", 243.0))
    ]
    job = PanelJob(0, fig, [Element(b, "image") for b in pictures], lines)
    letters = letter_lines(lines, fig)
    blank = np.full((84, 800), 255, np.uint8)
    assert sorted(_panel_boxes(job, 2, letters, [], lambda: blank)) == sorted(pictures)
    bare = [TextLine(ln.text[0], ln.bbox, ln.size) for ln in lines]  # "a", "b", "c"
    job = PanelJob(0, fig, [Element(b, "image") for b in pictures], bare)
    assert len(_panel_boxes(job, 2, letter_lines(bare, fig), [], lambda: blank)) != 3


def test_letters_painted_out_free_the_gutter_and_join_the_panels_they_head() -> None:
    """PNAS's MERFISH Figure 5: the "B" set at the heatmap's top left stands over the
    gutter between panel A's plots and the heatmap. With the letters painted out the
    panels are cut; each letter then joins the panel whose top left it is nearest."""
    gray = np.full((600, 800), 255, np.uint8)
    rng = np.random.default_rng(5)
    for y0, y1, x0, x1 in ((0, 560, 30, 400), (40, 560, 440, 780)):  # dense plots, framed
        gray[y0:y1, x0 : x0 + 2] = gray[y0:y1, x1 - 2 : x1] = 0
        gray[y0 : y0 + 2, x0:x1] = gray[y1 - 2 : y1, x0:x1] = 0
        inner = gray[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4]
        inner[rng.random(inner.shape) < 0.3] = 90
    gray[0:30, 0:24] = gray[0:30, 404:436] = 0  # "A", and "B" over the gutter
    letters = [("A", (0.0, 0.0, 12.0, 15.0)), ("B", (202.0, 0.0, 218.0, 15.0))]
    left, right = panels_without_letters(gray, FIG, letters, 2)
    assert left[2] <= 201.0 and left[0] == 0.0  # A's panel takes "A", not "B"
    assert right[:2] == (202.0, 0.0)  # the right panel reaches up to its letter
    assert panels_without_letters(gray, FIG, letters, 3) == []  # two letters name two
    # two letters by one panel's corner: the panels cut for the count are not theirs
    stray = [("A", (0.0, 0.0, 12.0, 15.0)), ("B", (10.0, 200.0, 22.0, 215.0))]
    assert panels_without_letters(gray, FIG, stray, 2) == []


def test_a_grid_of_small_plots_grows_one_panel_per_plot_body() -> None:
    """A 3 x 3 grid of R plots: each cell falls apart into its frame, tick labels and axis
    title, none panel-sized; the frames seed the panels and the labels join them."""
    gray = _plot_grid(3, 3)
    assert panels_from_pixels(gray, FIG) == []  # no piece is panel-sized
    panels = panels_from_plot_bodies(gray, FIG)
    assert len(panels) == 9
    first = min(panels, key=lambda b: (b[1], b[0]))
    assert first == pytest.approx((10.0, 10.0, 105.0, 86.5), abs=1.0)  # frame, ticks, title


def test_a_picture_of_a_plot_grid_is_cut_into_its_plots() -> None:
    """TractSeg's supplementary figures are one PNG each of 3 x 5 matplotlib plots, unlettered,
    their scales in the pixels: one panel a plot. Two like halves (a diagram's two sides)
    stay one picture, and so do plots beside drawings the plots leave out."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes

    job = PanelJob(0, FIG, [Element(FIG, "image")], [])
    panels = _panel_boxes(job, 0, [], [], lambda: _plot_grid(3, 3))
    assert len(panels) == 9
    assert min(panels, key=lambda b: (b[1], b[0])) == pytest.approx(
        (10.0, 10.0, 105.0, 86.5), abs=1.0
    )
    assert _panel_boxes(job, 0, [], [], lambda: _plot_grid(1, 2)) == []
    beside = _plot_grid(3, 2)
    for top in (20, 220, 420):  # a drawing of dots right of each row of plots
        for y in range(top, top + 150, 12):
            for x in range(600, 760, 12):
                beside[y : y + 5, x : x + 5] = 0
    assert _panel_boxes(job, 0, [], [], lambda: beside) == []


def test_a_full_grid_of_plots_some_with_colour_bars_is_cut_into_its_plots() -> None:
    """plot3D's volcano figures: one picture of 3 x 3 plots, the last of each row (or a
    few here and there) with a colour bar beside it, so the plots differ in width by a
    fifth. A full grid of them set apart is still its plots. Three parts of all sizes are
    no grid, and the abutting cells of a scatterplot matrix are one plot."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.panels import full_grid, loose_grid

    job = PanelJob(0, FIG, [Element(FIG, "image")], [])
    bars = _plot_grid(3, 3)
    for row in range(3):
        y0, x0 = 20 + 200 * row, 40 + 260 * 2
        bars[y0 : y0 + 110, x0 + 178 : x0 + 192] = 60  # the colour bar
        for k in range(4):  # and its labels
            bars[y0 + 5 + 30 * k : y0 + 13 + 30 * k, x0 + 196 : x0 + 212] = 0
    assert len(_panel_boxes(job, 0, [], [], lambda: bars)) == 9
    assert full_grid([(0, 0, 10, 10), (20, 0, 34, 10), (0, 20, 12, 30), (20, 20, 30, 30)])
    assert not full_grid([(0, 0, 10, 10), (20, 0, 30, 10), (10, 20, 20, 30)])
    assert not full_grid([(0, 0, 10, 10), (20, 0, 30, 10), (40, 0, 50, 10)])  # one row
    # 2 x 2 plots 9 pt apart, one a fifth wider: a loose grid; a scatterplot matrix's
    # cells, under a point apart, are one plot
    apart = [(0, 0, 100, 80), (109, 0, 230, 80), (0, 89, 100, 169), (109, 89, 209, 169)]
    assert loose_grid(apart)
    matrix = [(0, 0, 100, 80), (101, 0, 222, 80), (0, 81, 100, 161), (101, 81, 201, 161)]
    assert full_grid(matrix) and not loose_grid(matrix)
    # gretl's four maps of the USA in four projections: one height, widths from 134 to 204
    # pt; parts that differ that much both ways are no grid of like plots
    maps = [(128, 435, 285, 526), (357, 435, 512, 526), (105, 542, 309, 633), (365, 540, 500, 633)]
    assert loose_grid(maps)
    skewed = [(0, 0, 100, 80), (109, 0, 269, 80), (0, 89, 100, 219), (109, 89, 209, 169)]
    assert not loose_grid(skewed)


def test_a_letter_printed_as_point_symbols_names_no_panel() -> None:
    """R's pch = "o" prints each point as the letter O: 33 of them are not 33 panels."""
    from litclip.corpus.extract.panels import letter_lines
    from litclip.corpus.extract.text import TextLine

    points = [TextLine("O", (10.0 + 7 * i, 50.0, 12.0 + 7 * i, 54.0), 4.0) for i in range(8)]
    marks = [
        TextLine("A", (2.0, 2.0, 8.0, 10.0), 9.0),
        TextLine("B", (102.0, 2.0, 108.0, 10.0), 9.0),
    ]
    found = letter_lines(points + marks, (0.0, 0.0, 200.0, 100.0))
    assert [letter for letter, _ in found] == ["A", "B"]


def test_letters_repeated_or_far_down_the_alphabet_name_no_panels() -> None:
    """A faceted plot's legend prints the subscripts "S", "D", "S" and the title "n" as lines
    of their own; each scan of a row is marked "R" on its right. Panels are lettered from A,
    once each: "B" and "C" stand even when "A" was not read."""
    from litclip.corpus.extract.panels import letter_lines
    from litclip.corpus.extract.text import TextLine

    def mark(letter: str, x: float, y: float) -> TextLine:
        return TextLine(letter, (x, y, x + 5.0, y + 8.0), 8.0)

    box = (0.0, 0.0, 500.0, 300.0)
    legend = [mark("S", 495, 133), mark("D", 495, 148), mark("S", 504, 163), mark("n", 470, 221)]
    assert letter_lines(legend, box) == []
    sides = [mark("R", 90 + 100 * i, 20) for i in range(3)]
    panels = [mark("a", 2, 2), mark("b", 102, 2), mark("c", 202, 2)]
    assert [letter for letter, _ in letter_lines(sides + panels, box)] == ["A", "B", "C"]
    assert [letter for letter, _ in letter_lines(panels[1:], box)] == ["B", "C"]


def test_panel_letters_are_told_from_smaller_group_letters_of_the_other_case() -> None:
    """enslyonstage's Figure 2: ggplot's bold 11.9 pt "A" to "H" over plots whose groups are
    marked "a" and "b" (7.7 pt) by a post-hoc test. Read as one set, "A" and "B" repeat and
    fell out with the group letters: the panels went unnamed. Panel letters are of one case
    and size; letters of one case and size that repeat still name nothing."""
    from litclip.corpus.extract.panels import letter_lines
    from litclip.corpus.extract.text import TextLine

    def mark(letter: str, x: float, y: float, size: float) -> TextLine:
        return TextLine(letter, (x, y, x + 0.7 * size, y + size), size)

    box = (0.0, 0.0, 500.0, 500.0)
    heads = [
        mark(c, 10 + 120 * (i % 4), 10 + 140 * (i // 4), 11.9) for i, c in enumerate("ABCDEFGH")
    ]
    groups = [mark(c, 60 + 30 * i, 60, 7.7) for i, c in enumerate("aabab")]
    assert [letter for letter, _ in letter_lines(groups + heads, box)] == list("ABCDEFGH")
    assert letter_lines(groups, box) == []
    # the same case in another size, or a size within a tenth: still one set
    mixed = [mark("A", 10, 10, 11.9), mark("B", 130, 10, 11.0), mark("A", 60, 60, 11.5)]
    assert [letter for letter, _ in letter_lines(mixed, box)] == ["B"]


def test_a_grid_of_sparse_plots_named_by_corner_is_cut_into_its_cells() -> None:
    """Four L-axis plots with a few dots each ("(top left) ... (bottom right)"): no cell is
    a panel-sized block of ink, but the full-length gutters make a 2 x 2 grid."""
    from litclip.corpus.extract.panels import panels_by_bands

    gray = np.full((200, 300), 255, np.uint8)
    for y0, x0 in ((10, 10), (10, 160), (110, 10), (110, 160)):
        gray[y0 : y0 + 80, x0] = 0  # y axis
        gray[y0 + 80, x0 : x0 + 120] = 0  # x axis
        for k in range(4):
            gray[y0 + 10 + 15 * k : y0 + 14 + 15 * k, x0 + 20 + 25 * k : x0 + 24 + 25 * k] = 0
    cells = panels_by_bands(gray, (0.0, 0.0, 300.0, 200.0), 4)
    assert sorted((round(b[0]), round(b[1])) for b in cells) == [
        (10, 10),
        (10, 110),
        (160, 10),
        (160, 110),
    ]
    assert len(panels_by_bands(gray, (0.0, 0.0, 300.0, 200.0), 2)) == 2  # rows or columns


def test_abutting_pictures_join_when_that_leaves_the_captions_count() -> None:
    """Panel a of four shows two views as two image objects edge to edge: with the caption
    naming four panels they are one; without a matching count they stay apart."""
    a_top, a_bottom = (172.5, 194.8, 319.1, 273.2), (172.5, 273.2, 319.1, 350.6)
    b, c, d = (
        (328.4, 193.9, 474.1, 364.1),
        (173.4, 376.6, 318.6, 551.0),
        (328.4, 376.6, 474.1, 551.4),
    )
    boxes = [a_top, a_bottom, b, c, d]
    joined = join_tiles(boxes, 4)
    assert sorted(joined) == sorted([(172.5, 194.8, 319.1, 350.6), b, c, d])
    assert join_tiles(boxes, 3) == boxes
    # pictures that touch without lining up are no tiles of one picture
    uneven = [(0.0, 0.0, 100.0, 50.0), (0.0, 50.0, 60.0, 100.0), (110.0, 0.0, 200.0, 100.0)]
    assert join_tiles(uneven, 2) == uneven


def _plates(size: tuple[int, int] = (400, 200)):  # noqa: ANN202 - a PIL image
    """Two panels no straight gutter parts: each a photo standing on a plate drawn in
    perspective, the right plate reaching under the left one's corner (no white line runs
    across the picture, nor down it, between them)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    d.rectangle((60, 20, 180, 152), fill=(120, 110, 90))  # each photo stands on its plate
    d.rectangle((260, 20, 380, 160), fill=(40, 40, 40))
    d.polygon([(20, 190), (190, 190), (215, 150), (45, 150)], fill=(230, 180, 60))
    d.polygon([(200, 197), (370, 197), (395, 157), (225, 157)], fill=(230, 180, 60))
    return img


def test_panels_no_gutter_parts_are_found_as_the_blobs_the_caption_counts(
    tmp_path: Path,
) -> None:
    from reportlab.pdfgen import canvas

    from litclip.corpus.extract import extract_pdf
    from tests.corpus.test_extract_layout import caption, image, make, paragraph

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        image(c, _plates(), (112, 110, 472, 290))
        caption(c, 72, 300, "Fig. 2.", ["(a) The back pad pattern, (b) the front pad pattern."])

    (fig,) = extract_pdf(make(tmp_path, "plates.pdf", draw)).figures
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "The back pad pattern"),
        ("B", "the front pad pattern."),
    ]
    a, b = (p.bbox for p in fig.panels)
    assert a[0] < 140 and 280 < a[2] < 310 and 280 < b[0] < 310 and b[2] > 440


def test_a_colour_key_beside_one_plot_is_no_panel() -> None:
    """A caption says "(left) ... (right)" of a figure that shows one plot and its colour
    key: the key, a narrow strip, is no panel of its own."""
    from litclip.corpus.extract.panels import panels_by_blobs

    gray = np.full((200, 400), 255, np.uint8)
    gray[20:180, 20:330] = 90  # the plot
    gray[20:180, 350:370] = 30  # its colour key
    assert panels_by_blobs(gray, (0.0, 0.0, 400.0, 200.0), [], 2) == []


def test_blobs_go_to_the_printed_letter_nearest_them() -> None:
    """Letters printed in a row under the panels: each blob goes to the letter nearest it
    across, however far below it sits (a photo over its plate, the letter under both)."""
    from litclip.corpus.extract.panels import panels_by_blobs

    gray = np.full((200, 400), 255, np.uint8)
    gray[10:80, 60:180] = 60  # A's photo
    gray[90:150, 20:230] = 150  # A's plate, reaching under B's photo
    gray[10:80, 250:380] = 60  # B's photo
    gray[160:190, 200:390] = 150  # B's plate
    letters = [("A", (100.0, 192.0, 106.0, 199.0)), ("B", (300.0, 192.0, 306.0, 199.0))]
    a, b = panels_by_blobs(gray, (0.0, 0.0, 400.0, 200.0), letters, 2)
    assert a == pytest.approx((20, 8, 232, 152), abs=4)
    assert b == pytest.approx((200, 8, 392, 192), abs=4)


def test_pictures_joined_by_arrows_are_one_flow_chart() -> None:
    """metagenomeSeq's overview: five box pictures, arrows from each to the next across the
    paper between them, is one diagram; a grid of photos with rules along its gutters, and
    two photos one zoom line joins, are panels."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.panels import linked_by_arrows

    nodes = [
        (228.3, 108.3, 301.6, 156.5),
        (228.3, 178.5, 301.6, 226.6),
        (228.3, 248.6, 301.6, 296.8),
        (339.1, 175.0, 417.8, 230.1),
        (343.9, 245.1, 413.0, 300.2),
    ]
    arrows = [
        (264.4, 148.2, 265.5, 178.8),  # down from the first box to the second
        (264.4, 218.3, 265.5, 248.9),
        (295.5, 270.0, 346.4, 271.1),  # across to the right
        (377.9, 225.5, 379.0, 249.1),  # up
        (295.5, 199.9, 341.6, 201.0),
    ]
    assert linked_by_arrows(nodes, arrows)
    assert not linked_by_arrows(nodes, arrows[:2])  # the right-hand boxes stand apart
    grid = [(0.0, 0.0, 100.0, 80.0), (104.0, 0.0, 204.0, 80.0), (0.0, 84.0, 100.0, 164.0)]
    rules = [(101.5, 0.0, 102.5, 164.0), (0.0, 81.5, 204.0, 82.5)]  # along the gutters
    assert not linked_by_arrows(grid, rules)
    assert not linked_by_arrows(nodes[:2], arrows[:1])  # two photos and a zoom line

    job = PanelJob(0, (228.3, 108.3, 417.8, 300.2), [Element(b, "image") for b in nodes], [])
    assert len(_panel_boxes(job, 0, [], [], lambda: np.zeros((1, 1)))) == 5
    job.diagram = True
    assert _panel_boxes(job, 0, [], [], lambda: np.zeros((1, 1))) == []
    lettered = [(c, (b[0], b[1], b[0] + 5, b[1] + 8)) for c, b in zip("ABCDE", nodes, strict=True)]
    assert len(_panel_boxes(job, 0, lettered, [], lambda: np.zeros((1, 1)))) == 5


def test_pictures_laid_over_a_block_and_an_arrow_with_its_head_make_one_diagram() -> None:
    """NorduGrid's overview diagrams: a "client tools" icon joined by a "jobs" arrow to a
    service's block, whose interfaces are pictures laid over its edge. The pictures over
    one another are one node; the shaft stops short of the node, its head reaches it."""
    from litclip.corpus.extract.panels import linked_by_arrows

    icon = [(108.2, 122.0, 175.7, 183.2), (125.9, 95.0, 158.3, 143.7)]
    block = [(268.9, 75.8, 473.8, 245.0), (229.7, 121.8, 341.5, 160.9)]
    shaft, head = (175.0, 139.0, 225.0, 141.8), (221.2, 137.6, 228.1, 142.8)
    assert linked_by_arrows(icon + block, [shaft, head])
    assert not linked_by_arrows(icon + block, [shaft])  # 4.7 pt short of the block
    assert not linked_by_arrows(icon + block, [])


def test_sub_captions_printed_under_the_panels_give_the_count_to_look_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """afex's Figure 2: "(a) ...", "(b) ...", "(c) ..." under three stacked diagrams, a
    caption naming none; the gutters found two parts, the sub-captions say three: the
    bands that give three are taken."""
    from litclip.corpus.extract import panels as panel_mod
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.subcaptions import SubCaption

    box = (0.0, 0.0, 200.0, 300.0)
    gray = np.full((600, 400), 255, dtype=np.uint8)
    for top in (20, 220, 420):  # three diagrams, 2 px a point
        gray[top : top + 140, 40:360] = 60
    inner = [
        SubCaption(c, c.lower(), "Random effects", (60.0, y, 140.0, y + 8.0))
        for c, y in zip("ABC", (82.0, 182.0, 282.0), strict=True)
    ]
    two = [(0.0, 110.0, 200.0, 180.0), (0.0, 210.0, 200.0, 280.0)]
    found = panel_mod.panels_from_pixels

    def gutters(gray: np.ndarray, fig_box: tuple, *more: object, **kw: object) -> list:
        plain = not more and set(kw) <= {"leaves"}  # the first cut, not a uniform one
        return list(two) if plain else found(gray, fig_box, *more, **kw)

    monkeypatch.setattr(panel_mod, "panels_from_pixels", gutters)
    job = PanelJob(0, box, [], [])
    boxes = _panel_boxes(job, 0, [], inner, lambda: gray)
    assert len(boxes) == 3
    assert sorted(round(b[1]) for b in boxes) == [10, 110, 210]


def test_plots_grown_from_their_bodies_win_when_they_take_in_every_cut_plot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GenABEL's Figure 10.1: a row of histograms over a row of scatter plots; the gutters
    keep only the scatter plots (the histograms fall a little under the panel size), the
    plots grown from their bodies are all six, the three among them: six panels. Grown
    plots that miss a cut one are not taken."""
    from litclip.corpus.extract import document as doc_mod
    from litclip.corpus.extract import panels as panel_mod
    from litclip.corpus.extract import scales

    top = [(150.0 + 90 * i, 150.0, 215.0 + 90 * i, 230.0) for i in range(3)]
    bottom = [(136.0 + 90 * i, 287.0, 214.0 + 90 * i, 393.0) for i in range(3)]
    monkeypatch.setattr(panel_mod, "panels_from_pixels", lambda g, b, **kw: list(bottom))
    monkeypatch.setattr(scales, "plot_panels", lambda boxes, lines: list(boxes))
    monkeypatch.setattr(scales, "count_scales", lambda lines, box: 12)
    job = doc_mod.PanelJob(0, (135.0, 133.0, 401.0, 393.0), [], [])
    gray = np.full((10, 10), 255, dtype=np.uint8)

    monkeypatch.setattr(panel_mod, "panels_from_plot_bodies", lambda g, b, *leaves: top + bottom)
    assert len(doc_mod._panel_boxes(job, 0, [], [], lambda: gray)) == 6
    shifted = [(x0 + 30, y0, x1 + 30, y1) for x0, y0, x1, y1 in bottom]
    monkeypatch.setattr(panel_mod, "panels_from_plot_bodies", lambda g, b, *leaves: top + shifted)
    assert doc_mod._panel_boxes(job, 0, [], [], lambda: gray) == bottom


def test_arrow_test_tries_only_the_pictures_an_arrow_touches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mosaic of 400 tiles with one arrow costs a pair test or two, not one per pair of
    tiles and arrow (a page of 8,000 tiles took 7 s in this test alone)."""
    from litclip.corpus.extract import panels

    calls = []
    joins = panels._joins
    monkeypatch.setattr(panels, "_joins", lambda *a: calls.append(a) or joins(*a))
    tiles = [
        (x * 30.0, y * 30.0, x * 30.0 + 20.0, y * 30.0 + 20.0) for y in range(20) for x in range(20)
    ]
    arrow = (20.0, 9.5, 30.0, 10.5)  # from the first tile to the second
    assert not panels.linked_by_arrows(tiles, [arrow])
    assert 1 <= len(calls) <= 3
    assert panels.linked_by_arrows(tiles[:3], [arrow, (50.0, 9.5, 60.0, 10.5)])


def test_gutters_that_leave_most_ink_out_are_no_panels() -> None:
    """A flow chart rendered as one picture: xy-cut finds two textured parts between its
    links, but its shaded blocks (one flat grey each) hold much of the ink and belong to no
    part: one figure. Two pictures alone across the same gutters are two panels."""
    from litclip.corpus.extract.panels import panels_from_pixels

    rng = np.random.default_rng(0)
    gray = np.full((400, 400), 255, np.uint8)
    gray[20:150, 20:380] = rng.integers(0, 200, (130, 360))  # the diagram's top part
    gray[200:300, 20:150] = rng.integers(0, 200, (100, 130))  # a box of text under it
    pictures = gray.copy()
    gray[200:300, 220:380] = 200  # shaded blocks
    gray[320:390, 20:380] = 180
    box = (0.0, 0.0, 400.0, 400.0)
    assert panels_from_pixels(gray, box) == []
    assert len(panels_from_pixels(pictures, box)) == 2


def test_panels_are_placed_in_the_rows_and_columns_a_caption_names() -> None:
    from litclip.corpus.extract.captions import position_places
    from litclip.corpus.extract.panels import place_panels

    grid = [(x, y, x + 90.0, y + 90.0) for y in (0.0, 100.0) for x in (0.0, 100.0, 200.0)]
    rows = position_places({"A": "upper", "B": "lower"})
    assert place_panels(grid, rows) == ["A", "A", "A", "B", "B", "B"]
    cols = position_places({"A": "left", "B": "right"})
    two_columns = [(x, y, x + 90.0, y + 90.0) for y in (0.0, 100.0, 200.0) for x in (0.0, 100.0)]
    assert place_panels(two_columns, cols) == ["A", "B"] * 3
    corners = position_places(
        {"A": "upper left", "B": "upper right", "C": "lower left", "D": "lower right"}
    )
    four = [(x, y, x + 90.0, y + 90.0) for y in (0.0, 100.0) for x in (0.0, 100.0)]
    assert place_panels(four, corners) == ["A", "B", "C", "D"]
    # a row the caption leaves out, or letters that are no positions: no placing
    assert place_panels(grid, corners) is None
    assert position_places({"A": "a", "B": "b"}) is None


def test_a_window_crossed_by_rules_is_one_picture_and_a_stack_of_plots_is_not() -> None:
    """InVesalius' dialogs and massXpert's windows are single screenshots whose blank bands
    cut them into parts of all sizes (a field, buttons): paper crossed by long rules, one
    picture. Three like plots stacked in one picture, each over its axis, are panels."""
    from litclip.corpus.extract import panels as panel_mod
    from litclip.corpus.extract.document import PanelJob, _panel_boxes

    rng = np.random.default_rng(0)

    def texture(h: int, w: int) -> np.ndarray:  # text and icons, not a flat fill
        return rng.integers(0, 200, (h, w)).astype(np.uint8)

    box = (0.0, 0.0, 200.0, 300.0)  # 2 px a point
    job = PanelJob(0, box, [Element(box, "image")], [])
    dialog = np.full((600, 400), 255, dtype=np.uint8)
    dialog[20:90, 20:200] = texture(70, 180)  # the title
    dialog[100:104, :] = 40  # the title bar's rule
    dialog[180:184, 20:380] = dialog[326:330, 20:380] = 40  # a text field
    dialog[180:330, 20:24] = dialog[180:330, 376:380] = 40
    dialog[240:260, 30:150] = texture(20, 120)  # its text
    dialog[420:424, :] = 40  # the rule over the buttons
    dialog[430:590, 40:180] = texture(160, 140)  # two buttons
    dialog[430:590, 220:360] = texture(160, 140)
    assert len(panel_mod.panels_from_pixels(dialog, box)) == 3  # the gutters cut it
    assert _panel_boxes(job, 0, [], [], lambda: dialog) == []
    plots = np.full((600, 400), 255, dtype=np.uint8)
    for top in (10, 210, 410):
        plots[top : top + 170, 30:32] = 40  # the y axis
        plots[top + 168 : top + 170, 30:390] = 40  # the x axis
        plots[top + 40 : top + 140, 60:380] = texture(100, 320)  # the data
    assert len(_panel_boxes(job, 0, [], [], lambda: plots)) == 3


def test_a_picture_cut_into_flat_bands_of_all_heights_is_one_picture() -> None:
    """ViTE's export dialog: one screenshot whose blank rows cut it into four flat bands
    across its whole width, of four heights (no rules to call it ruled): its rows, not
    panels; so are code_saturne's settings windows, a tree view beside a pane cut into
    group-box strips. Bands of one height (like plots stacked) still are panels."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes
    from litclip.corpus.extract.panels import has_strip

    rng = np.random.default_rng(1)
    box = (0.0, 0.0, 226.0, 165.0)  # 2 px a point
    job = PanelJob(0, box, [Element(box, "image")], [])
    shot = np.full((330, 452), 255, dtype=np.uint8)
    for top, height in ((0, 64), (84, 70), (176, 60), (256, 74)):
        shot[top : top + height, :] = rng.integers(60, 200, (height, 452))
    assert _panel_boxes(job, 0, [], [], lambda: shot) == []
    assert has_strip([(0, 0, 226, 32), (0, 42, 226, 77)])
    assert has_strip([(0, 0, 60, 165), (70, 0, 226, 40), (70, 50, 226, 165)])  # a group box
    assert has_strip([(0, 0, 20, 165), (30, 0, 226, 165)])  # a tall strip
    assert not has_strip([(0, 0, 110, 80), (116, 0, 226, 80), (0, 85, 226, 165)])


def test_a_framed_bar_chart_is_not_split_between_its_bars() -> None:
    """Developmental Biology (1999) scans a bar chart boxed on four sides: once its frame was
    cleared, the white columns between the bars (and the row between a star and its error
    bar) cut it into four "panels". Bars stand on the frame's foot and end at different
    heights; two pictures set in one frame do not."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[40:42, 100:780] = gray[540:542, 100:780] = 0  # the frame
    gray[40:542, 100:102] = gray[40:542, 778:780] = 0
    gray[100:540, 180:300] = 0  # bars on the frame's foot, of different heights
    gray[250:540, 400:520] = 0
    gray[180:540, 620:740] = 0
    gray[200:215, 450:465] = 0  # a star over the middle bar
    assert panels_from_pixels(gray, FIG) == []
    # the same chart turned, its bars off the left line
    turned = np.ascontiguousarray(np.rot90(gray, k=-1))
    assert panels_from_pixels(turned, (0.0, 0.0, 300.0, 400.0)) == []
    # two pictures in a frame, clear of its foot: still two panels
    gray[42:540, 102:778] = 255
    rng = np.random.default_rng(0)
    gray[80:500, 140:420] = rng.integers(0, 200, (420, 280))
    gray[80:500, 480:740] = rng.integers(0, 200, (420, 260))
    assert len(panels_from_pixels(gray, FIG)) == 2


def test_text_set_on_a_boxs_foot_is_no_bar() -> None:
    """A flow chart's box ("DM 45,885.5" over "9,899   6,157") has its last text row on the
    frame's foot, tops that differ and white between its words: glyph feet are no bars (a
    chart read there made the box one panel of two)."""
    from litclip.corpus.extract.panels import _bars_on_axis

    box = np.ones((60, 200), bool)  # the box inside its frame, frame cleared
    box[5:20, 30:70] = False  # "DM", over the first number
    for x0 in (10, 130):  # two numbers on the foot: strokes two pixels wide, 4 apart
        for x in range(x0, x0 + 50, 6):
            box[40:57, x : x + 2] = False
    assert not _bars_on_axis(box, [(100, 60)])
    bars = np.ones((60, 200), bool)
    bars[10:57, 20:60] = bars[30:57, 140:180] = False
    assert _bars_on_axis(bars, [(100, 80)])


def test_a_bold_letter_heading_its_panels_title_names_the_panel() -> None:
    """Annual Reviews prints "a Default PAJEK view" over one network and "b Edited for
    presentation" over the other: a bold letter, its title in the regular face, one row."""
    from litclip.corpus.extract.panels import letter_lines
    from litclip.corpus.extract.text import TextLine

    def row(text: str, x: float, bold_letter: bool = True) -> TextLine:
        bold = [bold_letter] + [False] * (len(text) - 1)
        return TextLine(text, (x, 10.0, x + 5.0 * len(text), 20.0), 9.0, bold=bold)

    found = letter_lines(
        [row("a Default PAJEK view", 40.0), row("b Edited for presentation", 300.0)],
        (0.0, 0.0, 500.0, 300.0),
    )
    assert [letter for letter, _ in found] == ["A", "B"]
    assert found[1][1][:2] == (300.0, 10.0)  # the row's corner
    # a row in one face ("A plot of ...", a title all bold) names no panel
    plain = [row("a plot of residuals", 40.0, False), row("b values", 300.0, False)]
    assert letter_lines(plain, (0.0, 0.0, 500.0, 300.0)) == []
    bold = TextLine("B Title", (300.0, 10.0, 335.0, 20.0), 9.0, bold=[True] * 7)
    assert letter_lines([bold], (0.0, 0.0, 500.0, 300.0)) == []


def test_panel_a_read_in_one_row_with_its_bold_title_names_the_panel() -> None:
    """A gait figure prints a big bold "A" before its bold title "Bilateral aerial time",
    read as one row, while "B" to "D" stand alone. The row opening with "A" at the left
    edge of C's column holds panel A. A row opening with "A" elsewhere (a plot's title "A
    model fit") holds none."""
    from litclip.corpus.extract.text import TextLine

    def lone(letter: str, x: float, y: float) -> TextLine:
        return TextLine(letter, (x, y, x + 9.0, y + 14.0), 14.0, bold=[True])

    fig = (95.0, 136.8, 500.8, 626.3)
    letters = [lone("B", 320.0, 137.0), lone("C", 95.0, 276.0), lone("D", 95.0, 361.0)]
    title = TextLine("A Bilateral aerial time", (95.0, 139.0, 189.5, 148.1), 8.0, bold=[True] * 23)
    found = letter_lines([title, *letters], fig)
    assert sorted(letter for letter, _ in found) == ["A", "B", "C", "D"]
    assert dict(found)["A"][:2] == (95.0, 139.0)
    elsewhere = TextLine("A model fit", (200.0, 200.0, 250.0, 209.0), 8.0, bold=[True] * 11)
    found = letter_lines([elsewhere, *letters], fig)
    assert sorted(letter for letter, _ in found) == ["B", "C", "D"]


def _micrograph_grid() -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Science Advances' SEM figure: 5 rows x 2 columns of micrographs of one grey texture
    set edge to edge in one picture, parted by nothing, with row labels in a white strip on
    the left and column headings in a white band on top."""
    gray = np.full((600, 800), 255, np.uint8)
    gray[5:20, 140:220] = 20  # "Anode"
    gray[5:20, 520:600] = 20  # "Cathode"
    cells = [(y0, y0 + 116, x0, x0 + 370) for y0 in range(20, 600, 116) for x0 in (60, 430)]
    for i, (y0, y1, x0, x1) in enumerate(cells):
        gray[y0:y1, x0:x1] = photo(y1 - y0, x1 - x0, 95 + 4 * (i % 3), 40 + i)
        gray[y0 + 30 : y0 + 80, 15:35] = 30  # a rotated row label
    return gray, cells


def test_micrographs_set_edge_to_edge_split_into_the_named_grid() -> None:
    gray, cells = _micrograph_grid()
    assert panels_for_count(gray, FIG, 10) == []  # no gutter, seams too faint for it
    _assert_panels(panels_by_regular_grid(gray, FIG, 10), cells, 0.9)


def test_a_regular_grid_is_not_forced_on_one_photo_or_on_a_plot() -> None:
    gray, _cells = _micrograph_grid()
    one = np.full((600, 800), 255, np.uint8)
    one[20:600, 60:800] = photo(580, 740, 100, 7)
    assert panels_by_regular_grid(one, FIG, 6) == []
    # two cells: one faint seam is as often an edge inside the photo
    assert panels_by_regular_grid(gray[:136], (0.0, 0.0, 400.0, 68.0), 2) == []
    # a plot's gridlines are evenly spaced, but its cells are paper
    plot = np.full((600, 800), 255, np.uint8)
    plot[:, ::100] = 0
    plot[::120, :] = 0
    assert panels_by_regular_grid(plot, FIG, 8) == []


def test_an_axis_across_the_blank_between_parts_joins_them() -> None:
    """A bar chart cut at the gap in its bars: its x axis runs under the gap; two plots side
    by side each have an axis of their own; the figure's frame runs along its edges."""
    chart = np.full((600, 800), 255, np.uint8)
    chart[100:500, 100:300] = 60  # bars left of the gap
    chart[300:500, 420:700] = 60  # and right of it
    chart[500:503, 80:780] = 0  # the axis under all of them
    for x in range(100, 700, 100):
        chart[515:530, x : x + 30] = 0  # its tick labels
    parts = [(40.0, 50.0, 150.0, 265.0), (210.0, 150.0, 390.0, 265.0)]
    assert joined_by_lines(chart, FIG, parts)
    chart[500:503, 300:420] = 255  # two plots, two axes
    assert not joined_by_lines(chart, FIG, parts)
    chart[0:2, :] = 0  # a frame along the top edge
    chart[:, 0:2] = 0
    assert not joined_by_lines(chart, FIG, [(0.0, 0.0, 150.0, 265.0), (210.0, 0.0, 390.0, 265.0)])


def test_axis_titles_beside_a_run_of_panel_letters_name_no_panels() -> None:
    """dimRed's Figure 3: panels a to e, each plot's axis titles "x", "z" and "k" printed
    as lines of their own: the run a-e names the panels; a lone far letter names none."""
    from litclip.corpus.extract.text import TextLine

    def mark(letter: str, x: float, y: float) -> TextLine:
        return TextLine(letter, (x, y, x + 5.0, y + 7.0), 7.0)

    box = (0.0, 0.0, 500.0, 300.0)
    panels = [mark("abcde"[i], 10 + 100 * i, 5) for i in range(5)]
    axes = [mark("x", 60, 140), mark("z", 160, 80), mark("k", 260, 140)]
    assert [letter for letter, _ in letter_lines(panels + axes, box)] == list("ABCDE")
    assert letter_lines([mark("h", 60, 140), mark("C", 160, 80)], box) == []


def test_a_chart_picture_with_a_publisher_icon_is_not_cut_at_the_gap_in_its_bars() -> None:
    """Materials' Figure 4: one PNG chromatogram, a blank column between its peaks and a
    block of labels crossed only by the time axis, and an 8 pt icon in its corner (a second
    image object): one chart. Nothing names panels, and the icon makes it no collage."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes

    chart = np.full((600, 800), 255, np.uint8)
    chart[100:500, 100:300] = photo(400, 200, 90, 1)  # the peaks
    chart[300:500, 420:700] = photo(200, 280, 120, 2)  # the labels
    chart[500:502, 80:780] = 0  # the time axis under them all
    for x in (120, 220, 450, 550, 650):
        chart[502:512, x + 14 : x + 16] = 0  # its ticks
        chart[515:530, x : x + 30] = 0  # and their labels
    icon = Element((392.0, 292.0, 400.0, 300.0), "image")
    job = PanelJob(0, FIG, [Element(FIG, "image"), icon], [])
    assert len(panels_from_pixels(chart, FIG)) == 2  # the blank column is a gutter...
    assert _panel_boxes(job, 0, [], [], lambda: chart) == []  # ...that the axis crosses
    chart[500:502, 300:420] = 255  # two pictures, an axis each: two panels
    assert len(_panel_boxes(job, 0, [], [], lambda: chart)) == 2


def test_letters_heading_the_titles_of_two_columns_of_plots_group_them() -> None:
    """MrBayes' dating tutorial, Figure 7: "a)  i.i.d. exp(10)" and "b) gamma-Dirichlet"
    over two columns of two R plots each, the caption naming none: two panels, each letter
    right of its plots' axis labels (a closing parenthesis marks it in the regular face)."""
    from litclip.corpus.extract.text import TextLine

    box = (110.0, 190.0, 500.0, 510.0)
    lines = [
        TextLine("a)", (137.5, 197.9, 148.1, 213.8), 12.0),
        TextLine("i.i.d. exp(10)", (195.0, 198.0, 260.0, 214.0), 12.0),
        TextLine("b) gamma-Dirichlet (1,1,1,1)", (325.0, 197.9, 483.4, 213.8), 12.0),
        TextLine("(a) The ROC curve", (120.0, 480.0, 200.0, 490.0), 10.0),  # a sub-caption
    ]
    letters = letter_lines(lines, box)
    assert [letter for letter, _ in letters] == ["A", "B"]
    plots = [
        (117.0, 201.2, 302.6, 358.0),
        (317.3, 201.2, 490.6, 358.0),
        (117.0, 369.8, 303.1, 504.5),
        (317.3, 369.8, 490.6, 504.5),
    ]
    assert group_by_letters(plots, letters) == [
        (117.0, 201.2, 303.1, 504.5),
        (317.3, 201.2, 490.6, 504.5),
    ]


def test_a_label_cut_off_a_framed_screenshot_is_no_panel() -> None:
    """PMV's tutorial, Fig 4: a dialog's screenshot with "Predefined or Saved Sets" and an
    arrow into the dialog set at its right in the same picture, a 2 px frame round it all:
    the blank column between the arrow's tail and the label is no gutter, the label's words
    are a strip however tall the frame makes the part that holds them."""
    from litclip.corpus.extract.document import PanelJob, _panel_boxes

    def words(h: int, w: int) -> np.ndarray:  # lines of letters that touch at this size
        rows, cols = np.arange(h) % 18 < 17, np.arange(w) % 9 < 8
        return np.where(rows[:, None] & cols[None, :], 20, 255).astype(np.uint8)

    shot = np.full((395, 800), 255, np.uint8)
    shot[0:2, :] = shot[-2:, :] = shot[:, 0:2] = shot[:, -2:] = 0  # the frame
    shot[90:375, 120:600] = photo(285, 480, 150, 3)  # the dialog
    shot[168:170, 530:628] = 0  # the arrow from the label into it
    shot[150:186, 636:792] = words(36, 156)  # "Predefined or / Saved Sets"
    shot[150:190, 15:105] = words(40, 90)  # "Selection / Levels"
    box = (0.0, 0.0, 400.0, 197.5)  # 2 px a point
    assert len(panels_from_pixels(shot, box)) == 2  # cut at the blank before the label...
    job = PanelJob(0, box, [Element(box, "image")], [])
    assert _panel_boxes(job, 0, [], [], lambda: shot) == []  # ...which is no panel


def test_slivers_of_a_picture_are_no_grid_and_raise_no_warning() -> None:
    """A picture rendered a few pixels thin (a rule-like strip of a figure) has no room for
    a grid's lines: no cells, and no numpy warning over an empty strip of seams."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for shape in [(1, 1), (3, 3), (800, 3), (3, 800), (10, 10)]:
            sliver = np.full(shape, 100, np.uint8)
            assert panels_by_regular_grid(sliver, FIG, 4) == []
            assert not joined_by_lines(
                sliver, FIG, [(0.0, 0.0, 200.0, 300.0), (200.0, 0.0, 400.0, 300.0)]
            )


def test_letters_cut_a_column_of_rows_set_without_gutters() -> None:
    """PNAS's Fig. 3: a plot (A) beside a column of three rows of two photos each (B, C,
    D), the rows set too close for a gutter; the caption names four panels. Each letter
    heads its row: the column is cut at the letters' tops, and each row's second photo
    joins it. Letters under the items of one photo (a snare, "a" under it) head nothing."""
    from litclip.corpus.extract.panels import panels_by_letter_cuts

    scale, rng = 2.0, np.random.default_rng(0)
    gray = np.full((int(165 * scale), int(240 * scale)), 255, np.uint8)
    for x0, x1 in ((0, 115), (122, 190), (195, 240)):
        cols = slice(int(x0 * scale), int(x1 * scale))
        gray[:, cols] = rng.integers(40, 160, gray[:, cols].shape)
    box = (0.0, 0.0, 240.0, 165.0)
    heads = [
        ("A", (0.0, 0.0, 8.0, 11.0)),
        ("B", (122.0, 0.5, 130.0, 11.5)),
        ("C", (122.0, 50.9, 130.0, 62.0)),
        ("D", (122.0, 105.3, 130.0, 116.4)),
    ]
    panels = panels_by_letter_cuts(gray, box, heads, 4)
    assert [tuple(round(v) for v in p) for p in panels] == [
        (0, 0, 115, 165),
        (122, 0, 240, 50),
        (122, 50, 240, 104),
        (122, 104, 240, 165),
    ]
    under = [
        ("A", (0.0, 150.0, 8.0, 161.0)),
        ("B", (122.0, 40.0, 130.0, 50.0)),
        ("C", (122.0, 95.0, 130.0, 105.0)),
        ("D", (122.0, 150.0, 130.0, 161.0)),
    ]
    assert panels_by_letter_cuts(gray, box, under, 4) == []
    assert panels_by_letter_cuts(gray, box, heads[:3], 4) == []


def test_letters_in_a_row_cut_a_figure_no_gutter_parts() -> None:
    """Rythmos' Figure 2: a Butcher tableau "a)" at the foot of a column left of a plot "b)",
    the letters in a row under both; the plot's axis titles leave no gutter the full height
    of the figure, and a cut across the plot put both letters in one part. The letters cut
    the figure where the line between them is blank; a cut through ink is no panel edge."""
    from litclip.corpus.extract.panels import panels_by_letter_cuts, shares_letters

    fig = (140.0, 66.0, 468.0, 258.0)  # 328 x 192 pt, rendered at 2 px a point
    gray = np.full((384, 656), 255, dtype=np.uint8)
    gray[340:380, 30:70] = 0  # the tableau, x 155-175 pt, low in its column
    gray[0:370, 130:656] = 0  # the plot and its titles, from x 205 pt
    letters = [("A", (140.6, 239.2, 149.1, 249.0)), ("B", (192.3, 239.2, 201.4, 249.0))]
    parts = panels_by_letter_cuts(gray, fig, letters, 2)
    assert [round(p[0], 1) for p in parts] == [140.0, 191.3]
    assert not shares_letters(parts, letters)
    halves = [(140.0, 66.0, 468.0, 147.0), (140.0, 147.0, 468.0, 258.0)]  # across the plot
    assert shares_letters(halves, letters)
    gray[:, 100:110] = 0  # ink where the letters would cut: no panels
    assert panels_by_letter_cuts(gray, fig, letters, 2) == []


def _scatter_grid(rows: int, cols: int, seed: int = 3) -> np.ndarray:
    """R scatter plots in a grid, each a title, a y axis, forty dots, tick labels and an
    axis title, with no x axis line: white lines run through every plot between its dots."""
    rng = np.random.default_rng(seed)
    gray = np.full((300 * rows - 10, 420 * cols - 30), 255, np.uint8)
    for y0 in range(0, 300 * rows, 300):
        for x0 in range(0, 420 * cols, 420):
            gray[y0 : y0 + 8, x0 + 120 : x0 + 270] = 0  # title
            gray[y0 + 25 : y0 + 220, x0 + 30] = 0  # y axis
            for y, x in zip(rng.integers(30, 215, 40), rng.integers(40, 380, 40), strict=True):
                gray[y0 + y : y0 + y + 5, x0 + x : x0 + x + 5] = 0
            for x in range(40, 380, 80):
                gray[y0 + 235 : y0 + 243, x0 + x : x0 + x + 10] = 0  # tick labels
            gray[y0 + 258 : y0 + 266, x0 + 190 : x0 + 205] = 0  # axis title
    return gray


def test_sparse_plots_a_caption_counts_are_cut_at_the_widest_gutters() -> None:
    """tgp's Figure 12: four scatter plots, "(left) ... (right)", "top plots ... bottom
    ones". White lines run between the dots of every plot (at a background share, the real
    figure fell into crumbs), so the white gutters give no grid of bands; the gutters
    between the plots are still the widest. A count no grid gives, or one plot, is not cut."""
    from litclip.corpus.extract.panels import panels_by_widest_gutters

    gray = _scatter_grid(2, 2)
    box = (0.0, 0.0, gray.shape[1] / 2, gray.shape[0] / 2)
    assert panels_by_bands(gray, box, 4) == []
    cells = panels_by_widest_gutters(gray, box, 4)
    # each cell from its y axis (30 px into it) to its dots' end, titles to axis titles
    assert sorted((round(b[0]), round(b[1])) for b in cells) == [
        (15, 0),
        (15, 150),
        (225, 0),
        (225, 150),
    ]
    assert all(b[2] - b[0] > 165 and b[3] - b[1] > 130 for b in cells)
    assert panels_by_widest_gutters(gray, box, 3) == []
    one = _scatter_grid(1, 1)
    assert panels_by_widest_gutters(one, (0.0, 0.0, one.shape[1] / 2, one.shape[0] / 2), 4) == []
    # a row of three: the columns' gutters lead, and one row has none to cut
    row = _scatter_grid(1, 3)
    assert (
        len(panels_by_widest_gutters(row, (0.0, 0.0, row.shape[1] / 2, row.shape[0] / 2), 3)) == 3
    )


def test_letters_heading_a_grid_of_panels_cut_it_into_their_cells() -> None:
    """enslyonstage's Figure 5: "A", "B", "C" over a row of plots and "D", "E" under them,
    the rows' cells of other widths; a table of pale rows as panel E in its Figure 1 is too
    faint for a gutter. The letters, read as A to E in rows, cut the figure where they
    stand, each cut blank; read out of order, in a count the caption does not name, or
    across ink, they cut nothing."""
    from litclip.corpus.extract.panels import panels_by_letter_grid

    gray = np.full((300, 400), 255, np.uint8)  # 1 px a point
    for y0, y1, x0, x1 in (
        (12, 140, 10, 120),
        (12, 140, 140, 250),
        (12, 140, 270, 390),
        (162, 290, 10, 80),
        (162, 290, 100, 390),
    ):
        gray[y0:y1, x0:x1] = 90
    letters = [
        (c, (x, y, x + 8.0, y + 10.0))
        for c, x, y in (("A", 0, 0), ("B", 130, 0), ("C", 260, 0), ("D", 0, 150), ("E", 90, 150))
    ]
    for _, (x, y, _, _) in letters:
        gray[int(y) : int(y) + 10, int(x) : int(x) + 8] = 0
    box = (0.0, 0.0, 400.0, 300.0)
    cells = panels_by_letter_grid(gray, box, letters, 5)
    assert [tuple(round(v) for v in c) for c in cells] == [
        (0, 0, 120, 140),
        (130, 0, 250, 140),
        (260, 0, 390, 140),
        (0, 150, 80, 290),
        (90, 150, 390, 290),
    ]
    assert panels_by_letter_grid(gray, box, letters, 4) == []
    swapped = [(c, b) for c, (_, b) in zip("ACBDE", letters, strict=True)]
    assert panels_by_letter_grid(gray, box, swapped, 5) == []
    gray[140:162, 60:70] = 90  # ink across the cut between the rows
    assert panels_by_letter_grid(gray, box, letters, 5) == []


def test_letters_marking_zones_inside_one_diagram_head_no_part() -> None:
    """cR2's Figure 4.2: zones "A", "B" and "C" marked inside one diagram of a mesh, which
    the white bands between its grey zones cut into three parts; no letter stands at a
    part's top left corner or under its middle, so the letters name no panels. Letters at
    the corners do, and no letters veto nothing."""
    from litclip.corpus.extract.panels import heads_any

    parts = [
        (109.2, 505.7, 479.4, 577.4),
        (295.2, 577.4, 479.4, 641.7),
        (109.2, 641.7, 479.4, 682.0),
    ]
    zones = [
        ("B", (323.9, 553.0, 332.9, 569.4)),
        ("A", (291.8, 517.8, 301.4, 534.3)),
        ("C", (187.0, 588.6, 195.8, 605.1)),
    ]
    assert not heads_any(parts, zones)
    corners = [("A", (110.0, 506.0, 119.0, 520.0)), ("B", (296.0, 578.0, 305.0, 592.0))]
    assert heads_any(parts, corners)
    # a letter set in the gutter over or left of the part heads it too
    assert heads_any(parts, [("A", (98.0, 494.0, 107.0, 504.0))])
    # and a letter centred under a part ("(a)" under a drawing, TraceMonkey's Figure 6)
    assert heads_any(parts, [("A", (290.0, 679.0, 298.0, 689.0))])
    assert heads_any(parts, [])
