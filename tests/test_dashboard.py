"""The workshop dashboard: state and drawing logic, asset install, and the page in a browser.

The browser tests start ``coprod dashboard`` on a free port and drive Debian's Chromium with
Playwright; where no Chromium is installed they are skipped with the reason. Screenshots of
each state land in test-artifacts/dashboard/.
"""

from __future__ import annotations

import csv
import inspect
import io
import re
import stat
import threading
import time

import numpy as np
import pytest
import solara

from coprod.dashboard import charts, labels, server
from coprod.dashboard import network_view as nv
from coprod.dashboard.assets import (
    ENV_VAR,
    AssetError,
    Package,
    asset_dir,
    is_installed,
    required_packages,
)
from coprod.dashboard.install_assets import install
from coprod.dashboard.install_assets import main as install_main
from coprod.dashboard.state import CSV_COLUMNS, LOCAL_MEASURES, EventMark, Workshop
from coprod.model.measures import MEASURES
from coprod.model.scenario import Scenario, scenario_names

SMALL = 300  # residents in the unit tests' workshops


@pytest.fixture
def workshop():
    ws = Workshop()
    ws.set_citizens(SMALL)
    return ws


# ---------------------------------------------------------------------- state
def test_workshop_starts_at_month_zero_with_the_default_scenario(workshop):
    assert workshop.month == 0
    assert workshop.sides == ("A",)
    assert workshop.scenario().name == "socialgov"
    assert workshop.horizon == Scenario.load("socialgov").steps
    assert len(workshop.runs["A"].frame()) == 0


def test_step_moves_the_run_and_the_version(workshop):
    before = workshop.version
    assert workshop.step(3) == 3
    assert workshop.version > before
    frame = workshop.runs["A"].frame()
    assert list(frame.index) == [0, 1, 2, 3]
    assert set(MEASURES) <= set(frame.columns)


def test_changing_a_rule_restarts_and_is_listed(workshop):
    workshop.step(2)
    workshop.set_rule("A", "governance.budget", 0.7)
    assert workshop.month == 0
    assert workshop.scenario().governance.budget == 0.7
    assert workshop.changes("A") == [("governance.budget", 1.0, 0.7)]
    workshop.set_rule("A", "governance.budget", 1.0)  # back to the scenario's value
    assert workshop.changes("A") == []


def test_a_bad_value_changes_nothing_and_says_why(workshop):
    workshop.step(2)
    workshop.set_rule("A", "governance.human_review", 3.0)
    assert "governance.human_review" in workshop.error
    assert workshop.overrides["A"] == {}
    assert workshop.month == 2  # the run goes on
    workshop.set_rule("A", "governance.human_review", 0.5)
    assert workshop.error is None


def test_only_dashboard_rules_can_be_set(workshop):
    with pytest.raises(ValueError, match="not a rule"):
        workshop.set_rule("A", "behaviour.learning_rate", 0.5)


def test_picking_a_scenario_drops_changes_and_restarts(workshop):
    workshop.set_rule("A", "platform.open_data", False)
    workshop.step()
    workshop.set_scenario("A", "austerity_shock")
    assert workshop.month == 0
    assert workshop.overrides["A"] == {}
    assert workshop.scenario().name == "austerity_shock"
    assert workshop.scenario().population.citizens == SMALL
    planned = workshop.runs["A"].events()
    assert [(m.kind, m.live) for m in planned] == [("budget_cut", False)]


def test_every_control_value_is_accepted_by_the_scenario_schema(workshop):
    for control in labels.CONTROLS.values():
        values = list(control.options) or (
            [True, False] if control.kind == "switch" else [control.low, control.high]
        )
        for value in values:
            workshop.set_rule("A", control.key, value)
            assert workshop.error is None, (control.key, value, workshop.error)
            assert workshop.value("A", control.key) == value  # and the run uses it
            assert workshop.runs["A"].scenario == workshop.scenario("A")


def test_compare_steps_two_runs_together_with_the_same_seed(workshop):
    workshop.set_compare(True)
    assert workshop.sides == ("A", "B")
    workshop.step(4)
    a, b = (workshop.runs[s].frame() for s in "AB")
    assert len(a) == len(b) == 5  # the initial state and 4 months
    assert a.equals(b)  # same settings and seed: the same run
    workshop.set_scenario("B", "traditional")
    workshop.step(4)
    assert workshop.runs["A"].month == workshop.runs["B"].month == 4
    assert not workshop.runs["A"].frame().equals(workshop.runs["B"].frame())
    assert workshop.scenarios == {"A": "socialgov", "B": "traditional"}


