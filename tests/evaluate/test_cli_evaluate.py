"""``litclip evaluate`` / ``litclip report`` through ``main(argv)``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litclip.cli import main


@pytest.mark.timeout(180)
def test_evaluate_then_report(
    tmp_path: Path, pairs_manifest: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "res"
    rc = main(
        [
            "evaluate",
            "--model",
            "litclip-micro",
            "--dataset",
            f"pairs:{pairs_manifest}",
            "--tasks",
            "retrieval",
            "--recall",
            "1,5",
            "--n-boot",
            "10",
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        ]
    )
    assert rc == 0
    data = json.loads((out / "results.json").read_text())
    (run,) = data["runs"]
    assert set(run["metrics"]) == {
        "image_retrieval_recall@1",
        "image_retrieval_recall@5",
        "text_retrieval_recall@1",
        "text_retrieval_recall@5",
    }
    assert data["config"]["retrieval_ks"] == [1, 5]
    assert not (out / "report.html").exists()
    rc = main(["report", str(out / "results.json"), "--out", str(tmp_path / "r" / "again.html")])
    assert rc == 0
    assert "Retrieval recall" in (tmp_path / "r" / "again.html").read_text()
    assert (tmp_path / "r" / "again.md").is_file()
    # without --out, one evaluation's report goes into its own folder (it went to ./)
    assert main(["report", str(out)]) == 0 and (out / "report.html").is_file()


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rc = main(
        [
            "evaluate",
            "--dataset",
            f"folder:{tmp_path}",
            "--tasks",
            "zero-shot",
            "--out",
            str(tmp_path),
        ]
    )
    assert rc == 2 and "unknown task" in capsys.readouterr().err
    rc = main(
        ["evaluate", "--dataset", f"folder:{tmp_path}", "--shots", "a,b", "--out", str(tmp_path)]
    )
    assert rc == 2 and "--shots" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json")]) == 2


def test_retrieval_without_readable_pairs_is_skipped_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    manifest = tmp_path / "pairs.csv"
    manifest.write_text("filepath,caption,split\ngone.png,an axial CT,test\n")
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"pairs:{manifest}"]
    assert main([*argv, "--tasks", "retrieval", "--out", str(tmp_path / "r"), "--quiet"]) == 1
    # rich wraps at the terminal's width, wherever the long temporary path puts the break
    assert "no readable image-caption pairs" in " ".join(capsys.readouterr().out.split())
    folder = tmp_path / "folder"
    for cls in ("a", "b"):
        (folder / cls).mkdir(parents=True)
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{folder}"]
    assert main([*argv, "--tasks", "retrieval", "--out", str(tmp_path / "f"), "--quiet"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "retrieval: none of the datasets has image-caption pairs" in out


def test_repeated_tasks_accumulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--tasks a --tasks b,a` runs a and b once each (typer kept only the last before)."""
    import litclip.evaluate

    seen: list[list[str]] = []

    def fake_run(models, datasets, tasks, out, cfg):  # noqa: ANN001, ANN202 - a stand-in
        seen.append(list(tasks))
        return {"runs": [{}]}

    monkeypatch.setattr(litclip.evaluate, "run_evaluation", fake_run)
    argv = ["evaluate", "--dataset", f"folder:{tmp_path}", "--out", str(tmp_path / "r")]
    assert main([*argv, "--tasks", "zeroshot", "--tasks", "linear-probe,zeroshot"]) == 0
    assert main(argv) == 0
    assert seen[0] == ["zeroshot", "linear-probe"]
    assert seen[1] == ["zeroshot", "calibration", "linear-probe", "few-shot", "retrieval"]


def test_help_documents_every_option() -> None:
    from typer.testing import CliRunner

    from litclip.cli import app

    text = CliRunner().invoke(app, ["evaluate", "--help"], terminal_width=200).output
    for option in (
        "--model",
        "--dataset",
        "--tasks",
        "--out",
        "--skip-existing",
        "--prompts",
        "--criterion",
    ):
        assert option in text


def test_ctrl_c_says_what_was_kept_and_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import litclip.evaluate

    def interrupted(*a, **k):  # noqa: ANN002, ANN003, ANN202 - a stand-in
        raise KeyboardInterrupt

    monkeypatch.setattr(litclip.evaluate, "run_evaluation", interrupted)
    argv = ["evaluate", "--dataset", f"folder:{tmp_path}", "--out", str(tmp_path / "r")]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "--skip-existing" in err


