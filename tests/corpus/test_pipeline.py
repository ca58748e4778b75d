"""build_corpus / merge_corpora / filter_corpus end to end on tiny generated PDFs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from litclip.corpus import CorpusConfig, build_corpus, filter_corpus, merge_corpora
from litclip.corpus.pipeline import resolve_inputs, select_shard
from litclip.corpus.writers import MANIFEST_COLUMNS, read_manifest, read_status
from litclip.errors import LitclipError, NothingMadeError
from tests.corpus.corpus_fixtures import (
    default_extractor,
    extractor_spec,
    make_corpus,
    make_counts_pdf,
    make_pdf,
)

FAKE = extractor_spec("fake_iter_figures")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("pipe")
    pdfs = make_corpus(root / "pdfs", n=3, n_figures=2)
    build_corpus(pdfs, root / "out", CorpusConfig(extractor=FAKE, workers=2, shard_size=5))
    return pdfs, root / "out"


def test_layout_and_contract_columns(built: tuple[Path, Path]) -> None:
    pdfs, out = built
    for name in (
        "config.json",
        "manifest.parquet",
        "manifest.csv",
        "pdf_status.jsonl",
        "datasheet.md",
    ):
        assert (out / name).is_file(), name
    df = read_manifest(out)
    assert list(df.columns[: len(MANIFEST_COLUMNS)]) == MANIFEST_COLUMNS
    assert {"phash", "split", "native_filepath"} <= set(df.columns)
    assert len(df) == 3 * 2 * 3  # 3 PDFs x 2 figures x (whole + 2 panels)
    assert df["pair_id"].is_unique
    for fp in df["filepath"]:
        assert not Path(fp).is_absolute() and (out / fp).is_file()
    assert set(df["kind"]) <= {"image", "chart", "diagram", "table", "other"}
    assert all(isinstance(r, list) for r in df["qc_reasons"])
    assert (df["qc_pass"] == df["qc_reasons"].map(len).eq(0)).all()
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["litclip_version"] and cfg["config"]["dpi"] == 200
    assert sorted(i["name"] for i in cfg["inputs"]) == sorted(p.name for p in pdfs.glob("*.pdf"))
    assert all(len(i["sha256"]) == 64 for i in cfg["inputs"])
    shards = sorted((out / "shards").glob("*.tar"))
    assert len(shards) == int(np.ceil(df["qc_pass"].sum() / 5))


def test_panels_linked_to_their_figure(built: tuple[Path, Path]) -> None:
    df = read_manifest(built[1])
    whole = df[df["panel"].isna()].set_index("pair_id")
    panels = df[df["panel"].notna()]
    assert set(panels["panel"]) == {"A", "B"}
    for _, p in panels.iterrows():
        parent = whole.loc[p["parent_id"]]
        assert p["pair_id"].startswith(p["parent_id"])
        assert (
            p["pdf_sha256"] == parent["pdf_sha256"] and p["figure_label"] == parent["figure_label"]
        )
        # "Figure 1 (A): <shared caption> <sub-caption>" (module docstring of writers)
        assert p["caption"].startswith(f"{p['figure_label']} ({p['panel']}): ")
        assert parent["caption"] in p["caption"] and p["caption"] != parent["caption"]
    # A figure that is exactly one raster image keeps its native bytes as an extra file.
    assert whole["native_filepath"].map(lambda fp: (built[1] / fp).is_file()).all()


def test_status_lines(built: tuple[Path, Path]) -> None:
    lines = [json.loads(x) for x in (built[1] / "pdf_status.jsonl").read_text().splitlines()]
    assert len(lines) == 3
    for s in lines:
        assert s["status"] == "ok" and s["pages"] == 1 and s["figures"] == 2 and s["pairs"] == 6
        assert s["seconds"] > 0 and 0 < s["peak_rss_mb"] < 2048 and len(s["sha256"]) == 64


def test_pair_ids_are_stable_and_rerun_skips(built: tuple[Path, Path], tmp_path: Path) -> None:
    pdfs, out = built
    again = build_corpus(pdfs, tmp_path / "again", CorpusConfig(extractor=FAKE, executor="serial"))
    assert sorted(read_manifest(tmp_path / "again")["pair_id"]) == sorted(
        read_manifest(out)["pair_id"]
    )
    before = (out / "manifest.parquet").read_bytes()
    rerun = build_corpus(pdfs, out, CorpusConfig(extractor=FAKE, workers=2, shard_size=5))
    assert rerun.pdfs_skipped == 3 and rerun.pairs == again.pairs
    assert pd.read_parquet(out / "manifest.parquet").equals(
        pd.read_parquet(pd.io.common.BytesIO(before))
    )


def test_out_folder_checks(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Not a corpus: refused. Other crop options: refused (crops would stay as they were).
    Inputs that drop an earlier PDF: said. Merging into one of its inputs: refused."""
    pdfs, out = built
    mine = tmp_path / "mydocs"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(LitclipError, match="not a litclip corpus"):
        build_corpus(pdfs, mine, CorpusConfig(extractor=FAKE, executor="serial"))
    with pytest.raises(LitclipError, match="dpi 200 -> 100"):
        build_corpus(pdfs, out, CorpusConfig(extractor=FAKE, executor="serial", dpi=100))
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    one = resolve_inputs(pdfs)[:1]
    summary = build_corpus(one, copy, CorpusConfig(extractor=FAKE, executor="serial"))
    assert summary.pdfs_left_out == 2 and summary.pdfs_skipped == 1
    # their extractions stay in the folder: inputs again, their pairs come back unextracted
    again = build_corpus(pdfs, copy, CorpusConfig(extractor=FAKE, executor="serial"))
    assert again.pdfs_skipped == 3 and again.pdfs_left_out == 0
    assert "2 PDFs of the earlier build are not among these inputs" in summary.left_out_note()
    assert "come back, unextracted" in summary.left_out_note() and again.left_out_note() == ""
    assert sorted(read_manifest(copy)["pair_id"]) == sorted(read_manifest(out)["pair_id"])
    with pytest.raises(LitclipError, match="must not be one of its inputs"):
        merge_corpora(copy, [copy, out])


