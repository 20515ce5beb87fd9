package analysisservice

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kith/apierr"
)

func TestCache(t *testing.T) {
	// step is one call: key and version asked for, what compute returns (or fail), and
	// what get must return.
	type step struct {
		key, version, computed string
		fail                   bool
		want                   string
		wantErr                bool
	}
	value := func(v any, version string) computeFunc {
		return func(context.Context) (any, string, error) { return v, version, nil }
	}
	tests := []struct {
		name         string
		steps        []step
		computations int
	}{
		{name: "same version is computed once", steps: []step{
			{key: "k", version: "v1", computed: "a", want: "a"},
			{key: "k", version: "v1", computed: "b", want: "a"},
		}, computations: 1},
		{name: "a new version recomputes", steps: []step{
			{key: "k", version: "v1", computed: "a", want: "a"},
			{key: "k", version: "v2", computed: "b", want: "b"},
			{key: "k", version: "v2", computed: "c", want: "b"},
		}, computations: 2},
		{name: "errors are not kept", steps: []step{
			{key: "k", version: "v1", fail: true, wantErr: true},
			{key: "k", version: "v1", computed: "a", want: "a"},
		}, computations: 2},
		{name: "keys are apart", steps: []step{
			{key: "k", version: "v1", computed: "a", want: "a"},
			{key: "l", version: "v1", computed: "b", want: "b"},
		}, computations: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache("result", 8, time.Minute, make(chan struct{}, 1), nil)
			n := 0
			for i, s := range tc.steps {
				compute := value(s.computed, s.version)
				if s.fail {
					compute = func(context.Context) (any, string, error) { return nil, "", errors.New("boom") }
				}
				counted := func(ctx context.Context) (any, string, error) { n++; return compute(ctx) }
				got, err := c.get(context.Background(), s.key, s.version, counted)
				if (err != nil) != s.wantErr || (err == nil && got != s.want) {
					t.Fatalf("step %d: got %v, %v", i, got, err)
				}
			}
			if n != tc.computations {
				t.Errorf("%d computations, want %d", n, tc.computations)
			}
		})
	}
}

func TestCacheSharesComputations(t *testing.T) {
	c := newCache("result", 8, time.Minute, make(chan struct{}, 2), nil)
	var n atomic.Int32
	release := make(chan struct{})
	compute := func(context.Context) (any, string, error) {
		n.Add(1)
		<-release
		return 42, "v", nil
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if v, err := c.get(context.Background(), "k", "v", compute); err != nil || v != 42 {
				t.Errorf("got %v, %v", v, err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n.Load() != 1 {
		t.Errorf("%d computations for 10 concurrent requests, want 1", n.Load())
	}
}

func TestCacheOutlivesTheRequest(t *testing.T) {
	c := newCache("result", 8, time.Minute, make(chan struct{}, 1), nil)
	release := make(chan struct{})
	compute := func(context.Context) (any, string, error) { <-release; return "done", "v", nil }
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.get(ctx, "k", "v", compute)
	if e, ok := apierr.As(err); !ok || e.Code != apierr.CodeUnavailable {
		t.Fatalf("a request whose deadline passes gets %v, want UNAVAILABLE", err)
	}
	close(release)
	v, err := c.get(context.Background(), "k", "v", func(context.Context) (any, string, error) { return "again", "v", nil })
	if err != nil || v != "done" {
		t.Errorf("the computation should have carried on: got %v, %v", v, err)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newCache("result", 2, time.Minute, make(chan struct{}, 1), nil)
	get := func(key string) {
		if _, err := c.get(context.Background(), key, "v", func(context.Context) (any, string, error) { return key, "v", nil }); err != nil {
			t.Fatal(err)
		}
	}
	get("a")
	get("b")
	get("a")
	get("c") // evicts b, the least recently used
	c.mu.Lock()
	_, hasA := c.entries["a"]
	_, hasB := c.entries["b"]
	c.mu.Unlock()
	if !hasA || hasB || c.len() != 2 {
		t.Errorf("after a, b, a, c with room for 2: a kept %v, b kept %v, %d entries", hasA, hasB, c.len())
	}
	c.purge()
	if c.len() != 0 {
		t.Errorf("purge left %d entries", c.len())
	}
}

func TestCacheRecoversPanics(t *testing.T) {
	c := newCache("result", 2, time.Minute, make(chan struct{}, 1), nil)
	_, err := c.get(context.Background(), "k", "v", func(context.Context) (any, string, error) { panic("oops") })
	if err == nil {
		t.Fatal("a panicking computation must fail, not crash")
	}
}
