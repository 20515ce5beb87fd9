package server

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"kith/apierr"
	"kith/survey"
)

// Uploads (the GraphQL multipart request specification) carry a survey to importSurvey
// (schema/import.graphqls). Only POST /graphql with a multipart/form-data body is one; it
// may be larger than other requests (MaxUploadBytes, plus 1 MiB for the operation) and
// take longer (ImportTimeout). The uploaded file is bounded again, and checked, by the
// survey package; the operation and its map must be UTF-8 like every other request.

// uploadSlack is what an upload may carry besides its files: the operation and the map.
const uploadSlack = 1 << 20

// isUpload reports whether the request is a GraphQL multipart request.
func isUpload(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// bodyLimit is the most bytes the request's body may hold.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if isUpload(r) && s.cfg.MaxUploadBytes > 0 {
		return s.cfg.MaxUploadBytes + uploadSlack
	}
	return s.cfg.MaxBodyBytes
}

// timeout is the request's deadline.
func (s *Server) timeout(r *http.Request) time.Duration {
	if isUpload(r) && s.cfg.ImportTimeout > 0 {
		return s.cfg.ImportTimeout
	}
	if isExport(r) && s.cfg.ExportTimeout > 0 {
		return s.cfg.ExportTimeout
	}
	return s.cfg.RequestTimeout
}

// uploadTransport is gqlgen's multipart transport, bounded as the body is. The whole
// upload is kept in memory (MaxMemory is the body's limit): a survey holds names, and is
// never written to a temporary file.
func (s *Server) uploadTransport() transport.MultipartForm {
	limit := s.cfg.MaxUploadBytes + uploadSlack
	return transport.MultipartForm{MaxUploadSize: limit, MaxMemory: limit}
}

// checkUploadText refuses an upload whose operations or map part is not UTF-8; the files
// are the importer's to check (it names the file, line and column). body is the whole
// request body, already bounded.
func checkUploadText(r *http.Request, body []byte) *apierr.Error {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return apierr.BadUserInput("", "the multipart request has no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return apierr.BadUserInput("", "the multipart request cannot be read: %v", err)
		}
		name := part.FormName()
		if name == "operations" || name == "map" {
			text, err := io.ReadAll(part)
			if err != nil {
				return apierr.BadUserInput(name, "cannot be read: %v", err)
			}
			if !utf8.Valid(text) {
				field := name
				if name == "operations" {
					if f := invalidUTF8Field(text); f != "" {
						field = f
					}
				}
				return apierr.BadUserInput(field, "is not valid UTF-8")
			}
		}
		_ = part.Close()
	}
}

// importLimits are the survey package's limits with the configured upload size.
func (c Config) importLimits() survey.Limits {
	lim := survey.DefaultLimits()
	if c.MaxUploadBytes > 0 {
		lim.MaxUploadBytes = c.MaxUploadBytes
	}
	return lim
}
