"""Procedural "scans" of phantom heads and spines, rendered with numpy from :class:`ScanLabels`.

The renderer is deliberately cartoon-like but consistent: every factor a caption names
(modality look, sequence contrast, plane, lesion kind/brightness, side, lobe, size) changes the
pixels in a large, repeatable way, so a tiny ViT at 64-112 px can learn it.

Orientation (radiological convention, see :mod:`litclip.data.synthetic.spec`): image
coordinates ``x`` (right) and ``y`` (down) run over ``[-1, 1]``; the patient's **left** lesion
is drawn at ``x > 0`` (image right) on axial, coronal and frontal views; axial images have
anterior at the top; sagittal images face left. About 1 cm = 0.1 units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from litclip.data.synthetic.spec import ScanLabels

# Tissue brightness per look (0 = black, 1 = white). Columns: background, scalp, skull,
# marrow, csf, grey matter, white matter.
_TISSUE = {
    "t1": (0.02, 0.80, 0.06, 0.55, 0.10, 0.42, 0.62),
    "t1c": (0.02, 0.80, 0.06, 0.55, 0.10, 0.44, 0.62),
    "t2": (0.02, 0.50, 0.05, 0.35, 0.95, 0.55, 0.36),
    "flair": (0.02, 0.50, 0.05, 0.35, 0.06, 0.52, 0.38),
    "brain_window": (0.0, 0.30, 1.0, 0.95, 0.14, 0.46, 0.38),
    "bone_window": (0.0, 0.12, 1.0, 0.70, 0.20, 0.24, 0.23),
}
_TISSUE_KEYS = ("bg", "scalp", "skull", "marrow", "csf", "gm", "wm")
_Tissue = dict[str, float]

# Lesion core / rim / oedema brightness per look; None = not drawn.
_LESION_LOOK = {
    "glioma": {
        "t1": (0.24, None, 0.50),
        "t2": (0.92, None, 0.72),
        "flair": (0.95, None, 0.75),
        "t1c": (0.22, None, 0.50),
        "brain_window": (0.26, None, 0.32),
    },
    "meningioma": {
        "t1": (0.50, None, None),
        "t2": (0.58, None, 0.60),
        "flair": (0.56, None, 0.62),
        "t1c": (0.97, None, None),
        "brain_window": (0.66, None, None),
    },
    "metastasis": {
        "t1": (0.25, 0.38, 0.50),
        "t2": (0.80, 0.60, 0.80),
        "flair": (0.80, 0.65, 0.82),
        "t1c": (0.16, 0.98, 0.50),
        "brain_window": (0.22, 0.34, 0.28),
    },
    "abscess": {
        "t1": (0.18, 0.45, 0.52),
        "t2": (0.98, 0.20, 0.75),
        "flair": (0.85, 0.35, 0.78),
        "t1c": (0.14, 0.96, 0.52),
        "brain_window": (0.22, 0.45, 0.31),
    },
    "hemorrhage": {
        "t1": (0.88, None, 0.55),
        "t2": (0.12, None, 0.78),
        "flair": (0.85, None, 0.75),
        "t1c": (0.88, None, 0.55),
        "brain_window": (0.88, None, 0.30),
    },
    "infarct": {
        "t1": (0.24, None, None),
        "t2": (0.90, None, None),
        "flair": (0.93, None, None),
        "t1c": (0.24, None, None),
        "brain_window": (0.22, None, None),
    },
}

# Where each lobe sits per plane, for a lesion on the patient's LEFT (x > 0 = image right).
_LOCATION_XY = {
    "axial": {
        "frontal lobe": (0.30, -0.52),
        "temporal lobe": (0.50, 0.02),
        "parietal lobe": (0.36, 0.30),
        "occipital lobe": (0.22, 0.62),
        "cerebellum": (0.28, 0.58),
    },
    "coronal": {
        "frontal lobe": (0.34, -0.40),
        "temporal lobe": (0.46, 0.30),
        "parietal lobe": (0.38, -0.50),
        "occipital lobe": (0.26, -0.12),
        "cerebellum": (0.26, 0.58),
    },
    # Sagittal: x is anterior (-) to posterior (+); side is not visible.
    "sagittal": {
        "frontal lobe": (-0.46, -0.30),
        "temporal lobe": (-0.18, 0.16),
        "parietal lobe": (0.14, -0.52),
        "occipital lobe": (0.56, -0.18),
        "cerebellum": (0.44, 0.42),
    },
}


@dataclass(frozen=True)
class _Grid:
    x: np.ndarray
    y: np.ndarray
    size: int


def _grid(size: int) -> _Grid:
    c = (np.arange(size, dtype=np.float32) + 0.5) / size * 2 - 1
    x, y = np.meshgrid(c, c)
    return _Grid(x, y, size)


def _ellipse_d(
    g: _Grid, cx: float, cy: float, a: float, b: float, angle: float = 0.0
) -> np.ndarray:
    """Normalised elliptical distance (1.0 on the boundary)."""
    ca, sa = math.cos(angle), math.sin(angle)
    dx, dy = g.x - cx, g.y - cy
    u, v = (dx * ca + dy * sa) / a, (-dx * sa + dy * ca) / b
    return np.sqrt(u * u + v * v)


def _soft(d: np.ndarray, scale: float, edge: float = 0.012) -> np.ndarray:
    """Soft inside-mask of a distance field: ``edge`` is the ramp width in image units."""
    return np.clip((1.0 - d) * scale / edge, 0.0, 1.0)


def _ellipse(g: _Grid, cx: float, cy: float, a: float, b: float, angle: float = 0.0) -> np.ndarray:
    return _soft(_ellipse_d(g, cx, cy, a, b, angle), min(a, b))


def _noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth noise with unit-ish std: random cells upsampled bicubically."""
    low = rng.standard_normal((cells, cells)).astype(np.float32)
    img = Image.fromarray(low, mode="F").resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32)


