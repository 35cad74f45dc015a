package archive

import (
	"errors"
	"os"
	"syscall"
)

// Windows system error codes for a full disk.
const (
	errorHandleDiskFull syscall.Errno = 39
	errorDiskFull       syscall.Errno = 112
)

// isDiskFull reports whether err means the disk has no space left.
func isDiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull) || errors.Is(err, syscall.ENOSPC)
}

// mediaOpenFlags open a media file for reading.
const mediaOpenFlags = os.O_RDONLY

// isLinkLoop reports whether opening met a symbolic link; Windows opens
// follow links, which scanMedia has already excluded.
func isLinkLoop(error) bool { return false }
