package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 10, 2, 0, 0, 0, time.UTC)

func rec(op Op, scheduled bool, res Result, start time.Time) Record {
	return Record{Op: op, Kind: "daily", Scheduled: scheduled, Start: start, End: start.Add(time.Minute), Result: res}
}

func TestAppendList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created by Append
	s := Open(dir)
	if rs, err := s.List(); err != nil || len(rs) != 0 {
		t.Fatalf("List of a new history = %v, %v; want empty", rs, err)
	}
	in := []Record{
		{Op: OpBackup, Kind: "daily", Scheduled: true, Start: t0, End: t0.Add(90 * time.Second), Result: ResultOK, File: "/b/daily_backup_20260610_020000.zip", Size: 12345},
		{Op: OpBackup, Kind: "manual", Start: t0.Add(time.Hour), End: t0.Add(61 * time.Minute), Result: ResultFailed, Error: "database unreachable: connection refused"},
		{Op: OpPrune, Start: t0.Add(2 * time.Hour), End: t0.Add(2 * time.Hour), Result: ResultOK, Deleted: []string{"daily_backup_20260501_020000.zip"}},
		{ID: "given", Op: OpRestore, Start: t0.Add(3 * time.Hour), End: t0.Add(3 * time.Hour), Result: ResultCancelled, At: t0.Add(-24 * time.Hour)},
	}
	for _, r := range in {
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("List returned %d records, want %d", len(out), len(in))
	}
	for i := range in {
		got, want := out[i], in[i]
		if want.ID == "" {
			if !strings.HasPrefix(got.ID, want.Start.Format("20060102T150405Z")+"-") {
				t.Errorf("record %d: generated ID %q", i, got.ID)
			}
			want.ID = got.ID
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) {
			t.Errorf("record %d:\n got  %s\n want %s", i, gj, wj)
		}
	}
	if out[0].ID == out[1].ID {
		t.Error("two records got the same ID")
	}
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != 4 || strings.Contains(lines[0], `"at"`) || !strings.Contains(lines[3], `"at":"2026-06-09T02:00:00Z"`) {
		t.Errorf("file content:\n%s\nwant 4 lines, \"at\" only on the simulated run", raw)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestTornAndDamagedLines(t *testing.T) {
	s := Open(t.TempDir())
	if err := s.Append(rec(OpBackup, true, ResultOK, t0)); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(s.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A line damaged by hand, then a record cut off by a crash.
	if _, err := f.WriteString("not json at all\n{\"id\":\"torn\",\"op\":\"back"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rs, err := s.List()
	if err != nil || len(rs) != 1 {
		t.Fatalf("List with a torn last line = %d records, %v; want 1", len(rs), err)
	}
	if err := s.Append(rec(OpBackup, true, ResultOK, t0.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	rs, err = s.List()
	if err != nil || len(rs) != 2 || !rs[1].Start.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("after appending past a torn line: %+v, %v; want the two good records", rs, err)
	}
	raw, _ := os.ReadFile(s.Path())
	if !bytes.Contains(raw, []byte("\"op\":\"back\n{")) {
		t.Errorf("the torn line was not closed off before the new record:\n%s", raw)
	}
}

func TestLastQueries(t *testing.T) {
	s := Open(t.TempDir())
	if _, ok, err := s.LastSuccessfulScheduled(); ok || err != nil {
		t.Fatalf("empty history: ok=%v err=%v", ok, err)
	}
	day := 24 * time.Hour
	simulatedOld := rec(OpBackup, true, ResultOK, t0.Add(5*day))
	simulatedOld.At = t0.Add(-10 * day) // a --at run in the past, appended last
	for _, r := range []Record{
		rec(OpBackup, true, ResultOK, t0),
		rec(OpBackup, true, ResultOK, t0.Add(2*day)), // the latest successful scheduled one
		rec(OpBackup, true, ResultFailed, t0.Add(3*day)),
		rec(OpBackup, false, ResultOK, t0.Add(4*day)),
		rec(OpPrune, false, ResultOK, t0.Add(4*day)),
		simulatedOld,
		rec(OpBackup, true, ResultCancelled, t0.Add(6*day)),
	} {
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name      string
		get       func() (Record, bool, error)
		wantWhen  time.Time
		wantFound bool
	}{
		{"last successful scheduled is by When", s.LastSuccessfulScheduled, t0.Add(2 * day), true},
		{"last backup of any result", func() (Record, bool, error) { return s.Last(OpBackup) }, t0.Add(6 * day), true},
		{"last successful backup is the latest appended", func() (Record, bool, error) { return s.LastSuccessful(OpBackup) }, t0.Add(-10 * day), true},
		{"last prune", func() (Record, bool, error) { return s.Last(OpPrune) }, t0.Add(4 * day), true},
		{"no restore yet", func() (Record, bool, error) { return s.Last(OpRestore) }, time.Time{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, ok, err := tc.get()
			if err != nil || ok != tc.wantFound || !r.When().Equal(tc.wantWhen) {
				t.Errorf("got %+v ok=%v err=%v; want When %v found %v", r, ok, err, tc.wantWhen, tc.wantFound)
			}
		})
	}
}

func TestCompaction(t *testing.T) {
	s := Open(t.TempDir())
	s.maxRecords, s.keepRecords, s.compactBytes = 20, 10, 0
	for i := 1; i <= 45; i++ {
		r := rec(OpBackup, false, ResultOK, t0)
		r.Size = int64(i)
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
		rs, err := s.List()
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) > 20 || (i > 10 && len(rs) < 10) {
			t.Fatalf("after %d appends the history holds %d records; want at most 20 and at least 10", i, len(rs))
		}
		for j, r := range rs {
			if want := int64(i - len(rs) + 1 + j); r.Size != want {
				t.Fatalf("after %d appends record %d is #%d, want #%d (the newest, in order)", i, j, r.Size, want)
			}
		}
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	dir := t.TempDir()
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := Open(dir)
			for i := 0; i < each; i++ {
				r := rec(OpBackup, true, ResultOK, t0)
				r.File = fmt.Sprintf("w%d-%d", w, i)
				r.Error = strings.Repeat("x", 3000) // records larger than a pipe buffer
				if err := s.Append(r); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkAll(t, dir, workers*each)
}

// TestConcurrentProcesses appends from several processes at once (this
// test binary re-run as a helper) and checks that no record is lost or
// torn.
func TestConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	const procs, each = 4, 60
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppend$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HISTORY_HELPER_DIR="+dir, "HISTORY_HELPER_N="+strconv.Itoa(each), "HISTORY_HELPER_P="+strconv.Itoa(p))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper %d output:\n%s", p, out.String())
			}
		})
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	checkAll(t, dir, procs*each)
}

func TestHelperAppend(t *testing.T) {
	dir := os.Getenv("HISTORY_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestConcurrentProcesses; runs only when started by it")
	}
	n, _ := strconv.Atoi(os.Getenv("HISTORY_HELPER_N"))
	s := Open(dir)
	for i := 0; i < n; i++ {
		r := rec(OpBackup, true, ResultOK, t0)
		r.File = fmt.Sprintf("p%s-%d", os.Getenv("HISTORY_HELPER_P"), i)
		r.Error = strings.Repeat("y", 5000)
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
}

// checkAll checks that the history holds exactly want whole, distinct
// records and no other line.
func checkAll(t *testing.T, dir string, want int) {
	t.Helper()
	s := Open(dir)
	rs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	ids, files := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		ids[r.ID], files[r.File] = true, true
	}
	if len(rs) != want || len(ids) != want || len(files) != want {
		t.Errorf("history holds %d records (%d distinct IDs, %d distinct files), want %d", len(rs), len(ids), len(files), want)
	}
	raw, _ := os.ReadFile(s.Path())
	if n := bytes.Count(raw, []byte{'\n'}); n != want {
		t.Errorf("history file has %d lines, want %d (no torn or merged lines)", n, want)
	}
}
