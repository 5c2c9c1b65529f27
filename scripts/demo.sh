#!/usr/bin/env bash
# Set up (once) and run the demo: both stand-ins seeded with fixtures/demo and one full
# cycle of the worker against them. Needs only Python 3.11+ and pip. Extra arguments go
# to `partnersync demo` (e.g. --serve to keep the stand-ins up afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="" source scripts/setup.sh
exec .venv/bin/partnersync demo "$@"
