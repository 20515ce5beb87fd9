package resolvers

import (
	"context"
	"encoding/json"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/analysis"
	"kith/analysisservice"
	"kith/apierr"
	"kith/cypher"
	"kith/graph/model"
	"kith/paging"
	"kith/pseudonym"
)

// Helpers of analysis.resolvers.go: the root resolvers compute (through
// analysisservice.Service, which caches), page the result, and fetch the nodes of the page
// with one store call per 500 nodes, using the request's selection and scope so that the
// role's rules (pseudonyms for analysts) apply. Arguments of nested fields (members(first),
// changes(first, after)...) are read from the selection by the root resolver; when a field
// is selected several times with different arguments, the first selection's apply.

// runMaxTop is the most best scores of each measure a stored run shows.
const runMaxTop = 100

// analysis returns the server's analysis service, or a fresh one without a cache.
func (r *Resolver) analysis() *analysisservice.Service {
	if r.Analysis != nil {
		return r.Analysis
	}
	return analysisservice.New(r.Store, analysisservice.Options{})
}

// analysisScope reads an AnalysisScope input, applying the schema's defaults.
func analysisScope(in *model.AnalysisScope) (analysisservice.Scope, error) {
	sc := analysisservice.Scope{Directed: true}
	if in == nil {
		return sc, nil
	}
	if in.Labels != nil {
		sc.Labels = make([]string, 0, len(in.Labels))
		for _, t := range in.Labels {
			l, ok := cypher.LabelOfType(string(t))
			if !ok {
				return sc, apierr.BadUserInput("scope.labels", "%q is not a node type", t)
			}
			sc.Labels = append(sc.Labels, l)
		}
	}
	if in.Kinds != nil {
		sc.Kinds = make([]string, len(in.Kinds))
		for i, k := range in.Kinds {
			sc.Kinds[i] = string(k)
		}
	}
	for _, p := range in.TrustPurposes {
		sc.TrustPurposes = append(sc.TrustPurposes, string(p))
	}
	if in.AreaID != nil {
		sc.AreaID = *in.AreaID
		if sc.AreaID == "" {
			return sc, apierr.BadUserInput("scope.areaId", "is empty")
		}
	}
	if in.WaveID != nil {
		sc.WaveID = *in.WaveID
		if sc.WaveID == "" {
			return sc, apierr.BadUserInput("scope.waveId", "is empty")
		}
	}
	if in.Directed != nil {
		sc.Directed = *in.Directed
	}
	if in.Weighted != nil {
		sc.Weighted = *in.Weighted
	}
	return sc, nil
}

// seedArg reads a seed argument (default 1), which must not be negative.
func seedArg(seed *int, field string) (uint64, error) {
	if seed == nil {
		return 1, nil
	}
	if *seed < 0 {
		return 0, apierr.BadUserInput(field, "must be 0 or more")
	}
	return uint64(*seed), nil
}

// resolutionArg reads a resolution argument (default 1).
func resolutionArg(res *float64) float64 {
	if res == nil {
		return 1
	}
	return *res
}

// finite replaces a value that is not finite by 0. Package analysis never returns one;
// this keeps that promise at the edge of the API whatever changes behind it.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// graphInfo describes the graph a result was computed on.
func graphInfo(nodes, ties int, sc analysisservice.Scope, version string) *model.AnalysisGraph {
	return &model.AnalysisGraph{Nodes: nodes, Ties: ties, Directed: sc.Directed, Weighted: sc.Weighted, Version: version}
}

// isolatedPeople counts the people of the scope's area isolated by Kith's definition (the
// isolates question with its defaults and the scope's wave), and the people it considered,
// when the selection asks for them: they are not in the cached analysis, which a change to
// memberships does not invalidate.
func (r *Resolver) isolatedPeople(ctx context.Context, sc analysisservice.Scope) (isolated, people int, err error) {
	_, count := childSelection(ctx, "", "isolatedPeople")
	_, share := childSelection(ctx, "", "isolatedPeopleShare")
	if !count && !share {
		return 0, 0, nil
	}
	return r.Store.CountIsolates(ctx, scopeOf(ctx), cypher.IsolatesArgs{AreaID: sc.AreaID, WaveID: sc.WaveID})
}

