package analysisservice

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"kith/analysis"
	"kith/apierr"
	"kith/cypher"
)

// CommunitiesResult is a Louvain partition of a graph.
type CommunitiesResult struct {
	Resolution float64
	Seed       uint64
	Modularity float64
	// Groups are the communities, largest first; a community's id is its index here.
	Groups []analysis.Community
	// Of maps a node id to its community's index.
	Of map[string]int
	// Bridges are the ties whose ends lie in different communities, in tie order.
	Bridges     []analysis.Tie
	Nodes, Ties int
	Version     string
}

// checkLouvain validates Louvain's arguments.
func checkLouvain(resolution float64, seed int, resField, seedField string) error {
	if math.IsNaN(resolution) || math.IsInf(resolution, 0) || resolution <= 0 {
		return apierr.BadUserInput(resField, "must be greater than 0 (1 is classic modularity; higher gives smaller communities)")
	}
	if seed < 0 {
		return apierr.BadUserInput(seedField, "must be 0 or more")
	}
	return nil
}

// Communities detects communities with Louvain at the resolution, deterministic for the
// seed (see analysis.Graph.Louvain): a directed scope is read through its undirected
// projection.
func (s *Service) Communities(ctx context.Context, access cypher.Scope, sc Scope, resolution float64, seed int) (*CommunitiesResult, error) {
	if err := checkLouvain(resolution, seed, "resolution", "seed"); err != nil {
		return nil, err
	}
	return s.communities(ctx, access, sc, resolution, uint64(seed))
}

