// Package survey imports a round of survey interviews into Kith: Network Canvas CSV
// exports (with a mapping file) and the plain roster format for paper surveys. Each
// interview becomes one write transaction: its respondent and the people, groups and
// places they named, resolved against those already recorded (identity.Mention,
// Matcher), their ties recorded in the wave, and what the wave measured about the
// respondent as an Observation. Bad input is refused with a Problem naming the file, line
// and column; a failed interview writes nothing and the others still load. The importer
// never logs a name.
package survey

import (
	"fmt"

	"kith/apierr"
)

// Problem codes: what was wrong with the input. Each Problem is reported with
// extensions.code BAD_USER_INPUT (FORBIDDEN for OutsideAreas), this code as its reason
// code, and the file, line and column.
const (
	CodeMissingColumn  = "MISSING_COLUMN"
	CodeUnknownType    = "UNKNOWN_TYPE"
	CodeBadMapping     = "BAD_MAPPING"
	CodeDuplicate      = "DUPLICATE_KEY"
	CodeUnknownAlter   = "UNKNOWN_ALTER"
	CodeNotUTF8        = "NOT_UTF8"
	CodeTooLarge       = "TOO_LARGE"
	CodeZip            = "BAD_ZIP"
	CodeFormula        = "FORMULA"
	CodeOutOfRange     = "OUT_OF_RANGE"
	CodeBadValue       = "BAD_VALUE"
	CodeMissingValue   = "MISSING_VALUE"
	CodeBadCSV         = "BAD_CSV"
	CodeMissingFile    = "MISSING_FILE"
	CodeUnknownArea    = "UNKNOWN_AREA"
	CodeOutsideAreas   = "OUTSIDE_AREAS"
	CodeNotTieable     = "TIE_NOT_ALLOWED"
	CodeInterviewWrite = "WRITE_FAILED"
)

// Problem is one thing wrong with the input, where it is. Line and Column count from 1;
// 0 means the whole file (or line). Message never quotes a cell's value, which may be a
// name.
type Problem struct {
	Code    string `json:"code"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// Error formats the problem as "file:line:column: CODE: message".
func (p *Problem) Error() string {
	return fmt.Sprintf("%s: %s: %s", p.Where(), p.Code, p.Message)
}

// Where is "file:line:column", as the field of the API error.
func (p *Problem) Where() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// APIError returns the problem as a coded API error whose field is "file:line:column".
func (p *Problem) APIError() *apierr.Error {
	code := apierr.CodeBadUserInput
	if p.Code == CodeOutsideAreas {
		code = apierr.CodeForbidden
	}
	return &apierr.Error{Code: code, Field: p.Where(), Reason: p.Code + ": " + p.Message}
}

// problem makes a Problem.
func problem(code, file string, line, col int, format string, args ...any) *Problem {
	return &Problem{Code: code, File: file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)}
}