def _training_run(root: Path) -> Path:
    """A folder laid out like `litclip train`'s output."""
    root.mkdir(parents=True)
    (root / "config.json").write_text('{"config": {"model": "litclip-micro"}}')
    (root / "metrics.jsonl").write_text("")
    (root / "checkpoints").mkdir()
    return root


def test_evaluate_refuses_another_stages_folder(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    run = _training_run(tmp_path / "run")
    before = (run / "config.json").read_text()
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{folder_ds}"]
    argv += ["--tasks", "zeroshot", "--n-boot", "0", "--quiet", "--no-report"]
    assert main([*argv, "--out", str(run)]) == 2
    assert "not an evaluation" in " ".join(capsys.readouterr().err.split())
    assert (run / "config.json").read_text() == before and not (run / "results.json").exists()
    out = tmp_path / "res"  # evaluate's own folder (with a report's figures) is rerun into
    assert main([*argv, "--out", str(out)]) == 0
    (out / "report_fig01.png").write_bytes(b"")
    assert main([*argv, "--tasks", "linear-probe", "--out", str(out)]) == 0
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert sorted(r["task"] for r in runs) == ["linear-probe", "zeroshot"]


def test_alphas_outside_0_1_are_refused_up_front(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = ["evaluate", "--dataset", f"folder:{folder_ds}", "--out", str(tmp_path / "r")]
    assert main([*argv, "--tasks", "retention", "--alphas", "0,2"]) == 2
    assert "--alphas must be in [0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_random_weights_are_said_and_recorded(
    tmp_path: Path, folder_ds: Path, micro, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    import dataclasses

    import litclip.models

    # a bare architecture name without its download: micro's weights flagged as open_clip's
    random = dataclasses.replace(micro, spec="ViT-B-32", meta={"random_init": True})
    monkeypatch.setattr(litclip.models, "load_model", lambda spec, **kw: random)
    argv = ["evaluate", "--model", "ViT-B-32", "--dataset", f"folder:{folder_ds}", "--quiet"]
    argv += ["--tasks", "zeroshot", "--n-boot", "0", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ViT-B-32 has random weights" in out
    (run,) = json.loads((tmp_path / "r" / "results.json").read_text())["runs"]
    assert run["details"]["random_init"] is True
    assert "random weights" in (tmp_path / "r" / "report.html").read_text()


def test_nothing_to_evaluate_says_why(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from .conftest import make_folder_dataset

    ds = make_folder_dataset(tmp_path / "notest", {"train": 2, "val": 2})
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{ds}", "--quiet"]
    # exit 1 (a script must notice; it was 0) and no report page of "0 runs"
    assert main([*argv, "--tasks", "zeroshot", "--out", str(tmp_path / "r")]) == 1
    captured = capsys.readouterr()
    out = " ".join((captured.out + captured.err).split())
    assert "nothing was evaluated" in out and "zeroshot on" in out and "test split" in out
    skipped = json.loads((tmp_path / "r" / "results.json").read_text())["skipped"]
    assert any("zeroshot" in s and "train, val" in s for s in skipped)
    assert not (tmp_path / "r" / "report.html").exists()


def test_cnn_options_are_checked_before_any_task(
    tmp_path: Path, folder_ds: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    from litclip.evaluate import cnn_baseline

    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{folder_ds}"]
    argv += ["--tasks", "zeroshot,cnn", "--quiet", "--out", str(tmp_path / "r")]
    assert main([*argv, "--cnn-arch", "vgg"]) == 2
    assert "unknown CNN baseline 'vgg'" in capsys.readouterr().err
    monkeypatch.setattr(cnn_baseline, "_cached_weights", lambda arch: None)
    monkeypatch.setattr(cnn_baseline, "_hub_reachable", lambda timeout=3.0: False)
    assert main([*argv, "--cnn-pretrained", "yes"]) == 2
    err = capsys.readouterr().err
    assert "not available offline" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_retrieval_without_test_rows_says_what_to_do(
    tmp_path: Path, pairs_manifest: Path, capsys: pytest.CaptureFixture
) -> None:
    import pandas as pd

    manifest = pairs_manifest.parent / "train_only.csv"
    pd.read_csv(pairs_manifest).assign(split="train").to_csv(manifest, index=False)
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"pairs:{manifest}", "--quiet"]
    assert main([*argv, "--tasks", "retrieval", "--out", str(tmp_path / "r")]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "no rows with split == 'test'" in out and "litclip split" not in out


@pytest.mark.parametrize(
    ("run", "why"),
    [
        ({}, "lacks 'metrics'"),
        ({"metrics": {"accuracy": "0.9"}}, "'accuracy' is '0.9', not a number"),
        ({"metrics": {"accuracy": 0.9}, "ci95": {"accuracy": "wide"}}, "ci95 'accuracy'"),
    ],
)
def test_report_names_a_broken_run(
    tmp_path: Path, run: dict, why: str, capsys: pytest.CaptureFixture
) -> None:
    run = {"model": "m", "dataset": "d", "task": "zeroshot", "split": "test", **run}
    (tmp_path / "x.json").write_text(json.dumps({"runs": [run]}))
    assert main(["report", str(tmp_path / "x.json"), "--out", str(tmp_path / "r.html")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "run 0 (m zeroshot on d):" in err and why in err and "Traceback" not in err


def test_report_reads_a_null_interval_as_none(tmp_path: Path) -> None:
    run = {"model": "m", "dataset": "d", "task": "zeroshot", "split": "test", "n": 8}
    run |= {"metrics": {"accuracy": 0.5, "f1": None}, "ci95": None, "details": {}}
    (tmp_path / "x.json").write_text(json.dumps({"runs": [run]}))
    assert main(["report", str(tmp_path / "x.json"), "--out", str(tmp_path / "r.html")]) == 0
    assert "0.500" in (tmp_path / "r.html").read_text()


def test_report_to_a_folder_that_cannot_be_made(tmp_path: Path, capsys) -> None:
    run = {"model": "m", "dataset": "d", "task": "zeroshot", "split": "test", "n": 8}
    run |= {"metrics": {"accuracy": 0.5}}
    (tmp_path / "x.json").write_text(json.dumps({"runs": [run]}))
    assert main(["report", str(tmp_path / "x.json"), "--out", "/proc/x/r.html"]) == 2
    assert "--out /proc/x/r.html cannot be made" in capsys.readouterr().err


def test_a_failed_evaluation_leaves_no_folder(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    """A model that does not load failed after --out was made: the empty folder is taken
    back; a folder the user made stays."""
    out = tmp_path / "ev"
    argv = ["evaluate", "--model", str(tmp_path / "no-such-model"), "--dataset"]
    argv += [f"folder:{folder_ds}", "--tasks", "zeroshot", "--quiet", "--out", str(out)]
    assert main(argv) == 2
    assert "no-such-model" in capsys.readouterr().err and not out.exists()
    out.mkdir()
    assert main(argv) == 2 and out.is_dir()


def test_split_values_with_spaces_are_the_splits_they_name(tmp_path: Path, capsys) -> None:
    """A spreadsheet's "test " was its own split here, so no test split was found, while
    data info and train read it as test."""
    from litclip.evaluate import datasets as dsets

    csv = tmp_path / "m.csv"
    csv.write_text("filepath,caption,split\na.png,x,Test \nb.png,y,train\n")
    assert dsets.available_splits(f"pairs:{csv}") == ["test", "train"]


def test_retrieval_scores_a_repeated_row_once(tmp_path: Path, pairs_manifest: Path) -> None:
    """The test rows listed twice halved image->text recall, without a word."""
    import pandas as pd

    from litclip.evaluate import run_evaluation

    frame = pd.read_csv(pairs_manifest)
    doubled = pairs_manifest.parent / "doubled.csv"
    pd.concat([frame, frame]).to_csv(doubled, index=False)
    runs = []
    for name, manifest in (("once", pairs_manifest), ("twice", doubled)):
        res = run_evaluation(
            ["litclip-micro"], [f"pairs:{manifest}"], ["retrieval"], tmp_path / name,
            n_boot=0, progress=False, report=False,
        )  # fmt: skip
        runs.append(res)
    assert runs[1]["runs"][0]["metrics"] == runs[0]["runs"][0]["metrics"]
    assert any("repeat an image with the same caption" in w for w in runs[1]["warnings"])


def test_a_call_that_adds_nothing_fails_beside_earlier_runs(
    tmp_path: Path, folder_ds: Path, capsys: pytest.CaptureFixture
) -> None:
    from .conftest import make_folder_dataset

    out = ["--out", str(tmp_path / "r"), "--quiet", "--n-boot", "0", "--tasks", "zeroshot"]
    ok = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{folder_ds}", *out]
    assert main(ok) == 0
    capsys.readouterr()
    notest = make_folder_dataset(tmp_path / "notest", {"train": 2, "val": 2})
    # a second call whose only task cannot run: the first call's run must not make it pass
    bad = ["evaluate", "--model", "litclip-micro", "--dataset", f"folder:{notest}", *out]
    assert main(bad) == 1
    said = " ".join("".join(capsys.readouterr()).split())
    assert "nothing was evaluated this time" in said and "1 earlier run(s)" in said
    assert "runs ->" not in said
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert len(results["runs"]) == 1
    assert results["this_call"] == {"tasks_run": 1, "runs_made": 0}


def test_a_report_is_not_written_over_another_folders(tmp_path: Path, capsys) -> None:
    """`report ev2 --out ev1` replaced ev1's report with ev2's while ev1/results.json stayed;
    into an index or a training run it made files those commands then refused."""
    run = {"model": "m", "dataset": "d", "task": "zeroshot", "split": "test", "n": 8}
    run |= {"metrics": {"accuracy": 0.5}}
    for name in ("ev1", "ev2", "index", "trained"):
        (tmp_path / name).mkdir()
    for name in ("ev1", "ev2"):
        (tmp_path / name / "results.json").write_text(json.dumps({"runs": [run]}))
    (tmp_path / "index" / "index.json").write_text("{}")
    (tmp_path / "trained" / "metrics.jsonl").write_text("")
    for out, said in (
        ("ev1", "holds another evaluation"),
        ("index", "is a search index folder (index.json)"),
        ("trained", "is a training run folder (metrics.jsonl)"),
    ):
        assert main(["report", str(tmp_path / "ev2"), "--out", str(tmp_path / out)]) == 2
        assert said in " ".join(capsys.readouterr().err.split())
        assert not (tmp_path / out / "report.html").exists()
    both = [str(tmp_path / "ev1"), str(tmp_path / "ev2"), "--out", str(tmp_path / "ev1")]
    assert main(["report", *both]) == 0  # ev1's results are in the report: its folder's own
    assert main(["report", str(tmp_path / "ev2")]) == 0  # beside its own results.json


def test_prompt_learning_settings_reach_the_evaluation(tmp_path: Path, monkeypatch) -> None:
    """The published 100 epochs could not be asked for from the command line."""
    import litclip.evaluate

    seen = {}

    def record(models, datasets, tasks, out, cfg):  # noqa: ANN001, ANN202
        seen.update(epochs=cfg.prompt_epochs, lr=cfg.prompt_lr, n_ctx=cfg.prompt_n_ctx)
        return {"runs": [], "skipped": []}

    monkeypatch.setattr(litclip.evaluate, "run_evaluation", record)
    argv = ["evaluate", "--dataset", f"folder:{tmp_path}", "--tasks", "coop", "--quiet"]
    argv += ["--prompt-epochs", "100", "--prompt-lr", "0.002", "--prompt-n-ctx", "16"]
    main([*argv, "--out", str(tmp_path / "r")])
    assert seen == {"epochs": 100, "lr": 0.002, "n_ctx": 16}


@pytest.mark.timeout(120)
def test_recall_at_k_beyond_the_gallery_is_flagged(
    tmp_path: Path, pairs_manifest: Path, capsys: pytest.CaptureFixture
) -> None:
    """`--recall 1000` on a small split printed a done line with no metric and a recall of 1
    that any model gets."""
    out = tmp_path / "res"
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"pairs:{pairs_manifest}"]
    rc = main(
        [*argv, "--tasks", "retrieval", "--recall", "1000", "--n-boot", "0", "--out", str(out)]
    )
    assert rc == 0
    captured = capsys.readouterr()
    printed = " ".join((captured.out + captured.err).split())
    assert "image_retrieval_recall@1000=1.000" in printed
    (warning,) = json.loads((out / "results.json").read_text())["warnings"]
    assert "Recall@1000 is 1 by construction" in warning and "--recall" in warning


@pytest.mark.timeout(120)
def test_tasks_one_lack_skips_are_said_in_one_line(tmp_path: Path, pairs_manifest: Path) -> None:
    """`litclip run` with no labelled dataset printed three skipped lines for one reason."""
    out = tmp_path / "res"
    argv = ["evaluate", "--model", "litclip-micro", "--dataset", f"pairs:{pairs_manifest}"]
    tasks = "zeroshot,calibration,linear-probe,retrieval"
    assert main([*argv, "--tasks", tasks, "--n-boot", "0", "--out", str(out), "--quiet"]) == 0
    (line,) = json.loads((out / "results.json").read_text())["skipped"]
    assert line.startswith("zeroshot, calibration, linear-probe: none of the datasets has class")
