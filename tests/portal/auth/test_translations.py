"""The French catalogue is complete, compiled, and covers every string of the portal."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PORTAL = ROOT / "sync" / "portal"
CATALOGUE = PORTAL / "translations" / "fr" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def po_messages() -> dict[str, str]:
    with (CATALOGUE / "messages.po").open("rb") as source:
        catalogue = read_po(source)
    return {str(message.id): str(message.string) for message in catalogue if message.id}


def test_every_message_has_a_french_translation() -> None:
    messages = po_messages()
    assert len(messages) >= 50  # the sign-in pages, the layout and the errors at least
    untranslated = sorted(msgid for msgid, text in messages.items() if not text.strip())
    assert untranslated == []
    assert messages["Sign in"] == "Se connecter"


def test_the_compiled_catalogue_matches_the_po() -> None:
    """The .mo the portal reads says what the .po says (run scripts/translations.sh)."""
    with (CATALOGUE / "messages.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    assert {msgid: translations.gettext(msgid) for msgid in po_messages()} == po_messages()
    assert len(translations._catalog) - 1 == len(po_messages())  # type: ignore[attr-defined]


def test_every_string_of_the_portal_is_in_the_catalogue() -> None:
    """Extracted as scripts/translations.sh does: a string added without running it (and
    translating) is caught here."""
    found = {message[2] for message in extract_from_dir(
        str(PORTAL), METHODS, keywords=KEYWORDS)}
    msgids = {msgid if isinstance(msgid, str) else msgid[0] for msgid in found}
    assert sorted(msgids - set(po_messages())) == []
