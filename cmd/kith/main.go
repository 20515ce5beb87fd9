// Command kith is Kith's one binary.
//
//	kith serve    serve the GraphQL API (applies migrations first)
//	kith migrate  apply database migrations
//	kith seed     load the demo neighbourhood, or a synthetic community with --people N
//	kith token    mint a development bearer token (--role, --area, --ttl)
//	kith research-copy  refresh the research copy (KITH_RESEARCH_URI) from the live graph
//	kith import   import a round of survey interviews (docs/import.md)
//	kith export   download a network export for Gephi, UCINET, Pajek, R or Python (docs/export.md)
//	kith bench    benchmark Kith against the raw driver and @neo4j/graphql
//
// Configuration comes from flags and the environment: NEO4J_URI (default
// bolt://127.0.0.1:7687; neo4j:// URIs route in a cluster), NEO4J_USER and NEO4J_PASSWORD
// (none: no authentication), NEO4J_DATABASE, KITH_ADDR (default 127.0.0.1:8080),
// KITH_REQUEST_TIMEOUT (default 10s), KITH_INTROSPECTION (default: true with a
// development secret), KITH_JWT_SECRET, KITH_JWT_PUBLIC_KEY or KITH_JWKS (which tokens are
// accepted; none: a random development secret), KITH_JWT_ISSUER, KITH_JWT_AUDIENCE,
// KITH_RESEARCH_URI (the research copy's Neo4j; KITH_RESEARCH_USER, KITH_RESEARCH_PASSWORD,
// KITH_RESEARCH_DATABASE), KITH_CORS_ORIGINS (browser origins allowed), KITH_PSEUDONYM_KEY, KITH_METRICS_ADDR (Prometheus metrics; none:
// not served) and OTEL_EXPORTER_OTLP_ENDPOINT (OpenTelemetry traces; none: off).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/paging"
	"kith/pseudonym"
	"kith/seed"
	"kith/server"
	"kith/telemetry"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, log, args)
	case "migrate":
		err = migrate(ctx, log, args)
	case "seed":
		err = seedCmd(ctx, log, args)
	case "reindex-search":
		err = reindexSearch(ctx, log, args)
	case "token":
		err = tokenCmd(args)
	case "bench":
		err = benchCmd(ctx, log, args)
	case "research-copy":
		err = researchCopyCmd(ctx, log, args)
	case "bench-identity":
		err = benchIdentityCmd(ctx, args)
	case "import":
		err = importCmd(ctx, log, args)
	case "export":
		err = exportCmd(ctx, args)
	case "schema":
		err = schemaCmd()
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "kith: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kith:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: kith <command> [flags]

commands:
  serve    serve the GraphQL API on KITH_ADDR (applies migrations first)
  migrate  apply database migrations
  seed     load the demo neighbourhood, or a synthetic community (--people N)
  reindex-search  rebuild the full-text search index (clears erased names from its files)
  token    mint a development token: --role R [--area A] [--ttl 12h] (needs KITH_JWT_SECRET)
  bench    benchmark Kith against the raw driver and @neo4j/graphql (see BENCHMARKS.md)
  research-copy  refresh the research copy (KITH_RESEARCH_URI) from the live graph
  bench-identity  identity matching on generated surveys, beside Splink (see BENCHMARKS.md)
  schema   print the GraphQL schema as SDL (the committed schema.graphql)
  import   import a round of survey interviews (Network Canvas export or roster; docs/import.md)
  export   download a network export: gexf, graphml, pajek, dl, dl-matrix, csv (docs/export.md)

