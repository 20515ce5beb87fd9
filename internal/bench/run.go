package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"kith/internal/boltcount"
)

// Main is `kith bench`: it parses the flags, runs the benchmark and writes its results.
// exe is the kith binary to start as the Kith server (normally the running one).
func Main(ctx context.Context, args []string, exe string, stdout io.Writer, log *slog.Logger) error {
	cfg, err := ParseFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg.Executable = exe
	var res *Results
	if cfg.Render != "" {
		b, err := os.ReadFile(cfg.Render)
		if err != nil {
			return err
		}
		res = &Results{}
		if err := json.Unmarshal(b, res); err != nil {
			return fmt.Errorf("%s: %w", cfg.Render, err)
		}
		res.Targets = res.evaluateTargets()
	} else {
		if res, err = Run(ctx, cfg, log); err != nil {
			return err
		}
		res.Command = strings.TrimSpace("kith bench " + strings.Join(args, " "))
	}
	paths, err := res.write(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, res.markdownTable())
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, res.markdownTargets())
	fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(paths, " and "))
	return nil
}

// pair accumulates the measurements of one workload on one system.
type pair struct {
	w         *workload
	s         *system
	next      atomic.Int64
	latencies []time.Duration
	requests  int
	errors    int
	errSample []string
	elapsed   time.Duration
	runs      int64
	peak      int64
	roundRPS  []float64
	// CPU time used while measuring, by the server process, Neo4j and this process (the
	// load generator, the proxies and, for raw, the driver); negative: unknown.
	apiCPU, neo4jCPU, harnessCPU time.Duration
	// otherCPU is CPU time used on the machine by everything else while measuring:
	// other programs disturb the measurement.
	otherCPU time.Duration
	// sequential holds the latencies of the one-at-a-time bursts.
	sequential []time.Duration
	// byText counts the statements sent while measuring, by query text.
	byText map[string]int64
	// terminated counts the transactions still running in Neo4j after the system's bursts
	// that settle ended.
	terminated int
}

