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

import os
import sys
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


def serve(
    host: str = "127.0.0.1", port: int = 8765, log_level: str = "warning", lang: str | None = None
) -> None:
    """Run the dashboard until interrupted (Ctrl+C); every browser session gets its own model.

    ``lang`` (``en``, ``de``, ``nl``) is the language of every session; without it each
    session speaks its browser's preferred language (see :mod:`coprod.dashboard.language`).
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

    shown = f"[{host}]" if ":" in host else host
    print(f"coprod dashboard: open http://{shown}:{port}/ in a browser (Ctrl+C to stop)")
    sys.stdout.flush()
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level=log_level)
