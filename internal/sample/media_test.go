package sample

import (
	"bytes"
	"encoding/csv"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func decodeImage(b []byte) (string, error) {
	_, format, err := image.Decode(bytes.NewReader(b))
	return format, err
}

// readTree returns every file of dir by slash path, and its folders.
func readTree(t *testing.T, dir string) (map[string][]byte, []string) {
	t.Helper()
	files := map[string][]byte{}
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, rel)
			}
			return nil
		}
		b, err := os.ReadFile(path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, dirs
}

var objRE = regexp.MustCompile(`(?m)^(\d+) 0 obj$`)

// checkPDF checks the structure a PDF reader relies on: header, xref
// offsets that point at their objects, trailer and end marker.
func checkPDF(b []byte) error {
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		return errors.New("no PDF header or %%EOF")
	}
	i := bytes.LastIndex(b, []byte("startxref\n"))
	if i < 0 {
		return errors.New("no startxref")
	}
	end := bytes.IndexByte(b[i+10:], '\n')
	off, err := strconv.Atoi(string(b[i+10 : i+10+end]))
	if err != nil || off >= len(b) || !bytes.HasPrefix(b[off:], []byte("xref\n0 ")) {
		return errors.New("startxref does not point at the xref table")
	}
	lines := strings.Split(string(b[off:]), "\n")
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	if n < 6 {
		return errors.New("too few objects")
	}
	for obj := 1; obj < n; obj++ {
		entry := lines[2+obj]
		o, err := strconv.Atoi(entry[:10])
		if err != nil {
			return err
		}
		m := objRE.FindSubmatch(b[o:min(len(b), o+20)])
		if m == nil || string(m[1]) != strconv.Itoa(obj) {
			return errors.New("xref entry " + strconv.Itoa(obj) + " does not point at its object")
		}
	}
	if !bytes.Contains(b, []byte("/Root 1 0 R")) {
		return errors.New("no trailer root")
	}
	return nil
}

func TestGenerateMedia(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "media")
	const total = 3 << 20
	st, err := GenerateMedia(dir, MediaOptions{Files: 50, Bytes: total, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	files, dirs := readTree(t, dir)
	if len(files) != 50 || st.Files != 50 {
		t.Fatalf("%d files on disk, stats say %d, want 50", len(files), st.Files)
	}
	var sum int64
	kinds := map[string]int{}
	for path, b := range files {
		sum += int64(len(b))
		ext := strings.TrimPrefix(filepath.Ext(path), ".")
		kinds[ext]++
		switch ext {
		case "jpg", "png":
			format, err := decodeImage(b)
			if err != nil {
				t.Errorf("%s does not decode: %v", path, err)
			} else if want := map[string]string{"jpg": "jpeg", "png": "png"}[ext]; format != want {
				t.Errorf("%s is %s, want %s", path, format, want)
			}
		case "pdf":
			if err := checkPDF(b); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		case "csv":
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
			if err != nil || len(recs) < 2 || recs[0][0] != "sku" {
				t.Errorf("%s: %d records, err %v", path, len(recs), err)
			}
		default:
			t.Errorf("unexpected file %s", path)
		}
	}
	if sum != st.Bytes {
		t.Errorf("files hold %d bytes, stats say %d", sum, st.Bytes)
	}
	if sum < total*7/10 || sum > total*13/10 {
		t.Errorf("total size %d, want about %d", sum, total)
	}
	for k, n := range kinds {
		if st.Kinds[k] != n {
			t.Errorf("%s: %d files, stats say %d", k, n, st.Kinds[k])
		}
	}
	if kinds["jpg"] < 25 || kinds["png"] == 0 || kinds["pdf"] == 0 || kinds["csv"] == 0 {
		t.Errorf("mix of kinds: %v", kinds)
	}
	if st.Dirs != len(dirs) {
		t.Errorf("%d folders, stats say %d", len(dirs), st.Dirs)
	}
	empty, err := os.ReadDir(filepath.Join(dir, EmptyDir))
	if err != nil || len(empty) != 0 {
		t.Errorf("%s: %d entries, err %v; want an empty folder", EmptyDir, len(empty), err)
	}
	for id := 1; id <= st.ProductImages; id++ {
		if _, ok := files[ProductImagePath(7, int64(id))]; !ok {
			t.Errorf("no image for product %d at %s", id, ProductImagePath(7, int64(id)))
		}
	}
	for id := 1; id <= st.Suppliers; id++ {
		if _, ok := files[supplierLogo(int64(id))]; !ok {
			t.Errorf("no logo for supplier %d", id)
		}
	}
	nested := false
	for _, d := range dirs {
		if regexp.MustCompile(`^products/20\d\d/\d\d$`).MatchString(d) {
			nested = true
		}
	}
	if !nested {
		t.Errorf("no products/YYYY/MM folders in %v", dirs)
	}
}

func TestGenerateMediaIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	opt := MediaOptions{Files: 30, Bytes: 1 << 20, Seed: 3}
	if _, err := GenerateMedia(a, MediaOptions{Files: opt.Files, Bytes: opt.Bytes, Seed: opt.Seed, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateMedia(b, MediaOptions{Files: opt.Files, Bytes: opt.Bytes, Seed: opt.Seed, Workers: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateMedia(c, MediaOptions{Files: opt.Files, Bytes: opt.Bytes, Seed: opt.Seed + 1}); err != nil {
		t.Fatal(err)
	}
	fa, da := readTree(t, a)
	fb, db := readTree(t, b)
	fc, _ := readTree(t, c)
	if strings.Join(da, "|") != strings.Join(db, "|") {
		t.Errorf("folders differ:\n%v\n%v", da, db)
	}
	if len(fa) != len(fb) {
		t.Fatalf("%d files and %d files", len(fa), len(fb))
	}
	same := 0
	for path, x := range fa {
		if !bytes.Equal(x, fb[path]) {
			t.Errorf("%s differs between two runs with the same seed", path)
		}
		if bytes.Equal(x, fc[path]) {
			same++
		}
	}
	if same > len(fa)/2 {
		t.Errorf("%d of %d files are the same with another seed", same, len(fa))
	}
	info, err := os.Stat(filepath.Join(a, filepath.FromSlash(ProductImagePath(3, 1))))
	if err != nil {
		t.Fatal(err)
	}
	info2, _ := os.Stat(filepath.Join(b, filepath.FromSlash(ProductImagePath(3, 1))))
	if !info.ModTime().Equal(info2.ModTime()) {
		t.Errorf("modification times differ: %v and %v", info.ModTime(), info2.ModTime())
	}
}

func TestGenerateMediaRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := GenerateMedia(dir, MediaOptions{Files: 5})
	if !errors.Is(err, ErrMediaDirNotEmpty) {
		t.Fatalf("err = %v, want ErrMediaDirNotEmpty", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder now has %d entries; it must be left alone", len(entries))
	}
}
