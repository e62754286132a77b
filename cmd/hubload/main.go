// Command hubload measures Hub Admin's pages under load on this machine and prints a Markdown
// table. Absolute numbers depend on the machine, so every figure is also given as a ratio to a
// bare net/http "hello" server measured in the same round, on the same loopback.
//
// It starts both servers itself on 127.0.0.1 (random ports), over a fresh demo database in a
// temporary folder or over an existing one (-db, e.g. a scale world made by `hubadmin
// seed-bench`), signs in once per client, and sends requests for a bounded time per page. Pages
// are measured in interleaved rounds (hello, page 1, page 2, …, then again), so that a change in
// the machine's load touches every page alike; the table gives the median of the rounds.
//
//	go run ./cmd/hubload -duration 3s -clients 16 -rounds 3
//	go run ./cmd/hubload -db /tmp/scale.db -password "$HUBADMIN_DEMO_PASSWORD"
//
// CPU and allocation columns are per request of the whole process (client and server share it);
// the hello row shows what the client side alone costs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"hubadmin/store"
	"hubadmin/store/password"
	"hubadmin/web"
)

// defaultPages are the signed-in list pages and the toggle.
const defaultPages = "/login,/roles,/me/access,/admin,/admin/tenant,/admin/settings,/admin/workspaces,/admin/newsletter,/admin/audit,/workspaces/1/people,toggle"

func main() {
	duration := flag.Duration("duration", 3*time.Second, "how long to load each page in each round (bounded: at most 60s)")
	clients := flag.Int("clients", 16, "concurrent clients (at most 64)")
	rounds := flag.Int("rounds", 3, "interleaved rounds; the table shows each figure's median (at most 9)")
	pages := flag.String("pages", defaultPages, "comma-separated paths to load, signed in except /login; \"toggle\" posts the tenant-setting toggle with htmx")
	dbPath := flag.String("db", "", "existing database to load (default: a fresh demo world in a temporary folder)")
	pw := flag.String("password", "", "demo password of the -db database (default: HUBADMIN_DEMO_PASSWORD)")
	email := flag.String("email", "global.admin@contoso.example", "who signs in")
	flag.Parse()
	if *duration > time.Minute {
		*duration = time.Minute
	}
	if *clients < 1 || *clients > 64 {
		*clients = 16
	}
	if *rounds < 1 || *rounds > 9 {
		*rounds = 3
	}
	if *pw == "" {
		*pw = os.Getenv("HUBADMIN_DEMO_PASSWORD")
	}
	cfg := config{duration: *duration, clients: *clients, rounds: *rounds, dbPath: *dbPath, password: *pw, email: *email}
	for _, p := range strings.Split(*pages, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.pages = append(cfg.pages, p)
		}
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "hubload:", err)
		os.Exit(1)
	}
}

type config struct {
	duration        time.Duration
	clients, rounds int
	pages           []string
	dbPath          string
	password, email string
}

const freshPassword = "load-test-password"

func run(cfg config) error {
	ctx := context.Background()
	path := cfg.dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "hubload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "load.db")
		cfg.password = freshPassword
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.dbPath == "" {
		hash, err := password.Hash(freshPassword)
		if err != nil {
			return err
		}
		if _, err := db.SeedDemo(ctx, hash); err != nil {
			return err
		}
	}
	srv := web.New(db, web.Config{SessionKey: []byte("load-test-session-key-0123456789abcdef"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	appURL, stopApp, err := serve(srv.Handler())
	if err != nil {
		return err
	}
	defer stopApp()
	helloURL, stopHello, err := serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello\n")
	}))
	if err != nil {
		return err
	}
	defer stopHello()

	// Clients sign in once, before any measuring: the sign-ins' argon2 work is not a page's.
	signedIn := make([]*http.Client, cfg.clients)
	for i := range signedIn {
		signedIn[i] = newClient()
		if err := login(signedIn[i], appURL, cfg.email, cfg.password); err != nil {
			return err
		}
	}
	anon := make([]*http.Client, cfg.clients)
	for i := range anon {
		anon[i] = newClient()
	}

	targets := append([]string{"hello"}, cfg.pages...)
	results := make(map[string][]result, len(targets))
	for r := 0; r < cfg.rounds; r++ {
		for _, t := range targets {
			var res result
			switch {
			case t == "hello":
				res = load(cfg.duration, anon, get(helloURL+"/"))
			case t == "/login":
				res = load(cfg.duration, anon, get(appURL+t))
			case t == "toggle":
				res = load(cfg.duration, signedIn, toggle(appURL))
			default:
				res = load(cfg.duration, signedIn, get(appURL+t))
			}
			results[t] = append(results[t], res)
		}
	}

	fmt.Printf("Hub Admin load: %d clients, %s per page and round, %d interleaved rounds (medians), %s, load average %s\n\n",
		cfg.clients, cfg.duration, cfg.rounds, time.Now().UTC().Format("2006-01-02 15:04"), loadAverage())
	fmt.Println("| Page | Requests/s | Ratio to bare net/http | p50 | p99 | CPU ms/req | KB alloc/req | KB sent/req | Errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	hello := results["hello"]
	for _, t := range targets {
		rs := results[t]
		ratios := make([]float64, len(rs))
		for i := range rs {
			ratios[i] = 100 * rs[i].rps / hello[i].rps
		}
		errs := int64(0)
		for _, r := range rs {
			errs += r.errors
		}
		name := t
		if t == "hello" {
			name = "bare net/http hello"
		}
		fmt.Printf("| %s | %.0f | %.1f %% | %s | %s | %.3f | %.1f | %.1f | %d |\n", name,
			median(rs, func(r result) float64 { return r.rps }), medianOf(ratios),
			time.Duration(median(rs, func(r result) float64 { return float64(r.p50) })).Round(10*time.Microsecond),
			time.Duration(median(rs, func(r result) float64 { return float64(r.p99) })).Round(10*time.Microsecond),
			median(rs, func(r result) float64 { return r.cpuMs }),
			median(rs, func(r result) float64 { return r.allocKB }),
			median(rs, func(r result) float64 { return r.sentKB }), errs)
	}
	return nil
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go s.Serve(ln)
	return "http://" + ln.Addr().String(), func() { s.Close() }, nil
}

// newClient is a browser-like client: cookies, keep-alive, gzip accepted (Go's transport asks
// for it and decompresses), no redirects followed.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var (
	csrfMeta    = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
	versionIn   = regexp.MustCompile(`name="version" value="(\d+)"`)
	errNoTarget = fmt.Errorf("no CSRF token")
)

