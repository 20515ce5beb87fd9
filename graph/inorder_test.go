package graph

import (
	"bytes"
	"context"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// testContext is a request context as the executor builds it: a response context that
// collects errors and a field context for the list field.
func testContext() context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(ctx context.Context, r any) error { return fmt.Errorf("internal system error: %v", r) })
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Object: "Query",
		Field:  graphql.CollectedField{Field: &ast.Field{Name: "people", Alias: "people"}},
	})
}

func TestMarshalSliceInOrder(t *testing.T) {
	t.Run("elements in order, each with its index, one at a time", func(t *testing.T) {
		ctx := testContext()
		var calls []int
		running := false
		ret := marshalSliceInOrder(ctx, 5, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			if running {
				t.Errorf("element %d started while another ran", i)
			}
			running = true
			defer func() { running = false }()
			calls = append(calls, i)
			fc := graphql.GetFieldContext(ctx)
			if fc == nil || fc.Index == nil || *fc.Index != i {
				t.Errorf("element %d: field context index is not %d", i, i)
			}
			if got, want := fc.Path().String(), fmt.Sprintf("people[%d]", i); got != want {
				t.Errorf("element %d: path %s, want %s", i, got, want)
			}
			return graphql.MarshalInt(i)
		})
		if want := []int{0, 1, 2, 3, 4}; !slices.Equal(calls, want) {
			t.Errorf("calls %v, want %v", calls, want)
		}
		if got := marshal(ret); got != "[0,1,2,3,4]" {
			t.Errorf("result %s", got)
		}
		if errs := graphql.GetErrors(ctx); len(errs) != 0 {
			t.Errorf("errors %v", errs)
		}
	})

	t.Run("empty", func(t *testing.T) {
		ret := marshalSliceInOrder(testContext(), 0, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			t.Fatal("called for an empty list")
			return nil
		})
		if ret == nil || len(ret) != 0 {
			t.Errorf("result %#v, want an empty array", ret)
		}
	})

	t.Run("a panic gives nil and one error", func(t *testing.T) {
		ctx := testContext()
		var calls []int
		ret := marshalSliceInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			calls = append(calls, i)
			if i == 2 {
				panic("boom")
			}
			return graphql.MarshalInt(i)
		})
		if ret != nil {
			t.Errorf("result %s, want nil", marshal(ret))
		}
		errs := graphql.GetErrors(ctx)
		if len(errs) != 1 {
			t.Fatalf("errors %v, want one", errs)
		}
		if errs[0].Message != "internal system error: boom" || errs[0].Path.String() != "people[2]" {
			t.Errorf("error %q at %s", errs[0].Message, errs[0].Path)
		}
		if want := []int{0, 1, 2, 3}; !slices.Equal(calls, want) {
			t.Errorf("calls %v, want %v: the other elements run, as in gqlgen", calls, want)
		}
	})

	t.Run("without the panic handler a panic propagates", func(t *testing.T) {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want boom", r)
			}
		}()
		marshalSliceInOrder(testContext(), 2, 0, true, func(ctx context.Context, i int) graphql.Marshaler {
			panic("boom")
		})
		t.Error("no panic")
	})
}

// TestMarshalSliceInOrderMatchesGQLGen holds marshalSliceInOrder to gqlgen's
// MarshalSliceConcurrently: the same result and the same errors, with any worker limit.
func TestMarshalSliceInOrderMatchesGQLGen(t *testing.T) {
	for _, length := range []int{0, 1, 3} {
		panics := []int{-1} // no panic
		if length > 0 {
			panics = append(panics, 0, length-1)
		}
		for _, panicAt := range slices.Compact(panics) {
			for _, limit := range []int64{0, 2} {
				name := fmt.Sprintf("length %d, panic at %d, worker limit %d", length, panicAt, limit)
				t.Run(name, func(t *testing.T) {
					element := func(ctx context.Context, i int) graphql.Marshaler {
						if i == panicAt {
							panic(fmt.Sprintf("element %d", i))
						}
						return graphql.MarshalString(fmt.Sprintf("%d at %s", i, graphql.GetFieldContext(ctx).Path()))
					}
					wantCtx, gotCtx := testContext(), testContext()
					want := graphql.MarshalSliceConcurrently(wantCtx, length, limit, false, element)
					got := marshalSliceInOrder(gotCtx, length, limit, false, element)
					if (got == nil) != (want == nil) || marshal(got) != marshal(want) {
						t.Errorf("result %s (nil %t), gqlgen %s (nil %t)", marshal(got), got == nil, marshal(want), want == nil)
					}
					if g, w := graphql.GetErrors(gotCtx).Error(), graphql.GetErrors(wantCtx).Error(); g != w {
						t.Errorf("errors %q, gqlgen %q", g, w)
					}
				})
			}
		}
	}
}

func TestInOrder(t *testing.T) {
	ctx := testContext()
	fs := graphql.NewFieldSet(make([]graphql.CollectedField, 2))
	called := false
	inOrder(ctx, fs, 1, func(got context.Context) graphql.Marshaler {
		if got != ctx {
			t.Error("f did not get the marshaller's context")
		}
		called = true
		return graphql.MarshalString("done")
	})
	if !called {
		t.Fatal("f was not called at once")
	}
	if fs.Values[0] != nil || marshal(fs.Values[1]) != `"done"` {
		t.Errorf("values %v", fs.Values)
	}
}

// rootMarshallers are the marshallers of the root operation types, whose fields stay concurrent.
var rootMarshallers = map[string]bool{"_Query": true, "_Mutation": true, "_Subscription": true}

// TestGeneratedRunsInOrder checks that make generate ran graph/internal/inorder over
// generated.go: no list is marshalled concurrently, and no object below the root queues its
// fields, while the root fields stay concurrent.
func TestGeneratedRunsInOrder(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(src, []byte("MarshalSliceConcurrently")); n > 0 {
		t.Errorf("generated.go mentions MarshalSliceConcurrently %d times: run make generate", n)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	tf := fset.File(file.Pos())
	const queue = "out.Concurrently("
	rest := string(src) // the source outside the root marshallers
	rootQueues := 0
	for _, decl := range file.Decls {
		fn, ok := decl.(*goast.FuncDecl)
		if !ok || fn.Recv == nil || !rootMarshallers[fn.Name.Name] {
			continue
		}
		body := string(src[tf.Offset(fn.Pos()):tf.Offset(fn.End())])
		rootQueues += strings.Count(body, queue)
		rest = strings.Replace(rest, body, "", 1)
	}
	if rootQueues == 0 {
		t.Error("no root marshaller queues its fields: root fields should stay concurrent")
	}
	var outside []string
	for line := range strings.Lines(rest) {
		if strings.Contains(line, queue) {
			outside = append(outside, strings.TrimSpace(line))
		}
	}
	if len(outside) > 0 {
		t.Errorf("%s appears %d times outside the root marshallers, first as %s: run make generate",
			queue, len(outside), outside[0])
	}
	if !strings.Contains(rest, "inOrder(ctx, out, i, ") || !strings.Contains(rest, "marshalSliceInOrder(ctx, ") {
		t.Error("generated.go does not call inOrder and marshalSliceInOrder")
	}
}

func marshal(m graphql.Marshaler) string {
	if m == nil {
		return "<nil>"
	}
	var b bytes.Buffer
	m.MarshalGQL(&b)
	return b.String()
}
