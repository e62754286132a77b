package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"hubadmin/store/perm"
)

// peopleInvite invites emails into ws as the CSAM and returns the links' tokens, in order.
func (w *peopleWorld) invite(t *testing.T, ws int64, reqs ...InviteRequest) []string {
	t.Helper()
	csam, access := w.person(t, "csam@microsoft.example")
	var tokens []string
	err := w.db.Invite(context.Background(), peopleActor(csam), access, w.contoso, ws, NewSubmissionToken(), reqs, func(email, token string) Mail {
		tokens = append(tokens, token)
		return peopleTestMail(email, token)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func TestInviteIsAllOrNothing(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	csam, access := w.person(t, "csam@microsoft.example")
	err := w.db.Invite(ctx, peopleActor(csam), access, w.contoso, w.wsContoso, NewSubmissionToken(),
		[]InviteRequest{{Email: "good@contoso.example"}, {Email: "user@contoso.example"}}, peopleTestMail)
	var problems InviteProblems
	if !errors.As(err, &problems) || len(problems[0]) != 0 || problems[1]["email"] != "people.invite.error.member" {
		t.Fatalf("Invite = %v, want the second row refused as a member", err)
	}
	if _, err := w.db.PersonByEmail(ctx, "good@contoso.example"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused batch created the good row's person: %v", err)
	}
	out, err := w.db.Outbox(ctx, w.contoso, w.wsContoso, "", "")
	if err != nil || out.Total != 0 {
		t.Errorf("a refused batch queued %d messages (%v)", out.Total, err)
	}
}

func TestInvitationTokenIsStoredHashedOnly(t *testing.T) {
	w := newPeopleWorld(t)
	tokens := w.invite(t, w.wsLabs, InviteRequest{Email: "hash@contoso.example"})
	var n int
	if err := w.db.read.QueryRow(`SELECT count(*) FROM invitations WHERE token_hash = ?`, tokens[0]).Scan(&n); err != nil || n != 0 {
		t.Errorf("the raw token is in the table (%d rows, %v)", n, err)
	}
	if err := w.db.read.QueryRow(`SELECT count(*) FROM invitations WHERE token_hash = ?`, HashToken(tokens[0])).Scan(&n); err != nil || n != 1 {
		t.Errorf("the token's hash is not stored (%d rows, %v)", n, err)
	}
}

func TestAcceptInvitationOnlyOnceUnderConcurrency(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	tokens := w.invite(t, w.wsLabs, InviteRequest{Email: "race@contoso.example", Permissions: []perm.Permission{perm.Training}, MakeAdmin: true})
	const attempts = 20
	var wg sync.WaitGroup
	results := make(chan error, attempts)
	for i := 0; i < attempts; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tokens[0], DisplayName: fmt.Sprintf("Racer %d", i), PasswordHash: "hash"})
			results <- err
		}(i)
	}
	wg.Wait()
	close(results)
	ok, used := 0, 0
	for err := range results {
		var gone *InvitationStateError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &gone) && gone.State == InvitationUsed:
			used++
		case err != nil:
			var rule *RuleError
			if errors.As(err, &rule) {
				used++ // the account got its password from the winner: "another account" now
				continue
			}
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || used != attempts-1 {
		t.Errorf("%d accepted, %d refused; want exactly one acceptance", ok, used)
	}
	p, a := w.person(t, "race@contoso.example")
	if !a.WorkspaceAdminOf(w.wsLabs) || !a.Workspace(w.wsLabs, perm.Training) || !a.Workspace(w.wsLabs, perm.Health) {
		t.Errorf("the invitee holds %v in Labs, want Workspace Admin's permissions and Training", a.WorkspacePermissions(w.wsLabs))
	}
	m, err := w.db.WorkspaceMember(ctx, w.contoso, w.wsLabs, p.ID)
	if err != nil || m.Status != StatusActive || m.Invitation != nil {
		t.Errorf("member after acceptance = %+v (%v), want active without a live invitation", m, err)
	}
}

