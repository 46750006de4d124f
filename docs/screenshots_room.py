"""Screenshots of a workshop room for docs/dashboard.md.

Starts ``coprod dashboard --room`` on a free loopback port, opens the facilitator's page on a
laptop-sized browser and three participants on phone-sized ones (a resident in English, a
council in German, a business), plays one round and saves

- docs/images/room-facilitator.png: the facilitator's room card,
- docs/images/room-resident.png: the resident's phone,
- docs/images/room-council-de.png: the council's phone, in German.

Run it from the repository with Debian's Chromium (/usr/bin/chromium) and the test extra::

    python docs/screenshots_room.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))

from dashboard_browser import (  # noqa: E402  (the tests' helpers, found on the path above)
    LAPTOP,
    MONTH_TIMEOUT,
    chromium,
    dashboard_server,
    ensure_assets,
    join_room,
    room_device,
    room_links,
    wait_month,
)


def phone_shot(page, path: Path) -> None:
    """The phone's content, clipped to its column."""
    page.locator(".coprod-phone").screenshot(path=str(path))


def main() -> None:
    """Play one round in four browsers and save the three screenshots."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    ensure_assets()
    with dashboard_server(args=("--room",)) as url, chromium() as browser:
        links = room_links(url)
        join_link = links["join"]

        facilitator = room_device(browser, links["facilitator"], "en-GB", size=LAPTOP)
        facilitator.wait_for_selector(".coprod-room-code")
        resident = room_device(browser, join_link, "en-GB")
        join_room(resident, "Amira", "resident")
        council = room_device(browser, join_link, "de-DE")
        join_room(council, "Jonas", "council")
        business = room_device(browser, join_link, "en-GB")
        join_room(business, "Corner bakery", "business")
        facilitator.wait_for_function(
            "document.querySelectorAll('.coprod-room-person').length === 3"
        )

        # round 1: the resident reports, the business engages, the council keeps its rules
        resident.click(".coprod-act-report")
        business.click(".coprod-business-engage")
        council.click(".coprod-council-send")
        for page in (resident, council, business):
            page.wait_for_selector(".coprod-round-result-1", timeout=MONTH_TIMEOUT)
        wait_month(facilitator, 1)
        # round 2 under way: the resident has chosen, the others not yet
        resident.click(".coprod-act-deliver")
        facilitator.wait_for_function(
            "document.querySelector('.coprod-room-chosen')?.innerText.startsWith('1 of 3')"
        )
        resident.wait_for_selector(".coprod-chosen")

        facilitator.locator(".coprod-room-card").screenshot(
            path=str(IMAGES / "room-facilitator.png")
        )
        phone_shot(resident, IMAGES / "room-resident.png")
        phone_shot(council, IMAGES / "room-council-de.png")
        for page in (facilitator, resident, council, business):
            page.context.close()
    for name in ("room-facilitator", "room-resident", "room-council-de"):
        path = IMAGES / f"{name}.png"
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
