"""``litclip index`` / ``litclip serve`` through the CLI's ``main(argv)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from litclip.cli import main
from litclip.errors import LitclipError
from litclip.serve.index import load_index


def _text(out: str) -> str:
    return " ".join(out.split())  # rich wraps long lines


def test_index_command_builds_and_updates(tmp_path: Path, corpus_factory, capsys) -> None:
    corpus = corpus_factory(tmp_path / "c", n=5)
    out = tmp_path / "index"
    assert (
        main(["index", "--model", "litclip-micro", "--corpus", str(corpus), "--out", str(out)]) == 0
    )
    assert "5 figures (+5 new" in _text(capsys.readouterr().out)
    corpus_factory(corpus, n=2, start=5)
    assert (
        main(["index", "--model", "litclip-micro", "--corpus", str(corpus), "--out", str(out)]) == 0
    )
    assert "7 figures (+2 new" in _text(capsys.readouterr().out)
    assert load_index(out).info["model_in_index"]


def test_cli_errors_are_clear(tmp_path: Path, capsys) -> None:
    assert (
        main(
            [
                "index",
                "--model",
                "litclip-micro",
                "--corpus",
                str(tmp_path / "none"),
                "--out",
                str(tmp_path / "i"),
            ]
        )
        == 2
    )
    assert "does not exist" in _text(capsys.readouterr().err)
    assert main(["serve", str(tmp_path)]) == 2
    assert "not a litclip index" in _text(capsys.readouterr().err)
    assert main(["serve", str(tmp_path / "nope")]) == 2  # a typo is not "not an index"
    assert "nope does not exist: give the --out of `litclip index`" in _text(
        capsys.readouterr().err
    )


def test_serve_passes_options_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, built_index: Path
) -> None:
    import uvicorn

    seen = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, host=host, port=port)
    )
    monkeypatch.setenv("LITCLIP_API_TOKEN", "from-env")
    assert main(["serve", str(built_index), "--port", "8123"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123  # loopback by default
    from fastapi.testclient import TestClient

    client = TestClient(seen["app"])
    assert client.get("/health").status_code == 401
    assert client.get("/health", headers={"X-API-Token": "from-env"}).status_code == 200


def test_serve_announces_only_what_it_can_serve(
    monkeypatch: pytest.MonkeyPatch, built_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An index whose model folder moved printed 'serving ...' and then failed."""
    import uvicorn

    import litclip.serve.app as app_mod
    from litclip.errors import LitclipError

    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: None)

    def broken(*args: object, **kwargs: object) -> None:
        raise LitclipError("model directory '/moved/ft_model' does not exist")

    monkeypatch.setattr(app_mod, "create_app", broken)
    assert main(["serve", str(built_index), "--port", "8124"]) == 2
    err = _text(capsys.readouterr().err)
    assert "does not exist" in err and "serving" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--batch-size", "0"),
        ("--batch-size", "-5"),
        ("--target-recall", "2"),
        ("--target-recall", "0"),
        ("--flat-max", "-1"),
    ],
)
def test_index_options_are_checked_before_the_folder(
    tmp_path: Path, corpus_factory, capsys, option: str, value: str
) -> None:
    """--batch-size 0 failed inside torch after making the folder (pending/, images/, model/)."""
    corpus = corpus_factory(tmp_path / "c", n=2)
    out = tmp_path / "index"
    argv = ["index", "--model", "litclip-micro", "--corpus", str(corpus), "--out", str(out)]
    assert main([*argv, option, value]) == 2
    assert option in _text(capsys.readouterr().err) and not out.exists()


def test_a_failed_index_run_leaves_no_folder(tmp_path: Path, corpus_factory, capsys) -> None:
    from litclip.serve.index import build_index

    corpus = corpus_factory(tmp_path / "c", n=2)
    out = tmp_path / "index"
    with pytest.raises(LitclipError, match="batch_size"):
        build_index("litclip-micro", corpus, out, batch_size=0, progress=False)
    argv = ["index", "--model", "no-such-model", "--corpus", str(corpus), "--out", str(out)]
    assert main(argv) == 2
    assert "no-such-model" in _text(capsys.readouterr().err) and not out.exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--threads", "-2"), ("--threads", "0"), ("--max-k", "0"), ("--max-upload-bytes", "-5")],
)
def test_serve_options_are_checked(
    monkeypatch: pytest.MonkeyPatch, built_index: Path, capsys, option: str, value: str
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: None)
    assert main(["serve", str(built_index), "--port", "8125", option, value]) == 2
    assert option in _text(capsys.readouterr().err)


