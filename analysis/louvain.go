package analysis

import (
	"math"
	"math/rand/v2"
)

// This file is the Louvain method of gonum's community.Modularize for
// undirected graphs (gonum v0.17, louvain_undirected.go), on flat arrays. The
// steps, their order, the random draws and the tie-breaks are gonum's; what
// differs is bookkeeping: the weight from a node to each community is summed
// from the node's ties instead of over every member of the community, each
// community's total degree is kept up to date instead of summed again for
// every move considered, and a level is aggregated in one pass over the ties
// instead of through maps and pairwise member lookups.

// louvainTol is gonum's deltaQtol: a move is made only if it raises Q by more.
const louvainTol = 1e-15

// louvainLevel is one level of the method: an undirected weighted graph in
// compressed rows, without self-ties, and every node's self weight (twice the
// weight of the ties inside the community of the level below it stands for).
type louvainLevel struct {
	off  []int // ties of u are adj[off[u]:off[u+1]], weights w[...]
	adj  []int32
	w    []float64
	self []float64
}

// louvain partitions the undirected csr v, which has at least one tie, and
// returns a community label per rank, where order maps ranks to node indexes
// (nodes are handed to the method in rank order, as gonum is handed node ids).
func louvain(v *csr, order []int32, resolution float64, seed uint64) []int32 {
	n := v.n
	rank := make([]int32, n)
	for r, i := range order {
		rank[i] = int32(r)
	}
	lv := &louvainLevel{off: make([]int, n+1), adj: make([]int32, 0, len(v.outAdj)), w: make([]float64, 0, len(v.outAdj)), self: make([]float64, n)}
	for r, i := range order {
		for k, x := range v.out(i) {
			lv.adj = append(lv.adj, rank[x])
			lv.w = append(lv.w, v.outWeight(i)[k])
		}
		lv.off[r+1] = len(lv.adj)
	}
	top := make([]int32, n) // rank -> node of the current level
	for r := range top {
		top[r] = int32(r)
	}
	// The same generator gonum is given, drawn from in the same order.
	rng := rand.New(rand.NewPCG(seed, 0x6b697468))
	m := newLouvainMover(n)
	for {
		comm, changed := m.localMoves(lv, resolution, rng)
		if !changed {
			return top
		}
		next, relabel := m.aggregate(lv, comm)
		for r, u := range top {
			top[r] = relabel[comm[u]]
		}
		lv = next
	}
}

// louvainMover holds the scratch arrays of the local moving heuristic, sized
// for the first (largest) level.
type louvainMover struct {
	k       []float64 // weighted degree, self weight included
	tot     []float64 // total weighted degree of each community
	kw      []float64 // weight from the current node to each community; 0 between uses
	comm    []int32   // community of each node
	nodes   []int32   // nodes in the order of the current pass
	touched []int32
	size    []int32
	ids     []int32
}

func newLouvainMover(n int) *louvainMover {
	return &louvainMover{
		k: make([]float64, n), tot: make([]float64, n), kw: make([]float64, n),
		comm: make([]int32, n), nodes: make([]int32, n), size: make([]int32, n), ids: make([]int32, n),
	}
}

