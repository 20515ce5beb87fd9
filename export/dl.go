package export

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"kith/apierr"
	"kith/cypher"
)

// MaxMatrixNodes is the most nodes a fullmatrix DL export may hold: its size grows with
// the square of the nodes (use edgelist1 beyond).
const MaxMatrixNodes = 2000

// dl writes UCINET DL: a header with the node count and the nodes' ids as labels, then
// either edgelist1 (one "from to weight" line per tie, streamed) or fullmatrix (one row
// per node: 1 where a tie joins the two, or with weights the sum of their weights; an
// undirected matrix is symmetric). Nothing is written until every node has arrived,
// since the header counts them.
type dl struct {
	w      *bufio.Writer
	m      Meta
	matrix bool
	index  map[string]int
	ids    []string
	cells  map[[2]int]int
}

func newDL(w io.Writer, m Meta, matrix bool) Writer {
	d := &dl{w: buffered(w), m: m, matrix: matrix, index: map[string]int{}}
	if matrix {
		d.cells = map[[2]int]int{}
	}
	return d
}

func (d *dl) Begin(cypher.ExportHeader) error { return nil }

func (d *dl) Node(n cypher.ExportNode) error {
	d.ids = append(d.ids, n.ID)
	d.index[n.ID] = len(d.ids)
	if d.matrix && len(d.ids) > MaxMatrixNodes {
		return apierr.BadUserInput("format", "a fullmatrix export holds at most %d nodes: narrow the scope or use dl (edgelist1)", MaxMatrixNodes)
	}
	return nil
}

func (d *dl) NodesDone() error {
	format := "edgelist1"
	if d.matrix {
		format = "fullmatrix"
	}
	fmt.Fprintf(d.w, "dl n=%d\nformat = %s\nlabels:\n", len(d.ids), format)
	for i, id := range d.ids {
		d.w.WriteString(strings.NewReplacer(",", "", " ", "", "\"", "").Replace(id))
		if i < len(d.ids)-1 {
			d.w.WriteByte(',')
		}
		if i%10 == 9 || i == len(d.ids)-1 {
			d.w.WriteByte('\n')
		}
	}
	_, err := d.w.WriteString("data:\n")
	return err
}

func (d *dl) Tie(t cypher.ExportTie) error {
	w := 1
	if d.m.Weighted {
		w = Weight(t)
	}
	from, to := d.index[t.From], d.index[t.To]
	if !d.matrix {
		_, err := fmt.Fprintf(d.w, "%d %d %d\n", from, to, w)
		return err
	}
	pairs := [][2]int{{from, to}}
	if !d.m.Directed {
		pairs = append(pairs, [2]int{to, from})
	}
	for _, p := range pairs {
		if d.m.Weighted {
			d.cells[p] += w
		} else {
			d.cells[p] = 1
		}
	}
	return nil
}

func (d *dl) Close() error {
	if d.matrix {
		keys := make([][2]int, 0, len(d.cells))
		for k := range d.cells {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [2]int) int {
			if a[0] != b[0] {
				return a[0] - b[0]
			}
			return a[1] - b[1]
		})
		row := make([]string, len(d.ids))
		k := 0
		for i := 1; i <= len(d.ids); i++ {
			for j := range row {
				row[j] = "0"
			}
			for ; k < len(keys) && keys[k][0] == i; k++ {
				row[keys[k][1]-1] = strconv.Itoa(d.cells[keys[k]])
			}
			d.w.WriteString(strings.Join(row, " ") + "\n")
		}
	}
	return d.w.Flush()
}
