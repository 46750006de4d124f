"""Install the dashboard's browser assets from the npm registry, once, for offline use.

Run ``python -m coprod.dashboard.install_assets`` after installing coprod. It asks the installed
Solara which front-end packages its page loads (exact versions), fetches each with ``npm pack``
from the npm registry and unpacks it where ``coprod dashboard`` points Solara's CDN cache
(``~/.cache/coprod/solara-cdn``, or ``$COPROD_DASHBOARD_ASSETS``). Packages already there are
skipped, so running it again does nothing; each package is unpacked beside its place and moved
in whole, so an interrupted install leaves no half-written package behind.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from coprod.dashboard.assets import AssetError, Package, asset_dir, missing_packages


def install(folder: Path | None = None, npm: str = "npm") -> list[Package]:
    """Fetch and unpack every missing package into ``folder``; return those installed."""
    folder = asset_dir() if folder is None else Path(folder)
    todo = missing_packages(folder)
    if not todo:
        return []
    if shutil.which(npm) is None:
        raise AssetError(f"{npm!r} not found: install Node.js and npm, then run this again")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".install-", dir=folder) as tmp:
        tarballs = _npm_pack(todo, Path(tmp), npm)
        for package in todo:
            _unpack(tarballs[package.spec], package, folder, Path(tmp))
    return todo


def _npm_pack(packages: list[Package], dest: Path, npm: str) -> dict[str, Path]:
    """Download the packages' tarballs into ``dest``; map each spec to its tarball."""
    cmd = [npm, "pack", "--json", "--pack-destination", str(dest), *(p.spec for p in packages)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    except subprocess.TimeoutExpired:
        raise AssetError(
            "npm pack took more than 10 minutes; is the npm registry reachable?"
        ) from None
    if done.returncode != 0:
        raise AssetError(f"npm pack failed (exit {done.returncode}): {done.stderr.strip()}")
    try:
        listing = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssetError(f"npm pack printed no package list: {done.stdout[:300]!r}") from None
    tarballs = {item["id"]: dest / item["filename"] for item in listing}
    absent = [p.spec for p in packages if p.spec not in tarballs]
    if absent:
        raise AssetError(f"npm pack did not fetch {', '.join(absent)}")
    return tarballs


def _unpack(tarball: Path, package: Package, folder: Path, tmp: Path) -> None:
    """Unpack an npm tarball (whose files sit under ``package/``) to ``folder/name@version``."""
    staging = tmp / package.spec.replace("/", "__")
    with tarfile.open(tarball) as archive:
        archive.extractall(staging, filter="data")
    root = staging / "package"
    if not (root / "package.json").is_file():
        raise AssetError(f"{tarball.name}: not an npm package tarball")
    target = folder / package.spec
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # an older, partial or foreign copy: replace it whole
        shutil.rmtree(target)
    os.replace(root, target)


def main(argv: list[str] | None = None) -> int:
    """Command line: install the assets, or with ``--check`` report what is missing."""
    parser = argparse.ArgumentParser(
        prog="python -m coprod.dashboard.install_assets",
        description="Install the dashboard's browser assets from the npm registry (offline use).",
    )
    parser.add_argument("--dir", type=Path, default=None, help=f"asset folder ({asset_dir()})")
    parser.add_argument("--check", action="store_true", help="only report missing packages")
    args = parser.parse_args(argv)
    folder = args.dir.resolve() if args.dir else asset_dir()
    try:
        if args.check:
            missing = missing_packages(folder)
            for package in missing:
                print(f"missing: {package.spec}")
            print(f"{folder}: {'complete' if not missing else f'{len(missing)} missing'}")
            return 1 if missing else 0
        installed = install(folder)
    except AssetError as exc:
        print(f"install_assets: error: {exc}", file=sys.stderr)
        return 1
    for package in installed:
        print(f"installed {package.spec}")
    print(f"dashboard assets complete in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
