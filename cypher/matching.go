package cypher

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// This file is give and receive: gifts (OFFERS) matched to needs (NEEDS) on their topic,
// with the reasons that rank each match. Every query here is consent-aware exactly like
// Suggestions: the scope must carry the suggestions consent, the subject and every person
// proposed must pass it, and a subject outside it is NOT_FOUND alike with one that does not
// exist.

// HelpTopics is the closed vocabulary gifts and needs are matched on (the API's HelpTopic).
// It grows by adding a value here and in schema/circles.graphqls.
var HelpTopics = []string{
	"COMPANY", "LISTENING", "TRANSPORT", "SHOPPING", "COOKING", "GARDENING", "REPAIRS", "DIGITAL",
	"PAPERWORK", "CARE", "TEACHING", "ARTS", "EXERCISE", "ORGANISING", "VOLUNTEERS", "VENUE", "OTHER",
}

// trustedKinds are the ties a trusted step follows, either way, from person to person.
var trustedKinds = []string{"KNOWS", "TRUSTS", "ENCOURAGES"}

// maxTrustedSteps is the furthest apart two people are still counted as within trusted
// steps of each other.
const maxTrustedSteps = 3

// Reach values: how near two people live.
const (
	ReachSame         = "SAME_AREA"
	ReachNeighbouring = "NEIGHBOURING"
)

// HelpMatch is a person who could help, or be helped by, the subject of a match.
type HelpMatch struct {
	PersonID, Label string
	Topics          []string
	SharedInterests []string
	// TrustedSteps is the fewest trusted ties between the two, 0 when more than
	// maxTrustedSteps.
	TrustedSteps int
	// Reach is ReachSame, ReachNeighbouring or "".
	Reach string
	Score int
}

// VolunteerMatch is a person who could volunteer for a group.
type VolunteerMatch struct {
	PersonID, Label string
	Topics          []string
	SharedInterests []string
	KnownMembers    int
	Nearby          bool
	Score           int
}

// Opportunity is a group or organisation a person could volunteer for.
type Opportunity struct {
	ID, Kind, Name  string
	Topics          []string
	SharedInterests []string
	KnownPeople     int
	Nearby          bool
	Score           int
}

// checkMatchScope checks the subject id and the scope of a match query.
func checkMatchScope(scope Scope, id, field, label string) error {
	if l, ok := nodeid.Label(id); !ok || l != label {
		return apierr.BadUserInput(field, "is not the id of a %s", label)
	}
	if scope.Consent != ConsentSuggestions {
		return fmt.Errorf("matching: the scope does not require consent to suggestions")
	}
	return nil
}

// subjectFound reports whether the subject of a match is there and in the scope: a person
// who passes the scope's predicate, or a group that is not sensitive and, for a scope with
// areas, is in one of them (itself or a place where it meets).
func (s *Store) subjectFound(ctx context.Context, scope Scope, label, id string) (bool, error) {
	b := newScopedBuilder(s.schema, scope)
	var q string
	switch label {
	case "Person":
		q = fmt.Sprintf("MATCH (x:Person {id: %s})", b.param(id))
		if pred := b.personPredicate("x"); pred != "" {
			q += " WHERE " + pred
		}
	default:
		q = fmt.Sprintf("MATCH (x:Group {id: %s}) WHERE NOT coalesce(x.sensitive, false)", b.param(id))
		if scope.Areas != nil {
			q += fmt.Sprintf(" AND EXISTS { MATCH (x)-[:MEETS_AT]->{0,1}()-[:IN]->(:Area)-[:IN]->{0,%d}(a:Area) WHERE a.id IN %s }",
				areaDepth, b.areasParam())
		}
	}
	row, err := s.readRow(ctx, q+" RETURN count(x) > 0", b.params)
	if err != nil {
		return false, err
	}
	found, _ := row.Values[0].(bool)
	return found, nil
}

