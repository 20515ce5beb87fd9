package analysis

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// memoLen returns how many results g remembers.
func (g *Graph) memoLen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.memo)
}

// TestMemoShared checks that measures built on the same sweep share one
// remembered result, and that the results are those of a Graph that
// remembers nothing.
func TestMemoShared(t *testing.T) {
	ctx := context.Background()
	g := smallWorldDirected(400, 3, 0.2, 11)
	fresh := func() *Graph { h := smallWorldDirected(400, 3, 0.2, 11); return h }
	sample := &Sample{K: 50, Seed: 3}

	b, err := g.Betweenness(ctx, BetweennessOptions{Sample: sample})
	if err != nil {
		t.Fatal(err)
	}
	if g.memoLen() != 1 {
		t.Fatalf("after Betweenness the Graph remembers %d results, want 1", g.memoLen())
	}
	mavens, err := g.Mavens(ctx, KeyPeopleOptions{Sample: sample})
	if err != nil {
		t.Fatal(err)
	}
	if g.memoLen() != 1 {
		t.Errorf("Mavens after Betweenness added a result (%d remembered): it did not reuse the sweep", g.memoLen())
	}
	want, _ := fresh().Mavens(ctx, KeyPeopleOptions{Sample: sample})
	if len(mavens) != len(want) {
		t.Fatalf("%d mavens, a fresh Graph gives %d", len(mavens), len(want))
	}
	for i := range mavens {
		if mavens[i].ID != want[i].ID || mavens[i].Score != want[i].Score || mavens[i].Components[1].Value != b[mavens[i].ID] {
			t.Errorf("maven %d: %+v, fresh Graph %+v (betweenness %v)", i, mavens[i], want[i], b[mavens[i].ID])
		}
	}

	c, _ := g.Closeness(ctx, ClosenessOptions{})
	n := g.memoLen()
	h, _ := g.Harmonic(ctx, ClosenessOptions{})
	if g.memoLen() != n {
		t.Errorf("Harmonic after Closeness added a result: it did not reuse the search")
	}
	f := fresh()
	wantH, _ := f.Harmonic(ctx, ClosenessOptions{})
	wantC, _ := f.Closeness(ctx, ClosenessOptions{})
	for id := range c {
		if c[id] != wantC[id] || h[id] != wantH[id] {
			t.Errorf("%s: closeness %v harmonic %v, fresh Graph (harmonic first) %v %v", id, c[id], h[id], wantC[id], wantH[id])
		}
	}
	// Other options are other results.
	if _, err := g.Closeness(ctx, ClosenessOptions{Outward: true}); err != nil {
		t.Fatal(err)
	}
	if g.memoLen() != n+1 {
		t.Errorf("outward closeness: %d results remembered, want %d", g.memoLen(), n+1)
	}
}

// TestMemoInvalidated checks that a change to the Graph drops what it
// remembered.
func TestMemoInvalidated(t *testing.T) {
	ctx := context.Background()
	g := smallWorld(300, 2, 0.1, 12)
	if _, err := g.Betweenness(ctx, BetweennessOptions{}); err != nil {
		t.Fatal(err)
	}
	ids := g.Nodes()
	if err := g.AddTie(ids[0], ids[150], 1); err != nil {
		t.Fatal(err)
	}
	if g.memoLen() != 0 {
		t.Fatalf("after AddTie the Graph remembers %d results", g.memoLen())
	}
	got, _ := g.Betweenness(ctx, BetweennessOptions{})
	h := smallWorld(300, 2, 0.1, 12)
	_ = h.AddTie(ids[0], ids[150], 1)
	want, _ := h.Betweenness(ctx, BetweennessOptions{})
	for id, x := range want {
		if got[id] != x {
			t.Fatalf("%s: %v after the change, %v on a Graph built with the tie", id, got[id], x)
		}
	}
}

// TestMemoFailureAndConcurrency checks that a computation stopped by its
// context is not remembered, that concurrent callers get one result, and
// that the memo stays bounded.
func TestMemoFailureAndConcurrency(t *testing.T) {
	g := smallWorld(500, 3, 0.1, 13)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Betweenness(done, BetweennessOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: error %v", err)
	}
	if g.memoLen() != 0 {
		t.Fatalf("a cancelled computation was remembered")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]Scores, 4)
	for i := range results {
		wg.Go(func() {
			s, err := g.Betweenness(ctx, BetweennessOptions{})
			if err != nil {
				t.Error(err)
			}
			results[i] = s
		})
	}
	wg.Wait()
	for i := range results {
		for id, x := range results[0] {
			if results[i][id] != x {
				t.Fatalf("caller %d: %s = %v, caller 0: %v", i, id, results[i][id], x)
			}
		}
	}
	if g.memoLen() != 1 {
		t.Errorf("%d results remembered after concurrent calls, want 1", g.memoLen())
	}
	for k := 1; k <= 2*memoEntries; k++ {
		if _, err := g.Harmonic(ctx, ClosenessOptions{Sample: &Sample{K: k, Seed: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if g.memoLen() > memoEntries {
		t.Errorf("%d results remembered, at most %d allowed", g.memoLen(), memoEntries)
	}
}
