package analysisservice

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"kith/apierr"
	"kith/cypher"
)

// Run computes measures over the scope's graph and stores them (see
// cypher.Store.SaveAnalysisRun): every node's score in the property
// score_<measure> (lower case: score_pagerank, score_in_degree...), the run's id in
// score_<measure>_run, and an AnalysisRun record with the parameters, the time, the graph
// version and the best scores of each measure. Results come from the cache when it holds
// them.
func (s *Service) Run(ctx context.Context, access cypher.Scope, sc Scope, measures []Measure, sampling Sampling) (*cypher.AnalysisRun, error) {
	if len(measures) == 0 {
		return nil, apierr.BadUserInput("measures", "is empty: name at least one measure")
	}
	ms := slices.Clone(measures)
	slices.Sort(ms)
	ms = slices.Compact(ms)
	for _, m := range ms {
		if !m.valid() {
			return nil, apierr.BadUserInput("measures", "%q is not a centrality measure", m)
		}
	}
	if err := sampling.check("sample"); err != nil {
		return nil, err
	}
	params := map[string]any{
		"labels": sc.ProjectionSpec.Labels, "kinds": sc.Kinds, "trustPurposes": sc.TrustPurposes,
		"areaId": sc.AreaID, "waveId": sc.WaveID, "directed": sc.Directed, "weighted": sc.Weighted,
		"measures": ms,
	}
	if sampling.K != nil {
		params["sample"], params["seed"] = *sampling.K, sampling.Seed
	}
	text, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("run analysis: %w", err)
	}
	run := cypher.AnalysisRun{ID: cypher.NewAnalysisRunID(), At: s.opts.Now().UTC(), Parameters: string(text), Top: map[string][]cypher.RunScore{}}
	scores := map[string]map[string]float64{}
	for _, m := range ms {
		smp := Sampling{}
		if m.sampled() {
			smp = sampling
		}
		res, err := s.Centrality(ctx, access, sc, m, smp)
		if err != nil {
			return nil, err
		}
		name := m.property()
		run.Measures = append(run.Measures, name)
		run.Version, run.Nodes, run.Ties = res.Version, res.Nodes, res.Ties
		values := make(map[string]float64, len(res.Ranked))
		for _, r := range res.Ranked {
			values[r.ID] = r.Value
		}
		scores[name] = values
		top := res.Ranked[:min(len(res.Ranked), cypher.MaxRunTop)]
		for _, r := range top {
			run.Top[name] = append(run.Top[name], cypher.RunScore{ID: r.ID, Value: r.Value})
		}
	}
	if err := s.store.SaveAnalysisRun(ctx, run, scores, run.Top); err != nil {
		return nil, err
	}
	return &run, nil
}

// MeasureOf returns the measure a stored run names in lower case ("in_degree").
func MeasureOf(name string) (Measure, bool) {
	m := Measure(strings.ToUpper(name))
	return m, m.valid()
}

// Property returns the lower-case name a measure is stored under.
func (m Measure) Property() string { return m.property() }
