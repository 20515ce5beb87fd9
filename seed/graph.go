package seed

import (
	"cmp"
	"slices"
	"time"
)

// Node is one node to import.
type Node struct {
	// Label is one of Person, FamiliarStranger, Place, Group, Organisation, Interest,
	// Gift, Area or Wave.
	Label string
	// ID is nodeid.FromKey(Label, externalId).
	ID string
	// Props maps property names to values: string, int64, float64, bool, []string,
	// dates as "YYYY-MM-DD" strings and datetimes as UTC time.Time. It always holds
	// "externalId"; a property without a value is absent, never nil.
	Props map[string]any
}

// Tie is one relationship to import.
type Tie struct {
	// Kind is the relationship type, such as KNOWS or MEMBER_OF.
	Kind string
	// From and To are the IDs of the nodes the tie joins, in its direction.
	From, To string
	// Props holds the tie's properties, including its provenance: source, recordedAt
	// and, for ties from a survey, wave (the Wave node's ID). Ties with equal
	// properties share one map, so treat Props as read-only.
	Props map[string]any
}

// Graph is a generated community.
type Graph struct {
	// Nodes lists every node once.
	Nodes []Node
	// Ties lists every tie; a tie recorded in two survey waves appears twice, once
	// with each wave (the store keeps it as one tie with both waves).
	Ties []Tie
	// Observations lists what each wave measured about the residents it surveyed.
	Observations []Observation
}

// Observation is what one survey wave measured about one resident.
type Observation struct {
	PersonID, WaveID string
	RecordedAt       time.Time
	// SWEMWBSRaw is the short Warwick-Edinburgh score, 7 to 35.
	SWEMWBSRaw int
	// Employment is one of cypher.EmploymentStatuses; Household and AgeBand are spelt
	// as the person's householdType and ageBand.
	Employment, Household, AgeBand string
}

// Node labels.
const (
	labelPerson           = "Person"
	labelFamiliarStranger = "FamiliarStranger"
	labelPlace            = "Place"
	labelGroup            = "Group"
	labelOrganisation     = "Organisation"
	labelInterest         = "Interest"
	labelGift             = "Gift"
	labelArea             = "Area"
	labelWave             = "Wave"
)

// kind is a tie kind; the order is the order of ties in a Graph.
type kind uint8

const (
	knows kind = iota
	trusts
	getsInfoFrom
	encourages
	memberOf
	uses
	meetsAt
	sees
	worksFor
	interestedIn
	offers
	livesIn
	in
	possiblySameAs
	runBy
	numKinds
)

var kindNames = [numKinds]string{
	"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF", "USES", "MEETS_AT",
	"SEES", "WORKS_FOR", "INTERESTED_IN", "OFFERS", "LIVES_IN", "IN", "POSSIBLY_SAME_AS",
	"RUN_BY",
}

// fromSurvey reports whether ties of kind k are answers to a survey, and so belong to a
// wave; the others are recorded by workers outside the waves.
func (k kind) fromSurvey() bool {
	switch k {
	case knows, trusts, getsInfoFrom, encourages, memberOf, uses, interestedIn:
		return true
	}
	return false
}

// social reports whether ties of kind k count against isolation: the first five kinds.
func (k kind) social() bool {
	return k <= memberOf
}

// maxNodes bounds node indexes so that an edge packs into 64 bits.
const maxNodes = 1 << 28

// edge is a tie while the graph is generated: node indexes and small codes packed so
// that millions of them sort quickly. key holds kind, wave, from, to and (for TRUSTS)
// the attribute, so equal keys are duplicate ties; val holds the attribute (strength,
// role, frequency...), the fieldwork day and an extra value (a month as months since
// January 1970, or a score in hundredths).
type edge struct {
	key uint64
	val uint32
}

func newEdge(k kind, wave uint8, from, to int32, attr, day uint8, extra uint16) edge {
	var distinct uint64
	if k == trusts {
		distinct = uint64(attr)
	}
	return edge{
		key: uint64(k)<<60 | uint64(wave)<<58 | uint64(from)<<30 | uint64(to)<<2 | distinct,
		val: uint32(attr)<<24 | uint32(day)<<16 | uint32(extra),
	}
}

func (e edge) kind() kind    { return kind(e.key >> 60) }
func (e edge) wave() uint8   { return uint8(e.key>>58) & 3 }
func (e edge) from() int32   { return int32(e.key>>30) & (maxNodes - 1) }
func (e edge) to() int32     { return int32(e.key>>2) & (maxNodes - 1) }
func (e edge) attr() uint8   { return uint8(e.val >> 24) }
func (e edge) day() uint8    { return uint8(e.val >> 16) }
func (e edge) extra() uint16 { return uint16(e.val) }
func (e edge) inWave(w uint8) edge {
	e.key = e.key&^(3<<58) | uint64(w)<<58
	return e
}

func compareEdges(a, b edge) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.val, b.val)
}

// sortUnique sorts edges and drops duplicates, keeping the one with the smallest val
// (so a STRONG tie beats a WEAK one, and an organiser's membership a member's).
func sortUnique(edges []edge) []edge {
	slices.SortFunc(edges, compareEdges)
	return slices.CompactFunc(edges, func(a, b edge) bool { return a.key == b.key })
}

// People returns how many people g holds.
func (g *Graph) People() int {
	n := 0
	for _, node := range g.Nodes {
		if node.Label == labelPerson {
			n++
		}
	}
	return n
}
