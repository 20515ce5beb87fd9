package cypher

// Calendar feeds: capability tokens that open one iCalendar feed each, and what a feed
// holds. Calendar apps cannot send a bearer token, so a feed's URL carries a token of its
// own: whoever holds the URL reads that one feed, and nothing else, until it is revoked.
// Only the token's SHA-256 is stored, so the database (or a backup of it) gives no URL away.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// FeedTokenLabel labels a feed's token: (:FeedToken {id, hash, kind, target, area,
// createdAt, createdBy, revokedAt}).
const FeedTokenLabel = "FeedToken"

// feedPrefix starts every feed token, so that one is recognised in a leak report.
const feedPrefix = "kf_"

// FeedKinds maps the API's FeedKind to the label its target carries.
var FeedKinds = map[string]string{"GROUP": "Group", "PLACE": "Place", "AREA": "Area", "INTEREST": "Interest", "PERSON": "Person"}

// maxFeedEvents bounds the events one feed holds.
const maxFeedEvents = 1_000

// Feed is what a feed token opens: the events of one group, place, area (with the areas
// inside it), interest (in Area when set) or person (their groups' and interests').
type Feed struct {
	ID, Kind, Target, Area string
	CreatedAt              time.Time
	Revoked                bool
}

// hashToken is the stored form of a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newFeedToken returns a new random token (256 bits) and its id.
func newFeedToken() (token, id string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = feedPrefix + base64.RawURLEncoding.EncodeToString(b)
	_, _ = rand.Read(b[:10])
	return token, "feed_" + hex.EncodeToString(b[:10])
}

// checkFeed checks a feed's kind, target and area ids.
func checkFeed(kind, target, area string) error {
	label, ok := FeedKinds[kind]
	if !ok {
		return apierr.BadUserInput("kind", "must be GROUP, PLACE, AREA, INTEREST or PERSON")
	}
	if l, ok := nodeid.Label(target); !ok || l != label {
		return apierr.BadUserInput("target", "is not the id of a %s", label)
	}
	if area != "" {
		if kind != "INTEREST" {
			return apierr.BadUserInput("area", "narrows interest feeds only")
		}
		if l, ok := nodeid.Label(area); !ok || l != "Area" {
			return apierr.BadUserInput("area", "is not the id of an Area")
		}
	}
	return nil
}

// checkFeedInScope fails, in tx, with NOT_FOUND when the feed's target or area does not
// exist and, for a worker, with FORBIDDEN when it is not theirs: a group or place in their
// areas, one of their areas (or one inside), an interest narrowed to one of their areas, a
// person who lives in their areas.
func (s *Store) checkFeedInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, f Feed) error {
	b := newScopedBuilder(s.schema, scope)
	label := FeedKinds[f.Kind]
	inAreas := "true"
	if scope.Areas != nil {
		a := b.fresh("sa")
		switch f.Kind {
		case "GROUP", "PLACE":
			inAreas = fmt.Sprintf("EXISTS { MATCH (t)-[:IN]->(:Area)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s }", areaDepth, a, a, b.areasParam())
		case "AREA":
			inAreas = fmt.Sprintf("EXISTS { MATCH (t)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s }", areaDepth, a, a, b.areasParam())
		case "INTEREST":
			inAreas = fmt.Sprintf("EXISTS { MATCH (:Area {id: %s})-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s }", b.param(f.Area), areaDepth, a, a, b.areasParam())
		case "PERSON":
			inAreas = b.personPredicate("t")
		}
	}
	q := fmt.Sprintf("OPTIONAL MATCH (t:%s {id: %s}) RETURN t IS NOT NULL, t IS NOT NULL AND %s, %s IS NULL OR EXISTS { MATCH (:Area {id: %s}) }",
		quote(label), b.param(f.Target), inAreas, b.param(nilIfEmpty(f.Area)), b.param(nilIfEmpty(f.Area)))
	recs, err := s.run(ctx, tx, q, b.params)
	if err != nil {
		return err
	}
	vals := recs[0].Values
	switch {
	case vals[0] != true:
		return apierr.NotFound("target", "no %s has this id", label)
	case vals[2] != true:
		return apierr.NotFound("area", "no Area has this id")
	case vals[1] != true && f.Kind == "INTEREST" && f.Area == "":
		return apierr.Forbidden("area", "give one of the areas you cover: a worker's interest feed holds the events of their areas")
	case vals[1] != true:
		return apierr.Forbidden("target", "is outside the areas you cover")
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// IssueFeedToken records a new token for the feed of kind (a FeedKinds key) and target,
// narrowed to area for an interest, and returns the feed and the token, which is stored
// only as its hash and so shown this once. A worker issues feeds of their areas only
// (checkFeedInScope). It is audited in the same transaction.
func (s *Store) IssueFeedToken(ctx context.Context, scope Scope, kind, target, area string) (Feed, string, error) {
	if err := checkFeed(kind, target, area); err != nil {
		return Feed{}, "", err
	}
	token, id := newFeedToken()
	f := Feed{ID: id, Kind: kind, Target: target, Area: area}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkFeedInScope(ctx, tx, scope, f); err != nil {
			return nil, err
		}
		by := ""
		if a, ok := ActorFrom(ctx); ok {
			by = a.Subject
		}
		recs, err := s.run(ctx, tx, fmt.Sprintf(`CREATE (f:%s {id: $id, hash: $hash, kind: $kind, target: $target, area: $area, createdAt: datetime(), createdBy: $by})
RETURN f.createdAt`, FeedTokenLabel), map[string]any{"id": id, "hash": hashToken(token), "kind": kind, "target": target,
			"area": nilIfEmpty(area), "by": by})
		if err != nil {
			return nil, err
		}
		f.CreatedAt, _ = recs[0].Values[0].(time.Time)
		return f, s.auditWrite(ctx, tx, []string{id, target}, map[string]any{"feed": kind})
	})
	if err != nil {
		return Feed{}, "", err
	}
	return res.(Feed), token, nil
}

