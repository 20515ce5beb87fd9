package gensurvey

// englishSurnames are common surnames in England and Wales, most common first (the order
// drives how often each is drawn).
var englishSurnames = []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
	"Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
	"Green", "Hall", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
	"Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips",
	"Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
	"Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
	"Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb",
	"Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
	"Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey"}

// otherSurnames are names from Nigerian, South Asian, Polish and Vietnamese families in
// their first and other English spellings.
var otherSurnames = [][]string{
	{"Okafor", "Okafour", "Okaffor"}, {"Adeyemi", "Adeyemmi", "Adeyemy"}, {"Oyelaran", "Oyelarun"},
	{"Chukwu", "Chukwuh", "Chuckwu"}, {"Patel", "Pattel"}, {"Chowdhury", "Choudhury", "Chaudhry"},
	{"Mohammed", "Muhammad", "Mohamed", "Mohammad"}, {"Hussein", "Husain", "Hussain"}, {"Rahman", "Rehman"},
	{"Kowalski", "Kowalsky", "Kovalski"}, {"Nowak", "Novak"}, {"Wiśniewski", "Wisniewski", "Wisnewski"},
	{"Lewandowska", "Levandowska"}, {"Nguyen", "Nguyễn", "Nguen"}, {"Tran", "Trần"}, {"Siddiqui", "Siddiqi", "Sidiqui"},
	{"Oyelowo", "Oyelouwo"}, {"Mensah", "Mensa"},
}

var otherGivenF = []string{"Ngozi", "Chiamaka", "Aisha", "Fatima", "Priya", "Nasreen", "Agnieszka", "Katarzyna",
	"Małgorzata", "Linh", "Thu", "Yetunde", "Folake", "Ayesha", "Shabana", "Ewa"}
var otherGivenM = []string{"Chidi", "Emeka", "Oluwaseun", "Olusegun", "Oluwafemi", "Abdullah", "Imran", "Tariq",
	"Wojciech", "Piotr", "Tomasz", "Minh", "Duc", "Kwame", "Rajesh", "Sanjay"}

// givenF and givenM are given names of several generations of English residents, most
// common first.
var givenF = []string{"Margaret", "Susan", "Patricia", "Elizabeth", "Sarah", "Jean", "Catherine", "Deborah",
	"Jennifer", "Rebecca", "Victoria", "Samantha", "Pamela", "Dorothy", "Barbara", "Kathleen", "Nicola", "Angela",
	"Emma", "Claire", "Joan", "Linda", "Karen", "Julie", "Alison", "Helen", "Ann", "Christine", "Gillian", "Sharon",
	"Amy", "Lucy", "Hannah", "Chloe", "Sophie", "Olivia", "Jessica", "Lauren", "Eleanor", "Abigail", "Frances", "Winifred"}
var givenM = []string{"John", "David", "Michael", "Robert", "William", "James", "Peter", "Richard", "Thomas",
	"Christopher", "Stephen", "Paul", "Andrew", "Mark", "Anthony", "Daniel", "Kenneth", "Edward", "Joseph",
	"Matthew", "Alan", "Brian", "Gary", "Ian", "Kevin", "Philip", "Simon", "Keith", "Colin", "Graham", "Ronald",
	"Frederick", "Albert", "Harold", "Leonard", "Samuel", "Benjamin", "Jack", "Oliver", "Harry", "George", "Nicholas"}

// nicks are pet forms respondents use, drawn independently of the matcher's table.
var nicks = map[string][]string{
	"Margaret": {"Peggy", "Maggie", "Meg"}, "Susan": {"Sue", "Susie"}, "Patricia": {"Pat", "Trish"},
	"Elizabeth": {"Liz", "Beth", "Betty"}, "Catherine": {"Cathy", "Kate"}, "Deborah": {"Debbie", "Deb"},
	"Jennifer": {"Jenny", "Jen"}, "Rebecca": {"Becky"}, "Victoria": {"Vicky"}, "Samantha": {"Sam"},
	"Pamela": {"Pam"}, "Dorothy": {"Dot"}, "Barbara": {"Babs"}, "Kathleen": {"Kath"}, "Nicola": {"Nicky"},
	"Abigail": {"Abi"}, "Frances": {"Fran"}, "Winifred": {"Winnie"}, "Eleanor": {"Ellie", "Nell"},
	"John": {"Jack", "Johnny"}, "David": {"Dave"}, "Michael": {"Mike", "Mick"}, "Robert": {"Bob", "Rob", "Bobby"},
	"William": {"Bill", "Will", "Billy"}, "James": {"Jim", "Jimmy", "Jamie"}, "Peter": {"Pete"},
	"Richard": {"Rich", "Dick"}, "Thomas": {"Tom", "Tommy"}, "Christopher": {"Chris"}, "Stephen": {"Steve"},
	"Andrew": {"Andy"}, "Anthony": {"Tony"}, "Daniel": {"Dan", "Danny"}, "Kenneth": {"Ken"}, "Edward": {"Ted", "Eddie"},
	"Joseph": {"Joe"}, "Matthew": {"Matt"}, "Philip": {"Phil"}, "Ronald": {"Ron"}, "Frederick": {"Fred"},
	"Albert": {"Bert"}, "Harold": {"Harry"}, "Leonard": {"Len"}, "Samuel": {"Sam"}, "Benjamin": {"Ben"},
	"Nicholas": {"Nick"}, "Oluwaseun": {"Seun"}, "Olusegun": {"Segun"}, "Oluwafemi": {"Femi"},
	"Katarzyna": {"Kasia"}, "Małgorzata": {"Gosia"}, "Wojciech": {"Wojtek"},
}
