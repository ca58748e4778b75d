"""API tests with FastAPI's TestClient: every endpoint, auth, 4xx cases and path traversal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from litclip.serve.app import create_app
from litclip.serve.search import Searcher


@pytest.fixture(scope="module")
def client(searcher: Searcher) -> TestClient:
    return TestClient(
        create_app(searcher=searcher, max_upload_bytes=200_000, max_k=50, max_pixels=1_000_000)
    )


@pytest.fixture(scope="module")
def secured(searcher: Searcher, api_token: str) -> TestClient:
    return TestClient(create_app(searcher=searcher, token=api_token))


def _png(size: tuple[int, int] = (40, 30), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def _first_id(searcher: Searcher) -> str:
    return str(searcher.files.metadata["pair_id"].iloc[0])


def test_health_and_page(client: TestClient) -> None:
    h = client.get("/health")
    assert h.status_code == 200
    body = h.json()
    assert body["status"] == "ok" and body["count"] == 11 and body["auth"] is False
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/static/app.js" in page.text and "Content-Security-Policy" in page.headers
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")  # no CDN assets
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {
        "/search",
        "/search/image",
        "/figures/{pair_id}",
        "/figures/{pair_id}/image",
        "/health",
    } <= set(spec["paths"])


def test_docs_pages_are_served_offline(client: TestClient) -> None:
    """/docs and /redoc load their scripts from files litclip installs, not from a CDN."""
    for path, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = client.get(path)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert f"/docs-assets/{script}" in page.text and "/openapi.json" in page.text
        assert "cdn" not in page.text.lower() and "googleapis" not in page.text
        js = client.get(f"/docs-assets/{script}")
        assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")  # Swagger UI 5 reads it


def test_text_search(client: TestClient) -> None:
    r = client.get("/search", params={"q": "  sagittal   T1 MRI ", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "sagittal T1 MRI" and body["count"] == 5 and body["target"] == "image"
    hit = body["results"][0]
    assert hit["image_url"].startswith("/figures/") and hit["pdf_url"].endswith(
        f"#page={hit['page']}"
    )
    cap = client.get(
        "/search",
        params={
            "q": "Coronal MRI of the knee with a meniscal tear (case 4)",
            "target": "caption",
            "k": 3,
        },
    )
    assert cap.status_code == 200 and cap.json()["results"][0]["caption"].endswith("(case 4)")


def test_figure_routes(client: TestClient, searcher: Searcher, built_index: Path) -> None:
    pid = _first_id(searcher)
    meta = client.get(f"/figures/{pid}")
    assert meta.status_code == 200
    assert meta.json()["page"] == 1 and meta.json()["bbox"] == [10.0, 20.0, 110.0, 220.0]
    img = client.get(f"/figures/{pid}/image")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert img.content == (built_index / searcher.files.metadata["image_path"].iloc[0]).read_bytes()
    pdf = client.get(f"/figures/{pid}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # "Save as" offers the journal's file name (it offered "pdf"); link checkers ask HEAD
    name = searcher.record(pid)["pdf"]
    assert pdf.headers["content-disposition"] == f'inline; filename="{name}"'
    for what in ("image", "pdf"):
        assert client.head(f"/figures/{pid}/{what}").status_code == 200
    sim = client.get(f"/figures/{pid}/similar", params={"k": 4})
    assert sim.status_code == 200 and pid not in [h["pair_id"] for h in sim.json()["results"]]


def test_image_upload(client: TestClient, searcher: Searcher, built_index: Path) -> None:
    data = (built_index / searcher.files.metadata["image_path"].iloc[3]).read_bytes()
    r = client.post("/search/image", params={"k": 2}, files={"file": ("x.png", data, "image/png")})
    assert r.status_code == 200
    assert r.json()["results"][0]["pair_id"] == searcher.files.metadata["pair_id"].iloc[3]
    gray = client.post("/search/image", files={"file": ("g.png", _png(), "image/png")})
    assert gray.status_code == 200 and gray.json()["count"] == 10


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"q": ""}, 400, "empty query"),  # as a blank one (it was pydantic's list)
        ({"q": "   "}, 400, "empty query"),
        ({"q": "x" * 501}, 422, "at most 500"),
        ({"q": "ct", "k": 0}, 422, "greater than or equal to 1"),
        ({"q": "ct", "k": 51}, 422, "less than or equal to 50"),
        ({"q": "ct", "k": "ten"}, 422, "integer"),
        ({"q": "ct", "target": "pdf"}, 422, "image"),
        ({}, 422, "missing"),
    ],
)
def test_bad_queries(client: TestClient, params: dict, status: int, words: str) -> None:
    r = client.get("/search", params=params)
    assert r.status_code == status
    assert words in str(r.json()["detail"])


def _png_header(side: int) -> bytes:
    """A PNG whose header declares ``side`` x ``side`` greyscale pixels (no pixel data)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_bad_uploads(client: TestClient) -> None:
    not_image = client.post("/search/image", files={"file": ("a.png", b"plain text", "image/png")})
    assert not_image.status_code == 415 and "not a readable image" in not_image.json()["detail"]
    empty = client.post("/search/image", files={"file": ("a.png", b"", "image/png")})
    assert empty.status_code == 400
    big = client.post("/search/image", files={"file": ("a.png", b"\0" * 300_000, "image/png")})
    assert big.status_code == 413 and "limit is 200.0 KB" in big.json()["detail"]
    huge_pixels = client.post(
        "/search/image", files={"file": ("a.png", _png((1200, 1000)), "image/png")}
    )
    assert huge_pixels.status_code == 413 and "pixels" in huge_pixels.json()["detail"]
    # a header declaring 40000 x 40000 pixels: PIL refuses it at open, still "too large"
    bomb = client.post("/search/image", files={"file": ("a.png", _png_header(40000), "image/png")})
    assert bomb.status_code == 413 and bomb.json()["detail"].startswith(
        "image too large: 1600000000 pixels, the limit is"  # the server's limit alone
    )
    # over the limit by less than the body check's room for the form: the file is capped
    # all the same (a 58 KB image passed a 1000-byte limit)
    near = client.post("/search/image", files={"file": ("a.png", b"\0" * 200_001, "image/png")})
    assert near.status_code == 413
    assert "200,001 bytes; the limit is 200,000 bytes" in near.json()["detail"]
    missing = client.post("/search/image")
    assert missing.status_code == 422
    bad_k = client.post(
        "/search/image", params={"k": 999}, files={"file": ("a.png", _png(), "image/png")}
    )
    assert bad_k.status_code == 422


