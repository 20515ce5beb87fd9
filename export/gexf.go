package export

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"kith/cypher"
)

// gexf writes GEXF 1.3: node attributes (type, area, household type, age band,
// employment, authority, stored scores) declared as typed attributes, ties with their kind,
// strength, purpose and waves as attributes and, in a dynamic graph, the waves they were
// recorded in as spells (from the wave's date to the next wave's), so Gephi's timeline
// plays the waves.
type gexf struct {
	w     *bufio.Writer
	m     Meta
	spans map[string]waveSpan
	edges int
}

func newGEXF(w io.Writer, m Meta) Writer { return &gexf{w: buffered(w), m: m} }

// gexfNodeAttrs are the node attributes before the scores: id, title and type.
var gexfNodeAttrs = [][3]string{{"type", "type", "string"}, {"area", "area", "string"}, {"areaId", "areaId", "string"},
	{"householdType", "householdType", "string"}, {"ageBand", "ageBand", "string"}, {"employment", "employment", "string"},
	{"isAuthority", "isAuthority", "boolean"}, {"community", "community", "integer"}}

var gexfEdgeAttrs = [][3]string{{"kind", "kind", "string"}, {"strength", "strength", "string"},
	{"purpose", "purpose", "string"}, {"waves", "waves", "string"}}

func xmlText(s string) string {
	var b bufioString
	_ = xml.EscapeText(&b, []byte(s))
	return string(b)
}

// bufioString collects escaped text.
type bufioString []byte

func (b *bufioString) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

func (g *gexf) Begin(h cypher.ExportHeader) error {
	g.spans = waveSpans(h.Waves)
	edgeType := "undirected"
	if g.m.Directed {
		edgeType = "directed"
	}
	fmt.Fprintf(g.w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"+
		"<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n"+
		"  <meta lastmodifieddate=\"%s\">\n    <creator>Kith</creator>\n    <description>%s</description>\n  </meta>\n"+
		"  <graph defaultedgetype=\"%s\" mode=\"dynamic\" timeformat=\"date\">\n    <attributes class=\"node\" mode=\"static\">\n",
		g.m.Created.UTC().Format("2006-01-02"), xmlText(g.m.Description), edgeType)
	for _, a := range gexfNodeAttrs {
		fmt.Fprintf(g.w, "      <attribute id=\"%s\" title=\"%s\" type=\"%s\"/>\n", a[0], a[1], a[2])
	}
	for _, s := range g.m.Scores {
		fmt.Fprintf(g.w, "      <attribute id=\"score_%s\" title=\"score_%s\" type=\"double\"/>\n", s, s)
	}
	g.w.WriteString("    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n")
	for _, a := range gexfEdgeAttrs {
		fmt.Fprintf(g.w, "      <attribute id=\"%s\" title=\"%s\" type=\"%s\"/>\n", a[0], a[1], a[2])
	}
	g.w.WriteString("    </attributes>\n    <nodes>\n")
	return g.w.Flush() // the first bytes leave at once
}

func (g *gexf) Node(n cypher.ExportNode) error {
	fmt.Fprintf(g.w, "      <node id=\"%s\" label=\"%s\">\n        <attvalues>\n", xmlText(n.ID), xmlText(label(n)))
	vals := []string{n.Label, n.AreaName, n.AreaID, n.HouseholdType, n.AgeBand, n.Employment, strconv.FormatBool(n.IsAuthority), community(n)}
	for i, v := range vals {
		if v != "" {
			fmt.Fprintf(g.w, "          <attvalue for=\"%s\" value=\"%s\"/>\n", gexfNodeAttrs[i][0], xmlText(v))
		}
	}
	for i, s := range n.Scores {
		if s != nil {
			fmt.Fprintf(g.w, "          <attvalue for=\"score_%s\" value=\"%s\"/>\n", g.m.Scores[i], strconv.FormatFloat(*s, 'g', -1, 64))
		}
	}
	_, err := g.w.WriteString("        </attvalues>\n      </node>\n")
	return err
}

func (g *gexf) NodesDone() error {
	_, err := g.w.WriteString("    </nodes>\n    <edges>\n")
	return err
}

func (g *gexf) Tie(t cypher.ExportTie) error {
	weight := ""
	if g.m.Weighted {
		weight = fmt.Sprintf(" weight=\"%d\"", Weight(t))
	}
	fmt.Fprintf(g.w, "      <edge id=\"e%d\" source=\"%s\" target=\"%s\"%s>\n        <attvalues>\n",
		g.edges, xmlText(t.From), xmlText(t.To), weight)
	g.edges++
	vals := []string{t.Kind, t.Strength, t.Purpose, waveNames(g.spans, t.Waves)}
	for i, v := range vals {
		if v != "" {
			fmt.Fprintf(g.w, "          <attvalue for=\"%s\" value=\"%s\"/>\n", gexfEdgeAttrs[i][0], xmlText(v))
		}
	}
	g.w.WriteString("        </attvalues>\n")
	var spells []waveSpan
	for _, id := range t.Waves {
		if s := g.spans[id]; s.start != "" {
			spells = append(spells, s)
		}
	}
	if len(spells) > 0 {
		g.w.WriteString("        <spells>\n")
		for _, s := range spells {
			if s.end != "" {
				fmt.Fprintf(g.w, "          <spell start=\"%s\" end=\"%s\"/>\n", s.start, s.end)
			} else {
				fmt.Fprintf(g.w, "          <spell start=\"%s\"/>\n", s.start)
			}
		}
		g.w.WriteString("        </spells>\n")
	}
	_, err := g.w.WriteString("      </edge>\n")
	return err
}

func (g *gexf) Close() error {
	g.w.WriteString("    </edges>\n  </graph>\n</gexf>\n")
	return g.w.Flush()
}
