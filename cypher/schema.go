package cypher

import "sort"

// This file is the closed table of what the store knows: node labels with their
// properties and relation fields, and tie kinds with the labels they may join. Every
// label, relationship type and property name that appears in generated Cypher comes from
// here, never from input text.

// PropKind is the type of a stored property.
type PropKind int

// Property kinds.
const (
	KindString PropKind = iota
	KindInt
	KindFloat
	KindBool
	KindStringList
	KindDate     // stored as a Neo4j DATE, exchanged as "YYYY-MM-DD"
	KindDateTime // stored as a Neo4j DATETIME
	KindEnum     // stored as a string from a closed list
)

// Prop describes one property of a node label or tie kind.
type Prop struct {
	Name string
	Kind PropKind
	// Enum is the closed list of values of a KindEnum property.
	Enum []string
	// Order is the orderBy enum value that sorts by this property, if any.
	Order string
	// Default is the value a node reads as when the property is absent (bools, lists).
	Default any
	// Min and Max bound a KindInt or KindFloat property (both zero: unbounded).
	Min, Max float64
	// Personal marks what identifies a person or says something private about them (a
	// name, a contact, a wellbeing score, consent, the id a source system knows them by):
	// the research copy (research.go) never holds it.
	Personal bool
}

// RelShape says what a relation field returns.
type RelShape int

// Relation field shapes.
const (
	// ShapeNodes returns the nodes at the other end.
	ShapeNodes RelShape = iota
	// ShapeNode returns the single node at the other end, or null.
	ShapeNode
	// ShapeMembership returns MEMBER_OF ties as Membership objects.
	ShapeMembership
)

// Rel describes a typed relation field of a node label, e.g. Group.meetsAt.
type Rel struct {
	Field  string
	Type   string // relationship type
	Out    bool   // true: (n)-[:Type]->(m); false: (n)<-[:Type]-(m)
	Target string // label at the other end
	Shape  RelShape
	// OrderBy is the property of the other end that orders the list.
	OrderBy string
}

// Label describes a node label.
type Label struct {
	Name  string
	Props []Prop
	Rels  []Rel
	// Required are the properties a create must set.
	Required []string
	// AreaTie is the tie kind an input's areaId (or parentId) sets, if any.
	AreaTie   string
	AreaField string
	// DefaultOrder is the property a list is sorted by when no order is given.
	DefaultOrder string
	// LabelProps are the properties a node's label (the Node.label field) is made of, the
	// first present winning.
	LabelProps []string
	// Links are the ties an input sets by naming the node at the other end (an event's
	// placeId and groupId), as AreaField sets AreaTie.
	Links []Link
}

// Link is an input field that names the one node a tie joins the node to: the input's
// id replaces the node's tie of that type to that label, and null removes it.
type Link struct {
	Field  string // input field, e.g. "placeId"
	Type   string // tie kind
	Out    bool   // true: (n)-[:Type]->(target); false: (n)<-[:Type]-(target)
	Target string // label of the node named
}

// Link returns the link set by the input field with the given name.
func (l *Label) Link(field string) (Link, bool) {
	for _, k := range l.Links {
		if k.Field == field {
			return k, true
		}
	}
	return Link{}, false
}

