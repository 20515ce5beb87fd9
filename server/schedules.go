package server

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"kith/cypher"
)

// The directory's schedules: an HSDS 3.0 schedule for each event a service runs, a
// location hosts, or a service runs at a location (cypher.DirectoryEvent). HSDS spells a
// recurrence field by field and knows only WEEKLY and MONTHLY, so an event's RRULE is
// rewritten into those where it means the same (a daily rule is a weekly one on every
// day, a yearly one a monthly one every twelve months); a rule that cannot be (BYMONTH,
// BYSETPOS, every other day...) is sent without freq, with the rule in its description,
// rather than as a pattern that would put people at a door on the wrong day.
//
// Times are the event's wall-clock times in its zone (a 7 pm club is at 19:00 in winter
// and in summer, as RFC 5545 has it), with the UTC offset of the next occurrence (HSDS's
// timezone is an offset, not a zone, so no single one is right all year: a reader that
// reads the directory again after the clocks change gets the new one). The description
// names the zone.

// hsdsSchedule is HSDS 3.0's schedule object as Kith fills it.
type hsdsSchedule struct {
	ID                  string `json:"id"`
	ServiceID           string `json:"service_id,omitempty"`
	LocationID          string `json:"location_id,omitempty"`
	ServiceAtLocationID string `json:"service_at_location_id,omitempty"`
	ValidFrom           string `json:"valid_from"`
	ValidTo             string `json:"valid_to,omitempty"`
	DTStart             string `json:"dtstart"`
	// Timezone is the UTC offset in hours of the next occurrence (of the last, when
	// none is left).
	Timezone   float64 `json:"timezone"`
	Until      string  `json:"until,omitempty"`
	Count      int     `json:"count,omitempty"`
	Wkst       string  `json:"wkst,omitempty"`
	Freq       string  `json:"freq,omitempty"`
	Interval   int     `json:"interval,omitempty"`
	ByDay      string  `json:"byday,omitempty"`
	ByMonthDay string  `json:"bymonthday,omitempty"`
	// Description says in words what the fields say, with the event's title and zone.
	Description string `json:"description"`
	OpensAt     string `json:"opens_at"`
	ClosesAt    string `json:"closes_at,omitempty"`
	// ScheduleLink is the event's page, which shows its next occurrences. The UK
	// profile's schedule.json requires a url (a property it does not define): it is the
	// same address.
	ScheduleLink string `json:"schedule_link"`
	URL          string `json:"url"`
}

// scheduleOwner says whose schedule it is: a service's, a location's, or a service's at a
// location. Its ids are Kith's; the schedule's are directory UUIDs.
type scheduleOwner struct {
	groupID, placeID string
}

// schedules returns the schedules of the events (cypher.DirectoryEvent) of owner that are
// not over at d.now, in their order. An event whose rule cannot be read or walked is left
// out: the write path refuses such rules, so one here is an old or hand-made record.
func (d directoryRequest) schedules(owner scheduleOwner, events []cypher.DirectoryEvent) []hsdsSchedule {
	var out []hsdsSchedule
	for _, e := range events {
		if s, ok := d.schedule(owner, e); ok {
			out = append(out, s)
		}
	}
	return out
}

// schedule is the schedule of e as owner's: when, and the ids saying whose it is.
func (d directoryRequest) schedule(owner scheduleOwner, e cypher.DirectoryEvent) (hsdsSchedule, bool) {
	s, ok := d.when(e)
	if !ok {
		return s, false
	}
	switch {
	case owner.groupID != "" && owner.placeID != "":
		s.ID = nameUUID(owner.groupID + " RUNS " + e.ID + " HELD_AT " + owner.placeID)
		s.ServiceAtLocationID = meetingID(owner.groupID, owner.placeID)
	case owner.groupID != "":
		s.ID = nameUUID(owner.groupID + " RUNS " + e.ID)
		s.ServiceID = DirectoryID(owner.groupID)
	default:
		s.ID = nameUUID(e.ID + " HELD_AT " + owner.placeID)
		s.LocationID = DirectoryID(owner.placeID)
	}
	return s, true
}

// when is the schedule of e without its ids: its dates, rule, times and description; false
// when e is over at d.now.
func (d directoryRequest) when(e cypher.DirectoryEvent) (hsdsSchedule, bool) {
	next, last, err := e.Outlook(d.now)
	if err != nil || next.IsZero() {
		return hsdsSchedule{}, false
	}
	opt, err := e.RecurrenceOptions()
	if err != nil {
		return hsdsSchedule{}, false
	}
	zone := e.Zone()
	start := e.Start.In(zone)
	link := d.eventPage(e.ID)
	s := hsdsSchedule{ValidFrom: start.Format(time.DateOnly), DTStart: start.Format(time.DateOnly),
		ScheduleLink: link, URL: link}
	if !last.IsZero() {
		s.ValidTo = last.In(zone).Format(time.DateOnly)
	}
	opens := next.In(zone)
	_, offset := opens.Zone()
	s.Timezone = math.Round(float64(offset)/36) / 100
	s.OpensAt = clock(opens)
	hours := clock(opens)
	if e.End != nil {
		closes := next.Add(e.Duration()).In(zone)
		s.ClosesAt = clock(closes)
		hours += " to " + clock(closes)
	}
	var pattern string
	if opt == nil {
		pattern = "once, on " + start.Format("Monday 2 January 2006")
	} else {
		pattern = s.recurrence(opt, start, e.Recurrence)
		if opt.Count > 0 {
			s.Count = opt.Count
		}
		if !opt.Until.IsZero() && !last.IsZero() {
			s.Until = s.ValidTo
			pattern += ", until " + last.In(zone).Format("2 January 2006")
		}
	}
	desc := fmt.Sprintf("%s: %s, %s, %s time", e.Title, pattern, hours, zone.String())
	var skipped []string
	for _, x := range e.Exceptions {
		if x.After(d.now) && len(skipped) < maxScheduleExceptions {
			skipped = append(skipped, x.In(zone).Format("2 January 2006"))
		}
	}
	if len(skipped) > 0 {
		desc += "; not on " + strings.Join(skipped, ", ")
	}
	s.Description = desc + "."
	return s, true
}

