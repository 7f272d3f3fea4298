#!/usr/bin/env bash
# System packages the test suite needs: Wine (to run the real AutoHotkey v2 interpreter), Xvfb
# and bubblewrap (its display and the sandbox for generated code) and Chromium (browser tests). Installs with apt-get when run as root on Debian/Ubuntu;
# elsewhere it says what is missing and the tests that need it are skipped.
set -u
need=()
command -v wine >/dev/null 2>&1 || need+=(wine wine64)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core
else
  echo "note: missing system packages: ${need[*]} (install them with your package manager;" \
       "the interpreter and browser tests are skipped without them)" >&2
fi
exit 0
