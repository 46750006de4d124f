"""Start the workshop dashboard: Solara's web server (uvicorn) running the coprod app.

:func:`serve` listens on the loopback address unless told otherwise, points Solara's CDN proxy
at the assets installed by ``python -m coprod.dashboard.install_assets`` (so the page loads with
no request leaving the machine) and turns Solara's usage telemetry off. Solara reads these
settings from the environment when its server module is first imported, so :func:`configure`
runs before that import.

A session ends when its tab is closed (the page tells the server, and its models are freed at
once) or when its connection is lost and not back within :data:`RECONNECT_WINDOW` (a laptop
that slept, a tab that crashed): Solara then frees it too, instead of after its default 24 hours.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading
import warnings
from collections.abc import MutableMapping
from pathlib import Path

from coprod.dashboard.assets import asset_dir, missing_packages

#: The Solara app: the module whose ``Page`` component is the dashboard.
APP = "coprod.dashboard.app"
#: How long a session whose connection dropped is kept for it to reconnect.
RECONNECT_WINDOW = "30m"


def configure(environ: MutableMapping[str, str] | None = None) -> Path:
    """Set the environment Solara reads at start-up; return the asset folder it will use."""
    env = os.environ if environ is None else environ
    folder = asset_dir()
    env["SOLARA_APP"] = APP
    env["SOLARA_ASSETS_PROXY"] = "true"
    env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(folder)
    env.setdefault("SOLARA_MODE", "production")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    env.setdefault("SOLARA_THEME_VARIANT", "light")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # its corner badge covers legends
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", RECONNECT_WINDOW)
    return folder


def lan_address() -> str:
    """This machine's address on the local network (the one its default route uses).

    Connecting a UDP socket sends nothing; it only makes the system pick the outgoing
    interface. Without a network, the loopback address.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def public_url(host: str, port: int) -> str:
    """The address other devices open: the LAN address when listening on all interfaces."""
    shown = host
    if host in ("", "0.0.0.0", "::"):
        shown = lan_address()
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:  # a host name
        pass
    return f"http://{shown}:{port}/"


def open_start_room() -> tuple[str, str, str]:
    """Open the room of ``coprod dashboard --room``: (join link, code, facilitator's link).

    The room plays a workshop made now, in the server process; the facilitator's link (with
    the room's key) opens the dashboard on it.
    """
    from coprod.dashboard.room import open_room
    from coprod.dashboard.room_panel import ENV_URL, facilitator_link, join_link
    from coprod.dashboard.workshop_record import RecordedWorkshop

    room = open_room(RecordedWorkshop())
    base = os.environ[ENV_URL]
    return join_link(base, room.code), room.code, facilitator_link(base, room)


def warm_up(scenario: str = "socialgov", citizens: int = 500) -> None:
    """Step a small throwaway run once, so that the model's compiled rules are loaded.

    The rules are compiled once and cached on disk, but each new process still loads them at
    its first month (about 0.3 to 0.5 s on a 2-core laptop). Done here, at start, the first
    month a facilitator steps, or a workshop room's first round, is as quick as the others.
    The compiled code depends on the arrays' types, not their lengths: a small run loads what
    the full one uses.
    """
    from coprod.model.core import CoProductionModel
    from coprod.model.scenario import Scenario

    small = Scenario.load(scenario).with_overrides({"population.citizens": citizens})
    CoProductionModel(small, seed=0).step()


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    log_level: str = "warning",
    lang: str | None = None,
    room: bool = False,
) -> None:
    """Run the dashboard until interrupted (Ctrl+C); every browser session gets its own model.

    ``lang`` (``en``, ``de``, ``nl``) is the language of every session; without it each
    session speaks its browser's preferred language (see :mod:`coprod.dashboard.language`).
    With ``room``, a workshop room is open from the start and its links are printed.
    """
    if lang is not None:
        from coprod.dashboard.i18n import ENV_LANG, check_language

        os.environ[ENV_LANG] = check_language(lang)
    folder = configure()
    missing = missing_packages(folder)
    if missing:
        names = ", ".join(p.spec for p in missing)
        print(
            f"coprod dashboard: warning: browser assets missing in {folder} ({names}); "
            "without them the page stays blank offline. Install them once with: "
            "python -m coprod.dashboard.install_assets",
            file=sys.stderr,
        )
    import uvicorn  # after configure(): Solara reads its settings on import

    # plain http on a workshop laptop is intended; Solara warns about cookies on every start
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    from coprod.dashboard.room_panel import ENV_URL

    os.environ[ENV_URL] = public_url(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"coprod dashboard: open http://{shown}:{port}/ in a browser (Ctrl+C to stop)")
    if room:
        join, code, facilitator = open_start_room()
        print(f"coprod dashboard: workshop room {code}: participants join at {join}")
        print(f"coprod dashboard: the facilitator's page (keep it to yourself): {facilitator}")
    sys.stdout.flush()
    threading.Thread(target=warm_up, daemon=True, name="coprod-warm-up").start()
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level=log_level)
