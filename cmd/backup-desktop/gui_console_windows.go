package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParent is ATTACH_PARENT_PROCESS.
const attachParent = ^uint32(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachConsole lets the command line print to the console it was started
// from. The Windows build is linked as a GUI program (-H=windowsgui, so
// double-clicking it opens no console window), and such a program has no
// standard output unless it is redirected; then it is left as it is.
func attachConsole() {
	out, _ := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE)
	errh, _ := windows.GetStdHandle(windows.STD_ERROR_HANDLE)
	if valid(out) && valid(errh) {
		return // redirected to files or pipes
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParent)); r == 0 {
		return // not started from a console (Task Scheduler, a shortcut)
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		if !valid(out) {
			os.Stdout = f
		}
		if !valid(errh) {
			os.Stderr = f
		}
	}
	if in, _ := windows.GetStdHandle(windows.STD_INPUT_HANDLE); !valid(in) {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

func valid(h windows.Handle) bool { return h != 0 && h != windows.InvalidHandle }
