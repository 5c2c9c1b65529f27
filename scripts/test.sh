#!/usr/bin/env bash
# Set up (once) and run every check: ruff, mypy (strict on the packages), pytest.
# Needs only Python 3.11+ and pip. Extra pytest arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts (docs/architecture.md)"; .venv/bin/lint-imports --no-cache
echo "== pytest"; .venv/bin/pytest "$@"
