#!/usr/bin/env bash
# One-shot, idempotent set-up for a fresh Debian 12 machine (run as root, or with sudo).
# Installs the system packages the kiosk and its tests need and a virtualenv in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc
  xvfb xauth libgl1 libgl1-mesa-dri libegl1 libmtdev1 libxrender1 libxi6
  pcscd libpcsclite-dev swig vsmartcard-vpcd
  cups cups-client cups-bsd cups-ipp-utils
  fonts-wqy-zenhei espeak-ng sox socat libzbar0 poppler-utils
  chromium chromium-driver
  shellcheck nginx-light rsync xdotool
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