def _segment_dist(g: _Grid, p: tuple[float, float], q: tuple[float, float]) -> np.ndarray:
    px, py = p
    vx, vy = q[0] - px, q[1] - py
    ll = vx * vx + vy * vy + 1e-9
    t = np.clip(((g.x - px) * vx + (g.y - py) * vy) / ll, 0.0, 1.0)
    return np.hypot(g.x - (px + t * vx), g.y - (py + t * vy))


def _paint(img: np.ndarray, mask: np.ndarray, value: float) -> None:
    img += mask * (value - img)


def render_scan(labels: ScanLabels, size: int = 256, seed: int | None = None) -> np.ndarray:
    """Render one grayscale scan that shows exactly what ``labels`` describe.

    Args:
        labels: the panel's modality, sequence, plane and lesion.
        size: output width and height in pixels.
        seed: noise seed of this image (defaults to ``labels.seed``); anatomy jitter always
            comes from ``labels.seed`` so all panels of a case share one head.

    Returns:
        ``uint8`` array of shape ``(size, size)``.
    """
    g = _grid(size)
    anat = np.random.default_rng(labels.seed)
    rng = np.random.default_rng(labels.seed if seed is None else seed)
    if labels.modality == "angiography":
        img = _render_angio(g, labels, anat)
    elif labels.modality == "xray":
        img = _render_spine_xray(g, labels, anat)
    else:
        img = _render_head(g, labels, anat)
    img = _pose(img, labels, np.random.default_rng([labels.seed, 1]), rng)
    return _finish(img, labels, rng)