// Prop returns the property with the given name.
func (l *Label) Prop(name string) (Prop, bool) {
	for _, p := range l.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

// Rel returns the relation field with the given name.
func (l *Label) Rel(field string) (Rel, bool) {
	for _, r := range l.Rels {
		if r.Field == field {
			return r, true
		}
	}
	return Rel{}, false
}

// TieKind describes a relationship type: the labels it may join and its properties.
type TieKind struct {
	Name  string
	From  []string
	To    []string
	Props []Prop
	// KeyProp, when set, is the meaning key: a property that distinguishes two ties of this
	// kind between the same ends (TRUSTS for HELP and for ADVICE are two ties, a STRONG and
	// a WEAK KNOWS too). Waves never do: a tie recorded again in another wave is the same
	// tie, with that wave added to its waves.
	KeyProp string
}

// Allows reports whether the kind may join a node labelled from to one labelled to.
func (k *TieKind) Allows(from, to string) bool {
	return contains(k.From, from) && contains(k.To, to)
}

// Prop returns the tie property with the given name.
func (k *TieKind) Prop(name string) (Prop, bool) {
	for _, p := range k.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

// ends returns the labels among labels that the kind's ties may start from and end at.
func (k *TieKind) ends(labels []string) (from, to []string) {
	for _, l := range labels {
		if contains(k.From, l) {
			from = append(from, l)
		}
		if contains(k.To, l) {
			to = append(to, l)
		}
	}
	return from, to
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// EntityLabel is carried by every node besides its own label, so that an id finds any
// node through one unique index.
const EntityLabel = "Entity"

var (
	frequencies = []string{"DAILY", "WEEKLY", "MONTHLY", "RARELY"}
	// waves lists the ids of the Wave nodes that recorded a tie, sorted and without repeats
	// (docs/waves.md); a writer adds to it, never sets it from input.
	provenance = []Prop{{Name: "source", Kind: KindString}, {Name: "waves", Kind: KindStringList, Default: []string{}}, {Name: "recordedAt", Kind: KindDateTime}}
)

func common(props ...Prop) []Prop {
	base := []Prop{
		{Name: "id", Kind: KindString},
		{Name: "externalId", Kind: KindString, Personal: true},
		{Name: "createdAt", Kind: KindDateTime, Order: "CREATED_AT"},
		{Name: "updatedAt", Kind: KindDateTime, Order: "UPDATED_AT"},
	}
	return append(base, props...)
}

func withProvenance(props ...Prop) []Prop { return append(props, provenance...) }

// Schema is the closed table of labels and tie kinds.
type Schema struct {
	Labels map[string]*Label
	Ties   map[string]*TieKind
	// LabelOrder lists the labels in a fixed order (for migrations and docs).
	LabelOrder []string
	// TieOrder lists the tie kinds in a fixed order.
	TieOrder []string
}

// Label returns the label with the given name.
func (s *Schema) Label(name string) (*Label, bool) {
	l, ok := s.Labels[name]
	return l, ok
}

// NewSchema returns Kith's graph model, as docs/design.md describes it.
func NewSchema() *Schema {
	labels := []*Label{
		{
			Name: "Person",
			Props: append(common(
				Prop{Name: "displayName", Kind: KindString, Order: "DISPLAY_NAME", Personal: true},
				// Personal: workers see it beside the name. Pseudonymising roles get one of
				// their own (pseudonym.Keys.Name) instead.
				Prop{Name: "pseudonym", Kind: KindString, Order: "PSEUDONYM", Personal: true},
				Prop{Name: "roles", Kind: KindStringList, Default: []string{}},
				Prop{Name: "isAuthority", Kind: KindBool, Default: false},
				Prop{Name: "householdType", Kind: KindString},
				Prop{Name: "ageBand", Kind: KindString, Order: "AGE_BAND"},
				Prop{Name: "wellbeing", Kind: KindInt, Order: "WELLBEING", Min: 7, Max: 35, Personal: true},
				Prop{Name: "contact", Kind: KindString, Personal: true},
			),
				// Consent per purpose (consent.go): the API's Person.consent object.
				consentProps()...),
			Rels: []Rel{
				{Field: "area", Type: "LIVES_IN", Out: true, Target: "Area", Shape: ShapeNode},
				{Field: "memberships", Type: "MEMBER_OF", Out: true, Target: "Group", Shape: ShapeMembership, OrderBy: "name"},
				{Field: "interests", Type: "INTERESTED_IN", Out: true, Target: "Interest", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "gifts", Type: "OFFERS", Out: true, Target: "Gift", Shape: ShapeNodes, OrderBy: "description"},
				{Field: "needs", Type: "NEEDS", Out: true, Target: "Need", Shape: ShapeNodes, OrderBy: "topic"},
				{Field: "worksFor", Type: "WORKS_FOR", Out: true, Target: "Organisation", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "attended", Type: "ATTENDED", Out: true, Target: "Event", Shape: ShapeNodes, OrderBy: "start"},
			},
			AreaTie: "LIVES_IN", AreaField: "areaId", DefaultOrder: "displayName",
			LabelProps: []string{"displayName", "pseudonym"},
		},
		{
			Name: "FamiliarStranger",
			Props: common(
				Prop{Name: "role", Kind: KindString, Order: "ROLE"},
				Prop{Name: "displayName", Kind: KindString, Order: "DISPLAY_NAME", Personal: true},
			),
			Rels:     []Rel{{Field: "area", Type: "IN", Out: true, Target: "Area", Shape: ShapeNode}},
			Required: []string{"role"}, AreaTie: "IN", AreaField: "areaId", DefaultOrder: "role",
			LabelProps: []string{"displayName", "role"},
		},
		{
			Name: "Place",
			Props: common(
				Prop{Name: "name", Kind: KindString, Order: "NAME"},
				Prop{Name: "kind", Kind: KindEnum, Enum: []string{"INDOOR", "OUTDOOR", "DIGITAL"}},
				Prop{Name: "category", Kind: KindString, Order: "CATEGORY"},
				Prop{Name: "latitude", Kind: KindFloat, Min: -90, Max: 90},
				Prop{Name: "longitude", Kind: KindFloat, Min: -180, Max: 180},
				// Listed in the public directory (GET /openreferral, directory.go).
				Prop{Name: "public", Kind: KindBool, Default: false},
			),
			Rels: []Rel{
				{Field: "area", Type: "IN", Out: true, Target: "Area", Shape: ShapeNode},
				{Field: "groups", Type: "MEETS_AT", Out: false, Target: "Group", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "events", Type: "HELD_AT", Out: false, Target: "Event", Shape: ShapeNodes, OrderBy: "start"},
			},
			Required: []string{"name"}, AreaTie: "IN", AreaField: "areaId", DefaultOrder: "name", LabelProps: []string{"name"},
		},
		{
			Name: "Group",
			Props: common(
				Prop{Name: "name", Kind: KindString, Order: "NAME"},
				Prop{Name: "activity", Kind: KindString, Order: "ACTIVITY"},
				Prop{Name: "openness", Kind: KindEnum, Enum: []string{"OPEN", "BY_INVITATION", "CLOSED"}},
				Prop{Name: "sensitive", Kind: KindBool, Default: false},
				// Listed in the public directory (GET /openreferral, directory.go).
				Prop{Name: "public", Kind: KindBool, Default: false},
			),
			Rels: []Rel{
				{Field: "area", Type: "IN", Out: true, Target: "Area", Shape: ShapeNode},
				{Field: "meetsAt", Type: "MEETS_AT", Out: true, Target: "Place", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "members", Type: "MEMBER_OF", Out: false, Target: "Person", Shape: ShapeMembership, OrderBy: "displayName"},
				{Field: "interests", Type: "INTERESTED_IN", Out: true, Target: "Interest", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "needs", Type: "NEEDS", Out: true, Target: "Need", Shape: ShapeNodes, OrderBy: "topic"},
				{Field: "events", Type: "RUNS", Out: true, Target: "Event", Shape: ShapeNodes, OrderBy: "start"},
				{Field: "runBy", Type: "RUN_BY", Out: true, Target: "Organisation", Shape: ShapeNode},
			},
			Required: []string{"name"}, AreaTie: "IN", AreaField: "areaId", DefaultOrder: "name", LabelProps: []string{"name"},
		},
		{
			Name: "Organisation",
			Props: common(
				Prop{Name: "name", Kind: KindString, Order: "NAME"},
				Prop{Name: "sector", Kind: KindEnum, Enum: []string{"PUBLIC", "BUSINESS", "FAITH", "VOLUNTARY"}},
				Prop{Name: "isAuthority", Kind: KindBool, Default: false},
				// Listed in the public directory (GET /openreferral, directory.go).
				Prop{Name: "public", Kind: KindBool, Default: false},
			),
			Rels: []Rel{
				{Field: "area", Type: "IN", Out: true, Target: "Area", Shape: ShapeNode},
				{Field: "staff", Type: "WORKS_FOR", Out: false, Target: "Person", Shape: ShapeNodes, OrderBy: "displayName"},
				{Field: "runs", Type: "RUN_BY", Out: false, Target: "Group", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "needs", Type: "NEEDS", Out: true, Target: "Need", Shape: ShapeNodes, OrderBy: "topic"},
			},
			Required: []string{"name"}, AreaTie: "IN", AreaField: "areaId", DefaultOrder: "name", LabelProps: []string{"name"},
		},
		{
			Name:  "Interest",
			Props: common(Prop{Name: "name", Kind: KindString, Order: "NAME"}),
			Rels: []Rel{
				{Field: "people", Type: "INTERESTED_IN", Out: false, Target: "Person", Shape: ShapeNodes, OrderBy: "displayName"},
				{Field: "groups", Type: "INTERESTED_IN", Out: false, Target: "Group", Shape: ShapeNodes, OrderBy: "name"},
			},
			Required: []string{"name"}, DefaultOrder: "name", LabelProps: []string{"name"},
		},
		{
			Name: "Gift",
			Props: common(
				Prop{Name: "kind", Kind: KindEnum, Enum: []string{"HEAD", "HEART", "HANDS"}},
				Prop{Name: "description", Kind: KindString, Order: "DESCRIPTION"},
				// What the gift helps with, in the words needs are recorded in (matching.go).
				Prop{Name: "topic", Kind: KindEnum, Enum: HelpTopics, Order: "TOPIC"},
			),
			Rels:     []Rel{{Field: "offeredBy", Type: "OFFERS", Out: false, Target: "Person", Shape: ShapeNode}},
			Required: []string{"kind"}, DefaultOrder: "description", LabelProps: []string{"description", "kind"},
		},
		{
			// Help a person, group or organisation needs: a topic from the closed vocabulary
			// and the need in their own words. A person's need says something private about
			// them, so its words are Personal and it is copied for research only with them.
			Name: "Need",
			Props: common(
				Prop{Name: "topic", Kind: KindEnum, Enum: HelpTopics, Order: "TOPIC"},
				Prop{Name: "description", Kind: KindString, Order: "DESCRIPTION", Personal: true},
			),
			Rels: []Rel{
				{Field: "person", Type: "NEEDS", Out: false, Target: "Person", Shape: ShapeNode},
				{Field: "group", Type: "NEEDS", Out: false, Target: "Group", Shape: ShapeNode},
				{Field: "organisation", Type: "NEEDS", Out: false, Target: "Organisation", Shape: ShapeNode},
			},
			Required: []string{"topic"}, DefaultOrder: "topic", LabelProps: []string{"description", "topic"},
		},
		{
			// An entry in the social calendar (events.go): when it starts and ends, in which
			// time zone its recurrence (an RFC 5545 RRULE, less its exceptions) is expanded,
			// where it is held (HELD_AT) and which group runs it (RUNS).
			Name: "Event",
			Props: common(
				Prop{Name: "title", Kind: KindString, Order: "TITLE"},
				Prop{Name: "description", Kind: KindString},
				Prop{Name: "start", Kind: KindDateTime, Order: "START"},
				Prop{Name: "end", Kind: KindDateTime},
				Prop{Name: "timeZone", Kind: KindString},
				Prop{Name: "recurrence", Kind: KindString},
				Prop{Name: "exceptions", Kind: KindStringList, Default: []string{}},
				Prop{Name: "cost", Kind: KindString},
				Prop{Name: "accessibility", Kind: KindString},
			),
			Rels: []Rel{
				{Field: "place", Type: "HELD_AT", Out: true, Target: "Place", Shape: ShapeNode},
				{Field: "group", Type: "RUNS", Out: false, Target: "Group", Shape: ShapeNode},
				{Field: "attendees", Type: "ATTENDED", Out: false, Target: "Person", Shape: ShapeNodes, OrderBy: "displayName"},
			},
			Links: []Link{
				{Field: "placeId", Type: "HELD_AT", Out: true, Target: "Place"},
				{Field: "groupId", Type: "RUNS", Out: false, Target: "Group"},
			},
			Required: []string{"title", "start"}, DefaultOrder: "start", LabelProps: []string{"title"},
		},
		{
			Name:  "Area",
			Props: common(Prop{Name: "name", Kind: KindString, Order: "NAME"}),
			Rels: []Rel{
				{Field: "parent", Type: "IN", Out: true, Target: "Area", Shape: ShapeNode},
				{Field: "children", Type: "IN", Out: false, Target: "Area", Shape: ShapeNodes, OrderBy: "name"},
				{Field: "residents", Type: "LIVES_IN", Out: false, Target: "Person", Shape: ShapeNodes, OrderBy: "displayName"},
			},
			Required: []string{"name"}, AreaTie: "IN", AreaField: "parentId", DefaultOrder: "name", LabelProps: []string{"name"},
		},
		{
			Name: "Wave",
			Props: common(
				Prop{Name: "name", Kind: KindString, Order: "NAME"},
				Prop{Name: "collectedOn", Kind: KindDate, Order: "COLLECTED_ON"},
			),
			Required: []string{"name"}, DefaultOrder: "collectedOn", LabelProps: []string{"name"},
		},
	}
	people := []string{"Person"}
	ties := []*TieKind{
		{Name: "KNOWS", From: people, To: people, Props: withProvenance(Prop{Name: "strength", Kind: KindEnum, Enum: []string{"STRONG", "WEAK"}}), KeyProp: "strength"},
		{Name: "TRUSTS", From: people, To: []string{"Person", "FamiliarStranger", "Organisation"},
			Props: withProvenance(Prop{Name: "for", Kind: KindEnum, Enum: []string{"HELP", "ADVICE", "SUPPORT"}}), KeyProp: "for"},
		{Name: "GETS_INFO_FROM", From: people, To: []string{"Person", "Place", "Group", "Organisation", "FamiliarStranger"}, Props: withProvenance()},
		{Name: "ENCOURAGES", From: people, To: people, Props: withProvenance()},
		{Name: "MEMBER_OF", From: people, To: []string{"Group"}, Props: withProvenance(
			Prop{Name: "role", Kind: KindEnum, Enum: []string{"MEMBER", "ORGANISER", "VOLUNTEER"}},
			Prop{Name: "since", Kind: KindDate})},
		{Name: "USES", From: people, To: []string{"Place"}, Props: withProvenance(Prop{Name: "frequency", Kind: KindEnum, Enum: frequencies})},
		{Name: "MEETS_AT", From: []string{"Group"}, To: []string{"Place"}, Props: withProvenance()},
		{Name: "SEES", From: []string{"FamiliarStranger"}, To: people, Props: withProvenance(Prop{Name: "frequency", Kind: KindEnum, Enum: frequencies})},
		{Name: "WORKS_FOR", From: people, To: []string{"Organisation"}, Props: withProvenance()},
		{Name: "INTERESTED_IN", From: []string{"Person", "Group"}, To: []string{"Interest"}, Props: withProvenance()},
		{Name: "OFFERS", From: people, To: []string{"Gift"}, Props: withProvenance()},
		{Name: "NEEDS", From: []string{"Person", "Group", "Organisation"}, To: []string{"Need"}, Props: withProvenance()},
		{Name: "LIVES_IN", From: people, To: []string{"Area"}, Props: withProvenance()},
		{Name: "IN", From: []string{"Place", "Group", "Organisation", "FamiliarStranger", "Area"}, To: []string{"Area"}, Props: withProvenance()},
		{Name: "RUNS", From: []string{"Group"}, To: []string{"Event"}, Props: withProvenance()},
		{Name: "HELD_AT", From: []string{"Event"}, To: []string{"Place"}, Props: withProvenance()},
		{Name: "ATTENDED", From: people, To: []string{"Event"}, Props: withProvenance()},
		// The organisation that runs a group: the directory lists the group as a service of it.
		{Name: "RUN_BY", From: []string{"Group"}, To: []string{"Organisation"}, Props: withProvenance()},
		{Name: "POSSIBLY_SAME_AS", From: people, To: people, Props: withProvenance(Prop{Name: "score", Kind: KindFloat, Min: 0, Max: 1})},
	}
	s := &Schema{Labels: map[string]*Label{}, Ties: map[string]*TieKind{}}
	for _, l := range labels {
		s.Labels[l.Name] = l
		s.LabelOrder = append(s.LabelOrder, l.Name)
	}
	for _, k := range ties {
		s.Ties[k.Name] = k
		s.TieOrder = append(s.TieOrder, k.Name)
	}
	return s
}

// sortedKeys returns the keys of m in order, so generated query text is stable and Neo4j
// reuses its plans.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