@pytest.mark.parametrize("suffix", ["", "/image", "/pdf", "/similar"])
def test_unknown_ids(client: TestClient, suffix: str) -> None:
    r = client.get(f"/figures/does-not-exist{suffix}")
    assert r.status_code == 404 and "no figure with id" in r.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/figures/..%2F..%2F..%2Fetc%2Fpasswd/image",
        "/figures/%2E%2E/image",
        "/figures/..%5C..%5Cindex.json/image",
        "/static/../index.json",
        "/static/%2E%2E/%2E%2E/serve/index.py",
        "/static/..%2F..%2Fio.py",
        "/images/x.png",
        "/index.json",
        "/metadata.parquet",
    ],
)
def test_path_traversal(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 400, 405)
    assert b"import" not in r.content and b"root:" not in r.content


def test_token(secured: TestClient, searcher: Searcher, api_token: str) -> None:
    pid = _first_id(searcher)
    for path in ("/health", "/search?q=ct", f"/figures/{pid}/image", "/openapi.json", "/docs"):
        r = secured.get(path)
        assert r.status_code == 401, path
        assert "API token" in r.json()["detail"]
    # the page shell holds no data: it loads without a token and asks for one
    assert secured.get("/").status_code == secured.get("/static/app.js").status_code == 200
    assert secured.get("/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert secured.get("/health", headers={"X-API-Token": api_token + "x"}).status_code == 401
    assert (
        secured.post("/search/image", files={"file": ("a.png", _png(), "image/png")}).status_code
        == 401
    )
    assert (
        secured.get("/health", headers={"Authorization": f"Bearer {api_token}"}).status_code == 200
    )
    assert secured.get("/health", headers={"X-API-Token": api_token}).status_code == 200
    # a browser opens /?token=... once; the HttpOnly cookie then covers images and fetches
    browser = TestClient(secured.app)
    first = browser.get("/", params={"token": api_token})
    assert first.status_code == 200 and "httponly" in first.headers["set-cookie"].lower()
    assert browser.get(f"/figures/{pid}/image").status_code == 200


def test_cors_off_by_default_and_configurable(client: TestClient, searcher: Searcher) -> None:
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    cors = TestClient(create_app(searcher=searcher, cors_origins=["https://ok.example"], token="t"))
    pre = cors.options(
        "/search", headers={"Origin": "https://ok.example", "Access-Control-Request-Method": "GET"}
    )
    assert (
        pre.status_code == 200
        and pre.headers["access-control-allow-origin"] == "https://ok.example"
    )
    bad = cors.options(
        "/search",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert bad.headers.get("access-control-allow-origin") != "https://evil.example"


def test_no_endpoint_writes(client: TestClient, searcher: Searcher, built_index: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in built_index.rglob("*")}
    client.get("/search", params={"q": "mri"})
    client.post("/search/image", files={"file": ("a.png", _png(), "image/png")})
    client.get(f"/figures/{_first_id(searcher)}/similar")
    assert {p: p.stat().st_mtime_ns for p in built_index.rglob("*")} == before
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)("/search").status_code == 405


def test_pdf_links_name_a_whole_page() -> None:
    from litclip.serve.app import _figure

    assert _figure({"pair_id": "a b", "page": 7.0, "has_pdf": True})["pdf_url"] == (
        "/figures/a%20b/pdf#page=7"
    )


def test_the_query_token_is_blanked_in_the_access_log() -> None:
    """uvicorn logged "GET /search?q=x&token=s3cret": the secret kept in plain text."""
    import logging
    from logging.config import dictConfig

    from litclip.serve.app import access_log_config

    dictConfig(access_log_config())
    (handler,) = logging.getLogger("uvicorn.access").handlers
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/search?q=x&token=s3cret&k=1", "1.1", 200), None,
    )  # fmt: skip
    assert all(f.filter(record) for f in handler.filters)
    assert record.getMessage() == '127.0.0.1:5 - "GET /search?q=x&token=***&k=1 HTTP/1.1" 200'


