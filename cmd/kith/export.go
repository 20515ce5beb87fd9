package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kith/export"
)

// exportCmd downloads an export (GET /export/{format}) from a Kith server as the token's
// holder, so that the server's access rules, pseudonyms and audit apply as they do to any
// caller, and writes it to --out or, by default, to the file name the server suggests.
func exportCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	server := fs.String("server", env("KITH_SERVER", "http://127.0.0.1:8080"), "Kith server (default $KITH_SERVER or http://127.0.0.1:8080)")
	token := fs.String("token", env("KITH_TOKEN", ""), "bearer token (default $KITH_TOKEN)")
	out := fs.String("out", "", "file to write (default: the name the server suggests, in the current folder; - for standard output)")
	labels := fs.String("labels", "", "node types, comma-separated (default PERSON)")
	kinds := fs.String("kinds", "", "tie kinds, comma-separated (default KNOWS,TRUSTS,GETS_INFO_FROM,ENCOURAGES)")
	purposes := fs.String("trust-purposes", "", "only TRUSTS ties for these purposes, comma-separated")
	area := fs.String("area", "", "id of the area to export")
	wave := fs.String("wave", "", "id of the wave whose ties to export")
	directed := fs.Bool("directed", true, "keep ties' direction")
	weighted := fs.Bool("weighted", false, "weigh ties (a STRONG KNOWS tie 2, others 1)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: kith export [flags] FORMAT\n\nformats: %s (docs/export.md)\n\n", strings.Join(export.Names(), ", "))
		fs.PrintDefaults()
	}
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("export: name one format")
	}
	if _, err := export.Lookup(fs.Arg(0), "format"); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *token == "" {
		return errors.New("export: a bearer token is needed (--token or KITH_TOKEN; kith token mints one in development)")
	}
	q := url.Values{}
	for name, v := range map[string]string{"labels": *labels, "kinds": *kinds, "trustPurposes": *purposes, "areaId": *area, "waveId": *wave} {
		if v != "" {
			q.Set(name, v)
		}
	}
	q.Set("directed", strconv.FormatBool(*directed))
	q.Set("weighted", strconv.FormatBool(*weighted))
	u := strings.TrimSuffix(*server, "/") + "/export/" + url.PathEscape(fs.Arg(0)) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+*token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(raw, &body) == nil && len(body.Errors) > 0 {
			e := body.Errors[0]
			return fmt.Errorf("export: %s (%v %v)", e.Message, e.Extensions["code"], e.Extensions["field"])
		}
		return fmt.Errorf("export: %s", resp.Status)
	}
	name := *out
	if name == "" {
		_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		name = filepath.Base(params["filename"])
		if name == "" || name == "." || name == "/" {
			name = "kith-export"
		}
	}
	var w io.Writer = os.Stdout
	if name != "-" {
		f, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return fmt.Errorf("export: after %d bytes: %w", n, err)
	}
	if status := resp.Trailer.Get("Kith-Export-Status"); status != "ok" {
		return fmt.Errorf("export: the server stopped after %d bytes (%s): the file is incomplete", n, status)
	}
	if name != "-" {
		fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", name, n)
	}
	return nil
}
