package gui

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/backupdesktop/backup-desktop/internal/core/units"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backupdesktop/backup-desktop/internal/core/jobs"
)

// mainView is the content of the "Backup & Restore" window.
type mainView struct {
	a       *App
	content fyne.CanvasObject

	message     *widget.Label // the outcome of the last action
	messageMore *widget.Button
	lastMore    *widget.Button

	lastValue, nextValue, storageValue *widget.Label

	backupBtn, settingsBtn, openFolderBtn *widget.Button

	list      *widget.List
	listEmpty *widget.Label

	chooseBtn, restoreBtn *widget.Button
	restoreFile           *widget.Label
	safety                *widget.Check
	// restorePath is the backup the Restore Backup button restores: the
	// selected list item or a chosen file.
	restorePath string
	// restoreNewestWhenListed asks for the confirmation of restoring the
	// newest backup as soon as the list is known (Options.Show).
	restoreNewestWhenListed bool

	progress *progressPanel

	// The open dialogs, for tests and screenshots.
	restoreConfirm                         *dialog.CustomDialog
	restoreConfirmContent                  fyne.CanvasObject
	restoreConfirmOK, restoreConfirmCancel *widget.Button
	lastDialog                             dialog.Dialog
}

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func valueLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func newMainView(a *App) *mainView {
	m := &mainView{a: a}

	title := widget.NewLabelWithStyle(Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	m.settingsBtn = widget.NewButtonWithIcon("Configure Backup Settings", theme.SettingsIcon(), a.openSettings)

	// One line each, so the window fits a small screen; long texts are
	// a click on Details away.
	m.message = valueLabel()
	m.message.Hide()
	m.messageMore = widget.NewButton("Details…", func() { m.a.showText("Details", m.message.Text) })
	m.messageMore.Importance = widget.LowImportance
	m.messageMore.Hide()

	m.lastValue, m.nextValue, m.storageValue = valueLabel(), valueLabel(), valueLabel()
	m.openFolderBtn = widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), m.openFolder)
	m.openFolderBtn.Importance = widget.LowImportance
	m.lastMore = widget.NewButton("Details…", func() { m.a.showText("Last backup", m.lastValue.Text) })
	m.lastMore.Importance = widget.LowImportance
	m.lastMore.Hide()
	k := keyLabels("Last backup", "Next backup", "Storage")
	status := container.New(layout.NewFormLayout(),
		k[0], container.NewBorder(nil, nil, nil, m.lastMore, m.lastValue),
		k[1], m.nextValue,
		k[2], container.NewBorder(nil, nil, nil, m.openFolderBtn, m.storageValue),
	)
	m.backupBtn = widget.NewButtonWithIcon("Back up now", theme.UploadIcon(), a.backupNow)
	m.backupBtn.Importance = widget.HighImportance
	header := container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(m.backupBtn, m.settingsBtn)), title)

	// The list of backups, newest first.
	colHeader := newRow()
	for i, t := range []string{"Date", "Kind", "Size", "Status"} {
		colHeader.labels[i].SetText(t)
		colHeader.labels[i].TextStyle = fyne.TextStyle{Bold: true}
	}
	m.list = widget.NewList(
		func() int { return len(a.list) },
		func() fyne.CanvasObject { return newRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(a.list) {
				o.(*row).set(a.list[id])
			}
		},
	)
	m.list.OnSelected = m.selectBackup
	m.listEmpty = widget.NewLabel("No backups yet.")
	m.listEmpty.Alignment = fyne.TextAlignCenter
	listBox := container.NewBorder(colHeader, nil, nil, nil,
		container.NewStack(m.list, container.NewCenter(m.listEmpty)))

	// The "Restore Backup" section.
	m.chooseBtn = widget.NewButtonWithIcon("Choose backup file…", theme.FileIcon(), m.chooseFile)
	m.restoreFile = widget.NewLabel("")
	m.restoreFile.Truncation = fyne.TextTruncateEllipsis
	m.safety = widget.NewCheck("Save a safety backup of the current data first (recommended)", nil)
	m.safety.SetChecked(true)
	m.restoreBtn = widget.NewButtonWithIcon("Restore Backup", theme.HistoryIcon(), m.restoreSelected)
	m.restoreBtn.Importance = widget.DangerImportance
	restore := container.NewVBox(
		heading("Restore Backup"),
		container.NewBorder(nil, nil, m.chooseBtn, nil, m.restoreFile),
		container.NewBorder(nil, nil, nil, m.restoreBtn, m.safety),
	)

	m.progress = newProgressPanel(a.cancelTask)
	m.progress.replaces = restore

	top := container.NewVBox(header, container.NewBorder(nil, nil, nil, m.messageMore, m.message), status, widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), container.NewStack(restore, m.progress.box))
	m.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, listBox))
	return m
}

// say shows the outcome of an action above the status.
func (m *mainView) say(imp widget.Importance, text string) {
	m.message.Importance = imp
	m.message.SetText(text)
	showIf(m.message, text != "")
	showIf(m.messageMore, text != "" && imp == widget.DangerImportance)
}

