// Command hubload measures Hub Admin's pages under load on this machine and prints a Markdown
// table. Absolute numbers depend on the machine, so every figure is also given as a ratio to a
// bare net/http "hello" server measured in the same run, on the same loopback.
//
// It starts both servers itself on 127.0.0.1 (random ports) over a fresh demo database in a
// temporary folder, signs in once per client, and sends requests for a bounded time per page.
//
//	go run ./cmd/hubload -duration 5s -clients 8
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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hubadmin/store"
	"hubadmin/store/password"
	"hubadmin/web"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long to load each page (bounded: at most 60s)")
	clients := flag.Int("clients", 8, "concurrent clients (at most 64)")
	pages := flag.String("pages", "/login,/roles,/me/access,/admin", "comma-separated paths to load (signed in as the Global Admin, except /login)")
	flag.Parse()
	if *duration > time.Minute {
		*duration = time.Minute
	}
	if *clients < 1 || *clients > 64 {
		*clients = 8
	}
	if err := run(*duration, *clients, strings.Split(*pages, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "hubload:", err)
		os.Exit(1)
	}
}

const demoPassword = "load-test-password"

func run(duration time.Duration, clients int, pages []string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hubload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "load.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	if _, err := db.SeedDemo(ctx, hash); err != nil {
		return err
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

	fmt.Printf("Hub Admin load: %d clients, %s per page, %s\n\n", clients, duration, time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| Page | Requests/s | p50 | p99 | Errors | Ratio to bare net/http |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	base := load(duration, clients, func() (*http.Client, error) { return newClient(), nil }, helloURL+"/")
	fmt.Printf("| bare net/http hello | %.0f | %s | %s | %d | 100 %% |\n", base.rps, base.p50, base.p99, base.errors)
	for _, page := range pages {
		page = strings.TrimSpace(page)
		signIn := page != "/login"
		res := load(duration, clients, func() (*http.Client, error) {
			c := newClient()
			if signIn {
				return c, login(c, appURL)
			}
			return c, nil
		}, appURL+page)
		fmt.Printf("| %s | %.0f | %s | %s | %d | %.1f %% |\n", page, res.rps, res.p50, res.p99, res.errors, 100*res.rps/base.rps)
	}
	return nil
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

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// login signs a client in as the demo Global Admin through the real form.
func login(c *http.Client, base string) error {
	resp, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on /login")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {"global.admin@contoso.example"}, "password": {demoPassword}, "_csrf": {string(m[1])}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign-in answered %d", resp.StatusCode)
	}
	return nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load runs clients in parallel against target for d and summarises.
func load(d time.Duration, clients int, newC func() (*http.Client, error), target string) result {
	var wg sync.WaitGroup
	var errs atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := newC()
			if err != nil {
				errs.Add(1)
				return
			}
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := c.Get(target)
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := result{errors: errs.Load()}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50 = all[len(all)/2].Round(10 * time.Microsecond)
		r.p99 = all[len(all)*99/100].Round(10 * time.Microsecond)
	}
	return r
}
