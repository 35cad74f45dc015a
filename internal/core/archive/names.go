package archive

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// CheckEntryName returns an error wrapping ErrUnsafePath when name may not
// appear in a backup: empty, absolute, with a backslash, a NUL, an empty,
// "." or ".." element, or a name this operating system would not keep
// inside a folder (filepath.IsLocal). A trailing '/' marks a folder entry
// and is allowed.
func CheckEntryName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: entry %q %s", ErrUnsafePath, name, why)
	}
	n := strings.TrimSuffix(name, "/")
	switch {
	case n == "":
		return bad("has an empty name")
	case strings.ContainsRune(name, '\\'):
		return bad("contains a backslash")
	case strings.ContainsRune(name, 0):
		return bad("contains a NUL character")
	case strings.HasPrefix(name, "/"):
		return bad("is an absolute path")
	}
	for _, el := range strings.Split(n, "/") {
		switch el {
		case "":
			return bad("contains an empty path element")
		case ".", "..":
			return bad("contains a \"" + el + "\" path element")
		}
	}
	if path.Clean(n) != n || !filepath.IsLocal(filepath.FromSlash(n)) {
		return bad("is not a plain relative path")
	}
	return nil
}

// checkEntry checks an entry's name and its type: only regular files and
// folders may appear.
func checkEntry(f *zip.File) error {
	if err := CheckEntryName(f.Name); err != nil {
		return err
	}
	mode := f.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: entry %q is a symbolic link", ErrUnsafePath, f.Name)
	case mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0:
		return fmt.Errorf("%w: entry %q is a special file (%s)", ErrUnsafePath, f.Name, mode.Type())
	case mode.IsDir() != strings.HasSuffix(f.Name, "/"):
		return fmt.Errorf("%w: entry %q is a folder and a file at once", ErrUnsafePath, f.Name)
	}
	return nil
}

// storedExts are formats that are already compressed: deflating them again
// costs time and saves nothing, so they are stored as they are.
var storedExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".avif": true, ".heic": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true,
	".mp4": true, ".mov": true, ".mp3": true, ".m4a": true, ".ogg": true,
	".pdf": true, ".docx": true, ".xlsx": true, ".pptx": true, ".odt": true, ".woff2": true,
}

// methodFor returns the ZIP compression method for a file called name.
func methodFor(name string) uint16 {
	if storedExts[strings.ToLower(path.Ext(name))] {
		return zip.Store
	}
	return zip.Deflate
}
