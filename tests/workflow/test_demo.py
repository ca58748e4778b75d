"""A small end-to-end run of the demo path: journal -> corpus -> split -> train -> evaluate -> index."""

from __future__ import annotations

import io
import json
import os
import shutil

import pytest
from rich.console import Console

from litclip.cli import main
from litclip.workflow.demo import DemoOptions, run_demo


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    opts = DemoOptions(
        out=str(out), articles=5, epochs=1, model="litclip-micro", classification_articles=5
    )
    console = Console(file=io.StringIO(), width=120)
    summary = run_demo(opts, console)
    return opts, summary, console.file.getvalue()


def test_demo_writes_every_stage_output(demo_run) -> None:
    opts, summary, printed = demo_run
    out = summary.out_dir
    for path in (
        out / "journal" / "pdfs" / "ground_truth.json",
        out / "corpus" / "manifest.parquet",
        out / "splits" / "test.parquet",
        out / "train" / "config.json",
        summary.model_dir / "open_clip_config.json",
        out / "results.json",
        out / "report.html",
        out / "run_config.json",
        out / "corpus" / "preview.html",
    ):
        assert path.is_file(), path
    assert f"corpus: {out / 'corpus' / 'preview.html'}" in " ".join(printed.split())
    assert summary.index_dir is not None and (summary.index_dir).is_dir()
    results = json.loads((out / "results.json").read_text())
    scored = [r for r in results["runs"] if r["task"] != "contamination"]
    models = {r["model"] for r in scored}
    assert models == {"litclip-micro", str(summary.model_dir)}
    roles = {r["model"]: r["details"]["role"] for r in scored}
    # every evaluation split is checked against the pairs the model was trained on
    checked = {(r["dataset"], r["split"]) for r in results["runs"] if r["task"] == "contamination"}
    assert {("splits/test", "test"), ("ct_hemorrhage", "test")} <= checked
    assert all(
        r["details"]["manifest"] == str(out / "splits" / "train.parquet")
        for r in results["runs"]
        if r["task"] == "contamination"
    )
    assert roles == {"litclip-micro": "base", str(summary.model_dir): "fine-tuned"}
    retrieval = [r for r in results["runs"] if r["task"] == "retrieval"]
    assert len(retrieval) == 2 and all("chance" in r for r in retrieval)
    # a reader of the report is told, before any number, that the data are made up; the
    # held-out articles' pairs are resampled by article
    report = (out / "report.md").read_text()
    assert report.index("Note: every number here comes from litclip's synthetic journal") < (
        report.index("## Dataset")
    )
    import pandas as pd

    from litclip.evaluate.retrieval import MIN_GROUPS

    # so is a reader of the corpus's datasheet (it said nothing of where the PDFs came from)
    sources = (out / "corpus" / "datasheet.md").read_text().split("## Sources")[1]
    assert sources.lstrip().startswith("The PDFs are litclip's synthetic neuro-imaging journal")
    articles = pd.read_parquet(out / "splits" / "test.parquet")["pdf_sha256"].nunique()
    unit = "article" if articles >= MIN_GROUPS else "pair"  # too few articles to resample
    assert all(r["details"]["ci_unit"] == unit for r in retrieval)
    tasks = {r["task"] for r in results["runs"]}
    assert {"zeroshot", "calibration", "linear-probe"} <= tasks
    assert "report:" in printed and "Retrieval on held-out articles" in printed
    n = retrieval[0]["details"]["n_images"]
    assert f"on {n} test images, 95% CI [" in " ".join(printed.split())  # never a bare ratio
    assert summary.extraction, "the journal's ground truth should be checked"


def test_rerun_reuses_every_step(demo_run) -> None:
    opts, summary, _ = demo_run
    console = Console(file=io.StringIO(), width=120)
    run_demo(opts, console)
    printed = console.file.getvalue()
    for step in ("corpus", "split", "train", "evaluate", "index"):
        assert f"{step}: complete from an earlier run, reused" in printed, step


