package resolvers

import (
	"context"
	"reflect"
	"time"

	"kith/graph/model"
	"kith/pseudonym"
)

// Live configures subscriptions: how often each re-reads Neo4j, and the deadline of one read.
type Live struct {
	// Poll is how often a subscription re-reads its answer (default one second).
	Poll time.Duration
	// Timeout is the deadline of one read (default ten seconds).
	Timeout time.Duration
}

// tileCounts answers tileCounts for the caller.
func (r *Resolver) tileCounts(ctx context.Context, by model.TileDimension, where map[string]any) (*model.TileCounts, error) {
	c, err := r.Store.TileCounts(ctx, scopeOf(ctx), string(by), where)
	if err != nil {
		return nil, err
	}
	ids := pseudonym.FromContext(ctx) // a cell's value may be an area's, wave's or group's id
	out := &model.TileCounts{By: by, Total: c.Total, Truncated: c.Truncated, Cells: make([]*model.TileCell, 0, len(c.Cells))}
	for _, cell := range c.Cells {
		out.Cells = append(out.Cells, &model.TileCell{Value: optString(ids.Encode(cell.Key)), Name: optString(ids.Encode(cell.Name)), Count: cell.Count})
	}
	return out, nil
}

// live turns a read into a subscription: read once (its error, such as a bad argument, is
// the subscription's), send it, then re-read every Poll and send what changed, until ctx
// ends. Reads go to Neo4j, so changes written through any instance are seen. A failed
// re-read ends the subscription (the client resubscribes), rather than hiding it.
func live[T any](ctx context.Context, cfg Live, read func(context.Context) (T, error)) (<-chan T, error) {
	poll, timeout := cfg.Poll, cfg.Timeout
	if poll <= 0 {
		poll = time.Second
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	once := func() (T, error) {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return read(rctx)
	}
	first, err := once()
	if err != nil {
		return nil, err
	}
	ch := make(chan T, 1)
	ch <- first
	go func() {
		defer close(ch)
		t := time.NewTicker(poll)
		defer t.Stop()
		last := first
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			next, err := once()
			if err != nil {
				return
			}
			if reflect.DeepEqual(next, last) {
				continue
			}
			select {
			case ch <- next:
				last = next
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}
