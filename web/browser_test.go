package web

// The real-browser test harness: one headless Chromium per test binary (started on first use),
// a fresh browser context (its own cookies and storage, like a private window) per journey, and
// helpers that act like a person: open a page, fill a field, press a button, read what the page
// says. Every page a tab shows is checked on the way: no Content-Security-Policy violation, no
// console error, no untranslated message. The browser tests are named TestBrowser…, so
// `go test ./web/ -run Browser` runs them all.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"hubadmin/locales"
)

// writeScreenshots is the -screenshots test flag: write PNGs of the main pages into
// docs/screenshots/ (go test ./web/ -run Browser -screenshots).
var writeScreenshots = flag.Bool("screenshots", false, "browser tests write screenshots of the main pages into docs/screenshots/")

// stepTimeout bounds one browser step (a navigation, a click and what it causes), so a page
// that never answers fails the test with a message instead of hanging the suite.
const stepTimeout = 20 * time.Second

// chromium is the one browser process shared by every browser test of the binary.
var chromium struct {
	once sync.Once
	ctx  context.Context // the browser's chromedp context; tabs are made from it
	err  error
}

// chromiumPath finds the browser: $CHROMIUM, else Debian's chromium, else a few usual names.
func chromiumPath() string {
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "chromium-headless-shell", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needChromium returns the shared browser, starting it on first use. Without Chromium a test
// skips with how to install it, except in CI (CI=true), where a missing browser is a failure:
// CI must not go green by skipping the browser suite.
func needChromium(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser tests need Chromium and CI=true: .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("browser tests need Chromium: apt-get install chromium")
	}
	chromium.once.Do(func() { chromium.ctx, chromium.err = startChromium(path) })
	if chromium.err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, chromium.err)
	}
	return chromium.ctx
}

// startChromium launches the browser with a fresh profile folder. The process lives as long as
// the test binary (the kernel kills it when the binary exits: chromedp sets Pdeathsig); profile
// folders of earlier runs whose browser is gone are removed here.
func startChromium(path string) (context.Context, error) {
	removeStaleProfiles()
	dir, err := os.MkdirTemp("", profilePrefix)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI containers run as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("hide-scrollbars", true), // screenshots without a scrollbar gutter
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.WindowSize(1280, 900),
	}
	actx, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(actx)
	// The first Do starts the browser and binds its life to ctx, which has no deadline.
	if err := chromedp.Do(ctx); err != nil {
		return nil, err
	}
	return ctx, nil
}

// profilePrefix names the browser profile folders of this suite in the temp folder.
const profilePrefix = "hubadmin-chromium-"

// removeStaleProfiles deletes profile folders left by earlier test binaries that have exited.
func removeStaleProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), profilePrefix+"*"))
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); os.IsNotExist(err) {
			os.RemoveAll(d)
		}
	}
}

// tabOptions is how a tab is set up: the browser's language, JavaScript on or off, colour
// scheme and width.
type tabOptions struct {
	lang  string // Accept-Language; empty = en
	noJS  bool   // JavaScript disabled (plain forms only)
	dark  bool   // prefers-color-scheme: dark
	width int64  // viewport width in CSS pixels; 0 = 1280
}

// tab is one browser tab in its own fresh browser context, pointed at one test app.
type tab struct {
	t    *testing.T
	a    *app
	opts tabOptions
	ctx  context.Context

	mu      sync.Mutex
	console []string // console errors and exceptions since the last check
	// expectedStatus: an error status the next page is expected to have (its "Failed to load
	// resource" console line is then not a failure).
	expectedStatus int
	documents      []int // HTTP statuses of the documents loaded since the last check
	visited        []string
}

// cspRecorder runs in every document before the page's own scripts and records Content-Security-
// Policy violations, which the checks read back. CDP injects it outside the page's CSP.
const cspRecorder = `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || e.documentURI) + ":" + e.lineNumber + (e.sample ? " (" + e.sample + ")" : ""));
});`

// newTab opens a tab in a new browser context of the shared Chromium.
func newTab(t *testing.T, a *app, opts tabOptions) *tab {
	t.Helper()
	bctx := needChromium(t)
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, with no deadline
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, a: a, opts: opts, ctx: ctx}
	if err := chromedp.Listen(ctx, tb.onEvent); err != nil {
		t.Fatal(err)
	}
	width := opts.width
	if width == 0 {
		width = 1280
	}
	lang := opts.lang
	if lang == "" {
		lang = "en"
	}
	scheme := "light"
	if opts.dark {
		scheme = "dark"
	}
	setup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": lang}}); err != nil {
			return fmt.Errorf("setting Accept-Language: %w", err)
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			return fmt.Errorf("setting the colour scheme: %w", err)
		}
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: cspRecorder}); err != nil {
			return fmt.Errorf("adding the CSP recorder: %w", err)
		}
		if opts.noJS {
			if _, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				return fmt.Errorf("disabling JavaScript: %w", err)
			}
		}
		return nil
	})
	tb.do(setup, chromedp.EmulateViewport(width, 900))
	return tb
}