def test_rerun_from_elsewhere_or_moved_reuses_every_step(demo_run, tmp_path, monkeypatch) -> None:
    """The run folder names its own files relative to itself: a rerun from another working
    directory, with OUT spelled another way, or of the folder moved elsewhere, reuses every
    step (a different spelling once retrained and deleted the model)."""
    opts, summary, _ = demo_run
    out = summary.out_dir
    monkeypatch.chdir(out.parent)
    runs = [DemoOptions(**{**opts.__dict__, "out": out.name})]
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)  # a copy keeps mtimes, like a move, and the fixture intact
    runs.append(DemoOptions(**{**opts.__dict__, "out": str(moved)}))
    for options, steps in zip(
        runs,
        (
            ("corpus", "split", "train", "evaluate", "index"),
            ("corpus", "split", "train", "evaluate"),
        ),
        strict=True,
    ):
        console = Console(file=io.StringIO(), width=120)
        again = run_demo(options, console)
        printed = console.file.getvalue()
        for step in steps:
            assert f"{step}: complete from an earlier run, reused" in printed, (options.out, step)
        assert again.headline["retrieval"], "the summary finds the fine-tuned model's results"
    # the index records absolute paths: the moved folder gets its own
    assert "index: complete from an earlier run" not in printed
    assert again.model_dir.is_relative_to(moved.resolve())
    assert json.loads((moved / "index" / "index.json").read_text())["model_source"] == str(
        again.model_dir
    )


