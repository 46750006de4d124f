"""The facilitator's flow in a real browser: the workshop record, the question, presentation mode.

Starts ``coprod dashboard`` on a free port and drives Debian's Chromium with Playwright, as
test_dashboard.py does; without Chromium the tests are skipped with the reason. Screenshots land
in test-artifacts/dashboard/.
"""

from __future__ import annotations

import json

import pytest

from coprod.dashboard import labels
from coprod.dashboard.workshop_record import load_record


def _legend(page, chart: str = "participation") -> str:
    return page.locator(f".coprod-view-{chart} .coprod-legend").first.inner_text()


def _save(page, kind: str, folder):
    with page.expect_download() as info:
        page.click(f".coprod-save-{kind}")
    download = info.value
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def _ask(page, question: str, measure_label: str) -> None:
    box = page.locator(".coprod-question-input textarea")
    box.fill(question)
    box.press("Tab")  # the text is taken when the field loses focus
    page.click(".coprod-question-measures-pick .v-select__slot")
    page.locator(".menuable__content__active .v-list-item", has_text=measure_label).first.click()
    page.keyboard.press("Escape")


# ---------------------------------------------------------------------- the record
def test_a_saved_workshop_reopens_in_a_new_tab_and_re_runs_to_the_same_numbers(
    page, browser, url, tmp_path
):
    from dashboard_browser import (
        month,
        open_dashboard,
        screenshot,
        step,
        wait_month,
        wait_restarted,
    )
    from playwright.sync_api import expect

    # run 1: five months with a scandal in month 4
    step(page, 3)
    page.click(".coprod-event-trust_scandal")
    step(page, 2)
    first = {chart: _legend(page, chart) for chart in ("participation", "trust")}
    # run 2: open data off, three months
    page.click("text=The platform")
    page.click(".coprod-rule-platform-open-data .v-input--selection-controls__ripple")
    page.wait_for_selector(".coprod-month >> text=Month 0 of")
    wait_restarted(page)
    expect(page.locator(".coprod-kept-run")).to_have_count(1)
    step(page, 3)
    _ask(page, "Does closing the data cost trust?", "Trust in the administration")

    saved = _save(page, "html", tmp_path)
    assert saved.suffix == ".html"
    twin = json.loads(_save(page, "json", tmp_path).read_text())
    markdown = _save(page, "md", tmp_path).read_text()
    record = load_record(saved.read_text(), saved.name)
    reread = load_record(json.dumps(twin), "twin.json")  # saved a moment later
    assert (reread.runs, reread.question) == (record.runs, record.question)
    assert [r.months for r in record.runs] == [5, 3]
    assert record.runs[1].overrides == {"platform.open_data": False}
    assert [(e.step, e.kind) for e in record.runs[0].events] == [(4, "trust_scandal")]
    assert record.question.measures == ["trust"]
    assert "Does closing the data cost trust?" in markdown
    screenshot(page, "20-workshop-saved")

    # the saved page shows both runs offline, asking for nothing
    offline = browser.new_context(offline=True)
    try:
        requests: list[str] = []
        reader = offline.new_page()
        reader.on("request", lambda r: requests.append(r.url))
        reader.goto(saved.as_uri())
        assert reader.locator("section.run").count() == 2
        assert reader.locator("section.run svg").count() == 2 * (len(labels.CHARTS) + 1)
        assert [r for r in requests if not r.startswith("file:")] == []
    finally:
        offline.close()

    # a new tab, a fresh session: open the saved page
    other = open_dashboard(browser, url)
    try:
        assert month(other) == 0
        other.set_input_files(".coprod-open-input", str(saved))
        other.wait_for_selector(".coprod-record-message >> text=Opened")
        lines = other.locator(".coprod-kept-run")
        expect(lines).to_have_count(2)
        assert lines.all_inner_texts() == [
            record_html_line(record, i) for i in range(len(record.runs))
        ]
        expect(other.locator(".coprod-question-input textarea")).to_have_value(
            "Does closing the data cost trust?"
        )
        # continued with the last settings: open data off
        other.wait_for_selector(".coprod-changes >> text=open data on → off")

        other.click(".coprod-rerun-1")
        other.wait_for_selector(".coprod-record-message >> text=the same numbers as saved")
        wait_month(other, 5)
        assert month(other) == 5
        assert {chart: _legend(other, chart) for chart in first} == first
        marks = other.locator('.coprod-chart .event-marker[data-kind="trust_scandal"]')
        expect(marks).to_have_count(len(labels.CHARTS))
        assert marks.first.get_attribute("data-step") == "4"
        # the question's measure is marked on the reopened page too
        width = other.eval_on_selector(
            '.coprod-view-trust polyline[data-measure="trust"]',
            "el => getComputedStyle(el).strokeWidth",
        )
        assert width == "4.5px"
        screenshot(other, "21-workshop-reopened-and-re-run")
    finally:
        other.context.close()


