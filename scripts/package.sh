#!/usr/bin/env bash
# Builds the release packages into dist/:
#   dist/backup-desktop-VERSION-linux-amd64.tar.xz  (fyne package: binary, icon, .desktop entry)
#   dist/backup-desktop-VERSION-windows-amd64.exe   (cross-compiled with mingw-w64, no console window)
# Needs the fyne tool (fyne.io/tools, installed here if missing) and mingw-w64.
# The Windows build compiles Fyne's C parts from cold: expect several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${1:?usage: scripts/package.sh VERSION}
mkdir -p dist/linux

if ! command -v fyne >/dev/null 2>&1; then
  go install fyne.io/tools/cmd/fyne@v1.7.4
  export PATH="$PATH:$(go env GOPATH)/bin"
fi

# fyne package --release counts FyneApp.toml's Build up; a package build
# must not change the source tree.
meta=$(mktemp)
cp FyneApp.toml "$meta"
trap 'cp "$meta" FyneApp.toml; rm -f "$meta"' EXIT

echo "== Linux"
go build -ldflags "-X main.version=$V" -o dist/linux/backup-desktop ./cmd/backup-desktop
fyne package --os linux --release --exe dist/linux/backup-desktop --name "Backup Desktop" --app-version "$V"
mv "Backup Desktop.tar.xz" "dist/backup-desktop-$V-linux-amd64.tar.xz"

echo "== Windows"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
  go build -ldflags "-H=windowsgui -X main.version=$V" -o "dist/backup-desktop-$V-windows-amd64.exe" ./cmd/backup-desktop

ls -l dist/
