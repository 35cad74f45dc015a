//go:build ci || wasm || js || android || ios || mobile

package main

// screenSize is unknown with the headless (ci) driver.
func screenSize() (w, h int, ok bool) { return 0, 0, false }
