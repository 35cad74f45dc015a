package archive

import "sync"

// buffers hands out the large buffers of one Create (output blocks, media
// read-ahead, deflate blocks) and frees them all at its end, when no
// goroutine uses them any more. They are mapped outside the Go heap where
// the system allows (see mapBuffer), otherwise allocated on it.
type buffers struct {
	mu     sync.Mutex
	mapped [][]byte
}

// get returns a buffer of length n.
func (bs *buffers) get(n int) []byte {
	if b := mapBuffer(n); b != nil {
		bs.mu.Lock()
		bs.mapped = append(bs.mapped, b)
		bs.mu.Unlock()
		return b
	}
	return make([]byte, n)
}

// free gives back every mapped buffer. Call it once, after every
// goroutine that used one has stopped.
func (bs *buffers) free() {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for _, b := range bs.mapped {
		unmapBuffer(b)
	}
	bs.mapped = nil
}
