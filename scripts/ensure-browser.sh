#!/usr/bin/env bash
# Sourced by bootstrap.sh: Debian's Chromium for the dashboard's browser test and screenshot.
# Installed with apt-get where it is missing and we may (root, apt-get present); quiet and idempotent:
# when /usr/bin/chromium is there this costs one stat. Elsewhere the browser test skips, but under
# CI=true a browser that cannot be installed fails the run, since CI must run that test.
NEWSDEDUP_CHROMIUM="${NEWSDEDUP_CHROMIUM:-/usr/bin/chromium}"
export NEWSDEDUP_CHROMIUM

ensure_browser() {
    [ -x "$NEWSDEDUP_CHROMIUM" ] && return 0
    local log="${TMPDIR:-/tmp}/newsdedup-chromium-install.log"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing chromium with apt-get (for the dashboard's browser test; log: $log)" >&2
        # Fonts with Latin and Arabic glyphs, so that the page and its screenshot show text, not boxes.
        local packages=(chromium fonts-dejavu-core)
        export DEBIAN_FRONTEND=noninteractive
        if apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$log" 2>&1 ||
            { apt-get update -qq >>"$log" 2>&1 &&
                apt-get install -y -qq --no-install-recommends "${packages[@]}" >>"$log" 2>&1; }; then
            [ -x "$NEWSDEDUP_CHROMIUM" ] && return 0
        fi
        echo "chromium could not be installed (see $log)" >&2
    fi
    if [ "${CI:-}" = "true" ]; then
        echo "CI=true: the dashboard's browser test needs $NEWSDEDUP_CHROMIUM (apt-get install chromium as root)" >&2
        return 1
    fi
    return 0
}

ensure_browser
