package fsutil

import (
	"errors"
	"runtime"
	"syscall"
)

func isUnsupported(err error) bool {
	return runtime.GOOS == "windows" || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
