// Command inorder rewrites gqlgen's generated executor so that everything below a root field
// runs in order on the request's goroutine. Package graph (graph/inorder.go) says why and
// holds the two functions the rewritten code calls. `make generate` runs it after gqlgen:
//
//	go run ./graph/internal/inorder graph/generated.go
//
// It rewrites the file in place, by two rules:
//
//   - every call graphql.MarshalSliceConcurrently(ctx, n, limit, omit, f) becomes
//     marshalSliceInOrder(ctx, n, limit, omit, f);
//   - in every object marshaller except the root operation types, every call
//     out.Concurrently(i, f) becomes inOrder(ctx, out, i, f), and a comment there that
//     names out.Concurrently() names inOrder() instead.
//
// A root marshaller is a method whose body calls graphql.WithRootFieldContext (gqlgen's
// _Query, _Mutation, _Subscription); their out.Concurrently calls stay, so root fields still
// run in parallel. deferredFieldSet.Concurrently (the @defer path) stays too.
//
// It fails, and changes nothing, when it finds no occurrence of either rule (rewritten or not)
// or an occurrence whose shape it does not know, so that a gqlgen upgrade that changes the
// generated code is noticed rather than silently skipped. Running it on its own output
// changes nothing.
//
// It refuses to run, and changes nothing, on any gqlgen but the one it was written and
// measured for (pinnedGQLGen, the version go.mod pins, which the linked graphql.Version
// reports): on another, check the shapes above against the new generated code and measure
// the gain again (BENCHMARKS.md) before raising pinnedGQLGen, or remove the rewriter.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// pinnedGQLGen is the gqlgen the rewriter knows; linkedGQLGen is the one go.mod resolves
// (the executor gqlgen generates comes from the same module version).
const pinnedGQLGen = "v0.17.95"

