"""The step runner: what it reuses and what it does again."""

from __future__ import annotations

import io

from rich.console import Console

from litclip.workflow.steps import StepRunner


def _runner(out):
    return StepRunner(out, Console(file=io.StringIO()))


def _three_pair_splits(out):
    """``splits/train.parquet`` and ``splits/val.parquet`` of three pairs each, as the split
    step writes them: what the train step reads."""
    import pandas as pd

    splits = {"train": "splits/train.parquet", "val": "splits/val.parquet"}
    (out / "splits").mkdir()
    for name in ("train", "val"):
        pd.DataFrame({"pair_id": ["a", "b", "c"]}).to_parquet(out / splits[name])
    return splits


def _fake_training(monkeypatch, out, leave):  # noqa: ANN001, ANN202
    """Put a recorder in place of ``litclip.train.train``: each call notes its ``resume``
    option and lets ``leave(run_dir)`` make what a finished run leaves, returning its
    ``(best_model_dir, model_dir)``. Returns the list of the calls' resume options."""
    from types import SimpleNamespace

    import litclip.train

    resumes = []

    def fake_train(cfg):  # noqa: ANN001, ANN202
        resumes.append(cfg.resume)
        best, model = leave(out / "train")
        return SimpleNamespace(best_model_dir=best, model_dir=model, steps=1, metrics={})

    monkeypatch.setattr(litclip.train, "train", fake_train)
    return resumes


def _train_after(out, splits, split_hash: str) -> None:  # noqa: ANN001
    """The train step of a run into ``out``, after a split step that made ``split_hash``."""
    from litclip.workflow.config import RunConfig
    from litclip.workflow.run import _train_step

    cfg = RunConfig(pdfs="p", out=str(out), model="litclip-micro", train={"epochs": 1})
    steps = _runner(out)
    steps.hashes["split"] = split_hash
    _train_step(cfg, out, splits, steps)


def test_a_step_whose_output_is_gone_is_done_again(tmp_path) -> None:
    made = tmp_path / "made.txt"
    calls = []

    def make() -> dict:
        calls.append(1)
        made.write_text("x")
        return {"file": made.name}

    products = lambda o: [tmp_path / o["file"]]  # noqa: E731
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    assert len(calls) == 1
    made.unlink()
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    assert len(calls) == 2 and made.is_file()


def test_a_redone_step_redoes_the_steps_after_it(tmp_path) -> None:
    """Same key, made again (its output was deleted): what was built on the old one is stale."""
    made = tmp_path / "model"
    after = []

    def both() -> None:
        steps = _runner(tmp_path)
        steps.run("train", {}, lambda: made.mkdir() or {}, products=lambda _: [made])
        steps.run("evaluate", {}, lambda: after.append(1) or {}, after=["train"])

    both()
    both()
    assert len(after) == 1
    made.rmdir()
    both()
    assert len(after) == 2


def test_training_on_a_changed_split_starts_afresh(tmp_path, monkeypatch) -> None:
    """New PDFs change the split: the old run is set aside and trained from scratch (it
    resumed and, being complete, trained nothing). The same split (a killed run) resumes;
    a run whose model was deleted is set aside and trained again."""
    splits = _three_pair_splits(tmp_path)

    def leave(run):  # noqa: ANN001, ANN202
        (run / "checkpoints").mkdir(parents=True, exist_ok=True)
        (run / "checkpoints" / "step_1.pt").write_text("x")
        (run / "best_model").mkdir(exist_ok=True)
        return run / "best_model", run

    resumes = _fake_training(monkeypatch, tmp_path, leave)

    _train_after(tmp_path, splits, "split-1")
    assert resumes == [None]
    _train_after(tmp_path, splits, "split-2")  # new PDFs, a new split
    assert resumes == [None, None] and (tmp_path / "train.replaced-1").is_dir()
    (tmp_path / ".steps" / "train.json").unlink()  # killed before its marker: resumed
    _train_after(tmp_path, splits, "split-2")
    assert resumes[-1] == "latest" and not (tmp_path / "train.replaced-2").exists()
    import shutil

    shutil.rmtree(tmp_path / "train" / "best_model")  # the model deleted: trained again
    _train_after(tmp_path, splits, "split-2")
    assert resumes[-1] is None and (tmp_path / "train.replaced-2").is_dir()


def test_a_finished_run_without_checkpoints_is_set_aside_not_resumed(tmp_path, monkeypatch):
    """cpu-small saves no checkpoints: a run killed after its model was saved but before its
    step was recorded was resumed, which now refuses (it had trained again over the model)."""
    splits = _three_pair_splits(tmp_path)

    def leave(run):  # noqa: ANN001, ANN202
        (run / "model").mkdir(parents=True, exist_ok=True)
        (run / "metrics.jsonl").write_text("{}\n")
        return None, run / "model"

    resumes = _fake_training(monkeypatch, tmp_path, leave)
    _train_after(tmp_path, splits, "s")
    (tmp_path / ".steps" / "train.json").unlink()  # killed before its marker
    _train_after(tmp_path, splits, "s")
    assert resumes == [None, None] and (tmp_path / "train.replaced-1" / "model").is_dir()
