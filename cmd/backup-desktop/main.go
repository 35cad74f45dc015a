// Command backup-desktop backs up and restores the Inventory Management
// System. Without arguments it opens the window and the tray icon; with a
// command (create-backup, restore, verify, list, …) it runs that and exits.
package main

import (
	"os"

	"github.com/backupdesktop/backup-desktop/internal/cli"
	"github.com/backupdesktop/backup-desktop/internal/earlyquiet"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

func main() {
	earlyquiet.Restore()
	cli.Version = version
	os.Exit(run(os.Args[1:]))
}
