package analysisservice

import (
	"context"
	"fmt"
	"sync"
	"time"

	"kith/apierr"
	"kith/telemetry"
)

// cache holds computed values by key, each valid for one graph version. A value is
// computed once however many requests ask for it at the same time (the first starts the
// computation, the others wait for it), and the computation runs on a context of its own,
// detached from the request that started it and bounded by a timeout: when a request's
// deadline passes first, the request fails with UNAVAILABLE, the computation carries on
// and a later request finds its result. Failed computations are not kept. When the cache
// holds more than max finished values, the least recently used go.
type cache struct {
	// name says which cache this is to telemetry ("graph" or "result").
	name    string
	tel     *telemetry.Telemetry
	mu      sync.Mutex
	max     int
	timeout time.Duration
	// slots bounds how many computations run at once, across every cache of a Service.
	slots   chan struct{}
	entries map[string]*entry
	clock   uint64
}

// entry is one value, finished when done is closed.
type entry struct {
	version string
	done    chan struct{}
	val     any
	err     error
	used    uint64
}

func newCache(name string, max int, timeout time.Duration, slots chan struct{}, tel *telemetry.Telemetry) *cache {
	return &cache{name: name, tel: tel, max: max, timeout: timeout, slots: slots, entries: map[string]*entry{}}
}

// computeFunc computes a value on a detached context and returns it with the graph
// version it was computed on (which may be newer than the one asked for).
type computeFunc func(ctx context.Context) (val any, version string, err error)

// get returns the value of key at version, computing it with compute if the cache does
// not hold it or holds it for another version.
func (c *cache) get(ctx context.Context, key, version string, compute computeFunc) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	hit := ok && e.matches(version)
	c.tel.AnalysisCache(c.name, hit)
	if !hit {
		e = &entry{version: version, done: make(chan struct{})}
		c.entries[key] = e
		go c.compute(context.WithoutCancel(ctx), key, e, compute)
	}
	c.clock++
	e.used = c.clock
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, apierr.Unavailable("the analysis is still running; ask again in a moment", ctx.Err())
	}
}

// matches reports whether the entry holds, or is computing, the value at version. A
// finished value is kept under the version it was computed on, which may be newer than
// the one it was started for when the graph changed in between.
func (e *entry) matches(version string) bool {
	select {
	case <-e.done:
		return e.err == nil && e.version == version
	default:
		return e.version == version
	}
}

// compute runs one computation and records its outcome.
func (c *cache) compute(ctx context.Context, key string, e *entry, compute computeFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var val any
	var version string
	var err error
	select {
	case c.slots <- struct{}{}:
		func() {
			defer func() { <-c.slots }()
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("analysis panicked: %v", r)
				}
			}()
			val, version, err = compute(ctx)
		}()
	case <-ctx.Done():
		err = apierr.Unavailable("the server is busy with other analyses; ask again in a moment", ctx.Err())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e.val, e.err = val, err
	if err == nil && version != "" {
		e.version = version
	}
	close(e.done)
	if err != nil {
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		return
	}
	c.evict()
}

// evict drops the least recently used finished entries while there are more than max.
// The caller holds c.mu.
func (c *cache) evict() {
	for len(c.entries) > c.max {
		var oldest string
		var at uint64
		for k, e := range c.entries {
			select {
			case <-e.done:
			default:
				continue // still computing
			}
			if oldest == "" || e.used < at {
				oldest, at = k, e.used
			}
		}
		if oldest == "" {
			return
		}
		delete(c.entries, oldest)
	}
}

// len returns the number of entries, finished or not.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// purge drops every entry. Computations under way finish into entries no longer listed.
func (c *cache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}
