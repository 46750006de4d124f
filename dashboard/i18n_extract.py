"""Babel extractors for the texts the dashboard shows but does not write itself.

``dashboard/locale/babel.cfg`` maps the measure registry and the scenario files to these
functions, so that ``pybabel extract`` (or :func:`extract_catalog`) puts their words into the
catalogs beside the dashboard's own:

* :func:`extract_registry`: every measure's label and description, and the family titles, as
  the registry defines them (some are built by code, e.g. one per socio-economic fifth, so
  they are read from the imported registry rather than from the source text);
* :func:`extract_scenario`: a scenario file's ``description`` and ``rationale``.

Each extractor follows Babel's interface: ``(fileobj, keywords, comment_tags, options)`` to
``(lineno, funcname, message, comments)``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from coprod.dashboard.i18n import DOMAIN, LOCALE_DIR

#: The mapping of source files to extraction methods, as ``pybabel extract -F`` reads it.
MAPPING = LOCALE_DIR / "babel.cfg"
#: The folder the mapping's paths are relative to: the repository (the package's parent's).
ROOT = Path(__file__).resolve().parents[1]
#: Functions whose string arguments are messages (gettext's and coprod's ``N_``).
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}

Extracted = tuple[int, str | None, str | tuple[str, ...], list[str]]


def extract_registry(
    fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """The measure registry's labels, descriptions and family titles."""
    from coprod.model.measure_registry import BY_NAME, FAMILIES

    for name, measure in BY_NAME.items():
        yield 0, None, measure.label, [f"measure {name}: label"]
        yield 0, None, measure.description, [f"measure {name}: description"]
    for name, family in FAMILIES.items():
        yield 0, None, family.title, [f"public-value family {name}"]


def extract_scenario(
    fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """A scenario file's description and rationale (shown under the scenario menu)."""
    data = tomllib.load(fileobj)
    for key in ("description", "rationale"):
        text = data.get(key)
        if isinstance(text, str) and text.strip():
            yield 0, None, text, [f"scenario {key}"]


def extract_catalog(root: Path = ROOT, mapping: Path = MAPPING) -> Catalog:
    """Every message of the dashboard, as ``pybabel extract -F babel.cfg`` finds them."""
    with open(mapping) as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(domain=DOMAIN, project="coprod")
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
