"""Dashboard sessions without a browser, for the load test and benchmark.

A :class:`Session` speaks to ``coprod dashboard`` the way the page does: it opens the kernel
websocket on 127.0.0.1, asks Solara to run the app, keeps every widget's state as the server
sends it, clicks widgets by their CSS class (``coprod-step``) and reads what the page would show
(the month label, the charts' ``data-month``). The server does all its usual work per session,
building and stepping the models and drawing the charts; only the browser's own drawing is left
out, so twenty sessions fit on a two-core machine.

:func:`instrumented_server` starts the dashboard as ``coprod dashboard`` does, plus one route,
``/_test/models``, that reports how many ``CoProductionModel`` objects the server process holds
(after a garbage collection) and its resident memory.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dashboard_browser import ARTIFACTS, free_port, server_process

#: Run as ``python -c`` in the server process: the dashboard with a model-counting route.
SERVER = """
import gc, sys
from coprod.dashboard import server
server.configure()
import psutil
import solara.server.starlette as solara_app
from starlette.responses import JSONResponse
from starlette.routing import Route

def models(request):
    from coprod.model.core import CoProductionModel
    gc.collect()
    count = sum(isinstance(o, CoProductionModel) for o in gc.get_objects())
    rss = psutil.Process().memory_info().rss
    return JSONResponse({"models": count, "rss": rss})

solara_app.app.router.routes.insert(0, Route("/_test/models", models))
server.serve(port=int(sys.argv[1]))
"""


@contextmanager
def instrumented_server(env: dict[str, str] | None = None, timeout: float = 60.0):
    """Run the dashboard on a free loopback port; yield its URL; stop it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = ARTIFACTS / f"load-server-{port}.log"
    command = [sys.executable, "-c", SERVER, str(port)]
    with server_process(command, log, lambda: models(url), env=env, timeout=timeout):
        yield url


def models(url: str) -> dict[str, int]:
    """``{"models": live CoProductionModel objects, "rss": bytes}`` of the server process."""
    with urllib.request.urlopen(url + "_test/models", timeout=30) as response:
        return json.load(response)


def kernels(url: str) -> dict[str, Any]:
    """Solara's own count of sessions (virtual kernels) and their page states."""
    with urllib.request.urlopen(url + "resourcez", timeout=30) as response:
        return json.load(response)["kernels"]