// setScripts turns JavaScript on or off in the tab.
func (tb *tab) setScripts(on bool) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// onEvent records console errors and document statuses. It runs in chromedp's reader loop, so
// an event is recorded before the reply to the command that caused it returns.
func (tb *tab) onEvent(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			tb.console = append(tb.console, "console."+string(e.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.console = append(tb.console, fmt.Sprintf("exception: %s at %s:%d", msg, d.URL, d.LineNumber))
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			tb.console = append(tb.console, fmt.Sprintf("%s error: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	case *network.EventResponseReceived:
		if e.Type == network.ResourceTypeDocument {
			tb.documents = append(tb.documents, int(e.Response.Status))
		}
	}
}

// do runs steps with the step timeout, failing the test on error.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("browser at %s: %v", tb.location(), err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluating %.80q at %s: %v", expr, tb.location(), err)
	}
	return v
}

// evalAwait is eval for an expression that gives a promise: it waits for the promise's value.
func evalAwait[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %.80q at %s: %v", expr, tb.location(), err)
	}
	return v
}

// navigate loads a path and returns the HTTP status of the document.
func navigate(tb *tab, path string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.a.http.URL+path))
	if err != nil {
		tb.t.Fatalf("opening %s: %v", path, err)
	}
	return resp.Status
}

// location is the tab's current URL path (for messages).
func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(loc, tb.a.http.URL)
}

// open loads a page by its path, waits for it and checks it (see checkPage). wantStatus is the
// HTTP status the page must have.
func (tb *tab) open(path string, wantStatus int) {
	tb.t.Helper()
	tb.mu.Lock()
	tb.expectedStatus = wantStatus
	tb.documents = nil
	tb.mu.Unlock()
	if status := navigate(tb, path); int(status) != wantStatus {
		tb.t.Fatalf("opening %s: status %d, want %d", path, status, wantStatus)
	}
	tb.checkPage()
}

// markStale tags the current document so that waitSettled can tell when a new one replaced it.
const markStale = `window.__hubStale = true; window.__hubSettled = false;
document.addEventListener("htmx:afterSettle", function () { setTimeout(function () { window.__hubSettled = true; }, 20); });
true`

// act does something that makes a request (a click, Enter, Space, a submit), then waits until
// either a new document has loaded (plain form post, redirect, HX-Redirect) or htmx has swapped
// the answer in, and checks the page. expectStatus is the error status the resulting page may
// have (422, 409, 403…; 0 for a success).
//
// It reports whether the answer was swapped into the same document (htmx) rather than loaded as
// a new page.
func (tb *tab) act(expectStatus int, trigger chromedp.Action[chromedp.Void]) (swapped bool) {
	tb.t.Helper()
	tb.mu.Lock()
	tb.expectedStatus = expectStatus
	tb.documents = nil
	tb.mu.Unlock()
	eval[bool](tb, markStale)
	tb.do(trigger)
	tb.waitSettled()
	swapped = eval[bool](tb, `window.__hubStale === true`)
	tb.checkPage()
	return swapped
}

// waitSettled waits for a new, fully loaded document or for the end of an htmx swap (with its
// focus handling). Evaluation errors while the old document goes away are expected and retried.
func (tb *tab) waitSettled() {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	const done = `document.readyState === "complete" && (window.__hubStale !== true || window.__hubSettled === true) &&
  !document.querySelector(".htmx-request")`
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](done))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(40 * time.Millisecond)
	}
	tb.t.Fatalf("the page did not load or swap within %s (at %s)", stepTimeout, tb.location())
}

// click presses the element the CSS selector finds (scrolling it into view) and waits for the
// result, like a person with a mouse.
// It reports whether htmx swapped the answer into the page (see act).
func (tb *tab) click(sel string, expectStatus int) (swapped bool) {
	tb.t.Helper()
	if tb.count(sel) == 0 { // the page has loaded: fail now rather than wait for the timeout
		tb.t.Fatalf("at %s there is nothing to click at %s", tb.path(), sel)
	}
	return tb.act(expectStatus, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill replaces the value of the field the CSS selector finds, typing it as a person would.
func (tb *tab) fill(sel, value string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	eval[bool](tb, `(function () { var el = document.querySelector(`+jsString(sel)+`); el.value = ""; return true; })()`)
	tb.do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// choose selects the option with value in the select the CSS selector finds.
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetValue(chromedp.CSS(sel), value))
}

// text is the visible text of the first element the CSS selector finds, spaces collapsed; ""
// when there is none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(function () { var el = document.querySelector(%s);
  return el ? el.innerText.replace(/\s+/g, " ").trim() : ""; })()`, jsString(sel)))
}

// count is how many elements the CSS selector finds.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// path is the current URL's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname + location.search`)
}

