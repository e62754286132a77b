package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"hubadmin/store"
	"hubadmin/store/password"
)

// resetPassword is `hubadmin reset-password [-db FILE] EMAIL`: it sets a new password for one
// person, for a lost demo password or a break-glass sign-in (HUBADMIN_DEMO_PASSWORD only
// applies when the demo world is first created). The password comes from HUBADMIN_NEW_PASSWORD
// or the first line of standard input, never from the command line, where `ps` and the shell
// history would keep it. Every session of the person ends.
func resetPassword(args []string, getenv func(string) string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("hubadmin reset-password", flag.ContinueOnError)
	fs.SetOutput(out)
	dbPath := fs.String("db", envOr(getenv, "HUBADMIN_DB", "./hubadmin.db"), "SQLite database file (env HUBADMIN_DB)")
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: hubadmin reset-password [-db FILE] EMAIL")
		fmt.Fprintln(out, "The new password is read from HUBADMIN_NEW_PASSWORD, else from the first line of standard input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("reset-password needs exactly one EMAIL")
	}
	email := strings.TrimSpace(fs.Arg(0))
	pw := getenv("HUBADMIN_NEW_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the new password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if utf8.RuneCountInString(pw) < password.MinLength {
		return fmt.Errorf("the new password must have at least %d characters (HUBADMIN_NEW_PASSWORD or standard input)", password.MinLength)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.PersonByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no person with the email %s in %s", email, *dbPath)
	}
	if err != nil {
		return err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	if err := db.SetPassword(ctx, p.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(out, "The password of %s is changed; their sessions have ended.\n", p.Email)
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
