package ca_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/store"
)

func centrePrincipal(id, centre string) *auth.Principal {
	return &auth.Principal{TokenID: id, Role: auth.RoleServiceCentre, Scope: centre}
}

// centreFixture issues 8 certificates for centre A (7 by A's token, one
// by an operator on A's behalf), 5 for centre B and 2 with no centre, all
// of one subscriber.
type centreFixture struct {
	e        *ca.CA
	a, b     *auth.Principal
	ofA, ofB []string // serials in hex
	none     []string
}

func newCentreFixture(t *testing.T) *centreFixture {
	t.Helper()
	f := &centreFixture{e: catest.Open(t, catest.Config(t)), a: centrePrincipal("ta", "A"), b: centrePrincipal("tb", "B")}
	ctx := context.Background()
	issue := func(p *auth.Principal, centre string) string {
		t.Helper()
		req := catest.PersonRequest(t)
		req.Centre = centre
		r, err := f.e.Issue(ctx, p, req)
		if err != nil {
			t.Fatal(err)
		}
		return ca.FormatSerial(r.Cert.Serial)
	}
	for range 7 {
		f.ofA = append(f.ofA, issue(f.a, ""))
	}
	f.ofA = append(f.ofA, issue(&auth.Principal{TokenID: "op", Role: auth.RoleCAOperator}, "A"))
	for range 5 {
		f.ofB = append(f.ofB, issue(f.b, "B"))
	}
	f.none = append(f.none, issue(catest.Admin, ""), issue(&auth.Principal{TokenID: "cab", Role: auth.RoleCabinet}, ""))
	return f
}

// search pages through sq as p with limit 3 and returns the serials;
// every page but the last must be full.
func (f *centreFixture) search(t *testing.T, p *auth.Principal, sq ca.SearchQuery) []string {
	t.Helper()
	sq.Limit = 3
	var out []string
	for pages := 0; ; pages++ {
		page, next, err := f.e.FindCertificates(context.Background(), p, sq)
		if err != nil {
			t.Fatalf("search %+v as %s: %v", sq, p.Actor(), err)
		}
		if next != "" && len(page) != 3 {
			t.Fatalf("page %d has %d results and a next cursor", pages, len(page))
		}
		for _, c := range page {
			out = append(out, ca.FormatSerial(c.Serial))
		}
		if next == "" || pages > 20 {
			return out
		}
		sq.Cursor = next
	}
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got %d %v, want %d %v", what, len(got), got, len(want), want)
	}
}

