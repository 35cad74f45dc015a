package sample

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// ErrMediaDirNotEmpty is returned by GenerateMedia when the target folder
// already holds files: the generator never mixes its files with others.
var ErrMediaDirNotEmpty = errors.New("the media folder is not empty")

// EmptyDir is the folder that GenerateMedia leaves empty on purpose
// (Django's temporary uploads), so that backups can show they keep it.
const EmptyDir = "uploads/tmp"

// MediaOptions choose the size and content of a generated media folder.
type MediaOptions struct {
	// Files is the number of files (60 when 0).
	Files int
	// Bytes is the approximate total size (4 MiB when 0). Images are sized
	// to reach it; the result is usually within 20 %.
	Bytes int64
	// Seed makes the content; the same seed gives the same bytes. Use the
	// database's seed so that product images carry the product rows' paths.
	Seed int64
	// Workers encode files in parallel (GOMAXPROCS when 0).
	Workers int
}

// MediaStats describe what GenerateMedia wrote.
type MediaStats struct {
	Files int
	Bytes int64
	Dirs  int            // folders below the root, the empty one included
	Kinds map[string]int // files by extension: "jpg", "png", "pdf", "csv"
	// ProductImages is the number of product images; they are the images of
	// products 1…ProductImages, at ProductImagePath.
	ProductImages int
	// Suppliers is the number of supplier logos (suppliers 1…Suppliers).
	Suppliers int
}

// mediaFile is one planned file.
type mediaFile struct {
	index  int
	path   string // slash-separated, relative
	kind   string
	target int64 // bytes wanted
	mtime  time.Time
}

// GenerateMedia writes a Django media folder into dir, which must be empty
// or missing: product photos (JPEG) under products/YYYY/MM/, supplier logos
// (PNG) under logos/, invoices and data sheets (PDF) and stock exports (CSV)
// under documents/, and the empty folder EmptyDir.
func GenerateMedia(dir string, opt MediaOptions) (*MediaStats, error) {
	if opt.Files <= 0 {
		opt.Files = 60
	}
	if opt.Bytes <= 0 {
		opt.Bytes = 4 << 20
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("sample: read media folder: %w", err)
	case len(entries) > 0:
		return nil, fmt.Errorf("%w: %s", ErrMediaDirNotEmpty, dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(EmptyDir)), 0o755); err != nil {
		return nil, fmt.Errorf("sample: create media folder: %w", err)
	}

	p := &plan{seed: uint64(opt.Seed)}
	files, st := p.mediaPlan(opt.Files, opt.Bytes)
	k := calibrate(p)

	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan mediaFile)
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				n, err := writeMediaFile(p, dir, f, k)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				st.Bytes += n
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- f
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}

	st.Files = len(files)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != dir {
			st.Dirs++
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sample: count media folders: %w", err)
	}
	return st, nil
}

// mediaPlan decides every file's path, kind and size.
func (p *plan) mediaPlan(n int, total int64) ([]mediaFile, *MediaStats) {
	nPDF := max(1, n*12/100)
	nCSV := max(1, n*8/100)
	nLogo := max(1, n*8/100)
	nPhoto := max(0, n-nPDF-nCSV-nLogo)
	if n < 4 {
		nPDF, nCSV, nLogo, nPhoto = min(n, 1), 0, 0, max(0, n-1)
	}
	weights := map[string]int64{"jpg": 12, "png": 3, "pdf": 10, "csv": 3}
	sum := int64(nPhoto)*weights["jpg"] + int64(nLogo)*weights["png"] + int64(nPDF)*weights["pdf"] + int64(nCSV)*weights["csv"]
	unit := total / max(1, sum)

	st := &MediaStats{Kinds: map[string]int{}, ProductImages: nPhoto, Suppliers: nLogo}
	var files []mediaFile
	add := func(path, kind string, mtime time.Time) {
		i := len(files)
		// Sizes vary from half to one and a half of the kind's mean.
		v := 50 + int64(p.hash(saltMedia, int64(i))%101)
		files = append(files, mediaFile{index: i, path: path, kind: kind, target: max(512, unit*weights[kind]*v/100), mtime: mtime})
		st.Kinds[kind]++
	}
	for id := 1; id <= nPhoto; id++ {
		c := p.product(int64(id))
		add(c.image, "jpg", c.created)
	}
	for id := 1; id <= nLogo; id++ {
		add(supplierLogo(int64(id)), "png", epoch.Add(time.Duration(id)*36*time.Hour))
	}
	special := []string{"documents/Preisliste März 2026.pdf", "documents/datasheets/製品カタログ 2025.pdf", "documents/Terms & Conditions (EN).pdf"}
	for i := range nPDF {
		var path string
		at := epoch.Add(time.Duration(int64(i)*spanSecs/int64(nPDF)) * time.Second)
		switch {
		case i < len(special) && nPDF > len(special)+1:
			path = special[i]
		case i%3 == 2:
			path = fmt.Sprintf("documents/datasheets/SKU-%07d.pdf", 1+i)
		default:
			path = fmt.Sprintf("documents/invoices/%d/INV-%d-%05d.pdf", at.Year(), at.Year(), 1+i)
		}
		add(path, "pdf", at)
	}
	for i := range nCSV {
		at := lastDay.AddDate(0, 0, -7*(nCSV-1-i))
		add(fmt.Sprintf("documents/exports/stock_%s.csv", at.Format("2006-01-02")), "csv", at)
	}
	return files, st
}

