package web

// Accessibility in a real browser: axe-core (vendored in testdata/axe, see VENDORED.md) runs on
// every page of the product, signed out and signed in, in English, French and Russian, in the
// light and the dark colour scheme, and must find nothing at the WCAG 2.0/2.1/2.2 A and AA tags.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// axeVersion and axeSHA256 pin the vendored axe-core; a changed file fails the tests until
// VENDORED.md and these are updated together.
const (
	axeVersion = "4.14.1"
	axeSHA256  = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
)

// axeTags are the rule sets the product must pass: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript reads the vendored axe-core once and checks it is the pinned file.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		raw, err := os.ReadFile("testdata/axe/axe.min.js")
		if err != nil {
			axeErr = err
			return
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != axeSHA256 {
			axeErr = fmt.Errorf("testdata/axe/axe.min.js has sha256 %s, want %s (see testdata/axe/VENDORED.md)", got, axeSHA256)
			return
		}
		axeSource = string(raw)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	return axeSource
}

// axeViolation is one failed rule on one page, with the elements that fail it.
type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

// axeNode is one element that fails a rule.
type axeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// runAxe injects axe-core into the current document, if it is not there yet, and runs it.
// The script goes in through Runtime.evaluate, which the page's Content-Security-Policy does
// not govern (script-src 'self' forbids inline scripts, and the checks after each step prove no
// violation was reported), so the product needs no test exception in its CSP.
func (tb *tab) runAxe() []axeViolation {
	tb.t.Helper()
	if tb.opts.noJS {
		// axe needs timers and promises, which a page without JavaScript does not run. Scripts
		// are allowed for the time of the check only: the page's own scripts, skipped when it
		// loaded, do not run now either (the no-JS journeys check htmx stays absent).
		tb.setScripts(true)
		defer tb.setScripts(false)
	}
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		version := eval[string](tb, axeScript(tb.t)+"\n;window.axe.version")
		if version != axeVersion {
			tb.t.Fatalf("axe-core reports version %s, want %s", version, axeVersion)
		}
	}
	tags, _ := json.Marshal(axeTags)
	only := `{type: "tag", values: ` + string(tags) + `}`
	if tb.opts.dark {
		// The dark scheme changes colours only, so only the colour rules can give another answer
		// there; running just them keeps the suite fast. They are WCAG 2 AA/A rules of the tags.
		only = `{type: "rule", values: ["color-contrast", "link-in-text-block"]}`
	}
	expr := `window.axe.run(document, {runOnly: ` + only + `, resultTypes: ["violations"]})
  .then(function (r) { return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(function (n) {
      return {target: n.target.join(" "), summary: (n.failureSummary || "").replace(/\s+/g, " ")}; })}; }); })`
	return evalAwait[[]axeViolation](tb, expr)
}

// axeCheck runs axe on the current page and reports each violation as a test error naming the
// page, the language, the colour scheme, the rule and the elements.
func (tb *tab) axeCheck() {
	tb.t.Helper()
	where := tb.path()
	scheme := "light"
	if tb.opts.dark {
		scheme = "dark"
	}
	violations := tb.runAxe()
	if !tb.opts.noJS {
		// Proof that the injection stays outside the page's CSP: axe ran, nothing was blocked.
		for _, v := range eval[[]string](tb, `window.__cspViolations || []`) {
			tb.t.Errorf("at %s: CSP violation while axe ran: %s", where, v)
		}
	}
	for _, v := range violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, n.Target+" — "+n.Summary)
		}
		tb.t.Errorf("axe at %s (%s, %s): %s [%s, %s]:\n    %s", where, tb.lang(), scheme, v.ID, v.Help, v.Impact, strings.Join(targets, "\n    "))
	}
}

// crawlParam gives a demo object id for a workspace parameter.
func (a *app) crawlParam(name string) (string, bool) {
	switch name {
	case "ws", "workspace":
		return fmt.Sprint(a.ids.wsLabs), true
	}
	return "", false
}

