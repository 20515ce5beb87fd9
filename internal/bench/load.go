package bench

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// burst is one bounded stretch of load: at most max requests, no new request after dur,
// from conc workers.
type burst struct {
	conc int
	dur  time.Duration
	max  int
	// timeout bounds each request.
	timeout time.Duration
}

// outcome is what a burst measured.
type outcome struct {
	latencies []time.Duration
	errors    int
	errSample []string
	elapsed   time.Duration
}

// drive runs a burst: each worker takes the next request number from *next and calls do,
// until the burst's request or time budget is spent. It returns when every request it
// started has finished, so nothing of the burst overlaps what follows.
func drive(ctx context.Context, b burst, next *atomic.Int64, do func(ctx context.Context, i int) error) outcome {
	var (
		mu     sync.Mutex
		out    outcome
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(b.dur)
	for range b.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 256)
			var errs int
			var samples []string
			for ctx.Err() == nil && time.Now().Before(deadline) && issued.Add(1) <= int64(b.max) {
				i := int(next.Add(1) - 1)
				rctx, cancel := context.WithTimeout(ctx, b.timeout)
				t0 := time.Now()
				err := do(rctx, i)
				lat = append(lat, time.Since(t0))
				cancel()
				if err != nil {
					errs++
					if len(samples) < 3 {
						samples = append(samples, err.Error())
					}
				}
			}
			mu.Lock()
			out.latencies = append(out.latencies, lat...)
			out.errors += errs
			for _, s := range samples {
				if len(out.errSample) < 5 && !slices.Contains(out.errSample, s) {
					out.errSample = append(out.errSample, s)
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted latencies, by the
// nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999999) - 1
	rank = min(max(rank, 0), len(sorted)-1)
	return sorted[rank]
}
