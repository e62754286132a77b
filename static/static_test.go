package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var hashedURL = regexp.MustCompile(`^/static/([^/]+)\.([0-9a-f]{10})(\.[a-z]+)$`)

func fileBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNames(t *testing.T) {
	got := Names()
	want := []string{"app.css", "app.js", "htmx.min.js"}
	if !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if Names()[0] != "app.css" {
		t.Errorf("Names() returned shared slice: caller's change leaked")
	}
}

func TestURL(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			u := URL(name)
			m := hashedURL.FindStringSubmatch(u)
			if m == nil {
				t.Fatalf("URL(%q) = %q, want /static/<base>.<10 hex><ext>", name, u)
			}
			if got, want := m[1]+m[3], name; got != want {
				t.Errorf("URL(%q) names %q, want %q", name, got, want)
			}
			sum := sha256.Sum256(fileBytes(t, name))
			if got, want := m[2], hex.EncodeToString(sum[:])[:10]; got != want {
				t.Errorf("URL(%q) hash = %q, want %q", name, got, want)
			}
			if again := URL(name); again != u {
				t.Errorf("URL(%q) not stable: got %q, then %q", name, u, again)
			}
		})
	}

	tests := []struct{ name, want string }{
		{"nope.css", "/static/nope.css"},
		{"", "/static/"},
		{"htmx.LICENSE", "/static/htmx.LICENSE"},
	}
	for _, tt := range tests {
		if got := URL(tt.name); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got, want := URL("app.css"), "/static/app."; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, ".css") {
		t.Errorf("URL(app.css) = %q, want /static/app.<hash>.css", got)
	}
	if got := URL("htmx.min.js"); !strings.HasPrefix(got, "/static/htmx.min.") || !strings.HasSuffix(got, ".js") {
		t.Errorf("URL(htmx.min.js) = %q, want /static/htmx.min.<hash>.js", got)
	}
}

func do(method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesEveryAsset(t *testing.T) {
	wantType := map[string]string{
		"app.css":     "text/css; charset=utf-8",
		"app.js":      "text/javascript; charset=utf-8",
		"htmx.min.js": "text/javascript; charset=utf-8",
	}
	for _, name := range Names() {
		plain := fileBytes(t, name)
		tests := []struct {
			desc, method, acceptEncoding string
			wantGzip, wantBody           bool
		}{
			{"gzip", http.MethodGet, "gzip, deflate, br", true, true},
			{"gzip q=1", http.MethodGet, "br;q=1.0, gzip;q=0.8", true, true},
			{"star", http.MethodGet, "*", true, true},
			{"no Accept-Encoding", http.MethodGet, "", false, true},
			{"identity", http.MethodGet, "identity", false, true},
			{"gzip refused", http.MethodGet, "gzip;q=0, br", false, true},
			{"star but not gzip", http.MethodGet, "*, gzip;q=0", false, true},
			{"HEAD gzip", http.MethodHead, "gzip", true, false},
			{"HEAD plain", http.MethodHead, "", false, false},
		}
		for _, tt := range tests {
			t.Run(name+"/"+tt.desc, func(t *testing.T) {
				hdr := map[string]string{}
				if tt.acceptEncoding != "" {
					hdr["Accept-Encoding"] = tt.acceptEncoding
				}
				rec := do(tt.method, URL(name), hdr)
				if got, want := rec.Code, http.StatusOK; got != want {
					t.Fatalf("status: got %d, want %d", got, want)
				}
				h := rec.Header()
				hash := hashedURL.FindStringSubmatch(URL(name))[2]
				wantETag := `"` + hash + `"`
				wantEnc := ""
				if tt.wantGzip {
					wantETag = `"` + hash + `-gzip"`
					wantEnc = "gzip"
				}
				for _, c := range []struct{ key, want string }{
					{"Content-Type", wantType[name]},
					{"Cache-Control", "public, max-age=31536000, immutable"},
					{"X-Content-Type-Options", "nosniff"},
					{"Vary", "Accept-Encoding"},
					{"ETag", wantETag},
					{"Content-Encoding", wantEnc},
				} {
					if got := h.Get(c.key); got != c.want {
						t.Errorf("%s: got %q, want %q", c.key, got, c.want)
					}
				}
				body := rec.Body.Bytes()
				if !tt.wantBody {
					if len(body) != 0 {
						t.Errorf("HEAD body: got %d bytes, want 0", len(body))
					}
					return
				}
				if got, want := h.Get("Content-Length"), strconv.Itoa(len(body)); got != want {
					t.Errorf("Content-Length: got %s, want %s", got, want)
				}
				if tt.wantGzip {
					if len(body) >= len(plain) {
						t.Errorf("gzip body: got %d bytes, want fewer than plain %d", len(body), len(plain))
					}
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatalf("gzip.NewReader: %v", err)
					}
					if body, err = io.ReadAll(zr); err != nil {
						t.Fatalf("gunzip: %v", err)
					}
				}
				if !bytes.Equal(body, plain) {
					t.Errorf("body: got %d bytes, want the %d bytes of %s", len(body), len(plain), name)
				}
			})
		}
	}
}

