"""run_evaluation end to end on tiny generated data (two models), caching, skip-existing,
contamination exclusion, retention, and a real PneumoniaMNIST slice."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from litclip.errors import LitclipError
from litclip.evaluate import run_evaluation, runner
from litclip.evaluate.results import read_results

FAST = {"n_boot": 20, "fewshot_ks": (1, 2), "fewshot_seeds": (0, 1, 2, 3, 4), "progress": False}


@pytest.fixture(scope="module")
def ft_model(micro, tmp_path_factory: pytest.TempPathFactory) -> str:  # noqa: ANN001
    """A 'fine-tuned' model directory (a saved copy of micro; base_spec = litclip-micro)."""
    from litclip.models import save_model

    return str(save_model(micro, tmp_path_factory.mktemp("ft") / "model"))


@pytest.mark.timeout(240)
def test_two_models_folder_and_pairs(
    tmp_path: Path,
    folder_ds: Path,
    pairs_manifest: Path,
    ft_model: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    datasets = [f"folder:{folder_ds}", f"pairs:{pairs_manifest}"]
    tasks = ["zeroshot", "calibration", "linear-probe", "few-shot", "retrieval"]
    out = tmp_path / "eval"
    res = run_evaluation(["litclip-micro", ft_model], datasets, tasks, out, **FAST)
    runs = res["runs"]
    assert len(runs) == 2 * 6  # per model: zs, calibration, probe, few-shot K=1,2, retrieval
    zs = next(r for r in runs if r["task"] == "zeroshot")
    assert zs["dataset"] == "lesions" and zs["split"] == "test" and zs["n"] == 16
    assert zs["details"]["split_sizes"] == {"test": 16, "train": 24, "val": 16}
    assert zs["details"]["prompts"]["source"] == "default"
    ret = next(r for r in runs if r["task"] == "retrieval")
    assert ret["split"] == "all" and ret["details"]["n_images"] == 12 and ret["n"] == 24
    assert ret["chance"]["image_retrieval_recall@1"] == pytest.approx(1 / 12)
    assert {r["model"] for r in runs} == {"litclip-micro", ft_model}
    html = (out / "report.html").read_text()
    assert (
        ft_model in html and "Few-shot learning curve" in html and "data:image/png;base64" in html
    )
    assert (out / "report.md").is_file() and (out / "config.json").is_file()
    assert read_results(out)["runs"] == runs

    # second run: every image feature of the model directory comes from the cache
    def no_encoding(*a: object, **k: object) -> None:
        raise AssertionError("features should have been cached")

    monkeypatch.setattr("litclip.models.encode_images", no_encoding)
    again = run_evaluation([ft_model], datasets, tasks, out, report=False, **FAST)
    mine = lambda rs: [r["metrics"] for r in rs if r["model"] == ft_model]  # noqa: E731
    assert mine(again["runs"]) == mine(runs)

    # --skip-existing: nothing is recomputed
    monkeypatch.setattr(runner, "TASKS", {t: no_encoding for t in runner.TASKS})
    skipped = run_evaluation(
        ["litclip-micro", ft_model], datasets, tasks, out, skip_existing=True, report=False, **FAST
    )
    assert len(skipped["runs"]) == len(runs)


@pytest.mark.timeout(240)
def test_contamination_exclusion_and_retention(
    tmp_path: Path, folder_ds: Path, pairs_manifest: Path, ft_model: str
) -> None:
    data = tmp_path / "lesions"
    shutil.copytree(folder_ds, data)
    leaked = pairs_manifest.parent / "images" / "001.png"  # a corpus figure copied into test
    shutil.copy(leaked, data / "test" / "finding" / "leaked.png")
    common = {
        "n_boot": 0,
        "progress": False,
        "report": False,
        "contamination_manifest": str(pairs_manifest),
    }
    from litclip.models import load_model, save_model

    base = str(save_model(load_model(ft_model), tmp_path / "base"))  # same weights as ft_model
    res = run_evaluation(
        [ft_model],
        [f"folder:{data}"],
        ["contamination", "zeroshot", "retention"],
        tmp_path / "out",
        exclude_contaminated=True,
        retention_dataset=f"folder:{folder_ds}",
        retention_base=base,
        alphas=(0.5,),
        **common,
    )
    con = [r for r in res["runs"] if r["task"] == "contamination" and r["split"] == "test"]
    assert con[0]["metrics"]["n_contaminated"] >= 1
    assert any(o["train_id"].endswith("001.png") for o in con[0]["details"]["overlaps"])
    zs = next(r for r in res["runs"] if r["task"] == "zeroshot")
    assert zs["n"] == 17 - con[0]["metrics"]["n_contaminated"]
    ret = next(r for r in res["runs"] if r["task"] == "retention")
    assert [s["alpha"] for s in ret["details"]["sweep"]] == [0.0, 0.5, 1.0]
    assert ret["details"]["base"] == base
    # identical weights: "fine-tuning" changed nothing, so every alpha keeps the accuracy
    assert ret["metrics"]["retention"] == pytest.approx(1.0)


def test_bad_input_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(LitclipError, match="unknown task"):
        run_evaluation(["litclip-micro"], ["folder:/x"], ["zero-shot"], tmp_path)
    with pytest.raises(LitclipError, match="dataset not found"):
        run_evaluation(["litclip-micro"], [f"folder:{tmp_path / 'nope'}"], ["zeroshot"], tmp_path)
    with pytest.raises(LitclipError, match="bad dataset spec"):
        run_evaluation(["litclip-micro"], ["imagenet"], ["zeroshot"], tmp_path)
    # shards are read through their corpus's manifest: said, not "use medmnist:, folder:..."
    with pytest.raises(LitclipError, match=r"use pairs:CORPUS/manifest.parquet"):
        run_evaluation(["litclip-micro"], ["wds:corpus/shards"], ["retrieval"], tmp_path)


@pytest.mark.shared_data
@pytest.mark.timeout(240)
def test_real_pneumoniamnist_slice(medmnist_dir: Path, tmp_path: Path) -> None:
    src = np.load(medmnist_dir / "pneumoniamnist.npz")
    rng = np.random.default_rng(0)
    sl = {}
    for split, n in (("train", 80), ("val", 60), ("test", 80)):
        idx = np.sort(rng.choice(len(src[f"{split}_labels"]), n, replace=False))
        sl[f"{split}_images"], sl[f"{split}_labels"] = (
            src[f"{split}_images"][idx],
            src[f"{split}_labels"][idx],
        )
    np.savez(tmp_path / "pneumoniamnist.npz", **sl)
    res = run_evaluation(
        ["litclip-micro"],
        [f"medmnist:{tmp_path / 'pneumoniamnist.npz'}"],
        ["zeroshot", "calibration", "linear-probe"],
        tmp_path / "out",
        n_boot=50,
        progress=False,
        report=False,
    )
    by_task = {r["task"]: r for r in res["runs"]}
    assert by_task["zeroshot"]["details"]["prompts"]["source"] == "litclip:pneumoniamnist"
    assert by_task["zeroshot"]["n"] == 80
    cal = by_task["calibration"]
    assert 0 < cal["details"]["threshold"] < 1 and "before" in cal["details"]
    # the threshold maximises F1 on validation: no other threshold does better there
    val_f1 = cal["details"]["val_metrics_at_threshold"]["f1"]
    assert val_f1 == pytest.approx(max(cal["details"]["threshold_curve"]["val"]["f1"]), abs=1e-4)
    assert by_task["linear-probe"]["details"]["n_train"] == 80
    assert all(0 <= by_task[t]["metrics"]["accuracy"] <= 1 for t in by_task)


@pytest.mark.timeout(120)
def test_fewshot_finetune_through_runner(tmp_path: Path, folder_ds: Path, ft_model: str) -> None:
    res = run_evaluation(
        [ft_model],
        [f"folder:{folder_ds}"],
        ["few-shot"],
        tmp_path,
        n_boot=0,
        progress=False,
        report=False,
        fewshot_ks=(1,),
        fewshot_seeds=(0, 1),
        fewshot_finetune=True,
        finetune_epochs=1,
    )
    by_task = {r["task"]: r for r in res["runs"]}
    assert set(by_task) == {"few-shot", "few-shot-finetune"}
    ft = by_task["few-shot-finetune"]
    assert (
        ft["details"]["method"] == "finetune" and ft["variant"] == "k=1" and ft["seeds"] == [0, 1]
    )
    assert len(ft["details"]["per_seed"]) == 2 and ft["n"] == 16


def test_two_manifests_of_one_folder_and_one_without_test_rows(
    tmp_path: Path, pairs_manifest: Path
) -> None:
    """Two manifests beside each other keep their own results (they once shared the folder's
    name, and one overwrote the other); a manifest with no test rows is skipped with a reason,
    not silently."""
    import pandas as pd

    frame = pd.read_csv(pairs_manifest)
    folder = pairs_manifest.parent
    frame.iloc[:12].assign(split="test").to_csv(folder / "a.csv", index=False)
    frame.iloc[12:].assign(split="test").to_csv(folder / "b.csv", index=False)
    frame.assign(split="train").to_csv(folder / "trained_on.csv", index=False)
    specs = [f"pairs:{folder / n}" for n in ("a.csv", "b.csv", "trained_on.csv")]
    res = run_evaluation(["litclip-micro"], specs, ["retrieval"], tmp_path / "ev", **FAST)
    names = sorted(r["dataset"] for r in res["runs"])
    assert names == [f"{folder.name}/a", f"{folder.name}/b"]
    assert read_results(tmp_path / "ev")["runs"] == res["runs"]
    (skip,) = res["skipped"]
    assert "trained_on.csv" in skip and "split == 'test'" in skip and "train" in skip


def test_fewshot_k_past_the_largest_class_is_skipped(tmp_path: Path, folder_ds: Path) -> None:
    """K=64 on 12 train images per class would be the whole split labelled K=64."""
    res = run_evaluation(
        ["litclip-micro"],
        [f"folder:{folder_ds}"],
        ["few-shot"],
        tmp_path,
        n_boot=0,
        progress=False,
        report=False,
        fewshot_ks=(1, 64),
        fewshot_seeds=(0, 1),
    )
    assert [r["variant"] for r in res["runs"]] == ["k=1"]
    assert any(
        "K=64" in s and "smallest class of its train split has 12" in s for s in res["skipped"]
    )
    for lo, hi in res["runs"][0]["ci95"].values():
        assert 0.0 <= lo <= hi <= 1.0


def test_skip_existing_runs_the_shots_and_seeds_not_yet_done(
    tmp_path: Path, folder_ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def shots(*ks: int) -> dict:
        return run_evaluation(
            ["litclip-micro"], [f"folder:{folder_ds}"], ["few-shot"], tmp_path,
            fewshot_ks=ks, fewshot_seeds=(0, 1), n_boot=0, progress=False, report=False,
            skip_existing=True,
        )  # fmt: skip

    assert [r["variant"] for r in shots(1)["runs"]] == ["k=1"]
    assert sorted(r["variant"] for r in shots(1, 2)["runs"]) == ["k=1", "k=2"]
    monkeypatch.setattr(runner, "TASKS", {t: None for t in runner.TASKS})  # nothing may run
    assert len(shots(2, 1)["runs"]) == 2


def test_unreadable_images_are_reported_not_dropped_in_silence(
    tmp_path: Path, folder_ds: Path
) -> None:
    data = tmp_path / "lesions"
    shutil.copytree(folder_ds, data)
    (data / "test" / "finding" / "zero.png").write_bytes(b"")
    res = run_evaluation(
        ["litclip-micro"],
        [f"folder:{data}"],
        ["zeroshot"],
        tmp_path / "r",
        n_boot=0,
        progress=False,
        report=False,
    )
    (note,) = [s for s in res["skipped"] if "unreadable" in s]
    assert note.startswith("1 unreadable or empty item left out of") and "zero.png" in note


def test_two_datasets_of_one_name_are_refused_before_anything_runs(
    tmp_path: Path, folder_ds: Path
) -> None:
    other = tmp_path / "siteB" / folder_ds.name
    shutil.copytree(folder_ds, other)
    with pytest.raises(LitclipError, match="are both named 'lesions'"):
        run_evaluation(
            ["litclip-micro"], [f"folder:{folder_ds}", f"folder:{other}"], ["zeroshot"], tmp_path
        )
    assert not (tmp_path / "results.json").exists()


def test_skip_existing_reruns_a_task_made_with_other_options(
    tmp_path: Path, folder_ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def calibrate(criterion: str, **kw: object) -> dict:
        return run_evaluation(
            ["litclip-micro"], [f"folder:{folder_ds}"], ["calibration"], tmp_path,
            criterion=criterion, n_boot=0, progress=False, report=False, skip_existing=True, **kw,
        )  # fmt: skip

    first = calibrate("f1")["runs"][0]
    assert first["options"]["criterion"] == "f1" and first["options"]["n_boot"] == 0
    again = calibrate("youden")["runs"]
    assert [r["options"]["criterion"] for r in again] == ["youden"]
    assert (tmp_path / "config.json").read_text().count('"youden"') == 1
    # a run that fails before producing anything leaves the folder's config alone
    with pytest.raises(LitclipError):
        run_evaluation(
            [str(tmp_path / "no-model")], [f"folder:{folder_ds}"], ["zeroshot"], tmp_path
        )
    assert '"youden"' in (tmp_path / "config.json").read_text()
    # the same options again: nothing runs
    monkeypatch.setattr(runner, "TASKS", {t: None for t in runner.TASKS})
    assert calibrate("youden")["runs"][0]["options"]["criterion"] == "youden"


def test_skip_existing_trains_only_the_cnn_archs_not_yet_done(
    tmp_path: Path, folder_ds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained: list[tuple[str, ...]] = []

    def fake_cnn(ctx, spec: str, archs=None) -> list[dict]:  # noqa: ANN001
        trained.append(tuple(archs))
        return [
            runner.make_run(f"timm:{a}", "lesions", "cnn", "test", {"accuracy": 0.5}, 16)
            for a in archs
        ]

    monkeypatch.setattr(runner, "task_cnn", fake_cnn)
    for archs in (("resnet18",), ("resnet18", "convnext_tiny")):
        run_evaluation(
            [], [f"folder:{folder_ds}"], ["cnn"], tmp_path, cnn_archs=archs,
            skip_existing=True, progress=False, report=False,
        )  # fmt: skip
    assert trained == [("resnet18",), ("convnext_tiny",)]


def test_k_past_the_smallest_class_is_not_called_k_shot() -> None:
    """27 'normal' and 93 'pneumonia' train images: K=64 would be 27 + 64, the same 27 for
    every seed, not a 64-shot run."""
    from types import SimpleNamespace

    ctx = SimpleNamespace(skipped=[])
    y = np.array([0] * 27 + [1] * 93)
    assert runner._feasible_ks(ctx, "folder:x", "few-shot", [1, 16, 27, 64], y) == [1, 16, 27]
    assert ctx.skipped == [
        "few-shot K=64 on folder:x: the smallest class of its train split has 27 images"
    ]


def test_repeated_seeds_are_refused(tmp_path: Path, folder_ds: Path) -> None:
    with pytest.raises(LitclipError, match=r"seeds \[1, 1, 2\] repeat \[1\]"):
        run_evaluation(
            ["litclip-micro"], [f"folder:{folder_ds}"], ["few-shot"], tmp_path,
            fewshot_seeds=(1, 1, 2),
        )  # fmt: skip


def test_model_roles_are_recorded_and_named_in_the_report(folder_ds: Path, tmp_path: Path) -> None:
    """`litclip run` says which model is the base and which the fine-tuned one: each run
    keeps its role through merges, and the report's header names them."""
    roles = {"litclip-micro": "base"}
    res = run_evaluation(
        ["litclip-micro"],
        [f"folder:{folder_ds}"],
        ["zeroshot"],
        tmp_path,
        model_roles=roles,
        **FAST,
    )
    assert [r["details"]["role"] for r in res["runs"]] == ["base"]
    assert "Models: base: litclip-micro." in (tmp_path / "report.html").read_text()


