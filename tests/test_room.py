"""Workshop rooms without a browser: joining, rounds, the facilitator's key, the record.

The room is pure Python (coprod.dashboard.room); these tests drive it as the pages do and check
what the model does with the choices, what is refused, and that a played run's record re-runs
to the same numbers.
"""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

from coprod.dashboard import room as rooms
from coprod.dashboard.room import NotFacilitatorError, RoomError
from coprod.dashboard.state import Workshop
from coprod.dashboard.workshop_record import (
    RecordedWorkshop,
    RecordError,
    differences,
    load_record,
    replay,
)

SMALL = 300  # residents: rounds step in milliseconds


@pytest.fixture
def workshop():
    ws = RecordedWorkshop()
    ws.set_citizens(SMALL)
    return ws


@pytest.fixture
def room(workshop):
    opened = rooms.open_room(workshop)
    yield opened
    if not opened.closed:
        opened.close(opened.key)


# ---------------------------------------------------------------------- codes and joining
def test_codes_use_an_unambiguous_alphabet_and_are_typed_loosely(room):
    assert len(room.code) == rooms.CODE_LENGTH
    assert set(room.code) <= set(rooms.ALPHABET)
    assert not set("0O1IL") & set(rooms.ALPHABET)
    codes = {rooms.new_code() for _ in range(200)}
    assert len(codes) > 190  # drawn with secrets, not a counter
    typed = f" {room.code[:2].lower()}-{room.code[2:]} "
    assert rooms.find_room(typed) is room
    assert room.join(typed, "Ann", "resident", hood=0).name == "Ann"


def test_a_wrong_code_is_refused(room):
    wrong = "".join(rooms.ALPHABET[(rooms.ALPHABET.index(ch) + 1) % 31] for ch in room.code)
    with pytest.raises(RoomError, match="no open room has the code"):
        rooms.find_room(wrong)
    with pytest.raises(RoomError, match="wrong room code"):
        room.join(wrong, "Ann", "resident", hood=0)
    with pytest.raises(RoomError, match="no open room"):
        rooms.find_room("")
    assert room.people() == []


@pytest.mark.parametrize(
    ("name", "role", "hood", "message"),
    [
        ("   ", "resident", 0, "a name is needed"),
        ("Ann", "mayor", None, "unknown role 'mayor'; allowed: resident, council"),
        ("Ann", "resident", 99, "neighbourhood 99 is not in the run; allowed: 0 to 7"),
        ("Ann", "resident", None, "neighbourhood None is not in the run"),
    ],
)
def test_a_bad_join_says_what_is_wrong(room, name, role, hood, message):
    with pytest.raises(RoomError, match=message.replace("(", r"\(")):
        room.join(room.code, name, role, hood=hood)


def test_names_are_kept_as_text_without_control_characters():
    assert rooms.clean_name("  <script>alert(1)</script>\n ") == "<script>alert(1)</script>"
    assert rooms.clean_name("Ann\x00\u202eBob") == "AnnBob"
    assert len(rooms.clean_name("x" * 500)) == rooms.MAX_NAME


def test_participants_play_distinct_agents_and_are_recorded_by_role(room, workshop):
    model = workshop.runs["A"].model
    a = room.join(room.code, "Ann", "resident", hood=2)
    b = room.join(room.code, "Bob", "resident", hood=2)
    c = room.join(room.code, "Cem", "council")
    d = room.join(room.code, "Dora", "organisation")
    e = room.join(room.code, "Eve", "business")
    assert a.plays != b.plays
    assert model.citizens.hood[a.plays] == model.citizens.hood[b.plays] == 2
    assert [p.label for p in (a, b, c, d, e)] == [
        "resident 1 (neighbourhood 3)",
        "resident 2 (neighbourhood 3)",
        "council 1 (municipality 1)",
        "organisation 1",
        "business 1",
    ]
    assert len({a.token, b.token, c.token, d.token, e.token}) == 5
    assert all(len(p.token) >= 20 for p in (a, b))


