package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"kith/identity"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"kith/cypher"
	"kith/survey"
)

// importCmd imports a round of survey interviews (a Network Canvas export with its
// mapping, or a roster) from a folder, a zip or CSV files: straight into Neo4j as an
// operator, or, with --server, through the API as the token's holder (a worker imports
// only into their areas). It prints the counts and every refused interview (file, line,
// column; never a name), and writes the full report as JSON with --report.
func importCmd(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	var nf neo4jFlags
	nf.register(fs)
	wave := fs.String("wave", "", "id or name of the wave the interviews belong to (required)")
	area := fs.String("area", "", "id or name of the area respondents live in when the file gives none")
	mapping := fs.String("mapping", "", "mapping file (YAML or JSON) of a Network Canvas export (docs/import.md)")
	dryRun := fs.Bool("dry-run", false, "read, check and match everything, write nothing, and report")
	reportFile := fs.String("report", "", "write the full report as JSON to this file")
	server := fs.String("server", "", "import through this Kith server's API (e.g. http://127.0.0.1:8080) instead of straight into Neo4j")
	token := fs.String("token", env("KITH_TOKEN", ""), "bearer token for --server (default $KITH_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: kith import [flags] FOLDER|FILE.zip|FILE.csv...")
		fs.PrintDefaults()
	}
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import: name the folder, zip or files to import")
	}
	var rep *survey.Report
	var err error
	if *server != "" {
		rep, err = importThroughAPI(ctx, *server, *token, fs.Args(), *mapping, *wave, *area, *dryRun)
	} else {
		rep, err = importDirect(ctx, log, nf, fs.Args(), *mapping, *wave, *area, *dryRun)
	}
	if err != nil {
		return err
	}
	printReport(os.Stdout, rep)
	if *reportFile != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*reportFile, append(data, '\n'), 0o600); err != nil {
			return fmt.Errorf("import: writing the report: %w", err)
		}
	}
	if rep.Counts.Rejected > 0 {
		return fmt.Errorf("import: %d of %d interviews refused", rep.Counts.Rejected, rep.Counts.Interviews)
	}
	return nil
}

// readInputs reads the paths (one folder or zip, or CSV files) and the mapping.
func readInputs(paths []string, mapping string) (*survey.Files, *survey.File, error) {
	lim := survey.DefaultLimits()
	var files *survey.Files
	var err error
	if len(paths) == 1 {
		files, err = survey.ReadPath(paths[0], lim)
	} else {
		files, err = survey.ReadPaths(paths, lim)
	}
	if err != nil {
		return nil, nil, err
	}
	if mapping == "" {
		return files, nil, nil
	}
	m, err := survey.ReadPath(mapping, survey.Limits{MaxFileBytes: 1 << 20, MaxUploadBytes: 1 << 20, MaxTotalBytes: 1 << 20, MaxEntries: 1})
	if err != nil {
		return nil, nil, err
	}
	mf := m.Find(func(string) bool { return true })
	if len(mf) != 1 {
		return nil, nil, fmt.Errorf("import: %s is not one mapping file", mapping)
	}
	return files, &mf[0], nil
}

func importDirect(ctx context.Context, log *slog.Logger, nf neo4jFlags, paths []string, mapping, wave, area string, dryRun bool) (*survey.Report, error) {
	files, mf, err := readInputs(paths, mapping)
	if err != nil {
		return nil, err
	}
	format, ivs, err := survey.Read(files, mf)
	if err != nil {
		return nil, err
	}
	store, closeStore, err := nf.open(ctx, log, nil)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	if err := applyMigrations(ctx, log, store); err != nil {
		return nil, err
	}
	ctx = cypher.WithActor(ctx, cypher.Actor{Subject: "operator:" + currentUser(), Roles: []string{"admin"}, Operation: "kith import"})
	opts := survey.Options{Wave: wave, Area: area, DryRun: dryRun}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		bar := progressbar.NewOptions(len(ivs), progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("interviews"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		opts.Progress = func(done, _ int) { _ = bar.Set(done) }
	}
	matcher, err := newMatcher()
	if err != nil {
		return nil, err
	}
	im := &survey.Importer{Store: store, Matcher: matcher}
	return im.Import(ctx, format, ivs, opts)
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// importThroughAPI sends the files as one zip (or the one file given) to the server's
// importSurvey mutation, as a GraphQL multipart request.
func importThroughAPI(ctx context.Context, server, token string, paths []string, mapping, wave, area string, dryRun bool) (*survey.Report, error) {
	if len(paths) != 1 {
		return nil, errors.New("import: with --server, name one folder's zip or one file")
	}
	if info, err := os.Stat(paths[0]); err == nil && info.IsDir() {
		return nil, errors.New("import: with --server, zip the folder first (zip -j round.zip folder/*.csv)")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	vars := map[string]any{"file": nil, "mapping": nil, "wave": wave, "dryRun": dryRun}
	if area != "" {
		vars["area"] = area
	}
	ops, _ := json.Marshal(map[string]any{"query": survey.ImportMutation, "variables": vars})
	_ = mw.WriteField("operations", string(ops))
	fileMap := map[string][]string{"0": {"variables.file"}}
	if mapping != "" {
		fileMap["1"] = []string{"variables.mapping"}
	}
	m, _ := json.Marshal(fileMap)
	_ = mw.WriteField("map", string(m))
	for i, p := range append([]string{paths[0]}, mapping) {
		if p == "" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		w, _ := mw.CreateFormFile(fmt.Sprint(i), filepath.Base(p))
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(server, "/")+"/graphql", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	fmt.Fprintln(os.Stderr, "uploading", body.Len(), "bytes...")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ImportSurvey json.RawMessage `json:"importSurvey"`
		} `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("import: the server answered %s", resp.Status)
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("import: %v: %s", out.Errors[0].Extensions["code"], out.Errors[0].Message)
	}
	return survey.DecodeAPIReport(out.Data.ImportSurvey)
}

// printReport prints the counts and each refused interview; never a name.
func printReport(w io.Writer, rep *survey.Report) {
	verb := "imported"
	if rep.DryRun {
		verb = "checked (dry run: nothing written)"
	}
	c := rep.Counts
	fmt.Fprintf(w, "%s %d interviews (%s) into wave %s: %d loaded, %d refused\n", verb, c.Interviews, rep.Format, rep.Wave, c.Loaded, c.Rejected)
	fmt.Fprintf(w, "respondents and alters: %d created, %d matched, %d queued for review, %d already imported; %d ties\n",
		c.Created, c.Matched, c.Queued, c.AlreadyImported, c.Ties)
	for _, iv := range rep.Interviews {
		if iv.Problem != nil {
			fmt.Fprintf(w, "refused %s: %s\n", iv.Key, iv.Problem.Error())
		}
	}
}

// newMatcher builds the record-linkage model survey imports resolve named people with
// (identity package), its thresholds from KITH_MATCH_LINK and KITH_MATCH_QUEUE.
func newMatcher() (*identity.GraphMatcher, error) {
	cfg, err := identity.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	return identity.NewMatcher(cfg)
}
