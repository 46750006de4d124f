"""The dashboard's languages: gettext catalogs managed with Babel, and numbers in each language.

Every text the dashboard shows is English in the code, marked for translation, and looked up
in the catalog of the session's language at the moment it is drawn:

* ``_("text")`` translates now (inside a component, a chart function, an f-string);
* ``N_("text")`` only marks a text kept in a module constant (``labels.CHARTS``, ...) for
  extraction; the place that shows it calls ``_(constant)``;
* ``ngettext(singular, plural, n)`` picks the plural form of the language.

Texts the dashboard takes from elsewhere (the measure registry, the scenario files) are in the
catalogs too: ``babel.cfg`` extracts them with :mod:`coprod.dashboard.i18n_extract`.

The catalogs are the ``.po`` files in ``dashboard/locale/<lang>/LC_MESSAGES/coprod.po``. They
are compiled when first used, in memory, with Babel (``read_po`` then ``write_mo``): no ``.mo``
file is kept in the repository or the wheel, so a catalog can never be older than its ``.po``,
and a fresh ``pip install`` works without a build step. Compiling the three catalogs takes a
few tens of milliseconds, once per server process.

Which language is in force is asked of :data:`language_source`, a function returning a code of
:data:`LANGUAGES`. Outside the dashboard it returns :func:`default_language` (the ``--lang`` of
``coprod dashboard``, else English); the page (:mod:`coprod.dashboard.language`) replaces it
with the language of the browser session, so that each session has its own.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern
from babel.support import Translations

#: The languages the dashboard speaks, by code, each named in itself.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "nl": "Nederlands"}
#: The language when neither ``--lang`` nor the browser names one the dashboard speaks.
FALLBACK = "en"
#: The gettext domain: the catalogs are ``<lang>/LC_MESSAGES/coprod.po``.
DOMAIN = "coprod"
#: Where the catalogs are (inside the package, so that the wheel carries them).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The environment variable ``coprod dashboard --lang`` sets for the server process.
ENV_LANG = "COPROD_DASHBOARD_LANG"


class LanguageError(ValueError):
    """A language the dashboard does not speak."""


def check_language(code: str) -> str:
    """``code`` in lower case if the dashboard speaks it; else :class:`LanguageError`."""
    lang = str(code).strip().lower()
    if lang not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise LanguageError(f"unknown dashboard language {code!r}; allowed: {allowed}")
    return lang


def default_language() -> str:
    """The language given to ``coprod dashboard --lang``, else English."""
    return forced_language() or FALLBACK


def forced_language() -> str | None:
    """The language ``coprod dashboard --lang`` chose for every session, if any."""
    code = os.environ.get(ENV_LANG, "").strip()
    if not code:
        return None
    try:
        return check_language(code)
    except LanguageError:
        return None


#: Returns the language of the texts being drawn; the page replaces it (see module doc).
language_source: Callable[[], str] = default_language


def current() -> str:
    """The language texts are drawn in now."""
    lang = language_source()
    return lang if lang in LANGUAGES else FALLBACK


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (compiled from its ``.po`` on first use)."""
    with open(catalog_path(check_language(lang)), "rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def gettext(message: str, lang: str | None = None) -> str:
    """``message`` in ``lang`` (default: :func:`current`); the English text where it has none."""
    if not message:
        return message
    return translations(lang or current()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``lang`` (default: :func:`current`)."""
    return translations(lang or current()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark ``message`` for the catalogs without translating it (translate where shown)."""
    return message


_ = gettext


def in_sentence(text: str, lang: str | None = None) -> str:
    """A label as it reads inside a sentence: lower case, but German keeps its capital nouns."""
    return text if (lang or current()) == "de" else text.lower()


# ---------------------------------------------------------------------- numbers and dates
def locale(lang: str | None = None) -> Locale:
    """The Babel locale of ``lang`` (default: :func:`current`)."""
    return _locale(lang or current())


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _decimals(digits: int) -> NumberPattern:
    """The number pattern with ``digits`` decimals (parsed once: parsing costs more than use)."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits > 0 else ""))


def number(value: float, digits: int | None = 0, lang: str | None = None) -> str:
    """``value`` with the language's separators: ``10.000`` and ``2,5`` in German.

    ``digits`` decimals are shown; with ``None``, as many as needed, up to three.
    """
    return _number(value, digits, lang or current())


def percent(value: float, lang: str | None = None) -> str:
    """A share as a whole percent in the language's way: ``12%``, ``12 %`` (German)."""
    return _percent(value, lang or current())


# Each month redraws the same axis ticks and many of the same shares: remember them.
@lru_cache(maxsize=8192)
def _number(value: float, digits: int | None, lang: str) -> str:
    loc = _locale(lang)
    pattern = loc.decimal_formats[None] if digits is None else _decimals(digits)
    return pattern.apply(value, loc)


@lru_cache(maxsize=8192)
def _percent(value: float, lang: str) -> str:
    loc = _locale(lang)
    return loc.percent_formats[None].apply(value, loc)


def month_name(month: int, width: str = "wide", lang: str | None = None) -> str:
    """The name of calendar month ``month`` (1–12), e.g. ``März`` in German."""
    return locale(lang).months["format"][width][month]


def day(value: date, lang: str | None = None) -> str:
    """A date in words: ``30 November 2026``, ``30. November 2026``, ``30 november 2026``."""
    return format_date(value, format="long", locale=locale(lang))


def moment(value: datetime, lang: str | None = None) -> str:
    """A date and time for a record: ``30. Nov. 2026, 15:12:00`` in German."""
    return format_datetime(value, format="medium", locale=locale(lang))


# ---------------------------------------------------------------------- browser languages
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?"
)


def preferred_languages(accept_language: str | None) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most preferred first (RFC 9110 12.5.4)."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        match = _RANGE.match(part)
        if not match or match.group(1) == "*":
            continue
        try:
            quality = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((-quality, position, match.group(1).replace("_", "-")))
    return [tag for _q, _p, tag in sorted(ranked)]


def negotiate(tags: list[str] | tuple[str, ...]) -> str | None:
    """The first of the browser's language ``tags`` the dashboard speaks (``de-AT`` is ``de``)."""
    for tag in tags:
        found = Locale.negotiate([tag], list(LANGUAGES), sep="-")
        if found is None:  # de-AT is not offered as such: try its language alone
            found = Locale.negotiate([tag.split("-")[0]], list(LANGUAGES), sep="-")
        if found is not None:
            return str(found.language)
    return None
