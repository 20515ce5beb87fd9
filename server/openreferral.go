package server

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kith/apierr"
	"kith/auth"
	"kith/cypher"
	"kith/nodeid"
)

// This file is the public directory: an Open Referral UK (HSDS 3.0 profile) read API over
// the organisations, groups (as services) and places (as locations) marked public, and the
// places groups meet at (service_at_locations), with the schedules of their events
// (schedules.go) and a page for each event (eventpage.go). docs/circles.md says what it
// holds and leaves out; server/testdata/openreferral holds the official schemas the tests check
// every response against.
//
// Who sees what: anyone, without a token, the public entries. A caller who sends a token
// must send a valid one (401 otherwise, never a silent fall-back to the public view), and
// sees the public entries too, whatever their role; only with unpublished=true do admins
// see every entry and workers the entries of their areas as well (each with
// kith_public saying whether it is public), and every other role is refused. Nothing
// about a person is ever sent: no members, staff or counts of them, no contact details.

// openReferralRoutes registers GET /openreferral/... behind directoryEdge.
func (s *Server) openReferralRoutes(mux *http.ServeMux) {
	for _, route := range []struct {
		path string
		h    func(http.ResponseWriter, *http.Request) (any, error)
	}{
		{"/openreferral/{$}", s.directoryAbout},
		{"/openreferral/services", s.directoryServices},
		{"/openreferral/services/{id}", s.directoryService},
		{"/openreferral/organizations", s.directoryOrganizations},
		{"/openreferral/organizations/{id}", s.directoryOrganization},
		{"/openreferral/locations", s.directoryLocations},
		{"/openreferral/locations/{id}", s.directoryLocation},
		{"/openreferral/service_at_locations", s.directoryMeetings},
		{"/openreferral/events/{id}", s.directoryEventPage},
	} {
		mux.Handle("GET "+route.path, s.directoryEdge(s.directoryHandler(route.h)))
	}
}

// Directory bounds.
const (
	// directoryDefaultPerPage and directoryMaxPerPage bound per_page.
	directoryDefaultPerPage = 50
	directoryMaxPerPage     = 100
	// directoryMaxPage bounds page, so that a page's offset stays small.
	directoryMaxPage = 10_000
	// directoryMaxText bounds the text of search and interest, in characters.
	directoryMaxText = 200
)

// directoryEdge is the edge of the directory's routes: a request with an Authorization
// header goes through edge (token, rate limit, revocations, fair use) like any other; one
// without is anonymous (ratelimit.go), and any page may read it.
func (s *Server) directoryEdge(h http.Handler) http.Handler {
	authed := s.edge(h)
	anonymous := s.anonymous(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, sent := bearer(r); sent {
			authed.ServeHTTP(w, r)
			return
		}
		if w.Header().Get("Access-Control-Allow-Origin") == "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		anonymous.ServeHTTP(w, r)
	})
}

// directoryHandler answers with h's value as JSON (an event's page as HTML), or its error
// as a coded JSON error with its status. An admin's or worker's read of unpublished entries is audited: who,
// the path, how many entries; never names.
func (s *Server) directoryHandler(h func(http.ResponseWriter, *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v, err := h(w, r)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok {
				s.log.ErrorContext(ctx, "directory", "request_id", RequestID(ctx), "path", r.URL.Path, "error", err.Error())
				e = &apierr.Error{Code: apierr.CodeInternal, Reason: "internal error; quote request id " + RequestID(ctx)}
			}
			writeError(w, statusOf(e.Code), e)
			return
		}
		page, html := v.(eventPageHTML)
		if html {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// The page runs no script and loads nothing: its JSON-LD is data, not code.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
			w.Header().Set("X-Content-Type-Options", "nosniff")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		if r.URL.Query().Get("unpublished") == "true" {
			w.Header().Set("Cache-Control", "no-store")
			p := principal(ctx)
			s.audit.submit(cypher.AuditEvent{Subject: p.Subject, Roles: roleNames(p), Operation: "openreferral", Kind: "read",
				RequestID: RequestID(ctx), Detail: map[string]any{"path": r.URL.Path, "items": int64(itemCount(v))}})
		}
		if html {
			_, _ = w.Write(page)
			return
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
	})
}

func itemCount(v any) int {
	if p, ok := v.(directoryPage); ok {
		return p.Size
	}
	return 1
}

