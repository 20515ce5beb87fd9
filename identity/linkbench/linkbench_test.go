package linkbench

import (
	"fmt"
	"testing"

	"kith/identity"
	"kith/identity/gensurvey"
)

// TestScore checks the measures on clusterings whose figures are known by hand.
func TestScore(t *testing.T) {
	truth := map[string]string{"a": "1", "b": "1", "c": "2", "d": "2"}
	cases := []struct {
		name   string
		pred   map[string]string
		pp, pr float64
		bp, br float64
	}{
		{"perfect", map[string]string{"a": "x", "b": "x", "c": "y", "d": "y"}, 1, 1, 1, 1},
		{"all apart", map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"}, 1, 0, 1, 0.5},
		{"all together", map[string]string{"a": "x", "b": "x", "c": "x", "d": "x"}, 2.0 / 6, 1, 0.5, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := Score(c.pred, truth)
			if q.PairPrecision != c.pp || q.PairRecall != c.pr || q.BCubedPrecision != c.bp || q.BCubedRecall != c.br {
				t.Fatalf("got %+v", q)
			}
		})
	}
}

// BenchmarkMatch times Kith's matcher on generated surveys of 3k and 30k respondents; the
// quality figures are reported as metrics. `kith bench-identity` adds Splink beside it.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{3000, 30000} {
		s := gensurvey.Generate(1, n)
		b.Run(fmt.Sprintf("respondents=%d", n), func(b *testing.B) {
			var r Result
			for b.Loop() {
				r = RunKith(s, identity.DefaultConfig())
			}
			b.ReportMetric(r.Quality.BCubedPrecision, "b3-precision")
			b.ReportMetric(r.Quality.BCubedF1, "b3-f1")
		})
	}
}
