"""Retention sweep: alphas, interpolation calls, metrics; and real WiSE-FT dirs on micro."""

from __future__ import annotations

from pathlib import Path

import pytest

from litclip.evaluate import retention


def test_sweep_with_fake_models(tmp_path: Path) -> None:
    made = []

    def interpolate(base: str, ft: str, alpha: float, out: Path) -> Path:
        made.append(alpha)
        return out

    acc = {"base": (0.8, 0.5), "ft": (0.6, 0.9)}

    def measure(spec: str) -> dict[str, float]:
        alpha = {"base": 0.0, "ft": 1.0}.get(spec)
        if alpha is None:  # interpolated dirs: alpha_0.25-<digest>
            alpha = float(Path(spec).name.split("_")[1].split("-")[0])
        g, d = acc[spec] if spec in acc else (0.8 - 0.2 * alpha, 0.5 + 0.4 * alpha)
        # validation prefers alpha 0.25; test alone would prefer 1.0 (0.6 + 0.9)
        val = 0.75 if alpha == 0.25 else 0.5
        return {"general": g, "domain": d, "general_val": val, "domain_val": val}

    res = retention.evaluate(
        "base", "ft", measure, tmp_path, alphas=(0.5, 0.25), interpolate=interpolate
    )
    assert made == [0.25, 0.5]  # endpoints are the models themselves, never interpolated
    assert [s["alpha"] for s in res["details"]["sweep"]] == [0.0, 0.25, 0.5, 1.0]
    assert res["metrics"]["retention"] == pytest.approx(0.6 / 0.8)
    assert res["metrics"]["finetuned_domain_accuracy"] == 0.9
    assert res["metrics"]["best_alpha_val"] == 0.25  # chosen on validation, not on test
    assert res["metrics"]["best_alpha_domain_accuracy"] == pytest.approx(0.6)


def test_no_alpha_chosen_without_validation(tmp_path: Path) -> None:
    res = retention.evaluate(
        "base",
        "ft",
        lambda spec: {"general": 0.5, "domain": 0.5},
        tmp_path,
        alphas=(0.5,),
        interpolate=lambda base, ft, alpha, out: out,
    )
    assert "best_alpha_val" not in res["metrics"]
    assert "no validation split" in res["details"]["best_alpha"]


@pytest.mark.timeout(60)
def test_interpolated_spec_uses_models_interpolate(tmp_path: Path, micro) -> None:  # noqa: ANN001
    from litclip.models import load_model, save_model

    ft = save_model(micro, tmp_path / "ft")
    spec = retention.interpolated_spec("litclip-micro", str(ft), 0.5, tmp_path / "wise")
    assert Path(spec).name.startswith("alpha_0.50-")
    assert load_model(spec).meta["wise_ft"]["alpha"] == 0.5
    # reused for the same models; another fine-tuned model gets its own blend
    assert retention.interpolated_spec("litclip-micro", str(ft), 0.5, tmp_path / "wise") == spec
    other = save_model(micro, tmp_path / "ft2")
    spec2 = retention.interpolated_spec("litclip-micro", str(other), 0.5, tmp_path / "wise")
    assert spec2 != spec
    assert load_model(spec2).meta["wise_ft"]["ft"] == str(other)
    assert retention.interpolated_spec("litclip-micro", str(ft), 0.0, tmp_path) == "litclip-micro"
