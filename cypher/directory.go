package cypher

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// This file is the store side of the public directory (GET /openreferral, server/
// openreferral.go): organisations, groups (as services), places (as locations) and the
// places groups meet at (service_at_locations), one parameterised statement per read,
// with the events that give each its schedules. An entry is listed when it is marked
// public; a DirectoryScope may add the entries of some areas, or all of them. An event
// has no flag of its own: it is listed with the group that runs it and the place it is
// held at, when the scope shows every one of them (visibleEvent). Nothing about a person
// is ever read: no members, no staff, no attendees, no counts of them.

// DirectoryScope says which directory entries a caller sees besides the public ones.
type DirectoryScope struct {
	// All adds every entry, public or not (admins asking for unpublished entries).
	All bool
	// Areas adds the entries in these areas or areas inside them (workers asking for
	// unpublished entries).
	Areas []string
}

// DirectoryFilter narrows a directory list. Every field is optional.
type DirectoryFilter struct {
	// Text matches, case-insensitively, a part of the name (and of a group's activity, a
	// place's category).
	Text string
	// Interest is the name of an interest (INTERESTED_IN) a group serves, any case.
	Interest string
	// OrganisationID keeps the groups run by this organisation (RUN_BY).
	OrganisationID string
	// ModifiedAfter keeps entries updated at or after it.
	ModifiedAfter *time.Time
}

// DirectoryPage is one page of a directory list: Skip entries passed over, Limit at most
// returned.
type DirectoryPage struct{ Skip, Limit int }

// DirectoryOrganisation is an organisation as the directory shows it.
type DirectoryOrganisation struct {
	ID, Name, Sector, AreaName string
	Public                     bool
	UpdatedAt                  time.Time
	// Services are the groups it runs that the caller sees (its own read only).
	Services []DirectoryGroup
}

// DirectoryGroup is a group as the directory shows it (an HSDS service).
type DirectoryGroup struct {
	ID, Name, Activity string
	Public             bool
	UpdatedAt          time.Time
	// Organisation is the organisation that runs it, when the caller sees that one.
	Organisation *DirectoryOrganisation
	// Places are where it meets, among the places the caller sees (its own read only),
	// each with the events the group runs there.
	Places []DirectoryPlace
	// Events are the events it runs that the caller sees (its lists and its own read).
	Events []DirectoryEvent
}

// DirectoryPlace is a place as the directory shows it (an HSDS location).
type DirectoryPlace struct {
	ID, Name, Kind, Category string
	Latitude, Longitude      *float64
	Public                   bool
	UpdatedAt                time.Time
	// Events are the events held there that the caller sees (its list and its own read);
	// under DirectoryGroup.Places, those the group runs there.
	Events []DirectoryEvent
}

// DirectoryMeeting is a group meeting at a place (an HSDS service_at_location).
type DirectoryMeeting struct {
	Group DirectoryGroup
	Place DirectoryPlace
	// Events are the events the group runs at the place that the caller sees.
	Events []DirectoryEvent
}

// DirectoryEvent is an event as the directory shows it: its timing, for schedules, and
// what it says of itself, for its page. Never who goes.
type DirectoryEvent struct {
	EventTiming
	Title, Description, Cost, Accessibility string
}

// maxDirectoryEvents bounds the events read for one entry: the ones that start last.
const maxDirectoryEvents = 20

// visible is the predicate of an entry n the scope shows: public, or in the scope.
func visible(n string) string {
	return fmt.Sprintf("(%[1]s.public = true OR $dirAll OR (size($dirAreas) > 0 AND EXISTS { MATCH (%[1]s)-[:IN]->(:Area)-[:IN*0..%[2]d]->(da:Area) WHERE da.id IN $dirAreas }))", n, areaDepth)
}

// visibleEvent is the predicate of an event e the scope shows: held at a place or run by
// a group, and every place it is held at and every group that runs it shown (visible).
// An event of a hidden group, or at a hidden place, stays out even where its other end is
// listed: the directory says nothing about what was not chosen for it.
func visibleEvent(e string) string {
	// coalesce: visible is null, not false, for an entry whose public flag was never set,
	// and NOT null would keep it out of the hidden ones.
	return fmt.Sprintf("((EXISTS { (%[1]s)-[:HELD_AT]->(:Place) } OR EXISTS { (:Group)-[:RUNS]->(%[1]s) }) AND NOT EXISTS { MATCH (%[1]s)-[:HELD_AT]->(vp:Place) WHERE NOT coalesce(%[2]s, false) } AND NOT EXISTS { MATCH (vg:Group)-[:RUNS]->(%[1]s) WHERE NOT coalesce(%[3]s, false) })",
		e, visible("vp"), visible("vg"))
}

