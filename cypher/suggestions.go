package cypher

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// MaxSuggestions is the most groups Suggestions, or events EventSuggestions, returns.
const MaxSuggestions = 50

// maxCompanions is the most people a suggestion names to go along with.
const maxCompanions = 3

// Suggestion is a group a person might join and the reasons that put it there.
type Suggestion struct {
	GroupID, Name, Activity, Openness string
	MeetsAt, SharedInterests          []string
	KnownMembers                      int
	Nearby                            bool
	Score                             int
	GoAlongWith                       []Companion
}

// Companion is someone a person could go along with the first time: a person they know,
// trust or are encouraged by (either way) who is there already, and who passes the
// suggestions' scope themselves (so has consented to suggestions).
type Companion struct {
	PersonID, ExternalID, Label string
	// Ties are the kinds of tie between the two, of trustedKinds.
	Ties []string
}

// suggestionSubject checks the person or externalId a suggestion query names, and its
// page size, and returns the property and value to find the person by.
func suggestionSubject(scope Scope, person, externalID string, first int) (key, value string, err error) {
	switch {
	case person != "" && externalID != "":
		return "", "", apierr.BadUserInput("externalId", "give person or externalId, not both")
	case person == "" && externalID == "":
		return "", "", apierr.BadUserInput("person", "give person or externalId")
	case person == "":
		key, value = "externalId", externalID
	default:
		if l, ok := nodeid.Label(person); !ok || l != "Person" {
			return "", "", apierr.BadUserInput("person", "is not the id of a Person")
		}
		key, value = "id", person
	}
	if first < 1 || first > MaxSuggestions {
		return "", "", apierr.BadUserInput("first", "must be between 1 and %d", MaxSuggestions)
	}
	if scope.Consent != ConsentSuggestions {
		return "", "", fmt.Errorf("suggestions: the scope does not require consent to suggestions")
	}
	return key, value, nil
}

// readSuggestions runs a suggestion query, whose first column says whether its person was
// found, and returns its row: NOT_FOUND when the person is missing or out of the scope,
// alike.
func (s *Store) readSuggestions(ctx context.Context, q string, params map[string]any, key, value string) (*neo4j.Record, error) {
	row, err := s.readRow(ctx, q, params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		field := "person"
		if key == "externalId" {
			field = "externalId"
		}
		return nil, apierr.NotFound(field, "no Person who consented to suggestions has %s %s", key, value)
	}
	return row, nil
}

// suggestionScore scores a group or event from the interests shared with the person, the
// people they know there (at most 3 count) and whether it is nearby.
const suggestionScore = "2 * size(shared) + CASE WHEN known > 3 THEN 3 ELSE known END + CASE WHEN nearby THEN 1 ELSE 0 END AS score"

// suggestionAround binds around to the areas near person p: the area they live in and the
// areas it is inside.
const suggestionAround = "WITH p, COLLECT { MATCH (p)-[:LIVES_IN]->(:Area)-[:IN]->{0,6}(a:Area) RETURN a } AS around"

// nearby is the condition that an area reached from start by the path pattern path (ending
// in -[:IN]->) is near person p: one of around, or an area inside the one p lives in.
func nearby(start, path string) string {
	return fmt.Sprintf("EXISTS { MATCH (%s)%s(x:Area) WHERE x IN around OR EXISTS { MATCH (x)-[:IN]->{1,6}(:Area)<-[:LIVES_IN]-(p) } }", start, path)
}