// TestCentreSearch: a service centre's searches return exactly its own
// certificates, over several pages, with every filter; an operator can
// list or filter by centre; nobody can widen a centre's view.
func TestCentreSearch(t *testing.T) {
	f := newCentreFixture(t)
	ctx := context.Background()
	all := slices.Concat(f.ofA, f.ofB, f.none)
	snils := "11223344595"

	sameSet(t, "A lists", f.search(t, f.a, ca.SearchQuery{}), f.ofA)
	sameSet(t, "A lists itself by name", f.search(t, f.a, ca.SearchQuery{Centre: "A"}), f.ofA)
	sameSet(t, "B lists", f.search(t, f.b, ca.SearchQuery{}), f.ofB)
	sameSet(t, "A by SNILS", f.search(t, f.a, ca.SearchQuery{SNILS: snils}), f.ofA)
	sameSet(t, "B by INN", f.search(t, f.b, ca.SearchQuery{INN: "500100123426"}), f.ofB)
	sameSet(t, "operator by SNILS", f.search(t, catest.Admin, ca.SearchQuery{SNILS: snils}), all)
	sameSet(t, "operator lists A", f.search(t, catest.Admin, ca.SearchQuery{Centre: "A"}), f.ofA)
	sameSet(t, "auditor: B by SNILS", f.search(t, &auth.Principal{TokenID: "au", Role: auth.RoleAuditor}, ca.SearchQuery{SNILS: snils, Centre: "B"}), f.ofB)

	// Status filter inside the centre: hold one of A's and one of B's.
	for _, c := range []struct {
		p      *auth.Principal
		serial string
	}{{f.a, f.ofA[2]}, {f.b, f.ofB[1]}} {
		s, _ := ca.ParseSerial(c.serial)
		if _, err := f.e.SetStatus(ctx, c.p, s, ca.StatusRequest{Action: ca.Suspend}); err != nil {
			t.Fatal(err)
		}
	}
	sameSet(t, "A's held", f.search(t, f.a, ca.SearchQuery{SNILS: snils, Status: "on_hold"}), f.ofA[2:3])
	sameSet(t, "A's held (list)", f.search(t, f.a, ca.SearchQuery{Status: "on_hold"}), f.ofA[2:3])
	sameSet(t, "A's valid", f.search(t, f.a, ca.SearchQuery{Status: "valid"}), slices.Concat(f.ofA[:2], f.ofA[3:]))

	// Key hash: B's key is invisible to A.
	bRec, err := f.e.Certificate(ctx, f.b, catest.Serial(t, f.ofB[0]))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.search(t, f.a, ca.SearchQuery{KeyHash: bRec.KeyHash.String()}); len(got) != 0 {
		t.Fatalf("A found B's key: %v", got)
	}
	if got := f.search(t, f.b, ca.SearchQuery{KeyHash: bRec.KeyHash.String()}); len(got) != 1 {
		t.Fatalf("B's key: %v", got)
	}

	// B's cursors (a list and an identifier search) give A only A's.
	for _, sq := range []ca.SearchQuery{{Limit: 2}, {SNILS: snils, Limit: 2}} {
		_, next, err := f.e.FindCertificates(ctx, f.b, sq)
		if err != nil || next == "" {
			t.Fatalf("B's first page: %q %v", next, err)
		}
		sq.Cursor = next
		for _, s := range f.search(t, f.a, sq) {
			if !slices.Contains(f.ofA, s) {
				t.Fatalf("A got %s with B's cursor", s)
			}
		}
	}

	// Refusals.
	for _, c := range []struct {
		p    *auth.Principal
		sq   ca.SearchQuery
		code string
	}{
		{f.a, ca.SearchQuery{Centre: "B"}, caerr.CodeForbidden},
		{f.a, ca.SearchQuery{SNILS: snils, Centre: "B"}, caerr.CodeForbidden},
		{centrePrincipal("tx", ""), ca.SearchQuery{SNILS: snils}, caerr.CodeForbidden},                 // never unconfined
		{centrePrincipal("ty", "a b"), ca.SearchQuery{SNILS: snils}, caerr.CodeForbidden},              // hand-edited scope
		{&auth.Principal{TokenID: "c", Role: auth.RoleCabinet}, ca.SearchQuery{}, caerr.CodeForbidden}, // the cabinet names a subscriber
		{catest.Admin, ca.SearchQuery{Centre: "a/b"}, caerr.CodeInvalidRequest},                        // malformed centre
		{catest.Admin, ca.SearchQuery{SNILS: snils, INN: "500100123426"}, caerr.CodeInvalidRequest},    // two identifiers
		{f.a, ca.SearchQuery{Cursor: "!!"}, caerr.CodeInvalidRequest},
		{nil, ca.SearchQuery{SNILS: snils}, caerr.CodeInvalidRequest},
	} {
		if _, _, err := f.e.FindCertificates(ctx, c.p, c.sq); caerr.CodeOf(err) != c.code {
			t.Errorf("%+v as %v: %v, want %s", c.sq, c.p, err, c.code)
		}
	}
}

