package linkbench

import (
	"context"
	"fmt"
	"strings"

	"kith/identity"
	"kith/identity/gensurvey"
)

// Options say what Run measures.
type Options struct {
	Sizes     []int
	Seed      uint64
	Config    identity.Config
	Python    string // with Splink; empty: Kith only
	SplinkMax int    // Splink runs on surveys up to this many respondents
	Dir       string // for Splink's files
}

// Run generates a survey per size, resolves it with Kith (and Splink, within SplinkMax)
// and returns a Markdown table of times and scores.
func Run(ctx context.Context, o Options) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "| respondents | mentions | people | matcher | time (CPU) | pairwise P / R / F1 | B-cubed P / R / F1 | linked / queued / new |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|\n")
	row := func(n int, s *gensurvey.Survey, r Result) {
		q := r.Quality
		dec := "—"
		if r.Matcher == "Kith" {
			dec = fmt.Sprintf("%d / %d / %d", r.Linked, r.Queued, r.New)
		}
		fmt.Fprintf(&b, "| %d | %d | %d | %s | %.1f s (%.1f s) | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %s |\n", n, len(s.Mentions), s.People,
			r.Matcher, r.Elapsed.Seconds(), r.CPU.Seconds(), q.PairPrecision, q.PairRecall, q.PairF1, q.BCubedPrecision, q.BCubedRecall, q.BCubedF1, dec)
	}
	for _, n := range o.Sizes {
		s := gensurvey.Generate(o.Seed, n)
		row(n, s, RunKith(s, o.Config))
		if o.Python != "" && n <= o.SplinkMax {
			r, err := RunSplink(ctx, o.Python, o.Dir, s)
			if err != nil {
				return b.String(), err
			}
			row(n, s, r)
		}
	}
	return b.String(), nil
}