def record_html_line(record, index: int) -> str:
    from coprod.dashboard.record_panel import run_line

    return run_line(record, index)


def test_a_foreign_file_is_refused_on_the_page_and_the_session_goes_on(page, tmp_path):
    from dashboard_browser import month, screenshot, step

    step(page, 2)
    foreign = tmp_path / "scenario.json"
    foreign.write_text(json.dumps({"name": "my scenario", "steps": 12}))
    page.set_input_files(".coprod-open-input", str(foreign))
    error = page.locator(".coprod-open-error")
    error.wait_for()
    assert "scenario.json: JSON, but not a coprod workshop record" in error.inner_text()
    damaged = tmp_path / "damaged.json"
    good = {
        "format": "coprod-workshop",
        "version": 1,
        "saved": "2026-11-30T10:00:00Z",
        "runs": [{"scenario": "no_such_scenario"}],
    }
    damaged.write_text(json.dumps(good))
    page.set_input_files(".coprod-open-input", str(damaged))
    page.wait_for_selector(".coprod-open-error >> text=damaged.json: runs.0.scenario")
    assert month(page) == 2  # nothing was replaced
    step(page)
    assert month(page) == 3
    screenshot(page, "22-foreign-file-refused")


def test_the_question_marks_its_measures_on_every_chart(page):
    from dashboard_browser import step

    step(page, 2)
    _ask(page, "Who takes part?", "Took part this month")
    page.wait_for_function(
        """() => [...document.querySelectorAll('polyline[data-measure="participation_rate"]')]
            .every(el => getComputedStyle(el).strokeWidth === '4.5px')"""
    )
    charts = [
        spec.key
        for spec in labels.CHARTS
        if "participation_rate" in {s.measure for s in spec.series}
    ]
    assert len(charts) >= 2  # taking part, and "Does it listen?"
    for key in charts:
        star = page.eval_on_selector(
            f".coprod-view-{key} .coprod-chart-title",
            "el => getComputedStyle(el, '::before').content",
        )
        assert "★" in star
    unmarked = page.eval_on_selector(
        ".coprod-view-trust .coprod-chart-title", "el => getComputedStyle(el, '::before').content"
    )
    assert unmarked in ("none", "normal")
    other = page.eval_on_selector(
        '.coprod-view-trust polyline[data-measure="trust"]',
        "el => getComputedStyle(el).strokeWidth",
    )
    assert other != "4.5px"


# ---------------------------------------------------------------------- presentation mode
@pytest.fixture
def projector(browser, url):
    from dashboard_browser import PROJECTOR, TIMEOUT

    context = browser.new_context(viewport=PROJECTOR)
    p = context.new_page()
    p.set_default_timeout(TIMEOUT)
    p.goto(url)
    p.wait_for_selector('.coprod-chart[data-chart="participation"]')
    yield p
    context.close()


