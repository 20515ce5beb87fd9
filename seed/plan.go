package seed

import "time"

// plan describes a community to generate: its fixed parts (areas, places, groups,
// organisations, familiar strangers, waves) and the make-up of its people. Demo and
// Synthetic differ only in their plans.
type plan struct {
	prefix        string // externalId prefix: "demo" or "syn"
	personDigits  int    // width of the number in person and gift externalIds
	areas         []areaSpec
	places        []placeSpec
	groups        []groupSpec
	orgs          []orgSpec
	strangers     []strangerSpec
	waves         []waveSpec
	mappedOn      time.Time // when ties outside the waves were recorded
	mappingSource string    // source of ties that community mapping recorded
	alters        int       // survey alters: Person records that may duplicate a resident
	shares        shares
	uniqueNames   bool // give every resident a different name (small communities)
	villageWide   bool // residents of every area use all places, groups and services
	forming       int  // the group that forms between waves 1 and 2, or -1
}

// shares are fractions of residents.
type shares struct {
	isolate float64 // no social ties at all
	near    float64 // exactly one social tie
	enclave float64 // in small closed circles with no trusted route to authority
	hub     float64 // connectors: many KNOWS ties
	maven   float64 // many people get information from them
	sales   float64 // salespeople: encourage many others
}

// areaSpec is an Area; residents live only in areas without sub-areas.
type areaSpec struct {
	key, name string
	parent    int // index of the parent area, or -1
	residents int
}

type placeSpec struct {
	key, name string
	kind      *placeKind
	area      int
	public    bool // listed in the public directory
}

type groupSpec struct {
	key, name string
	kind      *groupKind
	area      int
	place     int     // where it meets, or -1
	weight    float64 // popularity
	founded   time.Time
	public    bool   // listed in the public directory
	runBy     string // the key of the organisation that runs it (RUN_BY), or ""
}

type orgSpec struct {
	key, name string
	kind      *orgKind
	area      int
	public    bool // listed in the public directory
}

type strangerSpec struct {
	key, displayName string
	role             int // index into strangerRoles
	area             int
}

type waveSpec struct {
	key, name, source string
	collectedOn       time.Time
}

// findPlaceKind returns the place kind of a category; it panics on an unknown one,
// which is a mistake in this package.
func findPlaceKind(category string) *placeKind {
	for i := range placeKinds {
		if placeKinds[i].category == category {
			return &placeKinds[i]
		}
	}
	panic("seed: unknown place category " + category)
}

// findGroupKind returns the group kind of an activity; it panics on an unknown one.
func findGroupKind(activity string) *groupKind {
	for i := range groupKinds {
		if groupKinds[i].activity == activity {
			return &groupKinds[i]
		}
	}
	panic("seed: unknown group activity " + activity)
}

func date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}
