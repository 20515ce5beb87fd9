package survey

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits bound what an import reads before any work is done on it.
type Limits struct {
	// MaxFileBytes is the largest one CSV or mapping file may be, decompressed.
	MaxFileBytes int64
	// MaxUploadBytes is the largest upload (a zip, or one file) the API accepts.
	MaxUploadBytes int64
	// MaxTotalBytes is the most all files of one import may hold together, decompressed.
	MaxTotalBytes int64
	// MaxEntries is the most files a zip or folder may hold.
	MaxEntries int
	// MaxRatio is the largest decompressed/compressed size ratio of one zip entry: a zip
	// bomb compresses far better than any CSV.
	MaxRatio int64
	// MaxInterviews is the most interviews one import may hold.
	MaxInterviews int
}

// DefaultLimits are the limits used when none are given: 16 MiB per file, 32 MiB per
// upload, 64 MiB in all, 200 files, a ratio of 200, 20,000 interviews.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 16 << 20, MaxUploadBytes: 32 << 20, MaxTotalBytes: 64 << 20, MaxEntries: 200,
		MaxRatio: 200, MaxInterviews: 20_000}
}

// File is one input file, read whole and checked to be UTF-8.
type File struct {
	// Name is the file's name as reports show it (its path inside a zip or folder).
	Name string
	Data []byte
}

// Files are the input files of one import, by base name.
type Files struct {
	list []File
}

// Names lists the files' names, sorted.
func (fs *Files) Names() []string {
	out := make([]string, len(fs.list))
	for i, f := range fs.list {
		out[i] = f.Name
	}
	return out
}

// Find returns the file whose base name satisfies match, all of them in name order.
func (fs *Files) Find(match func(base string) bool) []File {
	var out []File
	for _, f := range fs.list {
		if match(path.Base(f.Name)) {
			out = append(out, f)
		}
	}
	return out
}

// reader accumulates files under the limits.
type reader struct {
	lim   Limits
	total int64
	files []File
}

// add reads one file through r, refusing it past the limits or when it is not UTF-8.
func (rd *reader) add(name string, r io.Reader) error {
	if len(rd.files) >= rd.lim.MaxEntries {
		return problem(CodeTooLarge, name, 0, 0, "the input holds more than %d files", rd.lim.MaxEntries)
	}
	limit := rd.lim.MaxFileBytes
	if left := rd.lim.MaxTotalBytes - rd.total; left < limit {
		limit = left
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		if p := (*Problem)(nil); errors.As(err, &p) {
			return p
		}
		return problem(CodeZip, name, 0, 0, "cannot be read: %v", err)
	}
	if int64(len(data)) > limit {
		line, col := position(data, int(limit))
		return problem(CodeTooLarge, name, line, col,
			"is larger than %d bytes (at most %d per file, %d in all); split the export", limit, rd.lim.MaxFileBytes, rd.lim.MaxTotalBytes)
	}
	if !utf8.Valid(data) {
		line, col := position(data, invalidAt(data))
		return problem(CodeNotUTF8, name, line, col, "is not UTF-8: save the file as UTF-8 (CSV UTF-8 in a spreadsheet)")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte order mark
	rd.total += int64(len(data))
	rd.files = append(rd.files, File{Name: name, Data: data})
	return nil
}

func (rd *reader) done() *Files {
	sort.Slice(rd.files, func(i, j int) bool { return rd.files[i].Name < rd.files[j].Name })
	return &Files{list: rd.files}
}

// invalidAt is the offset of the first byte that is not part of valid UTF-8.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// position is the line and column (from 1, in characters) of byte offset off.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// ReadPath reads an import's files from a folder, a zip or CSV files: every .csv (and
// .json/.yaml mapping) in a folder, not its sub-folders; every .csv in a zip.
func ReadPath(p string, lim Limits) (*Files, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, problem(CodeMissingFile, p, 0, 0, "cannot be opened: %v", errors.Unwrap(err))
	}
	rd := &reader{lim: lim}
	switch {
	case info.IsDir():
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, problem(CodeMissingFile, p, 0, 0, "cannot be read: %v", err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
				continue
			}
			if err := rd.addPath(filepath.Join(p, e.Name()), e.Name()); err != nil {
				return nil, err
			}
		}
	case strings.EqualFold(filepath.Ext(p), ".zip"):
		if info.Size() > lim.MaxUploadBytes {
			return nil, problem(CodeTooLarge, filepath.Base(p), 0, 0, "is %d bytes; at most %d are accepted", info.Size(), lim.MaxUploadBytes)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, problem(CodeMissingFile, p, 0, 0, "cannot be read: %v", err)
		}
		return ReadZip(filepath.Base(p), data, lim)
	default:
		if err := rd.addPath(p, filepath.Base(p)); err != nil {
			return nil, err
		}
	}
	return rd.done(), nil
}

