package seed

import (
	"context"
	"log/slog"
	"time"

	"kith/cypher"
)

// Load writes the graph through the store's bulk loader (cypher.Store.Load: batches,
// merged on id, so loading twice changes nothing). With a logger it logs progress counts
// every few seconds, and never a name.
func (g *Graph) Load(ctx context.Context, store *cypher.Store, log *slog.Logger) error {
	nodes := make([]cypher.LoadNode, len(g.Nodes))
	for i, n := range g.Nodes {
		nodes[i] = cypher.LoadNode{Label: n.Label, ID: n.ID, Props: n.Props}
	}
	ties := make([]cypher.LoadTie, len(g.Ties))
	for i, t := range g.Ties {
		ties[i] = cypher.LoadTie{Kind: t.Kind, From: t.From, To: t.To, Props: t.Props}
	}
	start, last := time.Now(), time.Now()
	var progress func(done, total int)
	if log != nil {
		progress = func(done, total int) {
			if time.Since(last) > 5*time.Second || done == total {
				last = time.Now()
				log.Info("loading", "done", done, "total", total)
			}
		}
	}
	if err := store.Load(ctx, nodes, ties, progress); err != nil {
		return err
	}
	for start := 0; start < len(g.Observations); start += cypher.MaxBatch {
		batch := g.Observations[start:min(start+cypher.MaxBatch, len(g.Observations))]
		in := make([]cypher.ObservationInput, len(batch))
		for i, o := range batch {
			raw := o.SWEMWBSRaw
			in[i] = cypher.ObservationInput{PersonID: o.PersonID, WaveID: o.WaveID, RecordedAt: o.RecordedAt, Method: "DOORSTEP",
				SWEMWBSRaw: &raw, Employment: o.Employment, Household: o.Household, AgeBand: o.AgeBand}
		}
		if _, err := store.RecordObservations(ctx, cypher.Scope{}, in); err != nil {
			return err
		}
	}
	if log != nil {
		log.Info("loaded", "nodes", len(nodes), "ties", len(ties), "observations", len(g.Observations), "seconds", time.Since(start).Seconds())
	}
	return nil
}
