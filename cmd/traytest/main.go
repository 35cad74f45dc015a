// Command traytest checks the app's tray icon for real, the way a desktop
// panel sees it: on a private D-Bus session bus (run it under
// dbus-run-session, and under xvfb-run for the window) it owns the
// org.kde.StatusNotifierWatcher name, starts the app, receives the app's
// RegisterStatusNotifierItem call, reads its menu over
// com.canonical.dbusmenu (GetLayout) and clicks "Back up now" (Event
// "clicked"). It then waits for the backup file, for the menu's status line
// to say so, clicks "Quit" and expects the app to exit cleanly.
//
//	xvfb-run -a dbus-run-session -- traytest -backups DIR -- backup-desktop --config FILE
//
// It exits 0 when everything happened, 1 otherwise.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	propsIface   = "org.freedesktop.DBus.Properties"
	registerWait = 60 * time.Second
)

// registration is one RegisterStatusNotifierItem call.
type registration struct {
	sender  string // the app's unique bus name
	service string // what it passed: an object path or a bus name
}

// watcher is the StatusNotifierWatcher a desktop panel would run.
type watcher struct {
	registered chan registration
}

// RegisterStatusNotifierItem is called by every tray icon that appears.
func (w *watcher) RegisterStatusNotifierItem(service string, sender dbus.Sender) *dbus.Error {
	select {
	case w.registered <- registration{sender: string(sender), service: service}:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost is called by panels; nothing to do.
func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// item is one entry of a dbusmenu layout.
type item struct {
	id       int32
	label    string
	enabled  bool
	visible  bool
	sep      bool
	children []item
}

func main() {
	backups := flag.String("backups", "", "the app's backup folder, where the backup must appear")
	timeout := flag.Duration("timeout", 3*time.Minute, "how long the backup may take")
	flag.Parse()
	if *backups == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: traytest -backups DIR -- APP [ARGS...]")
		os.Exit(2)
	}
	if err := run(*backups, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "traytest: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("traytest: OK")
}

func logf(format string, a ...any) { fmt.Printf("traytest: "+format+"\n", a...) }

func run(backups string, timeout time.Duration, app []string) error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return errors.New("no session bus: run under dbus-run-session")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return fmt.Errorf("cannot connect to the session bus: %w", err)
	}
	defer conn.Close()
	w := &watcher{registered: make(chan registration, 4)}
	if err := conn.Export(w, watcherPath, watcherName); err != nil {
		return err
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("cannot own %s (reply %v): %v", watcherName, reply, err)
	}
	logf("owns %s", watcherName)

	before := zips(backups)
	cmd := exec.Command(app[0], app[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start the app: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ok := false
	defer func() {
		if !ok {
			cmd.Process.Kill()
			<-exited
		}
	}()

	var reg registration
	select {
	case reg = <-w.registered:
	case err := <-exited:
		return fmt.Errorf("the app exited before showing a tray icon: %v", err)
	case <-time.After(registerWait):
		return fmt.Errorf("the app did not register a tray icon within %v", registerWait)
	}
	logf("tray icon registered by %s (%s)", reg.sender, reg.service)
	itemPath := dbus.ObjectPath("/StatusNotifierItem")
	if strings.HasPrefix(reg.service, "/") {
		itemPath = dbus.ObjectPath(reg.service)
	}
	itemObj := conn.Object(reg.sender, itemPath)
	var menuPath dbus.ObjectPath
	if err := itemObj.Call(propsIface+".Get", 0, itemIface, "Menu").Store(&menuPath); err != nil {
		return fmt.Errorf("cannot read the tray item's Menu property: %w", err)
	}
	var pixmaps []struct {
		W, H int32
		Pix  []byte
	}
	if err := itemObj.Call(propsIface+".Get", 0, itemIface, "IconPixmap").Store(&pixmaps); err != nil || len(pixmaps) == 0 || len(pixmaps[0].Pix) == 0 {
		return fmt.Errorf("the tray item has no icon (%v)", err)
	}
	logf("icon %dx%d, menu at %s", pixmaps[0].W, pixmaps[0].H, menuPath)
	menu := conn.Object(reg.sender, menuPath)

	items, err := layout(menu)
	if err != nil {
		return err
	}
	var labels []string
	for _, it := range items {
		if !it.sep {
			labels = append(labels, it.label)
		}
	}
	logf("menu: %q", labels)
	for _, want := range []string{"Back up now", "Open", "Restore…", "Quit"} {
		if _, ok := find(items, want); !ok {
			return fmt.Errorf("the tray menu has no %q item: %q", want, labels)
		}
	}
	status, ok := findPrefix(items, "Last backup:")
	if !ok || status.enabled {
		return fmt.Errorf("the tray menu has no disabled \"Last backup:\" line: %q", labels)
	}
	// The app rebuilds the menu (new item IDs) when its status line
	// changes, as a panel learns from LayoutUpdated; click once the
	// start-up status is in.
	settle := time.Now().Add(registerWait)
	for strings.HasSuffix(status.label, "checking…") && time.Now().Before(settle) {
		time.Sleep(200 * time.Millisecond)
		if items, err = layout(menu); err != nil {
			return err
		}
		status, _ = findPrefix(items, "Last backup:")
	}
	logf("status line: %q", status.label)

	started := func() bool {
		for z := range zips(backups) {
			if !before[z] {
				return true
			}
		}
		items, err := layout(menu)
		if err != nil {
			return false
		}
		b, ok := find(items, "Back up now")
		return ok && !b.enabled // the app disables it while it works
	}
	if err := clickUntil(menu, "Back up now", 10*time.Second, started); err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	var made string
	for made == "" {
		for z := range zips(backups) {
			if !before[z] {
				made = z
			}
		}
		if made == "" {
			if time.Now().After(deadline) {
				return fmt.Errorf("no new backup in %s within %v", backups, timeout)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	logf("backup appeared: %s", made)
	for {
		items, err = layout(menu)
		if err != nil {
			return err
		}
		if s, ok := findPrefix(items, "Last backup:"); ok && s.label == "Last backup: OK "+stampOf(made) {
			logf("status line: %q", s.label)
			break
		}
		if time.Now().After(deadline) {
			s, _ := findPrefix(items, "Last backup:")
			return fmt.Errorf("the tray status line still says %q", s.label)
		}
		time.Sleep(200 * time.Millisecond)
	}

	var exitErr error
	gone := func() bool {
		select {
		case exitErr = <-exited:
			return true
		default:
			return false
		}
	}
	if err := clickUntil(menu, "Quit", 30*time.Second, gone); err != nil {
		return err
	}
	ok = true
	if exitErr != nil {
		return fmt.Errorf("the app did not exit cleanly after Quit: %v", exitErr)
	}
	logf("the app exited cleanly")
	return nil
}

// stampOf is how the tray's status line writes the time in a backup's
// name (backup_YYYYMMDD_HHMMSS.zip, local time).
func stampOf(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), ".zip")
	if len(name) < 15 {
		return name
	}
	t, err := time.ParseInLocation("20060102_150405", name[len(name)-15:], time.Local)
	if err != nil {
		return name
	}
	return t.Format("2 Jan 15:04")
}

// zips lists the finished .zip files in dir.
func zips(dir string) map[string]bool {
	out := map[string]bool{}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".zip") && !strings.HasPrefix(e.Name(), ".") {
			out[filepath.Join(dir, e.Name())] = true
		}
	}
	return out
}

// layout reads the whole menu.
func layout(menu dbus.BusObject) ([]item, error) {
	var rev uint32
	var root []any
	call := menu.Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return nil, fmt.Errorf("GetLayout: %w", call.Err)
	}
	if len(call.Body) != 2 {
		return nil, fmt.Errorf("GetLayout returned %d values", len(call.Body))
	}
	rev, _ = call.Body[0].(uint32)
	_ = rev
	root, ok := call.Body[1].([]any)
	if !ok {
		return nil, fmt.Errorf("GetLayout: unexpected layout %T", call.Body[1])
	}
	it, err := parse(root)
	if err != nil {
		return nil, err
	}
	return it.children, nil
}

