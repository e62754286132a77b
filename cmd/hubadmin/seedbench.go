package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"hubadmin/store"
)

// seedBenchCommand is `hubadmin seed-bench`: it builds a scale world in a database (the demo
// world first when the database is empty, then BenchSize more rows), so anyone can measure the
// pages at the size issue 19 names with one command:
//
//	hubadmin seed-bench -db /tmp/scale.db
func seedBenchCommand(args []string, getenv func(string) string, out, errOut io.Writer) error {
	def := store.ScaleWorld
	var size store.BenchSize
	fs := flag.NewFlagSet("hubadmin seed-bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: hubadmin seed-bench [flags]\n\nAdds a scale world to the demo world (created first when the database is empty; its password is\nHUBADMIN_DEMO_PASSWORD, or a random one printed once). Run it once, on a database of its own.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	dbPath := fs.String("db", "./hubadmin-bench.db", "SQLite database file, created if missing")
	fs.IntVar(&size.Tenants, "tenants", def.Tenants, "extra tenants")
	fs.IntVar(&size.Workspaces, "workspaces", def.Workspaces, "workspaces added to Contoso")
	fs.IntVar(&size.People, "people", def.People, "people in Contoso's default workspace (one in ten with an individual grant)")
	fs.IntVar(&size.Audit, "audit", def.Audit, "rows added to Contoso's audit log")
	fs.IntVar(&size.Subscribers, "subscribers", def.Subscribers, "newsletter subscribers of Contoso")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, n := range []int{size.Tenants, size.Workspaces, size.People, size.Audit, size.Subscribers} {
		if n < 0 || n > 10_000_000 {
			return fmt.Errorf("sizes go from 0 to 10,000,000")
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedDemo(ctx, db, out, "http://127.0.0.1:8080", getenv("HUBADMIN_DEMO_PASSWORD")); err != nil {
		return err
	}
	start := time.Now()
	err = db.SeedBench(ctx, size, func(s store.BenchStep) {
		fmt.Fprintf(out, "%-12s %10d rows in %s\n", s.What, s.Rows, s.Took.Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "scale world ready in %s: %s\n", time.Since(start).Round(time.Millisecond), *dbPath)
	return nil
}
