#!/usr/bin/env bash
# Sourced by the project's commands: makes .venv with the package and its dev tools installed.
# Re-installs only when pyproject.toml or constraints.txt changed, so a second run starts at once.
set -euo pipefail

NEWSDEDUP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NEWSDEDUP_ROOT
VENV="${NEWSDEDUP_VENV:-$NEWSDEDUP_ROOT/.venv}"

find_python() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "newsdedup needs Python 3.11 or newer: install it (e.g. 'apt-get install python3.11 python3.11-venv')" >&2
    echo "or point PYTHON at one." >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    py="$(find_python)"
    echo "==> creating virtualenv $VENV with $py" >&2
    "$py" -m venv "$VENV"
fi

stamp_file="$VENV/.newsdedup-installed"
want="$(cat "$NEWSDEDUP_ROOT/pyproject.toml" "$NEWSDEDUP_ROOT/constraints.txt" 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp_file" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing newsdedup and its dependencies into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$NEWSDEDUP_ROOT/constraints.txt" -e "$NEWSDEDUP_ROOT[dev]"
    echo "$want" >"$stamp_file"
fi
export PATH="$VENV/bin:$PATH"
source "$NEWSDEDUP_ROOT/scripts/ensure-browser.sh"