// eventColumns are the values read of an event e the directory shows, in the order
// decodeDirEvent reads them.
const eventColumns = eventTimingCols + ", e.title, e.description, e.cost, e.accessibility"

// eventsOf returns a COLLECT of the events e matching pattern that the scope shows, the
// maxDirectoryEvents that start last.
func eventsOf(pattern string) string {
	return fmt.Sprintf("COLLECT { MATCH %s WHERE %s RETURN [%s] ORDER BY e.start DESC, e.id DESC LIMIT %d }",
		pattern, visibleEvent("e"), eventColumns, maxDirectoryEvents)
}

func (d DirectoryScope) params() map[string]any {
	areas := d.Areas
	if areas == nil {
		areas = []string{}
	}
	return map[string]any{"dirAll": d.All, "dirAreas": areas}
}

// orgProjection, groupProjection and placeProjection return map projections of an
// organisation, a group and a place; the group's includes the organisation that runs it
// when that one is visible too. Given a pattern binding e, the group's and the place's
// include the events matching it (eventsOf).
func orgProjection(o string) string {
	return fmt.Sprintf("%[1]s { .id, .name, .sector, .public, .updatedAt, area: head(COLLECT { MATCH (%[1]s)-[:IN]->(oa:Area) RETURN oa.name }) }", o)
}

func groupProjection(g, events string) string {
	evs := ""
	if events != "" {
		evs = ", events: " + eventsOf(events)
	}
	return fmt.Sprintf("%[1]s { .id, .name, .activity, .public, .updatedAt, org: head(COLLECT { MATCH (%[1]s)-[:RUN_BY]->(ro:Organisation) WHERE %[2]s RETURN %[3]s ORDER BY ro.id })%[4]s }",
		g, visible("ro"), orgProjection("ro"), evs)
}

func placeProjection(p, events string) string {
	evs := ""
	if events != "" {
		evs = ", events: " + eventsOf(events)
	}
	return fmt.Sprintf("%[1]s { .id, .name, .kind, .category, .latitude, .longitude, .public, .updatedAt%[2]s }", p, evs)
}