// pageRequest checks the paging arguments of a ranked result (order names the ranking),
// before it is computed.
func (r *Resolver) pageRequest(args paging.Args, order, prefix string) (paging.Request, error) {
	return r.Store.Cursors().Request(args, order, 0, prefix)
}

// rankedPage pages a ranked result held in memory (n items in rank order, id(i) the
// i-th's id) and fetches the nodes of the page selected at paths: the block every ranked
// analysis connection shares. It returns the part [start, end) of the ranking shown.
func (r *Resolver) rankedPage(ctx context.Context, req paging.Request, order, prefix string, n int, id func(int) string, paths ...[]string) (start, end int, p *paging.Page, f *nodeFetcher, err error) {
	if start, end, p, err = paging.Slice(r.Store.Cursors(), order, req, n, id, prefix); err != nil {
		return 0, 0, nil, nil, err
	}
	f = r.newNodeFetcher(ctx, paths...)
	for i := start; i < end; i++ {
		f.want(id(i))
	}
	return start, end, p, f, f.fetch(ctx)
}

// nodeFetcher fetches the nodes of a result with the request's selection.
type nodeFetcher struct {
	r   *Resolver
	sel *cypher.Selection
	ids []string
	got map[string]model.Node
}

// newNodeFetcher returns a fetcher for the nodes selected at each of the paths (below
// the field being resolved); when none is selected it fetches nothing.
func (r *Resolver) newNodeFetcher(ctx context.Context, paths ...[]string) *nodeFetcher {
	f := &nodeFetcher{r: r, got: map[string]model.Node{}}
	for _, p := range paths {
		if sel, found := childSelection(ctx, "", p...); found {
			if f.sel == nil {
				f.sel = &cypher.Selection{}
			}
			f.sel.Fields = append(f.sel.Fields, sel.Fields...)
		}
	}
	return f
}

// want adds ids to fetch.
func (f *nodeFetcher) want(ids ...string) {
	if f.sel != nil {
		f.ids = append(f.ids, ids...)
	}
}