def test_runs_of_another_file_or_other_weights_under_the_same_names_are_set_aside(
    tmp_path: Path, folder_ds: Path, ft_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across commands, a second file of the same dataset name replaced the first's results
    one task at a time (the report mixed the two in one section), and --skip-existing took
    a model trained again at the same path for done, keeping the old weights' numbers."""
    out = tmp_path / "ev"
    model = tmp_path / "model"
    shutil.copytree(ft_model, model)
    other = tmp_path / "siteB" / folder_ds.name
    shutil.copytree(folder_ds, other)

    def evaluate(data: Path, tasks: list[str]) -> dict:
        return run_evaluation(
            [str(model)], [f"folder:{data}"], tasks, out,
            n_boot=0, progress=False, report=False, skip_existing=True,
        )  # fmt: skip

    first = evaluate(folder_ds, ["zeroshot", "calibration"])
    assert {r["details"]["dataset_path"] for r in first["runs"]} == {f"folder:{folder_ds}"}
    # siteB's file under the same name: siteA's two runs go aside whole, not one task of them
    second = evaluate(other, ["zeroshot"])
    assert [(r["task"], r["details"]["dataset_spec"]) for r in second["runs"]] == [
        ("zeroshot", f"folder:{other}")
    ]
    aside = read_results(out / "results.replaced-1.json")
    assert sorted(r["task"] for r in aside["runs"]) == ["calibration", "zeroshot"]
    assert (
        "moved to" in second["warnings"][-1]
        and f"lesions was {folder_ds}" in second["warnings"][-1]
    )
    # other weights saved at the model's path: --skip-existing must not keep the old numbers
    ran: list[str] = []
    real = runner.TASKS["zeroshot"]
    monkeypatch.setitem(runner.TASKS, "zeroshot", lambda *a: ran.append("x") or real(*a))
    evaluate(other, ["zeroshot"])
    assert ran == []  # the same weights: done
    weights = next(model.glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes())  # saved again (a retrained run)
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    third = evaluate(other, ["zeroshot"])
    assert ran == ["x"] and len(third["runs"]) == 1
    assert "holds other weights now" in third["warnings"][-1]
    assert read_results(out / "results.replaced-2.json")["runs"][0]["task"] == "zeroshot"
    assert (out / "results.replaced-2.json").is_file() and not runner.check_out_dir(out)


def test_a_medmnist_file_without_val_runs_the_tasks_that_need_none(tmp_path: Path) -> None:
    """The whole run failed on the missing val arrays, zero-shot included, where a folder
    without val/ runs what it can and skips the rest with a reason."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 12), ("test", 8)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(n) % 2).astype(np.uint8)[:, None]
    path = tmp_path / "pneumoniamnist.npz"
    np.savez_compressed(path, **arrays)
    spec = f"medmnist:{path}"
    assert runner.dsets.available_splits(spec) == ["train", "test"]
    res = run_evaluation(
        ["litclip-micro"], [spec], ["zeroshot", "linear-probe"], tmp_path / "ev",
        n_boot=0, progress=False, report=False,
    )  # fmt: skip
    assert [r["task"] for r in res["runs"]] == ["zeroshot"]
    assert any("linear-probe" in s and "its splits: train, test" in s for s in res["skipped"])


def test_the_progress_line_names_the_positive_class_f1() -> None:
    """'f1=0.667' on the progress line read as a contradiction of the summary's macro F1."""
    line = runner._summary([{"metrics": {"f1": 0.667, "accuracy": 0.7, "macro_f1": 0.333}}])
    assert line == "positive-class f1=0.667, accuracy=0.700"
    # several K (few-shot): the line shows the first, and says which
    runs = [{"metrics": {"accuracy": 0.5 + k / 100}, "details": {"k": k}} for k in (1, 4)]
    assert runner._summary(runs) == "K=1: accuracy=0.510"


def test_youden_on_a_multiclass_dataset_is_said_unused(tmp_path: Path) -> None:
    """--criterion youden was silently ignored where calibration fits no threshold."""
    from tests.evaluate.conftest import make_folder_dataset

    three = make_folder_dataset(
        tmp_path / "grades", {"train": 6, "val": 6, "test": 6}, classes=("g0", "g1", "g2")
    )
    res = run_evaluation(
        ["litclip-micro"], [f"folder:{three}"], ["calibration"], tmp_path / "ev",
        criterion="youden", n_boot=0, progress=False, report=False,
    )  # fmt: skip
    assert any(
        s.startswith("--criterion youden chooses a binary threshold") for s in res["skipped"]
    )


def _chest(path: Path) -> Path:
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 16), ("val", 8), ("test", 12)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = rng.integers(0, 2, (n, 14), dtype=np.uint8)
    np.savez_compressed(path, **arrays)
    return path