// conditions returns the WHERE conditions of f on the entry n of label, and binds their
// parameters.
func (f DirectoryFilter) conditions(label, n string, params map[string]any) []string {
	var out []string
	if f.Text != "" {
		params["dirText"] = strings.ToLower(f.Text)
		fields := []string{"name"}
		switch label {
		case "Group":
			fields = append(fields, "activity")
		case "Place":
			fields = append(fields, "category")
		}
		var ors []string
		for _, p := range fields {
			ors = append(ors, fmt.Sprintf("toLower(coalesce(%s.%s, '')) CONTAINS $dirText", n, p))
		}
		out = append(out, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Interest != "" && label == "Group" {
		params["dirInterest"] = strings.ToLower(f.Interest)
		out = append(out, fmt.Sprintf("EXISTS { MATCH (%s)-[:INTERESTED_IN]->(di:Interest) WHERE toLower(di.name) = $dirInterest }", n))
	}
	if f.OrganisationID != "" && label == "Group" {
		params["dirOrg"] = f.OrganisationID
		out = append(out, fmt.Sprintf("EXISTS { MATCH (%s)-[:RUN_BY]->(dorg:Organisation {id: $dirOrg}) WHERE %s }", n, visible("dorg")))
	}
	if f.ModifiedAfter != nil {
		params["dirAfter"] = *f.ModifiedAfter
		out = append(out, n+".updatedAt >= $dirAfter")
	}
	return out
}

// directoryList runs one statement that counts the entries matching where and returns
// the page of them, projected.
func (s *Store) directoryList(ctx context.Context, match, where, order, projection string, params map[string]any, page DirectoryPage) (int, []map[string]any, error) {
	params["dirSkip"], params["dirLimit"] = int64(page.Skip), int64(page.Limit)
	q := fmt.Sprintf(`CALL () { %[1]s WHERE %[2]s RETURN count(*) AS total }
CALL () { %[1]s WHERE %[2]s WITH * ORDER BY %[3]s SKIP $dirSkip LIMIT $dirLimit RETURN collect(%[4]s) AS rows }
RETURN total, rows`, match, where, order, projection)
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return 0, nil, fmt.Errorf("directory: %w", err)
	}
	total := int(recs[0].Values[0].(int64))
	var rows []map[string]any
	for _, r := range recs[0].Values[1].([]any) {
		rows = append(rows, r.(map[string]any))
	}
	return total, rows, nil
}

func dirWhere(conds []string) string { return strings.Join(conds, " AND ") }

// DirectoryOrganisations lists the organisations the scope shows, by name.
func (s *Store) DirectoryOrganisations(ctx context.Context, scope DirectoryScope, f DirectoryFilter, page DirectoryPage) (int, []DirectoryOrganisation, error) {
	params := scope.params()
	conds := append([]string{visible("o")}, f.conditions("Organisation", "o", params)...)
	total, rows, err := s.directoryList(ctx, "MATCH (o:Organisation)", dirWhere(conds), "o.name, o.id", orgProjection("o"), params, page)
	if err != nil {
		return 0, nil, err
	}
	out := make([]DirectoryOrganisation, len(rows))
	for i, r := range rows {
		out[i] = decodeDirOrg(r)
	}
	return total, out, nil
}

// DirectoryServices lists the groups the scope shows, by name.
func (s *Store) DirectoryServices(ctx context.Context, scope DirectoryScope, f DirectoryFilter, page DirectoryPage) (int, []DirectoryGroup, error) {
	params := scope.params()
	conds := append([]string{visible("g")}, f.conditions("Group", "g", params)...)
	total, rows, err := s.directoryList(ctx, "MATCH (g:Group)", dirWhere(conds), "g.name, g.id", groupProjection("g", "(g)-[:RUNS]->(e:Event)"), params, page)
	if err != nil {
		return 0, nil, err
	}
	out := make([]DirectoryGroup, len(rows))
	for i, r := range rows {
		out[i] = decodeDirGroup(r)
	}
	return total, out, nil
}

// DirectoryLocations lists the places the scope shows, by name.
func (s *Store) DirectoryLocations(ctx context.Context, scope DirectoryScope, f DirectoryFilter, page DirectoryPage) (int, []DirectoryPlace, error) {
	params := scope.params()
	conds := append([]string{visible("p")}, f.conditions("Place", "p", params)...)
	total, rows, err := s.directoryList(ctx, "MATCH (p:Place)", dirWhere(conds), "p.name, p.id", placeProjection("p", "(e:Event)-[:HELD_AT]->(p)"), params, page)
	if err != nil {
		return 0, nil, err
	}
	out := make([]DirectoryPlace, len(rows))
	for i, r := range rows {
		out[i] = decodeDirPlace(r)
	}
	return total, out, nil
}

// DirectoryMeetings lists the groups meeting at places (MEETS_AT) where the scope shows
// both, by group name then place name, each with the events the group runs there. The
// filter applies to the group (its text also to the place's name).
func (s *Store) DirectoryMeetings(ctx context.Context, scope DirectoryScope, f DirectoryFilter, page DirectoryPage) (int, []DirectoryMeeting, error) {
	params := scope.params()
	text := f.Text
	f.Text = ""
	conds := append([]string{visible("g"), visible("p")}, f.conditions("Group", "g", params)...)
	if text != "" {
		params["dirText"] = strings.ToLower(text)
		conds = append(conds, "(toLower(g.name) CONTAINS $dirText OR toLower(coalesce(g.activity, '')) CONTAINS $dirText OR toLower(p.name) CONTAINS $dirText)")
	}
	total, rows, err := s.directoryList(ctx, "MATCH (g:Group)-[:MEETS_AT]->(p:Place)", dirWhere(conds), "g.name, g.id, p.name, p.id",
		fmt.Sprintf("{group: %s, place: %s, events: %s}", groupProjection("g", ""), placeProjection("p", ""),
			eventsOf("(g)-[:RUNS]->(e:Event)-[:HELD_AT]->(p)")), params, page)
	if err != nil {
		return 0, nil, err
	}
	out := make([]DirectoryMeeting, len(rows))
	for i, r := range rows {
		g, _ := r["group"].(map[string]any)
		p, _ := r["place"].(map[string]any)
		out[i] = DirectoryMeeting{Group: decodeDirGroup(g), Place: decodeDirPlace(p), Events: decodeDirEvents(r["events"])}
	}
	return total, out, nil
}

// DirectoryOrganisation returns one organisation the scope shows, with the groups it runs
// that the scope shows; NOT_FOUND when there is none (whether it exists or is hidden).
func (s *Store) DirectoryOrganisation(ctx context.Context, scope DirectoryScope, id string) (DirectoryOrganisation, error) {
	params := scope.params()
	params["id"] = id
	q := fmt.Sprintf(`MATCH (o:Organisation {id: $id}) WHERE %s
RETURN %s AS org, COLLECT { MATCH (g:Group)-[:RUN_BY]->(o) WHERE %s RETURN g { .id, .name, .activity, .public, .updatedAt } ORDER BY g.name, g.id } AS groups`,
		visible("o"), orgProjection("o"), visible("g"))
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return DirectoryOrganisation{}, fmt.Errorf("directory organisation: %w", err)
	}
	if len(recs) == 0 {
		return DirectoryOrganisation{}, apierr.NotFound("id", "there is no organization with this id in the directory")
	}
	o := decodeDirOrg(recs[0].Values[0].(map[string]any))
	for _, g := range recs[0].Values[1].([]any) {
		o.Services = append(o.Services, decodeDirGroup(g.(map[string]any)))
	}
	return o, nil
}