// pagesToCrawl lists the HTML pages of the route table a Global Admin can open, so that the
// checks grow with the product: every GET route without parameters, :ws filled with a demo
// workspace, and each other parameterised route through the first link to it found on those
// pages (a confirmation page is reached from its list's link, as a person reaches it). Routes
// that answer something other than an HTML page (CSV exports) and those no link leads to are
// left out, logged.
func (a *app) pagesToCrawl(t *testing.T) []string {
	t.Helper()
	b := a.browserAs(globalAdminEmail)
	param := regexp.MustCompile(`:[a-zA-Z_]+`)
	var direct []string
	pending := map[string]*regexp.Regexp{}
	for _, r := range a.srv.routes {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "*") || r.Path == "/healthz" || r.Path == "/readyz" || r.Path == "/" {
			continue
		}
		unknown := false
		p := param.ReplaceAllStringFunc(r.Path, func(m string) string {
			if v, ok := a.crawlParam(m[1:]); ok {
				return v
			}
			unknown = true
			return m
		})
		if !unknown {
			direct = append(direct, p)
			continue
		}
		pending[r.Path] = regexp.MustCompile("^" + param.ReplaceAllStringFunc(regexp.QuoteMeta(p), func(string) string { return `[^/?#]+` }) + "$")
	}
	sort.Strings(direct)
	isDirect := map[string]bool{}
	for _, p := range direct {
		isDirect[p] = true
	}
	var pages []string
	found := map[string]string{}
	// Breadth first: the direct pages, then the pages their links lead to, and so on, until no
	// route without a page is reached by a new link (or GET form).
	queue := direct
	for len(queue) > 0 {
		var next []string
		for _, p := range queue {
			r := b.get(p)
			if r.doc == nil || r.status != http.StatusOK {
				t.Logf("crawl leaves out %s: status %d, %s", p, r.status, r.header.Get("Content-Type"))
				continue
			}
			pages = append(pages, p)
			var targets []string
			r.doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) { targets = append(targets, s.AttrOr("href", "")) })
			r.doc.Find(`form[method="get"][action]`).Each(func(_ int, s *goquery.Selection) { targets = append(targets, s.AttrOr("action", "")) })
			for _, href := range targets {
				href = strings.SplitN(strings.SplitN(href, "#", 2)[0], "?", 2)[0]
				if isDirect[href] {
					continue // "/admin/workspaces/new" is its own page, not a workspace's id
				}
				for route, re := range pending {
					if _, ok := found[route]; !ok && re.MatchString(href) {
						found[route] = href
						next = append(next, href)
					}
				}
			}
		}
		queue = next
	}
	for route := range pending {
		if _, ok := found[route]; !ok {
			t.Logf("crawl leaves out %s: no page links to it", route)
		}
	}
	sort.Strings(pages)
	t.Logf("crawl: %d pages: %s", len(pages), strings.Join(pages, " "))
	return pages
}

// TestBrowserAccessibility runs axe-core on every page, signed out and as the Global Admin, in
// every language and both colour schemes; the error pages (403, 404, a 422 form) too.
func TestBrowserAccessibility(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	for _, lang := range []string{"en", "fr", "ru"} {
		for _, dark := range []bool{false, true} {
			name := lang + "/light"
			if dark {
				name = lang + "/dark"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel() // each in its own browser context; the app is only read
				tb := newTab(t, a, tabOptions{lang: lang, dark: dark})
				// Signed out.
				tb.open("/login", 200)
				tb.axeCheck()
				if !dark && lang != "ru" {
					tb.screenshot("login-" + lang)
				}
				tb.click(`main form[action="/login"] button[type="submit"]`, http.StatusUnprocessableEntity)
				tb.axeCheck() // the sign-in form with its errors
				tb.open("/roles", 200)
				tb.axeCheck()
				if !dark && lang != "fr" {
					tb.screenshot("roles-" + lang)
				}
				tb.open("/no-such-page", 404)
				tb.axeCheck()
				// A plain user meets the 403 page.
				tb.signInDirect(plainUserEmail)
				tb.open("/admin", 403)
				tb.axeCheck()
				tb.signOut()
				// Every page of the route table, as the Global Admin.
				tb.signInDirect(globalAdminEmail)
				for _, p := range a.pagesToCrawl(t) {
					status := tb.visit(p)
					if status >= 500 {
						t.Errorf("%s: status %d", p, status)
					}
					if tb.isHTML() {
						tb.axeCheck()
						if name := screenshotName(p); !dark && status == http.StatusOK && inGallery(name, lang) {
							tb.screenshot(name + "-" + lang)
						} else if dark && lang == "en" && name == "admin" {
							tb.screenshot("admin-en-dark")
						}
					}
				}
				tb.open("/admin/no-such-tab", 404)
				tb.axeCheck()
			})
		}
	}
}

// visit opens a page whatever its status, checks it and returns the status.
func (tb *tab) visit(path string) int {
	tb.t.Helper()
	tb.mu.Lock()
	tb.expectedStatus = -1
	tb.documents = nil
	tb.mu.Unlock()
	resp := navigate(tb, path)
	tb.mu.Lock()
	tb.expectedStatus = int(resp)
	tb.mu.Unlock()
	if tb.isHTML() {
		tb.checkPage()
	}
	return int(resp)
}

// isHTML reports whether the tab shows an HTML page of ours (not a CSV or a plain text answer).
func (tb *tab) isHTML() bool {
	tb.t.Helper()
	return eval[bool](tb, `document.contentType === "text/html" && !!document.querySelector("main")`)
}