def test_shards_partition_and_merge(built: tuple[Path, Path], tmp_path: Path) -> None:
    pdfs, out = built
    paths = resolve_inputs(pdfs)
    parts = [select_shard(paths, f"{i}/3") for i in range(3)]
    assert sorted(p for part in parts for p in part) == paths  # a partition: disjoint, complete
    dirs = []
    for i in range(2):
        d = tmp_path / f"shard{i}"
        build_corpus(pdfs, d, CorpusConfig(extractor=FAKE, shard=f"{i}/2", executor="serial"))
        dirs.append(d)
    summary = merge_corpora(tmp_path / "merged", [*dirs, dirs[0]])  # a repeated shard is deduped
    merged, full = read_manifest(tmp_path / "merged"), read_manifest(out)
    assert summary.pairs == len(full) and merged["pair_id"].is_unique
    cols = ["pair_id", "qc_pass", "kind", "caption"]
    pd.testing.assert_frame_equal(
        merged[cols].sort_values("pair_id").reset_index(drop=True),
        full[cols].sort_values("pair_id").reset_index(drop=True),
    )
    assert all((tmp_path / "merged" / fp).is_file() for fp in merged["filepath"])
    assert "## Counts" in (tmp_path / "merged" / "datasheet.md").read_text()
    config = json.loads((tmp_path / "merged" / "config.json").read_text())["config"]
    assert config["shard"] is None  # the whole, not shard 0/2
    merge_corpora(tmp_path / "merged", dirs)  # the same merge again: fine
    # the README's `corpus merge corpus/ shard0/ shard1/` over a built corpus dropped its PDFs
    one = tmp_path / "one"
    build_corpus(paths[:1], one, CorpusConfig(extractor=FAKE, executor="serial"))
    with pytest.raises(LitclipError, match="already holds a corpus with 2 PDF"):
        merge_corpora(out, [one])
    other = tmp_path / "d100"
    build_corpus(paths[1:], other, CorpusConfig(extractor=FAKE, executor="serial", dpi=100))
    broken = tmp_path / "broken"
    shutil.copytree(one, broken)
    next((broken / "images").rglob("*.png")).unlink()
    with pytest.raises(LitclipError, match="lists crops that are missing"):
        merge_corpora(tmp_path / "m2", [broken])
    with pytest.raises(LitclipError, match=r"other crop options .*\(dpi 100, not 200\)"):
        merge_corpora(tmp_path / "mixed", [one, other])


