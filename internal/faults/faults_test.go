//go:build faults

// Package faults is Kith's fault and abuse suite: it runs the real binary against a Neo4j
// of its own on loopback, attacks it the ways a careless or hostile client would, kills
// Neo4j and Kith with SIGKILL under write load, and reports what held (RELIABILITY.md).
// Every loop is bounded in count and time. Run it with `make test-faults`.
package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
)

const (
	neo4jPort = "7760"
	kithAddr  = "127.0.0.1:18090"
	secret    = "kith-faults-secret-kith-faults-secret"
	people    = 5000
)

// suite holds the processes under test.
type suite struct {
	t        *testing.T
	root     string
	state    string
	kith     *exec.Cmd
	kithLog  *os.File
	peakRSS  int64 // kB, the highest VmHWM of the Kith processes seen
	tokens   map[string]string
	report   []string
	driver   neo4j.DriverWithContext
	neo4jURI string
}

func (s *suite) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	s.report = append(s.report, line)
	s.t.Log(line)
}

func (s *suite) run(name string, args []string, env ...string) {
	s.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = s.root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func (s *suite) startNeo4j() {
	s.run("./dev/localneo4j/start.sh", nil, "KITH_NEO4J_PORT="+neo4jPort, "KITH_STATE_DIR="+s.state)
}

func (s *suite) killNeo4j() {
	raw, err := os.ReadFile(filepath.Join(s.state, "neo4j.pid"))
	if err != nil {
		s.t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	_ = os.Remove(filepath.Join(s.state, "neo4j.pid"))
}

func (s *suite) startKith() {
	s.kith = exec.Command(filepath.Join(s.root, "bin/kith"), "serve")
	s.kith.Dir = s.root
	s.kith.Env = append(os.Environ(), "NEO4J_URI="+s.neo4jURI, "KITH_ADDR="+kithAddr, "KITH_JWT_SECRET="+secret,
		"KITH_RATE_LIMIT=0", "KITH_PSEUDONYM_KEY="+secret)
	s.kith.Stdout, s.kith.Stderr = s.kithLog, s.kithLog
	if err := s.kith.Start(); err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if resp, err := http.Get("http://" + kithAddr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatal("kith did not become ready")
}

// sampleRSS notes Kith's peak resident memory so far.
func (s *suite) sampleRSS() {
	if s.kith == nil || s.kith.Process == nil {
		return
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.kith.Process.Pid))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			s.peakRSS = max(s.peakRSS, kb)
		}
	}
}

func (s *suite) killKith() {
	s.sampleRSS()
	_ = s.kith.Process.Signal(syscall.SIGKILL)
	_, _ = s.kith.Process.Wait()
}

func (s *suite) stopKith() {
	s.sampleRSS()
	_ = s.kith.Process.Signal(syscall.SIGTERM)
	_, _ = s.kith.Process.Wait()
}

// answer is one response, as the suite reads it.
type answer struct {
	status  int
	code    string
	message string
	took    time.Duration
}

var client = &http.Client{Timeout: 30 * time.Second}

