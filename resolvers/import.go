package resolvers

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"kith/apierr"
	"kith/survey"
)

// maxMappingBytes bounds an uploaded mapping file.
const maxMappingBytes = 1 << 20

// importSurvey reads the uploaded file (and mapping) under the import limits, then imports
// its interviews as the caller: a worker's scope bounds where respondents may live.
func (r *mutationResolver) importSurvey(ctx context.Context, file graphql.Upload, mapping *graphql.Upload, wave string, area *string, dryRun *bool) (*survey.Report, error) {
	lim := r.ImportLimits
	if lim.MaxFileBytes == 0 {
		lim = survey.DefaultLimits()
	}
	files, err := survey.ReadUpload(file.Filename, file.File, lim)
	if err != nil {
		return nil, problemError(err)
	}
	var mf *survey.File
	if mapping != nil {
		m, err := survey.ReadUpload(mapping.Filename, mapping.File, survey.Limits{MaxFileBytes: maxMappingBytes,
			MaxUploadBytes: maxMappingBytes, MaxTotalBytes: maxMappingBytes, MaxEntries: 1, MaxRatio: lim.MaxRatio})
		if err != nil {
			return nil, problemError(err)
		}
		if all := m.Find(func(string) bool { return true }); len(all) == 1 {
			mf = &all[0]
		} else {
			return nil, apierr.BadUserInput("mapping", "must be one YAML or JSON file")
		}
	}
	format, ivs, err := survey.Read(files, mf)
	if err != nil {
		return nil, problemError(err)
	}
	if len(ivs) > lim.MaxInterviews {
		return nil, apierr.BadUserInput("file", "holds %d interviews; at most %d are imported at once", len(ivs), lim.MaxInterviews)
	}
	opts := survey.Options{Wave: wave, DryRun: dryRun != nil && *dryRun, Scope: scopeOf(ctx)}
	if area != nil {
		opts.Area = *area
	}
	matcher := r.Matcher
	if matcher == nil {
		matcher = survey.ExactNameMatcher{}
	}
	im := &survey.Importer{Store: r.Store, Matcher: matcher}
	return im.Import(ctx, format, ivs, opts)
}

// problemError turns a survey Problem into a coded API error naming file:line:column.
func problemError(err error) error {
	var p *survey.Problem
	if errors.As(err, &p) {
		return p.APIError()
	}
	return err
}