// localMoves is gonum's localMovingHeuristic from singleton communities: in
// passes over the nodes, each shuffled from the order of the pass before, a
// node moves to the neighbouring community that raises Q the most (the lowest
// numbered among equals) when that beats staying by more than louvainTol;
// passes repeat until one moves nobody. It returns every node's community and
// whether any node moved.
func (m *louvainMover) localMoves(lv *louvainLevel, gamma float64, rng *rand.Rand) ([]int32, bool) {
	n := len(lv.self)
	k, tot, kw, comm, nodes := m.k[:n], m.tot[:n], m.kw[:n], m.comm[:n], m.nodes[:n]
	var m2 float64
	for u := range n {
		s := lv.self[u]
		for _, x := range lv.w[lv.off[u]:lv.off[u+1]] {
			s += x
		}
		k[u] = s
		m2 += s
	}
	if m2 == 0 {
		return comm, false
	}
	for u := range n {
		comm[u] = int32(u)
		tot[u] = k[u]
		nodes[u] = int32(u)
	}
	changed := false
	for {
		for i := 0; i < n-1; i++ {
			j := i + rng.IntN(n-i)
			nodes[i], nodes[j] = nodes[j], nodes[i]
		}
		moved := false
		for _, u := range nodes {
			own := comm[u]
			touched := m.touched[:0]
			for e := lv.off[u]; e < lv.off[u+1]; e++ {
				c := comm[lv.adj[e]]
				if kw[c] == 0 { // weights are > 0
					touched = append(touched, c)
				}
				kw[c] += lv.w[e]
			}
			m.touched = touched
			ka, aa := k[u], lv.self[u]
			kaC := aa + kw[own]
			remove := kaC - aa - gamma*ka*(tot[own]-ka)/m2
			add, dst := math.Inf(-1), int32(-1)
			for _, c := range touched {
				if c == own {
					continue
				}
				dq := kw[c] - gamma*ka*tot[c]/m2
				if dq > add || dq == add && c < dst {
					add, dst = dq, c
				}
			}
			for _, c := range touched {
				kw[c] = 0
			}
			if dst < 0 || !(2*(add-remove)/m2 > louvainTol) {
				continue
			}
			tot[own] -= ka
			tot[dst] += ka
			comm[u] = dst
			moved, changed = true, true
		}
		if !moved {
			return comm, changed
		}
	}
}

// aggregate makes the next level: one node per non-empty community, numbered
// as gonum numbers them (scanning the communities in order, an empty one is
// replaced by the last), with the ties between communities summed and the
// ties inside one counted twice into its self weight. It returns the level
// and each community's node in it.
func (m *louvainMover) aggregate(lv *louvainLevel, comm []int32) (*louvainLevel, []int32) {
	n := len(lv.self)
	size, ids := m.size[:n], m.ids[:n]
	clear(size)
	for _, c := range comm {
		size[c]++
	}
	for i := range ids {
		ids[i] = int32(i)
	}
	cnt := n
	for i := 0; i < cnt; {
		if size[ids[i]] == 0 {
			ids[i] = ids[cnt-1]
			cnt--
		} else {
			i++
		}
	}
	relabel := make([]int32, n)
	for i := range relabel {
		relabel[i] = -1
	}
	for i, c := range ids[:cnt] {
		relabel[c] = int32(i)
	}
	// Members of each new node, by counting sort.
	start := make([]int, cnt+1)
	for _, c := range comm {
		start[relabel[c]+1]++
	}
	for i := range cnt {
		start[i+1] += start[i]
	}
	members := make([]int32, n)
	pos := make([]int, cnt)
	copy(pos, start[:cnt])
	for u, c := range comm {
		nc := relabel[c]
		members[pos[nc]] = int32(u)
		pos[nc]++
	}
	next := &louvainLevel{off: make([]int, cnt+1), self: make([]float64, cnt)}
	acc := m.kw[:cnt] // all 0 between uses
	touched := m.touched[:0]
	for c := range int32(cnt) {
		self := 0.0
		for _, u := range members[start[c]:start[c+1]] {
			self += lv.self[u]
			for e := lv.off[u]; e < lv.off[u+1]; e++ {
				d := relabel[comm[lv.adj[e]]]
				if d == c {
					self += lv.w[e]
					continue
				}
				if acc[d] == 0 {
					touched = append(touched, d)
				}
				acc[d] += lv.w[e]
			}
		}
		next.self[c] = self
		for _, d := range touched {
			next.adj = append(next.adj, d)
			next.w = append(next.w, acc[d])
			acc[d] = 0
		}
		touched = touched[:0]
		next.off[c+1] = len(next.adj)
	}
	m.touched = touched
	return next, relabel
}