def _pose(
    img: np.ndarray,
    labels: ScanLabels,
    case_rng: np.random.Generator,
    view_rng: np.random.Generator,
) -> np.ndarray:
    """Patient positioning: a per-case rotation, zoom and shift plus a small per-view wobble.

    Without it every case's head sits identically in the frame and perceptual-hash
    de-duplication calls different patients duplicates. Angles stay small (well under 45
    degrees), so left stays on the image right.
    """
    size = img.shape[0]
    max_deg = 7.0 if labels.modality in ("mri", "ct") else 3.0
    theta = math.radians(case_rng.uniform(-max_deg, max_deg) + view_rng.uniform(-2, 2))
    zoom = case_rng.uniform(0.9, 1.04) * view_rng.uniform(0.98, 1.02)
    tx, ty = (case_rng.uniform(-0.04, 0.04, 2) + view_rng.uniform(-0.01, 0.01, 2)) * size
    c = (size - 1) / 2
    cos, sin = math.cos(theta) / zoom, math.sin(theta) / zoom
    # PIL maps each output pixel (x, y) to the input pixel (a x + b y + c0, d x + e y + f0).
    a, b, d, e = cos, sin, -sin, cos
    c0 = c - a * (c + tx) - b * (c + ty)
    f0 = c - d * (c + tx) - e * (c + ty)
    fill = float(np.median(np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])))
    out = Image.fromarray(img.astype(np.float32), mode="F").transform(
        (size, size),
        Image.Transform.AFFINE,
        (a, b, c0, d, e, f0),
        resample=Image.Resampling.BILINEAR,
        fillcolor=fill,
    )
    return np.asarray(out, dtype=np.float32)


def _finish(img: np.ndarray, labels: ScanLabels, rng: np.random.Generator) -> np.ndarray:
    """Acquisition effects: MRI bias field and Rician-like noise, CT/X-ray grain, contrast jitter."""
    size = img.shape[0]
    if labels.modality == "mri":
        img = img * (1.0 + 0.08 * _noise(rng, size, 3))
        img = np.abs(img + rng.normal(0, 0.025, img.shape).astype(np.float32))
    else:
        img = img + rng.normal(0, 0.018, img.shape).astype(np.float32)
    gain, gamma = rng.uniform(0.93, 1.05), rng.uniform(0.9, 1.1)
    img = np.clip(img * gain, 0, 1) ** gamma
    return (img * 255 + 0.5).astype(np.uint8)


def _lesion_center(labels: ScanLabels, jitter: np.random.Generator) -> tuple[float, float]:
    x, y = _LOCATION_XY[labels.plane][labels.location or "frontal lobe"]
    if labels.plane != "sagittal" and labels.side == "right":
        x = -x  # patient's right is on the image left
    return x + jitter.uniform(-0.04, 0.04), y + jitter.uniform(-0.04, 0.04)


def _render_head(g: _Grid, labels: ScanLabels, anat: np.random.Generator) -> np.ndarray:
    look = labels.sequence or "brain_window"
    t = dict(zip(_TISSUE_KEYS, _TISSUE[look], strict=True))
    s = float(anat.uniform(0.9, 1.0))
    ang = float(anat.uniform(-0.08, 0.08))
    gyri = _noise(anat, g.size, 14)
    img = np.full_like(g.x, t["bg"])
    brain = _HEAD_SHAPES[labels.plane](g, img, t, s, ang, gyri)
    if labels.lesion != "none" and labels.location:
        _draw_brain_lesion(g, img, labels, look, brain, anat)
    if labels.sequence == "t1c":
        # Dural and choroid enhancement: a thin bright rim just inside the skull.
        rim = _ellipse(g, 0, 0, 0.675 * s, 0.815 * s, ang) - _ellipse(
            g, 0, 0, 0.66 * s, 0.80 * s, ang
        )
        if labels.plane == "axial":
            _paint(img, np.clip(rim, 0, 1) * 0.8, 0.85)
    if look == "bone_window":
        # Trabecular bone texture is what a bone window is for.
        skull = img > 0.8
        img[skull] = np.clip(img[skull] - 0.25 * np.abs(_noise(anat, g.size, 60))[skull], 0, 1)
    return img


