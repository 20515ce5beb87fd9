package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"kith/cypher"
)

// An event's public page, GET /openreferral/events/{id}: what the directory's schedules
// link to (schedule_link), for people and for search engines and calendars that read
// schema.org Event JSON-LD from a page. It lives under /openreferral because it is the
// directory's: the same edge (no token needed, anonymous callers rate-limited), the same
// rule of what is shown (cypher.visibleEvent: only an event whose group and place are all
// listed), the same UUIDs, and the same 404 for an event that is hidden as for one that
// does not exist. It says nothing about a person: no attendees, no organiser's name but
// the group's.

// maxPageOccurrences bounds the occurrences the page lists, from the next one on.
const maxPageOccurrences = 10

// eventPageHTML is a page directoryHandler sends as HTML rather than JSON.
type eventPageHTML []byte

func (s *Server) directoryEventPage(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := parseDirectory(r, false)
	if err != nil {
		return nil, err
	}
	id, err := parseDirectoryID(r.PathValue("id"), "Event", "id")
	if err != nil {
		return nil, err
	}
	e, err := s.store.DirectoryEventDetail(r.Context(), req.scope, id)
	if err != nil {
		return nil, err
	}
	return req.renderEventPage(e)
}

// pageOccurrence is one occurrence as the page shows it, in the event's zone.
type pageOccurrence struct{ Start, End time.Time }

// eventPageData is what the page's template fills in. Text is escaped by html/template;
// JSONLD is JSON whose <, > and & are escaped (encoding/json's default), so nothing in it
// can close the script element it stands in.
type eventPageData struct {
	Title, Description, Cost, Accessibility string
	Pattern                                 string
	Occurrences                             []pageOccurrence
	HasEnd                                  bool
	Place                                   string
	Group, GroupURL                         string
	JSONLD                                  template.JS
}