// Run performs a benchmark run: database, dataset, systems, checks, then the rounds.
func Run(ctx context.Context, cfg Config, log *slog.Logger) (*Results, error) {
	if cfg.Executable == "" {
		return nil, errors.New("bench: no kith executable to start")
	}
	res := &Results{StartedAt: time.Now().UTC(), Machine: readMachine()}
	res.Settings = Settings{Concurrency: cfg.Concurrency, WarmupSeconds: cfg.Warmup.Seconds(),
		MeasuredSeconds: cfg.Duration.Seconds(), MaxRequests: cfg.Requests, Rounds: cfg.Rounds, SequentialSeconds: cfg.Sequential.Seconds(),
		RequestTimeoutSeconds: cfg.RequestTimeout.Seconds()}
	logDir := filepath.Join(cfg.Root, ".kith", "bench-logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}

	db, err := openDatabase(ctx, &cfg, log)
	if err != nil {
		return nil, err
	}
	defer db.close()
	loadStart := time.Now()
	loaded, err := db.ensureDataset(ctx, &cfg, log)
	if err != nil {
		return nil, err
	}
	res.Dataset = Dataset{People: cfg.People, Seed: cfg.Seed, Loaded: loaded}
	if loaded {
		res.Dataset.LoadSeconds = time.Since(loadStart).Seconds()
	}
	if err := db.countDataset(ctx, &res.Dataset); err != nil {
		return nil, err
	}
	in, err := db.readInputs(ctx)
	if err != nil {
		return nil, err
	}
	res.Versions = readVersions(ctx, db, cfg.Root)

	// The systems, each behind its own counting proxy.
	var systems []*system
	defer func() {
		for _, s := range systems {
			s.stop()
		}
	}()
	for _, name := range systemNames() {
		if !cfg.wantSystem(name) {
			continue
		}
		log.Info("starting", "system", systemTitle(name))
		var s *system
		switch name {
		case sysRaw:
			s, err = startRaw(ctx, db)
		case sysKith:
			s, err = startKith(ctx, &cfg, db, logDir)
		case sysNeo4jGraphQL:
			s, err = startNeo4jGraphQL(ctx, &cfg, db, logDir, log)
		}
		if err != nil {
			return nil, err
		}
		if s.proc != nil {
			s.startPeak, _ = s.proc.peakRSS()
		}
		systems = append(systems, s)
	}
	var kithFields map[string]bool
	for _, s := range systems {
		if s.name == sysKith {
			if kithFields, err = s.rootFields(ctx); err != nil {
				return nil, err
			}
		}
	}

	// Which workloads can run, and a first request of each on each system: it checks that
	// the systems do the same work and finds queries the schema refuses.
	var pairs [][]*pair
	for _, w := range workloads() {
		if !cfg.wantWorkload(w.name) {
			continue
		}
		wr := WorkloadResult{Name: w.name, Title: w.title, Nested: w.nested, Write: w.write}
		if kithFields != nil {
			var missing []string
			for _, f := range w.requires {
				if !kithFields[f] {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				wr.Unavailable = "not yet available: Kith's schema has no " + strings.Join(missing, ", ")
				res.Workloads = append(res.Workloads, wr)
				log.Info("skipping", "workload", w.name, "reason", wr.Unavailable)
				continue
			}
		}
		var ps []*pair
		first := map[string]result{}
		for _, s := range systems {
			if !s.has(w) {
				continue
			}
			r, err := s.do(ctx, w, in, 0)
			if err != nil && s.name == sysKith && w.pending {
				wr.Unavailable = fmt.Sprintf("Kith's schema has %s but refused the benchmark's query (update it in bench/workloads.go): %v",
					strings.Join(w.requires, ", "), err)
				break
			}
			if err != nil {
				wr.Checks = append(wr.Checks, CheckResult{What: "first request", Values: map[string]int{}, Note: systemTitle(s.name) + ": " + err.Error()})
			}
			first[s.name] = r
			p := &pair{w: w, s: s, byText: map[string]int64{}}
			p.next.Store(1)
			ps = append(ps, p)
		}
		if wr.Unavailable != "" {
			res.Workloads = append(res.Workloads, wr)
			log.Info("skipping", "workload", w.name, "reason", wr.Unavailable)
			if w.write {
				if err := db.cleanup(ctx); err != nil {
					return nil, err
				}
			}
			continue
		}
		wr.Checks = append(wr.Checks, compareFirst(w, first)...)
		if w.checkCreated {
			c, err := db.compareCreated(ctx, in, ps)
			if err != nil {
				return nil, err
			}
			wr.Checks = append(wr.Checks, c...)
		}
		if w.write {
			if err := db.cleanup(ctx); err != nil {
				return nil, err
			}
		}
		res.Workloads = append(res.Workloads, wr)
		pairs = append(pairs, ps)
	}

	// The rounds: every pair gets one slice per round, systems in rotating order.
	slice := burst{conc: cfg.Concurrency, dur: cfg.Duration / time.Duration(cfg.Rounds),
		max: (cfg.Requests + cfg.Rounds - 1) / cfg.Rounds, timeout: cfg.RequestTimeout}
	seq := burst{conc: 1, dur: cfg.Sequential / time.Duration(cfg.Rounds), max: slice.max, timeout: cfg.RequestTimeout}
	warm := burst{conc: cfg.Concurrency, dur: cfg.Warmup, max: cfg.Requests, timeout: cfg.RequestTimeout}
	for round := range cfg.Rounds {
		for _, ps := range pairs {
			for k := range ps {
				p := ps[(k+round)%len(ps)]
				if round == 0 && cfg.Warmup > 0 {
					log.Info("warming up", "workload", p.w.name, "system", p.s.name)
					if err := p.measure(ctx, db, in, warm, false); err != nil {
						return nil, err
					}
				}
				log.Info("measuring", "round", round+1, "workload", p.w.name, "system", p.s.name)
				if err := p.measure(ctx, db, in, slice, true); err != nil {
					return nil, err
				}
				if p.w.nested && cfg.Sequential > 0 {
					o := drive(ctx, seq, &p.next, func(ctx context.Context, i int) error {
						_, err := p.s.do(ctx, p.w, in, i)
						return err
					})
					quiesce(ctx, p.s.proxy)
					if err := p.settle(ctx, db); err != nil {
						return nil, err
					}
					p.sequential = append(p.sequential, o.latencies...)
					if err := db.cleanup(ctx); err != nil {
						return nil, err
					}
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	// What a GraphQL request costs before any data, on each GraphQL server.
	if cfg.Sequential > 0 {
		res.EmptyRequestP50ms = map[string]float64{}
		empty := func(*inputs, int) gqlRequest { return gqlRequest{Query: "{ __typename }"} }
		w := &workload{name: "empty", kith: empty, neo4jGraphQL: empty}
		one := burst{conc: 1, dur: cfg.Sequential, max: cfg.Requests, timeout: cfg.RequestTimeout}
		for _, s := range systems {
			if s.name == sysRaw {
				continue
			}
			log.Info("measuring", "workload", "empty request", "system", s.name)
			var next atomic.Int64
			o := drive(ctx, one, &next, func(ctx context.Context, i int) error {
				_, err := s.do(ctx, w, in, i)
				return err
			})
			if o.errors == 0 && len(o.latencies) > 0 {
				slices.Sort(o.latencies)
				res.EmptyRequestP50ms[s.name] = float64(percentile(o.latencies, 50).Microseconds()) / 1000
			}
		}
	}

	// Results.
	k := 0
	for i := range res.Workloads {
		wr := &res.Workloads[i]
		if wr.Unavailable != "" {
			continue
		}
		for _, p := range pairs[k] {
			wr.Systems = append(wr.Systems, p.result())
		}
		k++
	}
	for _, s := range systems {
		if s.proc == nil {
			continue
		}
		pr := ProcessResult{System: s.name, StartupPeakMB: mb(s.startPeak)}
		pr.PeakMB = pr.StartupPeakMB
		for _, ps := range pairs {
			for _, p := range ps {
				if p.s == s {
					pr.PeakMB = max(pr.PeakMB, mb(p.peak))
				}
			}
		}
		res.Processes = append(res.Processes, pr)
	}
	res.Targets = res.evaluateTargets()
	res.FinishedAt = time.Now().UTC()
	return res, nil
}

// measure runs one burst of the pair; when record is set it adds the burst to the pair's
// measurements. The process's peak memory is taken over every burst, warm-up included.
func (p *pair) measure(ctx context.Context, db *database, in *inputs, b burst, record bool) error {
	if p.s.proc != nil {
		if !p.s.proc.alive() {
			return fmt.Errorf("%s exited during the run (%v); see its log in .kith/bench-logs", systemTitle(p.s.name), p.s.proc.err)
		}
		_ = p.s.proc.resetPeak()
	}
	apiMeter := cpuMeter{pid: -1}
	if p.s.proc != nil {
		apiMeter.pid = p.s.proc.pid()
	}
	harnessMeter := cpuMeter{pid: 0}
	api0, neo0, harness0, busy0 := apiMeter.read(), db.cpu.read(), harnessMeter.read(), machineBusy()
	runsBefore, textsBefore := p.s.proxy.Runs(), p.s.proxy.Statements()
	o := drive(ctx, b, &p.next, func(ctx context.Context, i int) error {
		_, err := p.s.do(ctx, p.w, in, i)
		return err
	})
	// Work a server put off (Kith writes its audit records in the background) belongs to
	// this burst: wait for its statements, and count the wait as part of the burst.
	o.elapsed += quiesce(ctx, p.s.proxy)
	runs := p.s.proxy.Runs() - runsBefore
	api1, neo1, harness1, busy1 := apiMeter.read(), db.cpu.read(), harnessMeter.read(), machineBusy()
	if p.s.proc != nil {
		if peak, err := p.s.proc.peakRSS(); err == nil {
			p.peak = max(p.peak, peak)
		}
	}
	if err := p.settle(ctx, db); err != nil {
		return err
	}
	if err := db.cleanup(ctx); err != nil {
		return err
	}
	if !record {
		return ctx.Err()
	}
	p.latencies = append(p.latencies, o.latencies...)
	p.requests += len(o.latencies)
	p.errors += o.errors
	for _, s := range o.errSample {
		if len(p.errSample) < 5 && !slices.Contains(p.errSample, s) {
			p.errSample = append(p.errSample, s)
		}
	}
	p.elapsed += o.elapsed
	p.runs += runs
	p.apiCPU = addCPU(p.apiCPU, api0, api1)
	p.neo4jCPU = addCPU(p.neo4jCPU, neo0, neo1)
	p.harnessCPU = addCPU(p.harnessCPU, harness0, harness1)
	other := addCPU(0, busy0, busy1)
	for _, d := range []time.Duration{addCPU(0, api0, api1), addCPU(0, neo0, neo1), addCPU(0, harness0, harness1)} {
		if d > 0 {
			other -= d
		}
	}
	if busy0 < 0 || busy1 < 0 {
		p.otherCPU = -1
	} else {
		p.otherCPU = addCPU(p.otherCPU, 0, max(other, 0))
	}
	for q, n := range p.s.proxy.Statements() {
		if d := n - textsBefore[q]; d > 0 {
			p.byText[q] += d
		}
	}
	if o.elapsed > 0 {
		p.roundRPS = append(p.roundRPS, round1(float64(len(o.latencies))/o.elapsed.Seconds()))
	}
	return ctx.Err()
}

// settle waits until Neo4j is quiet after one of the pair's bursts (database.settle) and
// counts the transactions it had to terminate.
func (p *pair) settle(ctx context.Context, db *database) error {
	n, err := db.settle(ctx)
	p.terminated += n
	return err
}

// quiesce waits until no statement has passed the proxy for a quarter of a second (at most
// a minute) and returns how long statements went on arriving after it was called.
func quiesce(ctx context.Context, proxy *boltcount.Proxy) time.Duration {
	const quiet = 250 * time.Millisecond
	start := time.Now()
	last, lastChange := proxy.Runs(), start
	for time.Since(lastChange) < quiet && time.Since(start) < time.Minute && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
		if n := proxy.Runs(); n != last {
			last, lastChange = n, time.Now()
		}
	}
	return lastChange.Sub(start)
}

// maxStatementText is how much of a statement's text the results keep.
const maxStatementText = 4000

// addCPU adds the CPU time between two readings to a total; any unknown makes it unknown.
func addCPU(total, before, after time.Duration) time.Duration {
	if total < 0 || before < 0 || after < 0 {
		return -1
	}
	return total + after - before
}

// result summarises the pair.
func (p *pair) result() SystemResult {
	lat := slices.Clone(p.latencies)
	slices.Sort(lat)
	r := SystemResult{System: p.s.name, Requests: p.requests, Errors: p.errors, ErrorSamples: p.errSample,
		Seconds: round2(p.elapsed.Seconds()), RoundRPS: p.roundRPS, LeftoverTerminated: p.terminated}
	if p.elapsed > 0 {
		r.RPS = round1(float64(p.requests-p.errors) / p.elapsed.Seconds())
	}
	if len(lat) > 0 {
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		r.P50ms, r.P95ms, r.P99ms = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
		r.MeanMs, r.MaxMs = ms(sum/time.Duration(len(lat))), ms(lat[len(lat)-1])
	}
	if len(p.sequential) > 0 {
		seq := slices.Clone(p.sequential)
		slices.Sort(seq)
		v := ms(percentile(seq, 50))
		r.SequentialP50ms = &v
	}
	if p.requests > 0 {
		r.StatementsPerRequest = round2(float64(p.runs) / float64(p.requests))
		perRequest := func(d time.Duration) *float64 {
			if d < 0 {
				return nil
			}
			v := round2(float64(d) / float64(time.Millisecond) / float64(p.requests))
			return &v
		}
		if p.s.proc != nil {
			r.APICPUms = perRequest(p.apiCPU)
		}
		r.Neo4jCPUms = perRequest(p.neo4jCPU)
		r.HarnessCPUms = perRequest(p.harnessCPU)
	}
	if p.requests > 0 {
		for q, n := range p.byText {
			sc := StatementCount{PerRequest: round2(float64(n) / float64(p.requests)), Text: q, Length: len(q)}
			if len(q) > maxStatementText {
				sc.Text = q[:maxStatementText] + "…"
			}
			r.Statements = append(r.Statements, sc)
		}
		slices.SortFunc(r.Statements, func(a, b StatementCount) int {
			if a.PerRequest != b.PerRequest {
				return cmp.Compare(b.PerRequest, a.PerRequest)
			}
			return strings.Compare(a.Text, b.Text)
		})
		if len(r.Statements) > 5 {
			r.Statements = r.Statements[:5]
		}
	}
	if p.otherCPU >= 0 && p.elapsed > 0 {
		r.OtherLoad = round2(p.otherCPU.Seconds() / p.elapsed.Seconds())
	}
	if p.s.proc != nil {
		v := mb(p.peak)
		r.PeakMB = &v
	}
	return r
}

// compareFirst compares the checks of a workload over the first responses of each system.
func compareFirst(w *workload, first map[string]result) []CheckResult {
	var out []CheckResult
	for _, c := range w.checks {
		cr := CheckResult{What: c.what, Values: map[string]int{}}
		var notes []string
		for name, r := range first {
			switch {
			case name == sysRaw && c.raw != nil:
				cr.Values[name] = c.raw(r.records)
			case name != sysRaw && r.body != nil:
				paths := c.kith
				if name == sysNeo4jGraphQL {
					paths = c.neo4jGraphQL
				}
				var v any
				if err := json.Unmarshal(r.body, &v); err != nil {
					notes = append(notes, systemTitle(name)+": "+err.Error())
					continue
				}
				sum := 0
				for _, path := range paths {
					n, err := jsonCount(v, path)
					if err != nil {
						notes = append(notes, systemTitle(name)+": "+err.Error())
					}
					sum += n
				}
				cr.Values[name] = sum
			}
		}
		cr.Same = allEqual(cr.Values) && len(notes) == 0
		cr.Note = strings.Join(notes, "; ")
		out = append(out, cr)
	}
	return out
}

// compareCreated counts, in Neo4j, the people and ties that request 0 of a write workload
// created on each system.
func (db *database) compareCreated(ctx context.Context, in *inputs, ps []*pair) ([]CheckResult, error) {
	people := CheckResult{What: "people created", Values: map[string]int{}}
	ties := CheckResult{What: "ties created", Values: map[string]int{}}
	for _, p := range ps {
		recs, err := db.query(ctx, "MATCH (p:Person) WHERE p.externalId STARTS WITH $prefix "+
			"RETURN count(p), sum(COUNT { (p)-[]-() })", map[string]any{"prefix": in.createdPrefix(p.s.name, 0)})
		if err != nil {
			return nil, fmt.Errorf("count created people: %w", err)
		}
		people.Values[p.s.name] = recordInt(recs, 0)
		ties.Values[p.s.name] = recordInt(recs, 1)
	}
	people.Same, ties.Same = allEqual(people.Values), allEqual(ties.Values)
	return []CheckResult{people, ties}, nil
}

func allEqual(m map[string]int) bool {
	first, set := 0, false
	for _, v := range m {
		if set && v != first {
			return false
		}
		first, set = v, true
	}
	return true
}

// countDataset fills in the nodes and ties the database holds.
func (db *database) countDataset(ctx context.Context, d *Dataset) error {
	recs, err := db.query(ctx, "CALL () { MATCH (n:Entity) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r", nil)
	if err != nil {
		return fmt.Errorf("count the dataset: %w", err)
	}
	d.Nodes, d.Ties = recordInt(recs, 0), recordInt(recs, 1)
	return nil
}

func ms(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }
func mb(b int64) float64         { return round1(float64(b) / (1 << 20)) }
func round1(x float64) float64   { return float64(int64(x*10+0.5)) / 10 }
func round2(x float64) float64   { return float64(int64(x*100+0.5)) / 100 }
