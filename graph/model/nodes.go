// Package model holds the Go types of Kith's GraphQL schema: generated ones in
// models_gen.go and, here, the node and tie types, which are decoded from the store's
// records. Relation fields (ties, memberships, area...) are not struct fields: their
// resolvers read them from Loaded, where the store put what the request selected.
package model

import (
	"time"

	"kith/cypher"
)

// Loaded holds the relation fields the store fetched with a node or tie, keyed by the
// response alias they were selected under.
type Loaded struct {
	Rel map[string]any `db:"-"`
}

// Person is a resident, survey respondent or named alter.
type Person struct {
	ID            string    `db:"id"`
	ExternalID    *string   `db:"externalId"`
	DisplayName   *string   `db:"displayName"`
	Pseudonym     *string   `db:"pseudonym"`
	Roles         []string  `db:"roles"`
	IsAuthority   bool      `db:"isAuthority"`
	HouseholdType *string   `db:"householdType"`
	AgeBand       *string   `db:"ageBand"`
	Wellbeing     *int      `db:"wellbeing"`
	Contact       *string   `db:"contact"`
	CreatedAt     time.Time `db:"createdAt"`
	UpdatedAt     time.Time `db:"updatedAt"`
	// Consent, as the store keeps it; Consent() gives the API's object.
	ConsentAnalysis       *bool      `db:"consentAnalysis"`
	ConsentAnalysisAt     *time.Time `db:"consentAnalysisAt"`
	ConsentAnalysisHow    *string    `db:"consentAnalysisHow"`
	ConsentSuggestions    *bool      `db:"consentSuggestions"`
	ConsentSuggestionsAt  *time.Time `db:"consentSuggestionsAt"`
	ConsentSuggestionsHow *string    `db:"consentSuggestionsHow"`
	ConsentContact        *bool      `db:"consentContact"`
	ConsentContactAt      *time.Time `db:"consentContactAt"`
	ConsentContactHow     *string    `db:"consentContactHow"`
	ConsentWellbeing      *bool      `db:"consentWellbeing"`
	ConsentWellbeingAt    *time.Time `db:"consentWellbeingAt"`
	ConsentWellbeingHow   *string    `db:"consentWellbeingHow"`
	Loaded
}

// FamiliarStranger is someone known by role in daily life.
type FamiliarStranger struct {
	ID          string    `db:"id"`
	ExternalID  *string   `db:"externalId"`
	Role        string    `db:"role"`
	DisplayName *string   `db:"displayName"`
	CreatedAt   time.Time `db:"createdAt"`
	UpdatedAt   time.Time `db:"updatedAt"`
	Loaded
}

// Place is a meeting space people use.
type Place struct {
	ID         string     `db:"id"`
	ExternalID *string    `db:"externalId"`
	Name       string     `db:"name"`
	Kind       *PlaceKind `db:"kind"`
	Category   *string    `db:"category"`
	Latitude   *float64   `db:"latitude"`
	Longitude  *float64   `db:"longitude"`
	Public     bool       `db:"public"`
	CreatedAt  time.Time  `db:"createdAt"`
	UpdatedAt  time.Time  `db:"updatedAt"`
	Loaded
}

// Group is a club, activity or support group.
type Group struct {
	ID         string    `db:"id"`
	ExternalID *string   `db:"externalId"`
	Name       string    `db:"name"`
	Activity   *string   `db:"activity"`
	Openness   *Openness `db:"openness"`
	Sensitive  bool      `db:"sensitive"`
	Public     bool      `db:"public"`
	CreatedAt  time.Time `db:"createdAt"`
	UpdatedAt  time.Time `db:"updatedAt"`
	Loaded
}

// Organisation is a public service, business, faith or voluntary body.
type Organisation struct {
	ID          string    `db:"id"`
	ExternalID  *string   `db:"externalId"`
	Name        string    `db:"name"`
	Sector      *Sector   `db:"sector"`
	IsAuthority bool      `db:"isAuthority"`
	Public      bool      `db:"public"`
	CreatedAt   time.Time `db:"createdAt"`
	UpdatedAt   time.Time `db:"updatedAt"`
	Loaded
}

// Interest is a hobby or topic.
type Interest struct {
	ID         string    `db:"id"`
	ExternalID *string   `db:"externalId"`
	Name       string    `db:"name"`
	CreatedAt  time.Time `db:"createdAt"`
	UpdatedAt  time.Time `db:"updatedAt"`
	Loaded
}

// Gift is something a person can offer.
type Gift struct {
	ID          string     `db:"id"`
	ExternalID  *string    `db:"externalId"`
	Kind        GiftKind   `db:"kind"`
	Description *string    `db:"description"`
	Topic       *HelpTopic `db:"topic"`
	CreatedAt   time.Time  `db:"createdAt"`
	UpdatedAt   time.Time  `db:"updatedAt"`
	Loaded
}