func TestInvitationStates(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	now := w.db.Now()
	w.db.Now = func() time.Time { return now }
	tokens := w.invite(t, w.wsLabs, InviteRequest{Email: "state@contoso.example"})
	info, err := w.db.InvitationByToken(ctx, tokens[0])
	if err != nil || info.State != InvitationValid || info.WorkspaceName != "Contoso Labs" || info.HasPassword {
		t.Fatalf("fresh invitation = %+v, %v", info, err)
	}
	w.db.Now = func() time.Time { return now.Add(InvitationTTL) }
	if info, _ := w.db.InvitationByToken(ctx, tokens[0]); info.State != InvitationExpired {
		t.Errorf("at expiry: state %q, want expired", info.State)
	}
	_, _, err = w.db.AcceptInvitation(ctx, Acceptance{Token: tokens[0], DisplayName: "Late", PasswordHash: "h"})
	var gone *InvitationStateError
	if !errors.As(err, &gone) || gone.State != InvitationExpired {
		t.Errorf("accepting an expired invitation: %v", err)
	}
	for _, forged := range []string{"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := w.db.InvitationByToken(ctx, forged); !errors.Is(err, ErrNotFound) {
			t.Errorf("token %q: %v, want ErrNotFound", forged, err)
		}
	}
}

func TestOutboxPagesNewestFirst(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	var reqs []InviteRequest
	for i := 0; i < PageSize+5; i++ {
		reqs = append(reqs, InviteRequest{Email: fmt.Sprintf("o%02d@contoso.example", i)})
	}
	w.invite(t, w.wsLabs, reqs...)
	var first ListPage[OutboxMessage]
	var err error
	if n := w.db.Counting(func() { first, err = w.db.Outbox(ctx, w.contoso, w.wsLabs, "", "") }); n > 3 || err != nil {
		t.Fatalf("first page: %d statements, %v", n, err)
	}
	if len(first.Items) != PageSize || first.Items[0].To != fmt.Sprintf("o%02d@contoso.example", PageSize+4) || first.Total != PageSize+5 {
		t.Errorf("first page: %d items, first to %s, total %d", len(first.Items), first.Items[0].To, first.Total)
	}
	second, err := w.db.Outbox(ctx, w.contoso, w.wsLabs, first.Next, "")
	if err != nil || len(second.Items) != 5 || second.Next != "" || second.Prev == "" {
		t.Fatalf("second page: %d items, next %q, prev %q, %v", len(second.Items), second.Next, second.Prev, err)
	}
	back, err := w.db.Outbox(ctx, w.contoso, w.wsLabs, "", second.Prev)
	if err != nil || len(back.Items) != PageSize || back.Items[0].ID != first.Items[0].ID || back.Prev != "" {
		t.Errorf("back to the first page: %d items, %v", len(back.Items), err)
	}
	other, err := w.db.Outbox(ctx, 2, w.wsLabs, "", "")
	if err != nil || other.Total != 0 {
		t.Errorf("another tenant sees %d of Contoso's messages", other.Total)
	}
	unsent, err := w.db.UnsentMail(ctx, 10)
	if err != nil || len(unsent) != 10 || unsent[0].To != "o00@contoso.example" {
		t.Fatalf("unsent oldest first: %d, %v", len(unsent), err)
	}
	if err := w.db.MarkMailSent(ctx, unsent[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.MarkMailSent(ctx, unsent[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("marking a sent message again: %v, want ErrNotFound", err)
	}
	for i := 0; i < MaxMailAttempts; i++ {
		if err := w.db.MarkMailFailed(ctx, unsent[1].ID, "550 no"); err != nil {
			t.Fatal(err)
		}
	}
	next, err := w.db.UnsentMail(ctx, 1)
	if err != nil || next[0].ID != unsent[2].ID {
		t.Errorf("after one sent and one given up, the next is %v (%v), want the third", next, err)
	}
}