var eventPageTemplate = template.Must(template.New("event").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<script type="application/ld+json">{{.JSONLD}}</script>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{with .Description}}<p>{{.}}</p>{{end}}
<p>{{.Pattern}}</p>
{{if .Occurrences}}<h2>Next</h2>
<ul>{{range .Occurrences}}
<li><time datetime="{{.Start.Format "2006-01-02T15:04:05-07:00"}}">{{.Start.Format "Monday 2 January 2006, 15:04"}}</time>{{if $.HasEnd}} to {{.End.Format "15:04"}}{{end}}</li>{{end}}
</ul>{{end}}
<dl>
{{with .Place}}<dt>Where</dt><dd>{{.}}</dd>{{end}}
{{with .Group}}<dt>Run by</dt><dd>{{if $.GroupURL}}<a href="{{$.GroupURL}}">{{.}}</a>{{else}}{{.}}{{end}}</dd>{{end}}
{{with .Cost}}<dt>Cost</dt><dd>{{.}}</dd>{{end}}
{{with .Accessibility}}<dt>Access</dt><dd>{{.}}</dd>{{end}}
</dl>
</main>
</body>
</html>
`))

// renderEventPage renders the page of e: its next occurrences, where, who runs it, and the
// same as schema.org Event JSON-LD.
func (d directoryRequest) renderEventPage(e cypher.DirectoryEventDetail) (eventPageHTML, error) {
	zone := e.Zone()
	page := eventPageData{Title: e.Title, Description: e.Description, Cost: e.Cost, Accessibility: e.Accessibility, HasEnd: e.End != nil}
	// From the next occurrence (one under way included), however far off it is.
	var starts []time.Time
	if next, _, err := e.Outlook(d.now); err == nil && !next.IsZero() {
		starts, err = e.Starts(next, next.Add(cypher.MaxWindow), cypher.MaxOccurrences)
		if err != nil {
			starts = nil // too many to list: the pattern still says when
		}
	}
	for _, t := range starts[:min(len(starts), maxPageOccurrences)] {
		page.Occurrences = append(page.Occurrences, pageOccurrence{Start: t.In(zone), End: t.Add(e.Duration()).In(zone)})
	}
	if e.Group != nil {
		page.Group, page.GroupURL = e.Group.Name, d.base+"/services/"+DirectoryID(e.Group.ID)
	}
	if sched, ok := d.when(e.DirectoryEvent); ok {
		pattern := strings.TrimPrefix(sched.Description, e.Title+": ")
		page.Pattern = strings.ToUpper(pattern[:1]) + pattern[1:]
	} else {
		page.Pattern = "It is over: last on " + e.Start.In(zone).Format("Monday 2 January 2006") + "."
	}
	if e.Place != nil {
		page.Place = e.Place.Name
	}
	ld, err := d.eventJSONLD(e, page.Occurrences)
	if err != nil {
		return nil, err
	}
	page.JSONLD = template.JS(ld)
	var buf bytes.Buffer
	if err := eventPageTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("event page: %w", err)
	}
	return buf.Bytes(), nil
}

// schemaDays are schema.org's DayOfWeek members, rrule-go's order (Monday first).
var schemaDays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// schemaFrequencies are the ISO 8601 duration units of the RRULE frequencies events use.
var schemaFrequencies = map[rrule.Frequency]string{rrule.DAILY: "D", rrule.WEEKLY: "W", rrule.MONTHLY: "M", rrule.YEARLY: "Y"}

// eventJSONLD is the schema.org Event of e: its next occurrence as startDate/endDate (the
// first when none is left), its recurrence as an eventSchedule, its place, the group that
// runs it as organizer, its cost and accessibility notes. JSON escapes <, > and &, so the
// text can stand inside a script element.
func (d directoryRequest) eventJSONLD(e cypher.DirectoryEventDetail, next []pageOccurrence) ([]byte, error) {
	zone := e.Zone()
	url := d.eventPage(e.ID)
	start := e.Start.In(zone)
	if len(next) > 0 {
		start = next[0].Start
	}
	ev := map[string]any{"@context": "https://schema.org", "@type": "Event", "@id": url, "url": url, "name": e.Title,
		"startDate": start.Format(time.RFC3339), "eventStatus": "https://schema.org/EventScheduled"}
	if e.Description != "" {
		ev["description"] = e.Description
	}
	if e.End != nil {
		ev["endDate"] = start.Add(e.Duration()).Format(time.RFC3339)
	}
	if opt, err := e.RecurrenceOptions(); err == nil && opt != nil {
		ev["eventSchedule"] = schemaSchedule(e, opt)
	}
	if p := e.Place; p != nil {
		place := map[string]any{"@type": "Place", "name": p.Name, "url": d.base + "/locations/" + DirectoryID(p.ID)}
		mode := "https://schema.org/OfflineEventAttendanceMode"
		if p.Kind == "DIGITAL" {
			place["@type"], mode = "VirtualLocation", "https://schema.org/OnlineEventAttendanceMode"
		} else if p.Latitude != nil && p.Longitude != nil {
			place["geo"] = map[string]any{"@type": "GeoCoordinates", "latitude": *p.Latitude, "longitude": *p.Longitude}
		}
		if e.Accessibility != "" && place["@type"] == "Place" {
			place["amenityFeature"] = map[string]any{"@type": "LocationFeatureSpecification", "name": "Accessibility", "value": e.Accessibility}
		}
		ev["location"], ev["eventAttendanceMode"] = place, mode
	}
	if g := e.Group; g != nil {
		ev["organizer"] = map[string]any{"@type": "Organization", "name": g.Name, "url": d.base + "/services/" + DirectoryID(g.ID)}
	}
	if e.Cost != "" {
		free := strings.EqualFold(strings.TrimSpace(e.Cost), "free")
		ev["isAccessibleForFree"] = free
		if !free {
			ev["offers"] = map[string]any{"@type": "Offer", "description": e.Cost, "url": url}
		}
	}
	return json.Marshal(ev)
}

// schemaSchedule is schema.org's Schedule of a recurring event: its frequency and the
// parts of the rule schema.org names (byDay as DayOfWeek, or iCal text such as 1SA when
// it is counted within the month), its local times and zone.
func schemaSchedule(e cypher.DirectoryEventDetail, opt *rrule.ROption) map[string]any {
	zone := e.Zone()
	start := e.Start.In(zone)
	s := map[string]any{"@type": "Schedule", "repeatFrequency": fmt.Sprintf("P%d%s", max(opt.Interval, 1), schemaFrequencies[opt.Freq]),
		"startDate": start.Format(time.DateOnly), "startTime": start.Format("15:04:05"), "scheduleTimezone": zone.String()}
	if e.End != nil {
		s["endTime"] = e.End.In(zone).Format("15:04:05")
	}
	var days []string
	for _, w := range opt.Byweekday {
		if w.N() == 0 {
			days = append(days, "https://schema.org/"+schemaDays[w.Day()])
		} else {
			days = append(days, dayCode(w))
		}
	}
	if len(days) > 0 {
		s["byDay"] = days
	}
	if len(opt.Bymonthday) > 0 {
		s["byMonthDay"] = opt.Bymonthday
	}
	if len(opt.Bymonth) > 0 {
		s["byMonth"] = opt.Bymonth
	}
	if opt.Count > 0 {
		s["repeatCount"] = opt.Count
	}
	if _, last, err := e.Outlook(time.Time{}); err == nil && !last.IsZero() {
		s["endDate"] = last.In(zone).Format(time.DateOnly)
	}
	var except []string
	for _, x := range e.Exceptions[:min(len(e.Exceptions), maxScheduleExceptions)] {
		except = append(except, x.In(zone).Format(time.RFC3339))
	}
	if len(except) > 0 {
		s["exceptDate"] = except
	}
	return s
}
