"""Load: twenty workshop sessions at once on 127.0.0.1 stay responsive and free their models.

The dashboard runs as ``coprod dashboard`` does (plus a route that counts the server's
``CoProductionModel`` objects, see ``dashboard_sessions.py``); twenty sessions speak to it over
its websocket as twenty browser tabs would. Every session gets its own model, stepping stays
quick while all are open, and when sessions end (a tab closed, or a connection lost and not
back within the reconnect window) their models are freed and memory does not grow from one
round of sessions to the next. Latency bounds here are loose; measured numbers are in
docs/reliability.md (``benchmarks/dashboard_load.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from dashboard_sessions import (
    end_sessions,
    instrumented_server,
    kernels,
    load_round,
    models,
    wait_for,
)

pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used:DeprecationWarning")

SESSIONS = 20
#: Dropped connections are kept this long for a reconnect (30 minutes by default).
CULL = "3s"


@pytest.mark.slow
def test_twenty_sessions_stay_responsive_and_free_their_models():
    with instrumented_server({"SOLARA_KERNEL_CULL_TIMEOUT": CULL}) as url:
        base = models(url)
        assert base["models"] == 0

        first = load_round(url, SESSIONS, steps=3)
        peak = models(url)
        assert peak["models"] == SESSIONS  # one model each, none shared
        assert kernels(url)["total"] == SESSIONS
        assert first.months == first.steps  # each session moved its own model only
        assert len(first.latencies) == sum(first.steps)  # every step answered (speed: benchmarks/)

        end_sessions(first.sessions)
        freed = wait_for(lambda: models(url)["models"] == 0 and kernels(url)["total"] == 0)
        assert freed, (models(url), kernels(url))
        after_first = models(url)

        second = load_round(url, SESSIONS, steps=1, think=0.0)
        assert models(url)["models"] == SESSIONS
        assert second.months == second.steps
        end_sessions(second.sessions)
        assert wait_for(lambda: models(url)["models"] == 0)
        after_second = models(url)

    grown = peak["rss"] - base["rss"]
    assert grown < SESSIONS * 40 * 2**20  # well under 40 MB a session
    # a second round reuses the memory the first one freed instead of adding to it
    assert after_second["rss"] - after_first["rss"] < 0.5 * grown


def test_sessions_whose_connection_dropped_are_freed_after_the_reconnect_window():
    from coprod.dashboard.server import RECONNECT_WINDOW, configure

    env: dict[str, str] = {}
    configure(env)
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == RECONNECT_WINDOW == "30m"  # Solara's: 24 h
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": "5m"}
    configure(env)
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "5m"  # a facilitator may choose another
    # and Solara's server, imported after configure() as serve() does, uses the window
    code = (
        "from coprod.dashboard import server; server.configure(); "
        "import solara.server.settings as s; print(s.kernel.cull_timeout)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "SOLARA_KERNEL_CULL_TIMEOUT"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=clean
    )
    assert done.stdout.strip() == RECONNECT_WINDOW
