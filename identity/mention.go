package identity

// This file is the contract between the survey importer (package survey) and identity
// resolution: what the importer knows about one person named in an interview (a Mention),
// and what resolution decided about them (a Decision). The importer writes what a Decision
// says in the interview's own transaction.

// Mention is one person as a survey records them: a respondent, or someone a respondent
// named. It carries only what the interview gave; nothing here is read from the graph.
type Mention struct {
	// SourceKey identifies the mention in its source, stable across re-imports: for
	// Network Canvas "nc:<networkCanvasEgoUUID>" (the respondent) or
	// "nc:<networkCanvasEgoUUID>:<networkCanvasUUID>" (an alter); for a roster
	// "roster:<respondent row id>" or "roster:<interview id>:<mention row id>".
	SourceKey string
	// Label is the Kith label the mention resolves to: "Person" or "FamiliarStranger".
	Label string
	// Name is the name exactly as given ("Jean next door", "Mrs Okafor"); may be empty for
	// a familiar stranger known only by role.
	Name string
	// Role is what a familiar stranger or a service is known by ("postman", "GP").
	Role string
	// Area is the area as given (an area id, or a name such as "Winton"), "" when none.
	Area string
	// AreaID is the id of the Kith area Area resolved to, "" when it named none.
	AreaID string
	// AgeBand and Household are as given, "" when not asked.
	AgeBand, Household string
	// NamedBy is the SourceKey of the respondent who named them; "" for a respondent.
	NamedBy string
	// InterviewID identifies the interview (the respondent's source key for Network
	// Canvas, the roster's interview id).
	InterviewID string
	// NameGenerator is the question that produced the mention ("help", "advice"...), ""
	// for a respondent.
	NameGenerator string
}

// DecisionKind says what resolution decided about a mention.
type DecisionKind int

const (
	// New: nobody recorded is likely the same; a new person is created.
	New DecisionKind = iota
	// Linked: one recorded person is the same above the high threshold.
	Linked
	// Queued: one or more recorded people may be the same; a new person is created and a
	// POSSIBLY_SAME_AS {score, reasons} tie to each candidate waits for a human.
	Queued
)

// String names the kind as reports show it.
func (k DecisionKind) String() string {
	switch k {
	case Linked:
		return "LINKED"
	case Queued:
		return "QUEUED"
	}
	return "NEW"
}

// Candidate is a recorded person a mention may be, with the evidence.
type Candidate struct {
	// PersonID is the Kith id of the recorded person (or familiar stranger).
	PersonID string
	// Score is the match probability, 0 to 1.
	Score float64
	// Reasons say in words what agreed and what did not ("same surname", "same street").
	Reasons []string
}

// Decision is what resolution decided about one mention. For Linked, Candidates holds
// exactly the one person linked to; for Queued, those to review, best first; for New,
// none.
type Decision struct {
	Kind       DecisionKind
	Candidates []Candidate
}
