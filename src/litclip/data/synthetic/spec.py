"""The variables behind every synthetic scan: one record drives both the pixels and the caption.

A :class:`Case` is one virtual patient (one lesion: kind, side, location, size). A case is
shown in one or more :class:`ScanLabels` (modality, sequence, plane), one per figure panel.
The phantom renderer and the caption writer both read the same ``ScanLabels``, so a caption
can only say what the image shows.

Orientation convention (radiological, used everywhere in this package): on axial and coronal
images the patient's **left is on the image right** and anterior is at the top of axial
images; sagittal images face left (anterior on the image left). Frontal (AP) angiograms and
radiographs follow the same left-on-image-right convention.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Lesion kinds shown on head MRI/CT.
BRAIN_LESIONS = ("glioma", "meningioma", "metastasis", "abscess", "hemorrhage", "infarct")
#: Lobes and posterior-fossa structures a brain lesion may sit in.
BRAIN_LOCATIONS = ("frontal lobe", "temporal lobe", "parietal lobe", "occipital lobe", "cerebellum")
#: Aneurysm sites on angiography; ``None`` side means midline.
ANEURYSM_SITES = {
    "middle cerebral artery bifurcation": True,
    "posterior communicating artery": True,
    "anterior communicating artery": False,
    "basilar tip": False,
}
#: Vertebral levels for spine radiographs.
SPINE_LEVELS = ("C5", "C6", "T11", "T12", "L1", "L2", "L3", "L4")
MRI_SEQUENCES = ("t1", "t2", "flair", "t1c")
CT_WINDOWS = ("brain_window", "bone_window")


@dataclass(frozen=True)
class Case:
    """One virtual patient with (at most) one dominant lesion.

    Attributes:
        region: ``head`` or ``spine``.
        lesion: lesion kind (``glioma`` ... ``aneurysm``, ``fracture``) or ``none``.
        side: ``left``, ``right``, ``midline`` or ``None`` (no lesion).
        location: lobe, artery site or vertebral level; ``None`` when there is no lesion.
        size_cm: largest diameter in cm (``None`` for no lesion).
        n_lesions: number of lesions (metastases may be multiple).
        age: patient age in years.
        sex: ``man`` or ``woman``.
        seed: seed of the geometry jitter (shape, texture) shared by all views of the case.
    """

    region: str
    lesion: str
    side: str | None
    location: str | None
    size_cm: float | None
    n_lesions: int
    age: int
    sex: str
    seed: int


@dataclass(frozen=True)
class ScanLabels:
    """Everything one panel shows: the case plus how it was imaged.

    Attributes:
        modality: ``mri``, ``ct``, ``angiography`` or ``xray``.
        sequence: MRI ``t1``/``t2``/``flair``/``t1c``; CT ``brain_window``/``bone_window``;
            ``dsa`` for angiography; ``None`` for radiographs.
        plane: ``axial``, ``sagittal``, ``coronal`` (cross-sectional) or ``frontal``/``lateral``
            (projection images).
        lesion, side, location, size_cm, n_lesions: copied from the case.
        signal: the lesion's appearance in this view (``hyperintense``, ``hypointense``,
            ``isointense``, ``ring-enhancing``, ``enhancing``, ``non-enhancing``,
            ``hyperdense``, ``hypodense``) or ``None``.
        seed: geometry seed of the case (same for all panels of a case).
    """

    modality: str
    sequence: str | None
    plane: str
    region: str
    lesion: str
    side: str | None
    location: str | None
    size_cm: float | None
    n_lesions: int
    signal: str | None
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (used in ground truth and classification metadata)."""
        return dataclasses.asdict(self)


# Appearance of each lesion kind per (modality, sequence). Intensity targets live in
# phantoms.py; these words are what a radiologist would write for that look.
_SIGNAL = {
    "glioma": {
        "t1": "hypointense",
        "t2": "hyperintense",
        "flair": "hyperintense",
        "t1c": "non-enhancing",
        "brain_window": "hypodense",
    },
    "meningioma": {
        "t1": "isointense",
        "t2": "isointense",
        "flair": "isointense",
        "t1c": "enhancing",
        "brain_window": "hyperdense",
    },
    "metastasis": {
        "t1": "hypointense",
        "t2": "hyperintense",
        "flair": "hyperintense",
        "t1c": "ring-enhancing",
        "brain_window": "hypodense",
    },
    "abscess": {
        "t1": "hypointense",
        "t2": "hyperintense",
        "flair": "hyperintense",
        "t1c": "ring-enhancing",
        "brain_window": "hypodense",
    },
    "hemorrhage": {
        "t1": "hyperintense",
        "t2": "hypointense",
        "flair": "hyperintense",
        "t1c": "hyperintense",
        "brain_window": "hyperdense",
    },
    "infarct": {
        "t1": "hypointense",
        "t2": "hyperintense",
        "flair": "hyperintense",
        "t1c": "non-enhancing",
        "brain_window": "hypodense",
    },
}


