"""A workshop room of many devices: how long from the round's last choice to every screen.

    python -m benchmarks.room_load                        # 30 participants, 5 rounds
    python -m benchmarks.room_load --participants 10 --rounds 3

Starts ``coprod dashboard --room`` on a free loopback port (the default scenario, 2,000
residents) and opens the facilitator's page and ``--participants`` devices in Debian's Chromium
under Playwright, one browser context each, as that many phones and laptops would: residents of
every neighbourhood, a council, organisations and businesses. Each round every participant
makes a choice; the last one completes the round, which then steps by itself. A sample is the
time from that last click, as the clicked page notes it, until the round's result is drawn on
every participant's screen and the facilitator's month label shows the new month. Each page
notes when the result appears (a ``MutationObserver``; all pages read one clock), so the waits
of the script itself do not count. Medians over rounds are printed, with the slowest device.

The browsers share the machine with the server: on a 2-core laptop 31 Chromium pages drawing at
once take CPU from the server, which a room of real phones would not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import dashboard_browser as db  # noqa: E402

#: Notes, in each page, when each round's result (and the facilitator's month) appears, and
#: when the page was last clicked: a round's time starts at the last participant's click in
#: their page, not when the script asked Playwright for it (Playwright first checks the button
#: is visible and still, which on a loaded machine takes tens of milliseconds).
OBSERVER = """
window.__shown = {};
document.addEventListener('click', () => { window.__clicked = Date.now(); }, true);
new MutationObserver(() => {
  for (const el of document.querySelectorAll('[class*="coprod-round-result-"]')) {
    const m = el.className.match(/coprod-round-result-(\\d+)/);
    if (m && !(m[1] in window.__shown)) window.__shown[m[1]] = Date.now();
  }
  const month = document.querySelector('.coprod-month');
  if (month) {
    const m = month.innerText.match(/(\\d+)/);
    if (m && !(('month' + m[1]) in window.__shown)) window.__shown['month' + m[1]] = Date.now();
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

#: What a participant of each role clicks in round ``n`` (residents vary their acts).
RESIDENT_ACTS = ("report", "deliver", "none", "propose")


def roles(participants: int) -> list[str]:
    """One council, one organisation in ten and one business in ten; the others residents."""
    others = max(1, participants // 10)
    chosen = ["council"] + ["organisation"] * others + ["business"] * others
    chosen = chosen[:participants]
    return chosen + ["resident"] * (participants - len(chosen))


def choose(page, role: str, index: int, round_number: int) -> None:
    """Make this round's choice on a participant's page."""
    if role == "resident":
        act = RESIDENT_ACTS[(index + round_number) % len(RESIDENT_ACTS)]
        page.click(f".coprod-act-{act}")
    elif role == "council":
        page.click(".coprod-council-send")
    elif role == "organisation":
        page.click(".coprod-org-send")
    else:
        page.click(".coprod-business-engage" if round_number % 2 else ".coprod-business-out")


def join(browser, link: str, name: str, role: str):
    """A phone-sized device that joins the room in ``role``; its page."""
    page = db.room_device(browser, link, init_script=OBSERVER, timeout=db.MONTH_TIMEOUT)
    db.join_room(page, name, role)
    return page


def wait_chosen(facilitator, chosen: int, of: int) -> None:
    """Until the facilitator's card counts ``chosen`` of ``of`` choices."""
    facilitator.wait_for_function(
        "([k, n]) => { const el = document.querySelector('.coprod-room-chosen');"
        " return el && el.innerText.startsWith(k + ' ')"
        " && el.innerText.includes(' ' + n + ' '); }",
        arg=[chosen, of],
    )


def play(participants: int, rounds: int) -> dict:
    """Open the room, join the devices, play the rounds; the samples in milliseconds."""
    db.ensure_assets()
    samples: list[dict] = []
    with db.dashboard_server(args=("--room",)) as url, db.chromium() as browser:
        links = db.room_links(url)
        link = links["join"]
        facilitator = db.room_device(
            browser,
            links["facilitator"],
            size=db.LAPTOP,
            init_script=OBSERVER,
            timeout=db.MONTH_TIMEOUT,
        )
        facilitator.wait_for_selector(".coprod-room-code")
        started = time.perf_counter()
        devices = [
            (join(browser, link, f"participant {i + 1}", role), role)
            for i, role in enumerate(roles(participants))
        ]
        joined_s = time.perf_counter() - started
        facilitator.wait_for_function(
            "n => document.querySelectorAll('.coprod-room-person').length === n",
            arg=participants,
        )
        for number in range(1, rounds + 1):
            for i, (page, role) in enumerate(devices[:-1]):
                choose(page, role, i, number)
            wait_chosen(facilitator, participants - 1, participants)
            last_page, last_role = devices[-1]
            asked = time.time() * 1000
            choose(last_page, last_role, len(devices) - 1, number)
            clicked = last_page.evaluate("window.__clicked")
            for page, _ in devices:
                page.wait_for_selector(f".coprod-round-result-{number}")
            facilitator.wait_for_function(f"'month{number}' in window.__shown")
            shown = [page.evaluate(f"window.__shown['{number}']") for page, _ in devices]
            month_shown = facilitator.evaluate(f"window.__shown['month{number}']")
            samples.append(
                {
                    "round": number,
                    "median_device_ms": statistics.median(shown) - clicked,
                    "last_device_ms": max(shown) - clicked,
                    "facilitator_ms": month_shown - clicked,
                    "driver_ms": clicked - asked,
                }
            )
            print(
                f"round {number}: every device {samples[-1]['last_device_ms']:.0f} ms "
                f"(median device {samples[-1]['median_device_ms']:.0f} ms), facilitator's "
                f"month {samples[-1]['facilitator_ms']:.0f} ms",
                flush=True,
            )
    return {"participants": participants, "joined_s": joined_s, "rounds": samples}


def main(argv: list[str] | None = None) -> int:
    """Play the rounds; print a line per round, then the medians (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args(argv)
    missing = db.chromium_missing()
    if missing:
        print(f"room_load: {missing}", file=sys.stderr)
        return 2
    result = play(args.participants, args.rounds)
    every = [r["last_device_ms"] for r in result["rounds"]]
    fac = [r["facilitator_ms"] for r in result["rounds"]]
    print(
        f"{args.participants} participants joined in {result['joined_s']:.1f} s; over "
        f"{len(every)} rounds, the last choice reaches every device in median "
        f"{statistics.median(every):.0f} ms (max {max(every):.0f} ms); the facilitator's month "
        f"median {statistics.median(fac):.0f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