// DirectoryService returns one group the scope shows, with the organisation that runs it,
// its events and the places it meets at (each with the group's events there), where the
// scope shows them; NOT_FOUND when there is none.
func (s *Store) DirectoryService(ctx context.Context, scope DirectoryScope, id string) (DirectoryGroup, error) {
	params := scope.params()
	params["id"] = id
	q := fmt.Sprintf(`MATCH (g:Group {id: $id}) WHERE %s
RETURN %s AS grp, COLLECT { MATCH (g)-[:MEETS_AT]->(p:Place) WHERE %s RETURN %s ORDER BY p.name, p.id } AS places`,
		visible("g"), groupProjection("g", "(g)-[:RUNS]->(e:Event)"), visible("p"), placeProjection("p", "(g)-[:RUNS]->(e:Event)-[:HELD_AT]->(p)"))
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return DirectoryGroup{}, fmt.Errorf("directory service: %w", err)
	}
	if len(recs) == 0 {
		return DirectoryGroup{}, apierr.NotFound("id", "there is no service with this id in the directory")
	}
	g := decodeDirGroup(recs[0].Values[0].(map[string]any))
	for _, p := range recs[0].Values[1].([]any) {
		g.Places = append(g.Places, decodeDirPlace(p.(map[string]any)))
	}
	return g, nil
}

// DirectoryLocation returns one place the scope shows, with the events held there that it
// shows; NOT_FOUND when there is none.
func (s *Store) DirectoryLocation(ctx context.Context, scope DirectoryScope, id string) (DirectoryPlace, error) {
	params := scope.params()
	params["id"] = id
	q := fmt.Sprintf("MATCH (p:Place {id: $id}) WHERE %s RETURN %s", visible("p"), placeProjection("p", "(e:Event)-[:HELD_AT]->(p)"))
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return DirectoryPlace{}, fmt.Errorf("directory location: %w", err)
	}
	if len(recs) == 0 {
		return DirectoryPlace{}, apierr.NotFound("id", "there is no location with this id in the directory")
	}
	return decodeDirPlace(recs[0].Values[0].(map[string]any)), nil
}

// DirectoryEventDetail is one event the directory shows, with the place it is held at and
// the group that runs it, when it has them: what its page says.
type DirectoryEventDetail struct {
	DirectoryEvent
	Place *DirectoryPlace
	Group *DirectoryGroup
}

// DirectoryEventDetail returns one event the scope shows (visibleEvent), with its place
// and group; NOT_FOUND when there is none, whether it exists and is hidden or not at all.
func (s *Store) DirectoryEventDetail(ctx context.Context, scope DirectoryScope, id string) (DirectoryEventDetail, error) {
	params := scope.params()
	params["id"] = id
	q := fmt.Sprintf(`MATCH (e:Event {id: $id}) WHERE %s
RETURN [%s], head(COLLECT { MATCH (e)-[:HELD_AT]->(p:Place) RETURN %s ORDER BY p.id }), head(COLLECT { MATCH (g:Group)-[:RUNS]->(e) RETURN %s ORDER BY g.id })`,
		visibleEvent("e"), eventColumns, placeProjection("p", ""), groupProjection("g", ""))
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return DirectoryEventDetail{}, fmt.Errorf("directory event: %w", err)
	}
	if len(recs) == 0 {
		return DirectoryEventDetail{}, apierr.NotFound("id", "there is no event with this id in the directory")
	}
	out := DirectoryEventDetail{DirectoryEvent: decodeDirEvent(recs[0].Values[0].([]any))}
	if p, ok := recs[0].Values[1].(map[string]any); ok {
		place := decodeDirPlace(p)
		out.Place = &place
	}
	if g, ok := recs[0].Values[2].(map[string]any); ok {
		group := decodeDirGroup(g)
		out.Group = &group
	}
	return out, nil
}

