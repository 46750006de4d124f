"""Helpers for the dashboard's browser tests and benchmark: server, Chromium, page actions.

The server is started the way a facilitator starts it, ``coprod dashboard --port N`` on
127.0.0.1, and Chromium is Debian's ``chromium`` package driven by Playwright (Playwright
cannot download its own browser on machines without internet access).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("COPROD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "dashboard"
#: Milliseconds to wait for the page to react in the browser tests.
TIMEOUT = 20_000
#: Milliseconds to wait for a month to be simulated and drawn. Longer than ``TIMEOUT``: the
#: server shares the machine's two cores with the other test worker and its Dask clusters.
MONTH_TIMEOUT = 60_000

#: The log file of each running dashboard server, by its URL (read when a wait fails).
SERVER_LOGS: dict[str, Path] = {}


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or ``None`` when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return (
            f"no Chromium at {CHROMIUM}: install Debian's package with "
            "`apt-get install -y chromium` (or set COPROD_CHROMIUM)"
        )
    return None


def free_port() -> int:
    """A TCP port free on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_assets() -> None:
    """Install the dashboard's browser assets if they are missing (one ``npm pack``)."""
    from coprod.dashboard.assets import missing_packages

    if missing_packages():
        from coprod.dashboard.install_assets import install

        install()


@contextmanager
def server_process(command: list[str], log: Path, answers, env=None, timeout: float = 60.0):
    """Run a dashboard server ``command`` until ``answers()`` is true; stop it afterwards.

    ``answers`` asks the server over HTTP (an ``OSError`` means not yet). The server's output
    goes to ``log``, which is kept only when something goes wrong.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    failed = True
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"dashboard exited with {proc.returncode}: {log.read_text()}")
            try:
                if answers():
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dashboard did not answer within {timeout} s: {log}")
            time.sleep(0.2)
        yield
        failed = False
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if not failed:
            log.unlink(missing_ok=True)


def _page_answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


@contextmanager
def dashboard_server(timeout: float = 60.0, args: tuple[str, ...] = ()):
    """Run ``coprod dashboard --port <free port> [args]``; yield its URL; stop it afterwards.

    What the server prints (e.g. the links of ``--room``) is in ``SERVER_LOGS[url]``.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    coprod = shutil.which("coprod")
    cmd = [coprod] if coprod else [sys.executable, "-m", "coprod"]
    log = ARTIFACTS / f"server-{port}.log"
    SERVER_LOGS[url] = log
    try:
        with server_process(
            [*cmd, "dashboard", "--port", str(port), *args],
            log,
            lambda: _page_answers(url),
            timeout=timeout,
        ):
            yield url
    finally:
        SERVER_LOGS.pop(url, None)


@contextmanager
def chromium():
    """A headless Chromium (Debian's package) under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            for key in [k for k in _LOCALISED if k[0] == id(browser)]:
                _LOCALISED.pop(key).close()
            browser.close()


#: Browsers that ask for one language, by (the shared browser's id, locale).
_LOCALISED: dict = {}


def localised_context(browser, locale: str, **options):
    """A new context of a browser set to ``locale``: its every request asks for that language.

    Playwright's ``locale=`` sets ``navigator.language`` and the ``Accept-Language`` of page
    requests, but Chromium sends its own, process-wide ``Accept-Language`` with WebSocket
    handshakes, and that is where Solara reads a session's headers. A browser launched with
    ``--accept-lang`` sends the language with both, as a browser set to that language does;
    one is launched per language beside ``browser`` and closed with it.
    """
    key = (id(browser), locale)
    if key not in _LOCALISED:
        accept = f"--accept-lang={locale},{locale.split('-')[0]}"
        _LOCALISED[key] = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, accept]
        )
    return _LOCALISED[key].new_context(locale=locale, **options)


def open_dashboard(browser, url: str, requests: list[str] | None = None):
    """A new browser context and page showing the dashboard, ready (month 0 shown)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector(".coprod-month")
    page.wait_for_selector('.coprod-chart[data-chart="participation"]')
    return page


def month(page) -> int:
    """The month the page shows."""
    text = page.locator(".coprod-month").inner_text()
    return int(text.split()[1])


def wait_month(page, at_least: int, chart: str | None = None) -> None:
    """Wait until the page shows ``at_least`` months, in its label and in every chart.

    Every chart on the page, or every ``chart`` of that kind: the server sends each chart on
    its own, so one chart drawn does not mean the others are (a legend read too early shows the
    month before, or "–" after a re-run).
    """
    _wait_drawn(page, at_least, exactly=False, chart=chart)


