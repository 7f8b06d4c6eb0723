#!/usr/bin/env bash
# Installs, then runs the harness's own checks: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export SB_SPEC_DIR="${SB_SPEC_DIR:-$(cd .. && pwd)/shared/sb-openapi}"
.venv/bin/ruff check .
.venv/bin/mypy
# the self-tests mostly wait on harness runs (backoff, Retry-After, timeouts): 4 workers share
# the 2 cores well; tests that share one run stay on one worker (tests/conftest.py)
.venv/bin/pytest -q -n "${SBREADY_TEST_WORKERS:-4}" --dist loadscope "$@"