// directoryRequest is a parsed list or item request.
type directoryRequest struct {
	scope   cypher.DirectoryScope
	filter  cypher.DirectoryFilter
	page    int
	perPage int
	// unpublished is whether the caller asked for unpublished entries (and may).
	unpublished bool
	// base is the absolute address of /openreferral on this server, for services' url.
	base string
	// now is when the request is read: schedules leave out events that are over by then.
	now time.Time
}

// parseDirectory reads the query parameters allowed (besides page, per_page and
// unpublished, which every route takes) and the caller's scope. Errors name the
// parameter ("query.<name>").
func parseDirectory(r *http.Request, list bool, allowed ...string) (directoryRequest, error) {
	req := directoryRequest{page: 1, perPage: directoryDefaultPerPage, base: directoryBase(r), now: time.Now()}
	q := r.URL.Query()
	names := []string{"unpublished"}
	if list {
		names = append(names, "page", "per_page")
		names = append(names, allowed...)
	}
	for name, vals := range q {
		if !slices.Contains(names, name) {
			return req, apierr.BadUserInput("query."+name, "is not a parameter of this directory route: use %s", strings.Join(names, ", "))
		}
		if len(vals) > 1 {
			return req, apierr.BadUserInput("query."+name, "is given more than once")
		}
		if !utf8.ValidString(vals[0]) {
			return req, apierr.BadUserInput("query."+name, "is not valid UTF-8")
		}
	}
	integer := func(name string, min, max int, dst *int) error {
		if !q.Has(name) {
			return nil
		}
		n, err := strconv.Atoi(q.Get(name))
		if err != nil || n < min || n > max {
			return apierr.BadUserInput("query."+name, "must be a whole number from %d to %d", min, max)
		}
		*dst = n
		return nil
	}
	if err := integer("page", 1, directoryMaxPage, &req.page); err != nil {
		return req, err
	}
	if err := integer("per_page", 1, directoryMaxPerPage, &req.perPage); err != nil {
		return req, err
	}
	text := func(name string, dst *string) error {
		v := strings.TrimSpace(q.Get(name))
		if utf8.RuneCountInString(v) > directoryMaxText {
			return apierr.BadUserInput("query."+name, "is longer than %d characters", directoryMaxText)
		}
		*dst = v
		return nil
	}
	if err := text("search", &req.filter.Text); err != nil {
		return req, err
	}
	if err := text("interest", &req.filter.Interest); err != nil {
		return req, err
	}
	if q.Has("organization_id") {
		id, err := parseDirectoryID(q.Get("organization_id"), "Organisation", "query.organization_id")
		if err != nil {
			if e, ok := apierr.As(err); ok && e.Code == apierr.CodeNotFound {
				id = "org_" + strings.Repeat("0", 20) // names nothing: the list is empty
			} else {
				return req, err
			}
		}
		req.filter.OrganisationID = id
	}
	if q.Has("modified_after") {
		t, err := time.Parse(time.RFC3339Nano, q.Get("modified_after"))
		if err != nil {
			return req, apierr.BadUserInput("query.modified_after", "must be a date and time as RFC 3339 has it, e.g. 2026-01-31T09:00:00Z")
		}
		t = t.UTC()
		req.filter.ModifiedAfter = &t
	}
	switch q.Get("unpublished") {
	case "", "false":
	case "true":
		p := principal(r.Context())
		switch {
		case p == nil:
			return req, apierr.Unauthenticated("unpublished entries need a bearer token: send Authorization: Bearer <token>", nil)
		case p.Has(auth.Admin):
			req.scope.All = true
		case p.Has(auth.Worker):
			req.scope.Areas = append([]string{}, p.Areas...)
		default:
			return req, apierr.Forbidden("query.unpublished", "unpublished entries are for admins, and for workers within their areas")
		}
		req.unpublished = true
	default:
		return req, apierr.BadUserInput("query.unpublished", "must be true or false")
	}
	return req, nil
}

// directoryBase is the absolute address of /openreferral as the request reached it.
func directoryBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/openreferral"
}

func (d directoryRequest) cypherPage() cypher.DirectoryPage {
	return cypher.DirectoryPage{Skip: (d.page - 1) * d.perPage, Limit: d.perPage}
}

// directoryPage is the specification's page of a list (its openapi.json, components.
// schemas.Page): contents and the counts about them.
type directoryPage struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   any  `json:"contents"`
}

func newDirectoryPage[T any](req directoryRequest, total int, contents []T) directoryPage {
	pages := (total + req.perPage - 1) / req.perPage
	if contents == nil {
		contents = []T{}
	}
	return directoryPage{TotalItems: total, TotalPages: pages, PageNumber: req.page, Size: len(contents),
		FirstPage: req.page == 1, LastPage: req.page >= pages, Empty: len(contents) == 0, Contents: contents}
}