def wait_restarted(page) -> None:
    """Wait until the page shows month 0 again, in its label and in every chart (after Reset).

    The label and the charts are drawn by other components than the record card, so the card's
    kept run can show before the label has gone back to month 0.
    """
    _wait_drawn(page, 0, exactly=True)


def _wait_drawn(page, month: int, exactly: bool, chart: str | None = None) -> None:
    """Wait until the label and the charts show ``month`` (or later, unless ``exactly``).

    When the wait runs out, the failure says what the page and its server showed instead.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """([n, exactly, chart]) => {
                const shows = text => exactly ? parseInt(text) === n : parseInt(text) >= n;
                const label = document.querySelector('.coprod-month');
                const charts = [...document.querySelectorAll(
                    chart ? `.coprod-chart[data-chart="${chart}"]` : '.coprod-chart')];
                return label && shows(label.innerText.split(' ')[1])
                    && charts.length > 0 && charts.every(c => shows(c.dataset.month));
            }""",
            arg=[month, exactly, chart],
            timeout=MONTH_TIMEOUT,
        )
    except PlaywrightTimeout:
        wanted = f"month {month}" if exactly else f"month {month} or later"
        raise AssertionError(
            f"{wanted} not shown within {MONTH_TIMEOUT} ms; " + page_state(page, chart)
        ) from None


def page_state(page, chart: str | None = None) -> str:
    """What the page shows (month, charts, Step button, errors) and its server's last words."""
    shown = page.evaluate(
        """(chart) => ({
            month: document.querySelector('.coprod-month')?.innerText,
            charts: [...document.querySelectorAll(
                chart ? `.coprod-chart[data-chart="${chart}"]` : '.coprod-chart')]
                .map(c => `${c.dataset.chart} ${c.dataset.month}`),
            step_disabled: document.querySelector('.coprod-step')?.disabled,
            errors: [...document.querySelectorAll('.v-alert, .jupyter-widgets-error-widget')]
                .map(e => e.innerText.slice(0, 300)),
        })""",
        chart,
    )
    log = next((path for url, path in SERVER_LOGS.items() if page.url.startswith(url)), None)
    tail = log.read_text()[-1500:] if log is not None and log.exists() else "(no server log)"
    return f"the page shows {shown}; the server's log ends: {tail}"


def chart_months(page, chart: str = "participation") -> list[int]:
    """The month each panel's ``chart`` shows (one entry per side)."""
    return page.eval_on_selector_all(
        f'.coprod-chart[data-chart="{chart}"]', "els => els.map(e => parseInt(e.dataset.month))"
    )


def step(page, times: int = 1) -> None:
    """Click Step ``times`` times, each time waiting for the charts to show the new month."""
    for _ in range(times):
        now = month(page)
        page.click(".coprod-step")
        wait_month(page, now + 1)


