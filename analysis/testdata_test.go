package analysis

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// tolerance is how close a value must be to networkx's.
const tolerance = 1e-4

// eiRef is one E-I index entry of a reference file.
type eiRef struct {
	External int     `json:"external"`
	Internal int     `json:"internal"`
	Index    float64 `json:"index"`
}

// reference is a testdata/NAME.json file written by reference/reference.py.
type reference struct {
	Name      string                         `json:"name"`
	Directed  bool                           `json:"directed"`
	Weighted  bool                           `json:"weighted"`
	Nodes     int                            `json:"nodes"`
	Ties      int                            `json:"ties"`
	Measures  map[string]map[string]*float64 `json:"measures"`
	Scalars   map[string]float64             `json:"scalars"`
	GroupAttr string                         `json:"group_attr"`
	Brokerage map[string]map[string]int      `json:"brokerage"`
	EI        struct {
		Nodes   map[string]eiRef `json:"nodes"`
		Groups  map[string]eiRef `json:"groups"`
		Network eiRef            `json:"network"`
	} `json:"ei"`
	GroupModularity    float64 `json:"group_modularity"`
	SampledBetweenness struct {
		Sources []string            `json:"sources"`
		Values  map[string]*float64 `json:"values"`
	} `json:"sampled_betweenness"`
	Louvain   map[string]float64 `json:"louvain"`
	BestKnown float64            `json:"best_known_modularity"`
}

// networks are the reference networks in testdata.
var networks = []string{"karate", "florentine", "davis", "directed"}

// readCSV returns the rows of a testdata CSV file after its header.
func readCSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows[1:]
}

// loadGraph builds a Graph from testdata/NAME_nodes.csv and NAME_edges.csv.
func loadGraph(t testing.TB, name string, directed bool) *Graph {
	t.Helper()
	g := NewGraph(directed)
	header := readCSVHeader(t, name+"_nodes.csv")
	for _, row := range readCSV(t, name+"_nodes.csv") {
		attrs := map[string]string{}
		for i := 1; i < len(row); i++ {
			if row[i] != "" {
				attrs[header[i]] = row[i]
			}
		}
		if err := g.AddNode(row[0], attrs); err != nil {
			t.Fatal(err)
		}
	}
	for _, row := range readCSV(t, name+"_edges.csv") {
		w, err := strconv.ParseFloat(row[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.AddTie(row[0], row[1], w); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func readCSVHeader(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// loadNetwork returns a reference network and networkx's values for it.
func loadNetwork(t testing.TB, name string) (*Graph, reference) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	g := loadGraph(t, name, ref.Directed)
	if g.NodeCount() != ref.Nodes || g.TieCount() != ref.Ties {
		t.Fatalf("%s: loaded %d nodes, %d ties; reference has %d, %d", name, g.NodeCount(), g.TieCount(), ref.Nodes, ref.Ties)
	}
	return g, ref
}

// compareScores checks got against a reference map (null meaning networkx's
// NaN, for which we return 0).
func compareScores(t *testing.T, got Scores, want map[string]*float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d scores, want %d", len(got), len(want))
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	bad := 0
	for _, id := range ids {
		w := 0.0
		if want[id] != nil {
			w = *want[id]
		}
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: missing", id)
			continue
		}
		if math.IsNaN(g) || math.IsInf(g, 0) || math.Abs(g-w) > tolerance {
			if bad++; bad <= 5 {
				t.Errorf("%s: got %.8g, want %.8g", id, g, w)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... and %d more differences", bad-5)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= tolerance }