// helpTail scores the candidates c of subject p, given topics: the shared interests, the
// trusted steps between them, and their reach.
func (b *builder) helpTail() string {
	knows := strings.Join(quoteAll(trustedKinds), "|")
	return fmt.Sprintf(`
WITH p, c, topics,
  COLLECT { MATCH (p)-[:INTERESTED_IN]->(i:Interest)<-[:INTERESTED_IN]-(c) RETURN DISTINCT i.name AS n ORDER BY n } AS shared,
  COLLECT { MATCH path = SHORTEST 1 (p)(()-[:%s]-(:Person)){1,%d}(c) RETURN length(path) AS l } AS steps,
  CASE WHEN EXISTS { (p)-[:LIVES_IN]->(:Area)<-[:LIVES_IN]-(c) } THEN '%s'
    WHEN EXISTS { MATCH (p)-[:LIVES_IN]->(a:Area), (c)-[:LIVES_IN]->(o:Area)
      WHERE (a)-[:IN]->(o) OR (o)-[:IN]->(a) OR EXISTS { (a)-[:IN]->(:Area)<-[:IN]-(o) } } THEN '%s' END AS reach
WITH c, topics, shared, CASE WHEN size(steps) = 0 THEN null ELSE steps[0] END AS steps, reach
WITH c, topics, shared, steps, reach,
  3 * size(topics) + CASE WHEN size(shared) > 3 THEN 3 ELSE size(shared) END + coalesce(%d - steps, 0)
  + CASE reach WHEN '%s' THEN 2 WHEN '%s' THEN 1 ELSE 0 END AS score`,
		knows, maxTrustedSteps, ReachSame, ReachNeighbouring, maxTrustedSteps+1, ReachSame, ReachNeighbouring)
}

const helpItem = `{personId: c.id, label: coalesce(c.displayName, c.pseudonym, ''), topics: topics, sharedInterests: shared,
  trustedSteps: steps, reach: reach, score: score}`

// WhoCouldHelp ranks the people whose gifts (OFFERS, by topic) meet the person's needs
// (NEEDS): 3 per topic, 1 per shared interest (at most 3), 4 less the trusted steps between
// them (KNOWS, TRUSTS or ENCOURAGES either way through people, at most 3), 2 when they live
// in the same area and 1 in neighbouring ones (one inside the other, or with the same
// parent). Ties go to the id. Both people must pass the scope, which must carry the
// suggestions consent.
func (s *Store) WhoCouldHelp(ctx context.Context, scope Scope, person string, args PageArgs, wantTotal bool) (*Page, []HelpMatch, error) {
	return s.helpMatches(ctx, scope, person, args, wantTotal, "NEEDS", "OFFERS", "whoCouldHelp")
}

// WhoCouldBeHelpedBy ranks the people whose needs the person's gifts meet, as WhoCouldHelp.
func (s *Store) WhoCouldBeHelpedBy(ctx context.Context, scope Scope, person string, args PageArgs, wantTotal bool) (*Page, []HelpMatch, error) {
	return s.helpMatches(ctx, scope, person, args, wantTotal, "OFFERS", "NEEDS", "whoCouldBeHelpedBy")
}

func (s *Store) helpMatches(ctx context.Context, scope Scope, person string, args PageArgs, wantTotal bool, mine, theirs, name string) (*Page, []HelpMatch, error) {
	if err := checkMatchScope(scope, person, "person", "Person"); err != nil {
		return nil, nil, err
	}
	if found, err := s.subjectFound(ctx, scope, "Person", person); err != nil {
		return nil, nil, err
	} else if !found {
		return nil, nil, apierr.NotFound("person", "no Person who consented to suggestions has id %s", person)
	}
	b := newScopedBuilder(s.schema, scope)
	match := fmt.Sprintf(`MATCH (p:Person {id: %s})-[:%s]->(x)
WHERE x.topic IS NOT NULL
WITH p, collect(DISTINCT x.topic) AS wanted
MATCH (c:Person)-[:%s]->(y) WHERE y.topic IN wanted AND c <> p%s
WITH p, c, collect(DISTINCT y.topic) AS topics`, b.param(person), mine, theirs, andPrefix(b.personPredicate("c")))
	p, err := s.page(ctx, b, pageRead{
		match: match + b.helpTail(),
		carry: "c, topics, shared, steps, reach, score",
		order: []sortKey{{expr: "score", desc: true, required: true}, {expr: "c.id", required: true}},
		item:  helpItem,
		name:  name,
	}, args, wantTotal)
	if err != nil {
		return nil, nil, err
	}
	out := make([]HelpMatch, len(p.Records))
	for i, rec := range p.Records {
		v := rec.Props
		m := HelpMatch{Topics: sorted(stringsOf(v["topics"])), SharedInterests: stringsOf(v["sharedInterests"])}
		m.PersonID, _ = v["personId"].(string)
		m.Label, _ = v["label"].(string)
		m.Reach, _ = v["reach"].(string)
		if n, ok := v["trustedSteps"].(int64); ok {
			m.TrustedSteps = int(n)
		}
		m.Score = int(v["score"].(int64))
		out[i] = m
	}
	return p, out, nil
}