// The HSDS objects Kith sends. Every id is a directory UUID (DirectoryID); the optional
// fields are left out when Kith has nothing for them.

type hsdsOrganization struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Services    []hsdsService `json:"services,omitempty"`
	KithPublic  *bool         `json:"kith_public,omitempty"`
}

type hsdsService struct {
	ID                 string                  `json:"id"`
	OrganizationID     string                  `json:"organization_id,omitempty"`
	Name               string                  `json:"name"`
	Description        string                  `json:"description,omitempty"`
	URL                string                  `json:"url"`
	Status             string                  `json:"status"`
	LastModified       string                  `json:"last_modified,omitempty"`
	Organization       *hsdsOrganization       `json:"organization,omitempty"`
	ServiceAtLocations []hsdsServiceAtLocation `json:"service_at_locations,omitempty"`
	Schedules          []hsdsSchedule          `json:"schedules,omitempty"`
	KithPublic         *bool                   `json:"kith_public,omitempty"`
}

type hsdsLocation struct {
	ID           string         `json:"id"`
	LocationType string         `json:"location_type"`
	Name         string         `json:"name"`
	Description  string         `json:"description,omitempty"`
	Latitude     *float64       `json:"latitude,omitempty"`
	Longitude    *float64       `json:"longitude,omitempty"`
	Schedules    []hsdsSchedule `json:"schedules,omitempty"`
	KithPublic   *bool          `json:"kith_public,omitempty"`
}

type hsdsServiceAtLocation struct {
	ID         string         `json:"id"`
	ServiceID  string         `json:"service_id"`
	LocationID string         `json:"location_id"`
	Location   *hsdsLocation  `json:"location,omitempty"`
	Schedules  []hsdsSchedule `json:"schedules,omitempty"`
}

// sectorWords name an organisation's sector in its description.
var sectorWords = map[string]string{"PUBLIC": "A public service", "BUSINESS": "A business", "FAITH": "A faith organisation",
	"VOLUNTARY": "A voluntary organisation"}

func (d directoryRequest) public(p bool) *bool {
	if !d.unpublished {
		return nil
	}
	return &p
}

func (d directoryRequest) organization(o cypher.DirectoryOrganisation) hsdsOrganization {
	desc := sectorWords[o.Sector]
	if desc == "" {
		desc = "An organisation"
	}
	if o.AreaName != "" {
		desc += " in " + o.AreaName
	}
	out := hsdsOrganization{ID: DirectoryID(o.ID), Name: o.Name, Description: desc + ".", KithPublic: d.public(o.Public)}
	for _, g := range o.Services {
		out.Services = append(out.Services, d.service(g))
	}
	return out
}

func (d directoryRequest) service(g cypher.DirectoryGroup) hsdsService {
	id := DirectoryID(g.ID)
	out := hsdsService{ID: id, Name: g.Name, Description: g.Activity, URL: d.base + "/services/" + id, Status: "active",
		Schedules: d.schedules(scheduleOwner{groupID: g.ID}, g.Events), KithPublic: d.public(g.Public)}
	if !g.UpdatedAt.IsZero() {
		out.LastModified = g.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if g.Organisation != nil {
		out.OrganizationID = DirectoryID(g.Organisation.ID)
	}
	return out
}

func (d directoryRequest) location(p cypher.DirectoryPlace) hsdsLocation {
	out := hsdsLocation{ID: DirectoryID(p.ID), LocationType: "physical", Name: p.Name, Description: p.Category,
		Schedules: d.schedules(scheduleOwner{placeID: p.ID}, p.Events), KithPublic: d.public(p.Public)}
	if p.Kind == "DIGITAL" {
		out.LocationType = "virtual"
	}
	if p.Latitude != nil && p.Longitude != nil {
		out.Latitude, out.Longitude = p.Latitude, p.Longitude
	}
	return out
}

// serviceAtLocation is g meeting at p, with the schedules of events, those g runs at p.
// Its location carries no schedules: the location's own route has them, all of them.
func (d directoryRequest) serviceAtLocation(g cypher.DirectoryGroup, p cypher.DirectoryPlace, events []cypher.DirectoryEvent) hsdsServiceAtLocation {
	out := hsdsServiceAtLocation{ID: meetingID(g.ID, p.ID), ServiceID: DirectoryID(g.ID), LocationID: DirectoryID(p.ID),
		Schedules: d.schedules(scheduleOwner{groupID: g.ID, placeID: p.ID}, events)}
	p.Events = nil
	loc := d.location(p)
	out.Location = &loc
	return out
}

// eventPage is the absolute address of an event's page.
func (d directoryRequest) eventPage(eventID string) string {
	return d.base + "/events/" + DirectoryID(eventID)
}

// directoryAbout is GET /openreferral/: what the API is, as the specification's "/" has it.
func (s *Server) directoryAbout(w http.ResponseWriter, r *http.Request) (any, error) {
	if _, err := parseDirectory(r, false); err != nil {
		return nil, err
	}
	return map[string]any{"version": "3.0", "profile": "https://openreferraluk.org/",
		"description": "Kith's directory of community groups, places and organisations marked public"}, nil
}

func (s *Server) directoryServices(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, true, "search", "interest", "organization_id", "modified_after")
	if err != nil {
		return nil, err
	}
	total, groups, err := s.store.DirectoryServices(r.Context(), req.scope, req.filter, req.cypherPage())
	if err != nil {
		return nil, err
	}
	out := make([]hsdsService, len(groups))
	for i, g := range groups {
		out[i] = req.service(g)
	}
	return newDirectoryPage(req, total, out), nil
}

