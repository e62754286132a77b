// Package static embeds and serves Hub Admin's stylesheet and scripts
// (app.css, app.js and the vendored htmx.min.js).
//
// Assets are served only under content-hashed URLs such as
// /static/app.0123456789.css, where the hash is the first 10 hex digits of the
// SHA-256 of the file. Because the URL changes whenever the bytes change, a
// response can be cached for a year as "immutable": browsers never revalidate
// it, a deploy never serves a stale stylesheet next to new markup, and no
// cache-busting query strings are needed. Pages must therefore link assets
// through [URL], never by a hand-written path.
//
// Every asset is gzip-compressed once, when the package is initialised, so a
// request costs a map lookup and a write. The package imports nothing from
// hubadmin.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Prefix is the URL path under which [Handler] serves assets and with which
// every [URL] begins. Mount the handler on Prefix+"*" (echo) or Prefix
// (net/http) without stripping it.
const Prefix = "/static/"

//go:embed app.css app.js htmx.min.js
var files embed.FS

// hashLen is the number of hex digits of the SHA-256 kept in URLs.
const hashLen = 10

const cacheControl = "public, max-age=31536000, immutable"

// asset is one embedded file with everything a response needs, computed once.
type asset struct {
	name     string
	hash     string // first hashLen hex digits of the SHA-256 of plain
	url      string // Prefix + hashed name
	plain    []byte
	gz       []byte // nil when gzip would not make the body smaller
	ctype    []string
	plainLen []string
	gzLen    []string
	etag     []string // `"<hash>"`, for the identity body
	gzETag   []string // `"<hash>-gzip"`, for the gzip body
}

var (
	byName = map[string]*asset{}
	byURL  = map[string]*asset{}
	names  []string
)

func init() {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		a, err := load(e.Name())
		if err != nil {
			panic("static: " + e.Name() + ": " + err.Error())
		}
		byName[a.name] = a
		byURL[a.url] = a
		names = append(names, a.name)
	}
	slices.Sort(names)
}

func load(name string) (*asset, error) {
	plain, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(plain)
	hash := hex.EncodeToString(sum[:])[:hashLen]
	a := &asset{
		name:     name,
		hash:     hash,
		url:      Prefix + hashedName(name, hash),
		plain:    plain,
		ctype:    []string{contentType(name)},
		plainLen: []string{strconv.Itoa(len(plain))},
		etag:     []string{`"` + hash + `"`},
		gzETag:   []string{`"` + hash + `-gzip"`},
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(plain); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() < len(plain) {
		a.gz = buf.Bytes()
		a.gzLen = []string{strconv.Itoa(len(a.gz))}
	}
	return a, nil
}

// hashedName puts the hash before the last extension: app.css → app.<hash>.css,
// htmx.min.js → htmx.min.<hash>.js.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// URL returns the content-hashed URL path of the embedded asset name, for
// example URL("app.css") == "/static/app.0123456789.css". The result is stable
// for the life of the binary and changes only when the file's bytes change.
// For a name that is not embedded it returns Prefix+name, which [Handler]
// answers with 404; it never panics.
func URL(name string) string {
	if a, ok := byName[name]; ok {
		return a.url
	}
	return Prefix + name
}

// Names returns the names of the embedded assets ("app.css", "app.js",
// "htmx.min.js"), sorted. The slice is a copy and may be modified.
func Names() []string {
	return slices.Clone(names)
}

// Handler returns an http.Handler that serves the embedded assets at the
// URLs returned by [URL]. It expects the full request path including Prefix
// (for example /static/app.0123456789.css): mount it on Prefix without
// stripping the prefix.
//
// Only GET and HEAD are allowed (others get 405 with an Allow header). An
// unknown file, an un-hashed name or a stale hash gets 404. A hit is sent with
// its Content-Type, "Cache-Control: public, max-age=31536000, immutable",
// "X-Content-Type-Options: nosniff", "Vary: Accept-Encoding" and an ETag built
// from the hash (`"<hash>"`, or `"<hash>-gzip"` for the gzip body, so the two
// encodings have distinct strong validators). The body is the gzip bytes
// compressed at start-up when Accept-Encoding allows gzip, the plain bytes
// otherwise. An If-None-Match naming the hash (in either form, weak or strong,
// or "*") gets 304 Not Modified.
func Handler() http.Handler {
	return handler{}
}

type handler struct{}

// Header values are shared, pre-built slices (len == cap, so a later
// Header().Add appends to a copy) to keep a hit allocation-free.
var (
	hdrCacheControl = []string{cacheControl}
	hdrNosniff      = []string{"nosniff"}
	hdrVary         = []string{"Accept-Encoding"}
	hdrGzip         = []string{"gzip"}
	hdrAllow        = []string{"GET, HEAD"}
)

// ServeHTTP implements http.Handler.
func (handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Content-Type-Options"] = hdrNosniff
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = hdrAllow
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	a, ok := byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	useGzip := a.gz != nil && acceptsGzip(r.Header.Values("Accept-Encoding"))

	h["Cache-Control"] = hdrCacheControl
	h["Vary"] = hdrVary
	if useGzip {
		h["Etag"] = a.gzETag
	} else {
		h["Etag"] = a.etag
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && matchesETag(inm, a.hash) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = a.ctype
	body := a.plain
	if useGzip {
		h["Content-Encoding"] = hdrGzip
		h["Content-Length"] = a.gzLen
		body = a.gz
	} else {
		h["Content-Length"] = a.plainLen
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reports whether the Accept-Encoding field values allow a gzip
// body: "gzip" (or "x-gzip") with a non-zero q, or, when gzip is not named,
// "*" with a non-zero q.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			ok := qNonZero(params)
			if coding == "*" {
				star = ok
				continue
			}
			return ok
		}
	}
	return star
}

// qNonZero reports whether the parameters of one Accept-Encoding element
// leave it acceptable, i.e. carry no q=0 (q=0, q=0.0, q=0.000).
func qNonZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err != nil || q > 0
	}
	return true
}

// matchesETag reports whether an If-None-Match value names this asset: "*",
// or an entity tag (weak or strong, plain or -gzip) whose value is hash.
func matchesETag(inm, hash string) bool {
	for tag := range strings.SplitSeq(inm, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		tag = strings.TrimPrefix(tag, "W/")
		tag = strings.Trim(tag, `"`)
		tag = strings.TrimSuffix(tag, "-gzip")
		if tag == hash {
			return true
		}
	}
	return false
}