def test_a_malformed_index_json_is_one_line(tmp_path: Path, built_index: Path, capsys) -> None:
    import shutil

    damaged = tmp_path / "index"
    shutil.copytree(built_index, damaged)
    for content in ("{not json", "[]", '{"format": 1}'):
        (damaged / "index.json").write_text(content)
        with pytest.raises(LitclipError, match="index.json"):
            load_index(damaged)
        assert main(["serve", str(damaged), "--port", "8126"]) == 2
        err = capsys.readouterr().err
        assert "index.json" in err and "Traceback" not in err


def test_serve_api_checks_threads_and_max_k(searcher) -> None:
    """serve(torch_threads=-2) reached torch.set_num_threads (RuntimeError); max_k=0 was kept."""
    from litclip.serve.app import create_app, serve

    with pytest.raises(LitclipError, match="torch_threads"):
        serve("unused", torch_threads=-2)
    with pytest.raises(LitclipError, match="max_k"):
        create_app(searcher=searcher, max_k=0)


def test_port_0_announces_the_port_it_serves_on(
    monkeypatch: pytest.MonkeyPatch, built_index: Path, capsys
) -> None:
    """`serve --port 0` announced http://127.0.0.1:0/, an address that does not work."""
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(port=port))
    assert main(["serve", str(built_index), "--port", "0"]) == 0
    assert seen["port"] > 0 and f"http://127.0.0.1:{seen['port']}/" in capsys.readouterr().err


def test_a_token_a_header_cannot_carry_is_refused(
    monkeypatch: pytest.MonkeyPatch, built_index: Path, capsys
) -> None:
    """A non-ASCII token was accepted, and every API client was refused (401) after."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: None)  # never serves
    assert main(["serve", str(built_index), "--port", "8127", "--token", "s3cr:et/ü"]) == 2
    assert "must be ASCII" in _text(capsys.readouterr().err)


def test_an_index_of_nothing_is_refused(tmp_path: Path, corpus_factory, capsys) -> None:
    """A corpus whose pairs all failed QC made an empty index, exit 0: serve then answered
    every query with nothing; a manifest file given as --corpus 'did not exist'."""
    import pandas as pd

    corpus = corpus_factory(tmp_path / "c", n=3)
    manifest = pd.read_parquet(corpus / "manifest.parquet").assign(qc_pass=False)
    manifest.to_parquet(corpus / "manifest.parquet")
    argv = ["index", "--model", "litclip-micro", "--corpus", str(corpus), "--out"]
    assert main([*argv, str(tmp_path / "i")]) == 1
    err = _text(capsys.readouterr().err)
    assert "none of its 3 pairs passed QC (--include-failed indexes them)" in err
    assert not (tmp_path / "i").exists()
    assert main([*argv, str(tmp_path / "i"), "--include-failed"]) == 0
    capsys.readouterr()
    argv[4] = str(corpus / "manifest.parquet")
    assert main([*argv, str(tmp_path / "j")]) == 2
    assert "is a file, not a corpus directory" in _text(capsys.readouterr().err)


def test_a_host_that_is_no_address_of_this_machine_names_host(built_index: Path, capsys) -> None:
    """It said 'choose another --port' for a --host of 999.1.1.1."""
    assert main(["serve", str(built_index), "--host", "999.1.1.1", "--port", "8126"]) == 2
    err = _text(capsys.readouterr().err)
    assert "check --host" in err and "another --port" not in err


def test_an_index_holding_a_stray_file_is_named_an_index(built_index: Path, tmp_path: Path) -> None:
    """An index with a report written into it was 'not a litclip index'; a log is no stray."""
    import shutil

    from litclip.serve.index import build_index

    copy = tmp_path / "ix"
    shutil.copytree(built_index, copy)
    (copy / "index.log").write_text("x")
    (copy / "report.html").write_text("x")
    with pytest.raises(
        LitclipError, match=r"is a litclip index that also holds other files \(report.html\)"
    ):
        build_index("litclip-micro", tmp_path / "corpus", copy, progress=False)
