//go:build !linux

package archive

import "os"

// enableDirect reports false: unbuffered writes are used on Linux only.
func enableDirect(*os.File) bool { return false }

// disableDirect does nothing where enableDirect never succeeds.
func disableDirect(*os.File) error { return nil }

// isDirectRefused reports false where writes are never unbuffered.
func isDirectRefused(error) bool { return false }
