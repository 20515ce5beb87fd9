package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/analysisservice"
	"kith/auth"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/nodeid"
	"kith/seed"
)

// The analysis queries end to end: Zachary's karate club (analysis/testdata, with the
// reference values networkx computed) loaded into Neo4j as people who know each other,
// then read back through GraphQL.

// karateRef is the part of analysis/testdata/karate.json the tests compare with.
type karateRef struct {
	Measures map[string]map[string]*float64 `json:"measures"`
	Scalars  map[string]float64             `json:"scalars"`
	EI       struct {
		Network struct {
			External, Internal int
			Index              float64
		} `json:"network"`
	} `json:"ei"`
	Brokerage map[string]map[string]int `json:"brokerage"`
}

// karate loads the karate club: person "karate-<i>" for node i, householdType its club,
// a KNOWS tie per edge. It returns the ids by node and the reference values.
func loadKarate(t *testing.T, e *env) (ids []string, ref karateRef) {
	t.Helper()
	raw, err := os.ReadFile("../analysis/testdata/karate.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	nodeRows := readCSV(t, "../analysis/testdata/karate_nodes.csv")
	edgeRows := readCSV(t, "../analysis/testdata/karate_edges.csv")
	var nodes []cypher.LoadNode
	for _, row := range nodeRows {
		id := nodeid.FromKey("Person", "karate-"+row[0])
		ids = append(ids, id)
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: id, Props: map[string]any{
			"externalId": "karate-" + row[0], "displayName": "Member " + row[0], "pseudonym": "K-" + row[0], "householdType": row[1],
		}})
	}
	var ties []cypher.LoadTie
	for _, row := range edgeRows {
		a, _ := strconv.Atoi(row[0])
		b, _ := strconv.Atoi(row[1])
		ties = append(ties, cypher.LoadTie{Kind: "KNOWS", From: ids[a], To: ids[b], Props: map[string]any{"strength": "WEAK"}})
	}
	if err := e.store.Load(context.Background(), nodes, ties, nil); err != nil {
		t.Fatal(err)
	}
	return ids, ref
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// near reports whether two values agree to 1e-4.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-4 }

// indexOf maps the karate ids back to node numbers.
func indexOf(ids []string) map[string]string {
	m := map[string]string{}
	for i, id := range ids {
		m[id] = strconv.Itoa(i)
	}
	return m
}

type centralityPage struct {
	Centrality struct {
		TotalCount int
		Sampled    bool
		SampleSize *int
		ErrorBound *float64
		Converged  bool
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Graph struct {
			Nodes, Ties int
			Version     string
		}
		Edges []struct {
			Rank  int
			Score float64
			Node  *struct {
				ID          string
				DisplayName *string
				Pseudonym   *string
			}
		}
	}
}

const centralityQuery = `query($scope: AnalysisScope, $m: CentralityMeasure!, $first: Int, $after: String, $sample: Int) {
  centrality(scope: $scope, measure: $m, first: $first, after: $after, sample: $sample) {
    totalCount sampled sampleSize errorBound converged
    pageInfo { hasNextPage endCursor }
    graph { nodes ties version }
    edges { rank score node { id ... on Person { displayName pseudonym } } }
  }
}`