// RevokeFeedToken revokes a feed token by id: its URL opens nothing from then on. An id
// that names no token, or one already revoked, is NOT_FOUND; a worker revokes tokens of
// feeds they could issue (FORBIDDEN otherwise). Audited in the same transaction.
func (s *Store) RevokeFeedToken(ctx context.Context, scope Scope, id string) error {
	_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		recs, err := s.run(ctx, tx, fmt.Sprintf("MATCH (f:%s {id: $id}) WHERE f.revokedAt IS NULL RETURN f.kind, f.target, f.area", FeedTokenLabel),
			map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, apierr.NotFound("id", "no feed token in use has this id")
		}
		f := Feed{ID: id}
		f.Kind, _ = recs[0].Values[0].(string)
		f.Target, _ = recs[0].Values[1].(string)
		f.Area, _ = recs[0].Values[2].(string)
		if err := s.checkFeedInScope(ctx, tx, scope, f); err != nil {
			if e, ok := apierr.As(err); ok && e.Code == apierr.CodeNotFound {
				err = nil // the target is gone: the token is anyone's to revoke
			} else {
				return nil, err
			}
		}
		if _, err := s.run(ctx, tx, fmt.Sprintf("MATCH (f:%s {id: $id}) SET f.revokedAt = datetime()", FeedTokenLabel), map[string]any{"id": id}); err != nil {
			return nil, err
		}
		return nil, s.auditWrite(ctx, tx, []string{id, f.Target}, map[string]any{"feed": "revoked"})
	})
	return err
}

// FeedByToken returns the feed a token opens, and false for a token that opens none
// (unknown, malformed or revoked: the caller cannot tell which).
func (s *Store) FeedByToken(ctx context.Context, token string) (Feed, bool, error) {
	if !strings.HasPrefix(token, feedPrefix) || len(token) > 100 {
		return Feed{}, false, nil
	}
	recs, err := s.query(ctx, fmt.Sprintf("MATCH (f:%s {hash: $hash}) WHERE f.revokedAt IS NULL RETURN f.id, f.kind, f.target, f.area", FeedTokenLabel),
		map[string]any{"hash": hashToken(token)})
	if err != nil || len(recs) == 0 {
		return Feed{}, false, err
	}
	f := Feed{}
	f.ID, _ = recs[0].Values[0].(string)
	f.Kind, _ = recs[0].Values[1].(string)
	f.Target, _ = recs[0].Values[2].(string)
	f.Area, _ = recs[0].Values[3].(string)
	return f, true, nil
}

