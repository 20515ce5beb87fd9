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
	if log != nil {
		log.Info("loaded", "nodes", len(nodes), "ties", len(ties), "seconds", time.Since(start).Seconds())
	}
	return nil
}
