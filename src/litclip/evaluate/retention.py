"""General-knowledge retention: zero-shot accuracy on a general-domain set along WiSE-FT.

Fine-tuning on a journal can erase what the base model knew. This measures zero-shot accuracy
on a general-domain dataset the user names (``folder:DIR``) for the base model (alpha 0), the
fine-tuned model (alpha 1) and weight-space interpolations between them (WiSE-FT, Wortsman et
al.), built by ``litclip.models.interpolate.interpolate_models``. When a domain dataset is given
too, the same sweep reports its zero-shot accuracy, showing the trade-off curve.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)

#: ``spec -> {"general": test accuracy, "domain": ..., "general_val": ..., "domain_val": ...}``
#: (all but ``general`` optional)
Measure = Callable[[str], dict[str, float]]


def _source_stamp(spec: str) -> str:
    """What identifies a model's weights: a directory's path and its files' sizes and times."""
    path = Path(spec)
    if not path.is_dir():
        return spec
    files = sorted(f for f in path.iterdir() if f.is_file())
    return f"{path.resolve()}|" + "|".join(
        f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files
    )


def interpolated_spec(
    base: str,
    finetuned: str,
    alpha: float,
    out_dir: str | os.PathLike[str],
    interpolate: Callable[..., Any] | None = None,
) -> str:
    """The model spec for ``alpha`` (0 = base, 1 = fine-tuned, else an interpolated directory).

    The directory is named by alpha and a digest of both source models (their paths and files'
    sizes and times), so another model, or the same one retrained, never reuses a blend.
    """
    if alpha <= 0.0:
        return base
    if alpha >= 1.0:
        return finetuned
    key = hashlib.sha1(f"{_source_stamp(base)}\n{_source_stamp(finetuned)}".encode())
    target = Path(out_dir) / f"alpha_{alpha:.2f}-{key.hexdigest()[:10]}"
    if not (target / "litclip.json").is_file():
        shutil.rmtree(target, ignore_errors=True)  # a blend killed before its last file
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
    ``finetuned_domain_accuracy``. When ``measure`` also returns ``general_val`` and
    ``domain_val`` (validation accuracies), ``best_alpha_val`` is the alpha with the highest
    validation sum and ``best_alpha_*_accuracy`` its test accuracies; alpha is never chosen on
    test. ``details["sweep"]`` lists every alpha's accuracies.
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
    details: dict[str, Any] = {"sweep": sweep, "alphas": alphas}
    if "domain" in first:
        metrics["base_domain_accuracy"] = first["domain"]
        metrics["finetuned_domain_accuracy"] = last["domain"]
        # alpha is chosen on validation accuracies only; test numbers are reported at it
        if all("general_val" in s and "domain_val" in s for s in sweep):
            best = max(sweep, key=lambda s: s["domain_val"] + s["general_val"])
            metrics["best_alpha_val"] = best["alpha"]
            metrics["best_alpha_general_accuracy"] = best["general"]
            metrics["best_alpha_domain_accuracy"] = best["domain"]
        else:
            details["best_alpha"] = "not chosen: a dataset has no validation split"
    return {"metrics": metrics, "details": details}
