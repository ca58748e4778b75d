"""What build, merge and filter write into and keep: --out folder checks, merging inputs
without parts/, unfinished shards, QC options, duplicate names, filter reruns, retry hints,
and one writer at a time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from litclip.corpus import CorpusConfig, build_corpus, filter_corpus, merge_corpora
from litclip.corpus.qc import QcConfig
from litclip.corpus.writers import read_manifest
from litclip.errors import LitclipError, NothingMadeError
from litclip.io import sole_writer
from tests.corpus.corpus_fixtures import extractor_spec, make_corpus

FAKE = extractor_spec("fake_iter_figures")


def _cfg(**kw: object) -> CorpusConfig:
    return CorpusConfig(extractor=FAKE, executor="serial", **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Four PDFs, the whole corpus and its ``--shard 0/3`` and ``1/3`` builds (2 PDFs each,
    shard 2/3 gets none of these names)."""
    root = tmp_path_factory.mktemp("outs")
    pdfs = make_corpus(root / "pdfs", n=4, n_figures=1)
    build_corpus(pdfs, root / "whole", _cfg())
    for i in range(2):
        build_corpus(pdfs, root / f"sh{i}", _cfg(shard=f"{i}/3"))
    return root / "whole", root / "sh0", root / "sh1"


def _status(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "pdf_status.jsonl").read_text().splitlines()]


def _crop_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in (out / "images").rglob("*") if p.is_file()}


