"""WiSE-FT interpolation: alpha=0 is the base, alpha=1 the fine-tuned model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from litclip.errors import LitclipError
from litclip.models import load_model, save_model
from litclip.models.interpolate import interpolate_models, interpolate_state_dicts, wise_ft_sweep


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> None:
    torch.set_num_threads(1)  # a shared 2-core box: spinning intra-op threads only slow it down


@pytest.fixture(scope="module")
def base_and_ft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("wise")
    torch.manual_seed(0)
    base = save_model(load_model("litclip-micro"), root / "base")
    torch.manual_seed(1)  # a different init stands in for fine-tuned weights
    ft = save_model(
        load_model("litclip-micro"), root / "ft", metadata={"training": {"loss": "clip"}}
    )
    return base, ft


def _sd(path: Path) -> dict[str, torch.Tensor]:
    return load_model(str(path)).model.state_dict()


def test_endpoints_and_midpoint(base_and_ft, tmp_path: Path) -> None:
    base, ft = base_and_ft
    sd_base, sd_ft = _sd(base), _sd(ft)
    for alpha, want in ((0.0, sd_base), (1.0, sd_ft)):
        got = _sd(interpolate_models(str(base), str(ft), alpha, tmp_path / f"a{alpha}"))
        for k in want:
            assert torch.equal(got[k], want[k]), k
    mid = load_model(str(interpolate_models(str(base), str(ft), 0.5, tmp_path / "mid")))
    torch.testing.assert_close(
        mid.model.logit_scale, (sd_base["logit_scale"] + sd_ft["logit_scale"]) / 2
    )
    w = "visual.proj"
    torch.testing.assert_close(mid.model.state_dict()[w], (sd_base[w] + sd_ft[w]) / 2)
    assert mid.meta["wise_ft"]["alpha"] == 0.5 and mid.meta["base_spec"] == "litclip-micro"


def test_sweep(base_and_ft, tmp_path: Path) -> None:
    base, ft = base_and_ft
    paths = wise_ft_sweep(base, ft, [0.0, 1.0], tmp_path / "sweep")
    assert [p.name for p in paths] == ["alpha_0.00", "alpha_1.00"]
    sd_ft = _sd(ft)
    got = _sd(paths[1])
    assert all(torch.equal(got[k], sd_ft[k]) for k in sd_ft)


def test_mismatched_models_and_bad_alpha(base_and_ft, tmp_path: Path) -> None:
    base, ft = base_and_ft
    with pytest.raises(LitclipError, match="alpha"):
        interpolate_models(str(base), str(ft), 1.5, tmp_path / "x")
    with pytest.raises(LitclipError, match="differ"):
        interpolate_state_dicts({"a": torch.zeros(1)}, {"b": torch.zeros(1)}, 0.5)
    with pytest.raises(LitclipError, match="shape"):
        interpolate_state_dicts({"a": torch.zeros(1)}, {"a": torch.zeros(2)}, 0.5)


def test_out_never_overwrites_an_input_or_another_tools_folder(base_and_ft, tmp_path: Path) -> None:
    base, ft = base_and_ft
    with pytest.raises(LitclipError, match="is \\(inside\\) the input model"):
        interpolate_models(str(base), str(ft), 0.5, ft)  # would replace the fine-tuned model
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "config.json").write_text('{"litclip_version": "0", "config": {}}')
    with pytest.raises(LitclipError, match="holds other files"):
        interpolate_models(str(base), str(ft), 0.5, corpus)
    assert (corpus / "config.json").read_text().startswith('{"litclip_version"')
    with pytest.raises(LitclipError, match="holds other files"):
        wise_ft_sweep(base, ft, [0.5], corpus)
    # an earlier blend is replaced
    blend = interpolate_models(str(base), str(ft), 0.5, tmp_path / "blend")
    with pytest.warns(UserWarning, match="held an earlier WiSE-FT model: it is replaced"):
        assert interpolate_models(str(base), str(ft), 0.25, blend) == blend
    assert load_model(str(blend)).meta["wise_ft"]["alpha"] == 0.25


def test_sweep_folders_never_collide_and_alphas_are_checked_first(
    base_and_ft, tmp_path: Path
) -> None:
    """0.3 and 0.301 were both saved to alpha_0.30 (the first blend lost), and 0.5, 1.5 wrote
    alpha_0.50 before failing on 1.5."""
    base, ft = base_and_ft
    paths = wise_ft_sweep(base, ft, [0.3, 0.301, 0.125], tmp_path / "s")
    assert [p.name for p in paths] == ["alpha_0.30", "alpha_0.301", "alpha_0.125"]
    with pytest.raises(LitclipError, match="alpha must be in"):
        wise_ft_sweep(base, ft, [0.5, 1.5], tmp_path / "t")
    assert not (tmp_path / "t").exists()
    with pytest.raises(LitclipError, match="twice"):
        wise_ft_sweep(base, ft, [0.5, 0.50], tmp_path / "u")