def _axial(
    g: _Grid, img: np.ndarray, t: _Tissue, s: float, ang: float, gyri: np.ndarray
) -> np.ndarray:
    _paint(img, _ellipse(g, 0, 0, 0.80 * s, 0.94 * s, ang), t["scalp"])
    _paint(img, _ellipse(g, 0, 0, 0.755 * s, 0.895 * s, ang), t["skull"])
    _paint(img, _ellipse(g, 0, 0, 0.73 * s, 0.87 * s, ang), t["marrow"])
    _paint(img, _ellipse(g, 0, 0, 0.71 * s, 0.85 * s, ang), t["skull"])
    _paint(img, _ellipse(g, 0, 0, 0.685 * s, 0.825 * s, ang), t["csf"])
    d = _ellipse_d(g, 0, 0, 0.66 * s, 0.80 * s, ang)
    brain = _soft(d + 0.02 * gyri, 0.66 * s)
    _paint(img, brain, t["gm"])
    _paint(img, _soft(d + 0.16 * gyri, 0.5, 0.05) * _soft(d / 0.82, 0.5), t["wm"])
    sulci = brain * (np.abs(gyri) < 0.12) * (d > 0.8)
    _paint(img, sulci * 0.8, t["csf"])
    _paint(
        img, _soft(_segment_dist(g, (0, -0.8 * s), (0, 0.8 * s)) / 0.008, 0.008) * brain, t["csf"]
    )
    for sx in (-1, 1):  # lateral ventricles: frontal horns and bodies
        _paint(img, _ellipse(g, sx * 0.10 * s, -0.12 * s, 0.06 * s, 0.26 * s, sx * 0.25), t["csf"])
        _paint(img, _ellipse(g, sx * 0.16 * s, 0.22 * s, 0.05 * s, 0.12 * s, -sx * 0.5), t["csf"])
    return brain


def _coronal(
    g: _Grid, img: np.ndarray, t: _Tissue, s: float, ang: float, gyri: np.ndarray
) -> np.ndarray:
    _paint(img, _ellipse(g, 0, -0.02, 0.80 * s, 0.92 * s, ang), t["scalp"])
    _paint(img, _ellipse(g, 0, -0.02, 0.755 * s, 0.875 * s, ang), t["skull"])
    _paint(img, _ellipse(g, 0, -0.02, 0.72 * s, 0.84 * s, ang), t["csf"])
    d = _ellipse_d(g, 0, -0.1 * s, 0.68 * s, 0.70 * s, ang)
    for sx in (-1, 1):  # temporal lobes below the sylvian fissures
        d = np.minimum(d, _ellipse_d(g, sx * 0.45 * s, 0.36 * s, 0.22 * s, 0.22 * s))
    d = np.minimum(d, _ellipse_d(g, 0, 0.5 * s, 0.12 * s, 0.36 * s))  # brainstem
    brain = _soft(d + 0.02 * gyri, 0.5)
    _paint(img, brain, t["gm"])
    _paint(img, _soft(d + 0.16 * gyri, 0.5, 0.05) * _soft(d / 0.8, 0.5), t["wm"])
    _paint(img, brain * (np.abs(gyri) < 0.12) * (d > 0.8) * 0.8, t["csf"])
    for sx in (-1, 1):
        _paint(
            img, _ellipse(g, sx * 0.10 * s, -0.08 * s, 0.055 * s, 0.15 * s, -sx * 0.35), t["csf"]
        )
        _paint(
            img,
            _soft(
                _segment_dist(g, (sx * 0.25 * s, 0.16 * s), (sx * 0.62 * s, 0.12 * s)) / 0.012, 0.01
            )
            * brain,
            t["csf"],
        )
    return brain


