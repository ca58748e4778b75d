"""``litclip index`` and ``litclip serve``: build a figure search index and serve it over HTTP."""

from __future__ import annotations

import errno
from pathlib import Path

import typer

from litclip.console import new_console
from litclip.errors import LitclipError


def _recall(value: float) -> float:
    if not 0 < value <= 1:
        raise typer.BadParameter(f"{value:g} is not a recall: use a value in (0, 1]")
    return value


def index_cmd(
    model: str = typer.Option(
        ..., "--model", help="Model spec or model dir (e.g. runs/x/model, litclip-tiny)."
    ),
    corpus: Path = typer.Option(..., "--corpus", help="Corpus directory (with manifest.parquet)."),
    out: Path = typer.Option(
        ..., "--out", help="Index directory (created, or updated incrementally)."
    ),
    index_type: str = typer.Option("auto", "--index-type", help="auto | flat | ivf | hnsw."),
    target_recall: float = typer.Option(
        0.95, callback=_recall, help="recall@10 the approximate index is tuned to reach (0..1]."
    ),
    flat_max: int = typer.Option(
        20_000, min=0, help="Largest corpus searched exactly when --index-type auto."
    ),
    pdf_dir: Path | None = typer.Option(
        None, "--pdf-dir", help="Folder with the source PDFs (links to pages)."
    ),
    include_failed: bool = typer.Option(
        False, help="Also index pairs that failed quality control."
    ),
    rebuild: bool = typer.Option(False, help="Re-embed everything (after changing the model)."),
    batch_size: int = typer.Option(64, min=1, help="Images/texts per forward pass."),
    device: str = typer.Option("cpu", help="Torch device."),
) -> None:
    """Embed a corpus's figures and captions and write a FAISS search index (incremental)."""
    from litclip.serve.index import IndexParams, build_index, load_index

    if corpus.is_file():
        raise LitclipError(
            f"--corpus {corpus} is a file, not a corpus directory: give the folder that holds "
            "manifest.parquet and images/"
        )
    if not corpus.is_dir():
        raise LitclipError(
            f"corpus directory {corpus} does not exist: build it with `litclip corpus build`"
        )
    params = IndexParams(flat_max=flat_max, target_recall=target_recall)
    path = build_index(
        model,
        corpus,
        out,
        batch_size=batch_size,
        index_type=index_type,
        params=params,
        include_failed=include_failed,
        pdf_dir=pdf_dir,
        rebuild=rebuild,
        device=device,
    )
    info = load_index(path).info
    upd = info["last_update"]
    idx = info["indexes"]["image"]
    console = new_console()
    console.print(
        f"[green]index[/] {path}: {info['count']} figures (+{upd['added']} new, -{upd['removed']} removed), "
        f"FAISS {idx['factory']}" + (f", nprobe {idx['nprobe']}" if "nprobe" in idx else "")
    )
    if upd.get("other_corpora"):
        console.print(
            f"[yellow]note:[/] {upd['other_corpora']} of them come from other corpora indexed "
            f"here before ({', '.join(c for c in info['corpora'] if c != str(corpus.resolve()))}); "
            "pass --rebuild to index this corpus alone"
        )
    if "with_pdf" in upd and upd["with_pdf"] < info["count"]:
        console.print(
            f"[yellow]note:[/] {info['count'] - upd['with_pdf']} figure(s) link to no PDF page: "
            "their PDFs were not found (pass --pdf-dir FOLDER)"
        )


def _check_port_free(host: str, port: int) -> int:
    """Say a port is taken before announcing the server (uvicorn would fail after); returns
    the port, the system's choice of a free one for 0 (the address announced must work)."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror as exc:  # a name or address that is none of this machine's
            raise LitclipError(
                f"cannot listen on {host}:{port} ({exc.strerror}); check --host (an address "
                "of this machine: 127.0.0.1, 0.0.0.0 for all, or its name)"
            ) from exc
        except OSError as exc:
            fix = "check --host" if exc.errno == errno.EADDRNOTAVAIL else "choose another --port"
            raise LitclipError(f"cannot listen on {host}:{port} ({exc.strerror}); {fix}") from exc
        return int(sock.getsockname()[1])


def serve_cmd(
    index_dir: Path = typer.Argument(
        ..., metavar="INDEX_DIR", help="Index directory written by `litclip index`."
    ),
    host: str = typer.Option(
        "127.0.0.1", help="Interface to bind (0.0.0.0 exposes it to the network)."
    ),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port."),
    token: str | None = typer.Option(
        None,
        envvar="LITCLIP_API_TOKEN",
        help="API token required on every request for data; the search page loads without it and asks for it (env LITCLIP_API_TOKEN).",
    ),
    cors_origin: list[str] | None = typer.Option(
        None, "--cors-origin", metavar="ORIGIN", help="Allow this origin cross-site (repeat)."
    ),
    max_upload_bytes: int = typer.Option(
        10 * 1024 * 1024, min=1, help="Largest image upload accepted (bytes)."
    ),
    max_k: int = typer.Option(100, min=1, help="Largest number of results per query."),
    threads: int | None = typer.Option(
        None, min=1, help="Torch threads for query embedding (1 suits busy machines)."
    ),
) -> None:
    """Serve an index: search API, OpenAPI spec (/openapi.json) with Swagger UI (/docs) and ReDoc (/redoc), offline, and a web page (/)."""
    from litclip.serve.app import serve

    if not index_dir.exists():
        raise LitclipError(f"{index_dir} does not exist: give the --out of `litclip index`")
    if not (index_dir / "index.json").is_file():
        raise LitclipError(f"{index_dir} is not a litclip index: build one with `litclip index`")
    if token is not None and not token.isascii():  # headers travel as latin-1 bytes
        raise LitclipError(
            "--token (or LITCLIP_API_TOKEN) must be ASCII: a header can never carry other "
            "characters as typed, so every API client would be refused"
        )
    port = _check_port_free(host, port)
    serve(
        index_dir,
        host,
        port,
        token,
        on_ready=lambda: new_console(stderr=True).print(
            f"serving {index_dir} on http://{host}:{port}/" + (" (token required)" if token else "")
        ),
        torch_threads=threads,
        cors_origins=cors_origin or None,
        max_upload_bytes=max_upload_bytes,
        max_k=max_k,
    )


def register(app: typer.Typer) -> None:
    """Add ``index`` and ``serve`` to the root CLI."""
    app.command("index", short_help="Build a FAISS search index over a corpus.")(index_cmd)
    app.command("serve", short_help="Serve an index: search API and web page.")(serve_cmd)