// fetch fetches every id wanted, at most cypher.MaxIDs per statement.
func (f *nodeFetcher) fetch(ctx context.Context) error {
	if f.sel == nil {
		return nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range f.ids {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	scope := scopeOf(ctx)
	for start := 0; start < len(ids); start += cypher.MaxIDs {
		chunk := ids[start:min(start+cypher.MaxIDs, len(ids))]
		recs, err := f.r.Store.Nodes(ctx, scope, chunk, f.sel)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if rec == nil {
				continue
			}
			n, err := model.DecodeAs[model.Node](rec)
			if err != nil {
				return err
			}
			f.got[chunk[i]] = n
		}
	}
	return nil
}

// node returns a fetched node, nil when it was not selected, is hidden or is gone.
func (f *nodeFetcher) node(id string) model.Node { return f.got[id] }

// nestedArgs returns the arguments (defaults applied) of the first field reached by
// following path below the field being resolved, or nil when it is not selected.
func nestedArgs(ctx context.Context, path ...string) map[string]any {
	op := graphql.GetOperationContext(ctx)
	sets := []ast.SelectionSet{graphql.GetFieldContext(ctx).Field.Selections}
	for depth, name := range path {
		var next []ast.SelectionSet
		for _, set := range sets {
			for _, f := range graphql.CollectFields(op, set, nil) {
				if f.Name != name {
					continue
				}
				if depth == len(path)-1 {
					return f.ArgumentMap(op.Variables)
				}
				next = append(next, f.Selections)
			}
		}
		sets = next
	}
	return nil
}

// intArgOf reads an Int argument from an argument map.
func intArgOf(args map[string]any, name string) (*int, bool) {
	switch v := args[name].(type) {
	case int:
		return &v, true
	case int64:
		n := int(v)
		return &n, true
	case json.Number:
		n, err := strconv.Atoi(string(v))
		return &n, err == nil
	case float64:
		n := int(v)
		return &n, float64(n) == v
	case nil:
		return nil, true
	}
	return nil, false
}

// nestedPage reads the paging arguments (first, after, last, before; those the field
// has) of a nested paged field.
func nestedPage(ctx context.Context, field string, path ...string) (paging.Args, error) {
	args := nestedArgs(ctx, path...)
	var out paging.Args
	for name, v := range map[string]**int{"first": &out.First, "last": &out.Last} {
		n, ok := intArgOf(args, name)
		if !ok {
			return out, apierr.BadUserInput(field+"."+name, "expected an integer")
		}
		*v = n
	}
	for name, v := range map[string]**string{"after": &out.After, "before": &out.Before} {
		if a, ok := args[name].(string); ok {
			*v = &a
		}
	}
	return out, nil
}

// limitArg checks a nested first argument against its range, with its default.
func limitArg(first *int, def, most int, field string) (int, error) {
	if first == nil {
		return def, nil
	}
	if *first < 0 || *first > most {
		return 0, apierr.BadUserInput(field, "must be between 0 and %d", most)
	}
	return *first, nil
}

// ei converts an E-I index.
func ei(x analysis.EI) *model.EIIndex {
	return &model.EIIndex{Internal: x.Internal, External: x.External, Index: finite(x.Index)}
}

// selected reports whether the field reached by following path below the field being
// resolved is selected (nestedArgs gives a map, empty without arguments, when it is).
func selected(ctx context.Context, path ...string) bool { return nestedArgs(ctx, path...) != nil }

// optString returns nil for "".
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ratio is part/whole, 0 for an empty whole.
func ratio(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// runModel converts a stored run, fetching the nodes of its best scores with the
// request's selection and scope. Nodes are always fetched, even when not selected, so
// that those the caller may not see are left out: a run is computed over what its
// (admin) author could see.
func (r *Resolver) runModel(ctx context.Context, run *cypher.AnalysisRun) (*model.AnalysisRun, error) {
	top, err := nestedPage(ctx, "top", "top")
	if err != nil {
		return nil, err
	}
	n, err := limitArg(top.First, 20, runMaxTop, "top.first")
	if err != nil {
		return nil, err
	}
	f := r.newNodeFetcher(ctx, []string{"top", "edges", "node"})
	if f.sel == nil {
		f.sel = &cypher.Selection{}
	}
	for _, m := range run.Measures {
		for _, t := range run.Top[m][:min(n, len(run.Top[m]))] {
			f.want(t.ID)
		}
	}
	if err := f.fetch(ctx); err != nil {
		return nil, err
	}
	out := &model.AnalysisRun{ID: run.ID, At: run.At, Parameters: pseudonym.FromContext(ctx).EncodeText(run.Parameters), Nodes: run.Nodes, Ties: run.Ties,
		GraphVersion: run.Version, Measures: []model.CentralityMeasure{}, Top: []*model.RunTop{}}
	for _, name := range run.Measures {
		m, ok := analysisservice.MeasureOf(name)
		if !ok {
			continue
		}
		out.Measures = append(out.Measures, model.CentralityMeasure(m))
		top := &model.RunTop{Measure: model.CentralityMeasure(m), Edges: []*model.CentralityEdge{}}
		ranked := run.Top[name]
		_, end, p, err := paging.Slice(r.Store.Cursors(), "run|"+name, paging.Request{Size: n}, len(ranked), func(i int) string { return ranked[i].ID }, "top.")
		if err != nil {
			return nil, err
		}
		for i, t := range ranked[:end] {
			node := f.node(t.ID)
			if node == nil {
				continue
			}
			top.Edges = append(top.Edges, &model.CentralityEdge{Cursor: p.Cursors[i], Rank: i + 1, Score: finite(t.Value), Node: node})
		}
		out.Top = append(out.Top, top)
	}
	return out, nil
}
