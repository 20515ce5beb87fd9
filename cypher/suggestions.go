package cypher

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// MaxSuggestions is the most groups Suggestions returns.
const MaxSuggestions = 50

// Suggestion is a group a person might join and the reasons that put it there.
type Suggestion struct {
	GroupID, Name, Activity, Openness string
	MeetsAt, SharedInterests          []string
	KnownMembers                      int
	Nearby                            bool
	Score                             int
}

// suggestionKinds are the ties through which a person knows a group's member.
var suggestionKinds = []string{"KNOWS", "TRUSTS", "ENCOURAGES"}

// Suggestions ranks the groups a person might join: those that share an interest with
// them (INTERESTED_IN on both sides) or that someone they know, trust or are encouraged by
// belongs to, leaving out sensitive and closed groups and the person's own. The score is 2
// per shared interest, 1 per known member (at most 3) and 1 when the group or a place where
// it meets is near them (their area, an area inside it or an area it is inside); ties go to
// more known members, then to the name. The scope must carry the suggestions consent (the
// resolver sets it): a person outside the scope is NOT_FOUND, as is an id that names nobody.
//
// The person is named by id, or, when person is empty, by externalId; their id is returned
// with the suggestions.
func (s *Store) Suggestions(ctx context.Context, scope Scope, person, externalID string, first int) (string, []Suggestion, error) {
	key, value := "id", person
	switch {
	case person != "" && externalID != "":
		return "", nil, apierr.BadUserInput("externalId", "give person or externalId, not both")
	case person == "" && externalID == "":
		return "", nil, apierr.BadUserInput("person", "give person or externalId")
	case person == "":
		key, value = "externalId", externalID
	default:
		if l, ok := nodeid.Label(person); !ok || l != "Person" {
			return "", nil, apierr.BadUserInput("person", "is not the id of a Person")
		}
	}
	if first < 1 || first > MaxSuggestions {
		return "", nil, apierr.BadUserInput("first", "must be between 1 and %d", MaxSuggestions)
	}
	if scope.Consent != ConsentSuggestions {
		return "", nil, fmt.Errorf("suggestions: the scope does not require consent to suggestions")
	}
	b := newScopedBuilder(s.schema, scope)
	knows := strings.Join(quoteAll(suggestionKinds), "|")
	// One pass over the person's interests and the people they know finds the candidate
	// groups and counts both reasons; counting known members per group from the group's
	// side would expand every member of every candidate.
	q := fmt.Sprintf(`%s
WITH p, COLLECT { MATCH (p)-[:LIVES_IN]->(:Area)-[:IN]->{0,6}(a:Area) RETURN a } AS around
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
  WITH g, shared, known,
    EXISTS {
      MATCH (g)-[:MEETS_AT]->{0,1}()-[:IN]->(x:Area)
      WHERE x IN around OR EXISTS { MATCH (x)-[:IN]->{1,6}(:Area)<-[:LIVES_IN]-(p) }
    } AS nearby
  WITH g, shared, known, nearby,
    2 * size(shared) + CASE WHEN known > 3 THEN 3 ELSE known END + CASE WHEN nearby THEN 1 ELSE 0 END AS score
  ORDER BY score DESC, known DESC, g.name, g.id
  LIMIT %s
  RETURN {groupId: g.id, name: g.name, activity: g.activity, openness: g.openness,
    meetsAt: COLLECT { MATCH (g)-[:MEETS_AT]->(m:Place) RETURN DISTINCT m.name AS n ORDER BY n },
    sharedInterests: shared, knownMembers: known, nearby: nearby, score: score}
} AS suggestions`, b.scopedPersonBy("p", key, value), knows, b.param(int64(first)))
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return "", nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		field := "person"
		if key == "externalId" {
			field = "externalId"
		}
		return "", nil, apierr.NotFound(field, "no Person who consented to suggestions has %s %s", key, value)
	}
	var out []Suggestion
	for _, v := range row.Values[2].([]any) {
		m := v.(map[string]any)
		sg := Suggestion{MeetsAt: stringsOf(m["meetsAt"]), SharedInterests: stringsOf(m["sharedInterests"]), Nearby: m["nearby"] == true}
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

// scopedPersonBy binds v to the person whose key ("id" or "externalId") is value, if the
// scope lets the caller see them, and to null otherwise.
func (b *builder) scopedPersonBy(v, key, value string) string {
	q := fmt.Sprintf("OPTIONAL MATCH (%s:Person {%s: %s})", v, quote(key), b.param(value))
	if pred := b.personPredicate(v); pred != "" {
		q += " WHERE " + pred
	}
	return q
}