_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    if (document.scrollingElement.scrollWidth > width + 1) out.push('page scrolls sideways');
    for (const el of document.querySelectorAll('.coprod-view, .coprod-runbar, '
            + '.coprod-presentation-bar, .coprod-chart svg')) {
        const r = el.getBoundingClientRect();
        if (r.width && (r.right > width + 1 || r.left < -1))
            out.push((el.className.baseVal ?? el.className) + ' sticks out');
    }
    return out;
}"""


def _font_px(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


def test_presentation_mode_at_1280x720_is_larger_collapsed_and_fits(projector):
    from dashboard_browser import layout_problems, month, screenshot, step

    step(projector, 1)
    before = {
        "month": _font_px(projector, ".coprod-month"),
        "legend": _font_px(projector, ".coprod-legend"),
        "title": _font_px(projector, ".coprod-chart-title"),
    }
    assert projector.locator(".coprod-settings").count() == 1
    projector.click(".coprod-present")
    projector.wait_for_selector(".coprod-presentation-bar")
    assert projector.locator(".coprod-settings").count() == 0  # the panel is folded away
    after = {
        key: _font_px(projector, sel)
        for key, sel in (
            ("month", ".coprod-month"),
            ("legend", ".coprod-legend"),
            ("title", ".coprod-chart-title"),
        )
    }
    for key in before:
        assert after[key] >= 1.2 * before[key], (key, before[key], after[key])
    problems = layout_problems(projector)
    assert (problems["clipped"], problems["covered"], problems["small"]) == ([], [], [])
    assert projector.evaluate(_OVERFLOW_JS) == []
    step(projector, 1)  # the run bar still works
    assert month(projector) == 2
    screenshot(projector, "23-presentation")

    projector.click(".coprod-show-settings")  # the panel can come back
    projector.wait_for_selector(".coprod-settings")
    projector.click(".coprod-show-settings")
    projector.wait_for_selector(".coprod-settings", state="detached")
    projector.click(".coprod-present")  # and out of presentation mode
    projector.wait_for_selector(".coprod-presentation-bar", state="detached")
    projector.wait_for_selector(".coprod-settings")
    projector.wait_for_function(
        "px => Math.abs(parseFloat(getComputedStyle("
        "document.querySelector('.coprod-month')).fontSize) - px) < 0.1",
        arg=before["month"],
    )


def test_one_chart_at_a_time_with_next_and_previous(projector):
    from dashboard_browser import layout_problems, screenshot, step
    from playwright.sync_api import expect

    step(projector, 2)
    projector.click(".coprod-present")
    projector.click(".coprod-single .v-input--selection-controls__ripple")
    position = projector.locator(".coprod-chart-position")
    position.wait_for()
    count = 3 + len(labels.CHARTS)  # map, divide, the charts, what happened
    assert position.inner_text().startswith(f"Chart 1 of {count}: {labels.NETWORK_TITLE}")
    views = projector.locator(".coprod-view[class*='coprod-view-']")
    expect(views).to_have_count(1)  # waits for the views to redraw
    assert projector.locator(".coprod-view-network").count() == 1
    projector.click(".coprod-next")
    projector.wait_for_selector(".coprod-view-quintiles")
    expect(projector.locator(".coprod-view-network")).to_have_count(0)
    projector.click(".coprod-next")
    projector.wait_for_selector(f".coprod-view-{labels.CHARTS[0].key}")
    chart = projector.locator(".coprod-chart svg").first.bounding_box()
    assert chart["width"] > 900  # across the page, not half of it
    problems = layout_problems(projector)
    assert (problems["clipped"], problems["small"]) == ([], [])
    assert projector.evaluate(_OVERFLOW_JS) == []
    screenshot(projector, "24-presentation-one-chart")
    projector.click(".coprod-previous")
    projector.click(".coprod-previous")
    projector.click(".coprod-previous")  # from the first, back to the last
    projector.wait_for_selector(".coprod-view-events")
    assert position.inner_text().startswith(f"Chart {count} of {count}")
    projector.keyboard.press("PageDown")  # a presenter's clicker: round to the first again
    projector.wait_for_selector(".coprod-view-network")
    projector.keyboard.press("ArrowRight")
    projector.wait_for_selector(".coprod-view-quintiles")
    assert position.inner_text().startswith(f"Chart 2 of {count}")


# ---------------------------------------------------------------------- other languages
#: Text in the record card, the question card or the presentation bar cut off or out of its card.
_CARDS_JS = """(selector) => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
        const s = getComputedStyle(el), r = el.getBoundingClientRect();
        if (!r.width || !r.height || s.visibility === 'hidden' || !el.textContent.trim()) continue;
        const what = el.textContent.trim().slice(0, 40);
        if (el.scrollWidth > el.clientWidth + 1 && s.overflowX !== 'visible')
            out.push('cut off: ' + what);
        const card = el.closest('.v-card');
        const c = card ? card.getBoundingClientRect() : null;
        if (c && (r.right > c.right + 1 || r.left < c.left - 1)) out.push('out of its card: ' + what);
    }
    return out;
}"""
_CARDS = (
    ".coprod-record-card *, .coprod-question *, .coprod-question-headline *, "
    ".coprod-presentation-bar *, .v-toolbar__title"
)


@pytest.mark.parametrize("lang", ["de", "nl"])
def test_record_card_saving_and_presentation_in_german_and_dutch_fit_a_projector(
    browser, url, tmp_path, lang
):
    """The longer German and Dutch words: nothing cut off at 1280x720; the saved page speaks."""
    from dashboard_browser import (
        PROJECTOR,
        TIMEOUT,
        layout_problems,
        localised_context,
        screenshot,
        step,
        wait_restarted,
    )

    from coprod.dashboard.i18n import gettext

    def audit(page) -> None:
        problems = layout_problems(page)
        assert (problems["clipped"], problems["covered"], problems["small"]) == ([], [], [])
        assert page.evaluate(_OVERFLOW_JS) == []
        assert page.evaluate(_CARDS_JS, _CARDS) == []

    context = localised_context(
        browser, {"de": "de-DE", "nl": "nl-NL"}[lang], viewport=PROJECTOR, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(url)
        page.wait_for_selector('.coprod-chart[data-chart="participation"]')
        step(page, 2)
        page.click(".coprod-reset")  # the run is kept: the card lists it with Re-run
        page.wait_for_selector(".coprod-kept-run")
        wait_restarted(page)
        step(page, 1)
        trust = gettext("Trust in the administration", lang)
        _ask(page, gettext("Our question", lang) + "?", trust)
        page.wait_for_selector(".coprod-question-measures-pick .v-chip")
        for header in page.locator(".coprod-settings .v-expansion-panel-header").all():
            if header.get_attribute("aria-expanded") != "true":
                header.click()
        card = page.locator(".coprod-record-card").inner_text().lower()  # buttons in capitals
        for text in ("Save workshop", "Runs kept:", "Re-run", "Open workshop (.html or .json)"):
            assert gettext(text, lang).lower() in card
        audit(page)

        # saved from this session, the page speaks its language and reopens
        saved = _save(page, "html", tmp_path).read_text()
        words = saved[: saved.index('<script type="application/json"')]
        assert f'<html lang="{lang}">' in words
        for text in ("Our question", "The runs side by side", "Settings that differ"):
            assert gettext(text, lang) in words and text not in words
        assert trust in words
        assert len(load_record(saved, "saved.html").runs) == 2
        screenshot(page, f"25-record-card-{lang}")

        page.click(".coprod-present")
        page.wait_for_selector(".coprod-presentation-bar")
        page.wait_for_selector(".coprod-question-headline")
        audit(page)
        headline = page.locator(".coprod-question-headline .coprod-question-text").bounding_box()
        measures = page.locator(".coprod-question-measures").bounding_box()
        assert measures["y"] >= headline["y"] + headline["height"] - 1  # a line of its own
        page.click(".coprod-single .v-input--selection-controls__ripple")
        position = page.locator(".coprod-chart-position")
        position.wait_for()
        count = 3 + len(labels.CHARTS)
        network = gettext(labels.NETWORK_TITLE, lang)
        expected = gettext("Chart {number} of {count}: {title}", lang).format(
            number=1, count=count, title=network
        )
        assert position.inner_text().strip() == expected
        page.click(".coprod-next")
        page.click(".coprod-next")
        page.wait_for_selector(f".coprod-view-{labels.CHARTS[0].key}")
        audit(page)
        screenshot(page, f"26-presentation-{lang}")
        page.click(".coprod-show-settings")  # the settings and the record card, presenting
        page.wait_for_selector(".coprod-record-card")
        audit(page)
        screenshot(page, f"27-presentation-settings-{lang}")
    finally:
        context.close()
