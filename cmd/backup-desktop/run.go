package main

import (
	"os"

	"github.com/backupdesktop/backup-desktop/internal/cli"
)

func run(args []string) int {
	return cli.Main(args, os.Stdin, os.Stdout, os.Stderr)
}