def test_duplicate_figures_across_pdfs_flagged(tmp_path: Path) -> None:
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    make_pdf(pdfs / "a.pdf", seed=4)
    make_pdf(pdfs / "b.pdf", seed=4)  # same figures, different file (title differs below)
    (pdfs / "b.pdf").write_bytes(
        (pdfs / "b.pdf").read_bytes().replace(b"test paper 4", b"test paper X")
    )
    summary = build_corpus(pdfs, tmp_path / "out", CorpusConfig(extractor=FAKE, executor="serial"))
    df = read_manifest(tmp_path / "out")
    dups = df[df["qc_reasons"].map(lambda r: "duplicate" in r)]
    assert len(dups) == len(df) // 2 and set(dups["pdf_name"]) == {"b.pdf"}
    assert (
        dups["duplicate_of"]
        .str.startswith(df.loc[df.pdf_name == "a.pdf", "pdf_sha256"].iloc[0][:16])
        .all()
    )
    assert ("duplicate", len(df) // 2) in summary.reasons


def test_identical_files_processed_once(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    shutil.copy(pdfs / "paper_00.pdf", pdfs / "copy.pdf")
    summary = build_corpus(pdfs, tmp_path / "out", CorpusConfig(extractor=FAKE, executor="serial"))
    assert summary.pairs == 3
    st = {
        json.loads(x)["name"]: json.loads(x)
        for x in (tmp_path / "out" / "pdf_status.jsonl").read_text().splitlines()
    }
    assert (
        st["paper_00.pdf"]["duplicate_of"] == "copy.pdf"
        or st["copy.pdf"]["duplicate_of"] == "paper_00.pdf"
    )


def test_filter_by_kind_and_modality(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built[1]
    summary = filter_corpus(out, tmp_path / "images_only", kinds=["image"])
    df = read_manifest(tmp_path / "images_only")
    assert summary.pairs == len(df) > 0 and set(df["kind"]) == {"image"} and df["qc_pass"].all()
    assert all((tmp_path / "images_only" / fp).is_file() for fp in df["filepath"])
    assert json.loads((tmp_path / "images_only" / "config.json").read_text())["filter"][
        "kinds"
    ] == ["image"]
    # each PDF's status counts the pairs the filter kept, beside the source's count
    source = {s["sha256"]: s["pairs"] for s in read_status(out)}
    kept = df["pdf_sha256"].value_counts()
    for s in read_status(tmp_path / "images_only"):
        assert s["pairs"] == kept.get(s["sha256"], 0) and s["source_pairs"] == source[s["sha256"]]
    assert sum(source.values()) > len(df)  # the filter left pairs out: the counts differ
    with pytest.raises(NothingMadeError, match="no pair passing QC matched --kinds table"):
        filter_corpus(out, tmp_path / "none", kinds=["table"])
    assert not (tmp_path / "none").exists()

    from litclip.corpus import modality

    def fake_scores(paths, spec, prompts=None, **kw):  # deterministic stand-in for a model
        return ["MRI" if i % 2 else "chart" for i in range(len(paths))], np.linspace(
            0.2, 0.9, len(paths)
        )

    monkeypatch.setattr(modality, "score_modality", fake_scores)
    with pytest.raises(LitclipError, match="--modality-model"):
        filter_corpus(out, tmp_path / "m0", modality=["MRI"])
    filter_corpus(
        out, tmp_path / "mri", modality=["MRI"], modality_model="fake", min_modality_score=0.5
    )
    mri = read_manifest(tmp_path / "mri")
    assert len(mri) > 0 and set(mri["modality"]) == {"MRI"} and (mri["modality_score"] >= 0.5).all()
    # only the kept figures' crops are linked into the filtered corpus
    kept = {
        p.relative_to(tmp_path / "mri").as_posix()
        for p in (tmp_path / "mri" / "images").rglob("*.*")
    }
    assert kept == {fp for fp in mri["filepath"]} | {
        fp for fp in mri.get("native_filepath", []) if isinstance(fp, str) and fp
    }
    lower = filter_corpus(out, tmp_path / "mri2", modality=["mri"], modality_model="fake")
    assert lower.pairs > 0  # labels match whatever their case
    with pytest.raises(LitclipError, match="unknown modality \\['xray'\\]"):
        filter_corpus(out, tmp_path / "m3", modality=["xray"], modality_model="fake")
    with pytest.raises(LitclipError, match="unknown kind"):
        filter_corpus(out, tmp_path / "bad", kinds=["xray"])
    with pytest.raises(LitclipError, match="must differ"):
        filter_corpus(out, out)


def test_modality_scores_at_build_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from litclip.corpus import modality

    monkeypatch.setattr(
        modality,
        "score_modality",
        lambda paths, spec, prompts=None, **kw: (["CT"] * len(paths), np.full(len(paths), 0.7)),
    )
    monkeypatch.setattr(modality, "check_model", lambda spec: None)  # "fake" loads no model
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    build_corpus(
        pdfs,
        tmp_path / "out",
        CorpusConfig(extractor=FAKE, executor="serial", modality_model="fake"),
    )
    df = read_manifest(tmp_path / "out")
    assert set(df["modality"]) == {"CT"} and np.allclose(df["modality_score"], 0.7)


def test_inputs(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    (pdfs / "sub").mkdir()
    make_pdf(pdfs / "sub" / "deep.PDF", seed=7, n_figures=1)
    assert [p.name for p in resolve_inputs(pdfs)] == ["paper_00.pdf", "paper_01.pdf", "deep.PDF"]
    elsewhere = make_corpus(tmp_path / "elsewhere", n=1, n_figures=1)
    (pdfs / "linked").symlink_to(elsewhere, target_is_directory=True)  # followed
    (pdfs / "sub" / "loop").symlink_to(pdfs, target_is_directory=True)  # a cycle ends
    assert len(resolve_inputs(pdfs)) == 4
    (pdfs / "linked").unlink()
    # a broken link was left out with no word said (a link given by name is an error)
    (pdfs / "sub" / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    with pytest.warns(UserWarning, match=r"1 name\(s\) ending in .pdf .* left out: sub/gone.pdf"):
        assert len(resolve_inputs(pdfs)) == 3
    (pdfs / "sub" / "gone.pdf").unlink()
    listing = tmp_path / "list.txt"
    listing.write_text("# my PDFs\npdfs/paper_01.pdf\n\n" + str(pdfs / "paper_00.pdf") + "\n")
    assert [p.name for p in resolve_inputs(listing)] == ["paper_00.pdf", "paper_01.pdf"]
    assert [p.name for p in resolve_inputs(pdfs / "paper_00.pdf")] == ["paper_00.pdf"]
    with pytest.raises(LitclipError, match="does not exist"):
        resolve_inputs(tmp_path / "missing")
    with pytest.raises(LitclipError, match="no PDF files"):
        resolve_inputs((tmp_path / "empty").mkdir() or tmp_path / "empty")
    listing.write_text("nope.pdf\n")
    with pytest.raises(LitclipError, match="missing file"):
        resolve_inputs(listing)
    with pytest.raises(LitclipError, match="0 <= i < n"):
        select_shard([], "3/2")


def test_inputs_from_a_spreadsheet(tmp_path: Path) -> None:
    """A CSV/TSV export lists PDFs in its path column, or in its only column."""
    make_corpus(tmp_path / "pdfs", n=2, n_figures=1)
    table = tmp_path / "papers.csv"
    table.write_text('doi,PDF,title\n10.1/a,pdfs/paper_01.pdf,"Glioma, a review"\n')
    assert [p.name for p in resolve_inputs(table)] == ["paper_01.pdf"]
    table.write_text("pdfs/paper_00.pdf\npdfs/paper_01.pdf\n")  # one column, no header
    assert [p.name for p in resolve_inputs(table)] == ["paper_00.pdf", "paper_01.pdf"]
    table.write_text("Files\npdfs/paper_01.pdf\n")  # one column under any header
    assert [p.name for p in resolve_inputs(table)] == ["paper_01.pdf"]
    tsv = tmp_path / "papers.tsv"
    tsv.write_text("id\tpath\n1\tpdfs/paper_00.pdf\n")
    assert [p.name for p in resolve_inputs(tsv)] == ["paper_00.pdf"]
    listing = tmp_path / "papers.txt"
    listing.write_text("pdfs\n")  # a folder in a list: said so (was "missing file")
    with pytest.raises(LitclipError, match="lists folders"):
        resolve_inputs(listing)
    table.write_text("doi;title\n10.1/a;Glioma\n")
    with pytest.raises(LitclipError, match="name the column of PDF paths 'path'"):
        resolve_inputs(table)
    table.write_text("path\npdfs/typo.pdf\n")
    with pytest.raises(LitclipError, match="missing file"):
        resolve_inputs(table)
    with pytest.raises(LitclipError, match="i/n"):
        select_shard([], "half")


@pytest.mark.skipif(
    default_extractor() == FAKE, reason="the real extraction engine has not landed yet"
)
def test_real_engine_on_generated_pdfs(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=2, n_figures=2)
    summary = build_corpus(
        pdfs, tmp_path / "out", CorpusConfig(extractor=default_extractor(), workers=2)
    )
    df = read_manifest(tmp_path / "out")
    assert summary.pdfs_ok == 2 and summary.pdfs_error == 0
    whole = df[df["panel"].isna()]
    assert sorted(whole["figure_label"]) == ["Figure 1", "Figure 1", "Figure 2", "Figure 2"]
    assert whole["caption"].str.contains("MRI|CT|radiograph|Histology|angiography").all()


@pytest.mark.skipif(
    default_extractor() == FAKE, reason="the real extraction engine has not landed yet"
)
def test_uncaptioned_figures_and_tables_counted(tmp_path: Path) -> None:
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    make_counts_pdf(pdfs / "counts.pdf")
    make_pdf(pdfs / "plain.pdf", seed=3, n_figures=2)
    summary = build_corpus(pdfs, tmp_path / "out", CorpusConfig(executor="serial"))
    assert (summary.uncaptioned, summary.tables) == (1, 1)
    status = {
        s["name"]: s
        for s in map(json.loads, (tmp_path / "out" / "pdf_status.jsonl").read_text().splitlines())
    }
    assert (status["counts.pdf"]["figures"], status["counts.pdf"]["uncaptioned"]) == (1, 1)
    assert status["counts.pdf"]["tables"] == 1
    assert (status["plain.pdf"]["uncaptioned"], status["plain.pdf"]["tables"]) == (0, 0)
    sheet = (tmp_path / "out" / "datasheet.md").read_text()
    assert "- figures without captions (kept out, counted): 1" in sheet
    assert "- table captions (tables kept apart): 1" in sheet


def test_extractors_without_info_still_work(tmp_path: Path) -> None:
    from litclip.corpus.worker import accepts_info
    from tests.corpus.corpus_fixtures import fake_iter_figures

    assert not accepts_info(fake_iter_figures)
    assert accepts_info(lambda path, **kw: iter(()))
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    build_corpus(pdfs, tmp_path / "out", CorpusConfig(extractor=FAKE, executor="serial"))
    (line,) = (tmp_path / "out" / "pdf_status.jsonl").read_text().splitlines()
    assert json.loads(line)["uncaptioned"] == 0 and json.loads(line)["status"] == "ok"


def test_corpus_workers_never_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, litclip.corpus, litclip.corpus.worker, litclip.corpus.executors; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_modality_with_a_real_litclip_model(tmp_path: Path) -> None:
    from litclip.corpus.modality import DEFAULT_PROMPTS, score_modality
    from tests.corpus.corpus_fixtures import photo

    paths = []
    for i in range(3):
        photo(i).save(tmp_path / f"{i}.png")
        paths.append(tmp_path / f"{i}.png")
    labels, scores = score_modality(paths, "litclip-micro")
    assert len(labels) == 3 and set(labels) <= set(DEFAULT_PROMPTS)
    assert ((scores > 1 / len(DEFAULT_PROMPTS) - 1e-6) & (scores <= 1)).all()  # argmax of a softmax


@pytest.mark.shared_data
def test_real_pdfs_kinds_and_extraction(real_pdfs_dir: Path, tmp_path: Path) -> None:
    if default_extractor() == FAKE:
        pytest.skip("the real extraction engine has not landed yet")
    summary = build_corpus(real_pdfs_dir, tmp_path / "c", CorpusConfig(workers=2))
    assert summary.pdfs_ok == 4 and summary.pdfs_error == 0
    df = read_manifest(tmp_path / "c")
    whole = df[df["panel"].isna()]
    kinds = whole.groupby("pdf_name")["kind"].agg(lambda k: sorted(set(k))).to_dict()
    # Hand-checked: X-rays/photos, photo plates, vector line charts, vector flow charts.
    assert kinds == {
        "hindawi_PMC4739223.pdf": ["image"],
        "plosone_0115884.pdf": ["image"],
        "tandf_ijn_2016_1185421.pdf": ["chart"],
        "bmcmed_s12916-014-0161-y.pdf": ["diagram"],
    }
    # The tandf charts share one template: pHash twins, but not duplicates.
    assert not any("duplicate" in r for r in df["qc_reasons"])
    # Single-raster figures keep their native bytes.
    assert (
        whole.loc[whole["pdf_name"] == "hindawi_PMC4739223.pdf", "native_filepath"]
        .map(lambda fp: (tmp_path / "c" / fp).is_file())
        .all()
    )
    from litclip.corpus.evaluate import evaluate_corpus

    metrics = evaluate_corpus(tmp_path / "c", real_pdfs_dir / "ground_truth.json")
    assert metrics["figure_recall"] >= 0.95 and metrics["figure_precision"] >= 0.95


def test_bad_executor_options_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    pdfs = make_corpus(tmp_path / "pdfs", n=1, n_figures=1)
    with pytest.raises(LitclipError, match="unknown executor 'threads'"):
        build_corpus(pdfs, tmp_path / "a", CorpusConfig(executor="threads"))
    with pytest.raises(LitclipError, match="is for --executor dask"):
        build_corpus(pdfs, tmp_path / "b", CorpusConfig(scheduler="tcp://host:8786"))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_template_twins_of_one_article_stay_while_copies_across_articles_go(
    tmp_path: Path,
) -> None:
    """An article's series of figures in one template (the same chart over other data) were
    dropped as duplicates of each other. Within one PDF only one picture placed twice is a
    duplicate; across PDFs, where a near-copy would leak from training to test, looking
    alike still is."""
    from litclip.corpus.pipeline import apply_qc
    from litclip.corpus.qc import QcConfig, image_stats
    from tests.corpus.test_qc import _series

    twins = {"a1": _series(0), "a2": _series(25), "a3": _series(0), "b1": _series(25)}
    rows = []
    for i, (key, img) in enumerate(twins.items()):
        img.save(tmp_path / f"{key}.png")
        pdf = key[0]
        rows.append(
            {**image_stats(img), "pair_id": key, "parent_id": None, "filepath": f"{key}.png",
             "pdf_name": f"{pdf}.pdf", "pdf_sha256": pdf * 64, "page": i + 1, "kind": "chart",
             "caption": f"Figure {i + 1}. Yields with a forecast to 2006.", "panel": None,
             "bbox": [72, 100, 472, 400], "page_size": [612, 792]}
        )  # fmt: skip
    df = apply_qc(pd.DataFrame(rows), QcConfig(), tmp_path).set_index("pair_id")
    assert pd.isna(df.loc["a2", "duplicate_of"])  # a twin of a1 in the same article
    assert df.loc["a3", "duplicate_of"] == "a1"  # a1 placed again
    assert df.loc["b1", "duplicate_of"] in ("a1", "a2")  # another article's near-copy
    assert df.loc["b1", "qc_reasons"] == ["duplicate"]
