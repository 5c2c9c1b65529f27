"""The programme file (``PARTNERSYNC_PROGRAMME_FILE``): docs/rules.md's defaults overridden
by a TOML document.

The file may override any key, and may add ``[[amendments]]``, each with an
``effective_from`` date and the keys it changes. Validation names the key and what was
expected.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sync.domain.terms import (
    DEFAULT_TIERS,
    ApprovalTerms,
    PaymentTerms,
    PortalTerms,
    Programme,
    PromotionTerms,
    StrictModel,
    Terms,
)
from sync.errors import ConfigurationError


class ProgrammeError(ConfigurationError):
    """The programme file is unreadable or invalid; the message names the key."""


_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, prefix: str) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]
                       if not str(part).startswith("function-") and part != "[key]")
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{prefix}{key}: {message}" if key else f"{prefix.rstrip('.')}: {message}")
    return "; ".join(problems)


def _terms(raw: dict[str, Any], prefix: str) -> Terms:
    try:
        return Terms.model_validate(raw)
    except ValidationError as error:
        raise ProgrammeError(_describe(error, prefix)) from None


def _section(model: type[StrictModel], raw: Any, name: str) -> Any:
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise ProgrammeError(_describe(error, f"{name}.")) from None


def _effective_from(raw: Any, where: str) -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)
    raise ProgrammeError(f"{where}.effective_from: expected a date such as 2027-01-01")


def programme_from_mapping(document: dict[str, Any]) -> Programme:
    """Validate a parsed programme document (the TOML file's tables)."""
    document = dict(document)
    approval = _section(ApprovalTerms, document.pop("approval", None), "approval")
    promotion = _section(PromotionTerms, document.pop("promotion", None), "promotion")
    payments = _section(PaymentTerms, document.pop("payments", None), "payments")
    portal = _section(PortalTerms, document.pop("portal", None), "portal")
    amendments = document.pop("amendments", [])
    base_raw = _merge({"tiers": DEFAULT_TIERS}, document)
    versions = [(_BEGINNING, _terms(base_raw, ""))]
    if not isinstance(amendments, list):
        raise ProgrammeError("amendments: expected an array of tables ([[amendments]])")
    dated = []
    for index, amendment in enumerate(amendments):
        where = f"amendments[{index}]"
        if not isinstance(amendment, dict):
            raise ProgrammeError(f"{where}: expected a table")
        changes = dict(amendment)
        dated.append((_effective_from(changes.pop("effective_from", None), where), where, changes))
    # Each amendment builds on the ones in force before it, whatever the file's order.
    current = base_raw
    for start, where, changes in sorted(dated, key=lambda item: item[0]):
        current = _merge(current, changes)
        versions.append((start, _terms(current, f"{where}.")))
    return Programme(versions, approval, promotion, payments, portal)


def default_programme() -> Programme:
    return programme_from_mapping({})


def load_programme(path: Path | None) -> Programme:
    """The programme in force: docs/rules.md's defaults, overridden by ``path``."""
    if path is None:
        return default_programme()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProgrammeError(f"cannot read programme file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeError(f"programme file {path} is not valid TOML: {error}") from None
    return programme_from_mapping(document)