def _sagittal(
    g: _Grid, img: np.ndarray, t: _Tissue, s: float, ang: float, gyri: np.ndarray
) -> np.ndarray:
    _paint(img, _ellipse(g, 0.02, -0.06, 0.90 * s, 0.80 * s, ang), t["scalp"])
    _paint(img, _ellipse(g, -0.62 * s, 0.42 * s, 0.30 * s, 0.40 * s), t["scalp"])  # face
    _paint(img, _ellipse(g, 0.02, -0.08, 0.86 * s, 0.75 * s, ang), t["skull"])
    _paint(img, _ellipse(g, 0.02, -0.08, 0.82 * s, 0.71 * s, ang), t["csf"])
    d = _ellipse_d(g, 0.02, -0.14 * s, 0.79 * s, 0.60 * s, ang)
    brain = _soft(d + 0.02 * gyri, 0.5)
    _paint(img, brain, t["gm"])
    _paint(img, _soft(d + 0.16 * gyri, 0.5, 0.05) * _soft(d / 0.8, 0.5), t["wm"])
    _paint(img, brain * (np.abs(gyri) < 0.12) * (d > 0.8) * 0.8, t["csf"])
    cc = _ellipse_d(g, 0.0, 0.02 * s, 0.40 * s, 0.22 * s)
    _paint(img, ((cc > 0.82) & (cc < 1.0) & (g.y < 0.02 * s)).astype(np.float32), t["wm"])
    _paint(img, _ellipse(g, 0.0, -0.02 * s, 0.30 * s, 0.08 * s), t["csf"])
    cereb_d = _ellipse_d(g, 0.45 * s, 0.42 * s, 0.30 * s, 0.20 * s, 0.2)
    cereb = _soft(cereb_d, 0.2)
    _paint(img, cereb, t["gm"])
    folia = cereb * (np.sin(cereb_d * 18.0) > 0.6) * (cereb_d > 0.3)
    _paint(img, folia, t["wm"])
    stem = _ellipse(g, 0.14 * s, 0.52 * s, 0.09 * s, 0.34 * s, -0.35)
    _paint(img, stem, t["wm"])
    return np.maximum(brain, cereb)


_HEAD_SHAPES = {"axial": _axial, "coronal": _coronal, "sagittal": _sagittal}


def _draw_brain_lesion(
    g: _Grid,
    img: np.ndarray,
    labels: ScanLabels,
    look: str,
    brain: np.ndarray,
    anat: np.random.Generator,
) -> None:
    """Paint the lesion (and oedema) with the look its kind has in this sequence."""
    core_v, rim_v, edema_v = _LESION_LOOK[labels.lesion][look]
    r = max(0.06, (labels.size_cm or 2.0) * 0.05)
    cx, cy = _lesion_center(labels, anat)
    if labels.lesion == "meningioma":
        # Extra-axial: slide the centre outwards until the mass abuts the inner table.
        norm = math.hypot(cx, cy) + 1e-6
        reach = _brain_edge(labels.plane, cx / norm, cy / norm)
        cx, cy = cx / norm * (reach - 0.6 * r), cy / norm * (reach - 0.6 * r)
    centres = [(cx, cy, r)]
    for _ in range(max(0, labels.n_lesions - 1)):
        ox, oy = anat.uniform(-0.45, 0.45), anat.uniform(-0.5, 0.5)
        centres.append((ox, oy, r * anat.uniform(0.45, 0.7)))
    shape_noise = _noise(anat, g.size, 10)
    for i, (x, y, rr) in enumerate(centres):
        d = _ellipse_d(g, x, y, rr, rr * anat.uniform(0.8, 1.15), anat.uniform(0, math.pi))
        if labels.lesion in ("glioma", "hemorrhage"):
            d = d + 0.18 * shape_noise  # irregular margins
        if edema_v is not None:
            ed = _soft(d / (1.9 if i == 0 else 1.6) + 0.15 * shape_noise, 0.3, 0.05) * brain
            _paint(img, ed, edema_v)
        if labels.lesion == "infarct":
            d = np.maximum(d, 0.0)
        if rim_v is not None:
            _paint(img, _soft(d, rr), rim_v)
            thick = 0.62 if labels.lesion == "metastasis" else 0.78
            _paint(img, _soft(d / thick, rr), core_v)
        else:
            _paint(img, _soft(d, rr), core_v)


def _brain_edge(plane: str, ux: float, uy: float) -> float:
    """Distance from the centre to the inner skull along a unit direction."""
    a, b = {"axial": (0.68, 0.82), "coronal": (0.70, 0.80), "sagittal": (0.80, 0.66)}[plane]
    return 1.0 / math.sqrt((ux / a) ** 2 + (uy / b) ** 2)