// Event is an entry in the social calendar.
type Event struct {
	ID            string     `db:"id"`
	ExternalID    *string    `db:"externalId"`
	Title         string     `db:"title"`
	Description   *string    `db:"description"`
	Start         time.Time  `db:"start"`
	End           *time.Time `db:"end"`
	TimeZone      string     `db:"timeZone"`
	Recurrence    *string    `db:"recurrence"`
	ExceptionList []string   `db:"exceptions"`
	Cost          *string    `db:"cost"`
	Accessibility *string    `db:"accessibility"`
	CreatedAt     time.Time  `db:"createdAt"`
	UpdatedAt     time.Time  `db:"updatedAt"`
	Loaded
}

// Need is help a person, group or organisation needs.
type Need struct {
	ID          string    `db:"id"`
	ExternalID  *string   `db:"externalId"`
	Topic       HelpTopic `db:"topic"`
	Description *string   `db:"description"`
	CreatedAt   time.Time `db:"createdAt"`
	UpdatedAt   time.Time `db:"updatedAt"`
	Loaded
}

// Area is a neighbourhood.
type Area struct {
	ID         string    `db:"id"`
	ExternalID *string   `db:"externalId"`
	Name       string    `db:"name"`
	CreatedAt  time.Time `db:"createdAt"`
	UpdatedAt  time.Time `db:"updatedAt"`
	Loaded
}

// Wave is one round of data collection.
type Wave struct {
	ID          string    `db:"id"`
	ExternalID  *string   `db:"externalId"`
	Name        string    `db:"name"`
	CollectedOn *Date     `db:"collectedOn"`
	CreatedAt   time.Time `db:"createdAt"`
	UpdatedAt   time.Time `db:"updatedAt"`
	Loaded
}

// Tie is a relationship between two nodes, with its provenance.
type Tie struct {
	ID         string        `db:"id"`
	Kind       TieKind       `db:"kind"`
	Strength   *TieStrength  `db:"strength"`
	For        *TrustPurpose `db:"for"`
	Role       *MemberRole   `db:"role"`
	Since      *Date         `db:"since"`
	Frequency  *Frequency    `db:"frequency"`
	Score      *float64      `db:"score"`
	Source     *string       `db:"source"`
	RecordedAt *time.Time    `db:"recordedAt"`
	Loaded
}

// Membership is a person's MEMBER_OF tie to a group.
type Membership struct {
	ID         string      `db:"id"`
	Role       *MemberRole `db:"role"`
	Since      *Date       `db:"since"`
	Source     *string     `db:"source"`
	RecordedAt *time.Time  `db:"recordedAt"`
	// GroupSensitive says whether the group is sensitive; the store always fetches it, so
	// the @sensitive directive can withhold the membership (not a schema field).
	GroupSensitive bool `db:"groupSensitive"`
	Loaded
}

// Route is a path through the graph, from a start to a target.
type Route struct {
	Length int `db:"length"`
	Loaded
}

// RouteStep is one step of a Route: the node reached and the tie walked.
type RouteStep struct {
	Forward *bool `db:"forward"`
	// What Why reads of the tie walked, fetched when why is selected.
	Kind      *TieKind      `db:"kind"`
	For       *TrustPurpose `db:"for"`
	Strength  *TieStrength  `db:"strength"`
	Frequency *Frequency    `db:"frequency"`
	Loaded
}

// IsNode marks the node types.
func (Person) IsNode()           {}
func (FamiliarStranger) IsNode() {}
func (Place) IsNode()            {}
func (Group) IsNode()            {}
func (Organisation) IsNode()     {}
func (Interest) IsNode()         {}
func (Gift) IsNode()             {}
func (Need) IsNode()             {}
func (Event) IsNode()            {}
func (Area) IsNode()             {}
func (Wave) IsNode()             {}

// record is what Decode reads; an alias keeps the store's type out of the API's names.
type record = cypher.Record

// Observation is what one survey wave measured about a person.
type Observation struct {
	// PersonID is whose it is: the audit trail and @sensitive name the person (not a
	// schema field).
	PersonID            string            `db:"personId"`
	RecordedAt          time.Time         `db:"recordedAt"`
	Method              ObservationMethod `db:"method"`
	InterviewID         *string           `db:"interviewId"`
	Wemwbs              *int              `db:"wemwbs"`
	SwemwbsRaw          *int              `db:"swemwbsRaw"`
	SwemwbsMetric       *float64          `db:"swemwbsMetric"`
	OnsLifeSatisfaction *int              `db:"onsLifeSatisfaction"`
	OnsWorthwhile       *int              `db:"onsWorthwhile"`
	OnsHappy            *int              `db:"onsHappy"`
	OnsAnxious          *int              `db:"onsAnxious"`
	Employment          *EmploymentStatus `db:"employment"`
	Household           *string           `db:"household"`
	AgeBand             *string           `db:"ageBand"`
	Loaded
}
