#!/usr/bin/env bash
# The portal's French catalogue (docs/portal.md): extract the English strings from
# sync/portal's code and templates, merge them into the French .po (new ones appear
# with an empty msgstr to fill in), and compile the .mo the portal reads. Commit the
# .po and the .mo together; tests/portal/auth/test_translations.py checks both.
#   bash scripts/translations.sh            extract, update, compile
#   bash scripts/translations.sh compile    compile only (after editing the .po)
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
CATALOGUE=sync/portal/translations
TEMPLATE=$(mktemp --suffix=.pot)
trap 'rm -f "$TEMPLATE"' EXIT
if [ "${1:-}" != compile ]; then
  # No line numbers (they would change at every edit); messages in file order, so
  # each area's strings stay together in the .po.
  "$PYBABEL" -q extract -F sync/portal/babel.cfg -k _ -k gettext -k ngettext:1,2 \
    -k lazy_gettext --no-location --no-wrap --project=PartnerSync -o "$TEMPLATE" .
  "$PYBABEL" -q update -i "$TEMPLATE" -d "$CATALOGUE" -l fr --no-fuzzy-matching \
    --ignore-obsolete --ignore-pot-creation-date --no-wrap
fi
"$PYBABEL" -q compile -d "$CATALOGUE" -l fr --statistics
