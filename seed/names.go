package seed

// The lists below are read-only vocabularies; the generator never modifies them.

// firstNames and surnames are combined at random into fictional residents' names, with
// a mix of the backgrounds found in British towns.
var firstNames = []string{
	"Margaret", "Susan", "Linda", "Patricia", "Jean", "Maureen", "Brenda", "Sandra",
	"Karen", "Julie", "Tracey", "Donna", "Kelly", "Gemma", "Leanne", "Stacey",
	"Chloe", "Amy", "Jade", "Megan", "Emily", "Olivia", "Sophie", "Aisha",
	"Priya", "Fatima", "Nadia", "Grace", "Siobhan", "Bronwen", "Eilidh", "Agnieszka",
	"Mei", "Precious", "Zainab", "Shirley", "Irene", "Dorothy", "Hazel", "Carol",
	"John", "David", "Michael", "Peter", "Alan", "Brian", "Keith", "Colin",
	"Gary", "Paul", "Mark", "Stephen", "Andrew", "Darren", "Lee", "Craig",
	"Jamie", "Ryan", "Liam", "Callum", "Connor", "Kieran", "Jack", "Harry",
	"Tom", "Daniel", "Mohammed", "Imran", "Arjun", "Ravi", "Tariq", "Kwame",
	"Delroy", "Winston", "Tomasz", "Piotr", "Wei", "Owen", "Rhys", "Gareth",
	"Declan", "Ewan", "Ronald", "Derek",
}

var surnames = []string{
	"Smith", "Jones", "Taylor", "Brown", "Wilson", "Robson", "Thompson", "Walker",
	"Wright", "Hall", "Harrison", "Dixon", "Lumsden", "Carr", "Bell", "Hutchinson",
	"Elliott", "Armstrong", "Charlton", "Surtees", "Robinson", "Scott", "Graham", "Anderson",
	"Johnson", "Atkinson", "Nesbitt", "Purvis", "Tweddle", "Heslop", "Craggs", "Forster",
	"Hedley", "Stoker", "Pattinson", "Liddle", "Kirkup", "Evans", "Davies", "Price",
	"Morgan", "Pritchard", "Griffiths", "MacDonald", "Campbell", "Stewart", "Fraser", "Reid",
	"Murray", "O'Neill", "Kelly", "Murphy", "Doherty", "McCann", "Byrne", "Patel",
	"Khan", "Hussain", "Begum", "Ahmed", "Singh", "Kaur", "Sharma", "Chaudhry",
	"Clarke", "Grant", "Francis", "Bailey", "Edwards", "Nowak", "Kowalski", "Zielinski",
	"Chen", "Wong", "Li", "Okafor", "Mensah", "Adeyemi", "Osei", "Lowther",
}

// blockedNames are combinations of the lists above that belong to well-known people;
// the generator draws again rather than use them.
var blockedNames = []string{
	"John Smith", "Jack Charlton", "Brian Robson", "Mark Wright", "Peter Reid",
	"Lee Evans", "Tom Jones", "Alan Davies", "Colin Murray", "Andrew Murray",
	"Grace Jones", "Chloe Kelly", "Callum Wilson", "Imran Khan", "Susan Hall",
	"David Jones", "Paul Scott", "Keith Harrison", "Gary Wilson",
}

// householdTypes, ageBands, frequencies and the other enumerations are indexed by the
// small integers the generator stores.
var householdTypes = []string{"single", "couple", "family", "single parent", "older living alone"}

const (
	hhSingle = iota
	hhCouple
	hhFamily
	hhSingleParent
	hhOlderAlone
)

var ageBands = []string{"16-24", "25-44", "45-64", "65-74", "75+"}

const (
	age16 = iota
	age25
	age45
	age65
	age75
)

var strengths = []string{"STRONG", "WEAK"}

const (
	strong = iota
	weak
)

var trustFor = []string{"HELP", "ADVICE", "SUPPORT"}

// memberRoles puts ORGANISER first so that, of two memberships of one person in one
// group and wave, the organiser's is kept.
var memberRoles = []string{"ORGANISER", "VOLUNTEER", "MEMBER"}

