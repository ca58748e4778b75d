"""WiSE-FT: weight-space ensembles of a base and a fine-tuned model.

``theta(alpha) = (1 - alpha) * theta_base + alpha * theta_ft`` for every floating-point tensor
(integer buffers such as position ids are taken from the fine-tuned model). ``alpha = 0`` is
the base model, ``alpha = 1`` the fine-tuned one; intermediate values often keep most of the
fine-tuning gain while recovering the base model's robustness (Wortsman et al., 2022).
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from litclip.errors import LitclipError
from litclip.io import within
from litclip.models.loading import LITCLIP_META, LoadedModel, load_model
from litclip.models.saving import MODEL_FILES, save_model


def interpolate_state_dicts(
    base: dict[str, torch.Tensor], ft: dict[str, torch.Tensor], alpha: float
) -> dict[str, torch.Tensor]:
    """``(1 - alpha) * base + alpha * ft`` key by key.

    Raises:
        LitclipError: the two state dicts have different keys or shapes (different architectures).
    """
    if set(base) != set(ft):
        diff = sorted(set(base) ^ set(ft))[:5]
        raise LitclipError(
            f"models differ in parameters (e.g. {diff}); WiSE-FT needs one architecture"
        )
    out = {}
    for key, b in base.items():
        f = ft[key]
        if b.shape != f.shape:
            raise LitclipError(f"parameter {key} has shape {tuple(b.shape)} vs {tuple(f.shape)}")
        if torch.is_floating_point(f):
            out[key] = (
                torch.lerp(b.to(f.dtype), f, alpha)
                if 0 < alpha < 1
                else (b if alpha == 0 else f).clone()
            )
        else:
            out[key] = f.clone()
    return out


def _load(spec: str | Path | LoadedModel) -> LoadedModel:
    return spec if isinstance(spec, LoadedModel) else load_model(str(spec))


def check_blend_target(out_dir: str | Path, inputs: Sequence[Any]) -> None:
    """Refuse an ``--out`` that would overwrite an input model or another tool's folder (a
    corpus, a training run); an earlier WiSE-FT blend there is replaced."""
    out = Path(out_dir).resolve()
    for spec in inputs:
        if isinstance(spec, (str, Path)) and Path(spec).is_dir() and within(out, spec):
            raise LitclipError(
                f"--out {out_dir} is (inside) the input model {spec}: the blend would "
                "replace it; choose another folder"
            )
    if out.is_file():
        raise LitclipError(f"--out {out_dir} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        names = {p.name for p in out.iterdir() if not p.name.endswith(".tmp")}
        try:
            earlier_blend = "wise_ft" in json.loads((out / LITCLIP_META).read_text())
        except (OSError, ValueError):
            earlier_blend = False
        if not (earlier_blend and names <= MODEL_FILES):
            raise LitclipError(
                f"--out {out_dir} holds other files and is not an earlier WiSE-FT model: "
                "choose a new or empty folder"
            )
        warnings.warn(  # its results elsewhere were of the blend it held
            f"--out {out_dir} held an earlier WiSE-FT model: it is replaced",
            stacklevel=3,
        )


def interpolate_models(
    base_spec: str | Path | LoadedModel,
    ft_spec: str | Path | LoadedModel,
    alpha: float,
    out_dir: str | Path,
) -> Path:
    """Write the WiSE-FT model ``theta = (1 - alpha) theta_base + alpha theta_ft`` as a model dir.

    Args:
        base_spec: the zero-shot / pre-fine-tuning model (any :func:`load_model` spec).
        ft_spec: the fine-tuned model (same architecture), usually ``RUN/model``.
        alpha: mixing weight in [0, 1] (0: base, 1: fine-tuned).
        out_dir: target model directory.

    Returns:
        ``out_dir``; ``litclip.json`` records both specs and alpha.
    """
    if not 0.0 <= alpha <= 1.0:
        raise LitclipError(f"--alpha must be in [0, 1], got {alpha}")
    check_blend_target(out_dir, [base_spec, ft_spec])
    base, ft = _load(base_spec), _load(ft_spec)
    mixed = interpolate_state_dicts(base.model.state_dict(), ft.model.state_dict(), alpha)
    model = copy.deepcopy(ft.model)  # never modify a caller's model
    model.load_state_dict(mixed)
    meta = {
        "wise_ft": {"base": base.spec, "ft": ft.spec, "alpha": alpha},
        "base_spec": base.meta.get("base_spec", base.spec),
        "training": ft.meta.get("training"),
    }
    return save_model(ft, out_dir, metadata=meta, model=model)


def alpha_folder(alpha: float) -> str:
    """``alpha_0.50``; with the digits an alpha needs past two (``alpha_0.125``, ``alpha_0.301``),
    so two alphas never share a folder (0.3 and 0.301 were both ``alpha_0.30``)."""
    text = f"{alpha:.2f}"
    return f"alpha_{text if float(text) == alpha else repr(float(alpha))}"


def wise_ft_sweep(
    base: str | Path,
    ft: str | Path,
    alphas: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    out_root: str | Path = "wise_ft",
) -> list[Path]:
    """One model dir per alpha under ``out_root/alpha_0.50`` (models loaded once).

    Returns:
        The model directories, in the order of ``alphas``.
    """
    root = Path(out_root)
    others = (
        [p.name for p in root.iterdir() if not p.name.startswith("alpha_")] if root.is_dir() else []
    )
    if others:
        raise LitclipError(
            f"--out {root} holds other files ({', '.join(sorted(others)[:3])}): a sweep writes "
            "OUT/alpha_*/ model folders; choose a new or empty folder"
        )
    outside = [a for a in alphas if not 0.0 <= a <= 1.0]
    if outside:  # before anything is written
        raise LitclipError(f"alpha must be in [0, 1], got {outside[0]}")
    names = [alpha_folder(a) for a in alphas]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:  # the second blend would be saved over the first
        raise LitclipError(f"alphas {list(alphas)} give the folder {repeated[0]} twice")
    for name in names:
        check_blend_target(root / name, [base, ft])
    base_lm, ft_lm = load_model(str(base)), load_model(str(ft))
    base_sd = {k: v.clone() for k, v in base_lm.model.state_dict().items()}
    ft_sd = {k: v.clone() for k, v in ft_lm.model.state_dict().items()}
    paths = []
    for alpha, name in zip(alphas, names, strict=True):
        ft_lm.model.load_state_dict(interpolate_state_dicts(base_sd, ft_sd, alpha))
        meta = {
            "wise_ft": {"base": str(base), "ft": str(ft), "alpha": alpha},
            "base_spec": base_lm.meta.get("base_spec", base_lm.spec),
        }
        paths.append(save_model(ft_lm, root / name, metadata=meta))
    ft_lm.model.load_state_dict(ft_sd)
    return paths
