package linkbench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kith/identity"
	"kith/identity/gensurvey"
)

// Result is one matcher's run on one survey.
type Result struct {
	Matcher  string
	Mentions int
	Elapsed  time.Duration
	// CPU is the processor time (user and system, all threads) the matching took: on a
	// machine shared with other work it says more than the elapsed time.
	CPU     time.Duration
	Quality Quality
	// Linked, Queued and New count Kith's decisions (zero for Splink).
	Linked, Queued, New int
}

// RunKith resolves the survey's mentions with Kith's engine in one batch, with no one
// known beforehand, and scores the clusters.
func RunKith(s *gensurvey.Survey, cfg identity.Config) Result {
	e := identity.NewEngine(cfg)
	n := 0
	in := identity.Input{
		Neighbours: func(a string) []string { return s.Neighbours[a] },
		NewID:      func(string) string { n++; return "k" + strconv.Itoa(n) },
	}
	start, cpu := time.Now(), cpuTime()
	ds := e.Resolve(in, s.Mentions)
	r := Result{Matcher: "Kith", Mentions: len(s.Mentions), Elapsed: time.Since(start), CPU: cpuTime() - cpu}
	pred := make(map[string]string, len(ds))
	for i, d := range ds {
		pred[s.Mentions[i].SourceKey] = d.PersonID
		switch d.Kind {
		case identity.Linked:
			r.Linked++
		case identity.Queued:
			r.Queued++
		default:
			r.New++
		}
	}
	r.Quality = Score(pred, s.Truth)
	return r
}

//go:embed splink_bench.py
var splinkScript []byte

// RunSplink writes the survey's mentions as a table (the name split into first name and
// surname as a typical register would, with area, age band, household and role), runs
// Splink with python, and scores its clusters. The time is Splink's own (training,
// prediction, clustering), as the script measures it.
func RunSplink(ctx context.Context, python, dir string, s *gensurvey.Survey) (Result, error) {
	in := filepath.Join(dir, "mentions.csv")
	out := filepath.Join(dir, "clusters.csv")
	script := filepath.Join(dir, "splink_bench.py")
	if err := os.WriteFile(script, splinkScript, 0o600); err != nil {
		return Result{}, err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"unique_id", "first_name", "surname", "area", "age_band", "household", "role"})
	for _, m := range s.Mentions {
		first, last := splitName(m.Name)
		_ = w.Write([]string{m.SourceKey, first, last, m.AreaID, m.AgeBand, m.Household, strings.ToLower(m.Role)})
	}
	w.Flush()
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		return Result{}, err
	}
	cmd := exec.CommandContext(ctx, python, script, in, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return Result{}, fmt.Errorf("splink: %w: %s", err, tail(stderr.String()))
	}
	var secs, cpu float64
	if _, err := fmt.Sscan(string(stdout), &secs, &cpu); err != nil {
		return Result{}, fmt.Errorf("splink: times %q: %w", stdout, err)
	}
	f, err := os.Open(out)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Result{}, err
	}
	pred := map[string]string{}
	for _, row := range rows[1:] {
		pred[row[0]] = row[1]
	}
	return Result{Matcher: "Splink", Mentions: len(s.Mentions), Elapsed: time.Duration(secs * float64(time.Second)),
		CPU: time.Duration(cpu * float64(time.Second)), Quality: Score(pred, s.Truth)}, nil
}

// splitName splits a name as given into a first name and a surname the way a spreadsheet
// column split would: first word and last word, titles and "the" dropped.
func splitName(name string) (string, string) {
	var words []string
	for _, w := range strings.Fields(name) {
		switch strings.ToLower(strings.Trim(w, ".")) {
		case "mr", "mrs", "ms", "miss", "dr", "the", "my", "next", "door":
			continue
		}
		words = append(words, w)
	}
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		if strings.Contains(strings.ToLower(name), "mr") || strings.Contains(name, "Dr") || strings.Contains(name, "Miss") {
			return "", words[0]
		}
		return words[0], ""
	}
	return words[0], words[len(words)-1]
}

// cpuTime is the processor time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