const (
	organiser = iota
	volunteer
	member
)

var frequencies = []string{"DAILY", "WEEKLY", "MONTHLY", "RARELY"}

const (
	daily = iota
	weekly
	monthly
	rarely
)

// roleNames lists the roles a Person may hold; index 0 means none.
var roleNames = []string{
	"", "councillor", "ward clerk", "GP", "housing officer", "PCSO",
	"practice nurse", "vicar", "food bank coordinator", "community development worker",
}

// authorityRoles marks the roles that make a Person an authority.
var authorityRoles = map[string]bool{
	"councillor": true, "ward clerk": true, "GP": true, "housing officer": true, "PCSO": true,
}

// interest is a hobby or topic with its popularity among residents.
type interest struct {
	name   string
	weight float64
}

// interests are shared by the demo and synthetic communities; cricket, gardening,
// helping others and the internet are the most popular, as in the Murton survey.
var interests = []interest{
	{"gardening", 6}, {"cricket", 5}, {"the internet", 5}, {"helping others", 5},
	{"knitting", 3}, {"football", 4}, {"cooking", 3}, {"darts", 2},
	{"walking", 4}, {"reading", 3}, {"local history", 2}, {"music", 3},
	{"dogs", 3}, {"fishing", 2}, {"crafts", 2}, {"bingo", 2},
}

// gifts are what residents can offer, by kind (gifts of the head, heart and hands).
var gifts = [3]struct {
	kind         string
	descriptions []string
}{
	{"HEAD", []string{"bookkeeping", "help with forms", "computer help", "local history",
		"maths tutoring", "speaks Polish", "speaks Urdu", "first aid"}},
	{"HEART", []string{"good listener", "makes people laugh", "checks on neighbours",
		"phone befriending", "welcomes newcomers", "sits with people who are poorly"}},
	{"HANDS", []string{"can fix bikes", "baking", "gardening", "DIY", "sewing",
		"driving", "dog walking", "decorating"}},
}

// strangerRoles are the familiar strangers' roles with how often they typically see
// the people on their round.
var strangerRoles = []struct {
	role      string
	frequency uint8
}{
	{"postman", daily}, {"shopkeeper", weekly}, {"street sweeper", weekly},
	{"lollipop lady", daily}, {"bus driver", weekly}, {"quizmaster", weekly},
	{"pharmacist", monthly},
}

// audiences restrict who joins a group.
const (
	anyone = iota
	parents
	olderPeople
)

// groupKind describes one kind of group: its activity, how open it is, whether it is
// health-related, its interests and the category of place it prefers to meet at.
type groupKind struct {
	activity  string
	name      string // suffix after the area name in synthetic communities
	openness  string
	sensitive bool
	interests []string
	meetsAt   string
	audience  int
}

var groupKinds = []groupKind{
	{"knit and natter", "Knit and Natter", "OPEN", false, []string{"knitting", "crafts"}, "community hub", anyone},
	{"darts", "Darts Team", "BY_INVITATION", false, []string{"darts"}, "pub", anyone},
	{"cricket", "Cricket Club", "OPEN", false, []string{"cricket"}, "sports ground", anyone},
	{"gardening", "Gardening Club", "OPEN", false, []string{"gardening"}, "allotments", anyone},
	{"walking", "Walking Group", "OPEN", false, []string{"walking", "dogs"}, "park", anyone},
	{"coffee club", "Coffee Club", "OPEN", false, nil, "cafe", anyone},
	{"mothers' group", "Mams", "OPEN", false, []string{"cooking"}, "community hub", parents},
	{"dementia café", "Memory Café", "OPEN", true, nil, "church hall", olderPeople},
	{"football", "Football Club", "OPEN", false, []string{"football"}, "sports ground", anyone},
	{"book club", "Book Club", "BY_INVITATION", false, []string{"reading"}, "library", anyone},
	{"computer club", "Computer Buddies", "OPEN", false, []string{"the internet"}, "library", anyone},
	{"mental health peer group", "Talking Together", "CLOSED", true, nil, "community hub", anyone},
	{"quiz", "Quiz Team", "CLOSED", false, []string{"local history"}, "pub", anyone},
	{"choir", "Community Choir", "OPEN", false, []string{"music"}, "church hall", anyone},
	{"bingo", "Bingo", "OPEN", false, []string{"bingo"}, "community hub", anyone},
	{"good neighbours", "Good Neighbours", "OPEN", false, []string{"helping others"}, "community hub", anyone},
}

