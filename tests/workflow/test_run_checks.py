"""`litclip run` / `demo` refuse bad folders and options before any work."""

from __future__ import annotations

import json

import pytest

from litclip.cli import main
from litclip.errors import LitclipError
from litclip.workflow.config import load_run_config
from litclip.workflow.run import _another_journal, _input_files, _write_run_config, check_out


def _pdfs(tmp_path):
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "a.pdf").write_bytes(b"%PDF-1.4 not really")
    return pdfs


def test_out_inside_the_pdf_folder_is_refused(tmp_path, capsys) -> None:
    pdfs = _pdfs(tmp_path)
    for out in (pdfs, pdfs / "run"):
        assert main(["run", "--pdfs", str(pdfs), "--out", str(out)]) == 2
        assert "is (inside) the PDF folder" in capsys.readouterr().err.replace("\n", "")
    assert sorted(p.name for p in pdfs.iterdir()) == ["a.pdf"]


@pytest.mark.parametrize(
    "files",
    [
        ["manifest.parquet", "config.json", "images/"],  # a corpus
        ["index.json", "config.json"],  # an index
        ["open_clip_config.json", "open_clip_model.safetensors"],  # a model
        ["checkpoints/", "metrics.jsonl", "config.json"],  # a training run
        ["results.json", "config.json", "report.html"],  # an evaluation
        ["notes.txt"],
    ],
)
def test_out_of_another_tool_is_refused(tmp_path, files) -> None:
    out = tmp_path / "out"
    for name in files:
        path = out / name.rstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if name.endswith("/") else path.write_text("{}")
    with pytest.raises(LitclipError, match="is not a `litclip run` folder"):
        check_out(out)


def test_a_run_or_demo_folder_is_resumed(tmp_path) -> None:
    check_out(tmp_path / "new")
    empty = tmp_path / "empty"
    empty.mkdir()
    check_out(empty)
    run = tmp_path / "run"
    for name in ("corpus", "train", "train.replaced-1", "results.replaced-2", ".steps"):
        (run / name).mkdir(parents=True)
    for name in (
        "run_config.json",
        "results.json",
        "config.json",
        "report_fig01.png",
        "results.replaced-3.json",
    ):
        (run / name).write_text("{}")
    check_out(run)
    demo = tmp_path / "demo"  # killed while its journal was generated
    (demo / "journal").mkdir(parents=True)
    check_out(demo)  # nothing else made yet: no .steps, no run_config.json


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        ("split: {splits_file: /nonexist.json}\n", [], "splits file '/nonexist.json' does not"),
        ("evaluate: {batch_size: 0}\n", [], "config.evaluate.batch_size must be >= 1"),
        ("evaluate: {tasks: []}\n", [], "config.evaluate.tasks is empty"),
        ("split: {val_fraction: 1.5}\n", [], "config.split.val_fraction must be in (0, 1)"),
        ("split: {val_fraction: -0.1}\n", [], "config.split.val_fraction must be in (0, 1)"),
        # 0 was taken as one article all the same, without a word
        ("split: {test_fraction: 0}\n", [], "holds out at least one article for test"),
        ("split: {val_fraction: 0.6, test_fraction: 0.6}\n", [], "keep their sum under 1"),
        ("corpus: {dpi: -5}\n", [], "config.corpus.dpi must be in 36..600"),
        ("{}\n", ["--device", "tpu"], "unknown device 'tpu'"),
    ],
)
def test_options_are_checked_before_any_work(tmp_path, capsys, text, args, expected) -> None:
    pdfs, config, out = _pdfs(tmp_path), tmp_path / "c.yaml", tmp_path / "o"
    config.write_text(text)
    argv = ["run", "--pdfs", str(pdfs), "--out", str(out), "--config", str(config), *args]
    assert main(argv) == 2
    assert expected in capsys.readouterr().err.replace("\n", "")
    assert not out.exists()


