// Package analysisservice runs Kith's network analyses for the API: it loads a projection of
// the graph from the store (cypher.Store.Projection), builds an analysis.Graph from it,
// computes measures with package analysis, and keeps graphs and results in a cache of its
// own, checked against the graph version on every call.
//
// # Caching
//
// Each call first reads the graph version of its projection from Neo4j (one cheap
// statement: counts from the count store and the latest updatedAt of the nodes and ties
// the projection depends on; see cypher.Store.ProjectionVersion). A cached graph or
// result is used only if it was computed on that version, so a write anywhere in the
// projection, through any server instance, invalidates it: the cache is per instance, and
// instances share nothing but the database.
//
// Keys include the caller's access scope (cypher.Scope): an analyst, who sees only people
// who consented to analysis, never receives a result computed over people they may not
// see.
//
// A value is computed once however many requests want it at the same time, on a context
// detached from the request that started it (bounded by Options.ComputeTimeout), with at
// most Options.MaxConcurrent computations at once. A request whose deadline passes first
// fails with UNAVAILABLE; the computation carries on, and asking again finds its result.
package analysisservice

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kith/analysis"
	"kith/cypher"
	"kith/telemetry"
)

// Options configure a Service. Zero fields take the defaults.
type Options struct {
	// MaxGraphs is how many loaded projections are kept (default 4).
	MaxGraphs int
	// MaxResults is how many computed results are kept (default 128).
	MaxResults int
	// ComputeTimeout bounds one computation, which runs detached from the request that
	// started it (default 5 minutes).
	ComputeTimeout time.Duration
	// MaxConcurrent is how many computations run at once (default 2); each may use every
	// core.
	MaxConcurrent int
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Telemetry, when set, counts the caches' hits and misses.
	Telemetry *telemetry.Telemetry
}

// Service computes analyses over the store's graph.
type Service struct {
	store   *cypher.Store
	opts    Options
	graphs  *cache
	results *cache
}

