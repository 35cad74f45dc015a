package units

import (
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	cases := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 5138033: "4.9 MiB", 3 << 30: "3.0 GiB", 1 << 62: "4.0 EiB"}
	for n, want := range cases {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	if got := Time(time.Time{}); got != "never" {
		t.Errorf("zero time = %q", got)
	}
	at := time.Date(2026, 11, 25, 2, 0, 30, 0, time.Local)
	if got := Time(at); got != "2026-11-25 02:00" {
		t.Errorf("Time = %q", got)
	}
}
