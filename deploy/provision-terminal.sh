#!/usr/bin/env bash
# Provision a fresh Debian 12 terminal as a Tongban kiosk (run as root from a checkout).
#
#   deploy/provision-terminal.sh [--dry-run] [--session wayland|x11] [--prefix DIR]
#                                [--site FILE] [--no-enable]
#
# Idempotent: every step checks before it changes anything, so running it again after
# an update (or a half-finished run) converges on the same state. --dry-run prints the
# commands it would run and changes nothing. --prefix installs under DIR instead of /
# (for testing the layout; the unit files still name the real paths).
#
# What it does:
#   1. Debian packages for the session (cage or Xorg/xinit) and the kiosk user
#   2. the kiosk user (groups: video, input, render, audio, dialout, lp, plugdev)
#   3. the software: this checkout copied to /opt/tongban-kiosk, then scripts/setup.sh
#      there (system packages + .venv)
#   4. /etc: site file (if --site), kiosk.env, PAM service, logind, sysctl, watchdog,
#      udev rules, Xorg snippet (x11), systemd units
#   5. enables the session unit (and the audit timer), disables getty@tty1 and any
#      display manager, sets graphical.target as default
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
DRY_RUN=0
SESSION=wayland
PREFIX=""
SITE_FILE=""
ENABLE=1
KIOSK_USER=kiosk
APP_DIR=/opt/tongban-kiosk

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --session) SESSION=${2:?--session needs wayland or x11}; shift ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
    --site) SITE_FILE=${2:?--site needs a file}; shift ;;
    --no-enable) ENABLE=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "provision: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

case "$SESSION" in
  wayland) SESSION_UNIT=tongban-kiosk-session.service; OTHER_UNIT=tongban-kiosk-x11.service
           SESSION_PACKAGES=(cage xwayland) ;;
  x11) SESSION_UNIT=tongban-kiosk-x11.service; OTHER_UNIT=tongban-kiosk-session.service
       SESSION_PACKAGES=(xserver-xorg-core xserver-xorg-input-libinput xinit) ;;
  *) echo "provision: --session must be wayland or x11" >&2; exit 2 ;;
esac

if [ "$DRY_RUN" -eq 0 ] && [ -z "$PREFIX" ] && [ "$(id -u)" -ne 0 ]; then
  echo "provision: run as root (or use --dry-run)" >&2
  exit 1
fi

# Run a command, or print it under --dry-run.
run() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

say() { echo "provision: $*"; }

# Install SRC (relative to deploy/) at DEST with MODE, only when the content differs.
install_file() {
  local src=$SRC/deploy/$1 dest=$PREFIX$2 mode=${3:-0644}
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    say "unchanged $2"
    return 0
  fi
  run install -D -m "$mode" "$src" "$dest"
  say "installed $2"
  CHANGED=1
}

CHANGED=0

say "1/5 packages (${SESSION} session)"
missing=()
for p in "${SESSION_PACKAGES[@]}" rsync dbus libpam-systemd; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ -n "$PREFIX" ]; then
  say "under --prefix: not installing packages (${missing[*]:-none missing})"
elif [ "${#missing[@]}" -gt 0 ]; then
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "packages present"
fi

say "2/5 user ${KIOSK_USER}"
if [ -z "$PREFIX" ] && id -u "$KIOSK_USER" >/dev/null 2>&1; then
  say "user ${KIOSK_USER} exists"
elif [ -z "$PREFIX" ]; then
  run useradd --system --create-home --home-dir "/home/${KIOSK_USER}" --shell /usr/sbin/nologin \
    --comment "Tongban Kiosk" "$KIOSK_USER"
fi
if [ -z "$PREFIX" ]; then
  for group in video input render audio dialout lp plugdev; do
    if getent group "$group" >/dev/null && ! id -nG "$KIOSK_USER" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
      run usermod -a -G "$group" "$KIOSK_USER"
    fi
  done
fi

say "3/5 software in ${APP_DIR}"
run mkdir -p "$PREFIX$APP_DIR"
run rsync -a --delete --exclude .venv --exclude .git --exclude '__pycache__' \
  --exclude .pytest_cache --exclude .mypy_cache --exclude .ruff_cache --exclude .hypothesis \
  "$SRC/" "$PREFIX$APP_DIR/"
if [ -z "$PREFIX" ]; then
  run "$APP_DIR/scripts/setup.sh"
else
  say "skipping scripts/setup.sh under --prefix"
fi

say "4/5 configuration"
run mkdir -p "$PREFIX/etc/tongban-kiosk" "$PREFIX/var/lib/tongban-kiosk"
if [ -n "$SITE_FILE" ]; then
  run install -D -m 0644 "$SITE_FILE" "$PREFIX/etc/tongban-kiosk/site.yaml"
elif [ ! -f "$PREFIX/etc/tongban-kiosk/site.yaml" ]; then
  say "no site file: writing an empty one (set platform.url etc. in /etc/tongban-kiosk/site.yaml)"
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "would write: $PREFIX/etc/tongban-kiosk/site.yaml"
  else
    echo "# Site configuration: see config/defaults.yaml for every key." > "$PREFIX/etc/tongban-kiosk/site.yaml"
  fi
fi
install_file env/kiosk.env /etc/tongban-kiosk/kiosk.env
install_file pam.d/tongban-kiosk /etc/pam.d/tongban-kiosk
install_file logind/tongban-kiosk.conf /etc/systemd/logind.conf.d/tongban-kiosk.conf
install_file sysctl/90-tongban-kiosk.conf /etc/sysctl.d/90-tongban-kiosk.conf
install_file system.conf.d/tongban-watchdog.conf /etc/systemd/system.conf.d/tongban-watchdog.conf
install_file udev/99-tongban-devices.rules /etc/udev/rules.d/99-tongban-devices.rules
if [ "$SESSION" = x11 ]; then
  install_file x11/10-tongban-kiosk.conf /etc/X11/xorg.conf.d/10-tongban-kiosk.conf
fi
for unit in tongban-kiosk-session.service tongban-kiosk-x11.service \
            tongban-audit-verify.service tongban-audit-verify.timer; do
  install_file "systemd/$unit" "/etc/systemd/system/$unit"
done
if [ -z "$PREFIX" ]; then
  run chown -R "$KIOSK_USER:$KIOSK_USER" /var/lib/tongban-kiosk
  run chmod 0700 /var/lib/tongban-kiosk
fi

say "5/5 services"
if [ -n "$PREFIX" ]; then
  say "under --prefix: not touching systemd, sysctl or udev"
  exit 0
fi
if [ "$CHANGED" -eq 1 ]; then
  run systemctl daemon-reload
  run sysctl --system
  run udevadm control --reload-rules
  run udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc
fi
if [ "$ENABLE" -eq 1 ]; then
  # The other session kind and the minimal desktop-session unit must not run as well.
  for unit in "$OTHER_UNIT" tongban-kiosk.service; do
    if systemctl is-enabled "$unit" >/dev/null 2>&1; then
      run systemctl disable "$unit"
    fi
  done
  for dm in gdm3 lightdm sddm; do
    if systemctl list-unit-files "${dm}.service" >/dev/null 2>&1 \
      && systemctl is-enabled "${dm}.service" >/dev/null 2>&1; then
      run systemctl disable "${dm}.service"
    fi
  done
  run systemctl disable getty@tty1.service
  run systemctl set-default graphical.target
  run systemctl enable "$SESSION_UNIT" tongban-audit-verify.timer
  say "enabled ${SESSION_UNIT}; reboot (or: systemctl restart systemd-logind; systemctl start ${SESSION_UNIT})"
fi
say "done"
