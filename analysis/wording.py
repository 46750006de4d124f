"""How tables and reports word a difference: better or worse, and what their marks mean.

A difference to the reference scenario is only meaningful to a reader once it says whether the
change is good news. The measure registry says for every measure whether higher is better, lower
is better, or neither; these helpers turn a difference into ``better``/``worse`` (or
``higher``/``lower`` for a neutral measure) and give the one legend line every marked table ends
with, so the CLI, the report and the Markdown files word it alike.
"""

from __future__ import annotations

from coprod.model.measure_registry import BY_NAME

#: What the mark after a difference means; every table with such marks ends with it.
MARKER_LEGEND = (
    "* = the 95% interval of the difference excludes zero; better/worse = that difference "
    "judged by the measure's direction (higher/lower where neither is better)"
)


def change_word(measure: str, diff: float) -> str:
    """``better``/``worse`` by the registry's direction of ``measure``; else ``higher``/``lower``.

    Quantities the registry does not know (such as innovation counts) read as neutral.
    """
    known = BY_NAME.get(measure)
    if known is None:
        return "higher" if diff > 0 else "lower"
    return known.change(diff)


def excludes_zero(low: float, high: float) -> bool:
    """Whether the interval ``[low, high]`` of a difference excludes zero."""
    return bool(low > 0 or high < 0)


def marked_change(measure: str, diff: float, low: float, high: float) -> str:
    """`` * better`` (worse, higher, lower) where ``[low, high]`` excludes zero, else ``""``."""
    if excludes_zero(low, high):
        return f" * {change_word(measure, diff)}"
    return ""


def finding(measure: str, diff: float) -> str:
    """``worse (lower)``: the change in words, with its sign where better/worse hides it."""
    word = change_word(measure, diff)
    if word in ("better", "worse"):
        return f"{word} ({'higher' if diff > 0 else 'lower'})"
    return word
