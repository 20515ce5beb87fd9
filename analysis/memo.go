package analysis

import (
	"context"
	"errors"
)

// A Graph remembers the results of its costliest computations, the
// shortest-path sweeps, so that measures built on the same sweep do not repeat
// it: Mavens reuses Betweenness, and Closeness and Harmonic share one search.
// The memo is dropped with the adjacency whenever the Graph changes, so a
// remembered result is always the one the Graph's content gives; holding at
// most memoEntries results bounds its memory (each is one or two float64 per
// node).

// memoEntries is the most results a Graph remembers.
const memoEntries = 8

// memoKind names the computation a memo entry holds.
type memoKind uint8

const (
	memoBetweenness memoKind = iota + 1
	memoDistances            // closeness and harmonic centrality
)

// memoKey identifies one result: the computation and every option it depends
// on. K is 0 for an exact result.
type memoKey struct {
	kind    memoKind
	length  Length
	outward bool
	k       int
	seed    uint64
}

// pathKey returns the key of a path measure with the given sample over n nodes.
func pathKey(kind memoKind, l Length, outward bool, s *Sample, n int) memoKey {
	key := memoKey{kind: kind, length: l, outward: outward}
	if !s.exact(n) {
		key.k, key.seed = s.K, s.Seed
	}
	return key
}

// memoEntry is one result, ready when done is closed.
type memoEntry struct {
	done chan struct{}
	val  []float64
	err  error
}

// memoised returns the result for key, computing it with compute unless the
// Graph remembers it or another goroutine is computing it (then it waits for
// that one). A failed computation is not remembered; a caller that was
// waiting for it computes the result itself. The returned slice is shared and
// must not be modified.
func (g *Graph) memoised(ctx context.Context, key memoKey, compute func() ([]float64, error)) ([]float64, error) {
	for {
		g.mu.Lock()
		e, ok := g.memo[key]
		if !ok {
			e = &memoEntry{done: make(chan struct{})}
			g.remember(key, e)
			g.mu.Unlock()
			return g.fill(key, e, compute)
		}
		g.mu.Unlock()
		select {
		case <-e.done:
			if e.err == nil {
				return e.val, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// remember adds an entry, first dropping finished entries in the order they
// were added while the memo is full. The caller holds g.mu.
func (g *Graph) remember(key memoKey, e *memoEntry) {
	if g.memo == nil {
		g.memo = make(map[memoKey]*memoEntry)
	}
	for i := 0; len(g.memo) >= memoEntries && i < len(g.memoOrder); {
		old := g.memoOrder[i]
		select {
		case <-g.memo[old].done:
			delete(g.memo, old)
			g.memoOrder = append(g.memoOrder[:i], g.memoOrder[i+1:]...)
		default:
			i++ // still being computed
		}
	}
	g.memo[key] = e
	g.memoOrder = append(g.memoOrder, key)
}

// fill computes an entry and publishes it, or forgets it if compute fails or
// panics (the panic goes on up the caller's stack; waiters compute afresh).
func (g *Graph) fill(key memoKey, e *memoEntry, compute func() ([]float64, error)) ([]float64, error) {
	finished := false
	defer func() {
		if !finished {
			e.err = errPanicked
			g.forget(key, e)
			close(e.done)
		}
	}()
	val, err := compute()
	finished = true
	e.val, e.err = val, err
	if err != nil {
		g.forget(key, e)
	}
	close(e.done)
	return val, err
}

// errPanicked is the error waiters see when the computation they waited for
// panicked.
var errPanicked = errors.New("computation panicked")

// forget drops key if it still holds e.
func (g *Graph) forget(key memoKey, e *memoEntry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.memo[key] != e {
		return
	}
	delete(g.memo, key)
	for i, k := range g.memoOrder {
		if k == key {
			g.memoOrder = append(g.memoOrder[:i], g.memoOrder[i+1:]...)
			break
		}
	}
}

// dropMemo forgets every remembered result (the benchmarks use it so that
// each run computes afresh, as on a newly loaded Graph).
func (g *Graph) dropMemo() {
	g.mu.Lock()
	g.memo, g.memoOrder = nil, nil
	g.mu.Unlock()
}
