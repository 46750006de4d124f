"""The dashboard's languages: catalogs complete and up to date, language choice, the page in German.

The catalogs are checked with Babel's own reader (``babel.messages.pofile``): every message the
code and the registries give (extracted as ``pybabel extract -F dashboard/locale/babel.cfg``
does) must be in the template and in each language's catalog, translated, not fuzzy, with the
same ``{placeholders}``. The browser tests start ``coprod dashboard`` and drive Debian's
Chromium with Playwright, as tests/test_dashboard.py does.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from coprod.dashboard import charts, i18n, labels, language
from coprod.dashboard.i18n_extract import extract_catalog
from coprod.dashboard.state import EventMark, Workshop
from coprod.model.scenario import scenario_names

TRANSLATED = ("de", "nl")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _catalog(lang: str):
    with open(i18n.catalog_path(lang), "rb") as f:
        return read_po(f, locale=lang)


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


@pytest.fixture
def speak(monkeypatch):
    """Draw texts in a given language, as a session set to it would."""

    def set_language(lang: str) -> None:
        monkeypatch.setattr(i18n, "language_source", lambda: lang)

    return set_language


# ---------------------------------------------------------------------- catalogs
@pytest.fixture(scope="module")
def extracted():
    return _ids(extract_catalog())


def test_the_template_is_up_to_date_with_the_code(extracted):
    with open(i18n.LOCALE_DIR / "coprod.pot", "rb") as f:
        template = _ids(read_po(f))
    assert extracted - template == set(), "run pybabel extract (docs/dashboard.md, Languages)"
    assert template - extracted == set(), "messages no longer in the code: run pybabel extract"
    # texts the dashboard takes from elsewhere are extracted as well
    assert "Trust in the administration" in extracted  # measure registry
    assert "Performing governance" in extracted  # family title
    assert (
        "Citizens share service delivery (volunteering, reporting, caring) with instrumental ICT support"
        in extracted
    )  # scenario


def test_no_message_hides_inside_an_f_string():
    """Babel's extractor does not look into f-strings (Python < 3.12): such a text is lost."""
    import io
    import tokenize

    hidden = []
    for path in sorted(i18n.LOCALE_DIR.parent.glob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type == tokenize.STRING and token.string[:2].lower() in ("f'", 'f"'):
                if re.search(r"\b(_|N_|gettext|ngettext)\(\s*['\"]", token.string):
                    hidden.append(f"{path.name}:{token.start[0]}")
    assert hidden == []


def catalog_problems(catalog) -> dict[str, list[str]]:
    """Messages of ``catalog`` without a translation, fuzzy, or with other placeholders."""
    problems: dict[str, list[str]] = {"missing": [], "fuzzy": [], "placeholders": []}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            problems["missing"].append(ids[0])
        if message.fuzzy:
            problems["fuzzy"].append(ids[0])
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        if any(sorted(PLACEHOLDER.findall(s or "")) != wanted for s in strings):
            problems["placeholders"].append(ids[0])
    return problems


@pytest.mark.parametrize("lang", [*TRANSLATED, "en"])
def test_every_message_is_translated(lang, extracted):
    catalog = _catalog(lang)
    assert extracted - _ids(catalog) == set(), f"run pybabel update for {lang}"
    assert catalog_problems(catalog) == {"missing": [], "fuzzy": [], "placeholders": []}
    assert not catalog.obsolete, f"{lang}: obsolete messages left in the catalog"
    assert not catalog.fuzzy, f"{lang}: the catalog header is marked fuzzy"


def test_an_untranslated_fuzzy_or_broken_message_is_found(tmp_path):
    """The check above sees a message left empty, marked fuzzy or losing a placeholder."""
    po = i18n.catalog_path("de").read_text(encoding="utf-8")
    changed = (
        po.replace('msgstr "Vertrauen in die Verwaltung"', 'msgstr ""', 1)
        .replace('msgid "Open data"', '#, fuzzy\nmsgid "Open data"', 1)
        .replace('msgstr "Monat {month}"', 'msgstr "Monat"', 1)
    )
    path = tmp_path / "coprod.po"
    path.write_text(changed, encoding="utf-8")
    with open(path, "rb") as f:
        problems = catalog_problems(read_po(f, locale="de"))
    assert problems == {
        "missing": ["Trust in the administration"],
        "fuzzy": ["Open data"],
        "placeholders": ["Month {month}"],
    }


def test_catalogs_are_compiled_from_the_po_files():
    """No .mo file to go stale: the translation used is the .po file's."""
    assert not list(i18n.LOCALE_DIR.rglob("*.mo"))
    for lang in TRANSLATED:
        catalog = _catalog(lang)
        for message in catalog:
            if message.id and isinstance(message.id, str):
                assert i18n.gettext(message.id, lang) == message.string


def test_unknown_language_is_refused_naming_the_allowed():
    with pytest.raises(i18n.LanguageError, match=r"'fr'.*allowed: en, de, nl"):
        i18n.check_language("fr")
    assert i18n.check_language(" DE ") == "de"


def test_every_named_scenario_has_a_translated_title():
    assert set(scenario_names()) <= set(labels.SCENARIO_TITLES)
    assert labels.scenario_title("socialgov") == "SocialGov"


# ---------------------------------------------------------------------- choosing the language
def test_accept_language_is_read_in_order_of_preference():
    assert i18n.preferred_languages("fr-CH, fr;q=0.9, de;q=0.8, *;q=0.5") == ["fr-CH", "fr", "de"]
    assert i18n.preferred_languages("nl;q=0.2, de-AT") == ["de-AT", "nl"]
    assert i18n.preferred_languages("de;q=0, nl") == ["nl"]
    assert i18n.preferred_languages("") == [] and i18n.preferred_languages(None) == []


def test_the_first_language_we_speak_wins():
    assert i18n.negotiate(["fr-CH", "fr", "de-AT", "nl"]) == "de"
    assert i18n.negotiate(["nl-BE"]) == "nl"
    assert i18n.negotiate(["fr", "es"]) is None


def test_a_session_takes_the_browser_language_unless_the_server_forces_one(monkeypatch):
    monkeypatch.delenv(i18n.ENV_LANG, raising=False)
    german = {"accept-language": ["de-DE,de;q=0.9,en;q=0.8"]}
    assert language.initial_language(german) == "de"
    assert language.initial_language({"Accept-Language": ["nl-NL"]}) == "nl"
    assert language.initial_language({"accept-language": ["fr-FR"]}) == "en"
    assert language.initial_language(None) == "en"
    monkeypatch.setenv(i18n.ENV_LANG, "nl")
    assert language.initial_language(german) == "nl"


def test_cli_lang_is_checked_in_one_line_with_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "coprod", "dashboard", "--lang", "fr"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--lang" in lines[0] and "'fr'" in lines[0]
    assert all(f"'{code}'" in lines[0] for code in i18n.LANGUAGES)


def test_cli_offers_the_dashboard_languages():
    from coprod.analysis.cli import DASHBOARD_LANGUAGES

    assert DASHBOARD_LANGUAGES == tuple(i18n.LANGUAGES)


# ---------------------------------------------------------------------- texts and numbers
def test_numbers_follow_the_language():
    assert [i18n.number(12345, lang=x) for x in ("en", "de", "nl")] == [
        "12,345",
        "12.345",
        "12.345",
    ]
    assert i18n.number(2.5, 1, lang="de") == "2,5" and i18n.number(0.05, None, lang="nl") == "0,05"
    assert i18n.percent(0.3, "en") == "30%"
    assert i18n.percent(0.3, "de") == "30\xa0%"  # German sets a space before the sign
    assert i18n.month_name(3, lang="de") == "März" and i18n.month_name(10, lang="nl") == "oktober"


def test_changed_rules_read_as_a_sentence_in_each_language(speak):
    from coprod.dashboard.components import _change_text

    speak("en")
    assert _change_text("platform.open_data", True, False) == "open data on → off"
    speak("de")  # German nouns keep their capitals
    assert _change_text("platform.open_data", True, False) == "Offene Daten an → aus"
    speak("nl")
    assert _change_text("governance.budget", 1.0, 1.5) == "publiek budget per inwoner 1 → 1,5"


def test_the_map_leaves_room_for_its_labels_in_each_language(speak):
    from coprod.dashboard import network_view as nv
    from coprod.dashboard.charts import text_width

    run = Workshop(seed=1).runs["A"]  # 8 neighbourhoods, four to a row
    room = nv.WIDTH / 4 - 4
    for lang in ("en", "de", "nl"):
        speak(lang)
        layout = run.network_layout
        assert layout is run.network_layout  # built once per language, then kept
        fits = max(text_width(t) for t in nv.full_labels(8)) <= room
        assert layout.label_lines == (2 if fits else 1)
        svg = nv.network_svg(run.model, layout, "trust")
        assert svg.count('class="hood-label"') == 8
    speak("de")
    assert run.network_layout.label_lines == 2  # "8 · reicher" and "Vertrauen 100" fit
    assert "Vertrauen" in nv.network_svg(run.model, run.network_layout, "trust")


def test_charts_speak_the_session_language(speak):
    ws = Workshop(seed=1)
    ws.set_citizens(300)
    ws.step(2)
    run = ws.runs["A"]
    trust = next(c for c in labels.CHARTS if c.key == "trust")
    speak("de")
    html = charts.line_chart(run.frame(), trust, run.events(), run.horizon)
    assert "Vertrauen in die Verwaltung" in html and "Monat" in html
    assert "Trust in the administration" not in html
    assert trust.shown_title() == "Vertrauen und das Gefühl, gehört zu werden"
    assert labels.CHARTS[2].shown_title() == "Öffentlicher Wert 1 — Funktioniert es?"
    speak("nl")
    html = charts.line_chart(run.frame(), trust, run.events(), run.horizon)
    assert "Vertrouwen in de overheid" in html and "maand" in html
    assert "Gemeente 1" in Workshop("experimentalism").runs["A"].municipality_names[0]
    mark = EventMark(7, "budget_cut", 0.3, 12, live=True)
    assert (
        mark.text == "Maand 7: bezuiniging van 30% gedurende 12 maanden (gestart in de workshop)"
    )
    speak("en")  # the English source stays as it was
    assert mark.text == "Month 7: budget cut of 30% for 12 months (triggered in the workshop)"


# ---------------------------------------------------------------------- in a browser


def _open(browser, url: str, locale: str):
    from dashboard_browser import TIMEOUT, localised_context

    context = localised_context(browser, locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector(".coprod-month")
    page.wait_for_selector('.coprod-chart[data-chart="participation"]')
    return page


def test_a_german_browser_gets_german_and_step_works(browser, url):
    from dashboard_browser import chart_months, month, screenshot, step, wait_month

    page = _open(browser, url, "de-DE")
    try:
        assert page.evaluate("navigator.language") == "de-DE"
        page.wait_for_selector(".coprod-month >> text=Monat 0 von")
        body = page.locator("body").inner_text()
        assert "Vertrauen" in body and "Einstellungen" in body
        assert "Settings" not in body
        assert page.locator(".coprod-step").inner_text().strip().lower() == "schritt"
        step(page, 2)
        assert month(page) == 2 and chart_months(page) == [2]
        legend = page.locator(".coprod-view-participation .coprod-legend").inner_text()
        assert "Diesen Monat mitgemacht:" in legend
        assert page.locator(".coprod-lang-de.v-btn--active").count() == 1
        page.click(".coprod-play")  # months drawn by the play thread are German too
        wait_month(page, 4)
        page.click(".coprod-play")
        page.wait_for_selector(".coprod-play >> text=Abspielen")
        legend = page.locator(".coprod-view-participation .coprod-legend").inner_text()
        assert "Diesen Monat mitgemacht:" in legend
        assert "Monat" in page.locator(".coprod-month").inner_text()
        screenshot(page, "i18n-01-german")
    finally:
        page.context.close()


def test_switching_the_language_on_the_page_keeps_the_run(browser, url):
    from dashboard_browser import chart_months, month, screenshot, step

    page = _open(browser, url, "en-GB")
    try:
        page.wait_for_selector(".coprod-month >> text=Month 0 of")
        step(page)
        page.click(".coprod-lang-nl")
        page.wait_for_selector(".coprod-month >> text=Maand 1 van")
        page.wait_for_selector(
            ".coprod-view-trust .coprod-legend >> text=Vertrouwen in de overheid"
        )
        sidebar = page.locator(".coprod-settings").inner_text()
        assert "Wie doet wat" in sidebar and "Hoe diensten tot stand komen" in sidebar
        assert "Alle partijen gelijkwaardig" in sidebar  # the scenario's description
        assert "Instellingen" in page.locator("body").inner_text()
        assert month(page) == 1 and chart_months(page) == [1]  # the run was not restarted
        step(page)
        assert month(page) == 2
        page.click(".coprod-lang-de")
        page.wait_for_selector(".coprod-month >> text=Monat 2 von")
        page.click(".coprod-lang-en")
        page.wait_for_selector(".coprod-month >> text=Month 2 of")
        screenshot(page, "i18n-02-switched")
    finally:
        page.context.close()


#: Legend entries running out of their card, and drawing text running out of its drawing.
_OUTSIDE_JS = """() => {
    const out = [];
    for (const item of document.querySelectorAll('.coprod-legend-item')) {
        const card = item.closest('.coprod-panel').getBoundingClientRect();
        const r = item.getBoundingClientRect();
        if (r.width && (r.right > card.right + 1 || r.left < card.left - 1))
            out.push('legend: ' + item.textContent.trim());
    }
    for (const text of document.querySelectorAll('.coprod-view svg text')) {
        const svg = text.ownerSVGElement, box = text.getBBox(), view = svg.viewBox.baseVal;
        if (box.width && (box.x < view.x - 1 || box.x + box.width > view.x + view.width + 1))
            out.push('drawing: ' + text.textContent.trim());
    }
    return out;
}"""


@pytest.mark.parametrize("locale", ["en-GB", "de-DE", "nl-NL"])
def test_longer_words_still_fit_a_projector(browser, url, locale):
    """German and Dutch words are longer: at 1280x720 no text is cut off or runs out."""
    from dashboard_browser import (
        PROJECTOR,
        TIMEOUT,
        layout_problems,
        localised_context,
        screenshot,
        step,
    )  # fmt: skip

    context = localised_context(browser, locale, viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(url)
        page.wait_for_selector('.coprod-chart[data-chart="participation"]')
        step(page, 1)
        for header in page.locator(".coprod-settings .v-expansion-panel-header").all():
            if header.get_attribute("aria-expanded") != "true":
                header.click()
        problems = layout_problems(page)
        assert (problems["clipped"], problems["covered"], problems["small"]) == ([], [], [])
        assert page.evaluate(_OUTSIDE_JS) == []
        screenshot(page, f"i18n-03-projector-{locale}")
        page.click(".coprod-compare .v-input--selection-controls__ripple")
        page.wait_for_selector(".coprod-header-B")
        step(page, 1)
        problems = layout_problems(page)
        assert (problems["clipped"], problems["covered"], problems["small"]) == ([], [], [])
        assert page.evaluate(_OUTSIDE_JS) == []
    finally:
        context.close()