def test_run_cli_user_errors(tmp_path, capsys) -> None:
    assert main(["run", "--pdfs", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "c.yaml"
    bad.write_text("trian: {}\n")
    assert main(["run", "--config", str(bad), "--pdfs", str(tmp_path)]) == 2
    assert "trian" in capsys.readouterr().err
    # mistakes in training options and datasets stop the run before any work
    for text, expected in (
        ("train: {epoch: 1}\n", "unknown training option(s) ['epoch']"),
        ('evaluate: {datasets: ["medmnist:nope.npz"]}\n', "dataset not found: medmnist:nope.npz"),
        ("evaluate: {tasks: [retreival]}\n", "unknown task(s) ['retreival']"),
        ("corpus: {dpi: high}\n", "config.corpus: option dpi expects an integer"),
        ("train: 5\n", "option train expects a mapping"),
        ("model: ./no-such-model-dir\n", "no-such-model-dir"),
    ):
        bad.write_text(text)
        out, pdfs = tmp_path / "o2", tmp_path / "pdfs"  # --out inside --pdfs is refused
        pdfs.mkdir(exist_ok=True)
        assert main(["run", "--config", str(bad), "--pdfs", str(pdfs), "--out", str(out)]) == 2
        assert expected in capsys.readouterr().err.replace("\n", "")
        assert not out.exists()


def test_changed_training_options_retrain_from_scratch(demo_run) -> None:
    opts, summary, _ = demo_run
    stale = summary.out_dir / "train" / "checkpoints" / "stale.pt"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"from the earlier run")
    results = json.loads((summary.out_dir / "results.json").read_text())
    old_model = [r for r in results["runs"] if r["model"] == str(summary.model_dir)]
    old_model[0]["dataset"] = "only-in-the-earlier-evaluation"
    (summary.out_dir / "results.json").write_text(json.dumps(results))
    console = Console(file=io.StringIO(), width=120)
    changed = DemoOptions(**{**opts.__dict__, "epochs": 2})
    run_demo(changed, console)
    printed = console.file.getvalue()
    assert "corpus: complete from an earlier run, reused" in printed
    assert "train: complete from an earlier run" not in printed
    key = json.loads((summary.out_dir / "train" / "run_key.json").read_text())
    assert key["epochs"] == 2
    assert not stale.exists(), "checkpoints of a run with other options must not be resumed"
    # ...nor deleted: the earlier run, model included, is set aside
    aside = summary.out_dir / "train.replaced-1"
    assert (aside / "checkpoints" / "stale.pt").read_bytes() == b"from the earlier run"
    # the earlier model's results are set aside with it, not shown as the new model's
    now = (summary.out_dir / "results.json").read_text()
    assert "only-in-the-earlier-evaluation" not in now
    earlier = summary.out_dir / "results.replaced-1"
    assert "only-in-the-earlier-evaluation" in (earlier / "results.json").read_text()
    assert (earlier / "report.html").is_file() and (summary.out_dir / "report.html").is_file()


def test_a_train_step_killed_before_its_first_checkpoint_starts_afresh(demo_run, capsys) -> None:
    """Its logs are there, its checkpoints and completion marker are not: the rerun trains
    again (a fresh run into a folder with logs is otherwise refused) with clean logs."""
    opts, summary, _ = demo_run
    train_dir = summary.out_dir / "train"
    shutil.rmtree(train_dir / "checkpoints", ignore_errors=True)
    for made in ("model", "best_model"):  # killed before it saved a model too
        shutil.rmtree(train_dir / made, ignore_errors=True)
    (summary.out_dir / ".steps" / "train.json").unlink()
    epochs = json.loads((train_dir / "run_key.json").read_text())["epochs"]  # as last run
    console = Console(file=io.StringIO(), width=120)
    run_demo(DemoOptions(**{**opts.__dict__, "epochs": epochs}), console)
    assert "no checkpoint in" in capsys.readouterr().out + console.file.getvalue()
    lines = [json.loads(x) for x in (train_dir / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in lines if r.get("kind") == "train"]
    assert steps == sorted(set(steps))  # one run's log, not two appended


def test_a_device_or_logging_change_keeps_the_trained_model(demo_run) -> None:
    """The train step's key holds the options the weights depend on, not how they were run."""
    opts, summary, _ = demo_run
    epochs = json.loads((summary.out_dir / "train" / "run_key.json").read_text())["epochs"]
    console = Console(file=io.StringIO(), width=120)
    run_demo(DemoOptions(**{**opts.__dict__, "epochs": epochs, "device": "auto"}), console)
    assert "train: complete from an earlier run, reused" in console.file.getvalue()


def test_deleted_outputs_are_made_again(demo_run) -> None:
    """A step whose output was deleted is done again, and so is every step built on it."""
    opts, summary, _ = demo_run
    out = summary.out_dir
    epochs = json.loads((out / "train" / "run_key.json").read_text())["epochs"]
    again = DemoOptions(**{**opts.__dict__, "epochs": epochs})
    (out / "results.json").unlink()
    console = Console(file=io.StringIO(), width=120)
    run_demo(again, console)
    printed = console.file.getvalue()
    assert "train: complete from an earlier run, reused" in printed
    assert "evaluate: complete" not in printed and (out / "results.json").is_file()
    shutil.rmtree(out / "train" / "best_model")
    console = Console(file=io.StringIO(), width=120)
    rerun = run_demo(again, console)
    printed = console.file.getvalue()
    for step in ("train", "evaluate", "index"):
        assert f"{step}: complete" not in printed, step
    assert rerun.model_dir.is_dir() and rerun.index_dir.is_dir()


def test_a_touched_pdf_or_a_new_readme_keeps_the_trained_model(demo_run) -> None:
    """Touching any file of the PDF folder (a README even) retrained, re-evaluated and
    re-indexed everything, saying "training options changed": the steps after the corpus
    followed which build made it, not what it holds."""
    opts, summary, _ = demo_run
    run_demo(opts, Console(file=io.StringIO(), width=120))  # as the fixture's options made it
    pdfs = sorted((summary.out_dir / "journal").rglob("*.pdf"))
    first = pdfs[0]
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    (first.parent / "README.md").write_text("notes on the journal")
    console = Console(file=io.StringIO(), width=120)
    run_demo(opts, console)
    printed = console.file.getvalue()
    assert "✓ corpus" in printed  # the build looked again (and found nothing new)
    for step in ("split", "train", "evaluate", "index"):
        assert f"{step}: complete from an earlier run, reused" in printed, step


def test_run_split_kinds_option(tmp_path, capsys, monkeypatch) -> None:
    """On the shared real PDFs the default split (image figures only) left 2 articles, and
    the way out was a YAML file: --split-kinds sets it on the command line."""
    import litclip.workflow.run as run_mod

    seen = []
    monkeypatch.setattr(run_mod, "run_pipeline", lambda cfg: seen.append(cfg.split.kinds))
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    argv = ["run", "--pdfs", str(pdfs), "--out", str(tmp_path / "o")]
    assert main([*argv, "--split-kinds", "all"]) == 0
    assert main([*argv, "--split-kinds", "image, chart"]) == 0
    assert seen == [None, ["image", "chart"]]
    assert main([*argv, "--split-kinds", "xray"]) == 2
    assert "--split-kinds: unknown kind(s) ['xray']" in capsys.readouterr().err
