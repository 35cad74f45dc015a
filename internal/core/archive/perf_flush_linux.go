package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// flushEarly: the archive is flushed while it is written (see outFile).
const flushEarly = true

// flushData makes what has been written to f durable, as fdatasync does.
func flushData(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}

// dropCached tells the kernel that f's bytes from off to end, already
// flushed, will not be read again, so that their page-cache memory goes
// back to the user's programs.
func dropCached(f *os.File, off, end int64) {
	unix.Fadvise(int(f.Fd()), off, end-off, unix.FADV_DONTNEED)
}
