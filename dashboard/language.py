"""The language of each browser session, and the switch on the page that changes it live.

The language is a Solara reactive variable, so each browser session (each Solara kernel) has
its own, and every component that draws a translated text reads it and is redrawn when it
changes: switching the language redraws the page in place, with the runs untouched.

A session's language is chosen once, when its page is first drawn: the ``--lang`` of
``coprod dashboard`` if given, else the first language of the browser's ``Accept-Language``
header (the browser's preferred languages, ``navigator.languages``; Solara passes the headers
of the page's connection as ``solara.lab.headers``) that the dashboard speaks, else English.
"""

from __future__ import annotations

import reacton.ipyvuetify as v
import solara
import solara.lab

from coprod.dashboard import i18n
from coprod.dashboard.i18n import LANGUAGES, _

#: The session's language; ``None`` until the page has chosen it.
LANGUAGE: solara.Reactive[str | None] = solara.reactive(None)


def session_language() -> str:
    """The language of the session being drawn (before the page chose: the server default)."""
    return LANGUAGE.value or i18n.default_language()


i18n.language_source = session_language


def header(headers: dict[str, list[str]] | None, name: str) -> str:
    """The values of header ``name`` (any case) joined by commas; ``""`` when absent."""
    for key, values in (headers or {}).items():
        if key.lower() == name.lower():
            return ",".join(values)
    return ""


def initial_language(headers: dict[str, list[str]] | None) -> str:
    """A new session's language: ``--lang``, else the browser's first we speak, else English."""
    forced = i18n.forced_language()
    if forced:
        return forced
    tags = i18n.preferred_languages(header(headers, "accept-language"))
    return i18n.negotiate(tags) or i18n.FALLBACK


def use_session_language() -> str:
    """Choose the session's language on its first drawing (a hook for ``Page``); return it."""
    if LANGUAGE.value is None:
        LANGUAGE.set(initial_language(solara.lab.headers.value))
    return LANGUAGE.value or i18n.FALLBACK


@solara.component
def LanguageSwitch():
    """Buttons to change the page's language, each language named in itself."""
    chosen = session_language()
    with solara.Tooltip(_("Language of the page")):
        v.BtnToggle(
            v_model=chosen,
            on_v_model=lambda code: code and LANGUAGE.set(i18n.check_language(code)),
            mandatory=True,
            dense=True,
            class_="coprod-language-switch",
            attributes={"lang": chosen, "data-language": chosen},
            children=[
                v.Btn(
                    children=[name],
                    value=code,
                    small=True,
                    class_=f"coprod-lang-{code}",
                    attributes={"lang": code},
                )
                for code, name in LANGUAGES.items()
            ],
        )