// parse turns a dbusmenu (ia{sv}av) structure into an item.
func parse(v []any) (item, error) {
	if len(v) != 3 {
		return item{}, fmt.Errorf("menu entry with %d fields", len(v))
	}
	it := item{enabled: true, visible: true}
	it.id, _ = v[0].(int32)
	props, _ := v[1].(map[string]dbus.Variant)
	for k, p := range props {
		switch k {
		case "label":
			it.label, _ = p.Value().(string)
		case "enabled":
			it.enabled, _ = p.Value().(bool)
		case "visible":
			it.visible, _ = p.Value().(bool)
		case "type":
			it.sep = p.Value() == "separator"
		}
	}
	children, _ := v[2].([]dbus.Variant)
	for _, c := range children {
		cv, ok := c.Value().([]any)
		if !ok {
			return item{}, fmt.Errorf("menu child %T", c.Value())
		}
		ci, err := parse(cv)
		if err != nil {
			return item{}, err
		}
		if ci.visible {
			it.children = append(it.children, ci)
		}
	}
	return it, nil
}

func find(items []item, label string) (item, bool) {
	for _, it := range items {
		if it.label == label {
			return it, true
		}
	}
	return item{}, false
}

func findPrefix(items []item, prefix string) (item, bool) {
	for _, it := range items {
		if strings.HasPrefix(it.label, prefix) {
			return it, true
		}
	}
	return item{}, false
}

// clickUntil clicks the item with this label and waits until done says it
// took effect. The app rebuilds its menu (new item IDs) whenever it changes,
// and the tray library does so once more, unprompted, when it first
// registers; a panel re-reads the layout on LayoutUpdated, but a click
// racing a rebuild names an ID that no longer exists and is dropped. So when
// nothing happens within clickWait the menu is read again and the click
// repeated, as a user would.
func clickUntil(menu dbus.BusObject, label string, clickWait time.Duration, done func() bool) error {
	const tries = 5
	for try := 1; try <= tries; try++ {
		items, err := layout(menu)
		if err != nil {
			return err
		}
		it, ok := find(items, label)
		if !ok {
			return fmt.Errorf("the tray menu has no %q item", label)
		}
		if !it.enabled {
			return fmt.Errorf("%q is disabled", label)
		}
		if err := click(menu, it.id); err != nil {
			return err
		}
		logf("clicked %q (item %d, try %d)", label, it.id, try)
		for end := time.Now().Add(clickWait); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if done() {
				return nil
			}
		}
	}
	return fmt.Errorf("clicking %q %d times did nothing", label, tries)
}

// click sends the "clicked" event a panel sends when the user picks the
// item.
func click(menu dbus.BusObject, id int32) error {
	call := menu.Call(menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		return fmt.Errorf("Event clicked %d: %w", id, call.Err)
	}
	return nil
}