func TestAnalysisKarateCentrality(t *testing.T) {
	e := setup(t)
	ids, ref := loadKarate(t, e)
	index := indexOf(ids)
	undirected := map[string]any{"directed": false}
	tests := []struct {
		measure, ref string
		scale        float64 // the API's score is the reference times scale
	}{
		{"DEGREE", "degree", 1},
		{"IN_DEGREE", "degree", 1},
		{"BETWEENNESS", "betweenness", 1},
		{"CLOSENESS", "closeness", 1},
		{"HARMONIC", "harmonic", 1.0 / 33},
		{"EIGENVECTOR", "eigenvector", 1},
		{"PAGERANK", "pagerank", 1},
	}
	for _, tc := range tests {
		t.Run(tc.measure, func(t *testing.T) {
			e := e.with(t)
			var got centralityPage
			e.ok(centralityQuery, map[string]any{"scope": undirected, "m": tc.measure, "first": 34}, &got)
			c := got.Centrality
			if c.TotalCount != 34 || len(c.Edges) != 34 || c.Graph.Nodes != 34 || c.Graph.Ties != 78 || c.PageInfo.HasNextPage || !c.Converged {
				t.Fatalf("unexpected shape: %+v", c)
			}
			for i, edge := range c.Edges {
				if edge.Rank != i+1 || edge.Node == nil {
					t.Fatalf("edge %d: %+v", i, edge)
				}
				if i > 0 && edge.Score > c.Edges[i-1].Score {
					t.Fatalf("not sorted at %d", i)
				}
				want := *ref.Measures[tc.ref][index[edge.Node.ID]] * tc.scale
				if !near(edge.Score, want) {
					t.Errorf("%s of node %s = %.6f, networkx %.6f", tc.measure, index[edge.Node.ID], edge.Score, want)
				}
				if edge.Node.DisplayName == nil || !strings.HasPrefix(*edge.Node.DisplayName, "Member ") {
					t.Errorf("an admin should see names, got %+v", edge.Node)
				}
			}
		})
	}

	t.Run("paging", func(t *testing.T) {
		e := e.with(t)
		var p1, p2 centralityPage
		e.ok(centralityQuery, map[string]any{"scope": undirected, "m": "BETWEENNESS", "first": 5}, &p1)
		if len(p1.Centrality.Edges) != 5 || !p1.Centrality.PageInfo.HasNextPage {
			t.Fatalf("first page: %+v", p1.Centrality)
		}
		e.ok(centralityQuery, map[string]any{"scope": undirected, "m": "BETWEENNESS", "first": 5, "after": *p1.Centrality.PageInfo.EndCursor}, &p2)
		if p2.Centrality.Edges[0].Rank != 6 || p2.Centrality.Edges[0].Score > p1.Centrality.Edges[4].Score {
			t.Fatalf("second page does not follow the first: %+v", p2.Centrality.Edges[0])
		}
	})

	t.Run("sampled betweenness states its bound", func(t *testing.T) {
		e := e.with(t)
		var got centralityPage
		e.ok(centralityQuery, map[string]any{"scope": undirected, "m": "BETWEENNESS", "first": 34, "sample": 20}, &got)
		c := got.Centrality
		if !c.Sampled || c.SampleSize == nil || *c.SampleSize != 20 || c.ErrorBound == nil {
			t.Fatalf("sampled result without its bound: %+v", c)
		}
		for _, edge := range c.Edges {
			exact := *ref.Measures["betweenness"][index[edge.Node.ID]]
			if math.Abs(edge.Score-exact) > *c.ErrorBound {
				t.Errorf("node %s: sampled %.4f, exact %.4f, beyond the bound %.4f", index[edge.Node.ID], edge.Score, exact, *c.ErrorBound)
			}
		}
	})

	t.Run("analysts get pseudonyms of consenting people only", func(t *testing.T) {
		e := e.with(t)
		var got centralityPage
		e.as(auth.Analyst).ok(centralityQuery, map[string]any{"scope": undirected, "m": "DEGREE"}, &got)
		if got.Centrality.TotalCount != 0 {
			t.Fatalf("nobody consented to analysis, yet the analyst's analysis reads %d people", got.Centrality.TotalCount)
		}
		// Everyone consents: the same analysis, pseudonymised.
		session := e.driver.NewSession(context.Background(), neo4j.SessionConfig{})
		defer session.Close(context.Background())
		res, err := session.Run(context.Background(), "MATCH (p:Person) SET p.consentAnalysis = true, p.updatedAt = datetime()", nil)
		if err == nil {
			_, err = res.Consume(context.Background()) // committed before the next request
		}
		if err != nil {
			t.Fatal(err)
		}
		e.as(auth.Analyst).ok(centralityQuery, map[string]any{"scope": undirected, "m": "DEGREE", "first": 3}, &got)
		if got.Centrality.TotalCount != 34 {
			t.Fatalf("analyst reads %d people, want 34", got.Centrality.TotalCount)
		}
		for _, edge := range got.Centrality.Edges {
			// The analyst's own pseudonym, not the stored K-… one workers see.
			live, _ := testPseudonyms(t).Decode(string(auth.Analyst), edge.Node.ID)
			if edge.Node.DisplayName == nil || *edge.Node.DisplayName != analystName(t, live) || live == "" {
				t.Errorf("analyst should see their pseudonym in place of the name, got %+v", edge.Node)
			}
		}
	})
}

