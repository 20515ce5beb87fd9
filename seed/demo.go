package seed

import (
	"math/rand/v2"
	"strings"
	"time"
)

// demoSeed fixes the demo neighbourhood.
const demoSeed = 2024

// Demo returns the demo neighbourhood: always the same graph.
func Demo() *Graph {
	return generate(demoPlan(), rand.New(rand.NewPCG(demoSeed, pcgStream)))
}

// Areas of the demo neighbourhood.
const (
	thornleyMoor = iota
	collieryRow
	chapelHill
	stationEstate
	moorTop
)

func demoPlan() *plan {
	p := &plan{
		prefix:       "demo",
		personDigits: 4,
		areas: []areaSpec{
			{"demo-area-thornley-moor", "Thornley Moor", -1, 0},
			{"demo-area-colliery-row", "Colliery Row", thornleyMoor, 80},
			{"demo-area-chapel-hill", "Chapel Hill", thornleyMoor, 70},
			{"demo-area-station-estate", "Station Estate", thornleyMoor, 90},
			{"demo-area-moor-top", "Moor Top", thornleyMoor, 60},
		},
		orgs: demoOrgs(),
		strangers: []strangerSpec{
			{"demo-stranger-postman", "Dave the postman", 0, thornleyMoor},
			{"demo-stranger-shopkeeper", "Raj at Station Road Stores", 1, stationEstate},
			{"demo-stranger-street-sweeper", "Pat the sweeper", 2, collieryRow},
			{"demo-stranger-lollipop-lady", "Jean the lollipop lady", 3, moorTop},
			{"demo-stranger-quizmaster", "Quizmaster Mick", 5, stationEstate},
			{"demo-stranger-pharmacist", "", 6, chapelHill},
		},
		waves: []waveSpec{
			{"demo-wave-1", "Wave 1", "door-knocking survey 2024", date(2024, time.March, 15)},
			{"demo-wave-2", "Wave 2", "door-knocking survey 2025", date(2025, time.March, 15)},
		},
		mappedOn:      date(2024, time.February, 1),
		mappingSource: "community mapping 2024",
		alters:        6,
		shares:        shares{isolate: 0.02, near: 0.03, enclave: 0.03, hub: 0.01, maven: 0.013, sales: 0.01},
		uniqueNames:   true,
		villageWide:   true,
	}
	p.places = demoPlaces()
	p.groups = demoGroups(p.places)
	p.forming = len(p.groups) - 1
	return p
}

func demoOrgs() []orgSpec {
	org := func(key, name, sector string, authority bool, area int, staff ...string) orgSpec {
		return orgSpec{key: key, name: name, area: area,
			kind: &orgKind{name: name, sector: sector, authority: authority, staff: staff}}
	}
	// The directory (GET /openreferral) lists the council, the church, the food bank and
	// the community trust; the others are not public.
	public := map[string]bool{"demo-org-council": true, "demo-org-church": true, "demo-org-food-bank": true,
		"demo-org-community-trust": true}
	orgs := []orgSpec{
		org("demo-org-council", "East Moor District Council", "PUBLIC", true, thornleyMoor, "ward clerk"),
		org("demo-org-councillors-office", "Thornley Moor Councillors' Office", "PUBLIC", true, chapelHill,
			"councillor", "councillor", "councillor"),
		org("demo-org-gp-surgery", "Thornley Moor Surgery", "PUBLIC", true, chapelHill, "GP", "practice nurse"),
		org("demo-org-housing-association", "Moorside Homes", "PUBLIC", true, stationEstate,
			"housing officer", "housing officer"),
		org("demo-org-police", "Thornley Moor Neighbourhood Policing Team", "PUBLIC", true, thornleyMoor, "PCSO"),
		org("demo-org-church", "St Aidan's Church", "FAITH", false, chapelHill, "vicar"),
		org("demo-org-station-road-stores", "Station Road Stores", "BUSINESS", false, stationEstate),
		org("demo-org-food-bank", "Thornley Moor Food Bank", "VOLUNTARY", false, chapelHill, "food bank coordinator"),
		org("demo-org-community-trust", "East Moor Community Trust", "VOLUNTARY", false, thornleyMoor,
			"community development worker"),
	}
	for i := range orgs {
		orgs[i].public = public[orgs[i].key]
	}
	return orgs
}

