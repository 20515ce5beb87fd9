package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// plainBrandes is Brandes' algorithm as the paper gives it (breadth-first
// search with predecessor lists and a stack), the reference for the
// direction-optimising search: it returns the path counts from src and every
// node's dependency on src.
func plainBrandes(v *csr, src int32) (sigma, delta []float64) {
	n := v.n
	sigma, delta = make([]float64, n), make([]float64, n)
	dist := make([]int, n)
	for i := range dist {
		dist[i] = -1
	}
	preds := make([][]int32, n)
	var stack []int32
	sigma[src], dist[src] = 1, 0
	queue := []int32{src}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		stack = append(stack, u)
		for _, x := range v.out(u) {
			if dist[x] < 0 {
				dist[x] = dist[u] + 1
				queue = append(queue, x)
			}
			if dist[x] == dist[u]+1 {
				sigma[x] += sigma[u]
				preds[x] = append(preds[x], u)
			}
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		w := stack[i]
		for _, u := range preds[w] {
			delta[u] += sigma[u] / sigma[w] * (1 + delta[w])
		}
	}
	return sigma, delta
}

// TestLevelSearchEveryWay checks the path counts and dependencies of the
// direction-optimising search against plainBrandes, with each level expanded
// the way the costs choose, always top-down and pulled, and always bottom-up
// and pushed, on directed and undirected graphs with parts not reachable from
// every source.
func TestLevelSearchEveryWay(t *testing.T) {
	graphs := map[string]*Graph{
		"small world":          smallWorld(300, 3, 0.2, 21),
		"directed small world": smallWorldDirected(300, 2, 0.3, 22),
		"sparse random":        randomGraph(400, 450, 23, true),
	}
	sparse := NewGraph(true) // directed, many nodes reach nobody
	rng := rand.New(rand.NewPCG(24, 0))
	for i := range 300 {
		_ = sparse.AddNode(fmt.Sprint(i), nil)
	}
	for range 420 {
		a, b := rng.IntN(300), rng.IntN(300)
		if a != b {
			_ = sparse.AddTie(fmt.Sprint(a), fmt.Sprint(b), 1)
		}
	}
	graphs["sparse directed"] = sparse
	ways := []struct {
		name           string
		bottomUp, push int
	}{
		{"chosen by cost", bottomUpGain, pushCost},
		{"top-down, pulled", 0, 1 << 30},
		{"bottom-up, pushed", 1 << 30, 0},
	}
	for name, g := range graphs {
		v := g.view()
		for _, way := range ways {
			s := newPathSearch(v.n, v.forward(nil), v.backward(nil))
			s.bottomUpGain, s.pushCost = way.bottomUp, way.push
			for src := range int32(v.n) {
				acc := make([]float64, v.n)
				s.brandes(src, acc)
				sigma, delta := plainBrandes(v, src)
				for u := range v.n {
					reached := sigma[u] > 0
					if got := s.hop[u] >= 0; got != reached {
						t.Fatalf("%s, %s, source %d: node %d reached %v, want %v", name, way.name, src, u, got, reached)
					}
					if reached && s.sigma[u] != sigma[u] {
						t.Fatalf("%s, %s, source %d: node %d has %v shortest paths, want %v", name, way.name, src, u, s.sigma[u], sigma[u])
					}
					want := delta[u]
					if int32(u) == src {
						want = 0
					}
					if math.Abs(acc[u]-want) > 1e-9*max(1, want) {
						t.Fatalf("%s, %s, source %d: node %d depends %v, want %v", name, way.name, src, u, acc[u], want)
					}
				}
			}
		}
	}
}