// TestBrowserChecksCanFail proves the page checks catch what they are for: an unlabelled field
// (axe), an inline script (the CSP) and a message ID shown untranslated. Each is planted into a
// real page by DevTools and must be reported.
func TestBrowserChecksCanFail(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	tb := newTab(t, a, tabOptions{lang: "fr"})
	tb.open("/login", 200)

	eval[bool](tb, `document.querySelector("main form").insertAdjacentHTML("beforeend", '<input id="planted" type="text">'); true`)
	found := false
	for _, v := range tb.runAxe() {
		for _, n := range v.Nodes {
			found = found || (v.ID == "label" && strings.Contains(n.Target, "#planted"))
		}
	}
	if !found {
		t.Error("axe did not report the planted unlabelled field")
	}

	eval[bool](tb, `var s = document.createElement("script"); s.textContent = "window.__ran = true"; document.body.appendChild(s); true`)
	if eval[bool](tb, `window.__ran === true`) {
		t.Error("an inline script ran: the CSP does not block it")
	}
	if n := eval[int](tb, `window.__cspViolations.length`); n != 1 {
		t.Errorf("the CSP recorder saw %d violations of the planted inline script, want 1", n)
	}
	tb.mu.Lock()
	console := strings.Join(tb.console, "\n")
	tb.console = nil
	tb.mu.Unlock()
	if !strings.Contains(console, "Content Security Policy") {
		t.Errorf("the console did not report the CSP violation; it has:\n%s", console)
	}

	eval[bool](tb, `document.querySelector("h1").textContent = "auth.login.title"; document.querySelector(".muted").textContent = "Sign in with your work account to administer your tenant and workspaces."; true`)
	problems := strings.Join(tb.untranslated(), "\n")
	for _, want := range []string{`message ID "auth.login.title"`, `English text "Sign in with your work account`} {
		if !strings.Contains(problems, want) {
			t.Errorf("the translation check missed %s; it found:\n%s", want, problems)
		}
	}
}

// TestBrowserNarrowLayout opens every page on a 360 px wide phone in Russian and French (the
// longest words) and checks that nothing makes the page scroll sideways: long words wrap, wide
// tables scroll inside their own region. With -screenshots it writes the gallery of the README.
func TestBrowserNarrowLayout(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	for _, lang := range []string{"ru", "fr"} {
		t.Run(lang, func(t *testing.T) {
			tb := newTab(t, a, tabOptions{lang: lang, width: 360})
			tb.open("/login", 200)
			tb.wantNoSideScroll()
			if lang == "fr" {
				tb.screenshot("login-fr-360")
			}
			tb.signInDirect(globalAdminEmail)
			for _, p := range a.pagesToCrawl(t) {
				tb.visit(p)
				if tb.isHTML() {
					tb.wantNoSideScroll()
					if name := screenshotName(p); narrowGallery[name] && lang == "ru" {
						tb.screenshot(name + "-" + lang + "-360")
					}
				}
			}
		})
	}
}

// wantNoSideScroll fails when the page is wider than the window, naming the widest culprits.
func (tb *tab) wantNoSideScroll() {
	tb.t.Helper()
	const overflow = `(function () {
  var w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  var out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    var inWrap = el.parentElement && el.parentElement.closest(".table-wrap");
    var childOver = Array.from(el.children).some(function (c) { return c.getBoundingClientRect().right > w + 1; });
    if (r.right > w + 1 && !inWrap && !childOver && out.length < 5) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "") +
        " ends at " + Math.round(r.right) + "px: " + (el.innerText || "").replace(/\s+/g, " ").slice(0, 60));
    }
  });
  return out.length ? out : ["the page is " + document.documentElement.scrollWidth + "px wide"];
})()`
	for _, culprit := range eval[[]string](tb, overflow) {
		tb.t.Errorf("at %s (%s, %dpx) the page scrolls sideways: %s", tb.path(), tb.lang(), tb.opts.width, culprit)
	}
}

// galleryPages are the pages whose screenshots -screenshots writes, and in which languages
// (a few, to keep the repository small; the checks run on every page in every language).
var galleryPages = map[string][]string{
	"admin": {"en", "fr", "ru"}, "tenant": {"en", "ru"}, "global-admins": {"en"}, "settings": {"en"},
	"management": {"en"}, "newsletter": {"en"}, "audit": {"en"}, "workspaces": {"en", "fr"},
	"groups": {"en"}, "quickstart": {"fr"}, "workspaces-id-people": {"en"}, "me-access": {"ru"},
	"audit-integrity": {"en"}, "audit-microsoft": {"en"},
}

// inGallery reports whether the screenshot of page name in lang belongs to the gallery.
func inGallery(name, lang string) bool { return slices.Contains(galleryPages[name], lang) }

// narrowGallery are the pages also written 360 px wide, in Russian.
var narrowGallery = map[string]bool{"admin": true, "tenant": true, "workspaces": true}

// screenshotName names a page's screenshot after its path, without ids: /admin → admin,
// /admin/tenant → tenant, /me/access → me-access, /workspaces/2/people → workspaces-id-people.
func screenshotName(path string) string {
	path = strings.SplitN(path, "?", 2)[0]
	if path == "/admin" {
		return "admin"
	}
	var parts []string
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/admin/"), "/") {
		if _, err := strconv.Atoi(seg); err == nil {
			seg = "id"
		}
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "-")
}