def test_events_hit_every_run_and_are_marked(workshop):
    workshop.set_compare(True)
    workshop.step(2)
    marks = workshop.trigger("trust_scandal")
    assert [(m.step, m.kind, m.live) for m in marks] == [(3, "trust_scandal", True)] * 2
    trust_before = workshop.runs["A"].model.citizens.trust.mean()
    workshop.step()
    assert workshop.runs["A"].model.citizens.trust.mean() < 0.8 * trust_before
    for run in workshop.runs.values():
        assert any(e.kind == "trust_scandal" and e.step == 3 for e in run.model.events)
    with pytest.raises(ValueError, match="unknown event"):
        workshop.trigger("alien_invasion")


def test_same_seed_same_run_and_another_seed_another(workshop):
    workshop.step(5)
    first = workshop.runs["A"].frame().copy()
    workshop.reset()
    workshop.step(5)
    assert workshop.runs["A"].frame().equals(first)
    workshop.set_seed(9)
    workshop.step(5)
    assert not workshop.runs["A"].frame().equals(first)


def test_csv_has_the_measures_and_the_events(workshop):
    workshop.step(2)
    workshop.trigger("budget_cut")
    workshop.step(2)
    rows = list(csv.reader(io.StringIO(workshop.csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4"]
    assert "budget cut of 30%" in rows[4][-1] and rows[5][-1] == ""  # row 1 is step 0
    assert workshop.csv_name() == "coprod-socialgov-seed0-month4.csv"
    empty = Workshop()
    assert list(csv.reader(io.StringIO(empty.csv()))) == [list(CSV_COLUMNS)]


def test_sessions_do_not_share_models():
    one, two = Workshop(), Workshop()
    one.step(3)
    assert two.month == 0
    assert one.runs["A"].model is not two.runs["A"].model


def test_event_mark_words():
    assert EventMark(5, "budget_cut", 0.3, None, True).text == (
        "Month 5: budget cut of 30% (triggered in the workshop)"
    )
    assert "for 3 months" in EventMark(5, "platform_outage", 1.0, None, False).what
    assert "trust falls by 25%" in EventMark(5, "trust_scandal", 0.25, None, False).what


# ---------------------------------------------------------------------- words
def test_every_chart_and_label_names_a_real_measure():
    for spec in labels.CHARTS:
        for series in spec.series:
            assert series.measure in MEASURES
            assert series.label and series.help
    assert set(labels.MEASURE_LABELS) <= set(MEASURES)
    assert labels.SCORES <= set(MEASURES)


def test_every_control_is_a_scenario_key():
    data = Scenario().to_dict()
    for key, control in labels.CONTROLS.items():
        section, name = key.split(".")
        assert name in data[section], key
        assert control.help and control.label
    kinds = {e.kind for e in labels.EVENTS}
    assert kinds == {"budget_cut", "platform_outage", "trust_scandal", "demand_shock"}


def test_scenario_titles_are_words():
    assert labels.scenario_title("socialgov") == "SocialGov"
    assert labels.scenario_title("digital_by_default") == "Digital by default"
    assert all(labels.scenario_title(n) for n in scenario_names())


def test_one_municipality_can_be_picked_for_the_charts():
    ws = Workshop("experimentalism")
    ws.set_citizens(1200)
    assert ws.municipalities == 12
    choices = ws.municipality_choices()
    assert choices[0] == (None, "All municipalities") and len(choices) == 13
    assert all(text.startswith(f"Municipality {m + 1} (") for m, text in choices[1:])
    ws.step(4)
    run = ws.runs["A"]
    whole = run.frame()
    assert ws.frames()[0] is whole  # all municipalities: the model's own measures
    ws.set_municipality(2)
    frame = ws.frames()[0]
    # places are measured from the first month on; the initial state (step 0) is the model's
    assert frame.loc[0, list(LOCAL_MEASURES - {"performing_value", "proper_value"})].isna().all()
    frame = frame.loc[1:]
    rows = run.model.municipality_vars.query("municipality == 2").set_index("step")
    assert LOCAL_MEASURES >= {"trust", "adoption", "participation_rate", "equality"}
    for measure in LOCAL_MEASURES - {"performing_value", "proper_value"}:
        assert frame[measure].tolist() == pytest.approx(rows[measure].tolist())
    performing = (rows["effectiveness"] + rows["efficiency"]) / 2
    assert frame["performing_value"].tolist() == pytest.approx(performing.tolist())
    assert "responsive_value" not in LOCAL_MEASURES  # satisfaction is not measured per place
    assert not frame["trust"].equals(whole["trust"])
    assert frame["satisfaction"].equals(whole["satisfaction"].loc[1:])  # not measured per place
    assert run.frame()["trust"].equals(whole["trust"])  # the cached frame is untouched
    with pytest.raises(ValueError, match="no municipality"):
        ws.set_municipality(12)
    ws.set_scenario("A", "socialgov")  # one municipality: nothing to pick
    assert ws.municipality is None and ws.municipality_choices() == []
    assert ws.frames()[0] is ws.runs["A"].frame()


def test_municipalities_are_named_by_their_residents_status():
    names = labels.municipality_labels([0.6, 0.3, 0.5, 0.45, 0.7, 0.35])
    assert names == [
        "Municipality 1 (better-off)",
        "Municipality 2 (poorer)",
        "Municipality 3 (middle)",
        "Municipality 4 (middle)",
        "Municipality 5 (better-off)",
        "Municipality 6 (poorer)",
    ]


def test_charts_and_innovations_for_one_municipality():
    ws = Workshop("experimentalism")
    ws.set_citizens(1200)
    ws.step(3)
    ws.set_municipality(0)
    run = ws.runs["A"]
    place = run.municipality_names[0]
    spec = next(c for c in labels.CHARTS if c.key == "responsive")
    html = charts.line_chart(ws.frames()[0], spec, [], run.horizon, None, place, LOCAL_MEASURES)
    assert f'data-municipality="{place}"' in html
    assert "Satisfied residents (all municipalities)" in html
    assert "Does it listen? (average) (all municipalities)" in html
    assert 'data-measure="responsiveness" data-scope="local"' in html
    assert 'data-measure="satisfaction" data-scope="all"' in html
    whole = charts.line_chart(run.frame(), spec, [], run.horizon)
    assert "data-municipality" not in whole and "(all municipalities)" not in whole
    adopted = [[], ["open_government", "inclusion_outreach"], []]
    names = ["Municipality 1 (poorer)", "Municipality 2 (middle)", "Municipality 3 (better-off)"]
    listing = charts.innovation_list(adopted, names)
    assert listing.count('class="coprod-innovation-item"') == 3
    assert "Open data and open processes, Outreach to those who rarely take part" in listing
    assert "none yet" in listing and 'data-count="2"' in listing
    one = charts.innovation_list(adopted, names, 0)
    assert one.count('class="coprod-innovation-item"') == 1 and "Municipality 1" in one
    assert len(run.innovations()) == 12
    assert Workshop().runs["A"].innovations() is None  # no innovation between places


# ---------------------------------------------------------------------- drawing
def test_line_chart_marks_events_and_the_month(workshop):
    workshop.step(6)
    workshop.trigger("budget_cut")
    run = workshop.runs["A"]
    spec = labels.CHARTS[0]
    html = charts.line_chart(run.frame(), spec, run.events(), run.horizon)
    assert 'data-month="6"' in html and 'data-chart="participation"' in html
    assert html.count('class="event-marker"') == 1
    assert 'data-kind="budget_cut" data-step="7" data-live="true"' in html
    assert html.count('class="series"') == len(spec.series)
    assert "Took part this month" in html


def test_empty_chart_invites_to_start(workshop):
    run = workshop.runs["A"]
    html = charts.line_chart(run.frame(), labels.CHARTS[1], [], run.horizon)
    assert "Press Step or Play" in html and 'data-month="0"' in html


def test_axis_snaps_to_round_values():
    assert charts.nice_ceiling(0.07) == 0.1
    assert charts.nice_ceiling(0.93) == 1.0
    assert charts.nice_ceiling(3.0) == 1.0
    for top in charts.NICE:
        ticks = charts.y_ticks(top)
        assert ticks[0] == 0 and ticks[-1] == pytest.approx(top) and 3 <= len(ticks) <= 6


def test_quintile_chart_shows_ten_bars_and_the_divide():
    html = charts.quintile_chart(
        [0.05, 0.06, 0.08, 0.1, 0.12], [0.1, 0.2, 0.3, 0.4, 0.5], 12, None
    )
    assert html.count('class="quintile-bar"') == 10
    assert "2.4 times as often" in html
    assert charts.divide_sentence([0.1] * 5, 3).startswith("Poorer and better-off")
    assert charts.divide_sentence([0.0, 0, 0, 0, 0.1], 3).startswith("Only the better-off")


def test_event_list_tells_past_and_planned():
    marks = [
        EventMark(2, "budget_cut", 0.3, None, True),
        EventMark(60, "demand_shock", 0.3, 12, False),
    ]
    html = charts.event_list(marks, month=5)
    assert 'data-state="done"' in html and 'data-state="next"' in html
    assert "(to come)" in html and "planned in the scenario" in html


def test_network_draws_a_sample_of_a_large_population():
    ws = Workshop()
    ws.set_citizens(5000)
    model = ws.runs["A"].model
    layout = nv.layout_for(model)
    assert layout.sampled and len(layout.rows) <= nv.MAX_DOTS + len(model.hoods)
    assert len(np.unique(layout.rows)) == len(layout.rows)
    per_hood = np.bincount(model.citizens.hood[layout.rows], minlength=len(model.hoods))
    assert per_hood.min() > 0
    ws.step()
    html = nv.network_svg(model, layout, "participation")
    assert html.count('class="hood"') == len(model.hoods)
    assert html.count("<circle") == len(layout.rows) + len(model.hoods)
    assert f"showing a sample of {len(layout.rows):,} of 5,000 residents" in html
    trust = nv.network_svg(model, layout, "trust")
    assert 'data-colour="trust"' in trust and nv.TRUST_PALETTE[0] in trust


def test_small_network_is_drawn_whole(workshop):
    model = workshop.runs["A"].model
    layout = nv.layout_for(model)
    assert not layout.sampled and len(layout.rows) == SMALL


def test_a_run_keeps_its_map_layout_until_a_restart(workshop):
    run = workshop.runs["A"]
    assert run.network_layout is run.network_layout  # built once, then kept
    assert run.network_layout.total == SMALL
    workshop.step()
    assert workshop.runs["A"].network_layout is run.network_layout
    workshop.set_citizens(SMALL + 100)  # a restart: a new model, a new layout
    assert workshop.runs["A"].network_layout.total == SMALL + 100


def _font_sizes(html: str) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([0-9.]+)"', html)]


@pytest.mark.parametrize("scenario", ["socialgov", "experimentalism"])
def test_every_drawing_sets_its_text_at_the_projector_size(scenario):
    # drawings are laid out in CSS pixels at charts.WIDTH: the browser test checks that this is
    # the size they have at 1280x720, here every text must be set at least at charts.FONT
    ws = Workshop(scenario)
    ws.set_citizens(SMALL * 4)
    ws.step(3)
    ws.trigger("budget_cut")
    run = ws.runs["A"]
    frame = run.frame()
    late = [*run.events(), EventMark(run.horizon - 1, "demand_shock", 0.3, None, False)]
    drawings = [charts.line_chart(frame, spec, late, run.horizon) for spec in labels.CHARTS]
    drawings.append(
        charts.quintile_chart(
            charts.quintile_participation(frame), run.quintile_adoption(), run.month, None
        )
    )
    drawings += [nv.network_svg(run.model, run.network_layout, c) for c in labels.COLOUR_BY]
    assert all(_font_sizes(html) for html in drawings)
    assert min(size for html in drawings for size in _font_sizes(html)) >= charts.FONT
    widths = {re.search(r'viewBox="0 0 ([0-9.]+) ', html).group(1) for html in drawings}
    assert widths == {str(charts.WIDTH)}


def test_an_event_label_at_the_right_edge_runs_to_the_left_of_its_line(workshop):
    run = workshop.runs["A"]
    marks = [
        EventMark(6, "budget_cut", 0.3, None, True),
        EventMark(run.horizon, "demand_shock", 0.3, None, False),
    ]
    html = charts.line_chart(run.frame(), labels.CHARTS[0], marks, run.horizon)
    anchors = re.findall(r'class="event-marker".*?text-anchor="(\w+)"', html)
    assert anchors == ["start", "end"]


@pytest.mark.parametrize("months", [12, 60, 120, 240, 360, 600, 1200])
def test_month_labels_leave_room_between_them(months):
    px_per_month = (charts.WIDTH - charts.LEFT - charts.RIGHT) / months
    every = charts.month_step(months, px_per_month)
    steps = (12, 24, 60, 120, 240)
    assert every in steps and every * px_per_month >= charts.TICK_ROOM
    tighter = steps[: steps.index(every)]  # as many labels as fit: a tighter step does not
    assert all(m * px_per_month < charts.TICK_ROOM for m in tighter)


def test_neighbourhood_labels_say_more_where_there_is_room():
    few = nv.layout_for(Workshop().runs["A"].model)  # 8 neighbourhoods, four to a row
    assert few.label_lines == 2
    many = nv.layout_for(Workshop("experimentalism").runs["A"].model)  # 48 neighbourhoods
    assert many.label_lines < few.label_lines
    cell = charts.WIDTH / 8
    assert many.label_lines == 0 and charts.text_width(nv.SHORT_LABEL) > cell - 4


def test_text_width_errs_on_the_side_of_room():
    # widths in px at 12 px, measured with SVG getBBox() in Chromium with the dashboard's Roboto
    measured = {
        "8 · better-off": 67.6,
        "100/100": 46.1,
        "100%": 29.4,
        "0%": 15.7,
        "municipality 12": 82.5,
        "demand shock": 80.3,
        "month": 35.0,
        "mmmm": 42.5,
        "WWWW": 43.0,
    }
    for text, width in measured.items():
        assert width <= charts.text_width(text, 12) <= 1.25 * width, text


def test_drawing_a_month_draws_every_chart_and_the_network():
    # how fast this is lives in benchmarks/dashboard_step.py, not in a timed test
    ws = Workshop()  # the default scenario, 2,000 residents
    ws.step()
    run = ws.runs["A"]
    layout = nv.layout_for(run.model)
    frame = run.frame()
    drawn = [charts.line_chart(frame, spec, run.events(), run.horizon) for spec in labels.CHARTS]
    assert len(drawn) == len(labels.CHARTS) and all(d is not None for d in drawn)
    assert "<svg" in nv.network_svg(run.model, layout)


# ---------------------------------------------------------------------- play loop
def test_play_loop_steps_until_paused_and_stops_at_the_horizon():
    from coprod.dashboard.app import play_loop
    from coprod.dashboard.components import Session

    ws = Workshop()
    ws.set_rule("A", "governance.budget", 1.0)
    session = Session(
        ws,
        rev=solara.reactive(0),
        settings_rev=solara.reactive(0),
        playing=solara.reactive(True),
        speed=solara.reactive(50),
        colour_by=solara.reactive("participation"),
        editing=solara.reactive("A"),
    )
    cancel = threading.Event()
    thread = threading.Thread(target=play_loop, args=(session, cancel))
    thread.start()
    deadline = time.monotonic() + 10
    while ws.month < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    session.playing.set(False)
    thread.join(5)
    assert not thread.is_alive()
    assert ws.month >= 3 and session.rev.value == ws.version

    ws.set_scenario("A", "socialgov")
    for _ in range(ws.horizon - 1):
        ws.step()
    session.playing.set(True)
    play_loop(session, threading.Event())  # runs the last month, then stops by itself
    assert ws.finished and not session.playing.value


# ---------------------------------------------------------------------- assets and server
def test_required_assets_are_read_from_solara():
    names = {p.name: p.version for p in required_packages()}
    assert set(names) == {
        "@widgetti/solara-vuetify-app",
        "requirejs",
        "font-awesome",
        "@widgetti/vue-grid-layout",
    }
    for version in names.values():
        assert version[0].isdigit() and version.count(".") >= 2


FAKE_NPM = """#!/usr/bin/env python3
import json, os, sys, tarfile, io
args = sys.argv[1:]
dest = args[args.index("--pack-destination") + 1]
specs = [a for a in args[1:] if not a.startswith("--") and a != dest]
out = []
for spec in specs:
    name, version = spec.rsplit("@", 1)
    fname = name.replace("@", "").replace("/", "-") + "-" + version + ".tgz"
    with tarfile.open(os.path.join(dest, fname), "w:gz") as tar:
        for path, text in (("package/package.json", json.dumps({"name": name, "version": version})),
                           ("package/dist/main.js", "// " + spec)):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.append({"id": spec, "filename": fname})
with open(os.path.join(os.path.dirname(sys.argv[0]), "calls.txt"), "a") as log:
    log.write(" ".join(specs) + "\\n")
print(json.dumps(out))
"""


def test_install_assets_unpacks_each_package_once(tmp_path):
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(FAKE_NPM)
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    folder = tmp_path / "cdn"
    assert install_main(["--check", "--dir", str(folder)]) == 1
    installed = install(folder, npm=str(npm))
    assert sorted(installed) == required_packages()
    for package in required_packages():
        assert is_installed(package, folder)
        assert (folder / package.spec / "dist" / "main.js").is_file()
    assert install(folder, npm=str(npm)) == []  # idempotent: nothing fetched again
    assert len((npm.parent / "calls.txt").read_text().splitlines()) == 1
    assert install_main(["--check", "--dir", str(folder)]) == 0
    assert not is_installed(Package("requirejs", "0.0.1"), folder)


def test_install_assets_reports_a_missing_npm(tmp_path):
    folder = tmp_path / "cdn"
    with pytest.raises(AssetError, match="not found: install Node.js and npm"):
        install(folder, npm=str(tmp_path / "no-npm"))
    assert not folder.exists()  # nothing written


def test_configure_points_solara_at_the_asset_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    env: dict[str, str] = {}
    folder = server.configure(env)
    assert folder == asset_dir() == tmp_path.resolve()
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path.resolve())
    assert env["SOLARA_APP"] == "coprod.dashboard.app"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_dashboard_listens_on_loopback_by_default():
    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1"
    from coprod.analysis.cli import dashboard_command

    host = next(p for p in dashboard_command.params if p.name == "host")
    assert host.default == "127.0.0.1"


# ---------------------------------------------------------------------- in a browser


def test_page_loads_offline_with_no_external_request(browser, url):
    from dashboard_browser import month, open_dashboard, screenshot

    requests: list[str] = []
    page = open_dashboard(browser, url, requests)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.wait_for_load_state("networkidle")
    try:
        assert month(page) == 0
        assert page.locator(".coprod-chart").count() == len(labels.CHARTS) + 1
        assert page.locator(".coprod-network .hood").count() == 8
        base = url.rstrip("/")
        ws_base = base.replace("http://", "ws://")
        external = [r for r in requests if not (r.startswith(base) or r.startswith(ws_base))]
        assert external == []
        assert failed == []
        assert any("/_solara/cdn/@widgetti/solara-vuetify-app@" in r for r in requests)
        screenshot(page, "01-loaded")
    finally:
        page.context.close()


def test_pick_a_scenario(page):
    from dashboard_browser import pick, screenshot
    from playwright.sync_api import expect

    pick(page, "coprod-scenario-A", "Austerity shock")
    page.wait_for_selector(".coprod-description >> text=budget is cut")
    markers = page.locator(
        '.coprod-chart .event-marker[data-kind="budget_cut"][data-live="false"]'
    )
    expect(markers).to_have_count(len(labels.CHARTS))  # waits for every chart to redraw
    assert markers.first.get_attribute("data-step") == "60"
    screenshot(page, "02-scenario-picked")


def test_change_a_control_restarts_with_the_new_rule(page):
    from dashboard_browser import month, screenshot, step
    from playwright.sync_api import expect

    step(page, 2)
    page.click("text=The platform")
    page.click(".coprod-rule-platform-open-data .v-input--selection-controls__ripple")
    page.wait_for_selector(".coprod-changes >> text=open data on → off")
    page.wait_for_selector(".coprod-month >> text=Month 0 of")
    assert month(page) == 0
    # the charts redraw just after the month label: wait for them, then require month 0
    expect(page.locator('.coprod-chart[data-chart="participation"]')).to_have_attribute(
        "data-month", "0"
    )
    screenshot(page, "03-control-changed")


def test_step_and_play_update_the_charts(page):
    from dashboard_browser import chart_months, month, screenshot, step, wait_month

    step(page)
    assert chart_months(page) == [1]
    assert chart_months(page, "quintiles") == [1]  # the month run, not the rows with step 0
    legend = page.locator(".coprod-view-participation .coprod-legend").inner_text()
    assert "Took part this month:" in legend
    page.click(".coprod-play")
    wait_month(page, 4)
    page.click(".coprod-play")  # pause
    page.wait_for_selector(".coprod-play >> text=Play")
    paused = month(page)
    wait_month(page, paused)  # every chart has drawn the month the play thread ended on
    time.sleep(0.8)
    assert month(page) == paused
    assert chart_months(page) == [paused]
    assert chart_months(page, "trust") == [paused]
    screenshot(page, "04-stepped-and-played")


def test_compare_mode_shows_two_panels_stepped_together(page):
    from dashboard_browser import chart_months, pick, screenshot, step
    from playwright.sync_api import expect

    page.click(".coprod-compare .v-input--selection-controls__ripple")
    page.wait_for_selector(".coprod-header-B")
    page.click(".coprod-editing >> text=B")
    pick(page, "coprod-scenario-B", "Traditional")
    page.wait_for_selector(".coprod-header-B >> text=Traditional")
    step(page, 3)
    for view in ("network", "quintiles", *(c.key for c in labels.CHARTS)):
        card = page.locator(f".coprod-view-{view}")
        expect(card.locator(".coprod-side-A")).to_have_count(1)
        expect(card.locator(".coprod-side-B")).to_have_count(1)
    assert chart_months(page) == [3, 3]
    a, b = (
        page.locator(f".coprod-view-participation .coprod-side-{s} .coprod-legend").inner_text()
        for s in "AB"
    )
    assert a != b
    screenshot(page, "05-compare")


def test_an_event_marks_every_chart(page):
    from dashboard_browser import screenshot, step
    from playwright.sync_api import expect

    step(page, 2)
    page.click(".coprod-event-trust_scandal")
    selector = '.coprod-chart .event-marker[data-kind="trust_scandal"][data-live="true"]'
    page.wait_for_selector(selector)
    step(page, 2)
    marks = page.locator(selector)
    expect(marks).to_have_count(len(labels.CHARTS))
    assert {marks.nth(i).get_attribute("data-step") for i in range(marks.count())} == {"3"}
    assert "trust falls by 25%" in page.locator(".coprod-view-events").inner_text()
    page.click(".coprod-colour-trust")
    page.wait_for_selector('.coprod-network[data-colour="trust"]')
    screenshot(page, "06-event-marked")


def test_csv_download_has_the_expected_columns(page, tmp_path):
    from dashboard_browser import screenshot, step

    step(page, 3)
    with page.expect_download() as info:
        page.click(".coprod-download-A")
    download = info.value
    assert download.suggested_filename == "coprod-socialgov-seed0-month3.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.reader(target.open()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3"]  # the initial state, then months
    screenshot(page, "07-downloaded")


def test_pick_a_municipality_in_the_experimentalism_scenario(page):
    from dashboard_browser import pick, screenshot, step
    from playwright.sync_api import expect

    assert page.locator(".coprod-municipality").count() == 0  # one municipality
    pick(page, "coprod-scenario-A", "Experimentalism")
    page.wait_for_selector(".coprod-municipality")
    page.wait_for_selector(".coprod-view-innovations .coprod-innovation-item")
    expect(page.locator(".coprod-innovation-item")).to_have_count(12)
    step(page, 2)
    pick(page, "coprod-municipality", "Municipality 3 (")
    charts_shown = page.locator('.coprod-chart[data-municipality^="Municipality 3 ("]')
    expect(charts_shown).to_have_count(len(labels.CHARTS))
    expect(page.locator(".coprod-innovation-item")).to_have_count(1)
    assert page.locator(".coprod-innovation-item").get_attribute("data-municipality") == "2"
    screenshot(page, "09-municipality-picked")
    pick(page, "coprod-municipality", "All municipalities")
    expect(page.locator(".coprod-chart[data-municipality]")).to_have_count(0)


def test_help_explains_in_plain_words(page):
    from dashboard_browser import screenshot

    page.hover(".coprod-view-trust .coprod-help")
    tip = page.locator(".v-tooltip__content.menuable__content__active")
    tip.wait_for()
    assert "taking part" in tip.inner_text() or "input" in tip.inner_text()
    efficacy = page.locator('.coprod-view-trust .coprod-legend-item[title*="makes a difference"]')
    assert efficacy.count() == 1
    screenshot(page, "08-tooltip")


def test_ten_sessions_each_have_their_own_model(browser, url):
    from dashboard_browser import TIMEOUT, chart_months, month, screenshot, step

    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(10)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:  # load all ten at once
            p.set_default_timeout(TIMEOUT * 2)
            p.goto(url, wait_until="commit")
        for p in pages:
            p.wait_for_selector('.coprod-chart[data-chart="participation"]')
            assert month(p) == 0
        step(pages[0], 3)
        step(pages[7], 1)
        time.sleep(0.5)
        months = [month(p) for p in pages]
        assert months == [3, 0, 0, 0, 0, 0, 0, 1, 0, 0]
        assert [chart_months(p) for p in pages] == [[m] for m in months]
        screenshot(pages[7], "09-ten-sessions-page8")
    finally:
        for c in contexts:
            c.close()


def test_browser_tests_are_skipped_with_a_reason_without_chromium(monkeypatch):
    import dashboard_browser

    monkeypatch.setattr(dashboard_browser, "CHROMIUM", "/nonexistent/chromium")
    reason = dashboard_browser.chromium_missing()
    assert reason and "apt-get install -y chromium" in reason


def test_importing_the_server_leaves_solara_unconfigured():
    # Solara reads its settings when its server is first imported: serve() must get there first
    import subprocess
    import sys

    code = (
        "import sys, coprod.dashboard.server, coprod.analysis.cli; "
        "print('solara.server.settings' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_warm_up_loads_the_compiled_rules_a_month_uses():
    # in a fresh process: the rules the first month calls are loaded by the warm-up, not later
    import subprocess
    import sys

    code = (
        "from coprod.model import participation as p; "
        "before = len(p._channel_cost_of.signatures); "
        "from coprod.dashboard.server import warm_up; warm_up(); "
        "print(before, len(p._channel_cost_of.signatures))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "1"]


# ------------------------------------------------------------- on a projector (1280x720)
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


def _open_every_settings_group(page) -> None:
    for header in page.locator(".coprod-settings .v-expansion-panel-header").all():
        if header.get_attribute("aria-expanded") != "true":
            header.click()


def test_at_1280x720_controls_fit_no_badge_covers_a_legend_and_text_is_readable(projector):
    # readable: all text, in the page and in the drawings, at least 12 px on screen
    from dashboard_browser import layout_problems, pick, screenshot, step

    step(projector, 1)
    _open_every_settings_group(projector)
    projector.click(".coprod-event-demand_shock")
    step(projector, 1)  # an event's label on every chart
    problems = layout_problems(projector)
    assert problems["clipped"] == []
    assert problems["covered"] == []
    assert problems["small"] == []
    assert problems["svgSmall"] == []
    assert problems["svgOverlap"] == []
    assert projector.get_by_text("This website runs on").count() == 0
    projector.click(".coprod-compare .v-input--selection-controls__ripple")
    projector.wait_for_selector(".coprod-header-B")
    step(projector, 1)
    problems = layout_problems(projector)
    assert problems == {key: [] for key in problems}
    screenshot(projector, "10-projector-compare")
    pick(projector, "coprod-scenario-A", "Experimentalism")  # 12 municipalities on the map
    projector.wait_for_selector(".coprod-municipality")
    step(projector, 1)
    problems = layout_problems(projector)
    assert problems == {key: [] for key in problems}
    screenshot(projector, "11-projector-municipalities")


def test_in_compare_mode_every_chart_column_says_a_or_b(projector):
    from playwright.sync_api import expect

    assert projector.locator(".coprod-side-tag").count() == 0  # one run: no tags
    projector.click(".coprod-compare .v-input--selection-controls__ripple")
    projector.wait_for_selector(".coprod-header-B")
    for view in ("network", "quintiles", *(c.key for c in labels.CHARTS)):
        for side in "AB":
            tag = projector.locator(f".coprod-view-{view} .coprod-side-{side} .coprod-side-tag")
            expect(tag).to_have_text(side)


def test_the_seed_field_refuses_a_negative_number(projector):
    from dashboard_browser import month, step

    step(projector, 2)
    projector.click("text=Population and chance")
    field = projector.locator(".coprod-seed input")
    field.fill("-3")
    field.press("Enter")
    projector.wait_for_selector(".coprod-seed-error")
    assert "whole number from 0" in projector.locator(".coprod-seed-error").inner_text()
    assert month(projector) == 2  # not restarted with seed 0
    field.fill("5")
    field.press("Enter")
    projector.wait_for_selector(".coprod-month >> text=Month 0 of")
    assert projector.locator(".coprod-seed-error").count() == 0
