package survey

// Report is what an import did, or in a dry run would do: counts, and every interview
// with every respondent and alter by source key, the Kith id it was linked to or created
// as, and the candidates it was queued against.
type Report struct {
	Format     string            `json:"format"`
	DryRun     bool              `json:"dryRun"`
	Wave       string            `json:"wave"`
	Counts     Counts            `json:"counts"`
	Interviews []InterviewReport `json:"interviews"`
}

// Counts add up a report. Created, Matched, Queued and AlreadyImported count respondents
// and alters (of interviews that loaded, or would); Rejected counts interviews.
type Counts struct {
	Interviews int `json:"interviews"`
	Loaded     int `json:"loaded"`
	Rejected   int `json:"rejected"`
	Created    int `json:"created"`
	Matched    int `json:"matched"`
	Queued     int `json:"queued"`
	// AlreadyImported counts those whose source key an earlier import recorded: a
	// re-import finds every one of them and writes nothing.
	AlreadyImported int `json:"alreadyImported"`
	Ties            int `json:"ties"`
}

// Interview statuses.
const (
	StatusLoaded   = "LOADED"
	StatusChecked  = "CHECKED" // a dry run found nothing wrong: it would load
	StatusRejected = "REJECTED"
)

// Record outcomes.
const (
	OutcomeCreated         = "CREATED"
	OutcomeLinked          = "LINKED"
	OutcomeQueued          = "QUEUED"
	OutcomeAlreadyImported = "ALREADY_IMPORTED"
)

// InterviewReport is one interview's part of a report.
type InterviewReport struct {
	Key     string   `json:"key"`
	File    string   `json:"file"`
	Line    int      `json:"line"`
	Status  string   `json:"status"`
	Problem *Problem `json:"problem,omitempty"`
	Records []Record `json:"records,omitempty"`
	Ties    int      `json:"ties"`
}

// Record is one respondent or alter of an interview.
type Record struct {
	SourceKey string `json:"sourceKey"`
	// Role is RESPONDENT or ALTER.
	Role  string `json:"role"`
	Label string `json:"label"`
	// Outcome is CREATED, LINKED, QUEUED (created, with candidates for a human) or
	// ALREADY_IMPORTED.
	Outcome string `json:"outcome"`
	// ID is the Kith id linked to or created as; empty in a dry run for one that would be
	// created, and for one outside the caller's areas.
	ID *string `json:"id,omitempty"`
	// OutsideAreas: the node lives outside the areas of the worker who imported it; they
	// see it only as the end of the respondent's tie, so its id and candidates are left out.
	OutsideAreas bool        `json:"outsideAreas,omitempty"`
	Candidates   []Candidate `json:"candidates,omitempty"`
}

// Candidate is a recorded person a record may be.
type Candidate struct {
	ID      string   `json:"id"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

func (r *Report) add(ir InterviewReport) {
	r.Counts.Interviews++
	if ir.Status == StatusRejected {
		r.Counts.Rejected++
		ir.Records = nil
	} else {
		r.Counts.Loaded++
		r.Counts.Ties += ir.Ties
		for _, rec := range ir.Records {
			switch rec.Outcome {
			case OutcomeCreated:
				r.Counts.Created++
			case OutcomeLinked:
				r.Counts.Matched++
			case OutcomeQueued:
				r.Counts.Queued++
			case OutcomeAlreadyImported:
				r.Counts.AlreadyImported++
			}
		}
	}
	r.Interviews = append(r.Interviews, ir)
}
