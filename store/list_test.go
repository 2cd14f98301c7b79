package store

import (
	"fmt"
	"testing"
	"time"
)

// issueListed issues certificate n by issuer, profile and centre, with
// notBefore t0 + n hours and a validity of (50 − n) days, so that expiry
// order is the reverse of issue order.
func issueListed(t *testing.T, s *Store, n int, issuer, profile, centre string) {
	t.Helper()
	in := intentN(n, fmt.Sprintf("req-%d", n))
	in.IssuerID, in.Profile, in.Centre = issuer, profile, centre
	is := issuedFor(in, Identifiers{})
	is.NotBefore = t0.Add(time.Duration(n) * time.Hour)
	is.NotAfter = is.NotBefore.AddDate(0, 0, 50-n)
	mustPut(t, s, in)
	if err := s.CommitIssued(ctx, []Issued{is}); err != nil {
		t.Fatal(err)
	}
}

// listAll follows the cursors of q to the end.
func listAll(t *testing.T, s *Store, q Query) (serials []int, pages int) {
	t.Helper()
	for {
		page, next, err := s.FindCertificates(ctx, q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		pages++
		for _, c := range page {
			serials = append(serials, int(c.Serial[len(c.Serial)-1]))
		}
		if next == "" {
			return serials, pages
		}
		q.Cursor = next
		if pages > 100 {
			t.Fatal("cursor loop")
		}
	}
}

// TestListCertificates: a query without an identifier lists every
// certificate through the filters (status, issuer, profile, centre,
// notBefore range), page by page.
func TestListCertificates(t *testing.T) {
	s := newStore(t)
	for n := 1; n <= 12; n++ {
		issuer, profile, centre := "ca1", "qualified-person", ""
		if n%2 == 0 {
			issuer = "ca2"
		}
		if n%3 == 0 {
			profile = "tls-client"
		}
		if n%4 == 0 {
			centre = "c1"
		}
		issueListed(t, s, n, issuer, profile, centre)
	}
	for _, n := range []int{2, 5, 9} {
		if err := s.SetStatus(ctx, serialN(n), StatusChange{State: Revoked, Reason: 1, At: t0.Add(100 * time.Hour)}, AuditEntry{Actor: "op"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetStatus(ctx, serialN(4), StatusChange{State: OnHold, Reason: 6, At: t0.Add(100 * time.Hour)}, AuditEntry{Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	set := func(ns []int) string { return fmt.Sprint(sortedInts(ns)) }
	for _, c := range []struct {
		name string
		q    Query
		want []int
	}{
		{"all", Query{}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"revoked", Query{Status: Revoked}, []int{2, 5, 9}},
		{"on hold", Query{Status: OnHold}, []int{4}},
		{"valid", Query{Status: Valid}, []int{1, 3, 6, 7, 8, 10, 11, 12}},
		{"revoked by ca2", Query{Status: Revoked, Issuer: "ca2"}, []int{2}},
		{"issuer", Query{Issuer: "ca2"}, []int{2, 4, 6, 8, 10, 12}},
		{"profile", Query{Profile: "tls-client"}, []int{3, 6, 9, 12}},
		{"centre", Query{Centre: "c1"}, []int{4, 8, 12}},
		{"since", Query{Since: t0.Add(10 * time.Hour)}, []int{10, 11, 12}},
		{"until", Query{Until: t0.Add(3 * time.Hour)}, []int{1, 2}},
		{"range and profile", Query{Since: t0.Add(2 * time.Hour), Until: t0.Add(10 * time.Hour), Profile: "qualified-person"}, []int{2, 4, 5, 7, 8}},
	} {
		for _, limit := range []int{0, 1, 5} {
			q := c.q
			q.Limit = limit
			got, pages := listAll(t, s, q)
			if set(got) != set(c.want) || len(got) != len(c.want) {
				t.Errorf("%s (limit %d): %v, want %v", c.name, limit, got, c.want)
			}
			if limit == 1 && pages < len(c.want) {
				t.Errorf("%s: %d pages of one for %d certificates", c.name, pages, len(c.want))
			}
		}
	}
	// The expiry index orders the full listing: the latest issued here
	// expires first.
	if got, _ := listAll(t, s, Query{}); got[0] != 12 || got[11] != 1 {
		t.Errorf("order: %v", got)
	}
	if _, _, err := s.FindCertificates(ctx, Query{Since: t0.Add(time.Hour), Until: t0}); err == nil {
		t.Error("empty date range accepted")
	}
	// Identifier and centre searches take the same filters.
	page, _, err := s.FindCertificates(ctx, Query{Field: ByCentre, Value: "c1", Since: t0.Add(5 * time.Hour), Profile: "tls-client"})
	if err != nil || len(page) != 1 || page[0].Serial[15] != 12 {
		t.Errorf("centre with filters: %v %d", err, len(page))
	}
}

// TestListScanBudget: a page visits at most listScanBudget index
// entries, then answers with what it found and a cursor.
func TestListScanBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("issues more than a scan budget of certificates")
	}
	s := newStore(t)
	const n = listScanBudget + 10
	batch := make([]Intent, 0, 1000)
	issued := make([]Issued, 0, 1000)
	flush := func() {
		mustPut(t, s, batch...)
		if err := s.CommitIssued(ctx, issued); err != nil {
			t.Fatal(err)
		}
		batch, issued = batch[:0], issued[:0]
	}
	for i := 1; i <= n; i++ {
		in := intentN(i, "")
		if i == n {
			in.Profile = "rare"
		}
		batch = append(batch, in)
		is := issuedFor(in, Identifiers{})
		is.Outbox, is.NotAfter = nil, t0.Add(time.Duration(i)*time.Minute+time.Hour)
		issued = append(issued, is)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	page, next, err := s.FindCertificates(ctx, Query{Profile: "rare"})
	if err != nil || len(page) != 0 || next == "" {
		t.Fatalf("first page: %v, %d items, next %q", err, len(page), next)
	}
	page, next, err = s.FindCertificates(ctx, Query{Profile: "rare", Cursor: next})
	if err != nil || len(page) != 1 || next != "" {
		t.Fatalf("second page: %v, %d items, next %q", err, len(page), next)
	}
}

func sortedInts(v []int) []int {
	out := append([]int(nil), v...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