def pick(page, select_class: str, text: str) -> None:
    """Choose ``text`` in the menu with class ``select_class``."""
    page.click(f".{select_class} .v-select__slot")
    page.locator(".menuable__content__active .v-list-item", has_text=text).first.click()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/dashboard/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    # the app scrolls inside its layout, not the document: grow the window to the content
    height = page.evaluate("document.querySelector('.coprod-page').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 120)})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


#: The projector size the workshop dashboard must fit (issue 16).
PROJECTOR = {"width": 1280, "height": 720}

#: Smallest text size, in CSS pixels, that a room can read off a projector.
MIN_TEXT_PX = 12

_AUDIT_JS = """(minPx) => {
    const visible = el => {
        const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
            && s.opacity !== '0';
    };
    const name = el => (el.className && el.className.baseVal !== undefined
        ? el.className.baseVal : el.className || el.tagName) + ': ' +
        (el.textContent || '').trim().slice(0, 40);
    const small = [], svgSmall = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim()) continue;
        const el = node.parentElement;
        if (!el || seen.has(el) || !visible(el)) continue;
        if (el.closest('.v-tooltip__content, script, style, noscript')) continue;
        seen.add(el);
        let px = parseFloat(getComputedStyle(el).fontSize);
        if (el instanceof SVGElement && el.getScreenCTM) {
            const m = el.getScreenCTM();
            px = parseFloat(el.getAttribute('font-size') || px) * Math.hypot(m.a, m.b);
        }
        if (px < minPx - 0.05)
            (el instanceof SVGElement ? svgSmall : small).push(`${name(el)} (${px.toFixed(1)} px)`);
    }
    const clipped = [];
    for (const el of document.querySelectorAll(
            '.coprod-settings *, .coprod-runbar *, .v-btn__content, .v-label, .v-select__selection')) {
        if (!visible(el) || !el.textContent.trim()) continue;
        if (el.children.length && el.tagName !== 'LABEL') continue;
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
            clipped.push(name(el));
        const box = el.getBoundingClientRect();
        const holder = el.closest('.v-card, .v-navigation-drawer, .coprod-settings');
        if (holder) {
            const h = holder.getBoundingClientRect();
            if (box.right > h.right + 1 || box.left < h.left - 1) clipped.push('overflows: ' + name(el));
        }
    }
    const covered = [];
    const legends = [...document.querySelectorAll('.coprod-legend')].filter(visible);
    const badges = [...document.querySelectorAll('.v-badge__badge, .v-chip, .coprod-badge, a, div')]
        .filter(el => el.matches('.v-badge__badge, .v-chip, .coprod-badge')
            || (el.children.length <= 2 && /runs on/i.test(el.textContent || '')));
    for (const badge of badges) {
        if (!visible(badge)) continue;
        const b = badge.getBoundingClientRect();
        for (const legend of legends) {
            const l = legend.getBoundingClientRect();
            if (b.left < l.right && b.right > l.left && b.top < l.bottom && b.bottom > l.top)
                covered.push(name(badge) + ' over ' + name(legend));
        }
    }
    const svgOverlap = [];
    const box = el => el.getBoundingClientRect();
    const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 3;
    for (const svg of document.querySelectorAll('svg')) {
        if (!visible(svg) || svg.closest('.v-icon, button')) continue;
        const frame = box(svg);
        const texts = [...svg.querySelectorAll('text')].filter(t => visible(t) && t.textContent.trim());
        texts.forEach((t, i) => {
            const r = box(t);
            if (r.left < frame.left - 1 || r.right > frame.right + 1
                    || r.top < frame.top - 1 || r.bottom > frame.bottom + 1)
                svgOverlap.push('outside its drawing: ' + name(t));
            for (const u of texts.slice(i + 1))
                if (meets(r, box(u))) svgOverlap.push(name(t) + ' over ' + name(u));
        });
    }
    return {small, svgSmall, svgOverlap, clipped, covered};
}"""


def layout_problems(page) -> dict[str, list[str]]:
    """What a projector audience would miss, as lists of the elements concerned.

    ``small``: page text under :data:`MIN_TEXT_PX`; ``svgSmall``: text inside the charts'
    drawings rendered under it; ``svgOverlap``: text in a drawing over other text of the same
    drawing, or running outside it (and so cut off); ``clipped``: control text cut off or
    overflowing its card; ``covered``: a badge (or Solara's corner banner) over a chart legend.
    """
    return page.evaluate(_AUDIT_JS, MIN_TEXT_PX)


# ---------------------------------------------------------------- workshop rooms
#: Window sizes of a participant's phone and of the facilitator's laptop.
PHONE = {"width": 400, "height": 800}
LAPTOP = {"width": 1400, "height": 1000}


def room_links(url: str) -> dict[str, str]:
    """What ``coprod dashboard --room`` printed: the join link, the facilitator's, the code."""
    printed = SERVER_LOGS[url].read_text()
    return {
        "url": url,
        "join": re.search(r"participants join at (\S+)", printed).group(1),
        "facilitator": re.search(r"keep it to yourself\): (\S+)", printed).group(1),
        "code": re.search(r"workshop room (\w+):", printed).group(1),
    }


def room_device(
    browser,
    link: str,
    locale: str | None = None,
    size: dict | None = None,
    init_script: str | None = None,
    timeout: float = TIMEOUT,
):
    """A new device (browser context) showing ``link``: phone-sized unless ``size`` says.

    ``locale`` asks for that language (:func:`localised_context`); ``init_script`` runs in
    the page before its own scripts (e.g. a benchmark's observer).
    """
    options = {"viewport": size or PHONE, "accept_downloads": True, "device_scale_factor": 1}
    if locale:
        context = localised_context(browser, locale, **options)
    else:
        context = browser.new_context(**options)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.goto(link)
    return page


def join_room(page, name: str, role: str) -> None:
    """Fill the join form (the code comes with the link) and wait for the role's view."""
    page.wait_for_selector(".coprod-join-name input")
    page.locator(".coprod-join-name input").fill(name)
    page.click(f".coprod-role-{role}")
    page.click(".coprod-join-button")
    page.wait_for_selector(".coprod-player-who")
