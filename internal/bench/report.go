package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Results is everything a run measured; it is written as JSON to bench/results/.
type Results struct {
	Command    string            `json:"command"`
	StartedAt  time.Time         `json:"startedAt"`
	FinishedAt time.Time         `json:"finishedAt"`
	Machine    Machine           `json:"machine"`
	Versions   map[string]string `json:"versions"`
	Dataset    Dataset           `json:"dataset"`
	Settings   Settings          `json:"settings"`
	Workloads  []WorkloadResult  `json:"workloads"`
	// Processes holds the peak memory of each server process over the whole run.
	Processes []ProcessResult `json:"processes"`
	// EmptyRequestP50ms is, per GraphQL server, the median latency of a request that reads
	// nothing ({ __typename }), one at a time over loopback HTTP: what a GraphQL request
	// costs before any data, the floor under the nested reads' latency.
	EmptyRequestP50ms map[string]float64 `json:"emptyRequestP50ms,omitempty"`
	Targets           []Target           `json:"targets"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs        int     `json:"cpus"`
	CPUModel    string  `json:"cpuModel"`
	MemoryGB    float64 `json:"memoryGB"`
	Kernel      string  `json:"kernel"`
	OSArch      string  `json:"osArch"`
	LoadAverage string  `json:"loadAverageAtStart"`
}

// Dataset is the synthetic community the run used.
type Dataset struct {
	People int    `json:"people"`
	Seed   uint64 `json:"seed"`
	Nodes  int    `json:"nodes"`
	Ties   int    `json:"ties"`
	// Loaded is true when this run loaded it (false: it was already there).
	Loaded      bool    `json:"loaded"`
	LoadSeconds float64 `json:"loadSeconds,omitempty"`
}

// Settings are the load generator's bounds.
type Settings struct {
	Concurrency           int     `json:"concurrency"`
	WarmupSeconds         float64 `json:"warmupSeconds"`
	MeasuredSeconds       float64 `json:"measuredSecondsPerWorkloadAndSystem"`
	MaxRequests           int     `json:"maxRequestsPerWorkloadAndSystem"`
	Rounds                int     `json:"rounds"`
	SequentialSeconds     float64 `json:"sequentialSecondsPerNestedRead"`
	RequestTimeoutSeconds float64 `json:"requestTimeoutSeconds"`
}

// WorkloadResult is one workload on every system that ran it.
type WorkloadResult struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Nested bool   `json:"nested"`
	Write  bool   `json:"write"`
	// Unavailable says why the workload did not run.
	Unavailable string         `json:"unavailable,omitempty"`
	Checks      []CheckResult  `json:"checks,omitempty"`
	Systems     []SystemResult `json:"systems,omitempty"`
}

// CheckResult compares one number over the systems' answers to the same first request.
type CheckResult struct {
	What   string         `json:"what"`
	Values map[string]int `json:"values"`
	Same   bool           `json:"same"`
	Note   string         `json:"note,omitempty"`
}

// SystemResult is one workload measured on one system.
type SystemResult struct {
	System       string   `json:"system"`
	Requests     int      `json:"requests"`
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"errorSamples,omitempty"`
	Seconds      float64  `json:"seconds"`
	// RPS counts the requests that succeeded.
	RPS    float64 `json:"requestsPerSecond"`
	P50ms  float64 `json:"p50ms"`
	P95ms  float64 `json:"p95ms"`
	P99ms  float64 `json:"p99ms"`
	MeanMs float64 `json:"meanMs"`
	MaxMs  float64 `json:"maxMs"`
	// SequentialP50ms is the median latency with one request at a time (nested reads).
	SequentialP50ms *float64 `json:"sequentialP50ms,omitempty"`
	// StatementsPerRequest is the Bolt RUN messages the system sent per request.
	StatementsPerRequest float64 `json:"neo4jStatementsPerRequest"`
	// PeakMB is the server process's peak resident memory while this workload ran (nil
	// for the raw driver, which runs inside the load generator).
	PeakMB *float64 `json:"peakMB,omitempty"`
	// CPU milliseconds per request used by the server process (nil for raw), by Neo4j (nil
	// unless it is the local instance) and by the harness process (load generator and
	// proxies, and the driver for raw).
	APICPUms     *float64  `json:"apiCpuMsPerRequest,omitempty"`
	Neo4jCPUms   *float64  `json:"neo4jCpuMsPerRequest,omitempty"`
	HarnessCPUms *float64  `json:"harnessCpuMsPerRequest,omitempty"`
	RoundRPS     []float64 `json:"requestsPerSecondByRound"`
	// OtherLoad is how many CPUs, on average, the rest of the machine kept busy while this
	// was measured (other programs; for raw also Kith's and Node's idle processes).
	OtherLoad float64 `json:"otherLoadCPUs"`
	// Statements are the Cypher statements the system sent, most frequent first (at most 5).
	Statements []StatementCount `json:"statements,omitempty"`
	// LeftoverTerminated counts the transactions of this system still running in Neo4j
	// after its bursts, which the harness terminated before the next burst.
	LeftoverTerminated int `json:"leftoverTransactionsTerminated,omitempty"`
}