def _vessel(
    g: _Grid, img: np.ndarray, pts: list[tuple[float, float]], w: float, value: float
) -> None:
    for p, q in zip(pts[:-1], pts[1:], strict=False):
        _paint(img, _soft(_segment_dist(g, p, q) / w, w, 0.006), value)


def _tree(
    g: _Grid,
    img: np.ndarray,
    start: tuple[float, float],
    angle: float,
    length: float,
    w: float,
    depth: int,
    rng: np.random.Generator,
) -> None:
    """A branching vessel tree: each branch splits into two thinner, shorter ones."""
    end = (start[0] + length * math.cos(angle), start[1] + length * math.sin(angle))
    mid = (
        (start[0] + end[0]) / 2 + rng.uniform(-0.03, 0.03),
        (start[1] + end[1]) / 2 + rng.uniform(-0.03, 0.03),
    )
    _vessel(g, img, [start, mid, end], w, 0.12)
    if depth > 0:
        for da in (-0.45, 0.45):
            _tree(
                g,
                img,
                end,
                angle + da + rng.uniform(-0.2, 0.2),
                length * 0.72,
                w * 0.7,
                depth - 1,
                rng,
            )


_ANEURYSM_XY = {  # frontal view, patient's left (image right)
    "middle cerebral artery bifurcation": (0.46, -0.02),
    "posterior communicating artery": (0.20, 0.20),
    "anterior communicating artery": (0.0, -0.12),
    "basilar tip": (0.0, 0.18),
}


def _render_angio(g: _Grid, labels: ScanLabels, anat: np.random.Generator) -> np.ndarray:
    """Digital subtraction angiogram: dark contrast-filled vessels on a light background."""
    img = 0.80 + 0.04 * _noise(anat, g.size, 4)
    skull = _ellipse(g, 0, 0, 0.86, 0.92) - _ellipse(g, 0, 0, 0.82, 0.88)
    _paint(img, np.clip(skull, 0, 1) * 0.5, 0.66)
    if labels.plane == "frontal":
        for sx in (-1, 1):
            _vessel(
                g,
                img,
                [(sx * 0.22, 1.0), (sx * 0.20, 0.5), (sx * 0.26, 0.25), (sx * 0.18, 0.08)],
                0.022,
                0.1,
            )
            _vessel(g, img, [(sx * 0.18, 0.08), (sx * 0.46, -0.02)], 0.016, 0.1)  # M1
            _tree(g, img, (sx * 0.46, -0.02), -math.pi / 2 + sx * 0.9, 0.22, 0.012, 3, anat)
            _vessel(
                g, img, [(sx * 0.18, 0.08), (sx * 0.02, -0.12), (sx * 0.03, -0.7)], 0.012, 0.12
            )  # ACA
            _vessel(g, img, [(0, 0.18), (sx * 0.35, 0.28), (sx * 0.5, 0.45)], 0.010, 0.15)  # PCA
        _vessel(g, img, [(0.0, 1.0), (0.0, 0.18)], 0.016, 0.12)  # basilar
        site = _ANEURYSM_XY.get(labels.location or "", (0.46, -0.02))
        sx = -1.0 if labels.side == "right" else 1.0
        centre = (site[0] * sx, site[1])
    else:  # lateral: face left, ICA siphon anteriorly, MCA branches sweep backwards
        _vessel(
            g,
            img,
            [(-0.05, 1.0), (-0.10, 0.45), (-0.28, 0.30), (-0.18, 0.12), (-0.05, 0.05)],
            0.022,
            0.1,
        )
        _tree(g, img, (-0.05, 0.05), -0.35, 0.24, 0.013, 3, anat)
        _vessel(g, img, [(-0.05, 0.05), (-0.35, -0.2), (-0.3, -0.55), (0.1, -0.72)], 0.012, 0.12)
        _vessel(g, img, [(0.35, 1.0), (0.25, 0.3), (0.5, 0.2), (0.7, 0.1)], 0.012, 0.15)
        centre = {
            "middle cerebral artery bifurcation": (-0.05, 0.05),
            "posterior communicating artery": (-0.12, 0.14),
            "anterior communicating artery": (-0.33, -0.18),
            "basilar tip": (0.26, 0.30),
        }.get(labels.location or "", (-0.05, 0.05))
    if labels.lesion == "aneurysm":
        r = 0.04 + 0.05 * (labels.size_cm or 0.8)
        up = -1.0 if centre[1] > -0.3 else 1.0
        _vessel(g, img, [centre, (centre[0], centre[1] + up * r)], 0.02, 0.08)  # neck
        _paint(img, _ellipse(g, centre[0], centre[1] + up * r * 1.6, r, r * 1.1), 0.05)
    return img


