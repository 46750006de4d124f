"""Packages whose public names load on first use (PEP 562), so imports stay light.

``import coprod`` and the ``coprod`` command's help and one-line errors then do not wait for
Mesa, pandas or Dask; ``coprod.Scenario`` or ``from coprod import *`` loads what it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose ``exports`` load on use.

    Args:
        package: The package's name, for the error message.
        exports: Public name -> the module (full name) that defines it.
        namespace: The package's ``globals()``, listed by ``dir`` with the exports.
    """

    def getattr_(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(exports[name]), name)

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return getattr_, dir_
