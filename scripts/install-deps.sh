#!/usr/bin/env bash
# Installs what building and testing Backup Desktop needs on Debian/Ubuntu:
# MariaDB (server and clients), the C toolchain and X11/GL headers Fyne needs,
# Xvfb and D-Bus for the window and tray tests, cron and unzip.
# Runs apt-get only when something is missing, and only as root; otherwise
# it prints the command to run.
set -euo pipefail

packages=(
  mariadb-server mariadb-client
  gcc pkg-config libgl1-mesa-dev xorg-dev
  xvfb xauth dbus dbus-x11 imagemagick
  cron unzip tzdata ca-certificates time
)
if [ "${WITH_PACKAGE_TOOLS:-}" = 1 ]; then
  packages+=(mingw-w64)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed: install Go 1.26 or newer from your distribution or go.dev, then run make again." >&2
  exit 1
fi