// placeKind describes one category of place: its kind, how many residents' attention it
// draws, and the names a synthetic area gives it (the area name replaces %s).
type placeKind struct {
	category string
	kind     string
	weight   float64
	names    []string
}

var placeKinds = []placeKind{
	{"online group", "DIGITAL", 3, []string{"%s Community Chat", "%s Noticeboard (online)"}},
	{"community hub", "INDOOR", 3, []string{"%s Community Hub", "%s Community Centre"}},
	{"park", "OUTDOOR", 2, []string{"%s Park", "%s Welfare Park", "%s Rec"}},
	{"pub", "INDOOR", 2, []string{"The Red Lion, %s", "The Miners Arms, %s", "The Railway, %s", "The Black Bull, %s"}},
	{"club", "INDOOR", 2, []string{"%s Social Club", "%s Legion"}},
	{"library", "INDOOR", 2, []string{"%s Library"}},
	{"cafe", "INDOOR", 1.5, []string{"%s Corner Café", "The Teapot, %s", "Bluebell Café, %s"}},
	{"church hall", "INDOOR", 1, []string{"St Cuthbert's Hall, %s", "%s Methodist Hall", "St Hilda's Hall, %s"}},
	{"school gates", "OUTDOOR", 1, []string{"%s Primary School gates", "%s Academy gates"}},
	{"shop", "INDOOR", 2, []string{"%s Stores", "%s Post Office", "%s Mini Market"}},
	{"allotments", "OUTDOOR", 1, []string{"%s Allotments"}},
	{"sports ground", "OUTDOOR", 1, []string{"%s Recreation Ground", "%s Cricket Ground"}},
}

// placeCycle is the order in which a synthetic area gains places: one online group
// first, then the everyday places, with pubs, shops and cafés recurring most.
var placeCycle = []string{
	"online group", "community hub", "shop", "pub", "park", "library", "club", "cafe",
	"church hall", "school gates", "sports ground", "allotments", "pub", "shop",
	"cafe", "park", "pub", "shop", "church hall", "school gates", "cafe",
}

// orgKind describes one kind of organisation and the roles of the residents who work
// for it.
type orgKind struct {
	name      string
	sector    string
	authority bool
	staff     []string
}

// orgCycle is the order in which a synthetic area gains organisations.
var orgCycle = []orgKind{
	{"%s Surgery", "PUBLIC", true, []string{"GP", "practice nurse"}},
	{"St Cuthbert's Church, %s", "FAITH", false, []string{"vicar"}},
	{"%s Neighbourhood Office", "PUBLIC", true, []string{"councillor", "ward clerk"}},
	{"%s Food Bank", "VOLUNTARY", false, []string{"food bank coordinator"}},
	{"%s Homes", "PUBLIC", true, []string{"housing officer"}},
	{"%s Co-operative", "BUSINESS", false, nil},
	{"%s Neighbourhood Policing Team", "PUBLIC", true, []string{"PCSO"}},
	{"%s Community Trust", "VOLUNTARY", false, []string{"community development worker"}},
}

// areaPrefixes and areaSuffixes make synthetic area names such as "Ashfield".
var (
	areaPrefixes = []string{
		"Ash", "Beech", "Birch", "Bram", "Brook", "Clay", "Cole", "Crag", "Elm", "Fern",
		"Glen", "Hart", "Hazel", "Heath", "Holly", "Kirk", "Lark", "Mill", "Moor", "Oak",
		"Pit", "Rowan", "Sand", "Stan", "Thorn", "Wel", "Whin", "Wood", "Yar", "Bridge",
	}
	areaSuffixes = []string{
		"field", "ton", "ley", "by", "wick", "ham", "gate", "side", "dale", "well",
		"worth", "hope", "burn", "croft", "thorpe", "stead", "mouth", "moor", "bank", "hill",
	}
)
