package export

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strconv"

	"kith/cypher"
)

// csvZip writes a zip of nodes.csv (Id, Label, then the attributes) and edges.csv
// (Source, Target, Type, Weight, then the tie's kind, strength, purpose and waves): the
// columns Gephi's spreadsheet import reads as nodes and edges tables. Rows stream: nodes
// into nodes.csv as they arrive, then ties into edges.csv.
type csvZip struct {
	z     *zip.Writer
	c     *csv.Writer
	m     Meta
	spans map[string]waveSpan
	typ   string
}

func newCSV(w io.Writer, m Meta) Writer {
	typ := "Undirected"
	if m.Directed {
		typ = "Directed"
	}
	return &csvZip{z: zip.NewWriter(w), m: m, typ: typ}
}

func (c *csvZip) Begin(h cypher.ExportHeader) error {
	c.spans = waveSpans(h.Waves)
	f, err := zipEntry(c.z, "nodes.csv", c.m)
	if err != nil {
		return err
	}
	c.c = csv.NewWriter(f)
	head := []string{"Id", "Label", "Type", "Area", "AreaId", "HouseholdType", "AgeBand", "Employment", "IsAuthority", "Community"}
	for _, s := range c.m.Scores {
		head = append(head, "score_"+s)
	}
	return c.c.Write(head)
}

func (c *csvZip) Node(n cypher.ExportNode) error {
	row := []string{n.ID, label(n), n.Label, n.AreaName, n.AreaID, n.HouseholdType, n.AgeBand, n.Employment, strconv.FormatBool(n.IsAuthority), community(n)}
	for _, s := range n.Scores {
		v := ""
		if s != nil {
			v = strconv.FormatFloat(*s, 'g', -1, 64)
		}
		row = append(row, v)
	}
	return c.c.Write(row)
}

func (c *csvZip) NodesDone() error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	f, err := zipEntry(c.z, "edges.csv", c.m)
	if err != nil {
		return err
	}
	c.c = csv.NewWriter(f)
	return c.c.Write([]string{"Source", "Target", "Type", "Weight", "Kind", "Strength", "Purpose", "Waves"})
}

func (c *csvZip) Tie(t cypher.ExportTie) error {
	w := 1
	if c.m.Weighted {
		w = Weight(t)
	}
	return c.c.Write([]string{t.From, t.To, c.typ, strconv.Itoa(w), t.Kind, t.Strength, t.Purpose, waveNames(c.spans, t.Waves)})
}

func (c *csvZip) Close() error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	return c.z.Close()
}
