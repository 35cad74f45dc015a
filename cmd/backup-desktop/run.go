package main

import (
	"os"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/cli"
)

// run opens the window and tray when given no command (only --config PATH
// and --hidden, which start-at-login adds), and runs the command line
// otherwise.
func run(args []string) int {
	if o, ok := guiArgs(args); ok {
		return runGUI(o)
	}
	attachConsole()
	return cli.Main(args, os.Stdin, os.Stdout, os.Stderr)
}

// guiOptions are the arguments the window accepts.
type guiOptions struct {
	config string // --config PATH, "" for none
	hidden bool   // --hidden: start in the tray (start at login)
}

// guiArgs reports whether args ask for the window rather than a command.
func guiArgs(args []string) (guiOptions, bool) {
	var o guiOptions
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" || a == "-config":
			if i+1 >= len(args) {
				return o, false // let the command line say what is missing
			}
			o.config = args[i+1]
			i++
		case strings.HasPrefix(a, "--config="):
			o.config = strings.TrimPrefix(a, "--config=")
		case a == "--hidden":
			o.hidden = true
		default:
			return o, false
		}
	}
	return o, true
}
