# Shared by scripts/demo, scripts/test and scripts/lock: make .venv with Python >= 3.11 and install
# Keel's dependencies from a hashed lockfile (requirements/base.txt or requirements/test.txt),
# then Keel itself (editable, no dependencies of its own: the lockfile has them all).
# Usage: source scripts/_venv.sh base|test     (or source it bare for the functions alone)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
PIP=(.venv/bin/python -m pip --disable-pip-version-check --quiet)

keel_venv_create() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Keel needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1)); set PYTHON=..." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
}

# Install requirements/$1.txt and Keel unless this exact lockfile and pyproject.toml already were.
keel_venv_install() {
  local lock="requirements/$1.txt" stamp=".venv/.keel-$1.sha256" digest
  digest="$(cat "$lock" pyproject.toml | "$PYTHON" -c \
    'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  rm -f "$stamp"
  # -qq: errors only (a hash mismatch, an unreachable index), not each line the resolver logs.
  "${PIP[@]}" -q install --require-hashes -r "$lock"
  "${PIP[@]}" -q install --no-deps --no-build-isolation -e .
  echo "$digest" > "$stamp"
}

if [ $# -gt 0 ]; then
  keel_venv_create
  "$PYTHON" scripts/lock_inputs.py check "$1"
  keel_venv_install "$1"
fi