// wantText fails unless the element's text contains want.
func (tb *tab) wantText(sel, want string) {
	tb.t.Helper()
	if got := tb.text(sel); !strings.Contains(got, want) {
		tb.t.Fatalf("at %s, %s says %q, want it to contain %q", tb.path(), sel, got, want)
	}
}

// wantPath fails unless the page is at path (query ignored).
func (tb *tab) wantPath(path string) {
	tb.t.Helper()
	got := eval[string](tb, `location.pathname`)
	if got != path {
		tb.t.Fatalf("at %s, want %s", got, path)
	}
}

// signIn signs in through the sign-in form, like a person, and checks where it lands.
func (tb *tab) signIn(email string) {
	tb.t.Helper()
	tb.open("/login", 200)
	tb.fill("#f-email", email)
	tb.fill("#f-password", demoPassword)
	tb.click(`main form[action="/login"] button[type="submit"]`, 0)
	if tb.path() == "/login" {
		tb.t.Fatalf("sign-in as %s failed: %s", email, tb.text("main"))
	}
}

// signInDirect signs the tab in as email with a session minted by the test app, skipping the
// password hashing of the form: for checks that visit many pages, not for journeys.
func (tb *tab) signInDirect(email string) {
	tb.t.Helper()
	b := tb.a.browserAs(email)
	u, _ := url.Parse(tb.a.http.URL)
	var cookies []*network.CookieParam
	for _, c := range b.c.Jar.Cookies(u) {
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: tb.a.http.URL + "/", HTTPOnly: true})
	}
	tb.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookies, network.SetCookiesParams{Cookies: cookies})
		return err
	}))
}

// signOut presses the header's sign-out button and checks the sign-in page comes back.
func (tb *tab) signOut() {
	tb.t.Helper()
	// Sign out sits in the profile menu (a <details>): open it first, as a person does.
	if !eval[bool](tb, `!!document.querySelector("header .profile-menu[open]")`) {
		tb.do(chromedp.Click(chromedp.CSS(`header .profile-menu > summary`), chromedp.NodeVisible))
	}
	tb.click(`header form[action="/logout"] button`, 0)
	tb.wantPath("/login")
	if n := tb.count(`header form[action="/logout"]`); n != 0 {
		tb.t.Fatalf("after signing out the header still offers to sign out")
	}
}

// msg is the translation of a message ID in the tab's language.
func (tb *tab) msg(id string, data ...any) string {
	return locales.New(tb.lang()).T(id, data...)
}

func (tb *tab) lang() string {
	if tb.opts.lang == "" {
		return "en"
	}
	return tb.opts.lang
}

// checkPage runs the checks every visited page must pass: the document had the expected status,
// no CSP violation, no console error, and no message shown untranslated.
func (tb *tab) checkPage() {
	tb.t.Helper()
	where := tb.path()
	tb.visited = append(tb.visited, where)
	tb.mu.Lock()
	console := tb.console
	tb.console = nil
	expected := tb.expectedStatus
	tb.mu.Unlock()
	for _, line := range console {
		// The browser logs an error for a response with an error status; for a page the step
		// expected to have that status (a 404 page, a 422 form), that is not a failure.
		if expected != 0 && strings.Contains(line, fmt.Sprintf("status of %d", expected)) {
			continue
		}
		tb.t.Errorf("at %s: console error: %s", where, line)
	}
	if !tb.opts.noJS {
		violations := eval[[]string](tb, `window.__cspViolations || ["the CSP recorder did not run in this document"]`)
		for _, v := range violations {
			tb.t.Errorf("at %s: CSP violation: %s", where, v)
		}
	}
	for _, problem := range tb.untranslated() {
		tb.t.Errorf("at %s (%s): %s", where, tb.lang(), problem)
	}
}

// pageStrings returns every piece of text a person can see or hear on the page: text nodes of
// the body and the title, plus the attributes that assistive technology reads out.
const pageStrings = `(function () {
  var out = [document.title];
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    var p = n.parentElement;
    if (p && (p.closest("script,style,template,noscript"))) continue;
    var s = n.nodeValue.replace(/\s+/g, " ").trim();
    if (s) out.push(s);
  }
  document.querySelectorAll("[aria-label],[title],[placeholder],[alt],input[type=submit][value],input[type=button][value]").forEach(function (el) {
    ["aria-label", "title", "placeholder", "alt"].forEach(function (a) { if (el.hasAttribute(a)) out.push(el.getAttribute(a).trim()); });
    if (el.matches("input[type=submit],input[type=button]")) out.push(el.value.trim());
  });
  return out;
})()`

