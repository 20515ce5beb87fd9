package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGraphQLOverHTTPAudit runs graphql-http's own audit of the GraphQL over HTTP
// specification (dev/node, KITH_NODE_TOOLS) against a Kith server, as an admin: no error
// (a MUST broken) and no warning (a SHOULD). Notices (a MAY not taken) are logged: Kith
// answers a request with invalid parameters 200 to application/json, as the specification
// allows, so that Apollo and urql read its errors.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	tools := os.Getenv("KITH_NODE_TOOLS")
	if tools == "" {
		t.Skip("KITH_NODE_TOOLS is not set: run make nodeenv and point it at dev/node")
	}
	e := setup(t)
	cmd := exec.Command("node", filepath.Join(tools, "graphql-http-audit.mjs"), e.srv.URL+"/graphql")
	cmd.Env = append(os.Environ(), "KITH_AUDIT_TOKEN="+e.token)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr.String())
	}
	type result struct{ ID, Name, Status, Reason string }
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		counts[r.Status]++
		if r.Status != "ok" {
			t.Logf("%s %s [%s]: %s", r.Status, r.ID, r.Name, r.Reason)
		}
	}
	t.Logf("audit: %v", counts)
	if counts["error"] > 0 || counts["warn"] > 0 {
		t.Errorf("audit: %d errors, %d warnings", counts["error"], counts["warn"])
	}
	if counts["ok"] < 50 {
		t.Errorf("audit: only %d audits passed; did the audit reach the server?", counts["ok"])
	}
}