func TestAnalysisKarateStructure(t *testing.T) {
	e := setup(t)
	ids, ref := loadKarate(t, e)
	index := indexOf(ids)
	undirected := map[string]any{"directed": false}

	t.Run("communities", func(t *testing.T) {
		var got struct {
			Communities struct {
				Modularity  float64
				Count       int
				BridgeCount int
				Communities []struct {
					ID                         string
					Size                       int
					InternalTies, ExternalTies int
					Members                    []struct{ ID string }
				}
				Bridges struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							From, To                   struct{ ID string }
							FromCommunity, ToCommunity string
						}
					}
				}
			}
		}
		q := `query($scope: AnalysisScope, $seed: Int) { communities(scope: $scope, seed: $seed) {
		  modularity count bridgeCount
		  communities(first: 10) { id size internalTies externalTies members(first: 50) { id } }
		  bridges(first: 100) { totalCount edges { node { from { id } to { id } fromCommunity toCommunity } } } } }`
		e.with(t).ok(q, map[string]any{"scope": undirected, "seed": 1}, &got)
		c := got.Communities
		if c.Modularity < 0.41 || c.Modularity > 0.4198+1e-4 {
			t.Errorf("modularity %.4f, want at least 0.41 (best known 0.4198)", c.Modularity)
		}
		members, internal := 0, 0
		for _, com := range c.Communities {
			members += len(com.Members)
			internal += com.InternalTies
			if len(com.Members) != com.Size {
				t.Errorf("community %s lists %d of %d members", com.ID, len(com.Members), com.Size)
			}
		}
		if members != 34 || internal+c.BridgeCount != 78 || len(c.Bridges.Edges) != c.BridgeCount || c.Bridges.TotalCount != c.BridgeCount {
			t.Errorf("partition does not cover the club: %d members, %d internal + %d bridging ties", members, internal, c.BridgeCount)
		}
		for _, edge := range c.Bridges.Edges {
			if b := edge.Node; b.FromCommunity == b.ToCommunity {
				t.Errorf("bridge inside community %s", b.FromCommunity)
			}
			if b := edge.Node; index[b.From.ID] == index[b.To.ID] {
				t.Errorf("bridge %+v does not join two members of the club", b)
			}
		}
		// Deterministic for a seed.
		var again struct{ Communities struct{ Modularity float64 } }
		e.with(t).ok(`query($scope: AnalysisScope) { communities(scope: $scope, seed: 1) { modularity } }`, map[string]any{"scope": undirected}, &again)
		if again.Communities.Modularity != c.Modularity {
			t.Errorf("same seed, different modularity: %v then %v", c.Modularity, again.Communities.Modularity)
		}
	})

	t.Run("bridges pages", func(t *testing.T) { testBridgePages(t, e, undirected) })

	t.Run("summary", func(t *testing.T) {
		var got struct {
			NetworkSummary struct {
				Graph                                    struct{ Nodes, Ties int }
				Density, AverageClustering, Transitivity float64
				Components, Isolates, MaxCore            int
				NamedNobody                              *int
				Groups                                   []struct {
					Value     *string
					People    int
					Wellbeing struct {
						Scored     int
						Mean       *float64
						Suppressed bool
					}
				}
			}
		}
		q := `query($scope: AnalysisScope) { networkSummary(scope: $scope, by: HOUSEHOLD_TYPE) {
		  graph { nodes ties } density averageClustering transitivity components isolates maxCore namedNobody
		  groups { value people wellbeing { scored mean suppressed } } } }`
		e.with(t).ok(q, map[string]any{"scope": undirected}, &got)
		s := got.NetworkSummary
		if s.Graph.Nodes != 34 || s.Graph.Ties != 78 || s.Components != 1 || s.Isolates != 0 || s.NamedNobody != nil {
			t.Errorf("summary: %+v", s)
		}
		if !near(s.Density, ref.Scalars["density"]) || !near(s.AverageClustering, ref.Scalars["average_clustering"]) || !near(s.Transitivity, ref.Scalars["transitivity"]) {
			t.Errorf("density %.4f clustering %.4f transitivity %.4f; networkx %v", s.Density, s.AverageClustering, s.Transitivity, ref.Scalars)
		}
		maxCore := 0.0
		for _, v := range ref.Measures["core_number"] {
			maxCore = max(maxCore, *v)
		}
		if s.MaxCore != int(maxCore) {
			t.Errorf("max core %d, networkx %v", s.MaxCore, maxCore)
		}
		if len(s.Groups) != 2 || s.Groups[0].People+s.Groups[1].People != 34 {
			t.Errorf("groups: %+v", s.Groups)
		}
		for _, g := range s.Groups {
			if g.Wellbeing.Scored != 0 || g.Wellbeing.Mean != nil || !g.Wellbeing.Suppressed {
				t.Errorf("no one has a wellbeing score, yet group %v reports %+v", g.Value, g.Wellbeing)
			}
		}
	})

	t.Run("brokerage by club", func(t *testing.T) {
		var got struct {
			Brokerage struct {
				Network    struct{ Internal, External int }
				TotalCount int
				Edges      []struct {
					Node                      struct{ ID string }
					Constraint, EffectiveSize float64
					Roles                     map[string]int
				}
			}
		}
		q := `query($scope: AnalysisScope) { brokerage(scope: $scope, groupBy: HOUSEHOLD_TYPE, first: 34) {
		  network { internal external } totalCount
		  edges { node { id } constraint effectiveSize roles { coordinator itinerant representative gatekeeper liaison } } } }`
		e.with(t).ok(q, map[string]any{"scope": undirected}, &got)
		b := got.Brokerage
		if b.TotalCount != 34 || b.Network.Internal != ref.EI.Network.Internal || b.Network.External != ref.EI.Network.External {
			t.Errorf("network E-I %+v, networkx %+v", b.Network, ref.EI.Network)
		}
		for _, edge := range b.Edges {
			i := index[edge.Node.ID]
			if !near(edge.Constraint, *ref.Measures["constraint"][i]) || !near(edge.EffectiveSize, *ref.Measures["effective_size"][i]) {
				t.Errorf("node %s: constraint %.4f effective size %.4f; networkx %.4f %.4f", i, edge.Constraint, edge.EffectiveSize,
					*ref.Measures["constraint"][i], *ref.Measures["effective_size"][i])
			}
			for role, n := range ref.Brokerage[i] {
				if edge.Roles[role] != n {
					t.Errorf("node %s: %s %d, reference %d", i, role, edge.Roles[role], n)
				}
			}
		}
	})

	t.Run("key people", func(t *testing.T) {
		var got struct {
			KeyPeople struct {
				Eligible   int
				Candidates []struct {
					Rank       int
					Score      float64
					Node       struct{ ID string }
					Components []struct {
						Name              string
						Value, Percentile float64
					}
				}
			}
		}
		q := `query($scope: AnalysisScope) { keyPeople(scope: $scope, role: CONNECTOR, first: 3) {
		  eligible candidates { rank score node { id } components { name value percentile } } } }`
		e.with(t).ok(q, map[string]any{"scope": undirected}, &got)
		k := got.KeyPeople
		if k.Eligible != 34 || len(k.Candidates) != 3 {
			t.Fatalf("key people: %+v", k)
		}
		// Node 33 (degree 17) and node 0 (16) are the club's hubs.
		if index[k.Candidates[0].Node.ID] != "33" || index[k.Candidates[1].Node.ID] != "0" || k.Candidates[0].Components[0].Value != 17 {
			t.Errorf("connectors: %+v", k.Candidates)
		}
	})
}