// companions is a list expression of the people p could go along with to something: at
// most maxCompanions people tied to p by a trusted kind, either way, for whom there (a
// condition on c) holds and who pass the scope, those who p trusts or is encouraged by
// first.
func (b *builder) companions(there string) string {
	kinds := strings.Join(quoteAll(trustedKinds), "|")
	// No aggregation inside: Neo4j refuses one in a subquery within a RETURN that groups.
	return fmt.Sprintf(`[c IN COLLECT {
      MATCH (p)-[:%s]-(c:Person) WHERE c <> p AND %s%s
      WITH DISTINCT c
      RETURN c ORDER BY CASE WHEN EXISTS { (p)-[:TRUSTS]-(c) } THEN 0 WHEN EXISTS { (p)-[:ENCOURAGES]-(c) } THEN 1 ELSE 2 END, c.id
      LIMIT %d
    } | {personId: c.id, externalId: c.externalId, label: coalesce(c.displayName, c.pseudonym, ''),
      ties: COLLECT { MATCH (p)-[r:%s]-(c) RETURN DISTINCT type(r) AS k ORDER BY k }}]`,
		kinds, there, andPrefix(b.personPredicate("c")), maxCompanions, kinds)
}

// companionsOf decodes the list companions returns.
func companionsOf(v any) []Companion {
	list, _ := v.([]any)
	out := make([]Companion, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		c := Companion{Ties: sorted(stringsOf(m["ties"]))}
		c.PersonID, _ = m["personId"].(string)
		c.ExternalID, _ = m["externalId"].(string)
		c.Label, _ = m["label"].(string)
		out = append(out, c)
	}
	return out
}