func (rd *reader) addPath(p, name string) error {
	f, err := os.Open(p)
	if err != nil {
		return problem(CodeMissingFile, name, 0, 0, "cannot be opened")
	}
	defer f.Close()
	return rd.add(name, f)
}

// ReadUpload reads an uploaded file: a zip of CSV files, or one CSV file. It reads at most
// MaxUploadBytes of r.
func ReadUpload(name string, r io.Reader, lim Limits) (*Files, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxUploadBytes+1))
	if err != nil {
		return nil, problem(CodeZip, name, 0, 0, "cannot be read: %v", err)
	}
	if int64(len(data)) > lim.MaxUploadBytes {
		line, col := position(data, int(lim.MaxUploadBytes))
		return nil, problem(CodeTooLarge, name, line, col, "is larger than %d bytes", lim.MaxUploadBytes)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) || strings.EqualFold(path.Ext(name), ".zip") {
		return ReadZip(name, data, lim)
	}
	rd := &reader{lim: lim}
	if err := rd.add(name, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return rd.done(), nil
}

// ReadZip reads the .csv entries of a zip, bounded in count, size and compression ratio
// (so a zip bomb is refused after reading at most MaxFileBytes of it).
func ReadZip(name string, data []byte, lim Limits) (*Files, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, problem(CodeZip, name, 0, 0, "is not a zip file that can be read: %v", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, problem(CodeTooLarge, name, 0, 0, "holds %d entries; at most %d are accepted", len(zr.File), lim.MaxEntries)
	}
	rd := &reader{lim: lim}
	for _, zf := range zr.File {
		entry := name + "/" + zf.Name
		if zf.FileInfo().IsDir() || !strings.EqualFold(path.Ext(zf.Name), ".csv") || strings.HasPrefix(path.Base(zf.Name), "._") {
			continue
		}
		if zf.UncompressedSize64 > uint64(lim.MaxFileBytes) {
			return nil, problem(CodeTooLarge, entry, 0, 0, "says it holds %d bytes; at most %d per file are accepted", zf.UncompressedSize64, lim.MaxFileBytes)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, problem(CodeZip, entry, 0, 0, "cannot be opened: %v", err)
		}
		// The declared size may lie: the ratio is checked on what is actually read.
		err = rd.add(entry, &ratioReader{r: rc, compressed: int64(zf.CompressedSize64), max: lim.MaxRatio, name: entry})
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	return rd.done(), nil
}

// ratioReader fails once more than max times the compressed size has been read (with
// 64 KiB of slack for tiny files).
type ratioReader struct {
	r          io.Reader
	compressed int64
	read       int64
	max        int64
	name       string
}

func (z *ratioReader) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	z.read += int64(n)
	if z.read > z.compressed*z.max+64<<10 {
		return n, problem(CodeTooLarge, z.name, 0, 0, "decompresses to more than %d times its compressed size: refused as a zip bomb", z.max)
	}
	return n, err
}