func TestAnalysisRunStoresScores(t *testing.T) {
	e := setup(t)
	ids, ref := loadKarate(t, e)
	index := indexOf(ids)
	var got struct {
		RunAnalysis struct {
			ID       string
			Measures []string
			Nodes    int
			Top      []struct {
				Measure string
				Edges   []struct {
					Rank  int
					Score float64
					Node  struct{ ID string }
				}
			}
		}
	}
	q := `mutation { runAnalysis(scope: {directed: false}, measures: [PAGERANK, DEGREE]) {
	  id measures nodes top(first: 3) { measure edges { rank score node { id } } } } }`
	e.ok(q, nil, &got)
	run := got.RunAnalysis
	if !strings.HasPrefix(run.ID, "run_") || run.Nodes != 34 || len(run.Top) != 2 || len(run.Top[0].Edges) != 3 {
		t.Fatalf("run: %+v", run)
	}
	res, err := neo4j.ExecuteQuery(context.Background(), e.driver,
		"MATCH (p:Person) WHERE p.score_pagerank_run = $run RETURN p.id, p.score_pagerank, p.score_degree",
		map[string]any{"run": run.ID}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 34 {
		t.Fatalf("%d people carry the run's scores, want 34", len(res.Records))
	}
	for _, r := range res.Records {
		i := index[r.Values[0].(string)]
		if !near(r.Values[1].(float64), *ref.Measures["pagerank"][i]) || !near(r.Values[2].(float64), *ref.Measures["degree"][i]) {
			t.Errorf("node %s stores %v, %v", i, r.Values[1], r.Values[2])
		}
	}
	var read struct {
		AnalysisRun struct {
			ID  string
			Top []struct {
				Measure string
				Edges   []struct{ Score float64 }
			}
		}
	}
	e.ok(`query($id: ID!) { analysisRun(id: $id) { id top(first: 1) { measure edges { score } } } }`, map[string]any{"id": run.ID}, &read)
	if read.AnalysisRun.ID != run.ID || len(read.AnalysisRun.Top) != 2 || read.AnalysisRun.Top[0].Edges[0].Score != run.Top[0].Edges[0].Score {
		t.Errorf("stored run reads back as %+v", read.AnalysisRun)
	}
	// An analyst may read runs but only sees the people who consented.
	var hidden struct {
		AnalysisRun struct {
			Top []struct{ Edges []struct{ Score float64 } }
		}
	}
	e.as(auth.Analyst).ok(`query($id: ID!) { analysisRun(id: $id) { top { edges { score } } } }`, map[string]any{"id": run.ID}, &hidden)
	for _, top := range hidden.AnalysisRun.Top {
		if len(top.Edges) != 0 {
			t.Errorf("an analyst sees scores of people who did not consent: %+v", top.Edges)
		}
	}
	e.as(auth.Analyst).fails(`mutation { runAnalysis(measures: [DEGREE]) { id } }`, nil, "FORBIDDEN", "")
	var none struct{ AnalysisRun *struct{ ID string } }
	e.ok(`query { analysisRun(id: "run_00000000000000000000") { id } }`, nil, &none)
	if none.AnalysisRun != nil {
		t.Errorf("unknown run: %+v", none.AnalysisRun)
	}
}

// smallGraph loads people and KNOWS ties between them by name, in waves, with
// attributes; it returns the ids by name.
type smallPerson struct {
	name, household string
	wellbeing       int
	consent         bool
}

func loadSmall(t *testing.T, e *env, people []smallPerson, ties [][3]string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	var nodes []cypher.LoadNode
	waves := map[string]bool{}
	for _, tie := range ties {
		if tie[2] != "" {
			waves[tie[2]] = true
		}
	}
	for w := range waves {
		id := nodeid.FromKey("Wave", w)
		ids[w] = id
		nodes = append(nodes, cypher.LoadNode{Label: "Wave", ID: id, Props: map[string]any{"externalId": w, "name": w}})
	}
	for _, p := range people {
		id := nodeid.FromKey("Person", p.name)
		ids[p.name] = id
		props := map[string]any{"externalId": p.name, "displayName": p.name}
		if p.household != "" {
			props["householdType"] = p.household
		}
		if p.wellbeing > 0 {
			props["wellbeing"] = int64(p.wellbeing)
		}
		if p.consent {
			props["consentAnalysis"] = true
		}
		nodes = append(nodes, cypher.LoadNode{Label: "Person", ID: id, Props: props})
	}
	var lt []cypher.LoadTie
	for _, tie := range ties {
		props := map[string]any{"strength": "WEAK"}
		if tie[2] != "" {
			props["wave"] = ids[tie[2]]
		}
		lt = append(lt, cypher.LoadTie{Kind: "KNOWS", From: ids[tie[0]], To: ids[tie[1]], Props: props})
	}
	if err := e.store.Load(context.Background(), nodes, lt, nil); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAnalysisBadInput(t *testing.T) {
	e := setup(t)
	ids := loadSmall(t, e, []smallPerson{{name: "a"}, {name: "b"}}, [][3]string{{"a", "b", "w1"}})
	missingWave := nodeid.FromKey("Wave", "nowhere")
	missingArea := nodeid.FromKey("Area", "nowhere")
	tests := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"empty labels", `{ centrality(scope: {labels: []}, measure: DEGREE) { totalCount } }`, nil, "BAD_USER_INPUT", "scope.labels"},
		{"empty kinds", `{ centrality(scope: {kinds: []}, measure: DEGREE) { totalCount } }`, nil, "BAD_USER_INPUT", "scope.kinds"},
		{"unknown wave", `query($w: ID) { centrality(scope: {waveId: $w}, measure: DEGREE) { totalCount } }`, map[string]any{"w": missingWave}, "NOT_FOUND", "scope.waveId"},
		{"not a wave id", `{ centrality(scope: {waveId: "per_x"}, measure: DEGREE) { totalCount } }`, nil, "BAD_USER_INPUT", "scope.waveId"},
		{"unknown area", `query($a: ID) { networkSummary(scope: {areaId: $a}) { density } }`, map[string]any{"a": missingArea}, "NOT_FOUND", "scope.areaId"},
		{"zero resolution", `{ communities(resolution: 0) { modularity } }`, nil, "BAD_USER_INPUT", "resolution"},
		{"negative resolution", `{ communities(resolution: -1) { modularity } }`, nil, "BAD_USER_INPUT", "resolution"},
		{"negative seed", `{ communities(seed: -1) { modularity } }`, nil, "BAD_USER_INPUT", "seed"},
		{"zero sample", `{ centrality(measure: BETWEENNESS, sample: 0) { totalCount } }`, nil, "BAD_USER_INPUT", "sample"},
		{"sample of degree", `{ centrality(measure: DEGREE, sample: 5) { totalCount } }`, nil, "BAD_USER_INPUT", "sample"},
		{"page too large", `{ centrality(measure: DEGREE, first: 501) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
		{"bad cursor", `{ centrality(measure: DEGREE, after: "nope") { totalCount } }`, nil, "BAD_USER_INPUT", "after"},
		{"community resolution", `{ brokerage(groupBy: COMMUNITY, resolution: 0) { totalCount } }`, nil, "BAD_USER_INPUT", "resolution"},
		{"authority hops", `{ networkSummary(authorityHops: 0) { density } }`, nil, "BAD_USER_INPUT", "authorityHops"},
		{"unknown wave before", `query($w: ID!, $x: ID!) { compareWaves(before: $w, after: $x) { common } }`, map[string]any{"w": missingWave, "x": ids["w1"]}, "NOT_FOUND", "before"},
		{"unknown wave after", `query($w: ID!, $x: ID!) { compareWaves(before: $x, after: $w) { common } }`, map[string]any{"w": missingWave, "x": ids["w1"]}, "NOT_FOUND", "after"},
		{"wave in scope", `query($x: ID!) { compareWaves(before: $x, after: $x, scope: {waveId: $x}) { common } }`, map[string]any{"x": ids["w1"]}, "BAD_USER_INPUT", "scope.waveId"},
		{"changes page", `query($x: ID!) { compareWaves(before: $x, after: $x) { changes(first: -1) { totalCount } } }`, map[string]any{"x": ids["w1"]}, "BAD_USER_INPUT", "changes.first"},
		{"empty measures", `mutation { runAnalysis(measures: []) { id } }`, nil, "BAD_USER_INPUT", "measures"},
		{"not a run id", `{ analysisRun(id: "per_x") { id } }`, nil, "BAD_USER_INPUT", "id"},
		{"key people page", `{ keyPeople(role: MAVEN, first: 501) { eligible } }`, nil, "BAD_USER_INPUT", "first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.with(t).fails(tc.query, tc.vars, tc.code, tc.field)
		})
	}
}

// TestAnalysisDegenerateGraphs checks that graphs with no node, one node, or several
// components give defined answers: every float finite (the JSON would not encode NaN),
// no errors.
func TestAnalysisDegenerateGraphs(t *testing.T) {
	all := `query($scope: AnalysisScope) {
	  d: centrality(scope: $scope, measure: DEGREE) { totalCount edges { score } }
	  b: centrality(scope: $scope, measure: BETWEENNESS) { totalCount edges { score } }
	  c: centrality(scope: $scope, measure: CLOSENESS) { edges { score } }
	  h: centrality(scope: $scope, measure: HARMONIC) { edges { score } }
	  e: centrality(scope: $scope, measure: EIGENVECTOR) { edges { score } }
	  p: centrality(scope: $scope, measure: PAGERANK) { edges { score } }
	  communities(scope: $scope) { modularity count }
	  brokerage(scope: $scope, groupBy: COMMUNITY) { network { index } edges { constraint effectiveSize ei { index } } }
	  keyPeople(scope: $scope, role: MAVEN) { eligible candidates { score } }
	  networkSummary(scope: $scope, by: HOUSEHOLD_TYPE) { graph { nodes ties } density components isolates isolateShare
	    namedNobody namedNobodyShare averageDegree averageClustering transitivity reciprocity maxCore
	    authority { share } wellbeing { mean } groups { isolateShare averageDegree } }
	}`
	tests := []struct {
		name                 string
		people               []smallPerson
		ties                 [][3]string
		nodes, comps, isolat int
	}{
		{"no people", nil, nil, 0, 0, 0},
		{"one person", []smallPerson{{name: "a", household: "single"}}, nil, 1, 1, 1},
		{"two components and an isolate", []smallPerson{{name: "a"}, {name: "b"}, {name: "c"}, {name: "d"}, {name: "e", household: "couple"}},
			[][3]string{{"a", "b", ""}, {"c", "d", ""}, {"d", "c", ""}}, 5, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			loadSmall(t, e, tc.people, tc.ties)
			var got struct {
				D              struct{ TotalCount int }
				NetworkSummary struct {
					Graph                struct{ Nodes int }
					Components, Isolates int
				}
				Communities struct{ Count int }
			}
			e.ok(all, map[string]any{"scope": map[string]any{}}, &got)
			if got.D.TotalCount != tc.nodes || got.NetworkSummary.Graph.Nodes != tc.nodes || got.NetworkSummary.Components != tc.comps ||
				got.NetworkSummary.Isolates != tc.isolat || got.Communities.Count != tc.comps {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestAnalysisWaves(t *testing.T) {
	e := setup(t)
	ids := loadSmall(t, e, []smallPerson{{name: "a"}, {name: "b"}, {name: "c"}, {name: "d"}},
		[][3]string{{"a", "b", "w1"}, {"b", "c", "w1"}, {"a", "b", "w2"}, {"c", "d", "w2"}, {"a", "d", "w2"}})
	var got struct {
		CompareWaves struct {
			TiesBefore, TiesAfter, Common, Gained, Lost int
			Jaccard                                     float64
			Changes                                     struct {
				TotalCount int
				Edges      []struct {
					Node                                    struct{ ID string }
					TiesGained, TiesLost                    int
					DegreeBefore, DegreeAfter, DegreeChange int
					Jaccard                                 float64
				}
			}
		}
	}
	q := `query($b: ID!, $a: ID!) { compareWaves(before: $b, after: $a, scope: {directed: false}) {
	  tiesBefore tiesAfter common gained lost jaccard
	  changes(first: 10) { totalCount edges { node { id } tiesGained tiesLost degreeBefore degreeAfter degreeChange jaccard } } } }`
	e.ok(q, map[string]any{"b": ids["w1"], "a": ids["w2"]}, &got)
	c := got.CompareWaves
	if c.TiesBefore != 2 || c.TiesAfter != 3 || c.Common != 1 || c.Gained != 2 || c.Lost != 1 || !near(c.Jaccard, 0.25) {
		t.Errorf("overall: %+v", c)
	}
	if c.Changes.TotalCount != 4 {
		t.Fatalf("changes: %+v", c.Changes)
	}
	// d gains two ties (|+2|) and comes first.
	first := c.Changes.Edges[0]
	if first.Node.ID != ids["d"] || first.DegreeChange != 2 || first.TiesGained != 2 || first.TiesLost != 0 || first.Jaccard != 0 {
		t.Errorf("first change: %+v", first)
	}
	// The waves themselves, read one at a time.
	var w struct {
		Centrality struct{ Graph struct{ Ties int } }
	}
	e.ok(`query($w: ID) { centrality(scope: {waveId: $w, directed: false}, measure: DEGREE) { graph { ties } } }`, map[string]any{"w": ids["w2"]}, &w)
	if w.Centrality.Graph.Ties != 3 {
		t.Errorf("wave 2 has %d ties, want 3", w.Centrality.Graph.Ties)
	}
	// Unweighted and across waves, a–b (in both waves) is one tie.
	e.ok(`{ centrality(scope: {directed: false}, measure: DEGREE) { graph { ties } } }`, nil, &w)
	if w.Centrality.Graph.Ties != 4 {
		t.Errorf("all waves have %d distinct ties, want 4", w.Centrality.Graph.Ties)
	}
}

// TestAnalysisWellbeingIsAggregate checks that mean wellbeing is given only for groups
// of at least five scored people, and that the cache follows writes.
func TestAnalysisWellbeingAndCache(t *testing.T) {
	e := setup(t)
	var people []smallPerson
	for i := range 6 {
		people = append(people, smallPerson{name: fmt.Sprintf("parent%d", i), household: "single parent", wellbeing: 14 + i, consent: true})
	}
	for i := range 4 {
		people = append(people, smallPerson{name: fmt.Sprintf("couple%d", i), household: "couple", wellbeing: 25, consent: true})
	}
	ids := loadSmall(t, e, people, [][3]string{{"couple0", "couple1", ""}, {"couple1", "couple2", ""}, {"parent0", "couple0", ""}})
	q := `{ networkSummary(by: HOUSEHOLD_TYPE) { graph { ties version } isolates
	  groups { value people isolates isolateShare wellbeing { scored mean suppressed minGroup } } } }`
	type summary struct {
		NetworkSummary struct {
			Graph struct {
				Ties    int
				Version string
			}
			Isolates int
			Groups   []struct {
				Value            string
				People, Isolates int
				IsolateShare     float64
				Wellbeing        struct {
					Scored     int
					Mean       *float64
					Suppressed bool
					MinGroup   int
				}
			}
		}
	}
	// Exact for an admin; an analyst gets the same groups, with noisy wellbeing
	// (adversarial_aggregates_test.go measures the noise).
	for _, role := range []auth.Role{auth.Admin, auth.Analyst} {
		var got summary
		e.as(role).ok(q, nil, &got)
		groups := got.NetworkSummary.Groups
		if len(groups) != 2 || groups[0].Value != "couple" || groups[1].Value != "single parent" {
			t.Fatalf("%s: groups %+v", role, groups)
		}
		if groups[1].Isolates != 5 || !near(groups[1].IsolateShare, 5.0/6) {
			t.Errorf("%s: single parents %+v", role, groups[1])
		}
		if role == auth.Analyst {
			continue
		}
		if groups[0].Wellbeing.Mean != nil || !groups[0].Wellbeing.Suppressed || groups[0].Wellbeing.Scored != 4 {
			t.Errorf("%s: four couples' mean wellbeing must be withheld: %+v", role, groups[0].Wellbeing)
		}
		if m := groups[1].Wellbeing.Mean; m == nil || !near(*m, 16.5) {
			t.Errorf("%s: single parents %+v", role, groups[1])
		}
	}

	// Cached: the same query again costs the version check only.
	var before summary
	e.ok(q, nil, &before)
	if e.proxy != nil {
		runs := e.proxy.Runs()
		e.ok(q, nil, nil)
		if got := e.proxy.Runs() - runs; got != 1 {
			t.Errorf("a cached summary cost %d statements, want 1 (the version check)", got)
		}
	}
	// A write changes the version, and the next answer sees it.
	e.ok(`mutation($a: ID!, $b: ID!) { createTies(input: [{kind: KNOWS, from: {id: $a}, to: {id: $b}, strength: WEAK}]) { id } }`,
		map[string]any{"a": ids["parent1"], "b": ids["parent2"]}, nil)
	var after summary
	e.ok(q, nil, &after)
	if after.NetworkSummary.Graph.Ties != before.NetworkSummary.Graph.Ties+1 || after.NetworkSummary.Graph.Version == before.NetworkSummary.Graph.Version {
		t.Errorf("after a new tie: %d ties (version %s), before %d (version %s)", after.NetworkSummary.Graph.Ties,
			after.NetworkSummary.Graph.Version, before.NetworkSummary.Graph.Ties, before.NetworkSummary.Graph.Version)
	}
	// A worker covering no area of these people sees nobody.
	var worker summary
	e.as(auth.Worker, nodeid.FromKey("Area", "elsewhere")).ok(q, nil, &worker)
	if len(worker.NetworkSummary.Groups) != 0 {
		t.Errorf("a worker sees people outside their areas: %+v", worker.NetworkSummary.Groups)
	}
}

// BenchmarkAnalysis10k loads a synthetic community of 10,000 people into the Neo4j that
// KITH_BENCH_NEO4J_URI names (replacing what it holds), then measures the projection and
// every measure on it, without the cache. Run with
//
//	KITH_BENCH_NEO4J_URI=bolt://127.0.0.1:7691 go test ./server -run '^$' -bench Analysis -benchtime 3x
//
// KITH_BENCH_PEOPLE changes the size; KITH_BENCH_SAMPLE=1 estimates betweenness,
// closeness and harmonic centrality (and mavens' betweenness) from 500 sources.
func BenchmarkAnalysis10k(b *testing.B) {
	uri, people := neo4jtest.BenchDatabase(b)
	ctx := context.Background()
	driver := neo4jtest.Driver(b, uri)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	g := seed.Synthetic(people, 1)
	neo4jtest.EnsurePeople(b, driver, g.People(), func() error { return g.Load(ctx, store, nil) })
	sc := analysisservice.Scope{Directed: true}
	sample := 500
	runtime.GC()
	cpu := cpuSeconds()
	var peak uint64
	for b.Loop() {
		iteration := time.Now()
		svc := analysisservice.New(store, analysisservice.Options{})
		start := time.Now()
		p, err := store.Projection(ctx, cypher.Scope{}, sc.ProjectionSpec)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "projection-s")
		b.ReportMetric(float64(len(p.Nodes)), "nodes")
		b.ReportMetric(float64(len(p.Ties)), "stored-ties")
		start = time.Now()
		gr, err := svc.Graph(ctx, cypher.Scope{}, sc)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "graph-s")
		b.ReportMetric(float64(gr.G.TieCount()), "ties")
		for _, m := range analysisservice.Measures() {
			start := time.Now()
			var smp analysisservice.Sampling
			if os.Getenv("KITH_BENCH_SAMPLE") != "" && (m == analysisservice.Betweenness || m == analysisservice.Closeness || m == analysisservice.Harmonic) {
				smp = analysisservice.Sampling{K: &sample, Seed: 1}
			}
			if _, err := svc.Centrality(ctx, cypher.Scope{}, sc, m, smp); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), strings.ToLower(string(m))+"-s")
		}
		start = time.Now()
		if _, err := svc.Communities(ctx, cypher.Scope{}, sc, 1, 1); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "louvain-s")
		start = time.Now()
		if _, err := svc.Brokerage(ctx, cypher.Scope{}, sc, analysisservice.GroupOptions{By: analysisservice.ByHouseholdType}, analysisservice.OrderBrokerage); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "brokerage-s")
		start = time.Now()
		if _, err := svc.Summary(ctx, cypher.Scope{}, sc, analysisservice.GroupOptions{By: analysisservice.ByHouseholdType}, 3); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "summary-s")
		for _, role := range []analysisservice.Role{analysisservice.Connector, analysisservice.Maven, analysisservice.Salesperson} {
			start = time.Now()
			var smp analysisservice.Sampling
			if os.Getenv("KITH_BENCH_SAMPLE") != "" {
				smp = analysisservice.Sampling{K: &sample, Seed: 1}
			}
			if _, err := svc.KeyPeople(ctx, cypher.Scope{}, sc, role, 20, smp); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), strings.ToLower(string(role))+"-s")
		}
		b.Logf("projection and every measure: %s", time.Since(iteration))
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	// On a shared machine the client's CPU time is the steadier figure; Neo4j's is not in it.
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "kith-cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}

// cpuSeconds returns the process's user plus system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// bridgePage is one page of communities' bridges.
type bridgePage struct {
	Communities struct {
		BridgeCount int
		Bridges     struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
			Edges []struct {
				Cursor string
				Node   struct {
					From, To                   struct{ ID string }
					FromCommunity, ToCommunity string
				}
			}
		}
	}
}

// key names a page's bridges, in order.
func (p bridgePage) keys(t *testing.T) []string {
	var out []string
	for _, e := range p.Communities.Bridges.Edges {
		if e.Node.From.ID == "" || e.Node.To.ID == "" || e.Cursor == "" {
			t.Fatalf("bridge without its ends or cursor: %+v", e)
		}
		out = append(out, e.Node.From.ID+">"+e.Node.To.ID)
	}
	return out
}

// testBridgePages pages through communities' bridges forward and backward, for every role
// that may read analyses, and checks that the pages join into the whole list; a researcher
// and a partner are refused and a forged or foreign cursor is BAD_USER_INPUT naming bridges.after/before.
func testBridgePages(t *testing.T, e *env, scope map[string]any) {
	q := `query($scope: AnalysisScope, $first: Int, $after: String, $last: Int, $before: String) {
	  communities(scope: $scope, seed: 1) { bridgeCount bridges(first: $first, after: $after, last: $last, before: $before) {
	    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	    edges { cursor node { from { id } to { id } fromCommunity toCommunity } } } } }`
	page := func(e *env, vars map[string]any) bridgePage {
		t.Helper()
		vars["scope"] = scope
		var p bridgePage
		e.ok(q, vars, &p)
		return p
	}
	for _, role := range []auth.Role{auth.Admin, auth.Worker, auth.Analyst} {
		as := e.as(role).with(t)
		if role == auth.Worker { // the karate club lies in no area: a worker sees none of it
			as = e.as(role, nodeid.FromKey("Area", "nowhere")).with(t)
		}
		all := page(as, map[string]any{"first": 500})
		want := all.keys(t)
		if n := all.Communities.BridgeCount; len(want) != n || all.Communities.Bridges.TotalCount != n {
			t.Fatalf("%s: %d bridges listed, totalCount %d, bridgeCount %d", role, len(want), all.Communities.Bridges.TotalCount, n)
		}
		if role == auth.Admin && len(want) < 4 {
			t.Fatalf("admin: only %d bridges in the karate club", len(want))
		}
		def := page(as, map[string]any{})
		if got := len(def.Communities.Bridges.Edges); got != min(50, len(want)) {
			t.Errorf("%s: default page has %d bridges, want %d", role, got, min(50, len(want)))
		}
		// Forward, three at a time.
		var forward []string
		vars := map[string]any{"first": 3}
		for range len(want) + 1 {
			p := page(as, vars)
			forward = append(forward, p.keys(t)...)
			info := p.Communities.Bridges.PageInfo
			if info.HasPreviousPage != (vars["after"] != nil) {
				t.Errorf("%s: forward hasPreviousPage %v after %v", role, info.HasPreviousPage, vars["after"])
			}
			if !info.HasNextPage {
				break
			}
			vars = map[string]any{"first": 3, "after": *info.EndCursor}
		}
		if !slices.Equal(forward, want) {
			t.Errorf("%s: forward pages %v, want %v", role, forward, want)
		}
		// Backward, three at a time from the end.
		var backward []string
		vars = map[string]any{"last": 3}
		for range len(want) + 1 {
			p := page(as, vars)
			backward = append(p.keys(t), backward...)
			info := p.Communities.Bridges.PageInfo
			if !info.HasPreviousPage {
				break
			}
			vars = map[string]any{"last": 3, "before": *info.StartCursor}
		}
		if !slices.Equal(backward, want) {
			t.Errorf("%s: backward pages %v, want %v", role, backward, want)
		}
	}
	for _, role := range []auth.Role{auth.Researcher, auth.Partner} {
		e.as(role).with(t).fails(q, map[string]any{"scope": scope}, "FORBIDDEN", "communities")
	}

	first := page(e.with(t), map[string]any{"first": 1})
	if len(first.Communities.Bridges.Edges) != 1 {
		t.Fatalf("no bridge to take a cursor from")
	}
	cursor := first.Communities.Bridges.Edges[0].Cursor
	forged := []byte(cursor)
	forged[len(forged)/2] ^= 1
	var centrality struct {
		Centrality struct{ Edges []struct{ Cursor string } }
	}
	e.with(t).ok(`{ centrality(measure: DEGREE, first: 1) { edges { cursor } } }`, nil, &centrality)
	for _, tc := range []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"after": string(forged)}, "bridges.after"},
		{map[string]any{"before": "nope"}, "bridges.before"},
		{map[string]any{"after": centrality.Centrality.Edges[0].Cursor}, "bridges.after"},
		{map[string]any{"first": 501}, "bridges.first"},
		{map[string]any{"last": -1}, "bridges.last"},
		{map[string]any{"first": 2, "last": 2}, "bridges.last"},
	} {
		tc.vars["scope"] = scope
		e.with(t).fails(q, tc.vars, "BAD_USER_INPUT", tc.field)
	}
}
