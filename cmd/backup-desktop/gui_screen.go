//go:build !ci && !wasm && !js && !android && !ios && !mobile

package main

import "github.com/go-gl/glfw/v3.3/glfw"

// screenSize is the primary monitor's size in pixels, from GLFW, which
// Fyne's desktop driver has initialised by the time the app runs. Fyne has
// no API for it; the window uses it to fit an 800×600 screen. It must run
// on the main goroutine (Fyne's lifecycle callbacks do).
func screenSize() (w, h int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, false
	}
	v := m.GetVideoMode()
	if v == nil {
		return 0, 0, false
	}
	return v.Width, v.Height, true
}
