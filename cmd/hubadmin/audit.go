package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"hubadmin/store"
)

// auditCommand runs `hubadmin audit verify -tenant ID | -file F` and `hubadmin audit system`.
// It returns the exit status: 0 the chain holds, 1 it is broken, 2 the command could not run.
func auditCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "system") {
		fmt.Fprintln(out, "Usage: hubadmin audit verify -tenant ID [-db FILE] | hubadmin audit verify -file EVIDENCE.json | hubadmin audit system [-db FILE]")
		return 2
	}
	fs := flag.NewFlagSet("hubadmin audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	dbPath := getenv("HUBADMIN_DB")
	if dbPath == "" {
		dbPath = "./hubadmin.db"
	}
	fs.StringVar(&dbPath, "db", dbPath, "SQLite database file [HUBADMIN_DB]")
	tenant := fs.Int64("tenant", 0, "tenant whose chain to verify")
	file := fs.String("file", "", "evidence bundle to verify offline (no database needed)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if args[0] == "verify" && *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintln(out, "hubadmin audit verify:", err)
			return 2
		}
		defer f.Close()
		v, ev, err := store.VerifyEvidence(f)
		if err != nil {
			fmt.Fprintln(out, "hubadmin audit verify:", err)
			return 2
		}
		fmt.Fprintf(out, "evidence of tenant %d, %s to %s, made %s\nanchor (hash before the first entry): %s\nhead when made: %s\n",
			ev.TenantID, orAll(ev.From), orAll(ev.To), ev.GeneratedAt, orNone(ev.AnchorPrevHash), orNone(ev.HeadHash))
		return report(out, v)
	}
	if _, err := os.Stat(dbPath); err != nil {
		fmt.Fprintln(out, "hubadmin audit:", err)
		return 2
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		fmt.Fprintln(out, "hubadmin audit:", err)
		return 2
	}
	defer db.Close()
	if args[0] == "system" {
		err := db.EachSystemAuditRecord(ctx, func(r store.SystemAuditRecord) error {
			_, err := fmt.Fprintf(out, "%d\t%s\t%s\t%s\t%s\t%s\t%q\n", r.ID, r.At, r.Action, r.Email, r.IP, r.RequestID, r.UserAgent)
			return err
		})
		if err != nil {
			fmt.Fprintln(out, "hubadmin audit system:", err)
			return 2
		}
		return 0
	}
	if *tenant == 0 {
		fmt.Fprintln(out, "hubadmin audit verify: give -tenant ID or -file F")
		return 2
	}
	v, err := db.VerifyAuditChain(ctx, *tenant)
	if err != nil {
		fmt.Fprintln(out, "hubadmin audit verify:", err)
		return 2
	}
	fmt.Fprintf(out, "tenant %d\n", *tenant)
	if c := v.Checkpoint; c != nil {
		fmt.Fprintf(out, "from checkpoint %d: %d entries (%d..%d, %s to %s) purged, last hash %s\n", c.ID, c.Count, c.FirstID, c.LastID, c.FirstAt, c.LastAt, orNone(c.LastHash))
	}
	return report(out, v)
}

func report(out io.Writer, v store.Verification) int {
	if v.Unchained > 0 {
		fmt.Fprintf(out, "%d entries written before the chain existed are not covered\n", v.Unchained)
	}
	if v.Broken {
		fmt.Fprintf(out, "BROKEN at entry %d (%s) after %d good entries\n", v.BrokenID, brokenReason(v.Reason), v.Checked)
		return 1
	}
	fmt.Fprintf(out, "OK: %d entries, head %s\n", v.Checked, orNone(v.Head))
	return 0
}

func brokenReason(r string) string {
	switch r {
	case "content":
		return "its content does not match its hash: it was changed after it was written"
	case "link":
		return "it does not link to the entry before it: an entry before it was removed, added or changed"
	case "unhashed":
		return "it has no hash"
	case "tenant":
		return "it belongs to another tenant"
	case "head":
		return "the bundle stops before the head it names: entries after this one were cut off"
	}
	return r
}

func orNone(s string) string {
	if s == "" {
		return "(none: start of the chain)"
	}
	return s
}

func orAll(s string) string {
	if s == "" {
		return "(unbounded)"
	}
	return s
}

// purgeEvery is how often the server removes audit entries past each tenant's retention.
const purgeEvery = 24 * time.Hour

// runAuditPurge purges at start and then every purgeEvery until ctx ends. A round under way
// when ctx ends still finishes (one short transaction per tenant), so the database is closed
// after it. A failure is logged and retried at the next round; it never stops the server.
func runAuditPurge(ctx context.Context, db *store.DB, logger *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		cps, err := db.PurgeAllAudit(context.WithoutCancel(ctx))
		if err != nil {
			logger.Error("audit purge", "err", err)
		}
		for _, c := range cps {
			logger.Info("audit purge", "tenant", c.TenantID, "removed", c.Count, "from", c.FirstAt, "to", c.LastAt, "checkpoint", c.LastHash)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
