package survey

import (
	"encoding/json"
	"fmt"
)

// ImportMutation is the importSurvey mutation selecting the whole report, as `kith import
// --server` sends it; its answer decodes with DecodeAPIReport.
const ImportMutation = `mutation Import($file: Upload!, $mapping: Upload, $wave: String!, $area: String, $dryRun: Boolean) {
  importSurvey(file: $file, mapping: $mapping, wave: $wave, area: $area, dryRun: $dryRun) {
    format dryRun wave
    counts { interviews loaded rejected created matched queued alreadyImported ties }
    interviews {
      key file line status ties
      problem { code file line column message }
      records { sourceKey role label outcome id outsideAreas candidates { id score reasons } }
    }
  }
}`

// DecodeAPIReport decodes the importSurvey field of a response: the API's ImportReport has
// the Report's JSON shape.
func DecodeAPIReport(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("import: the report cannot be read: %w", err)
	}
	return &r, nil
}

// ReadPaths reads several CSV files given one by one (a roster's respondents.csv,
// mentions.csv and ties.csv, say).
func ReadPaths(paths []string, lim Limits) (*Files, error) {
	rd := &reader{lim: lim}
	for _, p := range paths {
		fs, err := ReadPath(p, lim)
		if err != nil {
			return nil, err
		}
		for _, f := range fs.list {
			rd.total += int64(len(f.Data))
			if rd.total > lim.MaxTotalBytes {
				return nil, problem(CodeTooLarge, f.Name, 0, 0, "the files hold more than %d bytes in all", lim.MaxTotalBytes)
			}
			rd.files = append(rd.files, f)
		}
	}
	return rd.done(), nil
}
