package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"kith/cypher"
)

// graphml writes GraphML with a typed <key> for every node and edge attribute.
type graphml struct {
	w     *bufio.Writer
	m     Meta
	spans map[string]waveSpan
}

func newGraphML(w io.Writer, m Meta) Writer { return &graphml{w: buffered(w), m: m} }

// graphmlNodeKeys are the node keys before the scores: name and type.
var graphmlNodeKeys = [][2]string{{"label", "string"}, {"type", "string"}, {"area", "string"}, {"areaId", "string"},
	{"householdType", "string"}, {"ageBand", "string"}, {"employment", "string"}, {"isAuthority", "boolean"}, {"community", "int"}}

var graphmlEdgeKeys = [][2]string{{"kind", "string"}, {"strength", "string"}, {"purpose", "string"}, {"waves", "string"}, {"weight", "int"}}

func (g *graphml) Begin(h cypher.ExportHeader) error {
	g.spans = waveSpans(h.Waves)
	g.w.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		"<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " +
		"xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n")
	fmt.Fprintf(g.w, "  <desc>%s</desc>\n", xmlText(g.m.Description))
	for _, k := range graphmlNodeKeys {
		fmt.Fprintf(g.w, "  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k[0], k[0], k[1])
	}
	for _, s := range g.m.Scores {
		fmt.Fprintf(g.w, "  <key id=\"n_score_%s\" for=\"node\" attr.name=\"score_%s\" attr.type=\"double\"/>\n", s, s)
	}
	for _, k := range graphmlEdgeKeys {
		if k[0] == "weight" && !g.m.Weighted {
			continue
		}
		fmt.Fprintf(g.w, "  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k[0], k[0], k[1])
	}
	edgeType := "undirected"
	if g.m.Directed {
		edgeType = "directed"
	}
	fmt.Fprintf(g.w, "  <graph id=\"kith\" edgedefault=\"%s\">\n", edgeType)
	return g.w.Flush()
}

func (g *graphml) data(key, v string) {
	if v != "" {
		fmt.Fprintf(g.w, "      <data key=\"%s\">%s</data>\n", key, xmlText(v))
	}
}

func (g *graphml) Node(n cypher.ExportNode) error {
	fmt.Fprintf(g.w, "    <node id=\"%s\">\n", xmlText(n.ID))
	vals := []string{label(n), n.Label, n.AreaName, n.AreaID, n.HouseholdType, n.AgeBand, n.Employment, strconv.FormatBool(n.IsAuthority), community(n)}
	for i, v := range vals {
		g.data("n_"+graphmlNodeKeys[i][0], v)
	}
	for i, s := range n.Scores {
		if s != nil {
			g.data("n_score_"+g.m.Scores[i], strconv.FormatFloat(*s, 'g', -1, 64))
		}
	}
	_, err := g.w.WriteString("    </node>\n")
	return err
}

func (g *graphml) NodesDone() error { return nil }

func (g *graphml) Tie(t cypher.ExportTie) error {
	fmt.Fprintf(g.w, "    <edge source=\"%s\" target=\"%s\">\n", xmlText(t.From), xmlText(t.To))
	g.data("e_kind", t.Kind)
	g.data("e_strength", t.Strength)
	g.data("e_purpose", t.Purpose)
	g.data("e_waves", waveNames(g.spans, t.Waves))
	if g.m.Weighted {
		g.data("e_weight", strconv.Itoa(Weight(t)))
	}
	_, err := g.w.WriteString("    </edge>\n")
	return err
}

func (g *graphml) Close() error {
	g.w.WriteString("  </graph>\n</graphml>\n")
	return g.w.Flush()
}
