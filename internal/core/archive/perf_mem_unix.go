//go:build unix

package archive

import "syscall"

// mapBuffer returns n bytes of zeroed, page-aligned memory outside the Go
// heap, or nil when the system refuses. The garbage collector sizes the
// heap it lets grow by what the heap holds; the archive's large, long-lived
// buffers kept there would double the memory a backup takes.
func mapBuffer(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

// unmapBuffer gives back memory from mapBuffer. Nothing may use it after.
func unmapBuffer(b []byte) { syscall.Munmap(b) }