// maxScheduleExceptions bounds the dates a schedule's description says the event skips.
const maxScheduleExceptions = 20

// clock is a local time as HSDS's opens_at has it: HH:MM and the UTC offset.
func clock(t time.Time) string {
	return t.Format("15:04-07:00")
}

// hsdsWeekdays are RFC 5545's weekday codes, rrule-go's order (Monday first).
var hsdsWeekdays = []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}

// dayCode is a weekday as RFC 5545's BYDAY writes it: TU, 1SA, -1FR (rrule-go writes +1SA).
func dayCode(w rrule.Weekday) string {
	return strings.TrimPrefix(w.String(), "+")
}

// recurrence fills the schedule's freq, interval, byday, bymonthday and wkst from opt when
// HSDS can say the same, and returns the pattern in words. start is the first occurrence
// in the event's zone; rule the RRULE as stored, quoted when HSDS cannot say it.
func (s *hsdsSchedule) recurrence(opt *rrule.ROption, start time.Time, rule string) string {
	interval := max(opt.Interval, 1)
	startDay := hsdsWeekdays[(int(start.Weekday())+6)%7]
	days := opt.Byweekday
	irregular := len(opt.Bysetpos)+len(opt.Bymonth)+len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Byhour)+
		len(opt.Byminute)+len(opt.Bysecond)+len(opt.Byeaster) > 0
	ordinal := slices.ContainsFunc(days, func(w rrule.Weekday) bool { return w.N() != 0 })
	switch {
	case irregular:
	case opt.Freq == rrule.DAILY && len(opt.Bymonthday) == 0 && !ordinal && interval == 1:
		if len(days) == 0 {
			days = hsdsWeekdays
		}
		return s.weekly(1, days, opt.Wkst)
	case opt.Freq == rrule.DAILY && len(opt.Bymonthday) == 0 && len(days) == 0 && interval%7 == 0:
		return s.weekly(interval/7, []rrule.Weekday{startDay}, opt.Wkst)
	case opt.Freq == rrule.WEEKLY && len(opt.Bymonthday) == 0 && !ordinal:
		if len(days) == 0 {
			days = []rrule.Weekday{startDay}
		}
		return s.weekly(interval, days, opt.Wkst)
	case opt.Freq == rrule.MONTHLY && (len(days) == 0 || len(opt.Bymonthday) == 0):
		return s.monthly(interval, days, opt.Bymonthday, start)
	case opt.Freq == rrule.YEARLY && len(days) == 0 && len(opt.Bymonthday) == 0:
		return s.monthly(12*interval, nil, nil, start)
	}
	return "repeats as the RFC 5545 rule " + rule
}

func (s *hsdsSchedule) weekly(interval int, days []rrule.Weekday, wkst rrule.Weekday) string {
	s.Freq, s.Interval = "WEEKLY", interval
	var codes, names []string
	for _, w := range days {
		codes = append(codes, dayCode(w))
		names = append(names, time.Weekday((w.Day()+1)%7).String())
	}
	s.ByDay = strings.Join(codes, ",")
	if interval > 1 {
		// Which weeks count as every other one depends on the day they start.
		s.Wkst = wkst.String()
	}
	if len(days) == 7 && interval == 1 {
		return "every day"
	}
	if interval == 1 {
		return "every " + words(names)
	}
	return fmt.Sprintf("every %d weeks on %s", interval, words(names))
}

func (s *hsdsSchedule) monthly(interval int, days []rrule.Weekday, monthDays []int, start time.Time) string {
	s.Freq, s.Interval = "MONTHLY", interval
	every := "every month"
	if interval > 1 {
		every = fmt.Sprintf("every %d months", interval)
	}
	if len(days) > 0 {
		var codes, names []string
		for _, w := range days {
			codes = append(codes, dayCode(w))
			name := time.Weekday((w.Day() + 1) % 7).String()
			if w.N() != 0 {
				name = ordinalWord(w.N()) + " " + name
			}
			names = append(names, name)
		}
		s.ByDay = strings.Join(codes, ",")
		if slices.ContainsFunc(days, func(w rrule.Weekday) bool { return w.N() == 0 }) {
			return every + " on every " + words(names)
		}
		return every + " on the " + words(names)
	}
	if len(monthDays) == 0 {
		monthDays = []int{start.Day()}
	}
	var nums, names []string
	for _, d := range monthDays {
		nums = append(nums, strconv.Itoa(d))
		if d < 0 {
			names = append(names, ordinalWord(d)+" day")
		} else {
			names = append(names, "day "+strconv.Itoa(d))
		}
	}
	s.ByMonthDay = strings.Join(nums, ",")
	return every + " on " + words(names)
}

// ordinalWord names the nth (negative: from the end) weekday or day of a month.
func ordinalWord(n int) string {
	switch n {
	case -1:
		return "last"
	case -2:
		return "second to last"
	case 1, 2, 3, 4, 5:
		return [...]string{"first", "second", "third", "fourth", "fifth"}[n-1]
	}
	if n < 0 {
		return fmt.Sprintf("%d. from the end", -n)
	}
	return fmt.Sprintf("%d.", n)
}

// words joins names as a list in English: "Tuesday and Thursday".
func words(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
