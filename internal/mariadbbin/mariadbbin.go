// Package mariadbbin finds the MariaDB server programs (mariadbd,
// mariadb-install-db, …) for the private servers that the tests, the demo
// and the benchmark start.
package mariadbbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNotInstalled is returned by Find when none of the names is found.
var ErrNotInstalled = errors.New("not installed")

// dirs are searched after PATH: server programs often live in sbin
// folders that a user's PATH lacks.
var dirs = []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin", "/opt/homebrew/bin", "/usr/local/bin"}

// Find returns the path of the first program of names that exists, for
// example Find("mariadbd", "mysqld").
func Find(names ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		for _, dir := range dirs {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s is %w", strings.Join(names, " / "), ErrNotInstalled)
}

// UserArgs lets mariadbd and mariadb-install-db run as root, which they
// refuse by default; other users run them as themselves.
func UserArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"}
	}
	return nil
}
