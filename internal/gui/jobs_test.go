package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/backupname"
)

func TestBackupNowThenRestoreFromList(t *testing.T) {
	name, db := newDB(t, 500)
	s := testSettings(t, name)
	h := newHarness(t, harnessOpts{settings: &s})
	h.eventually("the first status", 10*time.Second, func() bool { return h.app.configured && h.app.main.listEmpty.Visible() })

	h.ui(func() { test.Tap(h.app.main.backupBtn) })
	h.ui(func() {
		if h.app.task == nil && len(h.app.list) == 0 {
			t.Error("Back up now started nothing")
		}
	})
	h.idle()
	h.eventually("the backup in the list", 20*time.Second, func() bool { return len(h.app.list) == 1 })
	var backup string
	h.ui(func() {
		b := h.app.list[0]
		backup = b.Path
		if !b.Complete || b.Kind != backupname.Manual || !strings.HasPrefix(b.Name, "backup_") {
			t.Errorf("listed backup %+v, want a complete manual backup_… file", b.Backup)
		}
		if msg := h.app.main.message.Text; !strings.HasPrefix(msg, "Backup saved: "+b.Name) {
			t.Errorf("window message %q", msg)
		}
		if r := h.app.main.list.CreateItem().(*row); r != nil {
			r.set(b)
			if r.labels[3].Text != "Complete" || r.labels[1].Text != "Manual" {
				t.Errorf("row shows %q %q", r.labels[1].Text, r.labels[3].Text)
			}
		}
		if n := h.desk.notes; len(n) != 1 || n[0].Title != "Backup finished" {
			t.Errorf("notifications %v, want one \"Backup finished\"", n)
		}
		if !strings.Contains(h.app.main.lastValue.Text, "complete") || !strings.Contains(h.app.main.storageValue.Text, "1 backup, ") {
			t.Errorf("status: last %q, storage %q", h.app.main.lastValue.Text, h.app.main.storageValue.Text)
		}
	})
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("the listed backup file: %v", err)
	}

	// Change the live data, then restore the backup from the list.
	if _, err := db.Exec("DELETE FROM inventory_product WHERE id > 100"); err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(s.MediaDir, "products", "new.jpg")
	if err := os.WriteFile(extra, []byte("added after the backup"), 0o644); err != nil {
		t.Fatal(err)
	}

	// First answer no: nothing changes.
	h.ui(func() {
		h.app.main.list.Select(0)
		if h.app.main.restorePath != backup || h.app.main.restoreBtn.Disabled() {
			t.Fatalf("selecting the backup: restore path %q, button disabled %v", h.app.main.restorePath, h.app.main.restoreBtn.Disabled())
		}
		test.Tap(h.app.main.restoreBtn)
	})
	h.eventually("the restore confirmation", time.Minute, func() bool { return h.app.main.restoreConfirm != nil })
	h.ui(func() { test.Tap(h.app.main.restoreConfirmCancel) })
	h.idle()
	h.ui(func() {
		if msg := h.app.main.message.Text; msg != "Restore cancelled. Nothing was changed." {
			t.Errorf("after declining: %q", msg)
		}
		h.app.main.restoreConfirm = nil
	})
	if n := countRows(t, db); n != 100 {
		t.Fatalf("declining changed the database: %d rows", n)
	}

	// Now confirm.
	h.ui(func() {
		h.app.main.list.Select(0)
		test.Tap(h.app.main.restoreBtn)
	})
	h.eventually("the restore confirmation", time.Minute, func() bool { return h.app.main.restoreConfirm != nil })
	h.ui(func() {
		if p := h.app.main.progress; p.phase.Text != "Waiting for your confirmation" || p.bar.Value != 0 || p.detail.Text != "" {
			t.Errorf("while asking: phase %q, bar %v, detail %q", p.phase.Text, p.bar.Value, p.detail.Text)
		}
		text := strings.Join(texts(h.app.main.restoreConfirmContent), "\n")
		for _, want := range []string{filepath.Base(backup), "“" + name + "”", "2 tables with 501 rows", "3 media files", "now 4 files", "safety backup"} {
			if !strings.Contains(text, want) {
				t.Errorf("the confirmation does not show %q:\n%s", want, text)
			}
		}
		test.Tap(h.app.main.restoreConfirmOK)
	})
	h.idle()
	h.ui(func() {
		if msg := h.app.main.message.Text; !strings.HasPrefix(msg, "Restored "+filepath.Base(backup)) {
			t.Errorf("after the restore: %q", msg)
		}
		if last := h.desk.notes[len(h.desk.notes)-1]; last.Title != "Restore finished" {
			t.Errorf("last notification %q", last.Title)
		}
	})
	if n := countRows(t, db); n != 500 {
		t.Errorf("after the restore: %d rows, want 500", n)
	}
	if _, err := os.Stat(extra); !os.IsNotExist(err) {
		t.Errorf("the media file added after the backup is still there: %v", err)
	}
	var safety int
	for _, n := range dirNames(t, s.BackupDir) {
		if strings.HasPrefix(n, "pre_restore_") {
			safety++
		}
	}
	if safety != 1 {
		t.Errorf("backup folder %v: want one pre_restore_ safety backup", dirNames(t, s.BackupDir))
	}
}