def test_cuda_without_a_gpu_is_refused_up_front(tmp_path, capsys) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    pdfs, out = _pdfs(tmp_path), tmp_path / "o"
    assert main(["run", "--pdfs", str(pdfs), "--out", str(out), "--device", "cuda"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err
    assert not out.exists()


def test_run_needs_an_out_folder(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--pdfs", str(_pdfs(tmp_path))]) == 2
    assert "pass --out DIR" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pdfs"]
    # and its PDFs: "PDF input '' does not exist" named no option left off
    assert main(["run", "--out", str(tmp_path / "o")]) == 2
    assert "no PDFs given: pass --pdfs DIR" in " ".join(capsys.readouterr().err.split())


def test_demo_refuses_bad_options_before_the_journal(tmp_path, capsys) -> None:
    out = tmp_path / "d"
    for args, expected in (
        (["--port", "99999"], "--port"),
        (["--model", "nosuch"], "nosuch"),
        (["--device", "tpu"], "unknown device"),
    ):
        assert main(["demo", "--out", str(out), "--articles", "3", *args]) == 2
        assert expected in capsys.readouterr().err
        assert not out.exists()
    assert main(["demo", "--out", "/proc/x", "--articles", "3"]) == 2
    assert "/proc/x cannot be made" in capsys.readouterr().err


def test_run_config_keeps_the_earlier_options(tmp_path, monkeypatch) -> None:
    """Written again only when the options change; the earlier ones stay, paths absolute."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "o" / "run_config.json"
    path.parent.mkdir()
    first = load_run_config(None, pdfs="p", out="o", seed=1)
    _write_run_config(path.parent, first)
    written = path.read_text()
    _write_run_config(path.parent, first)
    assert path.read_text() == written  # same options: untouched
    _write_run_config(path.parent, load_run_config(None, pdfs="p", out="o", seed=2))
    data = json.loads(path.read_text())
    assert data["config"]["seed"] == 2 and data["config"]["split"]["seed"] == 2
    assert [e["config"]["seed"] for e in data["earlier"]] == [1]
    assert data["config"]["out"] == str(tmp_path / "o")
    assert data["config"]["pdfs"] == str(tmp_path / "p")


def test_a_corpus_of_another_journal_is_told_apart(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pdfs = _pdfs(tmp_path)
    files = sorted(pdfs.iterdir())
    assert not _another_journal(corpus, files)  # no corpus yet
    inputs = [{"name": "a.pdf", "bytes": files[0].stat().st_size}]
    (corpus / "config.json").write_text(json.dumps({"inputs": inputs}))
    assert not _another_journal(corpus, files)
    (pdfs / "b.pdf").write_bytes(b"more")  # a PDF added: the build resumes
    assert not _another_journal(corpus, sorted(pdfs.iterdir()))
    (corpus / "config.json").write_text(json.dumps({"inputs": [{"name": "z.pdf", "bytes": 9}]}))
    assert _another_journal(corpus, files)
    # --pdfs a list file: the PDFs it lists stand for the input, not the list alone
    (corpus / "config.json").write_text(json.dumps({"inputs": inputs}))
    listing = tmp_path / "pdfs.txt"
    listing.write_text(f"{files[0]}\n")
    assert not _another_journal(corpus, _input_files(listing))
    assert files[0] in _input_files(listing)


def test_run_says_what_the_evaluation_skipped(tmp_path, capsys, monkeypatch) -> None:
    """`litclip evaluate` prints its skipped: lines; `litclip run` kept them in results.json."""
    import litclip.evaluate as evaluate
    from litclip.workflow import run as run_mod
    from litclip.workflow.config import RunConfig

    monkeypatch.setattr(
        evaluate, "run_evaluation", lambda *a, **k: {"runs": [], "skipped": ["zeroshot: no labels"]}
    )

    class Steps:
        timings: dict = {}

        def digest(self, key, after):  # noqa: ANN001, ANN201
            return "d"

        def run(self, name, key, fn, after, products):  # noqa: ANN001, ANN201
            return fn()

    run_mod._evaluate_step(RunConfig(), tmp_path, tmp_path / "m", {"test": "t.parquet"}, Steps())
    assert "skipped: zeroshot: no labels" in " ".join(capsys.readouterr().err.split())
