package archive

import (
	"errors"
	"os"
	"syscall"
)

// Magic numbers (statfs f_type) of the local file systems on which the
// archive is written unbuffered. Elsewhere (network and FUSE file systems,
// tmpfs, …) O_DIRECT is missing, slow or not truly unbuffered, so ordinary
// buffered writes are used.
const (
	ext4Magic  = 0xEF53
	xfsMagic   = 0x58465342
	btrfsMagic = 0x9123683E
)

// enableDirect switches f to unbuffered writes (O_DIRECT) when it lies on a
// local file system known to support them, and reports whether it did.
func enableDirect(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	rc.Control(func(fd uintptr) {
		var st syscall.Statfs_t
		if syscall.Fstatfs(int(fd), &st) != nil {
			return
		}
		switch uint32(st.Type) {
		case ext4Magic, xfsMagic, btrfsMagic:
		default:
			return
		}
		flags, err := fcntl(fd, syscall.F_GETFL, 0)
		if err != nil {
			return
		}
		_, err = fcntl(fd, syscall.F_SETFL, flags|syscall.O_DIRECT)
		ok = err == nil
	})
	return ok
}

// disableDirect switches f back to buffered writes.
func disableDirect(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		var flags int
		if flags, ferr = fcntl(fd, syscall.F_GETFL, 0); ferr == nil {
			_, ferr = fcntl(fd, syscall.F_SETFL, flags&^syscall.O_DIRECT)
		}
	}); err != nil {
		return err
	}
	if ferr != nil {
		return &os.PathError{Op: "fcntl", Path: f.Name(), Err: ferr}
	}
	return nil
}

func fcntl(fd uintptr, cmd, arg int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, uintptr(cmd), uintptr(arg))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// isDirectRefused reports whether a write failed because the file system
// does not take unbuffered writes after all.
func isDirectRefused(err error) bool { return errors.Is(err, syscall.EINVAL) }