func demoPlaces() []placeSpec {
	place := func(key, name, category string, area int) placeSpec {
		return placeSpec{key: "demo-place-" + key, name: name, kind: findPlaceKind(category), area: area}
	}
	// The directory lists the places open to anyone; the pub, the school gates, the shop,
	// the legion club and the allotments are not public.
	public := map[string]bool{"community-hub": true, "library": true, "welfare-park": true, "church-hall": true,
		"community-chat": true, "bluebell-cafe": true, "cricket-ground": true}
	places := []placeSpec{
		place("community-hub", "Thornley Moor Community Hub", "community hub", chapelHill),
		place("legion", "Thornley Moor Legion", "club", collieryRow),
		place("library", "Thornley Moor Library", "library", chapelHill),
		place("welfare-park", "Miners' Welfare Park", "park", collieryRow),
		place("colliery-inn", "The Colliery Inn", "pub", stationEstate),
		place("church-hall", "St Aidan's Church Hall", "church hall", chapelHill),
		place("community-chat", "Thornley Moor Community Chat", "online group", thornleyMoor),
		place("bluebell-cafe", "Bluebell Café", "cafe", moorTop),
		place("school-gates", "Moor Top Primary School gates", "school gates", moorTop),
		place("cricket-ground", "Thornley Moor Cricket Ground", "sports ground", moorTop),
		place("pit-lane-allotments", "Pit Lane Allotments", "allotments", collieryRow),
		place("station-road-stores", "Station Road Stores", "shop", stationEstate),
	}
	for i := range places {
		places[i].public = public[strings.TrimPrefix(places[i].key, "demo-place-")]
	}
	return places
}

// demoGroups lists the groups; the last, the mothers' group, forms between the waves.
func demoGroups(places []placeSpec) []groupSpec {
	group := func(key, name, activity, place string, weight float64, founded time.Time) groupSpec {
		i := 0
		for places[i].key != "demo-place-"+place {
			i++
		}
		return groupSpec{key: "demo-group-" + key, name: name, kind: findGroupKind(activity),
			area: places[i].area, place: i, weight: weight, founded: founded}
	}
	// The directory lists the groups that welcome anyone, with the organisation that runs
	// three of them; the peer group, the darts and quiz teams and the mothers' group are
	// not public.
	public := map[string]string{"knit-and-natter": "demo-org-community-trust", "cricket-club": "", "gardening-club": "",
		"walking-group": "", "coffee-club": "", "memory-cafe": "demo-org-church", "computer-buddies": "demo-org-community-trust"}
	groups := []groupSpec{
		group("knit-and-natter", "Knit and Natter", "knit and natter", "community-hub", 3, date(2012, time.May, 1)),
		group("darts-team", "Legion Darts Team", "darts", "legion", 2, date(1978, time.September, 1)),
		group("cricket-club", "Thornley Moor Cricket Club", "cricket", "cricket-ground", 5, date(1921, time.April, 1)),
		group("gardening-club", "Pit Lane Gardening Club", "gardening", "pit-lane-allotments", 4, date(1995, time.March, 1)),
		group("walking-group", "Welfare Park Walkers", "walking", "welfare-park", 3, date(2016, time.June, 1)),
		group("coffee-club", "Bluebell Coffee Club", "coffee club", "bluebell-cafe", 3, date(2019, time.October, 1)),
		group("memory-cafe", "St Aidan's Memory Café", "dementia café", "church-hall", 2, date(2017, time.February, 1)),
		group("talking-together", "Talking Together", "mental health peer group", "library", 1, date(2021, time.January, 1)),
		group("computer-buddies", "Computer Buddies", "computer club", "library", 2, date(2020, time.September, 1)),
		group("quiz-team", "Colliery Inn Quiz Team", "quiz", "colliery-inn", 1, date(2008, time.January, 1)),
		group("thornley-moor-mams", "Thornley Moor Mams", "mothers' group", "community-hub", 2, date(2024, time.September, 1)),
	}
	for i := range groups {
		org, ok := public[strings.TrimPrefix(groups[i].key, "demo-group-")]
		groups[i].public, groups[i].runBy = ok, org
	}
	return groups
}