// StatementCount is one Cypher statement text and how often a request sent it.
type StatementCount struct {
	PerRequest float64 `json:"perRequest"`
	// Length is the length of the whole text; Text keeps its first 4,000 characters.
	Length int    `json:"length"`
	Text   string `json:"text"`
}

// ProcessResult is a server process's peak resident memory.
type ProcessResult struct {
	System        string  `json:"system"`
	StartupPeakMB float64 `json:"startupPeakMB"`
	PeakMB        float64 `json:"peakMB"`
}

// Target is one of issue 6's targets, met or not.
type Target struct {
	Name   string `json:"name"`
	Met    bool   `json:"met"`
	Detail string `json:"detail"`
}

// readMachine describes this machine from /proc.
func readMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OSArch: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				m.MemoryGB = round1(kb / (1 << 20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAverage = strings.Join(f[:3], " ")
		}
	}
	return m
}

// readVersions collects the versions of everything measured.
func readVersions(ctx context.Context, db *database, root string) map[string]string {
	v := map[string]string{"go": strings.TrimPrefix(runtime.Version(), "go")}
	if s, err := db.version(ctx); err == nil {
		v["neo4j"] = s
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, modified := "", ""
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (with uncommitted changes)"
				}
			}
		}
		if rev != "" {
			v["kith"] = rev[:min(12, len(rev))] + modified
		}
		for _, d := range info.Deps {
			switch d.Path {
			case "github.com/neo4j/neo4j-go-driver/v5":
				v["neo4j-go-driver"] = d.Version
			case "github.com/99designs/gqlgen":
				v["gqlgen"] = d.Version
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "node", "--version").Output(); err == nil {
		v["node"] = strings.TrimSpace(string(out))
	}
	for _, pkg := range []string{"@neo4j/graphql", "@apollo/server", "neo4j-driver", "graphql"} {
		b, err := os.ReadFile(filepath.Join(root, "internal", "bench", "neo4jgraphql", "node_modules", pkg, "package.json"))
		if err != nil {
			continue
		}
		var p struct{ Version string }
		if json.Unmarshal(b, &p) == nil && p.Version != "" {
			v[pkg] = p.Version
		}
	}
	return v
}

// find returns the result of a system on a workload, or nil.
func (w *WorkloadResult) find(system string) *SystemResult {
	for i := range w.Systems {
		if w.Systems[i].System == system {
			return &w.Systems[i]
		}
	}
	return nil
}

// memoryLimitMB is the target for Kith's peak memory.
const memoryLimitMB = 150