def test_a_multilabel_file_is_refused_and_one_finding_is_scored(tmp_path: Path) -> None:
    """ChestMNIST's (N, 14) label rows were flattened, so every task scored the first N
    entries of the matrix as if they were the N images' classes, and reported success."""
    path = _chest(tmp_path / "chestmnist.npz")
    with pytest.raises(LitclipError, match="chestmnist is multi-label") as err:
        run_evaluation(
            ["litclip-micro"], [f"medmnist:{path}"], ["zeroshot"], tmp_path / "ev",
            n_boot=0, progress=False, report=False,
        )  # fmt: skip
    assert f"medmnist:{path}?label=pneumonia" in str(err.value)
    # beside another dataset it is refused before anything runs: no half-done results
    other = tmp_path / "pneumoniamnist.npz"
    with np.load(path) as arrays:
        np.savez(other, **{k: (v[:, :1] if "labels" in k else v) for k, v in arrays.items()})
    with pytest.raises(LitclipError, match="chestmnist is multi-label"):
        run_evaluation(
            ["litclip-micro"], [f"medmnist:{other}", f"medmnist:{path}"], ["zeroshot"],
            tmp_path / "both", n_boot=0, progress=False, report=False,
        )  # fmt: skip
    assert not (tmp_path / "both" / "results.json").exists()
    res = run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}?label=pleural_effusion"], ["zeroshot"],
        tmp_path / "ev2", n_boot=0, progress=False, report=False,
    )  # fmt: skip
    (run,) = res["runs"]
    assert run["dataset"] == "chestmnist-pleural-effusion"
    with np.load(path) as arrays:
        present = int(arrays["test_labels"][:, 2].sum())  # pleural effusion is column 2
    matrix = np.asarray(run["details"]["confusion_matrix"])
    assert matrix.shape == (2, 2) and int(matrix[1].sum()) == present