def signal_word(lesion: str, modality: str, sequence: str | None) -> str | None:
    """The appearance word for ``lesion`` in a given modality/sequence (``None`` if not shown)."""
    if lesion == "none":
        return None
    if modality in ("mri", "ct") and lesion in _SIGNAL:
        return _SIGNAL[lesion].get(sequence or "")
    if modality == "angiography" and lesion == "aneurysm":
        return "saccular"
    if modality == "xray" and lesion == "fracture":
        return "compression"
    return None


def lesion_visible(case: Case, modality: str, sequence: str | None, plane: str) -> bool:
    """Whether a given view shows the case's lesion (bone-window CT hides brain lesions)."""
    if case.lesion == "none":
        return False
    if case.lesion == "aneurysm":
        return modality == "angiography"
    if case.lesion == "fracture":
        return modality == "xray"
    return modality in ("mri", "ct") and sequence != "bone_window"


def make_labels(case: Case, modality: str, sequence: str | None, plane: str) -> ScanLabels:
    """Combine a case with a view into the labels of one panel."""
    visible = lesion_visible(case, modality, sequence, plane)
    lesion = case.lesion if visible else "none"
    return ScanLabels(
        modality=modality,
        sequence=sequence,
        plane=plane,
        region=case.region,
        lesion=lesion,
        side=case.side if visible else None,
        location=case.location if visible else None,
        size_cm=case.size_cm if visible else None,
        n_lesions=case.n_lesions if visible else 0,
        signal=signal_word(lesion, modality, sequence) if visible else None,
        seed=case.seed,
    )


def sample_case(rng: np.random.Generator, lesion: str | None = None) -> Case:
    """Draw a random case; ``lesion`` forces the lesion kind (else drawn from all kinds)."""
    kinds = (*BRAIN_LESIONS, "aneurysm", "fracture", "none")
    weights = np.array([3, 2, 2, 1.5, 2, 1.5, 1.5, 1.2, 1.0])
    if lesion is None:
        lesion = str(rng.choice(kinds, p=weights / weights.sum()))
    seed = int(rng.integers(0, 2**31 - 1))
    age, sex = int(rng.integers(18, 86)), str(rng.choice(["man", "woman"]))
    if lesion == "none":
        return Case("head", "none", None, None, None, 0, age, sex, seed)
    if lesion == "fracture":
        level = str(rng.choice(SPINE_LEVELS))
        return Case("spine", "fracture", "midline", level, None, 1, age, sex, seed)
    if lesion == "aneurysm":
        site = str(rng.choice(list(ANEURYSM_SITES)))
        side = str(rng.choice(["left", "right"])) if ANEURYSM_SITES[site] else "midline"
        size = float(rng.choice([0.5, 0.7, 0.8, 1.0, 1.2, 1.5]))
        return Case("head", "aneurysm", side, site, size, 1, age, sex, seed)
    side = str(rng.choice(["left", "right"]))
    location = str(rng.choice(BRAIN_LOCATIONS))
    if location == "cerebellum" and lesion == "infarct":
        location = "occipital lobe"
    n = int(rng.choice([2, 3])) if lesion == "metastasis" and rng.random() < 0.35 else 1
    lo, hi = (1.5, 3.0) if n > 1 or location == "cerebellum" else (2.0, 5.0)
    size = round(float(rng.uniform(lo, hi)) * 2) / 2
    return Case("head", lesion, side, location, size, n, age, sex, seed)


def sample_views(case: Case, n: int, rng: np.random.Generator) -> list[tuple[str, str | None, str]]:
    """Pick ``n`` distinct (modality, sequence, plane) views that suit the case."""
    if case.region == "spine":
        pool = [("xray", None, "lateral"), ("xray", None, "frontal")]
    elif case.lesion == "aneurysm":
        pool = [
            ("angiography", "dsa", "frontal"),
            ("angiography", "dsa", "lateral"),
            ("ct", "brain_window", "axial"),
        ]
    else:
        pool = [("mri", s, p) for s in MRI_SEQUENCES for p in ("axial", "coronal", "sagittal")]
        pool += [("ct", "brain_window", "axial")] * 3 + [("ct", "bone_window", "axial")]
        pool += [("ct", "brain_window", "coronal")]
        if case.lesion == "hemorrhage":
            pool += [("ct", "brain_window", "axial")] * 6
    # Prefer axial first: it is the view that shows side and lobe best.
    order = rng.permutation(len(pool))
    views: list[tuple[str, str | None, str]] = []
    for i in order:
        if pool[i] not in views:
            views.append(pool[i])
        if len(views) == n:
            break
    return views