func (s *Server) directoryService(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, false)
	if err != nil {
		return nil, err
	}
	id, err := parseDirectoryID(r.PathValue("id"), "Group", "id")
	if err != nil {
		return nil, err
	}
	g, err := s.store.DirectoryService(r.Context(), req.scope, id)
	if err != nil {
		return nil, err
	}
	out := req.service(g)
	if g.Organisation != nil {
		o := req.organization(*g.Organisation)
		out.Organization = &o
	}
	for _, p := range g.Places {
		out.ServiceAtLocations = append(out.ServiceAtLocations, req.serviceAtLocation(g, p, p.Events))
	}
	return out, nil
}

func (s *Server) directoryOrganizations(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, true, "search", "modified_after")
	if err != nil {
		return nil, err
	}
	total, orgs, err := s.store.DirectoryOrganisations(r.Context(), req.scope, req.filter, req.cypherPage())
	if err != nil {
		return nil, err
	}
	out := make([]hsdsOrganization, len(orgs))
	for i, o := range orgs {
		out[i] = req.organization(o)
	}
	return newDirectoryPage(req, total, out), nil
}

func (s *Server) directoryOrganization(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, false)
	if err != nil {
		return nil, err
	}
	id, err := parseDirectoryID(r.PathValue("id"), "Organisation", "id")
	if err != nil {
		return nil, err
	}
	o, err := s.store.DirectoryOrganisation(r.Context(), req.scope, id)
	if err != nil {
		return nil, err
	}
	return req.organization(o), nil
}

func (s *Server) directoryLocations(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, true, "search", "modified_after")
	if err != nil {
		return nil, err
	}
	total, places, err := s.store.DirectoryLocations(r.Context(), req.scope, req.filter, req.cypherPage())
	if err != nil {
		return nil, err
	}
	out := make([]hsdsLocation, len(places))
	for i, p := range places {
		out[i] = req.location(p)
	}
	return newDirectoryPage(req, total, out), nil
}

func (s *Server) directoryLocation(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, false)
	if err != nil {
		return nil, err
	}
	id, err := parseDirectoryID(r.PathValue("id"), "Place", "id")
	if err != nil {
		return nil, err
	}
	p, err := s.store.DirectoryLocation(r.Context(), req.scope, id)
	if err != nil {
		return nil, err
	}
	return req.location(p), nil
}

func (s *Server) directoryMeetings(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, true, "search", "interest", "organization_id", "modified_after")
	if err != nil {
		return nil, err
	}
	total, meetings, err := s.store.DirectoryMeetings(r.Context(), req.scope, req.filter, req.cypherPage())
	if err != nil {
		return nil, err
	}
	out := make([]hsdsServiceAtLocation, len(meetings))
	for i, m := range meetings {
		out[i] = req.serviceAtLocation(m.Group, m.Place, m.Events)
	}
	return newDirectoryPage(req, total, out), nil
}

// Directory ids. HSDS requires UUIDs; Kith's ids are a type prefix and 100 random bits
// (package nodeid). DirectoryID packs the type and the 100 bits into a UUID of version 8
// (RFC 9562's custom layout), reversibly: the same Kith id always gives the same UUID, and
// the /{id} routes turn the UUID back into the Kith id with no lookup table. The 122 bits a
// version 8 UUID leaves free hold a 4-bit type, the 100 bits, and 18 zero bits, which
// parseDirectoryID requires. A service_at_location (a group meeting at a place) has no id
// of its own in Kith, and two ids do not fit in one UUID: its id is a version 5 UUID (SHA-1,
// RFC 9562) over the two Kith ids in meetingNamespace, stable but one-way, which no route
// needs to read back; so is a schedule's (nameUUID). An event's page is named by its own
// version 8 UUID, as the entries are.