// evaluateTargets checks the targets against the measurements.
func (r *Results) evaluateTargets() []Target {
	var out []Target
	for _, w := range r.Workloads {
		if w.Unavailable != "" {
			continue
		}
		kith, raw, neo := w.find(sysKith), w.find(sysRaw), w.find(sysNeo4jGraphQL)
		if kith == nil {
			continue
		}
		if w.Nested && raw != nil && raw.P50ms > 0 {
			if kith.SequentialP50ms != nil && raw.SequentialP50ms != nil && *raw.SequentialP50ms > 0 {
				ratio := *kith.SequentialP50ms / *raw.SequentialP50ms
				t := Target{Name: "Kith p50 ≤ 1.25× raw, one request at a time: " + w.Name, Met: ratio <= 1.25,
					Detail: fmt.Sprintf("%.2f ms vs %.2f ms = %.2f×", *kith.SequentialP50ms, *raw.SequentialP50ms, ratio)}
				if empty, ok := r.EmptyRequestP50ms[sysKith]; ok {
					t.Detail += fmt.Sprintf("; 1.25× leaves %.3f ms above raw, and a Kith request that reads nothing takes %.3f ms",
						0.25**raw.SequentialP50ms, empty)
				}
				out = append(out, t)
			}
			ratio := kith.P50ms / raw.P50ms
			out = append(out, Target{Name: fmt.Sprintf("Kith p50 ≤ 1.25× raw, %d at a time: %s", r.Settings.Concurrency, w.Name), Met: ratio <= 1.25,
				Detail: fmt.Sprintf("%.2f ms vs %.2f ms = %.2f×", kith.P50ms, raw.P50ms, ratio)})
		}
		if neo != nil {
			t := Target{Name: "Kith throughput ≥ 2× @neo4j/graphql: " + w.Name}
			switch {
			case neo.RPS > 0:
				ratio := kith.RPS / neo.RPS
				t.Met, t.Detail = ratio >= 2, fmt.Sprintf("%.0f vs %.0f req/s = %.2f×", kith.RPS, neo.RPS, ratio)
			default:
				t.Met, t.Detail = kith.RPS > 0, fmt.Sprintf("%.0f req/s; @neo4j/graphql answered none", kith.RPS)
			}
			if neo.Errors > 0 {
				t.Detail += fmt.Sprintf(" (@neo4j/graphql failed %d of %d requests: %s)", neo.Errors, neo.Requests, firstLine(neo.ErrorSamples))
			}
			out = append(out, t)
		}
		if !w.Write {
			out = append(out, Target{Name: "one Neo4j statement per read: " + w.Name, Met: kith.StatementsPerRequest <= 1.005,
				Detail: fmt.Sprintf("%.2f per request%s", kith.StatementsPerRequest, statementMix(kith.Statements))})
		}
		if kith.Errors > 0 {
			out = append(out, Target{Name: "no errors: " + w.Name, Met: false,
				Detail: fmt.Sprintf("%d of %d Kith requests failed", kith.Errors, kith.Requests)})
		}
	}
	for _, p := range r.Processes {
		if p.System == sysKith {
			out = append(out, Target{Name: fmt.Sprintf("Kith peak memory < %d MB", memoryLimitMB), Met: p.PeakMB < memoryLimitMB,
				Detail: fmt.Sprintf("%.0f MB at %s people", p.PeakMB, groupDigits(r.Dataset.People))})
		}
	}
	return out
}