// andPrefix returns " AND cond", or "" for no condition.
func andPrefix(cond string) string {
	if cond == "" {
		return ""
	}
	return " AND " + cond
}

// VolunteerMatches ranks the people who could volunteer for a group: not members already,
// with a gift that meets one of its needs or an interest it has. The score is 3 per topic,
// 1 per shared interest (at most 3), 1 per member they know, trust or are encouraged by (at
// most 3) and 1 when they live near the group (its area or a meeting place's, an area
// inside it, one it is inside, or one with the same parent); ties go to the id. A sensitive
// group, or one outside the scope's areas, is NOT_FOUND.
func (s *Store) VolunteerMatches(ctx context.Context, scope Scope, group string, args PageArgs, wantTotal bool) (*Page, []VolunteerMatch, error) {
	if err := checkMatchScope(scope, group, "group", "Group"); err != nil {
		return nil, nil, err
	}
	if found, err := s.subjectFound(ctx, scope, "Group", group); err != nil {
		return nil, nil, err
	} else if !found {
		return nil, nil, apierr.NotFound("group", "no Group that may be matched has id %s", group)
	}
	b := newScopedBuilder(s.schema, scope)
	knows := strings.Join(quoteAll(trustedKinds), "|")
	match := fmt.Sprintf(`MATCH (g:Group {id: %s})
WITH g, COLLECT { MATCH (g)-[:NEEDS]->(n:Need) RETURN DISTINCT n.topic AS t } AS wanted,
  COLLECT { MATCH (g)-[:MEETS_AT]->{0,1}()-[:IN]->(a:Area) RETURN DISTINCT a } AS places
CALL (g, wanted) {
  MATCH (c:Person)-[:OFFERS]->(y:Gift) WHERE y.topic IN wanted RETURN c
  UNION
  MATCH (g)-[:INTERESTED_IN]->(:Interest)<-[:INTERESTED_IN]-(c:Person) RETURN c
}
WITH g, wanted, places, c WHERE NOT EXISTS { (c)-[:MEMBER_OF]->(g) }%s
WITH g, places, c,
  COLLECT { MATCH (c)-[:OFFERS]->(y:Gift) WHERE y.topic IN wanted RETURN DISTINCT y.topic AS t ORDER BY t } AS topics,
  COLLECT { MATCH (c)-[:INTERESTED_IN]->(i:Interest)<-[:INTERESTED_IN]-(g) RETURN DISTINCT i.name AS n ORDER BY n } AS shared,
  COUNT { MATCH (c)-[:%s]-(o:Person)-[:MEMBER_OF]->(g) WHERE o <> c RETURN DISTINCT o } AS known,
  EXISTS { MATCH (c)-[:LIVES_IN]->(h:Area) WHERE any(a IN places WHERE a = h
    OR EXISTS { (h)-[:IN]->(a) } OR EXISTS { (a)-[:IN]->(h) } OR EXISTS { (h)-[:IN]->(:Area)<-[:IN]-(a) }) } AS nearby
WITH c, topics, shared, known, nearby,
  3 * size(topics) + CASE WHEN size(shared) > 3 THEN 3 ELSE size(shared) END + CASE WHEN known > 3 THEN 3 ELSE known END
  + CASE WHEN nearby THEN 1 ELSE 0 END AS score`, b.param(group), andPrefix(b.personPredicate("c")), knows)
	p, err := s.page(ctx, b, pageRead{
		match: match,
		carry: "c, topics, shared, known, nearby, score",
		order: []sortKey{{expr: "score", desc: true, required: true}, {expr: "c.id", required: true}},
		item: `{personId: c.id, label: coalesce(c.displayName, c.pseudonym, ''), topics: topics, sharedInterests: shared,
  knownMembers: known, nearby: nearby, score: score}`,
		name: "volunteerMatches",
	}, args, wantTotal)
	if err != nil {
		return nil, nil, err
	}
	out := make([]VolunteerMatch, len(p.Records))
	for i, rec := range p.Records {
		v := rec.Props
		m := VolunteerMatch{Topics: stringsOf(v["topics"]), SharedInterests: stringsOf(v["sharedInterests"]), Nearby: v["nearby"] == true}
		m.PersonID, _ = v["personId"].(string)
		m.Label, _ = v["label"].(string)
		m.KnownMembers = int(v["knownMembers"].(int64))
		m.Score = int(v["score"].(int64))
		out[i] = m
	}
	return p, out, nil
}

