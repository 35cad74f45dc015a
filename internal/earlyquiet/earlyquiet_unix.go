//go:build linux || darwin || freebsd

package earlyquiet

import "syscall"

// saved is a copy of the original standard error, or -1.
var saved = -1

func init() {
	null, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer syscall.Close(null)
	fd, err := syscall.Dup(2)
	if err != nil {
		return
	}
	if dup2(null, 2) != nil {
		syscall.Close(fd)
		return
	}
	saved = fd
}

func restore() {
	if saved < 0 {
		return
	}
	dup2(saved, 2)
	syscall.Close(saved)
	saved = -1
}
