package bench

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Config is what one benchmark run does.
type Config struct {
	// Executable is the kith binary, started as `Executable serve` for the Kith system.
	Executable string
	// Root is the repository root: dev/localneo4j/, internal/bench/neo4jgraphql/ and the default output
	// paths are found under it.
	Root string

	// Neo4jURI names the Neo4j to use; empty starts the local benchmark instance.
	Neo4jURI, Neo4jUser, Neo4jPassword, Neo4jDatabase string
	// LocalPort and LocalStateDir configure the local benchmark instance.
	LocalPort     int
	LocalStateDir string
	// Reset allows wiping a NEO4J_URI database that holds data the benchmark did not load.
	Reset bool

	// People and Seed choose the synthetic community (seed.Synthetic(People, Seed)).
	People int
	Seed   uint64

	// Concurrency is the number of workers sending requests at once.
	Concurrency int
	// Warmup is how long each (workload, system) pair runs before it is measured.
	Warmup time.Duration
	// Duration and Requests bound the measured part of each (workload, system) pair,
	// summed over all rounds: it stops at whichever comes first.
	Duration time.Duration
	Requests int
	// Rounds is how many slices each pair's budget is cut into.
	Rounds int
	// Sequential is the time, over all rounds, each nested read also runs with one request
	// at a time, for latency without queueing (0: not at all).
	Sequential time.Duration
	// RequestTimeout bounds one request.
	RequestTimeout time.Duration

	// Systems and Workloads select what runs (empty: everything).
	Systems, Workloads []string

	// ResultsDir receives the JSON results; Markdown is the file whose section is rewritten.
	ResultsDir, Markdown string
	// Render, when set, names a results JSON file to render into Markdown again, with no run.
	Render string
}

// DefaultConfig returns the configuration `make bench` uses.
func DefaultConfig() Config {
	return Config{
		Root:           ".",
		Neo4jURI:       os.Getenv("NEO4J_URI"),
		Neo4jUser:      os.Getenv("NEO4J_USER"),
		Neo4jPassword:  os.Getenv("NEO4J_PASSWORD"),
		Neo4jDatabase:  os.Getenv("NEO4J_DATABASE"),
		LocalPort:      7690,
		LocalStateDir:  ".kith/bench",
		People:         10_000,
		Seed:           1,
		Concurrency:    4,
		Warmup:         3 * time.Second,
		Duration:       9 * time.Second,
		Requests:       20_000,
		Rounds:         3,
		Sequential:     3 * time.Second,
		RequestTimeout: 30 * time.Second,
		ResultsDir:     "internal/bench/results",
		Markdown:       "BENCHMARKS.md",
	}
}

// ParseFlags parses `kith bench` flags over DefaultConfig.
func ParseFlags(args []string) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&cfg.Root, "root", cfg.Root, "repository root (holds dev/localneo4j/ and internal/bench/)")
	fs.StringVar(&cfg.Neo4jURI, "neo4j-uri", cfg.Neo4jURI, "Neo4j to benchmark on (default $NEO4J_URI; empty: start the local benchmark instance)")
	fs.StringVar(&cfg.Neo4jUser, "neo4j-user", cfg.Neo4jUser, "Neo4j user (empty: no authentication)")
	fs.StringVar(&cfg.Neo4jPassword, "neo4j-password", cfg.Neo4jPassword, "Neo4j password")
	fs.StringVar(&cfg.Neo4jDatabase, "neo4j-database", cfg.Neo4jDatabase, "Neo4j database (empty: the server's default)")
	fs.IntVar(&cfg.LocalPort, "local-port", cfg.LocalPort, "Bolt port of the local benchmark Neo4j")
	fs.StringVar(&cfg.LocalStateDir, "local-state", cfg.LocalStateDir, "data folder of the local benchmark Neo4j")
	fs.BoolVar(&cfg.Reset, "reset", cfg.Reset, "allow wiping a --neo4j-uri database that holds other data")
	fs.IntVar(&cfg.People, "people", cfg.People, "people in the synthetic community")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed of the synthetic community")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "concurrent requests")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "warm-up of each workload on each system")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured time of each workload on each system, over all rounds")
	fs.IntVar(&cfg.Requests, "requests", cfg.Requests, "most measured requests of each workload on each system, over all rounds")
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds the measurement is split into, alternating the systems")
	fs.DurationVar(&cfg.Sequential, "sequential", cfg.Sequential, "time each nested read also runs one request at a time, over all rounds (0: never)")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", cfg.RequestTimeout, "deadline of one request")
	systems := fs.String("systems", "", "comma-separated systems to run (default all: "+strings.Join(systemNames(), ",")+")")
	workloads := fs.String("workloads", "", "comma-separated workloads to run (default all)")
	fs.StringVar(&cfg.ResultsDir, "results", cfg.ResultsDir, "folder for the JSON results")
	fs.StringVar(&cfg.Markdown, "markdown", cfg.Markdown, "Markdown file whose results section is rewritten (empty: none)")
	fs.StringVar(&cfg.Render, "render", "", "rewrite the Markdown section from this results JSON file instead of running")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("bench: unexpected arguments %q", fs.Args())
	}
	cfg.Systems = splitList(*systems)
	cfg.Workloads = splitList(*workloads)
	return cfg, cfg.validate()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Config) validate() error {
	var errs []error
	if c.People < 100 {
		errs = append(errs, errors.New("--people must be at least 100"))
	}
	if c.Concurrency < 1 || c.Concurrency > 256 {
		errs = append(errs, errors.New("--concurrency must be between 1 and 256"))
	}
	if c.Rounds < 1 {
		errs = append(errs, errors.New("--rounds must be at least 1"))
	}
	if c.Duration <= 0 || c.Requests < 1 {
		errs = append(errs, errors.New("--duration and --requests must be positive"))
	}
	if c.Warmup < 0 || c.Sequential < 0 || c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("--warmup must not be negative and --request-timeout must be positive"))
	}
	for _, s := range c.Systems {
		if !contains(systemNames(), s) {
			errs = append(errs, fmt.Errorf("unknown system %q (known: %s)", s, strings.Join(systemNames(), ", ")))
		}
	}
	for _, w := range c.Workloads {
		if findWorkload(w) == nil {
			errs = append(errs, fmt.Errorf("unknown workload %q (known: %s)", w, strings.Join(workloadNames(), ", ")))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) wantSystem(name string) bool {
	return len(c.Systems) == 0 || contains(c.Systems, name)
}

func (c *Config) wantWorkload(name string) bool {
	return len(c.Workloads) == 0 || contains(c.Workloads, name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
