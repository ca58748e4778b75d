"""The search service: a read-only FastAPI app over an index directory, and its web page.

Safe by default: :func:`serve` binds 127.0.0.1; when a token is set every request needs it
(``Authorization: Bearer TOKEN``, ``X-API-Token: TOKEN``, or the ``litclip_token`` cookie that
a browser gets by opening ``/?token=TOKEN`` once), else 401, except the page shell (``/`` and
``/static/``, no data) that then asks for the token; CORS is off unless origins are
given; nothing is ever written; images and PDFs are served only from files the index recorded
inside its own folder. Bad input gets a 4xx with a message saying what was wrong.
"""

from __future__ import annotations

import hmac
import io
import logging
import os
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from litclip import __version__
from litclip.data import to_rgb
from litclip.errors import LitclipError
from litclip.serve.search import Searcher

TOKEN_ENV = "LITCLIP_API_TOKEN"
TOKEN_COOKIE = "litclip_token"
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
UPLOAD_PATH = "/search/image"
_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "object-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class ErrorBody(BaseModel):
    """An error: ``detail`` says what was wrong and how to fix it."""

    detail: str


class Figure(BaseModel):
    """An indexed figure (or panel) with links to its image and source PDF page."""

    pair_id: str
    caption: str
    figure_label: str | None = None
    panel: str | None = None
    parent_id: str | None = None
    pdf: str | None = None
    pdf_sha256: str | None = None
    page: int | None = None
    bbox: list[float] | None = None
    width: int | None = None
    height: int | None = None
    kind: str | None = None
    has_pdf: bool = False
    image_url: str
    pdf_url: str | None = None


class Hit(Figure):
    """A search result: a figure with its similarity (cosine) and rank."""

    score: float
    rank: int


class SearchResponse(BaseModel):
    """Results of a search, best first."""

    query: str | None = None
    k: int
    target: str
    count: int
    took_ms: float
    results: list[Hit]


class Health(BaseModel):
    """Service status."""

    status: str
    version: str
    count: int
    model: str
    embed_dim: int
    indexes: dict[str, str]
    auth: bool
    max_k: int
    text_batches: dict[str, float] = {}


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 413, 415)
}


def _figure(rec: dict[str, Any]) -> dict[str, Any]:
    pid = quote(str(rec["pair_id"]), safe="")
    out = dict(rec)
    out["image_url"] = f"/figures/{pid}/image"
    page = f"#page={int(rec['page'])}" if rec.get("page") else ""  # metadata may hold 7.0
    out["pdf_url"] = f"/figures/{pid}/pdf{page}" if rec.get("has_pdf") else None
    return out


def _token_ok(request: Request, token: str) -> tuple[bool, bool]:
    """(authorised, came from the ``?token=`` query) for ``request``."""
    auth = request.headers.get("authorization", "")
    offered = [
        auth[7:].strip() if auth.lower().startswith("bearer ") else "",
        request.headers.get("x-api-token", ""),
        request.cookies.get(TOKEN_COOKIE, ""),
    ]
    if any(o and hmac.compare_digest(o.encode(), token.encode()) for o in offered):
        return True, False
    query = request.query_params.get("token", "")
    ok = bool(query) and hmac.compare_digest(query.encode(), token.encode())
    return ok, ok


