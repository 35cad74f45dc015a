//go:build !unix

package archive

// mapBuffer returns nil: buffers come from the Go heap on this system.
func mapBuffer(int) []byte { return nil }

// unmapBuffer does nothing where mapBuffer never maps.
func unmapBuffer([]byte) {}
