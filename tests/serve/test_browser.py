"""The web page in headless Chromium (Debian's chromium driven by Playwright; no downloads)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from litclip.serve.app import create_app
from litclip.serve.search import Searcher

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(searcher: Searcher, api_token: str) -> Iterator[str]:
    """The app (token required) served by uvicorn on 127.0.0.1 in a background thread."""
    import uvicorn

    port = free_port()
    app = create_app(searcher=searcher, token=api_token)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright (python) is not installed"
    )
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _wait(condition, timeout: float = 10.0) -> None:
    # Polling from Python: the page's CSP (script-src 'self') blocks Playwright's eval-based waits.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met within timeout")
        time.sleep(0.05)


def test_search_page_end_to_end(browser, live_server: str, api_token: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/?token={api_token}")
    assert "token" not in page.url  # the token leaves the address bar at once
    expect(page.locator("#index-info")).to_contain_text("11 figures indexed")

    page.fill("#q", "MRI of the knee")
    page.click("#go")
    page.wait_for_selector("#results .card")
    cards = page.locator("#results .card")
    assert cards.count() == 11  # k=24 but only 11 figures indexed
    assert "figures for" in page.inner_text("#status")
    first = cards.first
    assert first.locator(".score").inner_text().startswith("sim ")
    marks = page.locator("#results mark").all_inner_texts()
    assert {m.lower() for m in marks} & {"mri", "knee"}  # query terms highlighted
    # images load through the token cookie (naturalWidth > 0 only if the PNG arrived)
    _wait(
        lambda: page.locator("#results img").evaluate_all(
            "ims => ims.every(i => i.complete && i.naturalWidth > 0)"
        )
    )
    href = first.locator("a.pdf").get_attribute("href")
    assert href.startswith("/figures/") and "#page=" in href
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)

    # click one result: "More like this"
    clicked = first.get_attribute("data-id")
    first.locator("button.more").click()
    page.wait_for_selector("#anchor:not([hidden])")
    expect(page.locator("#status")).to_contain_text("figures like")
    expect(page.locator("#anchor strong")).to_contain_text(" · p. ")  # names its PDF and page
    ids = page.locator("#results .card").evaluate_all("cards => cards.map(c => c.dataset.id)")
    assert clicked not in ids and len(ids) == 10

    # upload-an-image search
    image = Path(page.locator("#results img").first.get_attribute("src"))
    assert image.name == "image"
    sample = tmp_path / "query.png"
    from PIL import Image

    Image.new("RGB", (50, 40), (120, 40, 200)).save(sample)
    page.set_input_files("#upload", str(sample))
    expect(page.locator("#status")).to_contain_text("your image")
    assert page.locator("#results .card").count() == 11
    assert not errors, errors
    page.close()


def test_page_without_token_asks_for_it(browser, live_server: str) -> None:
    """The page loads (it holds no data) and shows its token form; the API stays closed."""
    page = browser.new_page()
    response = page.goto(f"{live_server}/")
    assert response.status == 200
    page.wait_for_selector("#token-box:not([hidden])")
    assert page.request.get(f"{live_server}/health").status == 401
    page.close()


def test_api_docs_render_offline(browser, live_server: str, api_token: str) -> None:
    """Swagger UI lists the endpoints from files litclip installs: no CDN is reachable here,
    and Swagger UI 4 could not read FastAPI's OpenAPI 3.1 ("Unable to render")."""
    page = browser.new_page()
    page.goto(f"{live_server}/?token={api_token}")  # sets the token cookie
    page.goto(f"{live_server}/docs")
    _wait(lambda: "/search/image" in page.content())
    assert "Unable to render" not in page.content()
    page.close()


def test_the_page_offers_no_more_results_than_the_server_allows(
    browser, searcher: Searcher, api_token: str
) -> None:
    """With serve --max-k 10 the page asked for 24 and showed the server's validation JSON."""
    import uvicorn

    port = free_port()
    app = create_app(searcher=searcher, token=api_token, max_k=10)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait(lambda: server.started, timeout=20)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/?token={api_token}&q=MRI")
        page.wait_for_selector("#results .card")
        options = page.locator("#k option").all_inner_texts()
        assert options == ["10"] and page.locator("#results .card").count() == 10
        page.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _open(browser, live_server: str, api_token: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server}/?token={api_token}")
    page.wait_for_selector("#index-info:has-text('figures indexed')")
    return page


def test_a_failed_search_leaves_no_earlier_results(
    browser, live_server: str, api_token: str
) -> None:
    """With the server gone, a new query showed 'Failed to fetch' over the last query's
    results; a validation error came as raw JSON."""
    from playwright.sync_api import expect

    page = _open(browser, live_server, api_token)
    page.fill("#q", "MRI of the knee")
    page.press("#q", "Enter")
    page.wait_for_selector("#results .card")
    page.route("**/search?*", lambda route: route.abort())  # the server stopped
    page.fill("#q", "bar chart")
    page.press("#q", "Enter")
    expect(page.locator("#status")).to_contain_text("Cannot reach the litclip server")
    assert page.locator("#results .card").count() == 0
    page.unroute("**/search?*")
    page.goto(f"{live_server}/?q={'x' * 600}")  # a link longer than the box takes
    page.wait_for_selector("#results .card")
    expect(page.locator("#status")).to_contain_text("cut to 500 characters")
    assert len(page.input_value("#q")) == 500 and "[{" not in page.inner_text("#status")
    page.close()


def test_more_like_this_is_a_view_of_its_own(browser, live_server: str, api_token: str) -> None:
    """Its results kept the text query's highlights and address (a reload lost the view),
    and the figure they are like had no link to its PDF."""
    page = _open(browser, live_server, api_token)
    page.fill("#q", "MRI of the knee")
    page.press("#q", "Enter")
    page.wait_for_selector("#results mark")
    first = page.locator("#results .card").first
    clicked = first.get_attribute("data-id")
    first.locator("button.more").click()
    page.wait_for_selector("#anchor:not([hidden])")
    _wait(lambda: "similar=" in page.url)
    assert page.locator("#results mark").count() == 0
    assert page.locator("#anchor a.pdf").get_attribute("href").startswith("/figures/")
    page.reload()
    page.wait_for_selector("#anchor:not([hidden])")
    ids = page.locator("#results .card").evaluate_all("cards => cards.map(c => c.dataset.id)")
    assert clicked not in ids and ids
    page.go_back()  # back to the text search
    _wait(lambda: page.locator("#results mark").count() > 0 and page.locator("#anchor").is_hidden())
    page.close()


def test_a_wrong_token_is_said_and_the_query_kept(
    browser, live_server: str, api_token: str
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/?token=wrong&q=knee")
    page.wait_for_selector("#token-error:not([hidden])")
    # the token box shows before the refused request's error reaches the status line
    _wait(lambda: "not accepted" in page.inner_text("#status"))
    page.fill("#token", api_token)
    page.click("#token-form button")
    page.wait_for_selector("#results .card")
    assert "q=knee" in page.url and "token" not in page.url
    page.close()


def test_on_a_phone_the_header_scrolls_away(browser, live_server: str, api_token: str) -> None:
    page = _open(browser, live_server, api_token, width=390)
    position = page.locator("header.top").evaluate("h => getComputedStyle(h).position")
    assert position == "static"
    page.close()