def test_another_tools_folder_is_refused(shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """A training run's config.json has litclip_version too: it was taken for a corpus."""
    whole, sh0, _ = shards
    run = tmp_path / "run1"
    (run / "checkpoints").mkdir(parents=True)
    config = json.dumps({"litclip_version": "0.1.0", "config": {"epochs": 1}})
    (run / "config.json").write_text(config)
    (run / "metrics.jsonl").write_text("{}\n")
    pdfs = whole.parent / "pdfs"
    with pytest.raises(LitclipError, match=r"holds other files \(checkpoints, metrics.jsonl\)"):
        build_corpus(pdfs, run, _cfg())
    with pytest.raises(LitclipError, match="not a litclip corpus"):
        merge_corpora(run, [sh0])
    with pytest.raises(LitclipError, match="not a litclip corpus"):
        filter_corpus(whole, run, kinds=["image"])
    assert (run / "config.json").read_text() == config
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints", "config.json", "metrics.jsonl"]
    only = tmp_path / "started"  # a run that stopped after writing its config
    only.mkdir()
    (only / "config.json").write_text(config)
    with pytest.raises(LitclipError, match="not a litclip corpus"):
        build_corpus(pdfs, only, _cfg())
    hidden = tmp_path / "hidden"  # a folder of hidden files alone is empty to a build
    hidden.mkdir()
    (hidden / ".DS_Store").write_text("x")
    assert build_corpus(pdfs, hidden, _cfg()).pdfs_ok == 4


def test_filter_writes_only_into_its_own_output(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    whole, sh0, _ = shards
    mine = tmp_path / "userdata"
    mine.mkdir()
    (mine / "manifest.csv").write_text("precious")
    with pytest.raises(LitclipError, match="not a litclip corpus"):
        filter_corpus(whole, mine, kinds=["image"])
    assert (mine / "manifest.csv").read_text() == "precious"
    built = tmp_path / "built"
    shutil.copytree(sh0, built)
    with pytest.raises(LitclipError, match="not an earlier `corpus filter` output"):
        filter_corpus(whole, built)
    assert json.loads((built / "config.json").read_text())["config"]["shard"] == "0/3"
    filtered = tmp_path / "filtered"
    filter_corpus(whole, filtered)
    filter_corpus(whole, filtered, kinds=["image"])  # a rerun into its own output: fine
    with pytest.raises(LitclipError, match="a `corpus filter` output"):
        build_corpus(whole.parent / "pdfs", filtered, _cfg())  # its crops would be cleaned away


def test_build_resumes_into_its_own_folder(shards: tuple[Path, Path, Path]) -> None:
    whole = shards[0]
    (whole / "preview.html").write_text("<html></html>")  # corpus preview's default output
    (whole / "p2.html").write_text("<html></html>")  # a page of `corpus preview --out`
    summary = build_corpus(whole.parent / "pdfs", whole, _cfg())
    assert summary.pdfs_skipped == 4 and summary.pdfs_ok == 4


def test_merge_inputs_without_parts(shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Filter outputs and contract-only copies have no parts/: merged from their manifests."""
    whole, sh0, sh1 = shards
    full = read_manifest(whole)
    bare = tmp_path / "bare0"
    shutil.copytree(sh0, bare)
    shutil.rmtree(bare / "parts")
    summary = merge_corpora(tmp_path / "m", [bare, sh1])
    merged = read_manifest(tmp_path / "m")
    assert summary.pairs == len(full) and summary.pdfs_ok == 4
    assert sorted(merged["pair_id"]) == sorted(full["pair_id"])
    assert set(merged["qc_pass"]) == set(full["qc_pass"])
    assert all((tmp_path / "m" / fp).is_file() for fp in merged["filepath"])
    filter_corpus(sh0, tmp_path / "f0", kinds=["image"])
    filter_corpus(sh1, tmp_path / "f1", kinds=["image"])
    summary = merge_corpora(tmp_path / "mf", [tmp_path / "f0", tmp_path / "f1"])
    images = full[full["qc_pass"] & (full["kind"] == "image")]
    assert summary.pairs == len(images) > 0 and summary.pdfs_ok == 4
    assert sorted(read_manifest(tmp_path / "mf")["pair_id"]) == sorted(images["pair_id"])


def test_merge_says_a_shard_did_not_finish(shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """A shard killed mid-way: its PDFs without a part are marked missing, and said."""
    _, sh0, sh1 = shards
    killed = tmp_path / "killed"
    shutil.copytree(sh0, killed)
    for name in ("manifest.parquet", "manifest.csv", "pdf_status.jsonl", "datasheet.md"):
        (killed / name).unlink()
    shutil.rmtree(killed / "shards")
    n = len(json.loads((killed / "config.json").read_text())["inputs"])
    lost = sorted((killed / "parts").glob("*.json"))[0]
    lost.unlink()
    shutil.rmtree(killed / "images" / lost.stem[:16])
    summary = merge_corpora(tmp_path / "m", [killed, sh1])
    assert summary.pdfs_ok == 3 and summary.pdfs_error == 1 and ("missing", 1) in summary.errors
    note, absent = summary.notes  # and shard 2/3 (no PDF of these names) is not an input
    assert f"1 of the {n} PDFs of {killed} have no result" in note and "--shard 0/3" in note
    assert absent.startswith("shard 2/3 of the split is not among the inputs")
    bad = [s for s in _status(tmp_path / "m") if s["status"] != "ok"]
    assert [s["error_kind"] for s in bad] == ["missing"] and bad[0]["sha256"].startswith(lost.stem)


def test_merge_refuses_other_qc_options(shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Which shard came first decided the QC of all: 20/20 or 0/20 pairs passing."""
    whole, sh0, sh1 = shards
    strict = tmp_path / "strict"
    build_corpus(whole.parent / "pdfs", strict, _cfg(shard="1/3", qc=QcConfig(min_side=5000)))
    with pytest.raises(LitclipError, match=r"other QC options .*min_side 5000, not 64"):
        merge_corpora(tmp_path / "m", [sh0, strict])
    with pytest.raises(LitclipError, match=r"other QC options .*min_side 64, not 5000"):
        merge_corpora(tmp_path / "m", [strict, sh0])
    kinds = tmp_path / "kinds"  # the same kinds in another order are the same options
    order = ["other", "table", "diagram", "chart", "image"]
    build_corpus(whole.parent / "pdfs", kinds, _cfg(shard="1/3", qc=QcConfig(keep_kinds=order)))
    assert merge_corpora(tmp_path / "m2", [sh0, kinds]).pdfs_ok == 4


def test_merge_keeps_duplicate_names(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    shutil.copy(pdfs / "paper_00.pdf", pdfs / "copy.pdf")
    build_corpus(pdfs, tmp_path / "c", _cfg())
    merge_corpora(tmp_path / "m", [tmp_path / "c"])
    assert sorted(s["name"] for s in _status(tmp_path / "m")) == ["copy.pdf", "paper_00.pdf"]
    assert sum("duplicate_of" in s for s in _status(tmp_path / "m")) == 1


def test_filter_rerun_leaves_no_orphan_crops(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    whole = shards[0]
    out = tmp_path / "f"
    filter_corpus(whole, out, qc_only=False)
    assert len(_crop_files(out)) == len(_crop_files(whole))
    filter_corpus(whole, out, kinds=["image"])
    df = read_manifest(out)
    native = {fp for fp in df["native_filepath"] if isinstance(fp, str) and fp}
    assert _crop_files(out) == set(df["filepath"]) | native
    kept = _crop_files(out)
    with pytest.raises(NothingMadeError, match=r"no pair passing QC matched --kinds chart \("):
        filter_corpus(whole, out, kinds=["chart"])  # none is a chart: nothing is written
    assert _crop_files(out) == kept and set(read_manifest(out)["kind"]) == {"image"}
    (out / "preview.html").write_text("<img src='images/gone.png'>")  # corpus preview's pages
    (out / "preview-rejected.html").write_text("<html></html>")
    filter_corpus(whole, out, qc_only=False)  # a rewrite: the pages showed the old figures
    assert not list(out.glob("*.html"))


def test_filter_or_merge_into_an_input_corpus_is_refused(
    shards: tuple[Path, Path, Path],
) -> None:
    """A filter's output inside its input corpus made that corpus refuse its next build."""
    whole, sh0, sh1 = shards
    with pytest.raises(LitclipError, match=r"--out .*sub is inside the corpus"):
        filter_corpus(whole, whole / "sub", kinds=["image"])
    with pytest.raises(LitclipError, match=r"the merge's output .*m is inside the corpus"):
        merge_corpora(sh1 / "m", [sh0, sh1])
    assert not (whole / "sub").exists() and not (sh1 / "m").exists()


@pytest.mark.parametrize("command", ["merge", "filter"])
def test_an_interrupted_merge_or_filter_is_redone(
    shards: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Ctrl-C or a kill after a merge or filter had begun writing left a folder that a rerun
    refused as 'not a litclip corpus', though the message had said to rerun."""
    whole, sh0, sh1 = shards
    import litclip.corpus.pipeline as pipeline

    def run(out: Path) -> object:
        if command == "merge":
            return merge_corpora(out, [sh0, sh1])
        return filter_corpus(whole, out, kinds=["image"])

    real = pipeline.write_shards

    def interrupted(*a: object, **k: object) -> None:
        real(*a, **k)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_shards", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run(out)
    assert (out / ".unfinished").is_file() and not (out / "config.json").exists()
    (out / "images" / "stray.png").write_bytes(b"x")  # whatever it had begun: cleared
    monkeypatch.setattr(pipeline, "write_shards", real)
    mine = tmp_path / "mine"
    (mine / "images").mkdir(parents=True)  # without the marker: never taken for leftovers
    with pytest.raises(LitclipError, match="holds other files"):
        run(mine)
    run(out)
    clean = tmp_path / "clean"
    run(clean)
    assert not (out / ".unfinished").exists()
    assert _crop_files(out) == _crop_files(clean)
    pd_out, pd_clean = read_manifest(out), read_manifest(clean)
    assert list(pd_out["pair_id"]) == list(pd_clean["pair_id"])


def test_inputs_still_being_built_are_refused(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """A merge of a corpus still being built merged its finished PDFs quietly and told the
    user to rerun the build that was running; evaluate said it was no corpus."""
    whole, sh0, sh1 = shards
    with sole_writer(sh1, "corpus build"):  # held as by another process (own descriptor)
        with pytest.raises(LitclipError, match=r"sh1 is still being written"):
            merge_corpora(tmp_path / "m", [sh0, sh1])
        with pytest.raises(LitclipError, match=r"sh1 is still being written"):
            filter_corpus(sh1, tmp_path / "f")
    assert not (tmp_path / "m").exists() and not (tmp_path / "f").exists()
    assert merge_corpora(tmp_path / "m", [sh0, sh1]).pdfs_ok == 4


def test_timeouts_suggest_retry_errors(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    out = tmp_path / "c"
    assert build_corpus(pdfs, out, _cfg()).notes == []
    part = sorted((out / "parts").glob("*.json"))[0]
    data = json.loads(part.read_text())
    data["status"].update(status="error", error_kind="timeout", error_message="killed after 300 s")
    data["rows"] = []
    part.write_text(json.dumps(data))
    summary = build_corpus(pdfs, out, _cfg())
    assert summary.pdfs_error == 1
    (note,) = summary.notes
    assert "--retry-errors" in note and "--timeout" in note


def test_cli_prints_the_notes(
    shards: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from litclip.cli import main

    _, sh0, sh1 = shards
    killed = tmp_path / "killed"
    shutil.copytree(sh0, killed)
    sorted((killed / "parts").glob("*.json"))[0].unlink()
    assert main(["corpus", "merge", str(tmp_path / "m"), str(killed), str(sh1)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert f"note: 1 of the 2 PDFs of {killed} have no result" in out
    assert "missing 1" in out


def test_a_folder_another_process_writes_into_is_refused_untouched(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """A build started while another build of the same --out ran deleted that build's live
    crops and staging files as a killed run's leftovers: one crashed, the other recorded
    false errors and lost pairs. Build, merge and filter now refuse a folder held by
    another writer, and change nothing in it."""
    whole, sh0, sh1 = shards
    busy = tmp_path / "busy"
    shutil.copytree(whole, busy)
    staged = busy / ".staging" / "live.png"  # the other build's work in progress
    staged.parent.mkdir()
    staged.write_bytes(b"png")
    before = sorted(p.relative_to(busy).as_posix() for p in busy.rglob("*"))
    with sole_writer(busy, "corpus build"):  # held as by another process (own descriptor)
        for attempt in (
            lambda: build_corpus(whole.parent / "pdfs", busy, _cfg()),
            lambda: merge_corpora(busy, [sh0, sh1]),
        ):
            with pytest.raises(LitclipError, match=f"another process is writing into {busy}"):
                attempt()
    assert sorted(p.relative_to(busy).as_posix() for p in busy.rglob("*")) == before
    filtered = tmp_path / "filtered"  # a filter rerun into its earlier output
    filter_corpus(whole, filtered, kinds=["image"])
    with sole_writer(filtered, "corpus filter"):
        with pytest.raises(LitclipError, match="another process is writing into"):
            filter_corpus(whole, filtered, qc_only=False)
    assert set(read_manifest(filtered)["kind"]) <= {"image"}
    assert build_corpus(whole.parent / "pdfs", busy, _cfg()).pdfs_skipped == 4  # free again
    assert not staged.exists()  # now a leftover: cleaned


def test_a_corpus_with_a_file_of_the_users_is_named_a_corpus(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """A corpus holding one file of the user's was called 'not a litclip corpus'; merge's
    messages named an --out option it does not have."""
    whole, sh0, sh1 = shards
    mine = tmp_path / "mine"
    shutil.copytree(whole, mine)
    (mine / "notes.csv").write_text("x")
    with pytest.raises(LitclipError, match=r"is a litclip corpus that also holds files it did"):
        build_corpus(whole.parent / "pdfs", mine, _cfg())
    with pytest.raises(LitclipError, match=r"^the merge's output .* also holds files"):
        merge_corpora(mine, [sh0, sh1])
    with pytest.raises(LitclipError, match="its output .* must not be one of its inputs"):
        merge_corpora(sh0, [sh0, sh1])


def test_a_merge_without_every_shard_of_the_split_says_so(
    shards: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """Merging shard 0 of a split alone made a quiet part of a corpus."""
    _, sh0, sh1 = shards
    notes = merge_corpora(tmp_path / "m", [sh0, sh1]).notes
    assert notes == [
        "shard 2/3 of the split is not among the inputs: their PDFs are not in this merge "
        "(merge again with them when built)"
    ]
    assert "shards 1/3, 2/3 of the split are" in merge_corpora(tmp_path / "m0", [sh0]).notes[0]


def test_a_build_that_changes_the_pairs_removes_its_stale_previews(tmp_path: Path) -> None:
    """Building other PDFs into a corpus dropped the earlier pairs but left preview.html
    showing them; a resumed build with the same pairs keeps the pages."""
    pdfs = make_corpus(tmp_path / "pdfs", n=3, n_figures=1)
    out = tmp_path / "c"
    build_corpus(pdfs, out, _cfg())
    (out / "preview.html").write_text("<html>the pairs of the first build</html>")
    (out / "mine.html").write_text("<html>a page of the user's</html>")
    build_corpus(pdfs, out, _cfg())  # the same pairs: the page still shows them
    assert (out / "preview.html").is_file()
    build_corpus(sorted(pdfs.glob("*.pdf"))[:2], out, _cfg())  # one PDF's pairs leave
    assert not (out / "preview.html").exists() and (out / "mine.html").is_file()


def test_jpeg_is_jpg_and_a_missing_corpus_is_said_missing(tmp_path: Path) -> None:
    """`--image-format jpeg` was refused; `corpus merge OUT nonexist/` said "not a litclip
    corpus directory" of a folder that does not exist."""
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    build_corpus(pdfs, tmp_path / "c", _cfg(image_format="jpeg"))
    assert read_manifest(tmp_path / "c")["filepath"].str.endswith(".jpg").all()
    with pytest.raises(LitclipError, match=r"nope does not exist: give the --out of a corpus"):
        merge_corpora(tmp_path / "m", [tmp_path / "c", tmp_path / "nope"])
