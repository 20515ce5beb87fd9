package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/internal/boltcount"
)

// The systems a run compares.
const (
	sysRaw          = "raw"
	sysKith         = "kith"
	sysNeo4jGraphQL = "neo4jgraphql"
)

// systemNames lists the systems in the order results are shown.
func systemNames() []string { return []string{sysRaw, sysKith, sysNeo4jGraphQL} }

// systemTitle is how a system is named in reports.
func systemTitle(name string) string {
	switch name {
	case sysRaw:
		return "raw driver"
	case sysKith:
		return "Kith"
	case sysNeo4jGraphQL:
		return "@neo4j/graphql"
	}
	return name
}

// system is one way of serving the workloads, with the proxy that counts its statements.
type system struct {
	name  string
	proxy *boltcount.Proxy
	// raw: a driver through the proxy.
	driver   neo4j.DriverWithContext
	database string
	// kith and neo4jgraphql: a server process and its GraphQL endpoint.
	proc *process
	url  string
	http *http.Client
	// token is the bearer token sent with every request (Kith).
	token string
	// startPeak is the process's peak memory before the first measurement (start-up).
	startPeak int64
}

// stop ends the system's process or driver, then its proxy.
func (s *system) stop() {
	if s.proc != nil {
		s.proc.stop()
	}
	if s.driver != nil {
		_ = s.driver.Close(context.Background())
	}
	if s.http != nil {
		s.http.CloseIdleConnections()
	}
	if s.proxy != nil {
		_ = s.proxy.Close()
	}
}

// newHTTPClient returns a client that keeps one connection per worker alive and never
// leaves the loopback interface (the URLs it is given are loopback ones).
func newHTTPClient(concurrency int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns:        2 * concurrency,
			MaxIdleConnsPerHost: 2 * concurrency,
			IdleConnTimeout:     5 * time.Minute,
			DisableCompression:  true,
			Proxy:               nil,
		},
	}
}

// startRaw connects a driver to Neo4j through a counting proxy.
func startRaw(ctx context.Context, db *database) (*system, error) {
	proxy, err := boltcount.Start(db.uri)
	if err != nil {
		return nil, err
	}
	d, err := neo4j.NewDriverWithContext(proxy.URI(), db.auth())
	if err == nil {
		err = d.VerifyConnectivity(ctx)
	}
	if err != nil {
		_ = proxy.Close()
		return nil, fmt.Errorf("raw driver: %w", err)
	}
	return &system{name: sysRaw, proxy: proxy, driver: d, database: db.name}, nil
}

// startKith runs `kith serve` as a subprocess on a free loopback port, talking to Neo4j
// through a counting proxy. It accepts tokens signed with a secret made for this run, and
// the harness sends one for an admin: authentication is on, as in production, but the
// per-token rate limit is off, and the statements one token may run at once are the load's
// concurrency, since one token sends all the load (in production each client has its own).
// Its poll of revocations (10 small statements a second, whatever the load) is made
// hourly, or the proxy would never be quiet between bursts (quiesce).
func startKith(ctx context.Context, cfg *Config, db *database, logDir string) (*system, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	secretText := hex.EncodeToString(secret)
	const issuer, audience = "kith-bench", "kith-api"
	token, err := auth.MintHS256([]byte(secretText), auth.Grant{Subject: "kith-bench", Roles: []auth.Role{auth.Admin},
		Issuer: issuer, Audience: audience, TTL: 24 * time.Hour}, time.Now())
	if err != nil {
		return nil, fmt.Errorf("mint a token for kith: %w", err)
	}
	proxy, err := boltcount.Start(db.uri)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.Executable, "serve", "--neo4j-uri", proxy.URI(), "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "NEO4J_USER="+db.user, "NEO4J_PASSWORD="+db.password, "NEO4J_DATABASE="+db.name,
		"KITH_JWT_SECRET="+secretText, "KITH_JWT_ISSUER="+issuer, "KITH_JWT_AUDIENCE="+audience,
		"KITH_JWT_PUBLIC_KEY=", "KITH_JWKS=", "KITH_RATE_LIMIT=0", "KITH_INTROSPECTION=true",
		"KITH_MAX_STATEMENTS_PER_TOKEN="+strconv.Itoa(max(cfg.Concurrency, 2)), "KITH_STATE_POLL=1h")
	proc, url, err := startProcess(ctx, "kith serve", cmd, filepath.Join(logDir, "kith.log"),
		regexp.MustCompile(`serving GraphQL on (http://\S+/graphql)`), 2*time.Minute)
	if err != nil {
		_ = proxy.Close()
		return nil, err
	}
	return &system{name: sysKith, proxy: proxy, proc: proc, url: url, token: token,
		http: newHTTPClient(cfg.Concurrency, cfg.RequestTimeout)}, nil
}