// VolunteeringFor ranks the groups and organisations a person could volunteer for: those
// with a need one of the person's gifts meets, or (groups) an interest they share. Sensitive
// groups and the groups the person belongs to are left out. The score is as
// VolunteerMatches', counting the members or staff the person knows; ties go to the id.
func (s *Store) VolunteeringFor(ctx context.Context, scope Scope, person string, args PageArgs, wantTotal bool) (*Page, []Opportunity, error) {
	if err := checkMatchScope(scope, person, "person", "Person"); err != nil {
		return nil, nil, err
	}
	if found, err := s.subjectFound(ctx, scope, "Person", person); err != nil {
		return nil, nil, err
	} else if !found {
		return nil, nil, apierr.NotFound("person", "no Person who consented to suggestions has id %s", person)
	}
	b := newScopedBuilder(s.schema, scope)
	knows := strings.Join(quoteAll(trustedKinds), "|")
	match := fmt.Sprintf(`MATCH (p:Person {id: %s})
WITH p, COLLECT { MATCH (p)-[:OFFERS]->(y:Gift) WHERE y.topic IS NOT NULL RETURN DISTINCT y.topic AS t } AS offered,
  COLLECT { MATCH (p)-[:LIVES_IN]->(h:Area) RETURN h } AS homes
CALL (p, offered) {
  MATCH (o)-[:NEEDS]->(n:Need) WHERE n.topic IN offered AND (o:Group OR o:Organisation) RETURN o
  UNION
  MATCH (p)-[:INTERESTED_IN]->(:Interest)<-[:INTERESTED_IN]-(o:Group) RETURN o
}
WITH p, offered, homes, o
WHERE NOT coalesce(o.sensitive, false) AND NOT EXISTS { (p)-[:MEMBER_OF]->(o) }
WITH o, CASE WHEN o:Group THEN 'GROUP' ELSE 'ORGANISATION' END AS kind,
  COLLECT { MATCH (o)-[:NEEDS]->(n:Need) WHERE n.topic IN offered RETURN DISTINCT n.topic AS t ORDER BY t } AS topics,
  COLLECT { MATCH (p)-[:INTERESTED_IN]->(i:Interest)<-[:INTERESTED_IN]-(o) RETURN DISTINCT i.name AS n ORDER BY n } AS shared,
  COUNT { MATCH (p)-[:%s]-(m:Person)-[:MEMBER_OF|WORKS_FOR]->(o) WHERE m <> p RETURN DISTINCT m } AS known,
  EXISTS { MATCH (o)-[:MEETS_AT]->{0,1}()-[:IN]->(a:Area) WHERE any(h IN homes WHERE a = h
    OR EXISTS { (h)-[:IN]->(a) } OR EXISTS { (a)-[:IN]->(h) } OR EXISTS { (h)-[:IN]->(:Area)<-[:IN]-(a) }) } AS nearby
WITH o, kind, topics, shared, known, nearby,
  3 * size(topics) + CASE WHEN size(shared) > 3 THEN 3 ELSE size(shared) END + CASE WHEN known > 3 THEN 3 ELSE known END
  + CASE WHEN nearby THEN 1 ELSE 0 END AS score`, b.param(person), knows)
	p, err := s.page(ctx, b, pageRead{
		match: match,
		carry: "o, kind, topics, shared, known, nearby, score",
		order: []sortKey{{expr: "score", desc: true, required: true}, {expr: "o.id", required: true}},
		item: `{id: o.id, kind: kind, name: coalesce(o.name, ''), topics: topics, sharedInterests: shared,
  knownPeople: known, nearby: nearby, score: score}`,
		name: "volunteeringFor",
	}, args, wantTotal)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Opportunity, len(p.Records))
	for i, rec := range p.Records {
		v := rec.Props
		m := Opportunity{Topics: stringsOf(v["topics"]), SharedInterests: stringsOf(v["sharedInterests"]), Nearby: v["nearby"] == true}
		m.ID, _ = v["id"].(string)
		m.Kind, _ = v["kind"].(string)
		m.Name, _ = v["name"].(string)
		m.KnownPeople = int(v["knownPeople"].(int64))
		m.Score = int(v["score"].(int64))
		out[i] = m
	}
	return p, out, nil
}

// sorted sorts a list of topics in place and returns it.
func sorted(topics []string) []string {
	slices.Sort(topics)
	return topics
}
