package model

import (
	"time"

	"kith/paging"
)

// Connections whose edges are a node and its cursor are paging's: one place builds them
// (paging.Connect). Connections whose edges carry more (ranks, scores, tie counts) are
// generated, their edges built from the page's cursors (paging.Edges, or a ranking's
// rankedPage).
type (
	AreaConnection                 = paging.Connection[*Area]
	AreaEdge                       = paging.Edge[*Area]
	CommunityBridgeConnection      = paging.Connection[*CommunityBridge]
	CommunityBridgeEdge            = paging.Edge[*CommunityBridge]
	EventConnection                = paging.Connection[*Event]
	EventEdge                      = paging.Edge[*Event]
	FamiliarStrangerConnection     = paging.Connection[*FamiliarStranger]
	FamiliarStrangerEdge           = paging.Edge[*FamiliarStranger]
	GiftConnection                 = paging.Connection[*Gift]
	GiftEdge                       = paging.Edge[*Gift]
	GroupConnection                = paging.Connection[*Group]
	GroupEdge                      = paging.Edge[*Group]
	HelpMatchConnection            = paging.Connection[*HelpMatch]
	HelpMatchEdge                  = paging.Edge[*HelpMatch]
	IdentityCandidateConnection    = paging.Connection[*IdentityCandidate]
	IdentityCandidateEdge          = paging.Edge[*IdentityCandidate]
	InterestConnection             = paging.Connection[*Interest]
	InterestEdge                   = paging.Edge[*Interest]
	NeedConnection                 = paging.Connection[*Need]
	NeedEdge                       = paging.Edge[*Need]
	OccurrenceConnection           = paging.Connection[*Occurrence]
	OccurrenceEdge                 = paging.Edge[*Occurrence]
	OrganisationConnection         = paging.Connection[*Organisation]
	OrganisationEdge               = paging.Edge[*Organisation]
	PersonConnection               = paging.Connection[*Person]
	PersonEdge                     = paging.Edge[*Person]
	PlaceConnection                = paging.Connection[*Place]
	PlaceEdge                      = paging.Edge[*Place]
	VolunteerMatchConnection       = paging.Connection[*VolunteerMatch]
	VolunteerMatchEdge             = paging.Edge[*VolunteerMatch]
	VolunteerOpportunityConnection = paging.Connection[*VolunteerOpportunity]
	VolunteerOpportunityEdge       = paging.Edge[*VolunteerOpportunity]
	WaveConnection                 = paging.Connection[*Wave]
	WaveEdge                       = paging.Edge[*Wave]
)

// The node types of those connections are written here, not generated: gqlgen removes
// models_gen.go before it reads this package, so a connection cannot name a generated type.

// CommunityBridge is the GraphQL CommunityBridge (schema/analysis.graphqls).
type CommunityBridge struct {
	From          Node
	To            Node
	FromCommunity string
	ToCommunity   string
	Weight        float64
}

// IdentityCandidate is the GraphQL IdentityCandidate (schema/identity.graphqls).
type IdentityCandidate struct {
	PersonID      string
	PersonName    string
	CandidateID   string
	CandidateName string
	Score         float64
	Reasons       []string
	RecordedAt    *time.Time
}

// HelpMatch is the GraphQL HelpMatch (schema/circles.graphqls): a person who could help, or
// be helped by, another, with the reasons.
type HelpMatch struct {
	PersonID        string
	Label           string
	Topics          []HelpTopic
	SharedInterests []string
	TrustedSteps    *int
	Reach           *Nearness
	Score           int
	Reasons         []string
}

// VolunteerMatch is the GraphQL VolunteerMatch (schema/circles.graphqls): a person who could
// volunteer for a group, with the reasons.
type VolunteerMatch struct {
	PersonID        string
	Label           string
	Topics          []HelpTopic
	SharedInterests []string
	KnownMembers    int
	Nearby          bool
	Score           int
	Reasons         []string
}

// VolunteerOpportunity is the GraphQL VolunteerOpportunity (schema/circles.graphqls): a group
// or organisation a person could volunteer for, with the reasons.
type VolunteerOpportunity struct {
	ID              string
	Kind            OpportunityKind
	Name            string
	Topics          []HelpTopic
	SharedInterests []string
	KnownPeople     int
	Nearby          bool
	Score           int
	Reasons         []string
}

// Occurrence is the GraphQL Occurrence (schema/events.graphqls): one occurrence of an event.
type Occurrence struct {
	EventID string
	Start   time.Time
	End     *time.Time
	Event   *Event
}
