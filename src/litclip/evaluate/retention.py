"""General-knowledge retention: zero-shot accuracy on a general-domain set along WiSE-FT.

Fine-tuning on a journal can erase what the base model knew. This measures zero-shot accuracy
on a general-domain dataset the user names (``folder:DIR``) for the base model (alpha 0), the
fine-tuned model (alpha 1) and weight-space interpolations between them (WiSE-FT, Wortsman et
al.), built by ``litclip.models.interpolate.interpolate_models``. When a domain dataset is given
too, the same sweep reports its zero-shot accuracy, showing the trade-off curve.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)

#: ``spec -> {"general": accuracy, "domain": accuracy (optional)}``
Measure = Callable[[str], dict[str, float]]


def interpolated_spec(
    base: str,
    finetuned: str,
    alpha: float,
    out_dir: str | os.PathLike[str],
    interpolate: Callable[..., Any] | None = None,
) -> str:
    """The model spec for ``alpha`` (0 = base, 1 = fine-tuned, else an interpolated directory)."""
    if alpha <= 0.0:
        return base
    if alpha >= 1.0:
        return finetuned
    target = Path(out_dir) / f"alpha_{alpha:.2f}"
    if not (target / "litclip.json").is_file():
        if interpolate is None:
            from litclip.models.interpolate import interpolate_models as interpolate  # lazy
        result = interpolate(base, finetuned, alpha, target)
        target = Path(result) if result is not None else target
    return str(target)


def evaluate(
    base: str,
    finetuned: str,
    measure: Measure,
    out_dir: str | os.PathLike[str],
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    interpolate: Callable[..., Any] | None = None,
) -> dict:
    """Retention run fields: ``{"metrics", "details": {"sweep": [...]}}``.

    Metrics: ``base_accuracy``, ``finetuned_accuracy``, ``retention`` (fine-tuned / base
    general-domain accuracy) and, with a domain set, ``base_domain_accuracy`` and
    ``finetuned_domain_accuracy``. ``details["sweep"]`` lists every alpha's accuracies.
    """
    alphas = sorted({0.0, 1.0, *[float(a) for a in alphas]})
    sweep = []
    for alpha in alphas:
        spec = interpolated_spec(base, finetuned, alpha, out_dir, interpolate)
        sweep.append({"alpha": alpha, "spec": spec, **measure(spec)})
    first, last = sweep[0], sweep[-1]
    metrics = {
        "base_accuracy": first["general"],
        "finetuned_accuracy": last["general"],
        "retention": last["general"] / first["general"] if first["general"] else float("nan"),
    }
    if "domain" in first:
        metrics["base_domain_accuracy"] = first["domain"]
        metrics["finetuned_domain_accuracy"] = last["domain"]
        best = max(sweep, key=lambda s: s["domain"] + s["general"])
        metrics["best_alpha_sum"] = best["alpha"]
    return {"metrics": metrics, "details": {"sweep": sweep, "alphas": alphas}}
