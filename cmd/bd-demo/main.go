//go:build unix

// Command bd-demo is the program behind `make demo`: it brings up a private
// MariaDB server with a sample Django Inventory database, a media folder
// with real images and documents, and a settings file for Backup Desktop,
// so that a newcomer can see a backup and a restore work in one command.
//
//	bd-demo up     [--dir .demo] [--rows N] [--media-files N] [--media-bytes N] [--seed N]
//	bd-demo status [--dir .demo]
//	bd-demo down   [--dir .demo]
//
// Everything lives in the demo folder: the server's data, socket and log in
// <dir>/mysql, the media in <dir>/media, backups in <dir>/backups and the
// settings in <dir>/settings.json. The server keeps running after `up`
// exits; `down` stops it. `up` is idempotent: it reuses a running server,
// restarts a stopped one on its old data, and seeds only what is missing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/backupdesktop/backup-desktop/internal/sample"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command line that cannot be understood (exit code 2).
var errUsage = errors.New("usage")

const usage = `Usage: bd-demo COMMAND [flags]

Commands:
  up      start the demo MariaDB server (or reuse it), create and seed the
          "inventory" database and the media folder, write settings.json
  status  show the demo server, database, media folder and settings
  down    stop the demo server (its data stays; "up" starts it again)

Flags:
  --dir DIR            demo folder (default .demo)
  --rows N             approximate rows in the sample database (up; default 20000)
  --media-files N      files in the media folder (up; default 60)
  --media-bytes N      approximate size of the media folder in bytes (up; default 4 MiB)
  --seed N             seed of the sample content (up; default 1)
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "bd-demo: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "bd-demo: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	cmd := args[0]
	fs := flag.NewFlagSet("bd-demo "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", ".demo", "demo folder")
	var opt upOptions
	if cmd == "up" {
		fs.IntVar(&opt.rows, "rows", sample.DefaultRows, "rows in the sample database")
		fs.IntVar(&opt.mediaFiles, "media-files", 60, "files in the media folder")
		fs.Int64Var(&opt.mediaBytes, "media-bytes", 4<<20, "size of the media folder in bytes")
		fs.Int64Var(&opt.seed, "seed", 1, "seed of the sample content")
	}
	switch cmd {
	case "up", "down", "status":
	case "-h", "--help", "help":
		fmt.Fprint(out, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if opt.rows < 1 || opt.mediaFiles < 1 || opt.mediaBytes < 1 {
		if cmd == "up" {
			return fmt.Errorf("%w: --rows, --media-files and --media-bytes must be positive", errUsage)
		}
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("cannot resolve the demo folder %q: %w", *dir, err)
	}
	d := newDemo(abs)
	switch cmd {
	case "up":
		return d.up(ctx, out, opt)
	case "down":
		return d.down(out)
	default:
		return d.status(ctx, out)
	}
}