// update enables and fills the widgets from the app's state.
func (m *mainView) update() {
	a := m.a
	busy := a.task != nil
	setEnabled(m.backupBtn, a.configured && !busy)
	setEnabled(m.chooseBtn, a.configured && !busy)
	setEnabled(m.restoreBtn, a.configured && !busy && m.restorePath != "")
	setEnabled(m.openFolderBtn, a.configured)
	setEnabled(m.settingsBtn, !busy)
	if busy {
		m.safety.Disable()
	} else {
		m.safety.Enable()
	}
	switch {
	case m.restorePath == "":
		m.restoreFile.SetText("Choose a backup file, or select a backup in the list.")
	default:
		m.restoreFile.SetText(m.restorePath)
	}
	if len(a.list) == 0 {
		m.listEmpty.Show()
	} else {
		m.listEmpty.Hide()
	}
}

func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func (m *mainView) selectBackup(id widget.ListItemID) {
	if id < 0 || id >= len(m.a.list) {
		return
	}
	m.restorePath = m.a.list[id].Path
	m.update()
}

// openFolder shows the backup folder in the file manager.
func (m *mainView) openFolder() {
	dir := m.a.settings.BackupDir
	_ = os.MkdirAll(dir, 0o755) // before the first backup it may not exist yet
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}
	if err := m.a.fa.OpenURL(u); err != nil {
		m.say(widget.DangerImportance, "Cannot open the backup folder "+dir+": "+err.Error())
	}
}

// chooseFile opens a file picker for .zip files, starting in the backup
// folder.
func (m *mainView) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			m.say(widget.DangerImportance, "Cannot open the file: "+err.Error())
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		r.Close()
		m.list.UnselectAll()
		m.restorePath = path
		m.update()
	}, m.a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".zip", ".ZIP"}))
	d.SetConfirmText("Choose")
	if dir := m.a.settings.BackupDir; dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(dialogSize(m.a.win, 760, 520))
	d.Show()
}

func (m *mainView) restoreSelected() {
	if m.restorePath != "" {
		m.a.restore(m.restorePath, m.safety.Checked)
	}
}

// fitDialog is the size for a dialog whose content needs content: its
// width w, the content's height plus the title and buttons, and never
// more than the window.
func fitDialog(win fyne.Window, w float32, content fyne.CanvasObject) fyne.Size {
	// Wrapped labels know their height only once they know their width.
	inner := dialogSize(win, w, 100).Width - 2*theme.Padding() - 32
	content.Resize(fyne.NewSize(inner, content.MinSize().Height))
	return dialogSize(win, w, content.MinSize().Height+140)
}

// dialogSize is w×h, or less where the window is smaller.
func dialogSize(win fyne.Window, w, h float32) fyne.Size {
	s := win.Canvas().Size()
	if s.Width > 0 && s.Width-40 < w {
		w = s.Width - 40
	}
	if s.Height > 0 && s.Height-40 < h {
		h = s.Height - 40
	}
	return fyne.NewSize(w, h)
}

// row is one backup in the list.
type row struct {
	widget.BaseWidget
	labels [4]*widget.Label
	box    *fyne.Container
}

func newRow() *row {
	r := &row{}
	objs := make([]fyne.CanvasObject, len(r.labels))
	for i := range r.labels {
		r.labels[i] = widget.NewLabel("")
		r.labels[i].Truncation = fyne.TextTruncateEllipsis
		objs[i] = r.labels[i]
	}
	r.box = container.New(&columns{weights: []float32{3.2, 2.2, 1.4, 2.2}}, objs...)
	r.ExtendBaseWidget(r)
	return r
}

func (r *row) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *row) set(b jobs.BackupInfo) {
	r.labels[0].SetText(when(b.Created))
	r.labels[1].SetText(kindText(b.Kind, b.Name))
	r.labels[2].SetText(units.Bytes(b.Size))
	if b.Complete {
		r.labels[3].Importance = widget.SuccessImportance
		r.labels[3].SetText("Complete")
	} else {
		r.labels[3].Importance = widget.DangerImportance
		r.labels[3].SetText(sentence(strings.TrimSuffix(b.Status, ".")))
	}
}

// keyColumn gives the key labels of several form layouts one width, so
// their values line up.
type keyColumn struct{ width float32 }

func (k *keyColumn) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].MinSize()
	return fyne.NewSize(max(s.Width, k.width), s.Height)
}

func (k *keyColumn) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.NewPos(0, 0))
}

// keyLabels makes right-aligned bold labels of one common width.
func keyLabels(texts ...string) []fyne.CanvasObject {
	k := &keyColumn{}
	out := make([]fyne.CanvasObject, len(texts))
	for i, t := range texts {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		k.width = max(k.width, l.MinSize().Width)
		out[i] = container.New(k, l)
	}
	return out
}

// columns lays objects out side by side with widths in proportion to
// weights, so that the list's header and rows line up.
type columns struct{ weights []float32 }

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		s := o.MinSize()
		w += s.Width
		h = max(h, s.Height)
	}
	return fyne.NewSize(w+theme.Padding()*float32(len(objs)-1), h)
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for i := range objs {
		total += c.weights[i]
	}
	pad := theme.Padding()
	avail := size.Width - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		w := avail * c.weights[i] / total
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
}