func csrfOf(body []byte) (string, error) {
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return "", errNoTarget
	}
	return string(m[1]), nil
}

// login signs a client in through the real form.
func login(c *http.Client, base, email, pw string) error {
	resp, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token, err := csrfOf(body)
	if err != nil {
		return fmt.Errorf("/login: %w", err)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {email}, "password": {pw}, "_csrf": {token}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign-in of %s answered %d (is -password right?)", email, resp.StatusCode)
	}
	return nil
}

// A step sends one request with a client and says how many bytes came back and whether the
// answer was the expected one.
type step func(c *http.Client, state *clientState) (bytes int64, ok bool)

type clientState struct {
	csrf    string
	version string
	on      bool
}

func get(target string) func(int) step {
	return func(int) step {
		return func(c *http.Client, _ *clientState) (int64, bool) {
			resp, err := c.Get(target)
			if err != nil {
				return 0, false
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return n, resp.StatusCode == http.StatusOK
		}
	}
}

// toggle flips "in-product feedback" with htmx, as the settings page does: CSRF check, a write
// with its audit row, and the section back. Each client reads the token and version from the
// page first, then from every answer; a 409 (another client won the race) counts as an error.
func toggle(base string) func(int) step {
	return func(int) step {
		return func(c *http.Client, st *clientState) (int64, bool) {
			if st.csrf == "" || st.version == "" {
				resp, err := c.Get(base + "/admin/settings")
				if err != nil {
					return 0, false
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				st.csrf, _ = csrfOf(body)
				if m := versionIn.FindSubmatch(body); m != nil {
					st.version = string(m[1])
				}
			}
			st.on = !st.on
			form := url.Values{"setting": {"in_product_feedback"}, "value": {fmt.Sprint(st.on)}, "version": {st.version}, "_csrf": {st.csrf}}
			req, _ := http.NewRequest(http.MethodPost, base+"/admin/settings", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			resp, err := c.Do(req)
			if err != nil {
				return 0, false
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := versionIn.FindSubmatch(body); m != nil {
				st.version = string(m[1])
			} else {
				st.version = ""
			}
			return int64(len(body)), resp.StatusCode == http.StatusOK
		}
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
	cpuMs    float64 // process CPU per request (client and server)
	allocKB  float64 // heap bytes allocated per request (client and server)
	sentKB   float64 // body bytes received per request (after decompression)
}

// load runs one goroutine per client against the step for d and summarises.
func load(d time.Duration, clients []*http.Client, mk func(int) step) result {
	var wg sync.WaitGroup
	var errs, bytes atomic.Int64
	lat := make([][]time.Duration, len(clients))
	cpu0, alloc0 := cpuTime(), allocated()
	deadline := time.Now().Add(d)
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *http.Client) {
			defer wg.Done()
			s := mk(i)
			st := &clientState{}
			for time.Now().Before(deadline) {
				t0 := time.Now()
				n, ok := s(c, st)
				if !ok {
					errs.Add(1)
					continue
				}
				bytes.Add(n)
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, alloc := cpuTime()-cpu0, allocated()-alloc0
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{errors: errs.Load()}
	if n := len(all); n > 0 {
		r.rps = float64(n) / elapsed.Seconds()
		r.p50 = all[n/2]
		r.p99 = all[n*99/100]
		r.cpuMs = float64(cpu.Microseconds()) / 1000 / float64(n)
		r.allocKB = float64(alloc) / 1024 / float64(n)
		r.sentKB = float64(bytes.Load()) / 1024 / float64(n)
	}
	return r
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
