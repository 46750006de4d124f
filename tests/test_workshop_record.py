"""The workshop record: what it keeps, its files, reopening them, and re-running to the same numbers.

Browser tests of saving and opening a record from the page are in test_dashboard_workshop.py.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from coprod.dashboard import i18n, record_html
from coprod.dashboard.state import Run
from coprod.dashboard.workshop_record import (
    MAX_BYTES,
    RECORDED,
    RecordedWorkshop,
    RecordError,
    WorkshopRecord,
    differences,
    load_record,
    replay,
)

SMALL = 300  # residents in these workshops


def _session() -> RecordedWorkshop:
    """A session as a group might run it: two runs one after the other, then a comparison."""
    ws = RecordedWorkshop()
    ws.set_citizens(SMALL)
    ws.step(3)
    ws.trigger("trust_scandal")  # starts in month 4
    ws.step(4)
    ws.set_rule("A", "governance.budget", 0.7)
    ws.step(2)
    ws.set_question("Does a smaller budget cost trust?", ["trust", "equality"])
    ws.set_compare(True)
    ws.set_scenario("B", "traditional")
    ws.trigger("budget_cut")  # starts in month 1 on both sides
    ws.step(5)
    return ws


@pytest.fixture(scope="module")
def session() -> RecordedWorkshop:
    return _session()


@pytest.fixture(scope="module")
def record(session) -> WorkshopRecord:
    return session.record()


# ---------------------------------------------------------------------- what is kept
def test_every_run_is_kept_with_its_settings_events_and_months(record):
    runs = [
        (r.scenario, r.overrides, r.citizens, r.seed, r.side, r.months, r.events)
        for r in record.runs
    ]
    assert [r[:6] for r in runs] == [
        ("socialgov", {}, SMALL, 0, "A", 7),
        ("socialgov", {"governance.budget": 0.7}, SMALL, 0, "A", 2),
        ("socialgov", {"governance.budget": 0.7}, SMALL, 0, "A", 5),
        ("traditional", {}, SMALL, 0, "B", 5),
    ]
    assert [(e.step, e.kind, e.size) for e in runs[0][6]] == [(4, "trust_scandal", 0.25)]
    assert runs[1][6] == []
    assert [(e.step, e.kind) for e in runs[2][6]] == [(1, "budget_cut")]
    assert runs[2][6] == runs[3][6]  # an event hits both sides
    assert record.runs[2].group == record.runs[3].group != record.runs[1].group
    assert record.question.measures == ["trust", "equality"]
    for run in record.runs:
        assert run.started <= run.ended
        assert set(run.series) == set(RECORDED)
        assert all(len(v) == run.months + 1 for v in run.series.values())


def test_kept_measures_are_the_runs_own(session, record):
    frame = session.runs["B"].frame()
    kept = record.runs[3]
    for measure in ("trust", "participation_rate", "participation_q1"):
        # an undefined value (participation at step 0: no month yet) is kept as null
        expected = [None if math.isnan(v) else v for v in frame[measure].tolist()]
        assert kept.series[measure] == expected
        assert kept.series[measure][0] is None or measure == "trust"
    assert kept.adoption == session.runs["B"].quintile_adoption()


def test_a_run_never_stepped_is_not_kept():
    ws = RecordedWorkshop()
    ws.set_citizens(SMALL)
    ws.set_rule("A", "governance.budget", 0.7)
    ws.set_seed(4)
    assert ws.record().runs == []
    ws.step()
    assert len(ws.record().runs) == 1


def test_stepping_does_not_read_the_measure_table(monkeypatch):
    ws = RecordedWorkshop()
    ws.set_citizens(SMALL)
    calls = []
    monkeypatch.setattr(Run, "frame", lambda self, m=None: calls.append(m))
    ws.step(5)
    assert calls == []


# ---------------------------------------------------------------------- files
def test_json_and_html_both_reopen_to_the_same_record(record):
    from_json = load_record(record.to_json().encode(), "w.json")
    page = record_html.to_html(record)
    from_html = load_record(page.encode(), "w.html")
    assert from_json == record
    assert from_html == record


def test_the_page_is_self_contained_and_says_what_each_run_was(record):
    page = record_html.to_html(record)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page and " src=" not in page
    assert page.count('<section class="run"') == 4
    assert page.count('data-chart="trust"') == 4  # each run's charts, inline SVG
    assert "Rules changed here: public budget per resident 1 → 0.7" in page
    assert "Month 4: scandal: trust falls by 25% (triggered in the workshop)" in page
    assert "Does a smaller budget cost trust?" in page
    # the question's measures lead the table and its charts are marked
    table = page[page.index("Measures at the last month") :]
    assert table.index("Trust in the administration") < table.index("Needs met")
    assert ".coprod-record-chart-trust h4::before" in page


def test_the_side_by_side_names_the_settings_that_differ_and_no_others(record):
    rows = dict(record_html.setting_rows(record.runs))
    assert rows["Scenario"] == ["SocialGov", "SocialGov", "SocialGov", "Traditional"]
    assert rows["Public budget per resident"] == ["1", "0.7", "0.7", "1"]
    assert "Seed" not in rows and "Residents simulated" not in rows
    assert "Offline counter stays open" not in rows  # same in both scenarios


def test_compared_runs_name_their_largest_differences(record):
    ref, settings, found, month = record_html.compared_with(record, 3)
    assert ref == "Run 3 (A)" and month == 5
    assert "Scenario: SocialGov → Traditional" in settings
    diffs = record_html.largest_differences(record.runs[2], record.runs[3], ["trust"])
    assert diffs[0][0] == "trust"  # the question leads
    sizes = [abs(d) for _, d, _ in diffs[1:]]
    assert sizes == sorted(sizes, reverse=True)
    a, b = record.runs[2], record.runs[3]
    biggest = max(
        (m for m in record_html.QUESTION_MEASURES if m != "trust"),
        key=lambda m: abs(b.value(m) - a.value(m)),
    )
    assert diffs[1][0] == biggest
    assert found[0].startswith("Trust in the administration")


def test_markdown_twin_has_the_runs_and_the_tables(record):
    text = record_html.to_markdown(record)
    assert text.count("\n## Run ") == 4
    assert "| **Trust in the administration** |" in text
    assert "> Does a smaller budget cost trust?" in text


@pytest.fixture
def speak(monkeypatch):
    """Draw texts in a given language, as a browser session set to it would."""

    def set_language(lang: str) -> None:
        monkeypatch.setattr(i18n, "language_source", lambda: lang)

    return set_language


def test_a_german_session_saves_a_german_record_that_reopens_in_any_language(record, speak):
    # a March date and a population in the thousands show the language's months and numbers
    runs = [*record.runs[:3], record.runs[3].model_copy(update={"citizens": 2500})]
    saved = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
    workshop = record.model_copy(update={"runs": runs, "saved": saved})
    speak("de")
    page = record_html.to_html(workshop)
    text = record_html.to_markdown(workshop)
    words = page[: page.index('<script type="application/json"')]
    assert '<html lang="de">' in page
    for said in (words, text):
        assert "coprod-Workshop, 5. März 2026" in said
        assert "Gespeichert am 5. März 2026, 14:07 (UTC)" in said and "; 4 Läufe." in said
        assert "Unsere Frage" in said and "Die Läufe nebeneinander" in said
        changed = "Öffentliches Budget pro Einwohnerin und Einwohner 1 → 0,7"
        assert f"Hier geänderte Regeln: {changed}" in said
        assert "Monat 4: Skandal: Vertrauen sinkt um 25\xa0% (im Workshop ausgelöst)" in said
        assert "2.500 Einwohnerinnen und Einwohner, Startwert 0" in said
        assert (
            "Verglichen mit Lauf 3 (A):" in said and "Szenario: SocialGov → Traditionell" in said
        )
        assert "Vertrauen in die Verwaltung" in said  # the measures by their German names
        for english in (
            "Our question",
            "Run ",
            "Rules",
            "Trust in",
            "Scenario:",
            "Month",
            "March",
        ):
            assert english not in said, english
    assert "Kennzahlen im letzten Monat jedes Laufs" in page
    assert "<h4>Vertrauen und das Gefühl, gehört zu werden</h4>" in page  # the charts' titles
    assert 'class="coprod-legend"' in page and "Monat" in page[page.index("<svg") :]
    rows = dict(record_html.setting_rows(workshop.runs))
    assert rows["Simulierte Einwohnerzahl"] == ["300", "300", "300", "2.500"]
    assert rows["Öffentliches Budget pro Einwohnerin und Einwohner"] == ["1", "0,7", "0,7", "1"]

    speak("nl")  # the German page reopens in a Dutch session, and is then written in Dutch
    reopened = load_record(page, "workshop.html")
    assert reopened == workshop
    dutch = record_html.to_markdown(reopened)
    assert "# coprod-workshop, 5 maart 2026" in dutch and "## Onze vraag" in dutch
    assert "Hier gewijzigde regels: publiek budget per inwoner 1 → 0,7" in dutch
    speak("en")
    assert record_html.to_markdown(load_record(page, "workshop.html")) == (
        record_html.to_markdown(workshop)
    )


def test_messages_of_the_record_card_speak_the_session_language(record, speak):
    from coprod.dashboard.record_panel import open_file, rerun_message, run_line

    speak("de")
    assert run_line(record, 1) == (
        "Lauf 2: SocialGov, Öffentliches Budget pro Einwohnerin und Einwohner 0,7, Startwert 0, "
        "2 Monate"
    )
    assert run_line(record, 0).endswith("7 Monate, Skandal in Monat 4")
    ok, said = open_file(RecordedWorkshop(), {"name": "big.json", "size": 80 * 2**20})
    assert not ok and said == "big.json: 80 MiB ist zu groß für ein Workshop-Protokoll"
    assert rerun_message("Lauf 1", 0.0012) == (
        False,
        "Lauf 1 erneut gerechnet: Die Zahlen weichen um bis zu 0,12 Punkte von den "
        "gespeicherten ab (Szenariodateien oder coprod haben sich seitdem geändert).",
    )
    speak("nl")
    with pytest.raises(RecordError, match=r"^x.json: JSON, maar geen coprod-workshopverslag"):
        load_record('{"format": "other"}', "x.json")
    ok, said = open_file(RecordedWorkshop(), {"name": "w.json", "text": record.to_json()})
    assert ok and said.startswith("w.json geopend: 4 runs. Draai ze hieronder opnieuw.")


# ---------------------------------------------------------------------- re-running
def test_every_saved_run_re_runs_to_the_same_numbers(record):
    reopened = load_record(record_html.to_html(record), "w.html")
    for kept in reopened.runs:
        assert differences(kept, replay(kept)) == 0.0


def test_another_seed_gives_other_numbers_so_the_check_can_fail(record):
    kept = record.runs[0]
    other = kept.model_copy(update={"seed": kept.seed + 1})
    assert differences(kept, replay(other)) > 0.0
    no_event = kept.model_copy(update={"events": []})
    assert differences(kept, replay(no_event)) > 0.0


def test_opening_continues_with_the_last_settings_and_re_runs_in_the_page(record):
    ws = RecordedWorkshop()
    ws.open(load_record(record.to_json(), "w.json"), "w.json")
    assert ws.compare and ws.scenarios == {"A": "socialgov", "B": "traditional"}
    assert ws.overrides["A"] == {"governance.budget": 0.7} and ws.citizens == SMALL
    assert ws.question.text == "Does a smaller budget cost trust?"
    assert ws.month == 0
    assert ws.rerun(0) == 0.0
    assert ws.month == 7 and not ws.compare
    kept = record.runs[0]
    assert ws.runs["A"].frame()["trust"].tolist() == kept.series["trust"]
    assert [m.step for m in ws.runs["A"].live] == [4]
    again = ws.record()
    assert len(again.runs) == len(record.runs)  # the re-run is the same run, kept once


# ---------------------------------------------------------------------- bad files
def _json(record: WorkshopRecord, **changes) -> str:
    data = json.loads(record.to_json())
    for dotted, value in changes.items():
        node = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"runs.0.scenario": "../../etc/passwd"}, "runs.0.scenario: unknown scenario"),
        ({"runs.0.seed": -1}, "runs.0.seed"),
        ({"runs.0.overrides": {"governance.human_review": 3.0}}, "governance.human_review"),
        ({"runs.0.overrides": {"behaviour.rate": 1.0}}, "'behaviour.rate' is not a rule"),
        ({"runs.0.events.0.kind": "earthquake"}, "runs.0.events.0.kind"),
        ({"runs.0.months": 99}, "has 8 values; months 0 to 99 need 100"),
        ({"question.measures": ["shoe_size"]}, "'shoe_size' is not a measure on the charts"),
        ({"runs.1.series": {}}, "runs.1.series: measure 'participation_rate' is missing"),
    ],
)
def test_a_damaged_record_is_refused_with_the_key_and_value(record, changes, said):
    with pytest.raises(RecordError) as info:
        load_record(_json(record, **changes), "damaged.json")
    message = str(info.value)
    assert message.startswith("damaged.json: ")
    assert said in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        ("<html><body>Hello</body></html>", "a web page, but not a coprod workshop record"),
        ('{"name": "a scenario"}', 'no "format": "coprod-workshop"'),
        ('{"format": "coprod-workshop", "version": 7}', "record version 7"),
        ("[1, 2", "not a coprod workshop record"),
        ("", "not a coprod workshop record"),
        ("[" * 100_000, "nested too deeply"),
        (
            '{"format": "coprod-workshop", "q": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
            "record version None",
        ),
    ],
)
def test_a_foreign_file_is_refused_with_a_clear_message(data, said):
    with pytest.raises(RecordError, match="^other.file: ") as info:
        load_record(data, "other.file")
    assert said in str(info.value)


def test_a_huge_file_is_refused_before_it_is_read():
    with pytest.raises(RecordError, match="too large"):
        load_record(b" " * (MAX_BYTES + 1), "big.json")


def test_a_page_whose_record_was_edited_to_close_its_script_still_parses(record):
    tricky = record.model_copy(
        update={"question": record.question.model_copy(update={"text": "</script><b>x"})}
    )
    page = record_html.to_html(tricky)
    assert load_record(page, "w.html").question.text == "</script><b>x"
    assert "</script><b>x" not in page.split('id="coprod-workshop-record">')[1][:-20]


def test_nan_values_survive_the_round_trip(record):
    kept = record.runs[0]
    series = dict(kept.series)
    series["trust"] = [None, *series["trust"][1:]]
    holed = record.model_copy(update={"runs": [kept.model_copy(update={"series": series})]})
    back = load_record(holed.to_json(), "w.json")
    assert back.runs[0].series["trust"][0] is None
    assert math.isnan(back.runs[0].value("trust", 0))


def test_opening_a_record_ending_with_a_lone_b_side_puts_it_on_a(record):
    lone_b = record.model_copy(update={"runs": record.runs[3:]})
    ws = RecordedWorkshop()
    ws.open(lone_b, "b.json")
    assert not ws.compare
    assert ws.scenarios["A"] == "traditional" and ws.overrides["A"] == {}


def test_opening_a_record_of_another_coprod_version_warns_that_numbers_may_differ(record):
    from coprod.dashboard.record_panel import open_file

    older = record.model_copy(update={"coprod": "0.0.1"})
    ws = RecordedWorkshop()
    ok, said = open_file(ws, {"name": "old.json", "text": older.to_json()})
    assert ok and "saved with coprod 0.0.1" in said
    ok, said = open_file(ws, {"name": "same.json", "text": record.to_json()})
    assert ok and "saved with" not in said
    ok, said = open_file(ws, {"name": "big.json", "size": 80 * 2**20})
    assert not ok and said == "big.json: 80 MiB is too large for a workshop record"
    assert len(ws.kept) == len(record.runs)  # the refused file changed nothing


def test_re_running_one_side_of_a_comparison_re_runs_both(record):
    ws = RecordedWorkshop()
    ws.open(record, "w.json")
    assert ws.partners(3) == [2, 3] and ws.partners(2) == [2, 3] and ws.partners(0) == [0]
    assert ws.rerun(3) == 0.0
    assert ws.compare and ws.month == 5
    assert ws.scenarios == {"A": "socialgov", "B": "traditional"}
    for side, kept in zip("AB", record.runs[2:], strict=True):
        assert ws.runs[side].frame()["trust"].tolist() == kept.series["trust"]
    # a pair edited by hand to differ in seed is re-run one side only
    runs = list(record.runs)
    runs[3] = runs[3].model_copy(update={"seed": 9})
    ws.open(record.model_copy(update={"runs": runs}), "edited.json")
    assert ws.partners(3) == [3]
    assert ws.rerun(3) > 0.0  # its numbers were those of seed 0: the check says so
    assert not ws.compare and ws.seed == 9 and ws.scenarios["A"] == "traditional"
