"""The dashboard's browser assets, kept on disk so the workshop page works offline.

Solara's page loads its front end (the Vue/Vuetify bundle, RequireJS, Font Awesome, the grid
layout) from a public CDN, through a proxy in the Solara server that caches every file under
``SOLARA_ASSETS_PROXY_CACHE_DIR``. coprod fills that folder once from the npm registry
(``python -m coprod.dashboard.install_assets``) and :func:`coprod.dashboard.server.serve` points
Solara at it, so the browser never asks for anything outside the machine.

The packages and their exact versions are read from the installed Solara's own templates, so
they follow a Solara upgrade.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from coprod.model.errors import CoprodError

#: Environment variable that moves the asset folder (default: the user's cache folder).
ENV_VAR = "COPROD_DASHBOARD_ASSETS"

#: Solara files that name the CDN packages the page loads, relative to the solara package.
SOURCES = (
    "server/templates/solara.html.j2",  # the Vuetify app bundle and RequireJS
    "server/settings.py",  # Font Awesome's path
    "widgets/vue/gridlayout.vue",  # the grid layout, loaded on demand
)

_EXACT = r"(\d+\.\d+\.\d+(?:-[\w.]+)?)"
_PATTERNS = (
    re.compile(r"\{\{ ?cdn ?\}\}/((?:@[\w.-]+/)?[\w.-]+)@" + _EXACT + "/"),
    re.compile(r"getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+)@" + _EXACT + "/"),
    re.compile(r'fontawesome_path: str = "/([\w.-]+)@' + _EXACT + "/"),
)


class AssetError(CoprodError, RuntimeError):
    """The asset list could not be worked out, or the assets could not be installed."""


@dataclass(frozen=True, order=True)
class Package:
    """One npm package at an exact version, as the CDN serves it."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """``name@version``, as npm and the CDN write it (also its folder in the cache)."""
        return f"{self.name}@{self.version}"


def asset_dir() -> Path:
    """The folder Solara reads as its CDN cache (``$COPROD_DASHBOARD_ASSETS`` if set)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "coprod" / "solara-cdn"


def solara_root() -> Path:
    """The installed solara package's folder, found without importing it."""
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        raise AssetError("solara is not installed; install coprod with its dependencies")
    return Path(next(iter(spec.submodule_search_locations)))


def required_packages(root: Path | None = None) -> list[Package]:
    """The CDN packages, at their exact versions, that the installed Solara asks for.

    The page runs on ipyvuetify < 3 (Vue 2), so Solara's Vue 3 bundle is left out.
    """
    root = solara_root() if root is None else root
    found: set[Package] = set()
    for relative in SOURCES:
        path = root / relative
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AssetError(f"cannot read {path}: {exc.strerror}") from None
        hits = {Package(n, v) for pattern in _PATTERNS for n, v in pattern.findall(text)}
        if not hits:
            raise AssetError(f"{path}: names no CDN package any more; update coprod.dashboard")
        found |= hits
    return sorted(p for p in found if "vuetify3" not in p.name)


def is_installed(package: Package, folder: Path) -> bool:
    """Whether ``package`` is unpacked in ``folder`` at its exact version."""
    manifest = folder / package.spec / "package.json"
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(r'"version"\s*:\s*"' + re.escape(package.version) + '"', text) is not None


def missing_packages(folder: Path | None = None) -> list[Package]:
    """Required packages not yet in ``folder`` (default :func:`asset_dir`)."""
    folder = asset_dir() if folder is None else folder
    return [p for p in required_packages() if not is_installed(p, folder)]
