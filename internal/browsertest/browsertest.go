// Package browsertest gives tests a real headless Chromium, driven through chromedp: the
// browser Debian packages (make test installs it with dev/chromium.sh), or the one
// KITH_CHROMIUM names. Pages may reach loopback only: every other host is refused by the
// browser itself, so a page that quietly loads a script from the internet fails its test.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Executable returns the path of the Chromium binary, or "" when none is installed.
func Executable() string {
	if p := os.Getenv("KITH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless Chromium for t and returns a browser context whose first tab is
// open; the browser is closed when t ends. It fails t with a sentence saying what to do
// when no Chromium is installed: Kith's browser tests never fake the browser.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	exe := Executable()
	if exe == "" {
		t.Fatal("no Chromium: run ./dev/chromium.sh (make test does) or set KITH_CHROMIUM")
	}
	// The profile is removed after the browser has gone, not by t.TempDir's cleanup, which
	// can race Chromium's helper processes still writing to it as they exit.
	profile, err := os.MkdirTemp("", "kith-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Loopback only: any other host resolves to nowhere.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.Flag("proxy-server", "direct://"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	return ctx
}

// ArtifactDir returns the folder where browser tests write screenshots (test-artifacts at
// the module root, or KITH_TEST_ARTIFACTS), creating it.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KITH_TEST_ARTIFACTS")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Screenshot saves what the page shows, from its top, in the artifact folder under name, for
// a person to look at; a screenshot that cannot be taken fails the test.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.scrollTo(0, 0)`, nil), chromedp.Sleep(time.Second), chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(ArtifactDir(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