def test_a_val_split_of_one_class_skips_the_threshold_tasks_only(tmp_path: Path) -> None:
    """Calibration raised a ValueError (traceback, the tasks after it never ran) and the
    CNN a TypeError, where the other tasks run fine on such a split."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 12), ("val", 6), ("test", 8)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.ones(n) if split == "val" else np.arange(n) % 2
        arrays[f"{split}_labels"] = labels.astype(np.uint8)[:, None]
    path = tmp_path / "pneumoniamnist.npz"
    np.savez_compressed(path, **arrays)
    res = run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}"], ["calibration", "cnn", "linear-probe"],
        tmp_path / "ev", n_boot=0, progress=False, report=False, cnn_epochs=1,
        cnn_archs=("resnet18",),
    )  # fmt: skip
    assert [r["task"] for r in res["runs"]] == ["linear-probe"]
    said = [s for s in res["skipped"] if "its val split holds only class 'pneumonia'" in s]
    assert [s.split()[0] for s in said] == ["calibration", "cnn"]


def test_the_cnn_keeps_an_epoch_when_no_val_score_is_defined() -> None:
    import torch

    from litclip.evaluate import cnn_baseline

    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.integers(0, 256, (8, 3, 32, 32), dtype=np.uint8))
    y, yv = np.arange(8) % 2, np.ones(4, dtype=np.int64)  # AUROC of one class: NaN
    cfg = cnn_baseline.CNNConfig(arch="resnet18", epochs=2, pretrained="no", batch_size=4)
    _model, info = cnn_baseline.train_and_select(cfg, (x, y), (x[:4], yv), 2)
    assert info["best_epoch"] == 1


def test_a_second_evaluation_into_one_folder_meanwhile_is_refused(
    tmp_path: Path, folder_ds: Path
) -> None:
    """Two processes into one --out both exited 0, and the first one's runs were gone: each
    wrote its own copy of results.json."""
    from litclip.io import sole_writer

    out = tmp_path / "ev"
    out.mkdir()
    with sole_writer(out, "litclip evaluate"), pytest.raises(LitclipError, match="another process"):
        run_evaluation(
            ["litclip-micro"], [f"folder:{folder_ds}"], ["zeroshot"], out, n_boot=0,
            progress=False, report=False,
        )  # fmt: skip
    assert not (out / "results.json").exists()


def test_retrieval_on_a_corpus_manifest_leaves_out_pairs_that_failed_qc(
    tmp_path: Path, pairs_manifest: Path
) -> None:
    """Training drops pairs that failed QC; retrieval on the corpus's test split scored them."""
    import pandas as pd

    frame = pd.read_csv(pairs_manifest).drop_duplicates("filepath").assign(split="test")
    frame["qc_pass"] = [i >= 3 for i in range(len(frame))]  # 3 of 12 rejected
    frame.to_parquet(pairs_manifest.parent / "manifest.parquet")
    spec = f"pairs:{pairs_manifest.parent / 'manifest.parquet'}"
    res = run_evaluation(["litclip-micro"], [spec], ["retrieval"], tmp_path / "ev", **FAST)
    (run,) = res["runs"]
    assert run["n"] == len(frame) - 3
    assert any("3 pairs that failed QC left out" in s for s in res["skipped"])
    chosen = run_evaluation(
        ["litclip-micro"], [f"{spec}?query=split=='test'"], ["retrieval"], tmp_path / "ev2", **FAST
    )
    assert chosen["runs"][0]["n"] == len(frame)  # the user's own row choice stands