func (s *Service) communities(ctx context.Context, access cypher.Scope, sc Scope, resolution float64, seed uint64) (*CommunitiesResult, error) {
	name := "louvain=" + strconv.FormatFloat(resolution, 'g', -1, 64) + ";seed=" + strconv.FormatUint(seed, 10)
	v, err := s.result(ctx, access, sc, name, func(ctx context.Context, g *Graph) (any, error) {
		c, err := g.G.Louvain(resolution, seed)
		if err != nil {
			return nil, fmt.Errorf("communities: %w", err)
		}
		res := &CommunitiesResult{Resolution: resolution, Seed: seed, Modularity: c.Modularity, Groups: c.Groups,
			Of: make(map[string]int, g.G.NodeCount()), Bridges: c.Bridges, Nodes: g.G.NodeCount(), Ties: g.G.TieCount(), Version: g.Version}
		for i, grp := range c.Groups {
			for _, id := range grp.Members {
				res.Of[id] = i
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*CommunitiesResult), nil
}

// GroupBy is what nodes are grouped by, named as the GraphQL enum AnalysisGroupBy names it.
type GroupBy string

// The groupings.
const (
	ByHouseholdType GroupBy = "HOUSEHOLD_TYPE"
	ByAgeBand       GroupBy = "AGE_BAND"
	// ByEmployment groups people by employment status (docs/waves.md).
	ByEmployment GroupBy = "EMPLOYMENT"
	ByArea       GroupBy = "AREA"
	ByGroup      GroupBy = "GROUP"
	ByCommunity  GroupBy = "COMMUNITY"
)

// Grouping assigns nodes to groups.
type Grouping struct {
	By GroupBy
	// Of maps node ids to group keys; nodes without a group are missing.
	Of analysis.Partition
	// Names maps group keys to what to call them: an area's or group's name, the
	// attribute value itself, or the community's id.
	Names map[string]string
}

// GroupOptions say how to group: by what, and for COMMUNITY the Louvain arguments.
type GroupOptions struct {
	By         GroupBy
	Resolution float64
	Seed       int
}

func (o GroupOptions) key() string {
	if o.By == ByCommunity {
		return fmt.Sprintf("by=%s;res=%g;seed=%d", o.By, o.Resolution, o.Seed)
	}
	return "by=" + string(o.By)
}

func (o GroupOptions) check() error {
	switch o.By {
	case ByHouseholdType, ByAgeBand, ByEmployment, ByArea, ByGroup:
		return nil
	case ByCommunity:
		return checkLouvain(o.Resolution, o.Seed, "resolution", "seed")
	}
	return apierr.BadUserInput("groupBy", "%q is not a grouping", o.By)
}

// grouping computes the grouping of a graph's nodes. GROUP puts a person in the group
// they belong to, and a person in several groups in the one with most members in the
// graph (equal sizes: the lower group id).
func grouping(g *Graph, o GroupOptions) (*Grouping, error) {
	gr := &Grouping{By: o.By, Of: analysis.Partition{}, Names: map[string]string{}}
	set := func(id, key, name string) {
		if key != "" {
			gr.Of[id] = key
			gr.Names[key] = name
		}
	}
	switch o.By {
	case ByHouseholdType:
		for _, n := range g.Nodes {
			set(n.ID, n.HouseholdType, n.HouseholdType)
		}
	case ByAgeBand:
		for _, n := range g.Nodes {
			set(n.ID, n.AgeBand, n.AgeBand)
		}
	case ByEmployment:
		for _, n := range g.Nodes {
			set(n.ID, n.Employment, n.Employment)
		}
	case ByArea:
		for _, n := range g.Nodes {
			set(n.ID, n.AreaID, n.AreaName)
		}
	case ByGroup:
		size := map[string]int{}
		for _, n := range g.Nodes {
			for _, grp := range n.Groups {
				size[grp]++
			}
		}
		for _, n := range g.Nodes {
			if len(n.Groups) == 0 {
				continue
			}
			best := slices.MinFunc(n.Groups, func(a, b string) int {
				return cmp.Or(cmp.Compare(size[b], size[a]), cmp.Compare(a, b))
			})
			set(n.ID, best, g.GroupNames[best])
		}
	case ByCommunity:
		// Computed here rather than through the cache: a computation waiting for another
		// one's slot could wait for ever.
		c, err := g.G.Louvain(o.Resolution, uint64(o.Seed))
		if err != nil {
			return nil, fmt.Errorf("communities: %w", err)
		}
		for i, grp := range c.Groups {
			k := strconv.Itoa(i)
			for _, id := range grp.Members {
				set(id, k, k)
			}
		}
	default:
		return nil, apierr.BadUserInput("groupBy", "%q is not a grouping", o.By)
	}
	return gr, nil
}

// NodeBrokerage is one node's brokerage measures.
type NodeBrokerage struct {
	ID string
	// Group is the node's group key ("" for none).
	Group string
	// Degree is the node's number of ties (in plus out when directed).
	Degree int
	// Constraint and EffectiveSize are Burt's (0 for a node without ties).
	Constraint, EffectiveSize float64
	Roles                     analysis.BrokerageRoles
	EI                        analysis.EI
}

// BrokerageResult holds brokerage measures for every node, and E-I indexes per group and
// for the network.
type BrokerageResult struct {
	Grouping *Grouping
	Nodes    []NodeBrokerage
	Groups   []GroupEI
	Network  analysis.EI
	// NodeCount and TieCount describe the graph; Version is its graph version.
	NodeCount, TieCount int
	Version             string
}

// GroupEI is one group's size and E-I index.
type GroupEI struct {
	Key, Name string
	Size      int
	EI        analysis.EI
}

// BrokerageOrder says how Brokerage sorts its nodes.
type BrokerageOrder string

// The orders.
const (
	// OrderBrokerage puts the most brokered two-paths first.
	OrderBrokerage BrokerageOrder = "BROKERAGE"
	// OrderEffectiveSize puts the largest effective size first.
	OrderEffectiveSize BrokerageOrder = "EFFECTIVE_SIZE"
	// OrderConstraint puts the least constrained first, nodes without ties last.
	OrderConstraint BrokerageOrder = "CONSTRAINT"
	// OrderEIIndex puts the most outward-looking (highest E-I) first.
	OrderEIIndex BrokerageOrder = "EI_INDEX"
)

// Brokerage computes Burt's constraint and effective size, Gould–Fernandez brokerage
// roles and Krackhardt–Stern E-I indexes over the grouping, nodes sorted by order (ties
// broken by id).
func (s *Service) Brokerage(ctx context.Context, access cypher.Scope, sc Scope, o GroupOptions, order BrokerageOrder) (*BrokerageResult, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	switch order {
	case OrderBrokerage, OrderEffectiveSize, OrderConstraint, OrderEIIndex:
	default:
		return nil, apierr.BadUserInput("orderBy", "%q is not a brokerage order", order)
	}
	v, err := s.result(ctx, access, sc, "brokerage;"+o.key()+";order="+string(order), func(ctx context.Context, g *Graph) (any, error) {
		gr, err := grouping(g, o)
		if err != nil {
			return nil, err
		}
		w := weights(g.Scope.Weighted)
		constraint, err := g.G.Constraint(w)
		if err != nil {
			return nil, fmt.Errorf("brokerage: %w", err)
		}
		effective, err := g.G.EffectiveSize(w)
		if err != nil {
			return nil, fmt.Errorf("brokerage: %w", err)
		}
		degree, err := g.G.Degrees(analysis.Total)
		if err != nil {
			return nil, fmt.Errorf("brokerage: %w", err)
		}
		roles := g.G.Brokerage(gr.Of)
		ei := g.G.EIIndex(gr.Of)
		res := &BrokerageResult{Grouping: gr, Network: ei.Network, NodeCount: g.G.NodeCount(), TieCount: g.G.TieCount(), Version: g.Version}
		for _, n := range g.Nodes {
			res.Nodes = append(res.Nodes, NodeBrokerage{ID: n.ID, Group: gr.Of[n.ID], Degree: degree[n.ID],
				Constraint: constraint[n.ID], EffectiveSize: effective[n.ID], Roles: roles[n.ID], EI: ei.Nodes[n.ID]})
		}
		sortBrokerage(res.Nodes, order)
		size := map[string]int{}
		for _, k := range gr.Of {
			size[k]++
		}
		for _, k := range sortedKeys(ei.Groups) {
			res.Groups = append(res.Groups, GroupEI{Key: k, Name: gr.Names[k], Size: size[k], EI: ei.Groups[k]})
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*BrokerageResult), nil
}

// sortBrokerage sorts nodes by the order, then by id.
func sortBrokerage(nodes []NodeBrokerage, order BrokerageOrder) {
	slices.SortFunc(nodes, func(a, b NodeBrokerage) int {
		var c int
		switch order {
		case OrderBrokerage:
			c = cmp.Compare(b.Roles.Total(), a.Roles.Total())
		case OrderEffectiveSize:
			c = cmp.Compare(b.EffectiveSize, a.EffectiveSize)
		case OrderConstraint:
			c = cmp.Or(cmp.Compare(isolated(a), isolated(b)), cmp.Compare(a.Constraint, b.Constraint))
		case OrderEIIndex:
			c = cmp.Compare(b.EI.Index, a.EI.Index)
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	})
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// isolated is 1 for a node without ties, 0 otherwise.
func isolated(n NodeBrokerage) int {
	if n.Degree == 0 {
		return 1
	}
	return 0
}