def _install_auth(app: FastAPI, token: str) -> None:
    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Response:
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            return await call_next(request)  # CORS preflight never carries credentials
        ok, via_query = _token_ok(request, token)
        # the page and its scripts hold no data: without a token they load and ask for one
        shell = request.method == "GET" and (
            request.url.path == "/" or request.url.path.startswith("/static/")
        )
        if not ok and shell:
            return await call_next(request)
        if not ok:
            return JSONResponse(
                {
                    "detail": "missing or wrong API token: send 'Authorization: Bearer <token>' or "
                    "'X-API-Token: <token>'; in a browser open /?token=<token> once"
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        response = await call_next(request)
        if via_query:  # let the web page's images, links and fetches work from now on
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response


def _readable_size(n: int, digits: int = 1) -> str:
    for unit, size in (("MB", 1_000_000), ("KB", 1000)):  # as the option is set, in 10s
        if n >= size:
            return f"{n / size:.{digits}f} {unit}"
    return f"{n} bytes"


def too_large(size: int | None, limit: int) -> str:
    """The 413 message, read by people on the search page: sizes in KB/MB, in bytes where
    those round alike (200,001 against 200,000), and the option that sets the limit."""
    if size is not None and _readable_size(size) == _readable_size(limit):
        said, cap = f"{size:,} bytes", f"{limit:,} bytes"
    else:
        said, cap = (_readable_size(size) if size is not None else ""), _readable_size(limit)
    return (
        f"upload too large{': ' + said if said else ''}; the limit is {cap} "
        f"(the server's --max-upload-bytes {limit})"
    )


def _install_body_limit(app: FastAPI, limit: int) -> None:
    """Reject uploads over ``limit`` bytes before any parsing (buffered in memory, never disk)."""

    @app.middleware("http")
    async def body_limit(request: Request, call_next: Any) -> Response:
        if request.url.path != UPLOAD_PATH or request.method != "POST":
            return await call_next(request)
        slack = 64 * 1024  # multipart boundaries and headers around the file
        too_big = JSONResponse({"detail": too_large(None, limit)}, status_code=413)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + slack:
            return too_big
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit + slack:
                return too_big
        request._body = bytes(body)  # starlette re-reads the cached body when parsing the form
        return await call_next(request)


def _install_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.url.path not in ("/docs", "/redoc"):  # both start from an inline script
            response.headers.setdefault("Content-Security-Policy", _CSP)
        return response


def _read_image(data: bytes, max_pixels: int) -> Any:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise HTTPException(400, "empty upload: attach an image file in the 'file' field")
    try:
        img = Image.open(io.BytesIO(data))
        w, h = img.size
        if w * h > max_pixels:
            raise HTTPException(413, f"image too large: {w}x{h} pixels, the limit is {max_pixels}")
        img.load()
        return to_rgb(img)
    except HTTPException:
        raise
    except Image.DecompressionBombError as exc:  # PIL refuses it at open: too large, not bad
        # said as above: PIL's own text quotes its limit, not the server's
        n = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{n.group(1)} pixels" if n else "over PIL's decompression-bomb limit"
        raise HTTPException(413, f"image too large: {size}, the limit is {max_pixels}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise HTTPException(
            415,
            f"the upload is not a readable image ({type(exc).__name__}); send PNG, JPEG, TIFF or WebP",
        ) from exc


def _clean_query(q: str) -> str:
    text = " ".join(q.split())
    if not text:
        raise HTTPException(400, "empty query: type a description, e.g. 'axial CT of the chest'")
    return text


def _add_search_routes(app: FastAPI, searcher: Searcher, max_k: int, max_query: int) -> None:
    k_param = Query(10, ge=1, le=max_k, description=f"number of results (1..{max_k})")

    def respond(query: str | None, k: int, target: str, hits: list, t0: float) -> dict[str, Any]:
        took = round((time.perf_counter() - t0) * 1000, 2)
        results = [_figure(h) for h in hits]
        return {
            "query": query,
            "k": k,
            "target": target,
            "count": len(results),
            "took_ms": took,
            "results": results,
        }

    @app.get("/search", response_model=SearchResponse, responses=_ERRORS, tags=["search"])
    def search(
        # an empty q gets the sentence a blank one gets (it got pydantic's list, a 422)
        q: str = Query(..., max_length=max_query, description="free-text description"),
        k: int = k_param,
        target: Literal["image", "caption"] = Query(
            "image", description="match figure images (CLIP) or captions"
        ),
    ) -> dict[str, Any]:
        """Text -> figure search."""
        t0 = time.perf_counter()
        text = _clean_query(q)
        return respond(text, k, target, searcher.search_text(text, k, target), t0)

    @app.post(UPLOAD_PATH, response_model=SearchResponse, responses=_ERRORS, tags=["search"])
    def search_image(
        file: UploadFile = File(..., description="an image (PNG, JPEG, ...)"),
        k: int = k_param,
    ) -> dict[str, Any]:
        """Figure -> figure search with an uploaded image."""
        t0 = time.perf_counter()
        data = file.file.read()
        limit = app.state.max_upload_bytes
        if len(data) > limit:  # the body check leaves room for the form's own bytes
            raise HTTPException(413, too_large(len(data), limit))
        img = _read_image(data, app.state.max_pixels)
        return respond(None, k, "image", searcher.search_image(img, k), t0)

    @app.get(
        "/figures/{pair_id}/similar",
        response_model=SearchResponse,
        responses=_ERRORS,
        tags=["search"],
    )
    def similar(pair_id: str = PathParam(..., max_length=512), k: int = k_param) -> dict[str, Any]:
        """ "More like this": figures most similar to an indexed figure (itself excluded)."""
        t0 = time.perf_counter()
        _known(searcher, pair_id)
        return respond(None, k, "image", searcher.similar_to(pair_id, k), t0)


def _known(searcher: Searcher, pair_id: str) -> dict[str, Any]:
    rec = searcher.record(pair_id)
    if rec is None:
        raise HTTPException(404, f"no figure with id '{pair_id[:200]}' in this index")
    return rec


def _add_figure_routes(app: FastAPI, searcher: Searcher) -> None:
    @app.get("/figures/{pair_id}", response_model=Figure, responses=_ERRORS, tags=["figures"])
    def figure(pair_id: str = PathParam(..., max_length=512)) -> dict[str, Any]:
        """A figure's metadata: caption, source PDF, page, bbox, panel."""
        return _figure(_known(searcher, pair_id))

    @app.get(
        "/figures/{pair_id}/image", response_class=FileResponse, responses=_ERRORS, tags=["figures"]
    )
    def figure_image(pair_id: str = PathParam(..., max_length=512)) -> FileResponse:
        """The figure's image file."""
        _known(searcher, pair_id)
        path = searcher.image_file(pair_id)
        if path is None:
            raise HTTPException(
                404, f"the image of figure '{pair_id[:200]}' is missing from the index folder"
            )
        return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})

    @app.get(
        "/figures/{pair_id}/pdf", response_class=FileResponse, responses=_ERRORS, tags=["figures"]
    )
    def figure_pdf(pair_id: str = PathParam(..., max_length=512)) -> FileResponse:
        """The figure's source PDF (append ``#page=N`` to open its page), when the index holds it."""
        rec = _known(searcher, pair_id)
        path = searcher.pdf_file(pair_id)
        if path is None:
            raise HTTPException(
                404,
                f"the source PDF of '{pair_id[:200]}' is missing from the index folder"
                if searcher.pdf_recorded(pair_id)
                else f"the source PDF of '{pair_id[:200]}' was not recorded (build the index "
                "with --pdf-dir)",
            )
        # named as the journal's file, so a browser's "Save as" does not offer "pdf"
        name = Path(str(rec.get("pdf") or path.name)).name
        return FileResponse(
            path, media_type="application/pdf", filename=name, content_disposition_type="inline"
        )

    # HEAD too (link checkers and download managers ask it before GET), kept out of the spec
    for path, endpoint in (
        ("/figures/{pair_id}/image", figure_image),
        ("/figures/{pair_id}/pdf", figure_pdf),
    ):
        app.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)