def test_every_model_is_checked_before_any_task_runs(tmp_path: Path, folder_ds: Path) -> None:
    """A half-written second model was found after the first model's tasks had run: exit 2
    ("nothing changed"), yet results.json had been written."""
    half = tmp_path / "half"
    half.mkdir()
    (half / "open_clip_config.json").write_text("{}")  # no weights yet
    with pytest.raises(LitclipError, match="no weights found"):
        run_evaluation(
            ["litclip-micro", str(half)], [f"folder:{folder_ds}"], ["zeroshot"],
            tmp_path / "ev", n_boot=0, progress=False,
        )  # fmt: skip
    assert not (tmp_path / "ev").exists()
    with pytest.raises(LitclipError, match="did you mean 'litclip-micro'"):
        run_evaluation(["litclip-micr"], [f"folder:{folder_ds}"], ["zeroshot"], tmp_path / "e2")


def test_zero_shot_on_unnamed_classes_is_said_in_the_report(tmp_path: Path) -> None:
    """A file not named after a MedMNIST flag: zero-shot scored "a photo of class 0." and
    the report showed its numbers without a word (the warning reached the console only)."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 8), ("val", 6), ("test", 8)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(n) % 2).astype(np.uint8)[:, None]
    path = tmp_path / "hospital.npz"
    np.savez_compressed(path, **arrays)
    with pytest.warns(UserWarning, match="not named after a MedMNIST flag"):
        res = run_evaluation(
            ["litclip-micro"], [f"medmnist:{path}"], ["zeroshot"], tmp_path / "ev", n_boot=0,
            progress=False,
        )  # fmt: skip
    (said,) = [w for w in res["warnings"] if "classes have no names" in w]
    assert "'a photo of class 0.'" in said
    page = (tmp_path / "ev" / "report.html").read_text()
    assert "Warnings" in page and "classes have no names" in page


def test_medmnist_files_are_named_by_flag_or_whole_stem() -> None:
    """site_a.npz and site_b.npz were refused as "both named 'site'"."""
    name = runner.dsets.dataset_name
    assert name("medmnist:/d/pneumoniamnist_224.npz") == "pneumoniamnist"
    assert name("medmnist:/d/site_a.npz") == "site_a" != name("medmnist:/d/site_b.npz")


def test_too_few_bootstrap_resamples_are_refused(tmp_path: Path, folder_ds: Path) -> None:
    """--n-boot 5 gave no interval at all, without a word."""
    with pytest.raises(LitclipError, match="--n-boot 5: give at least 10"):
        run_evaluation(["litclip-micro"], [f"folder:{folder_ds}"], ["zeroshot"], tmp_path, n_boot=5)


def test_retrieval_records_the_resamples_it_drew(tmp_path: Path, pairs_manifest: Path) -> None:
    """Retrieval drew at most 200 while its options recorded --n-boot 1000."""
    from litclip.evaluate import retrieval

    drawn = []
    real = retrieval._hits_ci
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            retrieval, "_hits_ci", lambda h, n, s, g=None: drawn.append(n) or real(h, n, s, g)
        )
        res = run_evaluation(
            ["litclip-micro"], [f"pairs:{pairs_manifest}"], ["retrieval"], tmp_path / "ev",
            n_boot=300, progress=False, report=False,
        )  # fmt: skip
    assert drawn == [300] == [res["runs"][0]["options"]["n_boot"]]


def test_a_misspelt_task_or_a_bare_dataset_path_gets_a_suggestion(
    tmp_path: Path, folder_ds: Path
) -> None:
    with pytest.raises(LitclipError, match="did you mean 'linear-probe'"):
        run_evaluation(["litclip-micro"], [f"folder:{folder_ds}"], ["linear_probe"], tmp_path)
    npz = tmp_path / "pneumoniamnist.npz"
    npz.write_bytes(b"")
    with pytest.raises(LitclipError, match=f"Did you mean medmnist:{npz}"):
        run_evaluation(["litclip-micro"], [str(npz)], ["zeroshot"], tmp_path)


def _npz(path: Path, n_test: int, seed: int = 0, multilabel: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", 10), ("val", 6), ("test", n_test)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 2).astype(np.uint8)[:, None]
        arrays[f"{split}_labels"] = np.repeat(labels, 14, 1) if multilabel else labels
    np.savez_compressed(path, **arrays)
    return path


def test_a_dataset_file_made_again_at_its_path_sets_the_earlier_runs_aside(
    tmp_path: Path,
) -> None:
    """Another subsample written over pneumoniamnist.npz: the old file's linear probe and
    the new file's zero-shot shared one table, without a word."""
    path = _npz(tmp_path / "pneumoniamnist.npz", 8)
    kw = {"n_boot": 0, "progress": False, "report": False}
    run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}"], ["zeroshot", "linear-probe"], tmp_path / "ev", **kw
    )
    _npz(path, 12, seed=1)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    res = run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}"], ["zeroshot"], tmp_path / "ev", **kw
    )
    assert [(r["task"], r["n"]) for r in res["runs"]] == [("zeroshot", 12)]
    assert "the file of pneumoniamnist was written again" in res["warnings"][-1]
    assert "the tasks asked for now are run again" in res["warnings"][-1]


