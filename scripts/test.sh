#!/usr/bin/env bash
# Set up (once) and run every check: ruff, mypy (strict on the packages), the import
# contracts of docs/architecture.md, pytest. Needs only Python 3.11+ and pip. Extra
# pytest arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=dev source scripts/setup.sh
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts (docs/architecture.md)"; .venv/bin/lint-imports --no-cache
echo "== pytest"; .venv/bin/pytest "$@"
