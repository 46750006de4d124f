"""Fixtures shared by the tests."""

import pytest


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    """Run in a fresh temporary folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------------- dashboard in a browser
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, or a skip that says why it is missing."""
    from dashboard_browser import chromium, chromium_missing

    reason = chromium_missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def url(browser):
    """The address of a dashboard server started for the test module."""
    from dashboard_browser import dashboard_server, ensure_assets

    from coprod.dashboard.assets import AssetError

    try:
        ensure_assets()
    except AssetError as exc:
        pytest.fail(f"dashboard assets missing and not installable: {exc}")
    with dashboard_server() as address:
        yield address


@pytest.fixture
def page(browser, url):
    """A fresh page on the dashboard, closed after the test."""
    from dashboard_browser import open_dashboard

    p = open_dashboard(browser, url)
    yield p
    p.context.close()
