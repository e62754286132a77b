// Command hubadmin runs the Hub Admin admin center: it opens (and migrates) the SQLite
// database, creates the demo world on first start, and serves HTTP until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hubadmin/store"
	"hubadmin/store/mailer"
	"hubadmin/store/password"
	"hubadmin/web"
)

// config is everything the command reads from flags and the environment.
type config struct {
	addr            string
	dbPath          string
	sessionKey      string
	trustedProxies  string
	secureCookies   bool
	demo            bool
	idleTimeout     time.Duration
	absoluteTimeout time.Duration
	smtpURL         string
	baseURL         string
	healthcheck     bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "audit" {
		os.Exit(auditCommand(context.Background(), os.Args[2:], os.Getenv, os.Stdout))
	}
	if len(os.Args) > 1 && os.Args[1] == "reset-password" {
		if err := resetPassword(os.Args[2:], os.Getenv, os.Stdin, os.Stdout); err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(os.Stderr, "hubadmin reset-password:", err)
			}
			os.Exit(2)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "seed-bench" {
		if err := seedBenchCommand(os.Args[2:], os.Getenv, os.Stdout, os.Stderr); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return
			}
			fmt.Fprintln(os.Stderr, "hubadmin seed-bench:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubadmin:", err)
		os.Exit(2)
	}
	if cfg.healthcheck {
		os.Exit(healthcheck(cfg.addr))
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(cfg, logger, os.Stdout, os.Getenv("HUBADMIN_DEMO_PASSWORD")); err != nil {
		logger.Error("hubadmin stopped", "err", err)
		os.Exit(1)
	}
}

