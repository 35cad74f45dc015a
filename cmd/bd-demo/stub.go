//go:build !unix

// Command bd-demo is the program behind `make demo`. It needs a Unix-like
// system (Linux or macOS) with MariaDB installed.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bd-demo: the demo runs on Linux and macOS only; on Windows, point Backup Desktop at an existing MySQL or MariaDB server")
	os.Exit(1)
}