func TestHandlerNotFound(t *testing.T) {
	css := URL("app.css")
	hash := hashedURL.FindStringSubmatch(css)[2]
	tests := []struct{ desc, path string }{
		{"unhashed", "/static/app.css"},
		{"unhashed htmx", "/static/htmx.min.js"},
		{"wrong hash", "/static/app.0123456789.css"},
		{"long hash", "/static/app." + hash + "0.css"},
		{"short hash", "/static/app." + hash[:9] + ".css"},
		{"hash of another asset", strings.Replace(URL("app.js"), "app.", "htmx.min.", 1)},
		{"prefix stripped", strings.TrimPrefix(css, "/static")},
		{"extra suffix", css + ".map"},
		{"unknown file", "/static/secret.txt"},
		{"licence not served", "/static/htmx.LICENSE"},
		{"source not served", "/static/static.go"},
		{"directory", "/static/"},
		{"traversal", "/static/../static/app.css"},
		{"root", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rec := do(http.MethodGet, tt.path, map[string]string{"Accept-Encoding": "gzip"})
			if got, want := rec.Code, http.StatusNotFound; got != want {
				t.Errorf("GET %s: got %d, want %d", tt.path, got, want)
			}
			if got := rec.Header().Get("Cache-Control"); got != "" {
				t.Errorf("GET %s: Cache-Control %q on a 404, want none", tt.path, got)
			}
		})
	}
}

func TestHandlerMethods(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			rec := do(method, URL("app.css"), nil)
			if got, want := rec.Code, http.StatusMethodNotAllowed; got != want {
				t.Errorf("%s: got %d, want %d", method, got, want)
			}
			if got, want := rec.Header().Get("Allow"), "GET, HEAD"; got != want {
				t.Errorf("%s Allow: got %q, want %q", method, got, want)
			}
		})
	}
}

func TestHandlerNotModified(t *testing.T) {
	u := URL("app.css")
	hash := hashedURL.FindStringSubmatch(u)[2]
	tests := []struct {
		desc, ifNoneMatch, acceptEncoding string
		want                              int
	}{
		{"strong", `"` + hash + `"`, "", http.StatusNotModified},
		{"strong gzip tag", `"` + hash + `-gzip"`, "gzip", http.StatusNotModified},
		{"weak", `W/"` + hash + `"`, "gzip", http.StatusNotModified},
		{"in list", `"aaaaaaaaaa", "` + hash + `"`, "", http.StatusNotModified},
		{"star", `*`, "", http.StatusNotModified},
		{"other hash", `"0123456789"`, "", http.StatusOK},
		{"prefix of hash", `"` + hash[:5] + `"`, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			hdr := map[string]string{"If-None-Match": tt.ifNoneMatch}
			if tt.acceptEncoding != "" {
				hdr["Accept-Encoding"] = tt.acceptEncoding
			}
			rec := do(http.MethodGet, u, hdr)
			if got := rec.Code; got != tt.want {
				t.Fatalf("If-None-Match %s: got %d, want %d", tt.ifNoneMatch, got, tt.want)
			}
			if tt.want != http.StatusNotModified {
				return
			}
			if n := rec.Body.Len(); n != 0 {
				t.Errorf("304 body: got %d bytes, want 0", n)
			}
			for _, c := range []struct{ key, want string }{
				{"Cache-Control", "public, max-age=31536000, immutable"},
				{"Vary", "Accept-Encoding"},
			} {
				if got := rec.Header().Get(c.key); got != c.want {
					t.Errorf("304 %s: got %q, want %q", c.key, got, c.want)
				}
			}
			if got := rec.Header().Get("ETag"); !strings.Contains(got, hash) {
				t.Errorf("304 ETag: got %q, want it to contain %q", got, hash)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate", "gzip;q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"br, *;q=0.1"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"gzipped"}, false},
		{[]string{"identity;q=1, br"}, false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.values); got != tt.want {
			t.Errorf("acceptsGzip(%q): got %v, want %v", tt.values, got, tt.want)
		}
	}
}