// FeedEvent is one event of a feed: its timing and what a calendar shows of it. It holds
// no one's name: no attendee, no organiser person.
type FeedEvent struct {
	EventTiming
	Title, Description, Cost, Accessibility string
	Place, Group                            string
	CreatedAt, UpdatedAt                    time.Time
}

// FeedEvents reads the feed's name (its target's) and its events, in one statement: the
// events run by a group, held at a place, held or run in an area (or one inside it), of
// groups interested in an interest (in Area when set), or of a person's groups and of
// groups sharing their interests. A feed holds the maxFeedEvents events that start last,
// by start.
func (s *Store) FeedEvents(ctx context.Context, f Feed) (string, []FeedEvent, error) {
	b := newBuilder(s.schema)
	target := b.param(f.Target)
	var match, name string
	switch f.Kind {
	case "GROUP":
		match, name = fmt.Sprintf("MATCH (t:Group {id: %s}) OPTIONAL MATCH (t)-[:RUNS]->(e:Event)", target), "t.name"
	case "PLACE":
		match, name = fmt.Sprintf("MATCH (t:Place {id: %s}) OPTIONAL MATCH (e:Event)-[:HELD_AT]->(t)", target), "t.name"
	case "AREA":
		match = fmt.Sprintf(`MATCH (t:Area {id: %s}) OPTIONAL MATCH (e:Event) WHERE EXISTS { MATCH (e)-[:HELD_AT]->(:Place)-[:IN]->(:Area)-[:IN*0..%d]->(t) }
  OR EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:IN]->(:Area)-[:IN*0..%d]->(t) }`, target, areaDepth, areaDepth)
		name = "t.name"
	case "INTEREST":
		inArea := ""
		if f.Area != "" {
			a := b.param(f.Area)
			inArea = fmt.Sprintf(` AND (EXISTS { MATCH (e)-[:HELD_AT]->(:Place)-[:IN]->(:Area)-[:IN*0..%d]->(:Area {id: %s}) }
  OR EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:IN]->(:Area)-[:IN*0..%d]->(:Area {id: %s}) })`, areaDepth, a, areaDepth, a)
		}
		match = fmt.Sprintf("MATCH (t:Interest {id: %s}) OPTIONAL MATCH (e:Event) WHERE EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:INTERESTED_IN]->(t) }%s", target, inArea)
		name = "t.name"
	case "PERSON":
		match = fmt.Sprintf(`MATCH (t:Person {id: %s})
OPTIONAL MATCH (e:Event) WHERE EXISTS { MATCH (e)<-[:RUNS]-(:Group)<-[:MEMBER_OF]-(t) }
  OR EXISTS { MATCH (e)<-[:RUNS]-(:Group)-[:INTERESTED_IN]->(:Interest)<-[:INTERESTED_IN]-(t) }`, target)
		name = "'My week'" // never the person's name: the feed's name is shown wherever it is subscribed
	default:
		return "", nil, fmt.Errorf("feed: unknown kind %q", f.Kind)
	}
	q := fmt.Sprintf(`%s
WITH t, e ORDER BY e.start DESC, e.id DESC LIMIT %d
RETURN %s AS name, reverse(collect(CASE WHEN e IS NOT NULL THEN [%s, e.title, e.description, e.cost, e.accessibility,
  head(COLLECT { MATCH (e)-[:HELD_AT]->(p:Place) RETURN p.name }), head(COLLECT { MATCH (g:Group)-[:RUNS]->(e) RETURN g.name }),
  e.createdAt, e.updatedAt] END)) AS events`, match, maxFeedEvents, name, eventTimingCols)
	recs, err := s.query(ctx, q, b.params)
	if err != nil {
		return "", nil, fmt.Errorf("feed events: %w", err)
	}
	if len(recs) == 0 {
		return "", nil, nil // the target is gone
	}
	title, _ := recs[0].Values[0].(string)
	var out []FeedEvent
	for _, v := range recs[0].Values[1].([]any) {
		row := v.([]any)
		ev := FeedEvent{EventTiming: timingOf(row[:6])}
		str := func(i int) string { s, _ := row[i].(string); return s }
		ev.Title, ev.Description, ev.Cost, ev.Accessibility, ev.Place, ev.Group = str(6), str(7), str(8), str(9), str(10), str(11)
		ev.CreatedAt, _ = row[12].(time.Time)
		ev.UpdatedAt, _ = row[13].(time.Time)
		out = append(out, ev)
	}
	return title, out, nil
}