Run "kith <command> -h" for a command's flags.
`)
}

// env returns the environment variable, or def when it is unset or empty.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// neo4jFlags are the connection flags every command shares.
type neo4jFlags struct {
	uri, user, password, database string
	// cursors seal the store's cursors; nil, a random key.
	cursors *paging.Codec
}

func (f *neo4jFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.uri, "neo4j-uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI (bolt:// or neo4j://)")
	fs.StringVar(&f.user, "neo4j-user", env("NEO4J_USER", ""), "Neo4j user (empty: no authentication)")
	fs.StringVar(&f.password, "neo4j-password", env("NEO4J_PASSWORD", ""), "Neo4j password")
	fs.StringVar(&f.database, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j database (empty: the server's default)")
}

// registerResearch registers the flags of the research copy's Neo4j: a database apart
// from the live one, which holds only what researchers and analysts may see.
func (f *neo4jFlags) registerResearch(fs *flag.FlagSet) {
	fs.StringVar(&f.uri, "research-uri", env("KITH_RESEARCH_URI", ""), "the research copy's Neo4j URI, a database apart from the live one (empty: no copy; /cypher then serves admins only)")
	fs.StringVar(&f.user, "research-user", env("KITH_RESEARCH_USER", ""), "the research copy's Neo4j user (empty: no authentication)")
	fs.StringVar(&f.password, "research-password", env("KITH_RESEARCH_PASSWORD", ""), "the research copy's Neo4j password")
	fs.StringVar(&f.database, "research-database", env("KITH_RESEARCH_DATABASE", ""), "the research copy's Neo4j database (empty: the server's default)")
}

// open connects to Neo4j, waiting up to a minute for it to answer, and returns a store
// reporting to tel (nil: to nothing).
func (f *neo4jFlags) open(ctx context.Context, log *slog.Logger, tel *telemetry.Telemetry) (*cypher.Store, func(), error) {
	auth := neo4j.NoAuth()
	if f.user != "" {
		auth = neo4j.BasicAuth(f.user, f.password, "")
	}
	driver, err := neo4j.NewDriverWithContext(f.uri, auth, cypher.ConfigureDriver)
	if err != nil {
		return nil, nil, fmt.Errorf("neo4j driver: %w", err)
	}
	closeDriver := func() { _ = driver.Close(context.Background()) }
	deadline := time.Now().Add(time.Minute)
	for {
		err = driver.VerifyConnectivity(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			closeDriver()
			return nil, nil, fmt.Errorf("neo4j at %s does not answer: %w", f.uri, err)
		}
		log.Info("waiting for neo4j", "uri", f.uri)
		time.Sleep(2 * time.Second)
	}
	return cypher.New(driver, cypher.Options{Database: f.database, Telemetry: tel, Cursors: f.cursors}), closeDriver, nil
}

func serve(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var nf neo4jFlags
	nf.register(fs)
	cfg := server.DefaultConfig()
	fs.StringVar(&cfg.Addr, "addr", env("KITH_ADDR", cfg.Addr), "listen address")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", durationEnv("KITH_REQUEST_TIMEOUT", cfg.RequestTimeout), "deadline of each request")
	fs.Int64Var(&cfg.MaxUploadBytes, "import-max-bytes", int64(intEnv("KITH_IMPORT_MAX_BYTES", int(cfg.MaxUploadBytes))), "largest survey file importSurvey accepts")
	fs.DurationVar(&cfg.ImportTimeout, "import-timeout", durationEnv("KITH_IMPORT_TIMEOUT", cfg.ImportTimeout), "deadline of an importSurvey upload")
	fs.DurationVar(&cfg.ExportTimeout, "export-timeout", durationEnv("KITH_EXPORT_TIMEOUT", cfg.ExportTimeout), "deadline of a GET /export")
	var af authFlags
	af.register(fs)
	registerLimits(fs, &cfg)
	var rf neo4jFlags
	rf.registerResearch(fs)
	pseudonymKey := registerPseudonymKey(fs)
	demo := fs.Bool("demo-if-empty", false, "load the demo neighbourhood when the database is empty")
	refresh := fs.Bool("refresh-research-copy", false, "refresh the research copy before serving (needs --research-uri)")
	var tf telemetryFlags
	tf.register(fs)
	var df dashboardFlags
	df.register(fs)
	_ = fs.Parse(args)
	tuneGC()
	if err := df.apply(&cfg); err != nil {
		return err
	}
	devSecret, err := af.verifier(&cfg)
	if err != nil {
		return err
	}
	if err := cfg.CheckPrivacy(); err != nil {
		return err
	}
	if cfg.Pseudonyms, err = pseudonymKeys(log, *pseudonymKey); err != nil {
		return err
	}
	if *pseudonymKey != "" {
		cfg.BookmarkKey = server.BookmarkKey([]byte(*pseudonymKey))
		if nf.cursors, err = paging.NewCodec([]byte(*pseudonymKey)); err != nil {
			return err
		}
	} else {
		log.Warn("without KITH_PSEUDONYM_KEY, Kith-Bookmark headers and cursors are good on this instance only")
	}

	tel, err := tf.open(ctx)
	if err != nil {
		return err
	}
	log.Info("telemetry", "tracing", tel.Tracing(), "metrics", tf.metricsAddr != "")
	defer func() {
		// Spans of the last requests are sent within 5 seconds, or dropped.
		flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(flush); err != nil {
			log.Warn("traces not sent at shutdown", "error", err.Error())
		}
	}()
	cfg.Telemetry = tel
	store, closeStore, err := nf.open(ctx, log, tel)
	if err != nil {
		return err
	}
	defer closeStore()
	if rf.uri != "" {
		research, closeResearch, err := rf.open(ctx, log, tel)
		if err != nil {
			return fmt.Errorf("research copy: %w", err)
		}
		defer closeResearch()
		cfg.ResearchStore = research
	} else if *refresh {
		return errors.New("--refresh-research-copy needs --research-uri (KITH_RESEARCH_URI)")
	}
	if err := applyMigrations(ctx, log, store); err != nil {
		return err
	}
	if *demo {
		empty, err := store.IsEmpty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if err := seed.Demo().Load(ctx, store, log); err != nil {
				return err
			}
		}
	}
	if devSecret != nil {
		if cfg.DevTokens, err = af.devTokens(ctx, store, devSecret); err != nil {
			return err
		}
	}
	// The composition root: the store and research store above; the matcher, and the
	// resolvers, analysis service, research copy and caches over them here; the server below.
	if cfg.Matcher, err = newMatcher(); err != nil {
		return err
	}
	cfg.Parts = server.Compose(cfg, store)
	srv := server.New(cfg, store, log)
	if *refresh {
		st, err := srv.ResearchCopy().Refresh(ctx)
		if err != nil {
			return fmt.Errorf("research copy: %w", err)
		}
		log.Info("research copy refreshed", "people", st.People, "nodes", st.Nodes, "ties", st.Ties)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	tokens := ""
	if cfg.DevTokens != nil {
		tokens = devBanner(cfg.DevTokens, ln.Addr().String())
	}
	metricsCtx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	metrics := make(chan error, 1)
	if tf.metricsAddr != "" {
		mln, err := net.Listen("tcp", tf.metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		go func() { metrics <- srv.ServeMetrics(metricsCtx, mln) }()
		tokens += fmt.Sprintf("Metrics:  http://%s/metrics (no token: keep this address private)\n", mln.Addr())
	} else {
		close(metrics)
	}
	fmt.Printf(`
