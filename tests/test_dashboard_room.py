"""A workshop room in real browsers: a facilitator and three participants play three rounds.

Starts ``coprod dashboard --room`` on a free port (the room open from the start, its links
printed) and drives Debian's Chromium with Playwright, one browser context per device: the
facilitator's laptop, a resident and a business in English, a council in German. Without
Chromium the tests are skipped with the reason. Screenshots land in test-artifacts/dashboard/.
"""

from __future__ import annotations

import json
import re

import pytest

from coprod.dashboard.workshop_record import differences, load_record, replay

XSS_SCRIPT = "<script>window.__pwned = 1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned = 1">'


@pytest.fixture(scope="module")
def room_links(browser):
    """The server of this module, started with ``--room``: its join and facilitator links."""
    from dashboard_browser import dashboard_server, ensure_assets, room_links

    ensure_assets()
    with dashboard_server(args=("--room",)) as url:
        yield room_links(url)


def _device(browser, link: str, locale: str | None = None, phone: bool = True):
    from dashboard_browser import LAPTOP, room_device

    return room_device(browser, link, locale, size=None if phone else LAPTOP)


def _round_shown(pages, number: int) -> None:
    from dashboard_browser import MONTH_TIMEOUT

    for page in pages:
        page.wait_for_selector(f".coprod-round-result-{number}", timeout=MONTH_TIMEOUT)


