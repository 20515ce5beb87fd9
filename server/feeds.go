package server

// GET /feeds/{token}.ics: the social calendar as iCalendar (RFC 5545), one feed per group,
// place, area, interest or person, for Google Calendar, PlaceCal or any calendar app to
// subscribe to. Calendar apps send no bearer token, so the URL's token is the capability:
// it opens that one feed (cypher/feeds.go). A token that opens nothing (unknown, forged,
// revoked) gets the same 404 as any other, so a caller cannot tell which.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"kith/cypher"
)

// feedRoutes registers the feeds, anonymous (ratelimit.go): held to the rate limit per
// client address, which also bounds guessing at tokens.
func (s *Server) feedRoutes(mux *http.ServeMux) {
	mux.Handle("GET /feeds/{file}", s.anonymous(http.HandlerFunc(s.serveFeed)))
}

// feedPathPrefix starts every feed's path; the access log never shows the rest (the token).
const feedPathPrefix = "/feeds/"

// loggedPath is the path the access log records for r: a feed's token is a credential, so
// it is left out.
func loggedPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, feedPathPrefix) {
		return feedPathPrefix + "{token}.ics"
	}
	return r.URL.Path
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) {
	notFound := func() {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("no such feed\n"))
	}
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		notFound()
		return
	}
	ctx := r.Context()
	f, found, err := s.store.FeedByToken(ctx, token)
	if err != nil {
		s.feedError(w, r, err)
		return
	}
	if !found {
		notFound()
		return
	}
	now := time.Now()
	name, events, err := s.store.FeedEvents(ctx, f)
	if err != nil {
		s.feedError(w, r, err)
		return
	}
	if name == "" && events == nil {
		notFound() // what the feed was of is gone
		return
	}
	body := calendarOf(name, events, now)
	// Who reads a feed is an app, not a person: the record names the feed (never its
	// token) and, for a personal feed, the person, so an admin can see whether a lost
	// phone's calendar is still being read before revoking it.
	ev := cypher.AuditEvent{Subject: "feed " + f.ID, Operation: "GET /feeds", Kind: "feed", RequestID: RequestID(ctx),
		Detail: map[string]any{"events": int64(len(events))}}
	if f.Kind == "PERSON" {
		ev.IDs = []string{f.Target}
	}
	s.audit.submit(ev)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="kith.ics"`)
	// The URL is a credential: no shared cache keeps the answer, no page passes it on.
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	_, _ = w.Write([]byte(body))
}

func (s *Server) feedError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("feed", "request_id", RequestID(r.Context()), "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("the calendar is unavailable; try again later\n"))
}

// icsLocal formats an instant as the local date-time of a TZID'd property.
func icsLocal(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("20060102T150405")
}

// icsUTC formats an instant in UTC.
func icsUTC(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// calendarOf writes the feed: a VEVENT per event with its first start and end in its time
// zone (TZID), its RRULE and EXDATEs, and a VTIMEZONE for every zone used, so that a
// calendar app expands each recurrence as Kith does. It carries event data only: no
// attendee, no one's name.
func calendarOf(name string, events []cypher.FeedEvent, now time.Time) string {
	cal := ics.NewCalendarFor("Kith")
	cal.SetProductId("-//Kith//Social calendar//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(cypher.DefaultTimeZone)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	zones := map[string]time.Time{cypher.DefaultTimeZone: now}
	for _, e := range events {
		tz := e.Zone().String()
		if first, ok := zones[tz]; !ok || e.Start.Before(first) {
			zones[tz] = e.Start
		}
	}
	for _, tz := range slices.Sorted(mapsKeys(zones)) {
		loc, err := cypher.LoadZone(tz)
		if err != nil {
			continue
		}
		cal.AddVTimezone(vtimezone(loc, zones[tz], now))
	}
	for _, e := range events {
		loc := e.Zone()
		tzid := ics.WithTZID(loc.String())
		ev := cal.AddEvent(e.ID + "@kith")
		stamp := e.UpdatedAt
		if stamp.IsZero() {
			stamp = now
		}
		ev.SetProperty(ics.ComponentPropertyDtstamp, icsUTC(stamp))
		if !e.CreatedAt.IsZero() {
			ev.SetProperty(ics.ComponentPropertyCreated, icsUTC(e.CreatedAt))
		}
		ev.SetProperty(ics.ComponentPropertyLastModified, icsUTC(stamp))
		ev.SetProperty(ics.ComponentPropertyDtStart, icsLocal(e.Start, loc), tzid)
		if e.End != nil {
			ev.SetProperty(ics.ComponentPropertyDtEnd, icsLocal(*e.End, loc), tzid)
		}
		if e.Recurrence != "" {
			ev.AddRrule(e.Recurrence)
			for _, x := range e.Exceptions {
				ev.AddExdate(icsLocal(x, loc), tzid)
			}
		}
		ev.SetSummary(e.Title)
		if e.Place != "" {
			ev.SetLocation(e.Place)
		}
		var desc []string
		if e.Description != "" {
			desc = append(desc, e.Description)
		}
		if e.Group != "" {
			desc = append(desc, "Run by: "+e.Group)
		}
		if e.Cost != "" {
			desc = append(desc, "Cost: "+e.Cost)
		}
		if e.Accessibility != "" {
			desc = append(desc, "Accessibility: "+e.Accessibility)
		}
		if len(desc) > 0 {
			ev.SetDescription(strings.Join(desc, "\n"))
		}
	}
	return cal.Serialize()
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// vtimezone describes loc from the year before first to ten years after now, as the
// offsets it had and every change between them (one STANDARD or DAYLIGHT observance per
// change, from Go's time zone database), so that a reader that does not know the zone by
// name still places every occurrence in that span.
func vtimezone(loc *time.Location, first, now time.Time) *ics.VTimezone {
	from := time.Date(first.In(loc).Year()-1, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(now.Year()+10, 1, 1, 0, 0, 0, 0, loc)
	if to.Sub(from) > 60*365*24*time.Hour {
		from = to.AddDate(-60, 0, 0)
	}
	tz := ics.NewTimezone(loc.String())
	observe := func(at time.Time, fromOffset int) {
		t := at.In(loc)
		name, offset := t.Zone()
		var c *ics.ComponentBase
		if t.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			c = &d.ComponentBase
		} else {
			st := tz.AddStandard()
			c = &st.ComponentBase
		}
		c.AddProperty(ics.ComponentPropertyDtStart, at.UTC().Add(time.Duration(fromOffset)*time.Second).Format("20060102T150405"))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), icsOffset(fromOffset))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), icsOffset(offset))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	_, offset := from.Zone()
	observe(from, offset)
	for day := from; day.Before(to); day = day.Add(24 * time.Hour) {
		next := day.Add(24 * time.Hour)
		if _, o := next.Zone(); o == offset {
			continue
		}
		lo, hi := day, next
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, o := mid.Zone(); o == offset {
				lo = mid
			} else {
				hi = mid
			}
		}
		observe(hi, offset)
		_, offset = hi.Zone()
	}
	return tz
}

// icsOffset formats a UTC offset in seconds as +HHMM.
func icsOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	return fmt.Sprintf("%c%02d%02d", sign, seconds/3600, seconds%3600/60)
}
