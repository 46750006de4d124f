"""Keep a large model's freed temporaries in the process instead of handing them back each step.

A step makes a few dozen temporary arrays of one number per citizen. glibc's ``malloc`` serves
a block above its *mmap threshold* with a fresh ``mmap`` and returns it with ``munmap`` when
freed; the threshold adapts to the blocks a program frees, but only up to 32 MiB. Above about
4,000,000 citizens (one float64 per citizen over 32 MiB) every temporary is therefore a fresh
mapping, and the kernel zeroes its pages on first touch: at 10,000,000 citizens that made a
step about twice as slow as ten steps at 1,000,000 (tens of thousands of page faults a step).

:func:`retain_freed_memory` raises the threshold above the largest per-citizen array and the
*trim threshold* (free memory at the top of the heap that ``free`` keeps) with it, so freed
temporaries are reused. It changes how memory is obtained, never a value or a random draw, and
only ever raises the thresholds (a process that builds a small model after a large one keeps
the large settings). Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc's own ceiling on its adaptive mmap threshold: below it nothing needs changing.
GLIBC_DYNAMIC_MAX = 33_554_432
#: ``mallopt`` takes an ``int``.
_INT_MAX = 2**31 - 1
#: The trim threshold, as a multiple of the mmap threshold: room for a step's temporaries.
TRIM_FACTOR = 4

_applied = {"mmap": 0}


@functools.cache
def _mallopt():
    """The C library's ``mallopt``, or None where that library is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        func = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018  (only glibc has it)
    except (OSError, AttributeError, TypeError):
        return None
    func.argtypes = (ctypes.c_int, ctypes.c_int)
    func.restype = ctypes.c_int
    return func


def retain_freed_memory(largest_array: int) -> bool:
    """Serve blocks up to ``largest_array`` bytes from the heap and keep them when freed.

    Args:
        largest_array: Bytes of the largest array a step makes (citizens x domains x 8).

    Returns:
        Whether the thresholds were raised by this call (False when small enough for glibc's
        own adaptive threshold, already raised as far, or not glibc).
    """
    if largest_array <= GLIBC_DYNAMIC_MAX:
        return False
    mmap = min(2 * largest_array, _INT_MAX)
    if mmap <= _applied["mmap"]:
        return False
    mallopt = _mallopt()
    if mallopt is None:
        return False
    if not mallopt(_M_MMAP_THRESHOLD, mmap):
        return False
    mallopt(_M_TRIM_THRESHOLD, min(TRIM_FACTOR * mmap, _INT_MAX))
    _applied["mmap"] = mmap
    return True
