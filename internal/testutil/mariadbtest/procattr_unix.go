//go:build !windows

package mariadbtest

import "syscall"

// procAttr puts the server in its own process group, so a signal meant for
// the test does not reach it.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
