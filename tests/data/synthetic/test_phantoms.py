"""The phantom renderer draws what the labels say: side, brightness, modality look, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from litclip.data.synthetic.phantoms import render_scan
from litclip.data.synthetic.spec import make_labels, sample_case

SIZE = 128
BRAIN_KINDS = ("glioma", "meningioma", "metastasis", "abscess", "hemorrhage", "infarct")
BRIGHT = {"hyperintense", "hyperdense", "enhancing"}
DARK = {"hypointense", "hypodense"}


def _lesion_and_baseline(kind: str, view: tuple, seed: int):
    case = sample_case(np.random.default_rng(seed), kind)
    labels = make_labels(case, *view)
    normal = dataclasses.replace(labels, lesion="none", side=None, location=None, signal=None)
    img = render_scan(labels, SIZE, seed=1).astype(np.float32)
    base = render_scan(normal, SIZE, seed=1).astype(np.float32)
    return labels, img, base


@pytest.mark.parametrize("plane", ["axial", "coronal"])
@pytest.mark.parametrize("kind", BRAIN_KINDS)
def test_lesion_drawn_on_labelled_side(kind: str, plane: str) -> None:
    """Radiological convention: the patient's left is on the image right."""
    for seed in range(4):
        labels, img, base = _lesion_and_baseline(kind, ("mri", "t2", plane), seed)
        diff = np.abs(img - base)
        right, left = diff[:, SIZE // 2 :].sum(), diff[:, : SIZE // 2].sum()
        assert diff.sum() > 500, f"{kind} not visible on {plane} T2"
        image_side = "left" if right > left else "right"  # image right = patient left
        assert image_side == labels.side, (kind, plane, seed, labels.location, right, left)


@pytest.mark.parametrize("kind", BRAIN_KINDS)
@pytest.mark.parametrize(
    "view",
    [
        ("mri", "t1", "axial"),
        ("mri", "t2", "axial"),
        ("mri", "flair", "coronal"),
        ("ct", "brain_window", "axial"),
    ],
)
def test_signal_word_matches_brightness(kind: str, view: tuple) -> None:
    """'Hyperintense/hyperdense' lesions are brighter than the normal brain there, 'hypo' darker."""
    labels, img, base = _lesion_and_baseline(kind, view, seed=11)
    brighter = int((img - base > 25).sum())
    darker = int((img - base < -25).sum())
    if labels.signal in BRIGHT:  # mostly brighter (oedema may be darker or brighter)
        assert brighter > 20 and brighter > darker, (kind, view, labels.signal, brighter, darker)
    elif labels.signal in DARK:  # a dark core exists (bright oedema may surround it)
        assert darker > 20, (kind, view, labels.signal, brighter, darker)
    else:
        assert brighter + darker > 20


def test_ring_enhancement_is_a_bright_rim_around_a_dark_core() -> None:
    labels, img, base = _lesion_and_baseline("abscess", ("mri", "t1c", "axial"), seed=3)
    assert labels.signal == "ring-enhancing"
    diff = img - base
    assert diff.max() > 60 and diff.min() < -20  # bright rim and a darker necrotic centre


def test_modalities_look_different() -> None:
    case = sample_case(np.random.default_rng(0), "glioma")
    means = {}
    for view in [
        ("mri", "t1", "axial"),
        ("ct", "bone_window", "axial"),
        ("angiography", "dsa", "frontal"),
        ("xray", None, "lateral"),
    ]:
        means[view[0] + str(view[1])] = render_scan(make_labels(case, *view), 96).mean()
    # DSA is a light background with dark vessels; cross-sections are mostly dark.
    assert means["angiographydsa"] > 150 > means["mrit1"]
    assert len({round(v) for v in means.values()}) == 4


def test_t2_csf_bright_t1_csf_dark() -> None:
    case = sample_case(np.random.default_rng(5), "none")
    t1 = render_scan(make_labels(case, "mri", "t1", "axial"), SIZE).astype(float)
    t2 = render_scan(make_labels(case, "mri", "t2", "axial"), SIZE).astype(float)
    vent = (slice(SIZE // 2 - 14, SIZE // 2 - 2), slice(SIZE // 2 - 8, SIZE // 2 - 4))
    assert t2[vent].mean() > 150 > 60 > t1[vent].mean()


def test_render_is_deterministic_and_seed_sensitive() -> None:
    labels = make_labels(sample_case(np.random.default_rng(1), "metastasis"), "mri", "t1c", "axial")
    a, b = render_scan(labels, 64), render_scan(labels, 64)
    assert a.dtype == np.uint8 and a.shape == (64, 64)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, render_scan(labels, 64, seed=labels.seed + 1))


def test_fracture_visible_only_when_present() -> None:
    frac = sample_case(np.random.default_rng(2), "fracture")
    labels = make_labels(frac, "xray", None, "lateral")
    normal = dataclasses.replace(labels, lesion="none")
    diff = np.abs(
        render_scan(labels, SIZE, 0).astype(int) - render_scan(normal, SIZE, 0).astype(int)
    )
    assert labels.signal == "compression" and diff.sum() > 2000