func dirString(v any) string {
	s, _ := v.(string)
	return s
}

func dirFloat(v any) *float64 {
	if f, ok := v.(float64); ok {
		return &f
	}
	return nil
}

func dirTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return time.Time{}
}

func decodeDirOrg(m map[string]any) DirectoryOrganisation {
	pub, _ := m["public"].(bool)
	return DirectoryOrganisation{ID: dirString(m["id"]), Name: dirString(m["name"]), Sector: dirString(m["sector"]),
		AreaName: dirString(m["area"]), Public: pub, UpdatedAt: dirTime(m["updatedAt"])}
}

func decodeDirGroup(m map[string]any) DirectoryGroup {
	pub, _ := m["public"].(bool)
	g := DirectoryGroup{ID: dirString(m["id"]), Name: dirString(m["name"]), Activity: dirString(m["activity"]),
		Public: pub, UpdatedAt: dirTime(m["updatedAt"]), Events: decodeDirEvents(m["events"])}
	if o, ok := m["org"].(map[string]any); ok {
		org := decodeDirOrg(o)
		g.Organisation = &org
	}
	return g
}

func decodeDirPlace(m map[string]any) DirectoryPlace {
	pub, _ := m["public"].(bool)
	return DirectoryPlace{ID: dirString(m["id"]), Name: dirString(m["name"]), Kind: dirString(m["kind"]),
		Category: dirString(m["category"]), Latitude: dirFloat(m["latitude"]), Longitude: dirFloat(m["longitude"]),
		Public: pub, UpdatedAt: dirTime(m["updatedAt"]), Events: decodeDirEvents(m["events"])}
}

// decodeDirEvent reads an event from the values of eventColumns.
func decodeDirEvent(row []any) DirectoryEvent {
	return DirectoryEvent{EventTiming: timingOf(row[:6]), Title: dirString(row[6]), Description: dirString(row[7]),
		Cost: dirString(row[8]), Accessibility: dirString(row[9])}
}

// decodeDirEvents reads a COLLECT of eventsOf, in order of start (then id).
func decodeDirEvents(v any) []DirectoryEvent {
	rows, _ := v.([]any)
	var out []DirectoryEvent
	for _, r := range rows {
		out = append(out, decodeDirEvent(r.([]any)))
	}
	slices.SortFunc(out, func(a, b DirectoryEvent) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// directoryLabels are the labels whose entries the directory lists, and so whose public
// flag a worker may set only within their areas.
var directoryLabels = map[string]bool{"Group": true, "Place": true, "Organisation": true}

// checkPublicInScope fails with FORBIDDEN, naming input[i].public, when a worker's write
// sets (true or false) the public flag of a group, place or organisation that is not, once
// written, in one of the areas they cover. It runs in the write's transaction, after the
// area ties are written, so a refusal writes nothing.
func (s *Store) checkPublicInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []nodeItem) error {
	if scope.Areas == nil || !directoryLabels[l.Name] {
		return nil
	}
	var set []any
	for _, it := range items {
		if _, ok := it.Props["public"]; ok {
			set = append(set, map[string]any{"i": int64(it.I), "id": it.ID})
		}
	}
	if len(set) == 0 {
		return nil
	}
	q := fmt.Sprintf(`UNWIND $items AS item MATCH (n:%s {id: item.id})
WHERE NOT EXISTS { MATCH (n)-[:IN]->(:Area)-[:IN*0..%d]->(a:Area) WHERE a.id IN $areas }
RETURN item.i ORDER BY item.i LIMIT 1`, quote(l.Name), areaDepth)
	recs, err := s.run(ctx, tx, q, map[string]any{"items": set, "areas": scope.Areas})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return apierr.Forbidden(fmt.Sprintf("input[%d].public", recs[0].Values[0].(int64)),
			"only an entry in one of the areas you cover can be put in or taken out of the public directory")
	}
	return nil
}