func (s *suite) post(role, body string) answer {
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, "http://"+kithAddr+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	resp, err := client.Do(req)
	if err != nil {
		return answer{status: -1, message: err.Error(), took: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, took: time.Since(start)}
	var r struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	_ = json.Unmarshal(raw, &r)
	if len(r.Errors) > 0 {
		a.code, _ = r.Errors[0].Extensions["code"].(string)
		a.message = r.Errors[0].Message
	}
	return a
}

func gql(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func TestFaults(t *testing.T) {
	root, _ := filepath.Abs("../..")
	s := &suite{t: t, root: root, state: filepath.Join(root, ".kith/faults"), tokens: map[string]string{},
		neo4jURI: "bolt://127.0.0.1:" + neo4jPort}
	_ = os.RemoveAll(s.state)
	if err := os.MkdirAll(s.state, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	s.kithLog, err = os.Create(filepath.Join(s.state, "kith.log"))
	if err != nil {
		t.Fatal(err)
	}
	s.run("go", []string{"build", "-o", "bin/kith", "./cmd/kith"})
	s.startNeo4j()
	t.Cleanup(func() {
		if s.kith != nil && s.kith.ProcessState == nil {
			s.stopKith()
		}
		s.run("./dev/localneo4j/stop.sh", nil, "KITH_STATE_DIR="+s.state)
		t.Logf("RELIABILITY figures (%s, %d cores):\n%s", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), strings.Join(s.report, "\n"))
	})
	s.run("bin/kith", []string{"seed", "--people", strconv.Itoa(people)}, "NEO4J_URI="+s.neo4jURI)
	s.driver, err = neo4j.NewDriverWithContext(s.neo4jURI, neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer s.driver.Close(context.Background())
	for _, r := range []string{"admin", "abuser", "worker"} {
		role := auth.Admin
		tok, err := auth.MintHS256([]byte(secret), auth.Grant{Subject: "faults-" + r, Roles: []auth.Role{role},
			Issuer: "kith", Audience: "kith-api", TTL: time.Hour}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[r] = tok
	}
	s.startKith()
	s.attacks()
	s.fairUse()
	s.killUnderLoad("Neo4j", s.killNeo4j, s.startNeo4j)
	s.killUnderLoad("Kith", s.killKith, s.startKith)
	s.sampleRSS()
	s.logf("Kith's peak resident memory over the suite: %d MB (GOMEMLIMIT 1 GiB)", s.peakRSS/1024)
	if s.peakRSS > 1<<20 {
		t.Errorf("Kith's peak RSS %d kB is past its 1 GiB soft limit", s.peakRSS)
	}
}

// attacks sends the requests that once kept Kith busy for minutes, or answered wrongly.
func (s *suite) attacks() {
	var bomb strings.Builder
	bomb.WriteString("query { ...F30 }\nfragment F0 on Query { __typename }\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&bomb, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	var ego strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&ego, " a%d: egoNetwork(id: \"per_00000000000000000000\", hops: 3, maxNodes: 2000) { truncated }", i)
	}
	cases := []struct {
		name, body, want string
	}{
		{"30 levels of fragments spreading the one before twice (2^30 fields)", gql(bomb.String(), nil), "BAD_USER_INPUT"},
		{"{ __typename } 20,000 times", gql("{"+strings.Repeat(" __typename", 20_000)+" }", nil), "BAD_USER_INPUT"},
		{"{ __typename } 12,000 times", gql("{"+strings.Repeat(" __typename", 12_000)+" }", nil), "BAD_USER_INPUT"},
		{"1,000 aliases of egoNetwork(hops: 3, maxNodes: 2000)", gql("{"+ego.String()+" }", nil), "BAD_USER_INPUT"},
		{"a forged cursor kith:4611686018427387904", gql(`{ people(after: "a2l0aDo0NjExNjg2MDE4NDI3Mzg3OTA0") { totalCount } }`, nil), "BAD_USER_INPUT"},
		{"invalid UTF-8 in a name", `{"query":"mutation { createPeople(input: [{displayName: \"B` + "\xff" + `b\"}]) { id } }"}`, "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		a := s.post("abuser", c.body)
		s.logf("attack: %s: HTTP %d %s in %v", c.name, a.status, a.code, a.took.Round(time.Millisecond))
		if a.code != c.want || a.took > 2*time.Second {
			s.t.Errorf("%s: %+v, want %s at once", c.name, a, c.want)
		}
	}
}

// fairUse measures a normal client's latency alone, then while another token sends heavy
// reads as fast as it can.
func (s *suite) fairUse() {
	var ids []string
	res, err := neo4j.ExecuteQuery(context.Background(), s.driver, "MATCH (p:Person) RETURN p.id ORDER BY p.id LIMIT 150", nil, neo4j.EagerResultTransformer)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range res.Records {
		ids = append(ids, r.Values[0].(string))
	}
	normal := func(n int) []time.Duration {
		var took []time.Duration
		for i := 0; i < n; i++ {
			a := s.post("worker", gql(`query($id: ID!) { node(id: $id) { id label ties(first: 20) { kind } } }`, map[string]any{"id": ids[i%len(ids)]}))
			if a.code != "" {
				s.t.Errorf("normal client: %+v", a)
			}
			took = append(took, a.took)
		}
		return took
	}
	normal(50) // warm
	alone := normal(300)
	var heavy strings.Builder
	for i, id := range ids[:100] {
		fmt.Fprintf(&heavy, " a%d: egoNetwork(id: %q, hops: 3, maxNodes: 1000) { nodes { hops node { id } } }", i, id)
	}
	body := gql("{"+heavy.String()+" }", nil)
	var sent, refused atomic.Int64
	stop := load(4, func() {
		a := s.post("abuser", body)
		sent.Add(1)
		if a.code != "" {
			refused.Add(1)
		}
	})
	time.Sleep(time.Second)
	loaded := normal(300)
	stop()
	s.sampleRSS()
	s.logf("fair use: normal client alone p50 %v p99 %v; beside an abusive token (4 connections, %d requests of 100 ego networks, %d refused) p50 %v p99 %v (%.1f× its p99 alone)",
		percentile(alone, .5).Round(100*time.Microsecond), percentile(alone, .99).Round(100*time.Microsecond),
		sent.Load(), refused.Load(), percentile(loaded, .5).Round(100*time.Microsecond), percentile(loaded, .99).Round(100*time.Microsecond),
		float64(percentile(loaded, .99))/float64(percentile(alone, .99)))
	// The target is 2× (RELIABILITY.md reports each run); on a 2-core machine the ratio
	// swings between runs, so the suite fails only well past it, as it did before the
	// statements per token were bounded (9×).
	if ratio := float64(percentile(loaded, .99)) / float64(percentile(alone, .99)); ratio > 3 {
		s.t.Errorf("the normal client's p99 beside an abusive token is %.1f× its p99 alone", ratio)
	}
}

// load runs send in a loop on each of workers goroutines until the returned stop is
// called, which waits for them.
func load(workers int, send func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				send()
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

// killUnderLoad kills a process with SIGKILL while writers create people, starts it
// again, and counts the acknowledged creates that are not stored.
func (s *suite) killUnderLoad(what string, kill, restart func()) {
	var mu sync.Mutex
	acked := map[string]bool{}
	var failures []answer
	var next atomic.Int64
	stop := load(4, func() {
		var input []map[string]any
		var keys []string
		for i := 0; i < 10; i++ {
			k := fmt.Sprintf("fault-%s-%d", what, next.Add(1))
			keys = append(keys, k)
			input = append(input, map[string]any{"externalId": k, "displayName": "Fault " + k})
		}
		a := s.post("admin", gql(`mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }`, map[string]any{"in": input}))
		mu.Lock()
		if a.status == http.StatusOK && a.code == "" {
			for _, k := range keys {
				acked[k] = true
			}
		} else {
			failures = append(failures, a)
		}
		mu.Unlock()
		if a.status != http.StatusOK || a.code != "" {
			time.Sleep(20 * time.Millisecond) // as a client would: do not spin
		}
	})
	ackedNow := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	// Writes flow before the kill, and again after the restart, before the count.
	waitForWrites := func(more int) time.Duration {
		start, base := time.Now(), ackedNow()
		for ackedNow() < base+more && time.Since(start) < time.Minute {
			time.Sleep(10 * time.Millisecond)
		}
		return time.Since(start)
	}
	waitForWrites(200)
	time.Sleep(time.Second)
	kill()
	killedAt := time.Now()
	time.Sleep(4 * time.Second)
	restart()
	restarted := time.Since(killedAt)
	resumed := waitForWrites(200)
	time.Sleep(time.Second)
	stop()
	var keys []string
	for k := range acked {
		keys = append(keys, k)
	}
	res, err := neo4j.ExecuteQuery(context.Background(), s.driver, "MATCH (p:Person) WHERE p.externalId IN $keys RETURN count(p)",
		map[string]any{"keys": keys}, neo4j.EagerResultTransformer)
	if err != nil {
		s.t.Fatal(err)
	}
	stored := res.Records[0].Values[0].(int64)
	codes := map[string]int{}
	var unavailable []time.Duration
	for _, f := range failures {
		c := f.code
		if c == "" {
			c = fmt.Sprintf("HTTP %d", f.status)
		}
		codes[c]++
		if f.code == "UNAVAILABLE" {
			unavailable = append(unavailable, f.took)
		}
	}
	s.logf("kill -9 of %s under write load: %d people acknowledged, %d of them stored (lost: %d); up again %v after the kill, writes acknowledged again %v later; failed requests by code %v; UNAVAILABLE answered in p50 %v, p99 %v",
		what, len(keys), stored, int64(len(keys))-stored, restarted.Round(100*time.Millisecond), resumed.Round(100*time.Millisecond), codes,
		percentile(unavailable, .5).Round(time.Millisecond), percentile(unavailable, .99).Round(time.Millisecond))
	if stored != int64(len(keys)) {
		s.t.Errorf("%d acknowledged writes lost when %s was killed", int64(len(keys))-stored, what)
	}
	if codes["INTERNAL"] > 0 {
		s.t.Errorf("%d writes answered INTERNAL while %s was down", codes["INTERNAL"], what)
	}
}