def _render_spine_xray(g: _Grid, labels: ScanLabels, anat: np.random.Generator) -> np.ndarray:
    """Radiograph of seven vertebrae around the labelled level; a fracture is a dense wedge."""
    img = np.full_like(g.x, 0.06)
    lateral = labels.plane == "lateral"
    _paint(img, _soft(np.abs(g.x - (0.05 if lateral else 0.0)) / 0.75, 0.5, 0.2), 0.24)
    target = int(anat.integers(2, 5))  # which of the seven bodies is the labelled level
    h, gap = 0.20, 0.075
    for i in range(7):
        cy = -0.78 + i * (h + gap) + h / 2
        cx = (-0.18 + 0.08 * math.cos(cy * 2.0)) if lateral else 0.0
        w = 0.50 if lateral else 0.62
        hh = h
        fractured = labels.lesion == "fracture" and i == target
        if fractured:
            hh = h * 0.5
        if fractured and lateral:
            body = _wedge(g, cx, cy + h / 4, w / 2, h / 2)
        else:
            body = _box(g, cx, cy + (h / 4 if fractured else 0), w / 2, hh / 2, 0.03)
        _paint(img, body, 0.80 if fractured else 0.58)
        if not fractured:  # cortical rim and endplates
            _paint(img, body * (1 - _box(g, cx, cy, w / 2 - 0.025, hh / 2 - 0.025, 0.01)), 0.85)
        if lateral:  # pedicle and spinous process behind the body (image right)
            _paint(img, _box(g, cx + w / 2 + 0.08, cy - 0.02, 0.08, 0.05, 0.02), 0.5)
            _vessel(g, img, [(cx + w / 2 + 0.12, cy), (cx + w / 2 + 0.38, cy + 0.08)], 0.035, 0.52)
        else:
            for sx in (-1, 1):
                _paint(img, _ellipse(g, cx + sx * 0.14, cy, 0.05, 0.07), 0.80)
            _vessel(g, img, [(cx, cy + 0.03), (cx, cy + 0.12)], 0.03, 0.62)
    return img


def _wedge(g: _Grid, cx: float, cy: float, hw: float, hh: float) -> np.ndarray:
    """Anterior wedge compression: the body keeps its height posteriorly (image right) only."""
    frac = np.clip((g.x - (cx - hw)) / (2 * hw), 0, 1)
    half = hh * (0.25 + 0.75 * frac)
    inside_x = np.clip((hw - np.abs(g.x - cx)) / 0.008, 0, 1)
    inside_y = np.clip((half - np.abs(g.y - (cy + hh - half))) / 0.008, 0, 1)
    return inside_x * inside_y


def _box(g: _Grid, cx: float, cy: float, hw: float, hh: float, rad: float) -> np.ndarray:
    """Soft rounded rectangle mask."""
    qx = np.maximum(np.abs(g.x - cx) - (hw - rad), 0)
    qy = np.maximum(np.abs(g.y - cy) - (hh - rad), 0)
    d = np.hypot(qx, qy) / rad
    return np.clip((1.0 - d) * rad / 0.008, 0.0, 1.0)


def to_rgb(gray: np.ndarray) -> Image.Image:
    """A grayscale ``uint8`` array as an RGB PIL image (how panels are stored and embedded)."""
    return Image.fromarray(gray, mode="L").convert("RGB")