def test_a_limit_below_one_byte_is_refused(searcher: Searcher) -> None:
    """A negative --max-upload-bytes let every upload through."""
    from litclip.errors import LitclipError

    with pytest.raises(LitclipError, match="--max-upload-bytes must be >= 1"):
        create_app(searcher=searcher, max_upload_bytes=-5)


def test_a_pdf_copy_gone_from_the_index_is_said_so(built_index: Path, tmp_path: Path) -> None:
    """The 404 said the PDF 'was not recorded (build the index with --pdf-dir)' when the
    index had recorded it and its copy had been deleted."""
    import shutil

    copy = tmp_path / "ix"
    shutil.copytree(built_index, copy)
    shutil.rmtree(copy / "pdfs")
    searcher = Searcher(copy)
    r = TestClient(create_app(searcher=searcher)).get(f"/figures/{_first_id(searcher)}/pdf")
    assert r.status_code == 404 and "is missing from the index folder" in r.json()["detail"]


def test_upload_limit_is_said_in_sizes_people_read() -> None:
    """The page showed "upload too large: 25000000 bytes, the limit is 20000000 bytes"."""
    from litclip.serve.app import too_large

    said = too_large(25_000_000, 20_000_000)
    assert said.startswith("upload too large: 25.0 MB; the limit is 20.0 MB (")
    assert "--max-upload-bytes 20000000" in said
    assert too_large(None, 512).startswith("upload too large; the limit is 512 bytes")
    assert "2,000,001 bytes; the limit is 2,000,000 bytes" in too_large(2_000_001, 2_000_000)