// firstLine returns the first error sample, shortened.
func firstLine(samples []string) string {
	if len(samples) == 0 {
		return ""
	}
	s, _, _ := strings.Cut(samples[0], "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// statementMix describes which statements a request sent, when it sent more than one kind.
func statementMix(st []StatementCount) string {
	if len(st) < 2 {
		return ""
	}
	var parts []string
	for _, s := range st {
		text := strings.Join(strings.Fields(s.Text), " ")
		if len(text) > 48 {
			text = text[:48] + "…"
		}
		parts = append(parts, fmt.Sprintf("%.2f × `%s`", s.PerRequest, strings.ReplaceAll(text, "`", "")))
	}
	return ": " + strings.Join(parts, "; ")
}

// label names a dataset size for files and sections: 10k, 100k, 2500.
func label(people int) string {
	switch {
	case people%1_000_000 == 0:
		return strconv.Itoa(people/1_000_000) + "m"
	case people%1000 == 0:
		return strconv.Itoa(people/1000) + "k"
	}
	return strconv.Itoa(people)
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// write saves the JSON results and rewrites this size's section of the Markdown file.
func (r *Results) write(cfg Config) ([]string, error) {
	var paths []string
	dir := cfg.ResultsDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cfg.Root, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	jsonPath := filepath.Join(dir, label(r.Dataset.People)+".json")
	if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	paths = append(paths, jsonPath)
	if cfg.Markdown != "" {
		md := cfg.Markdown
		if !filepath.IsAbs(md) {
			md = filepath.Join(cfg.Root, md)
		}
		if err := r.writeMarkdown(md); err != nil {
			return nil, err
		}
		paths = append(paths, md)
	}
	return paths, nil
}

// writeMarkdown replaces the section between this size's markers in path (appending it
// when there is none, creating the file when it is missing) and leaves the rest alone.
func (r *Results) writeMarkdown(path string) error {
	begin := "<!-- kith bench " + label(r.Dataset.People) + " begin: written by `kith bench`, do not edit -->"
	end := "<!-- kith bench " + label(r.Dataset.People) + " end -->"
	section := begin + "\n" + r.markdownSection() + end
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if text == "" {
		text = "# Benchmarks\n\nWritten by `make bench`; see bench/doc.go.\n"
	}
	if i := strings.Index(text, begin); i >= 0 {
		j := strings.Index(text[i:], end)
		if j < 0 {
			return fmt.Errorf("%s: %q without %q", path, begin, end)
		}
		text = text[:i] + section + text[i+j+len(end):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// markdownSection is the generated part of BENCHMARKS.md for one dataset size.
func (r *Results) markdownSection() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s people\n\n", groupDigits(r.Dataset.People))
	fmt.Fprintf(&b, "Run on %s (UTC) with `%s`", r.StartedAt.Format("2006-01-02 15:04"), r.reproduce())
	fmt.Fprintf(&b, "; full results in `internal/bench/results/%s.json`.\n\n", label(r.Dataset.People))
	m := r.Machine
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %.1f GB memory, Linux %s, load average %s at the start; "+
		"Neo4j, both servers and the load generator share it.\n", m.CPUs, m.CPUModel, m.MemoryGB, m.Kernel, m.LoadAverage)
	var vs []string
	for _, k := range []string{"neo4j", "kith", "go", "gqlgen", "neo4j-go-driver", "node", "@neo4j/graphql", "@apollo/server", "neo4j-driver", "graphql"} {
		if v, ok := r.Versions[k]; ok {
			vs = append(vs, k+" "+v)
		}
	}
	fmt.Fprintf(&b, "- Versions: %s.\n", strings.Join(vs, ", "))
	d := r.Dataset
	fmt.Fprintf(&b, "- Data: `seed.Synthetic(%d, %d)`: %s nodes, %s ties.\n", d.People, d.Seed, groupDigits(d.Nodes), groupDigits(d.Ties))
	s := r.Settings
	fmt.Fprintf(&b, "- Load: %d concurrent requests; per workload and system %.0f s warm-up, then at most %s requests or %.0f s, "+
		"in %d rounds that alternate the systems; nested reads also %.0f s one request at a time. Work a server defers "+
		"(Kith's audit records) counts in its time and statements.\n\n",
		s.Concurrency, s.WarmupSeconds, groupDigits(s.MaxRequests), s.MeasuredSeconds, s.Rounds, s.SequentialSeconds)
	b.WriteString(r.markdownTable())
	var sum, worst float64
	var n int
	for _, w := range r.Workloads {
		for _, s := range w.Systems {
			sum += s.OtherLoad
			worst = max(worst, s.OtherLoad)
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(&b, "Other programs kept %.2f CPUs busy on average while this was measured (%.2f at most, during one workload on one system).\n",
			sum/float64(n), worst)
	}
	b.WriteString("\n")
	b.WriteString(r.markdownTargets())
	if checks := r.markdownChecks(); checks != "" {
		b.WriteString("\n")
		b.WriteString(checks)
	}
	return b.String()
}

// reproduce is the command that repeats the run.
func (r *Results) reproduce() string {
	if r.Dataset.People == DefaultConfig().People {
		return "make bench"
	}
	return fmt.Sprintf("make bench BENCH_FLAGS='--people %d'", r.Dataset.People)
}

// markdownTable is the results table.
func (r *Results) markdownTable() string {
	var b strings.Builder
	b.WriteString("| workload | system | req/s | p50 ms | p95 ms | p99 ms | p50 ms, 1 at a time | errors | Neo4j statements / request | peak memory MB | CPU ms / request: API, Neo4j |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range r.Workloads {
		if w.Unavailable != "" {
			fmt.Fprintf(&b, "| %s | — | %s | | | | | | | | |\n", w.Name, w.Unavailable)
			continue
		}
		for _, s := range w.Systems {
			peak := "—"
			if s.PeakMB != nil {
				peak = fmt.Sprintf("%.0f", *s.PeakMB)
			}
			seq := ""
			if s.SequentialP50ms != nil {
				seq = fmt.Sprintf("%.2f", *s.SequentialP50ms)
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %s | %d | %.2f | %s | %s, %s |\n",
				w.Name, systemTitle(s.System), s.RPS, s.P50ms, s.P95ms, s.P99ms, seq, s.Errors, s.StatementsPerRequest, peak,
				optMs(s.APICPUms), optMs(s.Neo4jCPUms))
		}
	}
	b.WriteString("\nWorkloads: ")
	var ws []string
	for _, w := range r.Workloads {
		ws = append(ws, "**"+w.Name+"**: "+w.Title)
	}
	b.WriteString(strings.Join(ws, "; ") + ".\n")
	for _, p := range r.Processes {
		fmt.Fprintf(&b, "Peak memory of the %s process over the whole run: %.0f MB (%.0f MB after start-up).\n",
			systemTitle(p.System), p.PeakMB, p.StartupPeakMB)
	}
	if len(r.EmptyRequestP50ms) > 0 {
		var parts []string
		for _, s := range []string{sysKith, sysNeo4jGraphQL} {
			if v, ok := r.EmptyRequestP50ms[s]; ok {
				parts = append(parts, fmt.Sprintf("%s %.3f ms", systemTitle(s), v))
			}
		}
		fmt.Fprintf(&b, "A GraphQL request that reads nothing (`{ __typename }`), one at a time over loopback HTTP, p50: %s.\n",
			strings.Join(parts, ", "))
	}
	var left []string
	for _, w := range r.Workloads {
		for _, sr := range w.Systems {
			if sr.LeftoverTerminated > 0 {
				left = append(left, fmt.Sprintf("%s %s %d", systemTitle(sr.System), w.Name, sr.LeftoverTerminated))
			}
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "Transactions still running in Neo4j after a system's bursts, terminated before the next burst: %s.\n",
			strings.Join(left, "; "))
	}
	return b.String()
}

func optMs(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f", *v)
}

// markdownTargets lists the targets, met or missed.
func (r *Results) markdownTargets() string {
	var b strings.Builder
	b.WriteString("| target | met | measured |\n|---|---|---|\n")
	for _, t := range r.Targets {
		met := "**missed**"
		if t.Met {
			met = "met"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Name, met, t.Detail)
	}
	return b.String()
}

// markdownChecks lists the equivalence checks that found a difference, and errors.
func (r *Results) markdownChecks() string {
	var b strings.Builder
	for _, w := range r.Workloads {
		for _, c := range w.Checks {
			if c.Same {
				continue
			}
			var vals []string
			for _, s := range systemNames() {
				if v, ok := c.Values[s]; ok {
					vals = append(vals, fmt.Sprintf("%s %d", systemTitle(s), v))
				}
			}
			fmt.Fprintf(&b, "- %s, %s of the first request differ: %s. %s\n", w.Name, c.What, strings.Join(vals, ", "), c.Note)
		}
		for _, s := range w.Systems {
			if len(s.ErrorSamples) > 0 {
				fmt.Fprintf(&b, "- %s on %s: %d errors, e.g. %s\n", w.Name, systemTitle(s.System), s.Errors, s.ErrorSamples[0])
			}
		}
	}
	if b.Len() == 0 {
		var what []string
		for _, w := range r.Workloads {
			for _, c := range w.Checks {
				what = append(what, w.Name+" "+c.What)
			}
		}
		return "The systems agreed on every check of the first request of each workload (" + strings.Join(what, ", ") + ").\n"
	}
	return "Differences:\n\n" + b.String()
}