def _batch_stats(sizes: list[int]) -> dict[str, float]:
    """How the micro-batcher grouped recent text queries (last 1000 batches)."""
    if not sizes:
        return {"batches": 0}
    return {
        "batches": len(sizes),
        "mean_size": round(sum(sizes) / len(sizes), 2),
        "max_size": max(sizes),
    }


def _add_meta_routes(app: FastAPI, searcher: Searcher, auth: bool, max_k: int) -> None:
    static = Path(str(resources.files("litclip.serve") / "static"))

    @app.get("/health", response_model=Health, responses=_ERRORS, tags=["service"])
    def health() -> dict[str, Any]:
        """Service status and what it serves."""
        info = searcher.info
        return {
            "status": "ok",
            "version": __version__,
            "count": len(searcher),
            "model": str(info.get("model_source", info.get("model_spec"))),
            "embed_dim": int(info.get("embed_dim", 0)),
            "indexes": {t: str(v.get("factory")) for t, v in info.get("indexes", {}).items()},
            "auth": auth,
            "max_k": max_k,  # the page offers no more results than a search may ask for
            "text_batches": _batch_stats(searcher.batch_sizes),
        }

    @app.get("/", response_class=FileResponse, include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(static / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=static), name="static")


def _add_docs_routes(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` and ReDoc at ``/redoc`` from files shipped in a package.

    FastAPI's default pages fetch their scripts from a CDN, so they stay blank on the offline
    hospital networks litclip is served on; fastapi-offline ships current builds of both
    (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI writes).
    """
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi_offline import core as offline

    assets = Path(offline.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")
    spec = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=spec,
            title=f"{app.title} - API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=spec,
            title=f"{app.title} - API",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )


def _install_index_follow(app: FastAPI, searcher: Searcher) -> None:
    """Serve the index as ``litclip index`` last wrote it: updated in place while serving,
    the old one's results linked to images and PDFs the update had removed."""

    @app.middleware("http")
    async def follow(request: Request, call_next: Callable) -> Response:
        said = searcher.refresh()  # a stat of index.json; a reload only after an update
        if said:
            logging.getLogger(__name__).warning(said)
        return await call_next(request)


def create_app(
    index_dir: str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    cors_origins: list[str] | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    max_k: int = 100,
    max_query_chars: int = 500,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    searcher: Searcher | None = None,
) -> FastAPI:
    """Build the FastAPI app serving an index.

    Args:
        index_dir: an index directory (ignored when ``searcher`` is given).
        token: when set, every request must carry it (else 401). The CLI also reads
            ``LITCLIP_API_TOKEN``; this function does not read the environment.
        cors_origins: origins allowed cross-site (CORS is off when ``None`` or empty).
        max_upload_bytes: largest accepted image upload.
        max_k: largest ``k``.
        max_query_chars: longest text query.
        max_pixels: largest decoded image (width x height) accepted.
        searcher: an already loaded :class:`Searcher` (tests, embedding in other apps).

    Returns:
        The app; its OpenAPI spec is at ``/openapi.json`` and docs at ``/docs``.
    """
    if max_k < 1:  # every k would be refused, and a query without k would still get 10
        raise LitclipError(f"max_k must be >= 1 (got {max_k})")
    if max_upload_bytes < 1:  # a negative limit let every upload through
        raise LitclipError(f"--max-upload-bytes must be >= 1 (got {max_upload_bytes})")
    if searcher is None:
        if index_dir is None:
            raise ValueError("create_app needs index_dir or searcher")
        searcher = Searcher(index_dir)
    app = FastAPI(
        title="litclip figure search",
        version=__version__,
        description="Search a journal's figures by text or by example image (read-only).",
        docs_url=None,  # FastAPI's pages load their scripts from a CDN: see _add_docs_routes
        redoc_url=None,
    )
    app.state.searcher = searcher
    app.state.max_pixels = max_pixels
    app.state.max_upload_bytes = max_upload_bytes
    _add_search_routes(app, searcher, max_k, max_query_chars)
    _add_figure_routes(app, searcher)
    _add_meta_routes(app, searcher, auth=bool(token), max_k=max_k)
    _add_docs_routes(app)
    _install_index_follow(app, searcher)
    _install_body_limit(app, max_upload_bytes)
    if token:
        _install_auth(app, token)
    _install_headers(app)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Token", "Content-Type"],
        )
    return app


def serve(
    index_dir: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    *,
    torch_threads: int | None = None,
    on_ready: Callable[[], None] | None = None,
    **app_options: Any,
) -> None:
    """Run the service with uvicorn until interrupted.

    Args:
        index_dir: the index directory to serve.
        host: interface to bind; loopback by default (pass ``0.0.0.0`` deliberately).
        port: TCP port.
        token: API token; falls back to the ``LITCLIP_API_TOKEN`` environment variable.
        torch_threads: intra-op threads for the query model (``None``: torch's default). One
            thread is faster on a busy machine, where spinning worker threads wait for cores.
        on_ready: called once the index and its model are loaded, before serving (the CLI
            announces the address there, not before a load that may fail).
        **app_options: passed to :func:`create_app` (``cors_origins``, ``max_upload_bytes``...).
    """

    import uvicorn

    token = token or os.environ.get(TOKEN_ENV) or None
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        logging.getLogger(__name__).warning(
            "serving on %s without an API token: anyone who can reach this port can search", host
        )
    if torch_threads is not None:
        if torch_threads < 1:
            raise LitclipError(f"torch_threads must be >= 1 (got {torch_threads})")
        import torch

        torch.set_num_threads(torch_threads)
    app = create_app(index_dir, token=token, **app_options)
    if on_ready is not None:
        on_ready()
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=access_log_config())


_QUERY_TOKEN = re.compile(r"([?&]token=)[^&#\s]*")


class RedactToken(logging.Filter):
    """Blank the ``?token=`` a browser opens the page with out of the access log (uvicorn
    logs each request's path and query: the secret would be kept in plain text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def access_log_config() -> dict[str, Any]:
    """uvicorn's logging set-up with :class:`RedactToken` on its access log."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_token"] = {"()": RedactToken}
    config["handlers"]["access"].setdefault("filters", []).append("redact_token")
    return config
