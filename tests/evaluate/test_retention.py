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
        if spec in acc:
            g, d = acc[spec]
        else:  # interpolated dirs: linear in alpha
            a = float(Path(spec).name.split("_")[1])
            g, d = 0.8 - 0.2 * a, 0.5 + 0.4 * a
        return {"general": g, "domain": d}

    res = retention.evaluate(
        "base", "ft", measure, tmp_path, alphas=(0.5, 0.25), interpolate=interpolate
    )
    assert made == [0.25, 0.5]  # endpoints are the models themselves, never interpolated
    assert [s["alpha"] for s in res["details"]["sweep"]] == [0.0, 0.25, 0.5, 1.0]
    assert res["metrics"]["retention"] == pytest.approx(0.6 / 0.8)
    assert res["metrics"]["finetuned_domain_accuracy"] == 0.9


@pytest.mark.timeout(60)
def test_interpolated_spec_uses_models_interpolate(tmp_path: Path, micro) -> None:  # noqa: ANN001
    from litclip.models import load_model, save_model

    ft = save_model(micro, tmp_path / "ft")
    spec = retention.interpolated_spec("litclip-micro", str(ft), 0.5, tmp_path / "wise")
    assert Path(spec).name == "alpha_0.50"
    assert load_model(spec).meta["wise_ft"]["alpha"] == 0.5
    assert retention.interpolated_spec("litclip-micro", str(ft), 0.0, tmp_path) == "litclip-micro"
