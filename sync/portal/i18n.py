"""English and French (Flask-Babel): ``?lang=fr|en`` chooses and is remembered in a
cookie; otherwise the browser's ``Accept-Language``; English by default.

Source strings are English; the French catalogue is
``translations/fr/LC_MESSAGES/messages.po``, compiled to ``messages.mo`` by
``scripts/translations.sh``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
LANG_COOKIE = "partnersync_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _asked() -> str | None:
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else None


def select_language() -> str:
    cookie = request.cookies.get(LANG_COOKIE)
    return (_asked() or (cookie if cookie in LANGUAGES else None)
            or request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE)


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def language_url(language: str) -> str:
    """The current page in ``language``, its other query parameters kept."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*kept, ('lang', language)])}"


def init_i18n(app: Flask, *, secure_cookies: bool) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)

    @app.after_request
    def remember_language(response: Response) -> Response:
        asked = _asked()
        if asked is not None:
            response.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_SECONDS,
                                httponly=True, samesite="Lax", secure=secure_cookies)
        return response

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_lang": current_language(), "languages": LANGUAGE_NAMES,
                "language_url": language_url}