// TestCentreReadAndStatus: another centre's certificate is exactly an
// unknown serial, for reads and status changes alike (even where the
// change would be an invalid transition); a centre suspends and revokes
// its own with subscriber reasons, never resumes; refusals change nothing.
func TestCentreReadAndStatus(t *testing.T) {
	f := newCentreFixture(t)
	ctx := context.Background()
	unknown := []byte{0x7f, 1, 2, 3}
	_, errUnknown := f.e.Certificate(ctx, f.a, unknown)
	if caerr.CodeOf(errUnknown) != caerr.CodeCertificateNotFound {
		t.Fatalf("unknown serial: %v", errUnknown)
	}
	like := func(what string, err error) {
		t.Helper()
		var e, u *caerr.Error
		if !errors.As(err, &e) || !errors.As(errUnknown, &u) || e.Code != u.Code || e.Detail != u.Detail || e.Field != u.Field {
			t.Fatalf("%s: %v, want the unknown-serial answer %v", what, err, errUnknown)
		}
	}
	bSerial := catest.Serial(t, f.ofB[0])
	_, err := f.e.Certificate(ctx, f.a, bSerial)
	like("A reads B's", err)
	_, err = f.e.Certificate(ctx, f.a, catest.Serial(t, f.none[0]))
	like("A reads a certificate of no centre", err)
	if rec, err := f.e.Certificate(ctx, f.a, catest.Serial(t, f.ofA[7])); err != nil || rec.Centre != "A" {
		t.Fatalf("A reads its own (issued by an operator for A): %v", err)
	}
	if rec, err := f.e.Certificate(ctx, catest.Admin, bSerial); err != nil || rec.Centre != "B" {
		t.Fatalf("admin reads B's: %v", err)
	}

	seq, _, _ := f.e.Store().AuditHead(ctx)
	for _, req := range []ca.StatusRequest{{Action: ca.Suspend}, {Action: ca.Revoke, Reason: "superseded"}} {
		_, err := f.e.SetStatus(ctx, f.a, bSerial, req)
		like("A changes B's "+req.Action.String(), err)
	}
	// A revoked certificate of B: still "not found" for A, never
	// invalid_transition.
	if _, err := f.e.SetStatus(ctx, f.b, catest.Serial(t, f.ofB[4]), ca.StatusRequest{Action: ca.Revoke, Reason: "keyCompromise"}); err != nil {
		t.Fatal(err)
	}
	seq++
	_, err = f.e.SetStatus(ctx, f.a, catest.Serial(t, f.ofB[4]), ca.StatusRequest{Action: ca.Revoke})
	like("A revokes B's revoked", err)
	if rec, _ := f.e.Certificate(ctx, catest.Admin, bSerial); rec.Status.State != store.Valid {
		t.Fatalf("B's certificate changed: %+v", rec.Status)
	}

	own := catest.Serial(t, f.ofA[0])
	for _, c := range []struct {
		req  ca.StatusRequest
		code string
	}{
		{ca.StatusRequest{Action: ca.Revoke, Reason: "cACompromise"}, caerr.CodeForbidden},
		{ca.StatusRequest{Action: ca.Revoke, Reason: "privilegeWithdrawn"}, caerr.CodeForbidden},
		{ca.StatusRequest{Action: ca.Revoke, Reason: "certificateHold"}, caerr.CodeInvalidReason},
		{ca.StatusRequest{Action: ca.Resume}, caerr.CodeForbidden},
	} {
		if _, err := f.e.SetStatus(ctx, f.a, own, c.req); caerr.CodeOf(err) != c.code {
			t.Errorf("%+v: %v, want %s", c.req, err, c.code)
		}
	}
	if got, _, _ := f.e.Store().AuditHead(ctx); got != seq {
		t.Fatalf("refused changes were audited: %d entries, want %d", got, seq)
	}

	// Its own: suspend, then revoke with a subscriber reason; the operator
	// resumes another.
	if rec, err := f.e.SetStatus(ctx, f.a, own, ca.StatusRequest{Action: ca.Suspend}); err != nil || rec.Status.State != store.OnHold {
		t.Fatalf("A suspends its own: %v", err)
	}
	for i, reason := range auth.CentreRevocationReasons {
		serial := catest.Serial(t, f.ofA[1+i])
		if rec, err := f.e.SetStatus(ctx, f.a, serial, ca.StatusRequest{Action: ca.Revoke, Reason: reason}); err != nil || rec.Status.State != store.Revoked {
			t.Fatalf("A revokes its own (%s): %v", reason, err)
		}
	}
	if _, err := f.e.SetStatus(ctx, &auth.Principal{TokenID: "op", Role: auth.RoleCAOperator}, own, ca.StatusRequest{Action: ca.Resume}); err != nil {
		t.Fatal(err)
	}
	// The audit log names the centre's token with its scope.
	entries, _, err := f.e.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.Actor == "token:ta/service_centre/A" {
			n++
		}
	}
	if want := 7 + 1 + len(auth.CentreRevocationReasons); n != want { // issued, suspended, revoked
		t.Fatalf("%d audit entries by A's token, want %d", n, want)
	}
}

// TestCentreIssue: who may record which centre.
func TestCentreIssue(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	a := centrePrincipal("ta", "A")
	op := &auth.Principal{TokenID: "op", Role: auth.RoleCAOperator}
	for _, c := range []struct {
		p      *auth.Principal
		centre string
		code   string
	}{
		{a, "B", caerr.CodeForbidden},
		{&auth.Principal{TokenID: "cab", Role: auth.RoleCabinet}, "A", caerr.CodeForbidden},
		{op, "a b", caerr.CodeInvalidRequest},
		{op, "центр", caerr.CodeInvalidRequest},
		{centrePrincipal("tx", ""), "", caerr.CodeForbidden},
		{nil, "", caerr.CodeInvalidRequest},
	} {
		req := catest.PersonRequest(t)
		req.Centre = c.centre
		if _, err := e.Issue(ctx, c.p, req); caerr.CodeOf(err) != c.code {
			t.Errorf("%v centre %q: %v, want %s", c.p, c.centre, err, c.code)
		}
	}
	if seq, _, _ := e.Store().AuditHead(ctx); seq != 0 {
		t.Fatalf("%d audit entries after refused issuance", seq)
	}
	// A names itself: fine. An operator replays its idempotency key for
	// another centre: a conflict, not the first certificate.
	req := catest.PersonRequest(t)
	req.Centre = "A"
	if r, err := e.Issue(ctx, a, req); err != nil || r.Cert.Centre != "A" {
		t.Fatalf("A names itself: %v", err)
	}
	req = catest.PersonRequest(t)
	req.Centre, req.IdempotencyKey = "A", "k1"
	first, err := e.Issue(ctx, op, req)
	if err != nil || first.Cert.Centre != "A" {
		t.Fatal(err)
	}
	again := *req
	if r, err := e.Issue(ctx, op, &again); err != nil || !r.Duplicate || !bytes.Equal(r.Cert.Serial, first.Cert.Serial) {
		t.Fatalf("replay: %v", err)
	}
	again.Centre = "B"
	if _, err := e.Issue(ctx, op, &again); caerr.CodeOf(err) != caerr.CodeIdempotencyConflict {
		t.Fatalf("replay for another centre: %v", err)
	}
	rep, err := e.Store().Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}
