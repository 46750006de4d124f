"""The group's question: what they want to find out, and the measures that answer it.

The facilitator writes the question with the group at the start of a workshop and picks the
measures that answer it. Those measures are then highlighted on every chart (a thicker line, a
framed legend entry, a star before the chart's title), and they lead the saved record. The
highlight is a style sheet: the charts are not redrawn when the question changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import solara

from coprod.dashboard import labels
from coprod.dashboard.components import choice
from coprod.dashboard.i18n import _
from coprod.dashboard.workshop_record import QUESTION_MEASURES

#: The colour that marks the question's measures.
MARK = "#ffb300"


def measure_label(measure: str) -> str:
    """A measure's plain-language name, as the chart legends give it."""
    return _(labels.MEASURE_LABELS[measure][0])


def charts_answering(measures: Sequence[str]) -> list[str]:
    """Keys of the charts that draw at least one of ``measures``, in chart order."""
    wanted = set(measures)
    return [spec.key for spec in labels.CHARTS if wanted & {s.measure for s in spec.series}]


def chart_order(measures: Sequence[str]) -> list[labels.ChartSpec]:
    """The charts, those answering the question first (each group in the usual order)."""
    first = set(charts_answering(measures))
    return [s for s in labels.CHARTS if s.key in first] + [
        s for s in labels.CHARTS if s.key not in first
    ]


def highlight_css(measures: Sequence[str]) -> str:
    """CSS that marks ``measures`` on every chart, and the title of every chart showing one."""
    rules = []
    for m in measures:
        if m not in QUESTION_MEASURES:
            continue
        rules.append(
            f'.coprod-chart polyline[data-measure="{m}"] {{ stroke-width: 4.5px; }}\n'
            f'.coprod-legend-item[data-measure="{m}"] {{ outline: 2px solid {MARK}; '
            "outline-offset: 1px; border-radius: 3px; font-weight: 700; }"
        )
    for key in charts_answering(measures):
        rules.append(
            f".coprod-view-{key} .coprod-chart-title::before, "
            f'.coprod-record-chart-{key} h4::before {{ content: "\\2605  "; color: {MARK}; }}\n'
            f".coprod-view-{key} {{ border-left: 4px solid {MARK} !important; }}"
        )
    return "\n".join(rules)


@solara.component
def QuestionCard(ws, version: int, on_change, presenting: bool = False):
    """The question card: the group's question and the measures that answer it.

    Args:
        ws: the session's :class:`~coprod.dashboard.workshop_record.RecordedWorkshop`.
        version: the workshop's version when the question last changed from outside (a
            workshop opened); it tells the card to redraw.
        on_change: called after the question changed.
        presenting: show the question as a headline only (presentation mode).
    """
    question = ws.question
    _tick, set_tick = solara.use_state(0)  # redraw after a change made here
    solara.Style(highlight_css(question.measures))

    def set_text(text: str) -> None:
        ws.set_question(text=text or "")
        set_tick(lambda t: t + 1)
        on_change()

    def set_measures(measures: list[str]) -> None:
        ws.set_question(measures=list(measures or []))
        set_tick(lambda t: t + 1)
        on_change()

    names = ", ".join(measure_label(m) for m in question.measures)
    if presenting:
        if question.text or names:
            with solara.Card(margin=0, classes=["coprod-view", "coprod-question-headline"]):
                solara.Text(question.text or _("Our question"), classes=["coprod-question-text"])
                if names:
                    solara.Text(
                        _("Answered by: {measures}").format(measures=names),
                        classes=["coprod-question-measures"],
                    )
        return
    items = [{"text": measure_label(m), "value": m} for m in QUESTION_MEASURES]
    with solara.Card(margin=0, classes=["coprod-view", "coprod-question"]):
        with solara.Row(gap="12px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            with solara.Column(
                gap="0px",
                style={"flex": "2 1 260px", "min-width": "0"},
                classes=["coprod-question-input"],
            ):
                solara.InputTextArea(
                    _("Our question: what do we want to find out?"),
                    value=question.text,
                    on_value=set_text,
                    continuous_update=False,
                    rows=2,
                    auto_grow=True,
                )
            with solara.Column(gap="0px", style={"flex": "1 1 220px", "min-width": "0"}):
                choice(
                    _("Measures that answer it"),
                    items,
                    list(question.measures),
                    set_measures,
                    "coprod-question-measures-pick",
                    style="",
                    multiple=True,
                    chips=True,
                    small_chips=True,
                    deletable_chips=True,
                )
                solara.Text(
                    _("They are marked on every chart and lead the saved record."),
                    classes=["coprod-description"],
                )
