#!/usr/bin/env bash
# Sourced by demo.sh and test.sh: the project's virtual environment in .venv, with the
# worker, the stand-ins (standins/) and EXTRAS, at the versions of constraints.txt.
# Installs only when pyproject.toml, standins/pyproject.toml, constraints.txt or the
# extras changed since the last install, so a second run starts at once.
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=$(cat pyproject.toml standins/pyproject.toml constraints.txt | sha256sum | cut -c1-16)
stamp="$stamp ${EXTRAS:-none}"
if [ "$(cat .venv/.partnersync-installed 2>/dev/null)" != "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet -c constraints.txt \
    -e ".${EXTRAS:+[$EXTRAS]}" -e ./standins
  echo "$stamp" > .venv/.partnersync-installed
fi