// catalog is what the translation check knows about the message files.
type catalog struct {
	areas   map[string]bool            // first segments of message IDs: "admin", "auth"…
	english map[string][]string        // an English text → the IDs that have it
	texts   map[string]map[string]bool // language → every text it has, all plural forms
}

var (
	catalogOnce sync.Once
	theCatalog  catalog
	catalogErr  error
)

// messageCatalog reads every message file once.
func messageCatalog() (catalog, error) {
	catalogOnce.Do(func() {
		files, err := locales.MessageFiles()
		if err != nil {
			catalogErr = err
			return
		}
		c := catalog{areas: map[string]bool{}, english: map[string][]string{}, texts: map[string]map[string]bool{}}
		for lang, msgs := range files {
			c.texts[lang] = map[string]bool{}
			for id, v := range msgs {
				c.areas[strings.SplitN(id, ".", 2)[0]] = true
				for _, s := range messageForms(v) {
					c.texts[lang][s] = true
					if lang == "en" {
						c.english[s] = append(c.english[s], id)
					}
				}
			}
		}
		theCatalog = c
	})
	return theCatalog, catalogErr
}

// messageForms is a message's text, or each plural form's; templated texts are left out (they
// never appear verbatim).
func messageForms(v any) []string {
	var out []string
	add := func(s string) {
		if s != "" && !strings.Contains(s, "{{") {
			out = append(out, strings.Join(strings.Fields(s), " "))
		}
	}
	switch m := v.(type) {
	case string:
		add(m)
	case map[string]any:
		for _, f := range m {
			if s, ok := f.(string); ok {
				add(s)
			}
		}
	}
	return out
}

// messageIDShape is what an untranslated message ID looks like: area.page.thing.
var messageIDShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// untranslated lists text on the page that is a message ID (the key has no message in any
// language) or, on a French or Russian page, an English message that the page's language does
// not have (a translation dropped from the file shows the English fallback).
func (tb *tab) untranslated() []string {
	tb.t.Helper()
	c, err := messageCatalog()
	if err != nil {
		tb.t.Fatal(err)
	}
	lang := tb.lang()
	var problems []string
	seen := map[string]bool{}
	for _, s := range eval[[]string](tb, pageStrings) {
		if seen[s] {
			continue
		}
		seen[s] = true
		if messageIDShape.MatchString(s) && c.areas[strings.SplitN(s, ".", 2)[0]] {
			problems = append(problems, fmt.Sprintf("message ID %q shown instead of a message", s))
			continue
		}
		if lang == "en" {
			continue
		}
		if ids, ok := c.english[s]; ok && !c.texts[lang][s] && len([]rune(s)) > 3 {
			problems = append(problems, fmt.Sprintf("English text %q (%s) shown, no %s translation", s, strings.Join(ids, ", "), lang))
		}
	}
	sort.Strings(problems)
	return problems
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// key presses one key (Tab, Enter, Space…) with optional modifiers, as the keyboard would.
func key(name string, mods ...kb.Modifier) chromedp.Action[chromedp.Void] {
	var k string
	switch name {
	case "Tab":
		k = "\t"
	case "Enter":
		k = "\r"
	case "Space":
		k = " "
	default:
		k = name
	}
	return chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...))
}

// download clicks a download link and returns the file the browser saved.
func (tb *tab) download(sel string) []byte {
	tb.t.Helper()
	dir := tb.t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	events := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior:         cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		tb.t.Fatalf("allowing downloads: %v", err)
	}
	tb.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	for ev, err := range events {
		if err != nil {
			tb.t.Fatalf("waiting for the download of %s: %v", sel, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			// The events are the whole browser's: a download of another test's tab (the
			// journeys run in parallel) lands in another folder and is skipped here.
			raw, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				tb.t.Fatal(err)
			}
			return raw
		case cdpbrowser.DownloadProgressStateCanceled:
			if _, err := os.Stat(filepath.Join(dir, ev.GUID)); err == nil {
				tb.t.Fatalf("the download of %s was cancelled", sel)
			}
		}
	}
	tb.t.Fatalf("no download from %s", sel)
	return nil
}

// screenshot writes a PNG of the whole page into docs/screenshots/name.png when the test runs
// with -screenshots.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if !*writeScreenshots {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