// Suggestions ranks the groups a person might join: those that share an interest with
// them (INTERESTED_IN on both sides) or that someone they know, trust or are encouraged by
// belongs to, leaving out sensitive and closed groups and the person's own. The score is 2
// per shared interest, 1 per known member (at most 3) and 1 when the group or a place where
// it meets is near them (their area, an area inside it or an area it is inside); ties go to
// more known members, then to the name. Each names up to three known members who pass the
// scope to go along with. The scope must carry the suggestions consent (the resolver sets
// it): a person outside the scope is NOT_FOUND, as is an id that names nobody.
//
// The person is named by id, or, when person is empty, by externalId; their id is returned
// with the suggestions.
func (s *Store) Suggestions(ctx context.Context, scope Scope, person, externalID string, first int) (string, []Suggestion, error) {
	key, value, err := suggestionSubject(scope, person, externalID, first)
	if err != nil {
		return "", nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	knows := strings.Join(quoteAll(trustedKinds), "|")
	// One pass over the person's interests and the people they know finds the candidate
	// groups and counts both reasons; counting known members per group from the group's
	// side would expand every member of every candidate.
	q := fmt.Sprintf(`%s
%s
RETURN p IS NOT NULL AS found, p.id AS id, COLLECT {
  CALL (p) {
    MATCH (p)-[:INTERESTED_IN]->(i:Interest)<-[:INTERESTED_IN]-(g:Group) RETURN g, i.name AS interest, null AS o
    UNION ALL
    MATCH (p)-[:%s]-(o:Person)-[:MEMBER_OF]->(g:Group) WHERE o <> p RETURN g, null AS interest, o
  }
  WITH p, g, interest, o ORDER BY interest
  WITH p, g, collect(DISTINCT interest) AS shared, count(DISTINCT o) AS known
  WHERE coalesce(g.sensitive, false) = false AND coalesce(g.openness, '') <> 'CLOSED'
    AND NOT EXISTS { (p)-[:MEMBER_OF]->(g) }
  WITH p, g, shared, known, %s AS nearby
  WITH p, g, shared, known, nearby,
    `+suggestionScore+`
  ORDER BY score DESC, known DESC, g.name, g.id
  LIMIT %s
  RETURN {groupId: g.id, name: g.name, activity: g.activity, openness: g.openness,
    meetsAt: COLLECT { MATCH (g)-[:MEETS_AT]->(m:Place) RETURN DISTINCT m.name AS n ORDER BY n },
    sharedInterests: shared, knownMembers: known, nearby: nearby, score: score,
    goAlongWith: %s}
} AS suggestions`, b.scopedPersonBy("p", key, value), suggestionAround, knows,
		nearby("g", "-[:MEETS_AT]->{0,1}()-[:IN]->"), b.param(int64(first)),
		b.companions("EXISTS { (c)-[:MEMBER_OF]->(g) }"))
	row, err := s.readSuggestions(ctx, q, b.params, key, value)
	if err != nil {
		return "", nil, err
	}
	var out []Suggestion
	for _, v := range row.Values[2].([]any) {
		m := v.(map[string]any)
		sg := Suggestion{MeetsAt: stringsOf(m["meetsAt"]), SharedInterests: stringsOf(m["sharedInterests"]), Nearby: m["nearby"] == true,
			GoAlongWith: companionsOf(m["goAlongWith"])}
		sg.GroupID, _ = m["groupId"].(string)
		sg.Name, _ = m["name"].(string)
		sg.Activity, _ = m["activity"].(string)
		sg.Openness, _ = m["openness"].(string)
		sg.KnownMembers = int(m["knownMembers"].(int64))
		sg.Score = int(m["score"].(int64))
		out = append(out, sg)
	}
	id, _ := row.Values[1].(string)
	return id, out, nil
}

// maxEventCandidates bounds the events EventSuggestions reads before it expands their
// recurrences: the best scored, of which those with an occurrence in the window are kept.
const maxEventCandidates = 500

// EventSuggestion is an event a person might go to, its next occurrence in the window and
// the reasons that put it there.
type EventSuggestion struct {
	EventID, Title, Description string
	Start, End                  time.Time
	HasEnd                      bool
	Recurrence                  string
	Place, GroupID, Group       string
	Cost, Accessibility         string
	SharedInterests             []string
	KnownGoing                  int
	Nearby                      bool
	Score                       int
	GoAlongWith                 []Companion
}

// EventSuggestions ranks the events a person might go to with an occurrence in [from, to)
// (at most MaxWindow): events run by a group that shares an interest with them, or that
// someone they know, trust or are encouraged by (either way) belongs to or has been to
// (ATTENDED). Events of sensitive and closed groups, of the person's own groups (their
// week, myWeek) and events they have been to are left out. The score is 2 per shared
// interest, 1 per known person going (at most 3) and 1 when the event is held, or its
// group meets, near them; ties go to the earlier next occurrence, then the id. Each names
// up to three of the known people who pass the scope to go along with. Scope and subject
// as Suggestions.
func (s *Store) EventSuggestions(ctx context.Context, scope Scope, person, externalID string, from, to time.Time, first int) (string, []EventSuggestion, error) {
	key, value, err := suggestionSubject(scope, person, externalID, first)
	if err != nil {
		return "", nil, err
	}
	if !to.After(from) {
		return "", nil, apierr.BadUserInput("to", "must be after from")
	}
	if to.Sub(from) > MaxWindow {
		return "", nil, apierr.BadUserInput("to", "is more than 366 days after from: ask for a shorter window")
	}
	b := newScopedBuilder(s.schema, scope)
	knows := strings.Join(quoteAll(trustedKinds), "|")
	going := "(EXISTS { (c)-[:MEMBER_OF]->(:Group)-[:RUNS]->(e) } OR EXISTS { (c)-[:ATTENDED]->(e) })"
	q := fmt.Sprintf(`%s
%s
RETURN p IS NOT NULL AS found, p.id AS id, COLLECT {
  CALL (p) {
    MATCH (p)-[:INTERESTED_IN]->(i:Interest)<-[:INTERESTED_IN]-(:Group)-[:RUNS]->(e:Event) RETURN e, i.name AS interest, null AS o
    UNION ALL
    MATCH (p)-[:%s]-(o:Person)-[:MEMBER_OF]->(:Group)-[:RUNS]->(e:Event) WHERE o <> p RETURN e, null AS interest, o
    UNION ALL
    MATCH (p)-[:%s]-(o:Person)-[:ATTENDED]->(e:Event) WHERE o <> p RETURN e, null AS interest, o
  }
  WITH p, e, interest, o ORDER BY interest
  WITH p, e, collect(DISTINCT interest) AS shared, count(DISTINCT o) AS known
  WHERE e.start < %s AND (e.recurrence IS NOT NULL OR e.start >= %s)
    AND NOT EXISTS { (p)-[:ATTENDED]->(e) }
    AND NOT EXISTS { MATCH (g:Group)-[:RUNS]->(e)
      WHERE coalesce(g.sensitive, false) OR coalesce(g.openness, '') = 'CLOSED' OR EXISTS { (p)-[:MEMBER_OF]->(g) } }
  WITH p, e, shared, known, %s OR %s AS nearby
  WITH p, e, shared, known, nearby,
    `+suggestionScore+`
  ORDER BY score DESC, e.id
  LIMIT %d
  RETURN [%s, {title: e.title, description: e.description, cost: e.cost, accessibility: e.accessibility,
    place: head(COLLECT { MATCH (e)-[:HELD_AT]->(m:Place) RETURN m.name AS n ORDER BY n }),
    group: head(COLLECT { MATCH (g:Group)-[:RUNS]->(e) RETURN {id: g.id, name: g.name} AS g ORDER BY g.id }),
    sharedInterests: shared, knownGoing: known, nearby: nearby, score: score,
    goAlongWith: %s}]
} AS events`, b.scopedPersonBy("p", key, value), suggestionAround, knows, knows,
		b.param(to), b.param(from),
		nearby("e", "-[:HELD_AT]->(:Place)-[:IN]->"), nearby("e", "<-[:RUNS]-(:Group)-[:MEETS_AT]->{0,1}()-[:IN]->"),
		maxEventCandidates, eventTimingCols, b.companions(going))
	row, err := s.readSuggestions(ctx, q, b.params, key, value)
	if err != nil {
		return "", nil, err
	}
	var out []EventSuggestion
	for _, v := range row.Values[2].([]any) {
		pair := v.([]any)
		t := timingOf(pair[:6])
		start, ok, err := t.Next(from, to)
		if err != nil {
			return "", nil, fmt.Errorf("event suggestions: expand %s: %w", t.ID, err)
		}
		if !ok {
			continue
		}
		m := pair[6].(map[string]any)
		es := EventSuggestion{EventID: t.ID, Start: start.UTC(), Recurrence: t.Recurrence,
			SharedInterests: stringsOf(m["sharedInterests"]), Nearby: m["nearby"] == true, GoAlongWith: companionsOf(m["goAlongWith"])}
		if t.End != nil {
			es.End, es.HasEnd = start.Add(t.Duration()).UTC(), true
		}
		es.Title, _ = m["title"].(string)
		es.Description, _ = m["description"].(string)
		es.Cost, _ = m["cost"].(string)
		es.Accessibility, _ = m["accessibility"].(string)
		es.Place, _ = m["place"].(string)
		if g, ok := m["group"].(map[string]any); ok {
			es.GroupID, _ = g["id"].(string)
			es.Group, _ = g["name"].(string)
		}
		es.KnownGoing = int(m["knownGoing"].(int64))
		es.Score = int(m["score"].(int64))
		out = append(out, es)
	}
	slices.SortStableFunc(out, func(a, b EventSuggestion) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	id, _ := row.Values[1].(string)
	return id, out[:min(first, len(out))], nil
}

// scopedPersonBy binds v to the person whose key ("id" or "externalId") is value, if the
// scope lets the caller see them, and to null otherwise.
func (b *builder) scopedPersonBy(v, key, value string) string {
	q := fmt.Sprintf("OPTIONAL MATCH (%s:Person {%s: %s})", v, quote(key), b.param(value))
	if pred := b.personPredicate(v); pred != "" {
		q += " WHERE " + pred
	}
	return q
}