def test_a_room_plays_three_rounds_on_four_devices_in_two_languages(browser, room_links, tmp_path):
    from dashboard_browser import (
        ARTIFACTS,
        MONTH_TIMEOUT,
        join_room,
        month,
        screenshot,
        wait_month,
    )
    from playwright.sync_api import expect

    facilitator = _device(browser, room_links["facilitator"], phone=False)
    facilitator.wait_for_selector(".coprod-room-code")
    assert facilitator.locator(".coprod-room-code").inner_text() == room_links["code"]
    assert facilitator.locator(".coprod-room-link").inner_text() == room_links["join"]
    assert facilitator.locator(".coprod-room-qr svg").count() == 1

    # a wrong code is refused
    stranger = _device(browser, room_links["join"].replace(room_links["code"], "ZZZZZ"))
    stranger.wait_for_selector(".coprod-join-name input")
    stranger.locator(".coprod-join-name input").fill("Mallory")
    stranger.click(".coprod-join-button")
    expect(stranger.locator(".coprod-join-error")).to_contain_text("no open room has this code")
    stranger.context.close()

    resident = _device(browser, room_links["join"])
    expect(resident.locator(".coprod-join-code input")).to_have_value(room_links["code"])
    join_room(resident, XSS_SCRIPT, "resident")
    council = _device(browser, room_links["join"], locale="de-DE")
    join_room(council, XSS_IMG, "council")
    business = _device(browser, room_links["join"])
    join_room(business, "Bea's bakery", "business")
    devices = [resident, council, business]

    people = facilitator.locator(".coprod-room-person")
    expect(people).to_have_count(3)
    texts = people.all_inner_texts()
    assert XSS_SCRIPT in texts[0] and XSS_IMG in texts[1]  # shown as text, not run
    assert "Rat, Gemeinde" not in texts[1]  # the facilitator's page is in its own language
    assert council.locator(".coprod-player-who").inner_text().endswith("Gemeinderat, Gemeinde 1")
    for page in [facilitator, *devices]:
        assert page.locator(".coprod-room-people img, .coprod-player img").count() == 0
        assert page.evaluate("window.__pwned") is None
        # participants have no step, reset or rule controls at all
    for page in devices:
        assert page.locator(".coprod-room-step, .coprod-step, .coprod-reset").count() == 0
        assert page.locator(".coprod-settings").count() == 0

    # rounds 1 and 2: everyone chooses, and the round steps by itself
    for number in (1, 2):
        resident.click(".coprod-act-report")
        council.click(".coprod-council-send")  # the rules as they stand, counter open
        business.click(".coprod-business-engage")
        _round_shown(devices, number)
        wait_month(facilitator, number)
    expect(facilitator.locator(".coprod-room-round")).to_contain_text("Round 3")
    # round 3: the council does not choose; the facilitator steps the round
    resident.click(".coprod-act-report")
    business.click(".coprod-business-out")
    expect(facilitator.locator(".coprod-room-chosen")).to_contain_text("2 of 3")
    facilitator.click(".coprod-room-step")
    _round_shown(devices, 3)
    wait_month(facilitator, 3)
    assert month(facilitator) == 3

    # each device shows the round's result in its own language
    expect(resident.locator(".coprod-round-result")).to_contain_text(
        "Round 3 played: now month 3."
    )
    expect(council.locator(".coprod-round-result")).to_contain_text(
        "Runde 3 gespielt: jetzt Monat 3."
    )
    expect(council.locator(".coprod-round-result-mine")).to_contain_text("nicht gewählt")
    # the played resident's reports are counted by the model: three rounds, three reports
    expect(resident.locator(".coprod-own")).to_contain_text("Your reports so far: 3;")
    # a reload keeps the device in the room (its token is in the address)
    resident.reload()
    expect(resident.locator(".coprod-own")).to_contain_text("Your reports so far: 3;")
    expect(facilitator.locator(".coprod-room-person")).to_have_count(3)
    screenshot(facilitator, "30-room-facilitator")
    resident.screenshot(path=str(ARTIFACTS / "31-room-resident.png"))

    # the record keeps the decisions by role, not by name, and re-runs to the same numbers
    with facilitator.expect_download(timeout=MONTH_TIMEOUT) as info:
        facilitator.click(".coprod-save-json")
    target = tmp_path / "room.json"
    info.value.save_as(target)
    text = target.read_text()
    assert "__pwned" not in text and "bakery" not in text
    record = load_record(text, target.name)
    run = record.runs[-1]
    assert [r.month for r in run.rounds] == [1, 2, 3]
    first = {d.who: d.choice for d in run.rounds[0].decisions}
    assert first["council 1 (municipality 1)"]["offline_channel"] is True
    assert first["business 1"]["engage"] is True
    assert [d.role for d in run.rounds[2].decisions] == ["resident", "business"]
    assert all(
        d.choice.get("act") == "report"
        for r in run.rounds
        for d in r.decisions
        if d.role == "resident"
    )
    assert differences(run, replay(run)) == 0.0
    assert json.loads(text)["runs"][-1]["rounds"][0]["decisions"][0]["who"].startswith(
        "resident 1"
    )

    # a participant who closed their tab is away: the round no longer waits for them
    council.context.close()
    expect(facilitator.locator(".coprod-room-person").nth(1)).to_contain_text("(away)")
    resident.click(".coprod-act-report")
    business.click(".coprod-business-engage")
    _round_shown([resident, business], 4)
    wait_month(facilitator, 4)
    expect(facilitator.locator(".coprod-room-last")).to_contain_text("2 of 3 chose")
    for page in [facilitator, resident, business]:
        page.context.close()


def test_the_dashboard_opens_a_room_with_its_button(browser, room_links):
    from dashboard_browser import wait_month
    from playwright.sync_api import expect

    page = _device(browser, room_links["url"], phone=False)
    page.wait_for_selector(".coprod-room-open")
    page.click(".coprod-room-open")
    code = page.locator(".coprod-room-code")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{5}$"))
    assert code.inner_text() != room_links["code"]  # a room of its own
    assert page.locator(".coprod-room-qr svg").count() == 1
    expect(page.locator(".coprod-room-loopback")).to_be_visible()  # served on 127.0.0.1
    # a timer: the round steps by itself, counting down on the page
    timer = page.locator(".coprod-room-timer input")
    timer.fill("3")
    timer.press("Enter")
    expect(page.locator(".coprod-room-timer-left")).to_contain_text("within")
    wait_month(page, 1)
    expect(page.locator(".coprod-room-last")).to_contain_text("Round 1 played: month 1, 0 of 0")
    timer.fill("0")
    timer.press("Enter")
    expect(page.locator(".coprod-room-timer-left")).to_have_count(0)
    page.context.close()