var linkedGQLGen = graphql.Version

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run rewrites the one file named in args and reports what it did; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: inorder path/to/generated.go")
		return 2
	}
	if linkedGQLGen != pinnedGQLGen {
		fmt.Fprintf(stderr, "inorder: written and measured for gqlgen %s, but go.mod has %s: nothing rewritten.\n"+
			"Check that the generated executor has the shapes graph/internal/inorder knows, measure the gain again\n"+
			"(BENCHMARKS.md, BenchmarkNestedReadLayers/handler with and without it), then raise pinnedGQLGen;\n"+
			"or remove graph/internal/inorder, graph/inorder.go and its step in the Makefile.\n", pinnedGQLGen, linkedGQLGen)
		return 1
	}
	path := args[0]
	info, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(stderr, "inorder: %v\n", err)
		return 1
	}
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "inorder: %v\n", err)
		return 1
	}
	out, st, err := rewrite(path, src)
	if err != nil {
		fmt.Fprintf(stderr, "inorder: %s: %v\n", path, err)
		return 1
	}
	if !bytes.Equal(out, src) {
		if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
			fmt.Fprintf(stderr, "inorder: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "inorder: %s: %s\n", path, st)
	return 0
}

// stats counts what rewrite found.
type stats struct {
	slices, slicesDone int // MarshalSliceConcurrently calls rewritten; marshalSliceInOrder calls found
	fields, fieldsDone int // out.Concurrently calls rewritten below the root; inOrder calls found
	rootFields         int // out.Concurrently calls left in root marshallers
	deferred           int // deferredFieldSet.Concurrently calls left
}

func (s stats) String() string {
	return fmt.Sprintf("%d list marshallers in order (%d rewritten now), "+
		"%d object fields in order (%d rewritten now), %d root fields left concurrent, %d deferred fields left",
		s.slices+s.slicesDone, s.slices, s.fields+s.fieldsDone, s.fields, s.rootFields, s.deferred)
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// rootNames are gqlgen's marshallers for the root operation types; each that queues fields
// must be recognised as a root marshaller.
var rootNames = map[string]bool{"_Query": true, "_Mutation": true, "_Subscription": true}

// rewrite applies the rules to src, a Go file named filename, and returns the gofmt-clean result.
func rewrite(filename string, src []byte) ([]byte, stats, error) {
	edits, st, err := plan(filename, src)
	if err != nil {
		return nil, st, err
	}
	if st.slices+st.slicesDone == 0 {
		return nil, st, errors.New("no graphql.MarshalSliceConcurrently (or marshalSliceInOrder) call found: " +
			"has the shape of gqlgen's generated list marshallers changed?")
	}
	if st.fields+st.fieldsDone == 0 {
		return nil, st, errors.New("no out.Concurrently (or inOrder) call found in an object marshaller below the root: " +
			"has the shape of gqlgen's generated object marshallers changed?")
	}
	sort.Slice(edits, func(a, b int) bool { return edits[a].start > edits[b].start })
	out := bytes.Clone(src)
	for i, e := range edits {
		if i > 0 && e.end > edits[i-1].start {
			return nil, st, fmt.Errorf("internal error: overlapping edits at offsets %d and %d", e.start, edits[i-1].start)
		}
		out = append(out[:e.start:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	out, err = format.Source(out)
	if err != nil {
		return nil, st, fmt.Errorf("rewritten code does not format: %w", err)
	}
	// The result must be a fixed point: nothing left to rewrite.
	again, _, err := plan(filename, out)
	if err != nil {
		return nil, st, fmt.Errorf("rewritten code: %w", err)
	}
	if len(again) != 0 {
		return nil, st, fmt.Errorf("internal error: rewritten code still has %d occurrences to rewrite", len(again))
	}
	return out, st, nil
}

// plan parses src and returns the edits the rules call for, checking every occurrence's shape.
func plan(filename string, src []byte) ([]edit, stats, error) {
	var st stats
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, st, err
	}
	tf := fset.File(file.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	where := func(p token.Pos) string { return fset.Position(p).String() }

	var edits []edit
	var errs []error
	fail := func(p token.Pos, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{where(p)}, args...)...))
	}

	// Selectors handled as the function of a call; any other use of these names is unknown.
	handled := map[*ast.SelectorExpr]bool{}

	for _, decl := range file.Decls {
		fn, _ := decl.(*ast.FuncDecl)
		root := fn != nil && fn.Body != nil && isRoot(fn)
		name := "(top level)"
		if fn != nil {
			name = fn.Name.Name
			if root && hasParam(fn, "obj") {
				fail(fn.Pos(), "%s calls graphql.WithRootFieldContext but takes an obj: not a root marshaller gqlgen v0.17 would write", name)
			}
		}
		queues := false // whether the function calls out.Concurrently or inOrder

		var stack []ast.Node
		ast.Inspect(decl, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch f := call.Fun.(type) {
			case *ast.SelectorExpr:
				switch f.Sel.Name {
				case "MarshalSliceConcurrently":
					handled[f] = true
					if !isIdent(f.X, "graphql") || len(call.Args) != 5 || !isFuncLit(call.Args[4], 2, 1) {
						fail(call.Pos(), "in %s: unknown shape of MarshalSliceConcurrently call", name)
						return true
					}
					edits = append(edits, edit{off(f.Pos()), off(f.End()), "marshalSliceInOrder"})
					st.slices++
				case "Concurrently":
					handled[f] = true
					switch {
					case isIdent(f.X, "deferredFieldSet"):
						st.deferred++
					case isIdent(f.X, "out"):
						queues = true
						if len(call.Args) != 2 || !isIdent(call.Args[0], "i") || !isFuncLit(call.Args[1], 1, 1) {
							fail(call.Pos(), "in %s: unknown shape of out.Concurrently call", name)
							return true
						}
						if root {
							st.rootFields++
							return true
						}
						if fn == nil || !firstParamIsCtx(fn) || inFuncLit(stack) {
							fail(call.Pos(), "in %s: out.Concurrently outside the marshaller's own body, where ctx is not its context", name)
							return true
						}
						if off(f.End()) != off(call.Lparen) {
							fail(call.Pos(), "in %s: unknown shape of out.Concurrently call", name)
							return true
						}
						edits = append(edits, edit{off(f.Pos()), off(call.Lparen) + 1, "inOrder(ctx, out, "})
						st.fields++
					default:
						fail(call.Pos(), "in %s: unknown Concurrently call on %s", name, exprString(src, off, f.X))
					}
				case "NewView":
					if isIdent(f.X, "out") {
						fail(call.Pos(), "in %s: out.NewView: inOrder would skip the view's result callbacks", name)
					}
				}
			case *ast.Ident:
				switch f.Name {
				case "marshalSliceInOrder":
					if len(call.Args) != 5 {
						fail(call.Pos(), "in %s: unknown shape of marshalSliceInOrder call", name)
						return true
					}
					st.slicesDone++
				case "inOrder":
					queues = true
					if root {
						fail(call.Pos(), "in %s: inOrder in a root marshaller: root fields must stay concurrent", name)
						return true
					}
					if len(call.Args) != 4 || !isIdent(call.Args[0], "ctx") || !isIdent(call.Args[1], "out") {
						fail(call.Pos(), "in %s: unknown shape of inOrder call", name)
						return true
					}
					st.fieldsDone++
				}
			}
			return true
		})
		if fn != nil && queues && rootNames[name] && !root {
			fail(fn.Pos(), "%s queues fields but does not call graphql.WithRootFieldContext: cannot tell it is a root marshaller", name)
		}
		if fn != nil && !root {
			// gqlgen's object template explains a `continue` with "don't run the out.Concurrently() call below".
			for _, cg := range file.Comments {
				if cg.Pos() < fn.Pos() || cg.End() > fn.End() {
					continue
				}
				for _, c := range cg.List {
					if i := strings.Index(c.Text, "out.Concurrently("); i >= 0 {
						start := off(c.Pos()) + i
						edits = append(edits, edit{start, start + len("out.Concurrently("), "inOrder("})
					}
				}
			}
		}
	}

	// Any other mention of the names, such as a method value, is a shape we do not know.
	ast.Inspect(file, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok && !handled[s] &&
			(s.Sel.Name == "MarshalSliceConcurrently" || (s.Sel.Name == "Concurrently" && !isIdent(s.X, "deferredFieldSet"))) {
			fail(s.Pos(), "unknown use of %s", exprString(src, off, s))
		}
		return true
	})

	return edits, st, errors.Join(errs...)
}