@dataclass
class Session:
    """One browser tab's worth of dashboard, driven over its websocket."""

    url: str
    timeout: float = 60.0
    widgets: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str = ""  # the page's address after the host, e.g. "/?room=ABC23" (a participant)

    def __post_init__(self) -> None:
        from websockets.sync.client import connect

        with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
            cookie = (response.headers.get("Set-Cookie") or "").split(";")[0]
        self.kernel_id, self.page_id = str(uuid.uuid4()), str(uuid.uuid4())
        address = self.url.replace("http://", "ws://")
        self.ws = connect(
            f"{address}jupyter/api/kernels/{self.kernel_id}/channels?session_id={self.page_id}",
            additional_headers={"Cookie": cookie} if cookie else {},
            max_size=None,
            open_timeout=self.timeout,
        )
        self.cookie = cookie
        control = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}})
        self._send(
            "comm_msg",
            {
                "comm_id": control,
                "data": {"method": "run", "args": {"path": self.path, "appName": None}},
            },
        )
        self._receive_until(lambda m: m.get("comm_id") == control)

    # ------------------------------------------------------------------ what the page shows
    def find(self, css_class: str) -> str:
        """The id of the widget with ``css_class``."""
        for widget_id, state in self.widgets.items():
            if css_class in (state.get("class_") or "").split():
                return widget_id
        raise LookupError(f"no widget with class {css_class!r}")

    @property
    def month(self) -> int:
        """The month in the label, e.g. 3 for ``Month 3 of 120``."""
        label = self.widgets[self.find("coprod-month")]["children"][0]
        return int(label.split()[1])

    def chart_month(self, chart: str = "participation") -> int:
        """The month drawn in ``chart`` (its ``data-month``)."""
        pattern = re.compile(rf'data-chart="{chart}" data-month="(\d+)"')
        for state in self.widgets.values():
            match = pattern.search(state.get("unsafe_innerHTML") or "")
            if match:
                return int(match.group(1))
        raise LookupError(f"no chart {chart!r}")

    # ------------------------------------------------------------------ actions
    def click(self, css_class: str) -> None:
        """Click the button with ``css_class``, as the page does."""
        content = {"event": "click", "data": {}}
        data = {"method": "custom", "content": content}
        self._send("comm_msg", {"comm_id": self.find(css_class), "data": data})

    def fill(self, css_class: str, value: Any) -> None:
        """Set the value of the input with ``css_class`` (a text field, a toggle), as typing."""
        data = {"method": "update", "state": {"v_model": value}, "buffer_paths": []}
        self._send("comm_msg", {"comm_id": self.find(css_class), "data": data})

    def wait_for(self, condition) -> None:
        """Read the server's messages until ``condition()`` holds (a widget missing: not yet)."""
        if not _holds(lambda _: condition(), {}):
            self._receive_until(lambda _: condition())

    def text(self, css_class: str) -> str:
        """The text of the widget with ``css_class`` (its first child, as a label shows it)."""
        children = self.widgets[self.find(css_class)].get("children") or [""]
        return children[0] if isinstance(children[0], str) else ""

    def step(self) -> float:
        """Click Step; return the seconds until the label and the chart show the next month."""
        target = self.month + 1
        started = time.perf_counter()
        self.click("coprod-step")
        self._receive_until(lambda _: self.month >= target and self.chart_month() >= target)
        return time.perf_counter() - started

    def close(self, like: str = "tab closed") -> None:
        """End the session: ``"tab closed"`` (the page's close beacon, then the socket goes)
        or ``"connection lost"`` (the socket just drops, as when a laptop goes away)."""
        if like == "tab closed":
            close = f"{self.url}_solara/api/close/{self.kernel_id}?session_id={self.page_id}"
            request = urllib.request.Request(close, method="POST", headers={"Cookie": self.cookie})
            urllib.request.urlopen(request, timeout=self.timeout).close()
        try:  # the tab or the laptop is gone: no closing handshake
            self.ws.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.close()

    # ------------------------------------------------------------------ protocol
    def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": self.page_id,
            "username": "",
            "version": "5.3",
            "date": "2026-01-01T00:00:00Z",
        }
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        self.ws.send(json.dumps({**message, "channel": "shell", "buffers": []}))

    def _receive_until(self, done) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            raw = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(raw, bytes):  # binary buffers: nothing the tests read
                continue
            message = json.loads(raw)
            kind, content = message["header"]["msg_type"], message.get("content", {})
            data = content.get("data") or {}
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.widgets[content["comm_id"]] = dict(data.get("state") or {})
            elif kind == "comm_msg" and data.get("method") == "update":
                self.widgets.setdefault(content["comm_id"], {}).update(data.get("state") or {})
            elif kind == "comm_close":
                self.widgets.pop(content.get("comm_id"), None)
            if kind in ("comm_open", "comm_msg", "comm_close") and _holds(done, content):
                return


def _holds(condition, content: dict[str, Any]) -> bool:
    try:
        return bool(condition(content))
    except LookupError:  # a widget being replaced: not there yet
        return False


@dataclass
class Round:
    """What a round of simultaneous sessions saw: sessions, step latencies, months reached."""

    sessions: list[Session]
    latencies: list[float]  # seconds, every step of every session
    months: list[int]  # the month each session ended at
    steps: list[int]  # the steps each session took
    open_seconds: float  # until every session showed its page


def load_round(url: str, sessions: int, steps: int, think: float = 0.3) -> Round:
    """Open ``sessions`` sessions at once, then let each step its own model.

    Session ``i`` takes ``steps + i % 3`` steps, pausing ``think`` seconds between them as a
    participant reading the charts would; all sessions are open while any of them steps.
    Sessions are left open: the caller ends them.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    opened: list[Session | None] = [None] * sessions
    ready = threading.Barrier(sessions)
    latencies: list[list[float]] = [[] for _ in range(sessions)]
    counts = [steps + i % 3 for i in range(sessions)]
    open_seconds = [0.0]

    def participant(i: int) -> None:
        opened[i] = Session(url)
        if ready.wait(timeout=180) == 0:
            open_seconds[0] = time.perf_counter() - started
        for _ in range(counts[i]):
            latencies[i].append(opened[i].step())
            time.sleep(think)

    with ThreadPoolExecutor(sessions) as pool:
        for future in [pool.submit(participant, i) for i in range(sessions)]:
            future.result()
    live = [s for s in opened if s is not None]
    return Round(
        sessions=live,
        latencies=[x for per in latencies for x in per],
        months=[s.month for s in live],
        steps=counts,
        open_seconds=open_seconds[0],
    )


def end_sessions(sessions: list[Session]) -> None:
    """Half the sessions close their tab, the other half lose their connection."""
    for i, session in enumerate(sessions):
        session.close("tab closed" if i % 2 else "connection lost")


def wait_for(condition, timeout: float = 60.0, every: float = 0.25):
    """Poll ``condition()`` until it returns something true; return it (or the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
