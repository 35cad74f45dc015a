//go:build !windows

package archive

import (
	"errors"
	"os"
	"syscall"
)

// isDiskFull reports whether err means the disk (or the user's quota on it)
// has no space left.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// mediaOpenFlags open a media file without following a symbolic link that
// replaced it since the folder was read, and without blocking on a FIFO.
const mediaOpenFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// isLinkLoop reports whether opening with O_NOFOLLOW met a symbolic link.
func isLinkLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