// calibration holds bytes per pixel of the image recipes.
type calibration struct{ jpg, png float64 }

func calibrate(p *plan) calibration {
	r := p.rng(saltMedia, -1)
	img := drawPicture(r, 256, 192, 28)
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 88})
	k := calibration{jpg: float64(b.Len()) / (256 * 192)}
	b.Reset()
	png.Encode(&b, drawLogo(r, 256, 192))
	k.png = float64(b.Len()) / (256 * 192)
	return k
}

// dims gives a 4:3 size whose area is about pixels.
func dims(pixels float64) (int, int) {
	w := 16
	for float64(w*w*3/4) < pixels && w < 6000 {
		w += 16
	}
	return w, max(12, w*3/4)
}

func writeMediaFile(p *plan, dir string, f mediaFile, k calibration) (int64, error) {
	r := p.rng(saltMedia, int64(f.index))
	var b bytes.Buffer
	var err error
	switch f.kind {
	case "jpg":
		w, h := dims(float64(f.target) / k.jpg)
		err = jpeg.Encode(&b, drawPicture(r, w, h, 28), &jpeg.Options{Quality: 88})
	case "png":
		w, h := dims(float64(f.target) / k.png)
		err = png.Encode(&b, drawLogo(r, w, h))
	case "pdf":
		err = writePDF(&b, r, f, k)
	case "csv":
		err = writeCSV(&b, r, p, f)
	}
	if err != nil {
		return 0, fmt.Errorf("sample: make %s: %w", f.path, err)
	}
	path := filepath.Join(dir, filepath.FromSlash(f.path))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("sample: create folder for %s: %w", f.path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return 0, fmt.Errorf("sample: write %s: %w", f.path, err)
	}
	if err := os.Chtimes(path, f.mtime, f.mtime); err != nil {
		return 0, fmt.Errorf("sample: set time of %s: %w", f.path, err)
	}
	return int64(b.Len()), nil
}

func randColor(r *rand.Rand) color.RGBA {
	return color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
}

// drawPicture paints a "product photo": a diagonal gradient, a few soft
// shapes, and sensor-like noise of the given amplitude so that JPEG cannot
// squeeze it to nothing.
func drawPicture(r *rand.Rand, w, h, noise int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c1, c2 := randColor(r), randColor(r)
	d := w + h
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			t := x + y
			row[4*x] = uint8((int(c1.R)*(d-t) + int(c2.R)*t) / d)
			row[4*x+1] = uint8((int(c1.G)*(d-t) + int(c2.G)*t) / d)
			row[4*x+2] = uint8((int(c1.B)*(d-t) + int(c2.B)*t) / d)
			row[4*x+3] = 255
		}
	}
	for range 2 + r.IntN(5) {
		c := randColor(r)
		cx, cy := r.IntN(w), r.IntN(h)
		rad := 4 + r.IntN(max(1, min(w, h)/3))
		square := r.IntN(3) == 0
		for y := max(0, cy-rad); y < min(h, cy+rad); y++ {
			for x := max(0, cx-rad); x < min(w, cx+rad); x++ {
				if !square && (x-cx)*(x-cx)+(y-cy)*(y-cy) > rad*rad {
					continue
				}
				i := y*img.Stride + 4*x
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = c.R, c.G, c.B
			}
		}
	}
	addNoise(r, img.Pix, noise)
	return img
}

// addNoise adds noise in [-amp, amp] to every colour byte (not alpha).
func addNoise(r *rand.Rand, pix []byte, amp int) {
	span := uint64(2*amp + 1)
	var bits uint64
	left := 0
	for i := range pix {
		if i%4 == 3 {
			continue
		}
		if left == 0 {
			bits, left = r.Uint64(), 8
		}
		n := int((bits&0xff)%span) - amp
		bits >>= 8
		left--
		v := int(pix[i]) + n
		pix[i] = uint8(max(0, min(255, v)))
	}
}

