//go:build !(linux || darwin || freebsd)

package earlyquiet

// Windows builds are GUI programs without a console at start-up: nothing
// to hide.
func restore() {}