// texts collects the text of every label in o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	switch w := o.(type) {
	case *widget.Label:
		out = append(out, w.Text)
	case *fyne.Container:
		for _, c := range w.Objects {
			out = append(out, texts(c)...)
		}
	case *container.Scroll:
		out = append(out, texts(w.Content)...)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			out = append(out, texts(c)...)
		}
	}
	return out
}

func TestCancelBackupLeavesNothing(t *testing.T) {
	name, _ := newDB(t, 60000)
	s := testSettings(t, name)
	h := newHarness(t, harnessOpts{settings: &s})
	h.eventually("the first status", 10*time.Second, func() bool { return h.app.configured })
	h.ui(func() { test.Tap(h.app.main.backupBtn) })
	h.eventually("the backup to be under way", time.Minute, func() bool {
		return h.app.task == nil || h.app.main.progress.bar.Value > 0 || h.app.main.progress.detail.Text != ""
	})
	h.ui(func() {
		if h.app.task == nil {
			t.Fatal("the backup finished before it could be cancelled; make the test database bigger")
		}
		test.Tap(h.app.main.progress.cancel)
		if h.app.main.progress.cancel.Text != "Cancelling…" {
			t.Errorf("cancel button says %q", h.app.main.progress.cancel.Text)
		}
	})
	h.idle()
	h.ui(func() {
		if msg := h.app.main.message.Text; msg != "Backup cancelled. No backup file was written." {
			t.Errorf("after cancel: %q", msg)
		}
		if h.app.main.progress.box.Visible() {
			t.Error("the progress panel is still shown")
		}
	})
	if names := dirNames(t, s.BackupDir); len(names) != 0 {
		t.Errorf("the backup folder holds %v after a cancelled backup, want nothing", names)
	}
}

func TestCancelRestoreKeepsData(t *testing.T) {
	name, db := newDB(t, 60000)
	s := testSettings(t, name)
	h := newHarness(t, harnessOpts{settings: &s})
	h.eventually("the first status", 10*time.Second, func() bool { return h.app.configured })
	h.ui(func() { test.Tap(h.app.main.backupBtn) })
	h.idle()
	h.eventually("the backup in the list", 20*time.Second, func() bool { return len(h.app.list) == 1 })
	if _, err := db.Exec("DELETE FROM inventory_product WHERE id % 2 = 0"); err != nil {
		t.Fatal(err)
	}
	want := countRows(t, db)
	extra := filepath.Join(s.MediaDir, "logos", "new.png")
	if err := os.WriteFile(extra, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}

	h.ui(func() {
		h.app.main.list.Select(0)
		h.app.main.safety.SetChecked(false)
		test.Tap(h.app.main.restoreBtn)
	})
	h.eventually("the restore confirmation", time.Minute, func() bool { return h.app.main.restoreConfirm != nil })
	h.ui(func() {
		if !strings.Contains(strings.Join(texts(h.app.main.restoreConfirmContent), "\n"), "No safety backup will be made") {
			t.Error("the confirmation does not warn that no safety backup is made")
		}
		test.Tap(h.app.main.restoreConfirmOK)
	})
	h.eventually("the restore to be under way", time.Minute, func() bool {
		p := h.app.main.progress
		return h.app.task == nil || (p.phase.Text != "Waiting for your confirmation" && p.detail.Text != "")
	})
	h.ui(func() {
		if h.app.task == nil {
			t.Fatal("the restore finished before it could be cancelled; make the test database bigger")
		}
		test.Tap(h.app.main.progress.cancel)
	})
	h.idle()
	h.ui(func() {
		if msg := h.app.main.message.Text; msg != "Restore cancelled. The database and the media folder are as they were before." {
			t.Errorf("after cancelling the restore: %q", msg)
		}
	})
	if n := countRows(t, db); n != want {
		t.Errorf("after a cancelled restore: %d rows, want the %d from before", n, want)
	}
	if _, err := os.Stat(extra); err != nil {
		t.Errorf("a cancelled restore removed a media file: %v", err)
	}
}