// startNeo4jGraphQL installs (npm ci, when package-lock.json changed) and runs the
// @neo4j/graphql server in bench/neo4jgraphql on a free loopback port, talking to Neo4j
// through a counting proxy.
func startNeo4jGraphQL(ctx context.Context, cfg *Config, db *database, logDir string, log *slog.Logger) (*system, error) {
	dir := filepath.Join(cfg.Root, "internal", "bench", "neo4jgraphql")
	if err := npmInstall(ctx, dir, log); err != nil {
		return nil, err
	}
	proxy, err := boltcount.Start(db.uri)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NEO4J_URI="+proxy.URI(), "NEO4J_USER="+db.user, "NEO4J_PASSWORD="+db.password,
		"NEO4J_DATABASE="+db.name, "PORT=0", "NODE_ENV=production")
	proc, url, err := startProcess(ctx, "@neo4j/graphql server", cmd, filepath.Join(logDir, "neo4jgraphql.log"),
		regexp.MustCompile(`listening on (http://\S+/graphql)`), 2*time.Minute)
	if err != nil {
		_ = proxy.Close()
		return nil, err
	}
	return &system{name: sysNeo4jGraphQL, proxy: proxy, proc: proc, url: url, http: newHTTPClient(cfg.Concurrency, cfg.RequestTimeout)}, nil
}

// npmInstall runs `npm ci` in dir unless node_modules was installed from the same
// package-lock.json.
func npmInstall(ctx context.Context, dir string, log *slog.Logger) error {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return fmt.Errorf("@neo4j/graphql server: %w", err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".kith-bench-lock.sha256")
	if got, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(got)) == want {
		return nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("@neo4j/graphql server: npm is not installed (Node 20 or newer is needed; Debian: apt-get install nodejs npm), or run with --systems raw,kith")
	}
	log.Info("installing @neo4j/graphql (npm ci)", "dir", dir)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return os.WriteFile(stamp, []byte(want+"\n"), 0o644)
}

// gqlRequest is a GraphQL request body.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlError is the part of a GraphQL error the benchmark reports.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

func (e gqlError) String() string {
	if e.Extensions.Code != "" {
		return e.Extensions.Code + ": " + e.Message
	}
	return e.Message
}

// post sends a GraphQL request and returns the response body; a non-200 status or an
// errors entry is an error.
func (s *system) post(ctx context.Context, req gqlRequest) ([]byte, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/graphql-response+json, application/json")
	if s.token != "" {
		hreq.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.http.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var parsed struct {
		Errors []gqlError `json:"errors"`
	}
	jerr := json.Unmarshal(out, &parsed)
	if len(parsed.Errors) > 0 {
		return out, fmt.Errorf("HTTP %d: %s", resp.StatusCode, parsed.Errors[0])
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	if jerr != nil {
		return out, fmt.Errorf("response is not JSON: %w", jerr)
	}
	return out, nil
}

// cypherRequest is one statement for the raw driver, in a read or a write transaction.
type cypherRequest struct {
	query  string
	params map[string]any
	write  bool
}

// run sends one statement and collects its records, as a careful hand-written client
// would: a read as an auto-commit transaction (one round trip), tried again after a pause
// when Neo4j calls the error retryable (as Kith does), and a write in a transaction function.
func (s *system) run(ctx context.Context, req cypherRequest) ([]*neo4j.Record, error) {
	mode := neo4j.AccessModeRead
	if req.write {
		mode = neo4j.AccessModeWrite
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.database, AccessMode: mode})
	defer sess.Close(context.WithoutCancel(ctx))
	if !req.write {
		for attempt := 1; ; attempt++ {
			res, err := sess.Run(ctx, req.query, req.params)
			var recs []*neo4j.Record
			if err == nil {
				recs, err = res.Collect(ctx)
			}
			if err == nil || attempt == 5 || !neo4j.IsRetryable(err) {
				return recs, err
			}
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(time.Duration(attempt*attempt) * 20 * time.Millisecond):
			}
		}
	}
	res, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, req.query, req.params)
		if err != nil {
			return nil, err
		}
		return res.Collect(ctx)
	})
	if err != nil {
		return nil, err
	}
	return res.([]*neo4j.Record), nil
}

// result is what one request returned, for the equivalence check.
type result struct {
	body    []byte          // GraphQL systems
	records []*neo4j.Record // raw
}

// do sends request i of workload w.
func (s *system) do(ctx context.Context, w *workload, in *inputs, i int) (result, error) {
	switch s.name {
	case sysRaw:
		recs, err := s.run(ctx, w.raw(in, i))
		return result{records: recs}, err
	case sysKith:
		body, err := s.post(ctx, w.kith(in, i))
		return result{body: body}, err
	default:
		body, err := s.post(ctx, w.neo4jGraphQL(in, i))
		return result{body: body}, err
	}
}

// has reports whether the system runs workload w.
func (s *system) has(w *workload) bool {
	switch s.name {
	case sysRaw:
		return w.raw != nil
	case sysKith:
		return w.kith != nil
	default:
		return w.neo4jGraphQL != nil
	}
}

// rootFields returns the names of the Query and Mutation fields of a GraphQL server,
// through introspection.
func (s *system) rootFields(ctx context.Context) (map[string]bool, error) {
	body, err := s.post(ctx, gqlRequest{Query: `{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`})
	if err != nil {
		return nil, fmt.Errorf("introspect %s: %w", systemTitle(s.name), err)
	}
	var r struct {
		Data struct {
			Schema struct {
				QueryType, MutationType struct {
					Fields []struct{ Name string }
				}
			} `json:"__schema"`
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range append(r.Data.Schema.QueryType.Fields, r.Data.Schema.MutationType.Fields...) {
		out[f.Name] = true
	}
	return out, nil
}