Kith is serving GraphQL on http://%[1]s/graphql
%[3]s  Try:      { people(first: 5) { totalCount nodes { displayName area { name } memberships { group { name } } } } }
  Search:   { search(text: "knit") { node { __typename ... on Group { name meetsAt { name } } } } }
  Health:   http://%[1]s/healthz and /readyz. Stop with Ctrl-C.

%[2]s
`, ln.Addr(), tokens, browserBanner(cfg, ln.Addr().String()))
	err = srv.Serve(ctx, ln)
	stopMetrics()
	return errors.Join(err, <-metrics)
}

// registerPseudonymKey registers the secret analysts' and researchers' ids derive from.
func registerPseudonymKey(fs *flag.FlagSet) *string {
	return fs.String("pseudonym-key", env("KITH_PSEUDONYM_KEY", ""), "secret (at least 32 bytes) from which analysts' and researchers' ids are derived; none: a random one, so their ids change at each start")
}

// pseudonymKeys returns the keys of the secret, or random keys (with a warning) without one.
func pseudonymKeys(log *slog.Logger, secret string) (*pseudonym.Keys, error) {
	if secret == "" {
		log.Warn("KITH_PSEUDONYM_KEY is not set: analysts' and researchers' ids change at each start")
		return pseudonym.Random(), nil
	}
	return pseudonym.New([]byte(secret))
}

// researchCopyCmd refreshes the research copy from the live graph, as the admin mutation
// refreshResearchCopy does, and prints what it holds.
func researchCopyCmd(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("research-copy", flag.ExitOnError)
	var nf, rf neo4jFlags
	nf.register(fs)
	rf.registerResearch(fs)
	pseudonymKey := registerPseudonymKey(fs)
	_ = fs.Parse(args)
	if rf.uri == "" {
		return errors.New("research-copy needs --research-uri (KITH_RESEARCH_URI), the research copy's Neo4j")
	}
	keys, err := pseudonymKeys(log, *pseudonymKey)
	if err != nil {
		return err
	}
	live, closeLive, err := nf.open(ctx, log, nil)
	if err != nil {
		return err
	}
	defer closeLive()
	research, closeResearch, err := rf.open(ctx, log, nil)
	if err != nil {
		return fmt.Errorf("research copy: %w", err)
	}
	defer closeResearch()
	st, err := cypher.NewResearchCopy(live, research, keys).Refresh(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("research copy refreshed at %s: %d people, %d nodes, %d ties\n", st.CopiedAt.Format(time.RFC3339), st.People, st.Nodes, st.Ties)
	return nil
}

// telemetryFlags say where metrics are served and traces sent.
type telemetryFlags struct {
	metricsAddr, otlpEndpoint string
}

func (f *telemetryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.metricsAddr, "metrics-addr", env("KITH_METRICS_ADDR", ""),
		"listen address of the Prometheus metrics (GET /metrics), apart from the API; empty: not served")
	fs.StringVar(&f.otlpEndpoint, "otlp-endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
		"base URL of an OTLP/HTTP collector that traces are sent to (its /v1/traces); empty: tracing off unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set")
}

// open makes the Telemetry of kith serve. The standard OTEL_* variables apply: the
// exporter's (headers, timeout, compression, certificates), OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and OTEL_SDK_DISABLED.
func (f *telemetryFlags) open(ctx context.Context) (*telemetry.Telemetry, error) {
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
	}
	return telemetry.New(ctx, telemetry.Config{
		OTLPEndpoint:       f.otlpEndpoint,
		OTLPTracesEndpoint: os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
		Disabled:           strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true"),
		ServiceVersion:     version,
	})
}

func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func applyMigrations(ctx context.Context, log *slog.Logger, store *cypher.Store) error {
	applied, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("migrations", "applied", applied)
	return nil
}

// storeCommand parses the flags of a command that needs only the live store, and opens it.
func storeCommand(ctx context.Context, log *slog.Logger, name string, args []string) (*cypher.Store, func(), error) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	var nf neo4jFlags
	nf.register(fs)
	_ = fs.Parse(args)
	return nf.open(ctx, log, nil)
}

func migrate(ctx context.Context, log *slog.Logger, args []string) error {
	store, closeStore, err := storeCommand(ctx, log, "migrate", args)
	if err != nil {
		return err
	}
	defer closeStore()
	return applyMigrations(ctx, log, store)
}

// reindexSearch rebuilds the full-text index behind search, so that the names of people
// erased since are gone from its files on disk (search fails while it fills).
func reindexSearch(ctx context.Context, log *slog.Logger, args []string) error {
	store, closeStore, err := storeCommand(ctx, log, "reindex-search", args)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := store.RebuildSearchIndex(ctx); err != nil {
		return err
	}
	log.Info("search index rebuilt", "index", cypher.SearchIndex)
	return nil
}

func seedCmd(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var nf neo4jFlags
	nf.register(fs)
	people := fs.Int("people", 0, "generate a synthetic community of about N people instead of the demo neighbourhood")
	rngSeed := fs.Uint64("seed", 1, "random seed of the synthetic community")
	_ = fs.Parse(args)
	if *people < 0 {
		return errors.New("--people must not be negative")
	}
	store, closeStore, err := nf.open(ctx, log, nil)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := applyMigrations(ctx, log, store); err != nil {
		return err
	}
	g := seed.Demo()
	if *people > 0 {
		g = seed.Synthetic(*people, *rngSeed)
	}
	return g.Load(ctx, store, log)
}

// gcPercent and memoryLimit are the garbage collector's settings for kith serve when GOGC
// and GOMEMLIMIT leave them unset. A request allocates much and keeps little, so the heap
// may grow to five times what is live between collections (a quarter less CPU per batch
// create or page than Go's default of 100, measured with BenchmarkKithInProcess); the limit
// makes the collector work harder instead once the heap nears 1 GiB (a large analysis).
const (
	gcPercent   = 400
	memoryLimit = 1 << 30
)

// tuneGC applies gcPercent and memoryLimit unless GOGC or GOMEMLIMIT are set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