// isRoot reports whether fn is a root operation marshaller: its body calls
// graphql.WithRootFieldContext.
func isRoot(fn *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if s, ok := call.Fun.(*ast.SelectorExpr); ok && isIdent(s.X, "graphql") && s.Sel.Name == "WithRootFieldContext" {
				found = true
			}
		}
		return !found
	})
	return found
}

func hasParam(fn *ast.FuncDecl, name string) bool {
	for _, f := range fn.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

func firstParamIsCtx(fn *ast.FuncDecl) bool {
	ps := fn.Type.Params.List
	return len(ps) > 0 && len(ps[0].Names) > 0 && ps[0].Names[0].Name == "ctx"
}

// inFuncLit reports whether the innermost node of stack sits inside a function literal.
func inFuncLit(stack []ast.Node) bool {
	for _, n := range stack[:len(stack)-1] {
		if _, ok := n.(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isFuncLit reports whether e is a function literal with the given numbers of parameters and results.
func isFuncLit(e ast.Expr, params, results int) bool {
	fl, ok := e.(*ast.FuncLit)
	return ok && fl.Type.Params.NumFields() == params && fl.Type.Results.NumFields() == results
}

func exprString(src []byte, off func(token.Pos) int, e ast.Expr) string {
	return string(src[off(e.Pos()):off(e.End())])
}