// parseConfig reads flags, each defaulting to its HUBADMIN_* environment variable.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	// A malformed environment value is an error, not silently the default: a typo in
	// HUBADMIN_SECURE_COOKIES must not serve cookies without Secure.
	var envErrs []error
	envBool := func(name string, def bool) bool {
		v := getenv(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s=%q: not true or false", name, v))
		}
		return b
	}
	envDur := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			envErrs = append(envErrs, fmt.Errorf("%s=%q: not a positive duration such as 30m", name, v))
		}
		return d
	}
	var c config
	fs := flag.NewFlagSet("hubadmin", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: hubadmin [flags]\n\nRuns the Hub Admin admin center. Every flag can also be set by the environment variable in brackets.\nHUBADMIN_DEMO_PASSWORD (environment only) sets the demo people's password; otherwise a random one is printed once.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", env("HUBADMIN_ADDR", "127.0.0.1:8080"), "address to listen on [HUBADMIN_ADDR]")
	fs.StringVar(&c.dbPath, "db", env("HUBADMIN_DB", "./hubadmin.db"), "SQLite database file, created if missing [HUBADMIN_DB]")
	fs.StringVar(&c.sessionKey, "session-key", env("HUBADMIN_SESSION_KEY", ""), "key (32+ characters) signing session cookies; default: a random key kept in the database [HUBADMIN_SESSION_KEY]")
	fs.StringVar(&c.trustedProxies, "trusted-proxy", env("HUBADMIN_TRUSTED_PROXY", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted [HUBADMIN_TRUSTED_PROXY]")
	fs.BoolVar(&c.secureCookies, "secure-cookies", envBool("HUBADMIN_SECURE_COOKIES", false), "mark cookies Secure (set when served over HTTPS) [HUBADMIN_SECURE_COOKIES]")
	fs.BoolVar(&c.demo, "demo", envBool("HUBADMIN_DEMO", true), "create the demo world when the database is empty [HUBADMIN_DEMO]")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", envDur("HUBADMIN_IDLE_TIMEOUT", 30*time.Minute), "sign out after this long without a request [HUBADMIN_IDLE_TIMEOUT]")
	fs.DurationVar(&c.absoluteTimeout, "absolute-timeout", envDur("HUBADMIN_ABSOLUTE_TIMEOUT", 12*time.Hour), "sign out this long after sign-in, whatever happens [HUBADMIN_ABSOLUTE_TIMEOUT]")
	fs.StringVar(&c.smtpURL, "smtp-url", env("HUBADMIN_SMTP_URL", ""), "send invitations through this server (smtp://user:pass@host:port); default: keep them in the outbox page [HUBADMIN_SMTP_URL]")
	fs.StringVar(&c.baseURL, "base-url", env("HUBADMIN_BASE_URL", ""), "public address used in links sent by mail; default: http://<addr> [HUBADMIN_BASE_URL]")
	fs.BoolVar(&c.healthcheck, "healthcheck", false, "ask a running server's /healthz and exit 0 if it answers (for container health checks)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := errors.Join(envErrs...); err != nil {
		return c, err
	}
	if c.idleTimeout <= 0 || c.absoluteTimeout <= 0 {
		return c, errors.New("the idle and absolute timeouts must be positive")
	}
	if c.sessionKey != "" && len(c.sessionKey) < 32 {
		return c, errors.New("the session key must be at least 32 characters")
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	return c, nil
}

func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if strings.Contains(part, ":") {
				part += "/128"
			} else {
				part += "/32"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(cfg config, logger *slog.Logger, out io.Writer, demoPassword string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Info("soft memory limit", "bytes", setMemoryLimit())

	db, err := store.Open(ctx, cfg.dbPath)
	if err != nil {
		return err
	}
	defer db.Close()

	if cfg.demo {
		if err := seedDemo(ctx, db, out, cfg.baseURL, demoPassword); err != nil {
			return err
		}
	}
	key := []byte(cfg.sessionKey)
	if len(key) == 0 {
		if key, err = db.Secret(ctx, "session_key", 64); err != nil {
			return err
		}
	}
	proxies, err := parseCIDRs(cfg.trustedProxies)
	if err != nil {
		return err
	}
	srv := web.New(db, web.Config{
		SessionKey: key, TrustedProxies: proxies, SecureCookies: cfg.secureCookies,
		IdleTimeout: cfg.idleTimeout, AbsoluteTimeout: cfg.absoluteTimeout,
		SMTPURL: cfg.smtpURL, BaseURL: cfg.baseURL, Logger: logger,
	})
	// With an SMTP URL, a background sender delivers the outbox; Stop (deferred, so before the
	// database closes) lets the message in hand finish. Without one, Start returns nil.
	mailSender, err := mailer.Start(db, cfg.smtpURL, logger)
	if err != nil {
		return err
	}
	defer mailSender.Stop()
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purgeDone := make(chan struct{})
	go func() { runAuditPurge(purgeCtx, db, logger); close(purgeDone) }()
	// Deferred after the database's Close, so it runs before: the purge ends first.
	defer func() { stopPurge(); <-purgeDone }()
	housekeepingCtx, stopHousekeeping := context.WithCancel(ctx)
	waitHousekeeping := srv.StartHousekeeping(housekeepingCtx)
	defer waitHousekeeping() // deferred before the database closes: the purge in hand finishes
	defer stopHousekeeping()
	httpServer := web.HTTPServer(cfg.addr, srv.Handler())
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Info("Hub Admin is listening", "url", "http://"+ln.Addr().String(), "db", cfg.dbPath)
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return httpServer.Shutdown(shutdownCtx)
}

// seedDemo creates the demo world on first start and prints, once, how to sign in. It asks
// first whether a world exists: hashing a password (argon2id, 19 MiB) on every start of an
// existing database cost memory and time for nothing.
func seedDemo(ctx context.Context, db *store.DB, out io.Writer, baseURL, demoPassword string) error {
	if exists, err := db.HasWorld(ctx); err != nil || exists {
		return err
	}
	pw := demoPassword
	if pw == "" {
		pw = password.Random(16)
	}
	// Each demo person gets a hash of their own (own salt); none is made if the world exists.
	created, err := db.SeedDemoHashing(ctx, func() (string, error) { return password.Hash(pw) })
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(out, "\nHub Admin demo world created. Sign in at %s/login\n", baseURL)
	if demoPassword == "" {
		fmt.Fprintf(out, "Password for every demo person (shown only this once): %s\n", pw)
	} else {
		fmt.Fprintln(out, "Password for every demo person: the one in HUBADMIN_DEMO_PASSWORD")
	}
	for _, p := range store.DemoPeople {
		fmt.Fprintf(out, "  %-36s %s\n", p.Email, p.Role)
	}
	fmt.Fprintln(out)
	return nil
}

// healthcheck asks the server's /healthz; used by the container's HEALTHCHECK.
func healthcheck(addr string) int {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
