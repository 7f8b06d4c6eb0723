#!/usr/bin/env bash
# Installs, then runs the harness's own checks: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export SB_SPEC_DIR="${SB_SPEC_DIR:-$(cd .. && pwd)/shared/sb-openapi}"
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pytest -q "$@"
