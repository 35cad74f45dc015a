package dump

import "io"

// Scan reads a whole dump from r, checks that it is well formed to its
// end (structure, every value against its column's encoding, row counts,
// the closing summary), and returns its Summary. It keeps one row in
// memory at a time. A cut-off or damaged stream fails with ErrCorrupt, a
// dump in a newer format with ErrUnsupportedVersion.
func Scan(r io.Reader) (*Summary, error) {
	s, _, err := readDump(r, nil)
	if err != nil {
		return nil, err
	}
	return s, nil
}