def test_the_room_takes_no_more_than_its_cap_even_when_joined_at_once(workshop):
    room = rooms.open_room(workshop, max_participants=12)
    try:
        results: list = []

        def join(i: int) -> None:
            try:
                results.append(room.join(room.code, f"p{i}", "resident", hood=i % 8))
            except RoomError as exc:
                results.append(exc)

        threads = [threading.Thread(target=join, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        joined = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(joined) == 12 and len(room.people()) == 12
        assert all("the room is full (12 participants)" in str(r) for r in refused)
        assert len({p.plays for p in joined}) == 12  # nobody plays the same citizen twice
    finally:
        room.close(room.key)


# ---------------------------------------------------------------------- the facilitator
def test_only_the_facilitator_key_steps_resets_changes_rules_or_closes(room, workshop):
    ann = room.join(room.code, "Ann", "resident", hood=0)
    wrong_end = "y" if room.key.endswith("x") else "x"  # a key that differs in its last letter
    forged = [None, "", ann.token, room.code, room.key[:-1] + wrong_end]
    for key in forged:
        for call in (
            lambda k: room.step(k),
            lambda k: room.reset(k),
            lambda k: room.set_rule(k, "platform.open_data", False),
            lambda k: room.set_timer(k, 5),
            lambda k: room.close(k),
            lambda k: rooms.facilitator_room(room.code, k),
        ):
            with pytest.raises(NotFacilitatorError, match="only the facilitator"):
                call(key)
    assert workshop.month == 0 and not room.closed and room.timer is None
    assert workshop.overrides["A"] == {}
    assert rooms.facilitator_room(room.code, room.key) is room
    result = room.step(room.key)
    assert (result.round, result.month, result.how) == (1, 1, "facilitator")
    assert workshop.month == 1


def test_a_participant_cannot_choose_for_another_agent(room):
    ann = room.join(room.code, "Ann", "resident", hood=0)
    with pytest.raises(RoomError, match="citizen is not chosen by a participant"):
        room.choose(ann.token, citizen=5, act="report")
    with pytest.raises(RoomError, match="resident choice act='shout'"):
        room.choose(ann.token, act="shout")
    with pytest.raises(RoomError, match="you are not in this room"):
        room.choose("made-up-token", act="report")
    assert room.chosen(ann.token) is None


# ---------------------------------------------------------------------- rounds
def test_a_round_steps_when_everyone_has_chosen(room, workshop):
    ann = room.join(room.code, "Ann", "resident", hood=0)
    bob = room.join(room.code, "Bob", "business")
    room.choose(ann.token, act="report")
    assert (workshop.month, room.round, room.has_chosen()) == (0, 1, 1)
    room.choose(ann.token, act="propose")  # a change of mind, still one choice
    assert room.has_chosen() == 1
    room.choose(bob.token, engage=True)
    assert (workshop.month, room.round, room.has_chosen()) == (1, 2, 0)
    last = room.results[-1]
    assert last.how == "all chose" and last.chosen == 2
    assert last.decisions["resident 1 (neighbourhood 1)"]["act"] == "propose"
    assert set(last.measures) == set(rooms.RESULT_MEASURES)


def test_played_choices_change_the_run_as_the_model_says(room, workshop):
    from coprod.model import played

    model = workshop.runs["A"].model
    ann = room.join(room.code, "Ann", "resident", hood=1)
    ben = room.join(room.code, "Ben", "resident", hood=1)
    cat = room.join(room.code, "Cat", "council")
    biz = room.join(room.code, "Biz", "business")
    for month in range(1, 4):
        room.choose(ann.token, act="report")
        room.choose(ben.token, act="none")
        room.choose(cat.token, budget=1.4, human_review=0.5)
        room.choose(biz.token, engage=True)
        assert workshop.month == month
    # the played resident reported every month, the other never took part
    assert model.citizens.reports[ann.plays] == 3
    assert model.citizens.reports[ben.plays] == model.citizens.acts[ben.plays] == 0
    assert played.resident_view(model, ann.plays).last_act == "report"
    # the council's rules stay changed; the business engaged
    assert model.local.get(cat.plays, "governance.budget") == pytest.approx(1.4)
    assert model.local.get(cat.plays, "governance.human_review") == pytest.approx(0.5)
    assert bool(model.businesses.engaged[biz.plays])


def test_agents_nobody_plays_follow_the_models_rules(room, workshop):
    plain = Workshop()
    plain.set_citizens(SMALL)
    for _ in range(3):
        room.step(room.key)  # a room nobody chose in
    plain.step(3)
    a, b = workshop.runs["A"].frame(), plain.runs["A"].frame()
    assert a.equals(b)


def test_the_timer_steps_the_round_by_itself(room, workshop):
    seen = threading.Event()
    room.subscribe(lambda r: r.results and seen.set())
    room.join(room.code, "Ann", "resident", hood=0)
    with pytest.raises(RoomError, match="timer -1 s is not allowed; allowed: 0 to 3600"):
        room.set_timer(room.key, -1)
    room.set_timer(room.key, 0.3)
    left = room.seconds_left()
    assert left is not None and 0 < left <= 0.3
    assert seen.wait(10), "the timer did not step the round"
    assert room.results[0].how == "timer" and room.results[0].chosen == 0
    assert workshop.month >= 1
    room.set_timer(room.key, None)
    month = workshop.month
    time.sleep(0.6)
    assert workshop.month == month and room.seconds_left() is None


def test_listeners_hear_joins_and_rounds_until_they_unsubscribe(room):
    heard: list[int] = []
    stop = room.subscribe(lambda r: heard.append(r.round))
    ann = room.join(room.code, "Ann", "resident", hood=0)
    room.choose(ann.token, act="deliver")  # everyone chose: the round steps
    assert heard == [1, 2]
    stop()
    room.step(room.key)
    assert heard == [1, 2]


def test_reset_replays_from_round_one_with_the_same_participants(room, workshop):
    ann = room.join(room.code, "Ann", "resident", hood=3)
    room.choose(ann.token, act="report")
    room.reset(room.key)
    assert (workshop.month, room.round, room.results) == (0, 1, [])
    assert room.people() == [ann]
    room.set_rule(room.key, "platform.open_data", False)
    assert workshop.overrides["A"] == {"platform.open_data": False}


def test_a_closed_room_leaves_the_registry_and_takes_nobody(workshop):
    room = rooms.open_room(workshop)
    ann = room.join(room.code, "Ann", "resident", hood=0)
    room.close(room.key)
    assert room not in rooms.open_rooms()
    with pytest.raises(RoomError, match="no open room"):
        rooms.find_room(room.code)
    with pytest.raises(RoomError, match="the room is closed"):
        room.join(room.code, "Bob", "resident", hood=0)
    with pytest.raises(RoomError, match="the room is closed"):
        room.choose(ann.token, act="report")


def test_a_participant_whose_pages_closed_is_away_and_rounds_do_not_wait(room):
    ann = room.join(room.code, "Ann", "resident", hood=0)
    ben = room.join(room.code, "Ben", "business")
    for person in (ann, ben):
        room.page_opened(person.token)
    room.page_opened(ben.token)  # Ben reloaded: the new page opened before the old one closed
    room.page_closed(ben.token)
    assert not ben.away
    room.choose(ann.token, act="report")
    assert room.round == 1  # Ben is still here: the round waits
    room.page_closed(ben.token)  # his last page closed: away, and Ann was all that was missing
    assert ben.away and room.round == 2
    assert room.results[-1].how == "all chose" and room.results[-1].chosen == 1
    room.choose(ann.token, act="none")  # next round: everyone here has chosen
    assert room.round == 3
    room.page_opened(ben.token)  # back with his link: the rounds wait for him again
    room.choose(ann.token, act="report")
    assert not ben.away and room.round == 3
    room.page_closed(ann.token)
    room.page_closed(ann.token)  # a second close of one page changes nothing
    assert ann.pages == 0 and room.round == 3  # Ben has not chosen: still waiting


def test_the_run_bar_steps_the_room_round_while_a_room_is_open(room, workshop):
    # the facilitator's Step and Play: with a room open, the month is the room's round
    import solara

    from coprod.dashboard.components import Session

    session = Session(
        workshop=workshop,
        rev=solara.reactive(0),
        settings_rev=solara.reactive(0),
        playing=solara.reactive(False),
        speed=solara.reactive(4),
        colour_by=solara.reactive("participation"),
        editing=solara.reactive("A"),
        room=solara.reactive(room),
    )
    resident = room.join(room.code, "Ann", "resident", hood=0)
    room.join(room.code, "Ben", "business")
    room.choose(resident.token, act="report")
    session.step()
    assert workshop.month == 1 and room.round == 2
    played = room.results[-1]
    assert played.how == "facilitator" and played.chosen == 1
    assert list(played.decisions) == [resident.label]  # the business followed the model
    assert workshop.runs["A"].model.citizens.reports[resident.plays] == 1
    room.close(room.key)
    session.step()  # a closed room: the month steps on its own
    assert workshop.month == 2 and len(room.results) == 1


# ---------------------------------------------------------------------- the record
def _play_three_rounds(room):
    ann = room.join(room.code, "<script>alert('ann')</script>", "resident", hood=1)
    cat = room.join(room.code, '<img src=x onerror="alert(1)">', "council")
    org = room.join(room.code, "Olga", "organisation")
    for act, budget, reach in (("report", 1.2, 0.9), ("deliver", 0.8, 0.1), ("propose", 1.0, 0.5)):
        room.choose(ann.token, act=act)
        room.choose(cat.token, budget=budget)
        room.choose(org.token, outreach=reach)
    return ann, cat, org


def test_the_record_keeps_decisions_by_role_and_re_runs_to_the_same_numbers(room, workshop):
    _play_three_rounds(room)
    record = workshop.record()
    run = record.runs[-1]
    assert run.months == 3 and [r.month for r in run.rounds] == [1, 2, 3]
    who = [d.who for d in run.rounds[0].decisions]
    assert who == ["resident 1 (neighbourhood 2)", "council 1 (municipality 1)", "organisation 1"]
    text = record.to_json()
    assert "script" not in text and "onerror" not in text and "Olga" not in text
    again = load_record(text, "played.json")
    assert again.runs[-1].rounds == run.rounds
    rerun = replay(again.runs[-1])
    assert differences(run, rerun) == 0.0
    assert rerun.rounds == workshop.runs["A"].rounds
    # without the decisions the run goes otherwise: the choices mattered
    unplayed = replay(again.runs[-1].model_copy(update={"rounds": None}))
    assert differences(run, unplayed) > 0.0
    # the dashboard's Re-run of the kept run
    workshop.reset()
    assert workshop.rerun(len(workshop.kept) - 1) == 0.0


def test_an_older_record_without_rounds_still_loads(workshop):
    workshop.step(2)
    raw = json.loads(workshop.record().to_json())
    for run in raw["runs"]:
        run.pop("rounds")
    old = load_record(json.dumps(raw), "old.json")
    assert old.runs[0].rounds is None and old.runs[0].months == 2
    assert differences(old.runs[0], replay(old.runs[0])) == 0.0


def test_a_record_that_names_a_person_or_misplaces_a_round_is_refused(room, workshop):
    _play_three_rounds(room)
    raw = json.loads(workshop.record().to_json())
    named = json.loads(json.dumps(raw))
    named["runs"][-1]["rounds"][0]["decisions"][0]["who"] = "Ann Smith"
    with pytest.raises(RecordError, match="does not say a role"):
        load_record(json.dumps(named), "named.json")
    late = json.loads(json.dumps(raw))
    late["runs"][-1]["rounds"][0]["month"] = 9
    with pytest.raises(RecordError, match="rounds must be in months 1 to 3"):
        load_record(json.dumps(late), "late.json")


def test_the_round_result_measures_are_the_runs(room, workshop):
    ann = room.join(room.code, "Ann", "resident", hood=0)
    room.choose(ann.token, act="report")
    frame = workshop.runs["A"].frame()
    got = room.results[-1].measures
    assert got["trust"] == pytest.approx(float(frame["trust"].iloc[-1]))
    assert np.isfinite(list(got.values())).all()


def test_the_saved_page_lists_the_decisions_by_role_with_names_left_out(room, workshop):
    from coprod.dashboard.record_html import to_html, to_markdown

    _play_three_rounds(room)
    record = workshop.record()
    page, markdown = to_html(record), to_markdown(record)
    assert (
        "Decisions in the workshop room" in page and "Decisions in the workshop room" in markdown
    )
    assert "| 1 | resident 1 (neighbourhood 2) | Report a problem |" in markdown
    assert "| 2 | council 1 (municipality 1) | budget 0.8 |" in markdown
    assert "| 3 | organisation 1 | outreach 50% |" in markdown
    for text in (page, markdown):
        assert "script>alert" not in text and "onerror" not in text and "Olga" not in text


# ---------------------------------------------------------------------- links and the command
def test_the_join_link_uses_the_lan_address_when_listening_on_all_interfaces(monkeypatch):
    import ipaddress

    from coprod.dashboard import server
    from coprod.dashboard.room_panel import ENV_URL, base_url, join_link

    assert ipaddress.ip_address(server.lan_address())  # an address, whatever the network
    monkeypatch.setattr(server, "lan_address", lambda: "192.168.1.20")
    assert server.public_url("0.0.0.0", 8765) == "http://192.168.1.20:8765/"
    assert server.public_url("::", 8765) == "http://192.168.1.20:8765/"
    assert server.public_url("127.0.0.1", 9000) == "http://127.0.0.1:9000/"
    assert server.public_url("::1", 9000) == "http://[::1]:9000/"
    assert server.public_url("10.1.2.3", 80) == "http://10.1.2.3:80/"
    monkeypatch.setenv(ENV_URL, "http://192.168.1.20:8765")
    assert base_url({"host": ["localhost:8765"]}) == "http://192.168.1.20:8765/"
    monkeypatch.delenv(ENV_URL)
    assert base_url({"Host": ["localhost:8765"]}) == "http://localhost:8765/"
    assert join_link("http://h:1/", "ABC23") == "http://h:1/?room=ABC23"


def test_the_facilitators_link_carries_the_key_and_the_join_link_does_not(room):
    from coprod.dashboard.app import attached_room, query
    from coprod.dashboard.room_panel import facilitator_link, join_link, qr_svg

    base = "http://192.168.1.20:8765/"
    joining, leading = join_link(base, room.code), facilitator_link(base, room)
    assert room.key not in joining and room.key in leading
    asked = query(leading.split("?", 1)[1])
    assert attached_room(asked["room"], asked["key"]) is room
    assert attached_room(room.code, None) is None
    assert attached_room(room.code, "not-the-key") is None
    svg = qr_svg(joining)
    assert svg.startswith("<svg") and "<script" not in svg


def test_coprod_dashboard_offers_a_room_and_keeps_loopback():
    from click.testing import CliRunner

    from coprod.analysis.cli import app

    shown = CliRunner().invoke(app, ["dashboard", "--help"]).output
    assert "--room" in shown and "127.0.0.1" in shown


def test_the_kept_run_says_it_was_played_in_the_room(room, workshop):
    from coprod.dashboard.record_panel import run_line

    _play_three_rounds(room)
    room.reset(room.key)  # the played run is kept
    record = workshop.record()
    assert run_line(record, 0).endswith("3 rounds played in the room")


def test_last_choices_made_at_once_step_the_round_once(room, workshop):
    people = [room.join(room.code, f"p{i}", "resident", hood=i % 8) for i in range(8)]
    for person in people[:-2]:
        room.choose(person.token, act="none")
    start = threading.Barrier(2)

    def last(person) -> None:
        start.wait()
        room.choose(person.token, act="report")

    threads = [threading.Thread(target=last, args=(p,)) for p in people[-2:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert workshop.month == 1 and room.round == 2 and len(room.results) == 1


def test_a_participants_page_hears_rounds_not_every_choice(room):
    phone: list[int] = []
    room.subscribe(lambda r: phone.append(r.round), rooms.PARTICIPANT_EVENTS)
    people = [room.join(room.code, f"p{i}", "resident", hood=0) for i in range(5)]
    for person in people:
        room.choose(person.token, act="report")
    assert phone == [2]  # five joins and four choices unheard, then the round
    room.set_timer(room.key, 60)
    room.close(room.key)
    assert phone == [2, 2, 2]