// TestVendoredHTMX keeps VENDORED.md honest: the version and SHA-256 it names
// must be those of the htmx.min.js that is embedded.
func TestVendoredHTMX(t *testing.T) {
	js := fileBytes(t, "htmx.min.js")
	doc := string(fileBytes(t, "VENDORED.md"))

	m := regexp.MustCompile(`version:"(\d+\.\d+\.\d+)"`).FindSubmatch(js)
	if m == nil {
		t.Fatal(`htmx.min.js: no version:"x.y.z" literal found`)
	}
	inFile := string(m[1])
	d := regexp.MustCompile(`(?m)^\| Version \| (\S+) \|$`).FindStringSubmatch(doc)
	if d == nil {
		t.Fatal("VENDORED.md: no '| Version | x.y.z |' row found")
	}
	if got, want := d[1], inFile; got != want {
		t.Errorf("VENDORED.md version: got %s, want %s (from htmx.min.js)", got, want)
	}
	if !strings.HasPrefix(inFile, "2.0.") {
		t.Errorf("htmx version: got %s, want 2.0.x", inFile)
	}

	sum := sha256.Sum256(js)
	s := regexp.MustCompile("(?m)^\\| SHA-256 \\| `([0-9a-f]{64})` \\|$").FindStringSubmatch(doc)
	if s == nil {
		t.Fatal("VENDORED.md: no '| SHA-256 | `…` |' row found")
	}
	if got, want := s[1], hex.EncodeToString(sum[:]); got != want {
		t.Errorf("VENDORED.md sha256: got %s, want %s (of htmx.min.js)", got, want)
	}
	if _, err := os.Stat("htmx.LICENSE"); err != nil {
		t.Errorf("htmx.LICENSE: %v", err)
	}
}

// TestAppJSNoEval: the CSP forbids unsafe-eval and htmx runs with allowEval:false,
// so app.js must not depend on string evaluation or HTML injection.
func TestAppJSNoEval(t *testing.T) {
	js := string(fileBytes(t, "app.js"))
	for _, bad := range []string{"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "setTimeout(\"", "hx-on"} {
		if strings.Contains(js, bad) {
			t.Errorf("app.js contains %q", bad)
		}
	}
	for _, want := range []string{"htmx:configRequest", "X-CSRF-Token", `meta[name="csrf-token"]`, "data-confirm", "htmx:afterSettle"} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js: missing %q", want)
		}
	}
}

// TestAppCSSClasses checks that every class the views rely on is styled.
func TestAppCSSClasses(t *testing.T) {
	css := string(fileBytes(t, "app.css"))
	classes := []string{
		"skip-link", "visually-hidden", "topbar", "brand", "topbar-tools", "rail", "rail-nav", "menu-panel", "page-header", "command-bar", "toast", "btn-quiet", "warning", "tabs", "page",
		"flash", "alert", "notice", "field", "hint", "field-error", "btn", "btn-secondary",
		"btn-danger", "btn-link", "btn-small", "switch", "card", "grid-2", "badge", "badge-ok",
		"badge-warn", "badge-muted", "badge-danger", "toolbar", "pager", "empty", "muted",
		"inline-form", "actions", "table-wrap", "data", "matrix", "stack",
	}
	for _, c := range classes {
		if !regexp.MustCompile(`\.` + regexp.QuoteMeta(c) + `[\s,{:.>\[]`).MatchString(css) {
			t.Errorf("app.css: no rule for .%s", c)
		}
	}
	for _, want := range []string{"prefers-color-scheme: dark", ":focus-visible", "outline: 3px", "overflow-wrap: anywhere", `aria-invalid="true"`, `aria-pressed="true"`, `aria-current="page"`} {
		if !strings.Contains(css, want) {
			t.Errorf("app.css: missing %q", want)
		}
	}
}

// discard is a minimal ResponseWriter so the benchmark measures the handler,
// not a recorder's buffering.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkHandler(b *testing.B) {
	req := httptest.NewRequest(http.MethodGet, URL("app.css"), nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	h := Handler()
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if w.h.Get("Content-Encoding") != "gzip" {
		b.Fatalf("Content-Encoding: got %q, want gzip", w.h.Get("Content-Encoding"))
	}
}