// New returns a Service over the store.
func New(store *cypher.Store, opts Options) *Service {
	if opts.MaxGraphs <= 0 {
		opts.MaxGraphs = 4
	}
	if opts.MaxResults <= 0 {
		opts.MaxResults = 128
	}
	if opts.ComputeTimeout <= 0 {
		opts.ComputeTimeout = 5 * time.Minute
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 2
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Loading a graph and computing on it hold separate slots, so a computation waiting
	// for its graph never blocks the load it waits for.
	return &Service{
		store:   store,
		opts:    opts,
		graphs:  newCache("graph", opts.MaxGraphs, opts.ComputeTimeout, make(chan struct{}, opts.MaxConcurrent), opts.Telemetry),
		results: newCache("result", opts.MaxResults, opts.ComputeTimeout, make(chan struct{}, opts.MaxConcurrent), opts.Telemetry),
	}
}

// Purge drops every cached graph and result, for when data must not linger in memory
// (after an erasure). Computations under way finish, but their results are not kept.
func (s *Service) Purge() {
	s.graphs.purge()
	s.results.purge()
}

// Scope is what an analysis reads (the projection) and how it reads the ties.
type Scope struct {
	cypher.ProjectionSpec
	// Directed keeps ties' direction; otherwise a→b and b→a are one mutual tie.
	Directed bool
	// Weighted weighs ties by strength (see Graph); otherwise every tie counts 1.
	Weighted bool
}

// key is the canonical text of the scope.
func (sc Scope) key() string {
	return fmt.Sprintf("%s;directed=%t;weighted=%t", sc.ProjectionSpec.Key(), sc.Directed, sc.Weighted)
}

// accessKey is the canonical text of an access scope.
func accessKey(a cypher.Scope) string {
	areas := "all"
	if a.Areas != nil {
		list := slices.Clone(a.Areas)
		slices.Sort(list)
		areas = "[" + strings.Join(list, ",") + "]"
	}
	return fmt.Sprintf("none=%t;areas=%s;consent=%s;pseudo=%t;consented=%t;hide=%t",
		a.None, areas, a.Consent, a.Pseudonymise, a.RespectConsent, a.HideSensitive)
}

// Graph is a loaded projection ready for measures.
type Graph struct {
	// G holds the nodes and the merged ties.
	G *analysis.Graph
	// Nodes are the projection's nodes with their attributes, sorted by id.
	Nodes []cypher.ProjectedNode
	// GroupNames maps group ids to names.
	GroupNames map[string]string
	// Version is the graph version the projection was read on.
	Version string
	// Scope is what was read.
	Scope Scope
	// from and to are the merged ties as node indexes (in Nodes), in G's tie order.
	from, to []int32
}

// node returns the index of the node with the given id in Nodes, or -1.
func (g *Graph) node(id string) int {
	i, ok := slices.BinarySearchFunc(g.Nodes, id, func(n cypher.ProjectedNode, id string) int { return strings.Compare(n.ID, id) })
	if !ok {
		return -1
	}
	return i
}

// Label returns the label of the node with the given id ("" if it is not in the graph).
func (g *Graph) Label(id string) string {
	if i := g.node(id); i >= 0 {
		return g.Nodes[i].Label
	}
	return ""
}

// tieWeight is a stored tie's weight when ties are weighted: a STRONG KNOWS tie is 2,
// every other tie 1.
func tieWeight(t cypher.ProjectedTie) float64 {
	if t.Strong {
		return 2
	}
	return 1
}

// buildGraph turns a projection into a Graph. Ties between the same two nodes (in the
// same direction when directed) are merged: the stored ties of one kind count once, with
// the greatest weight among them (a tie recorded in two waves, or a TRUSTS tie for help
// and for advice, is one tie); when weighted, the kinds' weights are added (a STRONG
// KNOWS and a TRUSTS tie make weight 3); when not, the merged tie has weight 1.
func buildGraph(p *cypher.Projection, sc Scope) (*Graph, error) {
	g := &Graph{G: analysis.NewGraph(sc.Directed), Nodes: p.Nodes, GroupNames: p.GroupNames, Version: p.Version, Scope: sc}
	for _, n := range p.Nodes {
		if err := g.G.AddNode(n.ID, nil); err != nil {
			return nil, fmt.Errorf("build graph: %w", err)
		}
	}
	type tie struct {
		a, b int32
		kind uint8
		w    float64
	}
	ties := make([]tie, len(p.Ties))
	for i, t := range p.Ties {
		x := tie{a: t.From, b: t.To, kind: t.Kind, w: 1}
		if !sc.Directed && x.b < x.a {
			x.a, x.b = x.b, x.a
		}
		if sc.Weighted {
			x.w = tieWeight(t)
		}
		ties[i] = x
	}
	slices.SortFunc(ties, func(x, y tie) int {
		if x.a != y.a {
			return int(x.a - y.a)
		}
		if x.b != y.b {
			return int(x.b - y.b)
		}
		return int(x.kind) - int(y.kind)
	})
	for i := 0; i < len(ties); {
		a, b := ties[i].a, ties[i].b
		w := 0.0
		for i < len(ties) && ties[i].a == a && ties[i].b == b {
			kind, kw := ties[i].kind, 0.0
			for ; i < len(ties) && ties[i].a == a && ties[i].b == b && ties[i].kind == kind; i++ {
				kw = max(kw, ties[i].w)
			}
			w += kw
		}
		if !sc.Weighted {
			w = 1
		}
		if err := g.G.AddTie(p.Nodes[a].ID, p.Nodes[b].ID, w); err != nil {
			return nil, fmt.Errorf("build graph: %w", err)
		}
		g.from, g.to = append(g.from, a), append(g.to, b)
	}
	return g, nil
}

// Graph returns the graph the scope selects as access lets the caller see it, from the
// cache when it holds the current version.
func (s *Service) Graph(ctx context.Context, access cypher.Scope, sc Scope) (*Graph, error) {
	version, err := s.store.ProjectionVersion(ctx, sc.ProjectionSpec)
	if err != nil {
		return nil, err
	}
	return s.graphAt(ctx, access, sc, version)
}

// graphAt returns the graph at a version already read.
func (s *Service) graphAt(ctx context.Context, access cypher.Scope, sc Scope, version string) (*Graph, error) {
	key := accessKey(access) + "|" + sc.key()
	v, err := s.graphs.get(ctx, key, version, func(ctx context.Context) (any, string, error) {
		p, err := s.store.Projection(ctx, access, sc.ProjectionSpec)
		if err != nil {
			return nil, "", err
		}
		g, err := buildGraph(p, sc)
		if err != nil {
			return nil, "", err
		}
		return g, g.Version, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Graph), nil
}

// result computes (or finds in the cache) one result over the scope's graph. name and
// params identify the computation; compute runs on the graph.
func (s *Service) result(ctx context.Context, access cypher.Scope, sc Scope, name string, compute func(ctx context.Context, g *Graph) (any, error)) (any, error) {
	version, err := s.store.ProjectionVersion(ctx, sc.ProjectionSpec)
	if err != nil {
		return nil, err
	}
	key := accessKey(access) + "|" + sc.key() + "|" + name
	return s.results.get(ctx, key, version, func(cctx context.Context) (any, string, error) {
		g, err := s.graphAt(cctx, access, sc, version)
		if err != nil {
			return nil, "", err
		}
		v, err := compute(cctx, g)
		if err != nil {
			return nil, "", err
		}
		return v, g.Version, nil
	})
}