// directoryTypes are the 4-bit type codes of the labels the directory names.
var directoryTypes = map[string]uint8{"Organisation": 1, "Group": 2, "Place": 3, "Event": 4}

// base32Alphabet is nodeid's alphabet: a character's index is its 5 bits.
const base32Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// uuidFixed reports whether bit i (0 the most significant) of a UUID holds its version
// (bits 48-51) or variant (bits 64-65).
func uuidFixed(i int) bool { return (i >= 48 && i < 52) || i == 64 || i == 65 }

// DirectoryID returns the directory's UUID for a Kith id of an organisation, group, place
// or event ("" for any other id).
func DirectoryID(id string) string {
	label, ok := nodeid.Label(id)
	code := directoryTypes[label]
	if !ok || code == 0 {
		return ""
	}
	_, body, _ := strings.Cut(id, "_")
	var bits []bool
	for k := 3; k >= 0; k-- {
		bits = append(bits, code>>k&1 == 1)
	}
	for _, c := range body {
		v := strings.IndexRune(base32Alphabet, c)
		for k := 4; k >= 0; k-- {
			bits = append(bits, v>>k&1 == 1)
		}
	}
	var u [16]byte
	u[6], u[8] = 0x80, 0x80 // version 8, variant 10
	j := 0
	for i := 0; i < 128 && j < len(bits); i++ {
		if uuidFixed(i) {
			continue
		}
		if bits[j] {
			u[i/8] |= 1 << (7 - i%8)
		}
		j++
	}
	return formatUUID(u)
}

// parseDirectoryID returns the Kith id of a directory UUID naming an entry of label:
// BAD_USER_INPUT (field) when the text is not a UUID in its usual form, NOT_FOUND when it
// is one that names no such entry.
func parseDirectoryID(text, label, field string) (string, error) {
	u, ok := parseUUID(text)
	if !ok {
		return "", apierr.BadUserInput(field, "is not a UUID (8-4-4-4-12 hexadecimal digits)")
	}
	notFound := apierr.NotFound(field, "there is no such entry in the directory")
	if u[6]>>4 != 8 || u[8]>>6 != 2 {
		return "", notFound
	}
	var bits []bool
	for i := 0; i < 128; i++ {
		if !uuidFixed(i) {
			bits = append(bits, u[i/8]>>(7-i%8)&1 == 1)
		}
	}
	value := func(from, n int) int {
		v := 0
		for _, b := range bits[from : from+n] {
			v <<= 1
			if b {
				v |= 1
			}
		}
		return v
	}
	if value(104, 18) != 0 || value(0, 4) != int(directoryTypes[label]) {
		return "", notFound
	}
	var body strings.Builder
	for k := 0; k < 20; k++ {
		body.WriteByte(base32Alphabet[value(4+5*k, 5)])
	}
	id := map[string]string{"Organisation": "org", "Group": "grp", "Place": "plc", "Event": "evt"}[label] + "_" + body.String()
	if got, ok := nodeid.Label(id); !ok || got != label {
		return "", notFound
	}
	return id, nil
}

// meetingNamespace is the UUID namespace of the directory's one-way ids: those of
// service_at_locations and schedules.
var meetingNamespace = [16]byte{0x6b, 0x69, 0x74, 0x68, 0x2d, 0x6d, 0x40, 0x65, 0x80, 0x74, 0x69, 0x6e, 0x67, 0x73, 0x00, 0x01}

// meetingID is the version 5 UUID of a group meeting at a place.
func meetingID(groupID, placeID string) string {
	return nameUUID(groupID + " MEETS_AT " + placeID)
}

// nameUUID is the version 5 UUID of name in meetingNamespace: a schedule's is over the
// ties it comes from (a group RUNS an event, an event HELD_AT a place), so that the same
// event gives a service, a location and a service at a location schedules of their own.
func nameUUID(name string) string {
	h := sha1.New()
	h.Write(meetingNamespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// parseUUID reads a UUID in its usual 36-character form, any case.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return u, false
			}
			i++
			continue
		}
		hi, ok1 := hexValue(s[i])
		lo, ok2 := hexValue(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return u, true
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
