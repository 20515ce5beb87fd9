package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteFixture rewrites a trimmed copy of gqlgen's generated shapes: the list marshaller
// and the object marshaller below the root change, the root marshaller _Query and the @defer
// path do not.
func TestRewriteFixture(t *testing.T) {
	in := readFile(t, "testdata/in.go")
	want := readFile(t, "testdata/want.go")

	got, st, err := rewrite("in.go", in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rewrite(testdata/in.go) differs from testdata/want.go:\n%s", got)
	}
	if st != (stats{slices: 1, fields: 1, rootFields: 1, deferred: 1}) {
		t.Errorf("stats = %+v", st)
	}
	if !bytes.Contains(got, []byte("out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })")) {
		t.Error("the root marshaller's out.Concurrently call was rewritten")
	}
}

// TestRewriteIdempotent runs the rewriter on its own output: nothing changes, and it succeeds.
func TestRewriteIdempotent(t *testing.T) {
	want := readFile(t, "testdata/want.go")
	got, st, err := rewrite("want.go", want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rewrite(testdata/want.go) changed it:\n%s", got)
	}
	if st != (stats{slicesDone: 1, fieldsDone: 1, rootFields: 1, deferred: 1}) {
		t.Errorf("stats = %+v", st)
	}
}

// TestRunInPlace runs the command on a copy of the fixture twice: the first run rewrites the
// file, the second leaves it as it is.
func TestRunInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "generated.go")
	if err := os.WriteFile(path, readFile(t, "testdata/in.go"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var stdout, stderr bytes.Buffer
		if code := run([]string{path}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if got := readFile(t, path); !bytes.Equal(got, readFile(t, "testdata/want.go")) {
			t.Fatalf("file after run differs from testdata/want.go:\n%s", got)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(nil, &stdout, &stderr); code == 0 {
		t.Error("run without a file succeeded")
	}
}

// TestRewriteRefuses checks that shapes the rewriter does not know fail loudly.
func TestRewriteRefuses(t *testing.T) {
	in := string(readFile(t, "testdata/in.go"))
	const (
		personField = "out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })"
		rootField   = "out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })"
		slice       = "graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, "
	)
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"no list marshaller", slice, "graphql.MarshalSliceOther(ctx, len(v), 0, false, ",
			"no graphql.MarshalSliceConcurrently"},
		{"no object field below the root", personField, "out.Other(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
			"no out.Concurrently"},
		{"list marshaller with other arguments", slice, "graphql.MarshalSliceConcurrently(ctx, len(v), 0, ",
			"unknown shape of MarshalSliceConcurrently"},
		{"list marshaller as a value", "fc.Result = &v[i]", "fc.Result = graphql.MarshalSliceConcurrently",
			"unknown use of graphql.MarshalSliceConcurrently"},
		{"field set of another name", personField, "fs.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
			"unknown Concurrently call on fs"},
		{"field with other arguments", personField, "out.Concurrently(func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
			"unknown shape of out.Concurrently"},
		{"field queued from a closure", personField, "func() { " + personField + " }()",
			"outside the marshaller's own body"},
		{"views on the field set", "view = deferredFieldSet.NewView()", "view = out.NewView()",
			"out.NewView"},
		{"root not recognised", "innerCtx := graphql.WithRootFieldContext(", "innerCtx := graphql.WithOtherFieldContext(",
			"_Query queues fields but does not call graphql.WithRootFieldContext"},
		{"in order in the root", rootField, "inOrder(ctx, out, i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })",
			"inOrder in a root marshaller"},
		{"not Go", "package graph", "package", "expected 'IDENT'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(in, tt.old) {
				t.Fatalf("fixture has no %q", tt.old)
			}
			src := strings.Replace(in, tt.old, tt.new, 1)
			_, _, err := rewrite("in.go", []byte(src))
			if err == nil {
				t.Fatal("rewrite succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}

	t.Run("exit code", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "generated.go")
		src := strings.Replace(in, personField, "fs.Concurrently(i, nil)", 1)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if code := run([]string{path}, &stdout, &stderr); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(stderr.String(), "unknown Concurrently call on fs") {
			t.Errorf("stderr = %q", stderr.String())
		}
		if got := readFile(t, path); string(got) != src {
			t.Error("a failed run changed the file")
		}
	})
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRefusesOtherGQLGen checks that on any gqlgen but the pinned one the rewriter stops
// with a message naming both versions, and leaves the file as it was.
func TestRefusesOtherGQLGen(t *testing.T) {
	for _, version := range []string{"v0.17.96", "v0.17.94", "v0.18.0", ""} {
		t.Run(version, func(t *testing.T) {
			defer func(v string) { linkedGQLGen = v }(linkedGQLGen)
			linkedGQLGen = version
			path := filepath.Join(t.TempDir(), "generated.go")
			in := readFile(t, "testdata/in.go")
			if err := os.WriteFile(path, in, 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run([]string{path}, &stdout, &stderr); code == 0 {
				t.Fatal("ran on another gqlgen")
			}
			if msg := stderr.String(); !strings.Contains(msg, pinnedGQLGen) || !strings.Contains(msg, "go.mod has "+version+":") {
				t.Errorf("message %q", msg)
			}
			if !bytes.Equal(readFile(t, path), in) {
				t.Error("the file was changed")
			}
		})
	}
}
