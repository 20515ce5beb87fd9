package export

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"kith/cypher"
)

// pajek writes a zip of network.net (vertices labelled by id, then arcs or edges with
// their weight), areas.clu (a partition by area, numbered as areas.txt lists them, 0 for
// none) and score_<measure>.vec for each stored score some node has (0 where a node has
// none). Pajek numbers vertices, so it keeps each node's id, area number and scores until
// the zip is closed.
type pajek struct {
	z      *zip.Writer
	net    *bufio.Writer
	m      Meta
	index  map[string]int
	ids    []string
	areas  []int
	comms  []int
	commOn bool
	names  []string // area names by number - 1
	areaNo map[string]int
	scores [][]float64 // by measure, then node
	scored []bool
}

func newPajek(w io.Writer, m Meta) Writer {
	p := &pajek{z: zip.NewWriter(w), m: m, index: map[string]int{}, areaNo: map[string]int{},
		scores: make([][]float64, len(m.Scores)), scored: make([]bool, len(m.Scores))}
	return p
}

func (p *pajek) Begin(cypher.ExportHeader) error { return nil }

func (p *pajek) Node(n cypher.ExportNode) error {
	p.ids = append(p.ids, n.ID)
	p.index[n.ID] = len(p.ids)
	area := 0
	if n.AreaID != "" {
		area = p.areaNo[n.AreaID]
		if area == 0 {
			p.names = append(p.names, n.AreaName)
			area = len(p.names)
			p.areaNo[n.AreaID] = area
		}
	}
	p.areas = append(p.areas, area)
	p.comms = append(p.comms, n.Community)
	p.commOn = p.commOn || n.Community != 0
	for i, s := range n.Scores {
		v := 0.0
		if s != nil {
			v, p.scored[i] = *s, true
		}
		p.scores[i] = append(p.scores[i], v)
	}
	return nil
}

func (p *pajek) NodesDone() error {
	f, err := zipEntry(p.z, "network.net", p.m)
	if err != nil {
		return err
	}
	p.net = buffered(f)
	fmt.Fprintf(p.net, "*Vertices %d\n", len(p.ids))
	for i, id := range p.ids {
		fmt.Fprintf(p.net, "%d \"%s\"\n", i+1, strings.ReplaceAll(id, "\"", ""))
	}
	if p.m.Directed {
		p.net.WriteString("*Arcs\n")
	} else {
		p.net.WriteString("*Edges\n")
	}
	return nil
}

func (p *pajek) Tie(t cypher.ExportTie) error {
	w := 1
	if p.m.Weighted {
		w = Weight(t)
	}
	_, err := fmt.Fprintf(p.net, "%d %d %d\n", p.index[t.From], p.index[t.To], w)
	return err
}

func (p *pajek) Close() error {
	if p.net == nil {
		if err := p.NodesDone(); err != nil {
			return err
		}
	}
	if err := p.net.Flush(); err != nil {
		return err
	}
	if err := p.file("areas.clu", func(w *bufio.Writer) {
		fmt.Fprintf(w, "*Vertices %d\n", len(p.ids))
		for _, a := range p.areas {
			fmt.Fprintf(w, "%d\n", a)
		}
	}); err != nil {
		return err
	}
	if err := p.file("areas.txt", func(w *bufio.Writer) {
		for i, n := range p.names {
			fmt.Fprintf(w, "%d %s\n", i+1, n)
		}
	}); err != nil {
		return err
	}
	if p.commOn {
		if err := p.file("communities.clu", func(w *bufio.Writer) {
			fmt.Fprintf(w, "*Vertices %d\n", len(p.ids))
			for _, c := range p.comms {
				fmt.Fprintf(w, "%d\n", c)
			}
		}); err != nil {
			return err
		}
	}
	for i, m := range p.m.Scores {
		if !p.scored[i] {
			continue
		}
		if err := p.file("score_"+m+".vec", func(w *bufio.Writer) {
			fmt.Fprintf(w, "*Vertices %d\n", len(p.ids))
			for _, v := range p.scores[i] {
				w.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "\n")
			}
		}); err != nil {
			return err
		}
	}
	return p.z.Close()
}

// file writes one more file into the zip.
func (p *pajek) file(name string, fill func(w *bufio.Writer)) error {
	f, err := zipEntry(p.z, name, p.m)
	if err != nil {
		return err
	}
	w := buffered(f)
	fill(w)
	return w.Flush()
}