// drawLogo paints a "logo": flat colours, bands and a little noise, the
// kind of picture PNG is used for.
func drawLogo(r *rand.Rand, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg, fg, accent := randColor(r), randColor(r), randColor(r)
	band := 4 + r.IntN(max(1, h/4))
	for y := range h {
		for x := range w {
			c := bg
			switch {
			case (y/band)%3 == 1 && x > w/8 && x < w*7/8:
				c = fg
			case (x-w/2)*(x-w/2)+(y-h/2)*(y-h/2) < (h/4)*(h/4):
				c = accent
			}
			i := y*img.Stride + 4*x
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
		}
	}
	addNoise(r, img.Pix, 6)
	return img
}

// thumbnail is a small JPEG for the product table's BLOB column.
func thumbnail(r *rand.Rand) []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, drawPicture(r, 48, 36, 20), &jpeg.Options{Quality: 70})
	return b.Bytes()
}

func writeCSV(b *bytes.Buffer, r *rand.Rand, p *plan, f mediaFile) error {
	if f.index%3 == 0 {
		b.WriteString("\ufeff") // Excel's byte order mark
	}
	w := csv.NewWriter(b)
	if err := w.Write([]string{"sku", "name", "warehouse", "quantity", "unit_price", "counted_at"}); err != nil {
		return err
	}
	for id := int64(1); int64(b.Len()) < f.target; id++ {
		c := p.product(id)
		row := []string{fmt.Sprintf("SKU-%07d", id), c.name, fmt.Sprintf("WH-%02d", 1+r.IntN(3)),
			strconv.Itoa(r.IntN(900)), decimalString(p.price(id), 2), f.mtime.Add(time.Duration(r.IntN(36000)) * time.Second).Format(time.RFC3339)}
		if err := w.Write(row); err != nil {
			return err
		}
		w.Flush()
	}
	w.Flush()
	return w.Error()
}

// writePDF writes a small, valid PDF 1.4: a text page (an invoice or data
// sheet) and, to reach the wanted size, a second page with a scanned image
// (a JPEG, as scanners produce).
func writePDF(b *bytes.Buffer, r *rand.Rand, f mediaFile, k calibration) error {
	var text bytes.Buffer
	text.WriteString("BT /F1 18 Tf 56 790 Td (Inventory Management System) Tj ET\n")
	text.WriteString("BT /F1 11 Tf 56 760 Td (" + pdfEscape(f.path) + ") Tj ET\n")
	y := 730
	for i := 0; y > 60; i++ {
		line := fmt.Sprintf("%3d  SKU-%07d  qty %4d  x %8s EUR  (%s)", i+1, 1+r.IntN(99999), 1+r.IntN(500),
			decimalString(int64(99+r.IntN(99900)), 2), f.mtime.Format("2006-01-02"))
		text.WriteString("BT /F1 9 Tf 56 " + strconv.Itoa(y) + " Td (" + pdfEscape(line) + ") Tj ET\n")
		y -= 13
	}

	var scan []byte
	if rest := f.target - int64(text.Len()) - 1200; rest > 2000 {
		w, h := dims(float64(rest) / k.jpg)
		var jb bytes.Buffer
		if err := jpeg.Encode(&jb, drawPicture(r, w, h, 28), &jpeg.Options{Quality: 88}); err != nil {
			return err
		}
		scan = jb.Bytes()
	}

	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := "3 0 R"
	if scan != nil {
		kids += " 6 0 R"
	}
	pages := 1
	if scan != nil {
		pages = 2
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, pages), nil)
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>", nil)
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	obj(fmt.Sprintf("<< /Length %d >>", text.Len()), text.Bytes())
	if scan != nil {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(scan))
		if err != nil {
			return err
		}
		draw := []byte("q 483 0 0 " + strconv.Itoa(483*cfg.Height/cfg.Width) + " 56 100 cm /Im1 Do Q\n")
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 7 0 R >> >> /Contents 8 0 R >>", nil)
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, len(scan)), scan)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), draw)
	}
	xref := b.Len()
	fmt.Fprintf(b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return nil
}

// pdfEscape makes s safe inside a PDF literal string, replacing what
// Helvetica's standard encoding cannot show.
func pdfEscape(s string) string {
	var out []byte
	for _, c := range []byte(s) {
		switch {
		case c == '(' || c == ')' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20 || c > 0x7e:
			// One '?' for each run of non-ASCII bytes (one character).
			if len(out) == 0 || out[len(out)-1] != '?' {
				out = append(out, '?')
			}
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
