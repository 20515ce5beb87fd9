package survey

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// table is one CSV file read whole, with where each cell was.
type table struct {
	file   string
	header []string
	index  map[string]int
	rows   []row
}

// row is one data row and the position of each of its cells.
type row struct {
	t     *table
	line  int
	cells []string
	cols  []int
}

// readTable parses a CSV file. The header must be its first row; a row with another number
// of cells, or a quote out of place, is refused with the line and column.
func readTable(f File) (*table, error) {
	r := csv.NewReader(bytes.NewReader(f.Data))
	r.ReuseRecord = false
	t := &table{file: f.Name, index: map[string]int{}}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, problem(CodeBadCSV, f.Name, pe.Line, pe.Column, "%v", pe.Err)
			}
			return nil, problem(CodeBadCSV, f.Name, 0, 0, "%v", err)
		}
		line, _ := r.FieldPos(0)
		if t.header == nil {
			t.header = rec
			for i, h := range rec {
				h = strings.TrimSpace(h)
				if _, dup := t.index[h]; dup {
					_, col := r.FieldPos(i)
					return nil, problem(CodeDuplicate, f.Name, line, col, "the header repeats the column %q", h)
				}
				t.index[h] = i
			}
			continue
		}
		rw := row{t: t, line: line, cells: rec, cols: make([]int, len(rec))}
		for i := range rec {
			_, rw.cols[i] = r.FieldPos(i)
		}
		t.rows = append(t.rows, rw)
	}
	if t.header == nil {
		return nil, problem(CodeMissingColumn, f.Name, 1, 1, "is empty: it has no header row")
	}
	return t, nil
}

// require fails, naming the first, when the header lacks one of the columns.
func (t *table) require(cols ...string) error {
	for _, c := range cols {
		if c == "" {
			continue
		}
		if _, ok := t.index[c]; !ok {
			return problem(CodeMissingColumn, t.file, 1, len(t.header)+1, "has no column %q (was it renamed?); its columns are %s",
				c, strings.Join(t.header, ","))
		}
	}
	return nil
}

// has reports whether the header holds the column.
func (t *table) has(col string) bool {
	_, ok := t.index[col]
	return col != "" && ok
}

// raw is the cell of column col, trimmed, "" when the column is absent or col is "".
func (r row) raw(col string) string {
	i, ok := r.t.index[col]
	if col == "" || !ok {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// at is a problem at the cell of column col.
func (r row) at(code, col, format string, args ...any) *Problem {
	c := 0
	if i, ok := r.t.index[col]; ok {
		c = r.cols[i]
	}
	return problem(code, r.t.file, r.line, c, format, args...)
}

// formulaStart lists what makes a spreadsheet read a cell as a formula.
const formulaStart = "=+-@\t\r"

// text is a cell that Kith stores as text (a name, a role, an area). Network Canvas
// guards a cell starting with a formula character with a leading apostrophe, which is
// removed; a cell that still starts with one (=HYPERLINK(...), +cmd...) is refused, so
// that no export or spreadsheet built from Kith can run it.
func (r row) text(col string, max int) (string, error) {
	v := r.raw(col)
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune(formulaStart, rune(v[1])) {
		v = v[1:]
	}
	if v != "" && strings.ContainsRune(formulaStart, rune(v[0])) {
		return "", r.at(CodeFormula, col, "column %q starts with %q, which a spreadsheet would run as a formula; refused", col, v[:1])
	}
	if n := len([]rune(v)); n > max {
		return "", r.at(CodeBadValue, col, "column %q holds %d characters; at most %d", col, n, max)
	}
	return v, nil
}

// required is text that must not be empty.
func (r row) required(col string, max int) (string, error) {
	v, err := r.text(col, max)
	if err == nil && v == "" {
		err = r.at(CodeMissingValue, col, "column %q is empty", col)
	}
	return v, err
}

// intIn is a whole number in [lo, hi], or nil when the cell is empty or the column absent.
func (r row) intIn(col string, lo, hi int64) (any, error) {
	v := r.raw(col)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int64(f)) {
			n, err = int64(f), nil
		}
	}
	if err != nil {
		return nil, r.at(CodeBadValue, col, "column %q is not a whole number", col)
	}
	if n < lo || n > hi {
		return nil, r.at(CodeOutOfRange, col, "column %q is %d; it must be from %d to %d", col, n, lo, hi)
	}
	return n, nil
}

// boolean is true/false (also yes/no, 1/0), or nil when empty.
func (r row) boolean(col string) (any, error) {
	switch strings.ToLower(r.raw(col)) {
	case "":
		return nil, nil
	case "true", "yes", "y", "1":
		return true, nil
	case "false", "no", "n", "0":
		return false, nil
	}
	return nil, r.at(CodeBadValue, col, "column %q is not true or false", col)
}

// when is a date or date-time (RFC 3339, or YYYY-MM-DD), or the zero time when empty.
func (r row) when(col string) (time.Time, error) {
	v := r.raw(col)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, r.at(CodeBadValue, col, "column %q is not a date (YYYY-MM-DD) or date-time (RFC 3339)", col)
}