def test_one_finding_spelt_two_ways_is_one_dataset(tmp_path: Path) -> None:
    """?label=6 after ?label=pneumonia set the earlier runs aside as 'something else'."""
    path = _npz(tmp_path / "chestmnist.npz", 8, multilabel=True)
    kw = {"n_boot": 0, "progress": False, "report": False}
    run_evaluation(
        ["litclip-micro"],
        [f"medmnist:{path}?label=pneumonia"],
        ["linear-probe"],
        tmp_path / "ev",
        **kw,
    )
    res = run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}?label=6"], ["zeroshot"], tmp_path / "ev", **kw
    )
    assert sorted(r["task"] for r in res["runs"]) == ["linear-probe", "zeroshot"]
    assert not res["warnings"]


def test_retention_is_filed_under_the_general_set_and_skipped_when_done(
    tmp_path: Path, folder_ds: Path, ft_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its run carried the domain file's path, so evaluating the general set later set it
    aside; and --skip-existing never found it, so it ran again every time."""
    domain = _npz(tmp_path / "pneumoniamnist.npz", 8)
    out = tmp_path / "ev"
    kw = {"n_boot": 0, "progress": False, "report": False, "alphas": (0.0, 1.0)}
    kw |= {"retention_dataset": f"folder:{folder_ds}", "skip_existing": True}
    first = run_evaluation([ft_model], [f"medmnist:{domain}"], ["retention"], out, **kw)
    (run,) = first["runs"]
    assert run["details"]["dataset_path"] == f"folder:{folder_ds}"
    ran: list[str] = []
    real = runner.TASKS["retention"]
    monkeypatch.setitem(runner.TASKS, "retention", lambda *a: ran.append("x") or real(*a))
    run_evaluation([ft_model], [f"medmnist:{domain}"], ["retention"], out, **kw)
    assert ran == []
    later = run_evaluation([ft_model], [f"folder:{folder_ds}"], ["zeroshot"], out, **kw)
    assert sorted(r["task"] for r in later["runs"]) == ["retention", "zeroshot"]
    assert not later["warnings"]


def test_a_model_given_twice_is_evaluated_once(tmp_path: Path, folder_ds: Path) -> None:
    ran: list[str] = []
    real = runner.TASKS["zeroshot"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(runner.TASKS, "zeroshot", lambda *a: ran.append("x") or real(*a))
        res = run_evaluation(
            ["litclip-micro", "litclip-micro"], [f"folder:{folder_ds}"], ["zeroshot"],
            tmp_path / "ev", n_boot=0, progress=False, report=False,
        )  # fmt: skip
    assert ran == ["x"] and len(res["runs"]) == 1


def test_a_class_without_train_images_is_said_in_few_shot(tmp_path: Path) -> None:
    """K shots of every class are drawn from train: a class with none there was silently
    never predicted by any K-shot rule."""
    rng = np.random.default_rng(0)
    arrays = {}
    train, held = [0, 1, 2] * 4, [0, 1, 2, 3] * 2  # OCTMNIST's 4th class only in val and test
    for split, labels in (("train", train), ("val", held), ("test", held)):
        arrays[f"{split}_images"] = rng.integers(0, 256, (len(labels), 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = np.asarray(labels, dtype=np.uint8)[:, None]
    path = tmp_path / "octmnist.npz"
    np.savez_compressed(path, **arrays)
    res = run_evaluation(
        ["litclip-micro"], [f"medmnist:{path}"], ["few-shot"], tmp_path / "ev", n_boot=0,
        progress=False, report=False, fewshot_ks=(1,), fewshot_seeds=(0, 1),
    )  # fmt: skip
    (said,) = [s for s in res["skipped"] if "no train images" in s]
    assert said.startswith("few-shot on") and "has no train images" in said


def test_retrieval_intervals_resample_the_articles_of_a_corpus(tmp_path: Path) -> None:
    """A corpus manifest names each pair's article (pdf_sha256): its pairs go together."""
    import pandas as pd

    from tests.evaluate.conftest import make_pairs

    manifest = make_pairs(tmp_path / "c", n_images=12, captions_per_image=1)
    frame = pd.read_csv(manifest)
    frame["pdf_sha256"] = [f"{i // 2:064d}" for i in range(len(frame))]  # 6 articles
    frame.to_csv(manifest, index=False)
    res = run_evaluation(
        ["litclip-micro"], [f"pairs:{manifest}"], ["retrieval"], tmp_path / "e", **FAST
    )
    (run,) = res["runs"]
    assert run["details"]["ci_unit"] == "article" and run["details"]["n_articles"] == 6
