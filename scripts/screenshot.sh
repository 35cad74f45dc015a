#!/usr/bin/env bash
# Saves screenshots of the real app, under a private Xvfb X server, at a
# 1024x768 and a small 800x600 screen: the main window, the "Configure
# Backup Settings" dialog (top, and bottom after "Test connection"), the
# confirmation of restoring the newest backup, and the first run (no
# settings file yet).
#
#   scripts/screenshot.sh [BIN] [OUTDIR] [SETTINGS]
#
# BIN defaults to bin/backup-desktop, OUTDIR to screenshots and SETTINGS to
# the demo's settings ($DEMO_DIR or .demo, see `make demo`): the database
# must be running and one backup must exist for the restore confirmation.
# Needs Xvfb and ImageMagick's import.
set -euo pipefail

BIN=${1:-bin/backup-desktop}
OUT=${2:-screenshots}
CONFIG=${3:-${DEMO_DIR:-$PWD/.demo}/settings.json}
SIZES=${SIZES:-"1024x768 800x600"}

for tool in Xvfb import xwininfo; do
	command -v "$tool" >/dev/null || { echo "screenshot: $tool is not installed" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "screenshot: $BIN not found; run make build" >&2; exit 1; }
[ -f "$CONFIG" ] || { echo "screenshot: settings $CONFIG not found; run make demo first" >&2; exit 1; }
mkdir -p "$OUT"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

xvfb_pid=
app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null || true
	app_pid= xvfb_pid=
}
trap cleanup EXIT

# free_display prints a display number no X server uses.
free_display() {
	local n=90
	while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
	echo "$n"
}

# wait_window waits until a window with the title is mapped.
wait_window() {
	local i
	for i in $(seq 1 100); do
		if xwininfo -root -tree 2>/dev/null | grep -q "\"$1\""; then return 0; fi
		sleep 0.2
	done
	echo "screenshot: the window \"$1\" did not appear" >&2
	return 1
}

shoot() { # size view settle-seconds [settings]
	local size=$1 view=$2 settle=$3 config=${4:-$CONFIG} d
	d=$(free_display)
	Xvfb ":$d" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X$d" ] && break; sleep 0.1; done
	# No session bus: the app runs without a tray, which changes nothing in
	# the window.
	env -u DBUS_SESSION_BUS_ADDRESS DISPLAY=":$d" LANG=en_US.UTF-8 \
		BACKUP_DESKTOP_SHOW="$view" "$BIN" --config "$config" >"$OUT/app-$view-$size.log" 2>&1 &
	app_pid=$!
	DISPLAY=":$d" wait_window "Backup & Restore"
	sleep "$settle" # first paint, the list, the restore check
	DISPLAY=":$d" import -window root "$OUT/$view-$size.png"
	echo "saved $OUT/$view-$size.png"
	kill "$app_pid"
	wait "$app_pid" 2>/dev/null || true
	app_pid=
	rm -f "$OUT/app-$view-$size.log"
	kill "$xvfb_pid"
	wait "$xvfb_pid" 2>/dev/null || true
	xvfb_pid=
}

firstrun=$(mktemp -d)
trap 'cleanup; rm -rf "$firstrun"' EXIT
for size in $SIZES; do
	shoot "$size" main 3
	shoot "$size" settings 3
	shoot "$size" settings-test 4
	shoot "$size" restore 10
	rm -rf "${firstrun:?}"/*
	shoot "$size" firstrun 3 "$firstrun/settings.json"
done
