// Package export writes a network read by cypher.Store.Export in the files analysts' tools
// open: GEXF 1.3 (Gephi), GraphML (yEd, igraph, networkx, Cytoscape), Pajek (.net with a
// .clu partition and .vec scores, in one zip), UCINET DL (edgelist1 and fullmatrix, with
// labels) and CSV (nodes.csv and edges.csv in one zip, the columns Gephi's spreadsheet
// import reads). Every writer streams: it writes each node and tie as it arrives, keeping
// only what its format needs before the ties (Pajek and DL number the nodes, so they keep
// each node's id). No Go library writes these formats (gonum reads GEXF 1.2 only), so
// they are written here, by hand, to each format's published specification.
package export

import (
	"archive/zip"
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"kith/apierr"
	"kith/cypher"
)

// Format is one export format.
type Format struct {
	// Name is the format's name in GET /export/{format}.
	Name string
	// ContentType and Ext are the response's media type and the file name's extension.
	ContentType, Ext string
	open             func(w io.Writer, m Meta) Writer
}

// Formats are the formats Kith writes, by name.
var formats = []Format{
	{Name: "gexf", ContentType: "application/gexf+xml", Ext: "gexf", open: newGEXF},
	{Name: "graphml", ContentType: "application/graphml+xml", Ext: "graphml", open: newGraphML},
	{Name: "pajek", ContentType: "application/zip", Ext: "zip", open: newPajek},
	{Name: "dl", ContentType: "text/plain; charset=utf-8", Ext: "dl", open: func(w io.Writer, m Meta) Writer { return newDL(w, m, false) }},
	{Name: "dl-matrix", ContentType: "text/plain; charset=utf-8", Ext: "dl", open: func(w io.Writer, m Meta) Writer { return newDL(w, m, true) }},
	{Name: "csv", ContentType: "application/zip", Ext: "zip", open: newCSV},
}

// Names returns the names of the formats.
func Names() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.Name
	}
	return out
}

// Lookup returns the format of a name, or BAD_USER_INPUT naming field.
func Lookup(name, field string) (Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, apierr.BadUserInput(field, "%q is not an export format: one of %s", name, strings.Join(Names(), ", "))
}

// Meta describes an export to its writer.
type Meta struct {
	// Directed keeps ties' direction; otherwise the file declares an undirected graph.
	Directed bool
	// Weighted gives every tie a weight: 2 for a STRONG KNOWS tie, 1 for any other.
	Weighted bool
	// Scores are the measures (cypher.ExportSpec.Scores) whose stored scores nodes carry.
	Scores []string
	// Created is the export's time; Description says what it holds (no personal data).
	Created     time.Time
	Description string
}

// Writer writes one export: it is the sink cypher.Store.Export streams to, and Close
// finishes the file (it does not close the underlying writer).
type Writer interface {
	cypher.ExportSink
	Close() error
}

// New returns the format's writer to w.
func (f Format) New(w io.Writer, m Meta) Writer { return f.open(w, m) }

// Weight is a tie's weight: 2 for a STRONG KNOWS tie, 1 for any other.
func Weight(t cypher.ExportTie) int {
	if t.Kind == "KNOWS" && t.Strength == "STRONG" {
		return 2
	}
	return 1
}

// FileName is a useful file name for an export: kith-<area>-<wave>-<date>.<ext>, the area
// and wave by name (or "all"), reduced to letters, digits and dashes.
func FileName(area, wave string, at time.Time, ext string) string {
	part := func(s string) string {
		if s == "" {
			return "all"
		}
		var b strings.Builder
		dash := false
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
				dash = false
			} else if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		out := strings.TrimSuffix(b.String(), "-")
		if out == "" {
			return "x"
		}
		return out[:min(len(out), 40)]
	}
	return fmt.Sprintf("kith-%s-%s-%s.%s", part(area), part(wave), at.UTC().Format("2006-01-02"), ext)
}

// waveSpans turns the waves into spells: each wave from its date to the next wave's (the
// last one open-ended), keyed by wave id. Waves without a date have no spell.
type waveSpan struct{ name, start, end string }

func waveSpans(waves []cypher.ExportWave) map[string]waveSpan {
	dated := slices.DeleteFunc(slices.Clone(waves), func(w cypher.ExportWave) bool { return w.CollectedOn == "" })
	slices.SortStableFunc(dated, func(a, b cypher.ExportWave) int { return strings.Compare(a.CollectedOn, b.CollectedOn) })
	out := make(map[string]waveSpan, len(waves))
	for _, w := range waves {
		out[w.ID] = waveSpan{name: w.Name}
	}
	for i, w := range dated {
		s := waveSpan{name: w.Name, start: w.CollectedOn}
		for _, next := range dated[i+1:] {
			if next.CollectedOn > w.CollectedOn {
				s.end = next.CollectedOn
				break
			}
		}
		out[w.ID] = s
	}
	return out
}

// waveNames are the names of a tie's waves, joined by "|".
func waveNames(spans map[string]waveSpan, ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if s, ok := spans[id]; ok && s.name != "" {
			names = append(names, s.name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, "|")
}

// Pseudonymise returns a sink that gives every id to sink as an id of this export's own
// (a keyed hash under a key drawn for this export and then forgotten), and every person's
// name as that id: the file joins to no other export and to no id of the API.
func Pseudonymise(sink cypher.ExportSink) cypher.ExportSink {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &pseudonymiser{sink: sink, key: key}
}

type pseudonymiser struct {
	sink cypher.ExportSink
	key  []byte
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func (p *pseudonymiser) id(id string) string {
	if id == "" {
		return ""
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id))
	return "x" + strings.ToLower(idEncoding.EncodeToString(m.Sum(nil)[:10]))
}

func (p *pseudonymiser) Begin(h cypher.ExportHeader) error {
	waves := make([]cypher.ExportWave, len(h.Waves))
	for i, w := range h.Waves {
		waves[i] = cypher.ExportWave{ID: p.id(w.ID), Name: w.Name, CollectedOn: w.CollectedOn}
	}
	h.Waves = waves
	return p.sink.Begin(h)
}

func (p *pseudonymiser) Node(n cypher.ExportNode) error {
	n.ID, n.AreaID = p.id(n.ID), p.id(n.AreaID)
	if n.Label == "Person" {
		n.Name = n.ID
	}
	return p.sink.Node(n)
}

func (p *pseudonymiser) NodesDone() error { return p.sink.NodesDone() }

func (p *pseudonymiser) Tie(t cypher.ExportTie) error {
	t.From, t.To = p.id(t.From), p.id(t.To)
	waves := make([]string, len(t.Waves))
	for i, w := range t.Waves {
		waves[i] = p.id(w)
	}
	t.Waves = waves
	return p.sink.Tie(t)
}

// buffered is a bufio.Writer that remembers its first error.
func buffered(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 64<<10) }

// community is a node's community as text, "" when none was computed.
func community(n cypher.ExportNode) string {
	if n.Community == 0 {
		return ""
	}
	return strconv.Itoa(n.Community)
}

// zipEntry starts a file of a zip export, compressed and dated with the export.
func zipEntry(z *zip.Writer, name string, m Meta) (io.Writer, error) {
	return z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: m.Created})
}

// label is a node's label in a file: its name, or its id when it has none.
func label(n cypher.ExportNode) string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}
