package store

import (
	"bytes"
	"sort"
	"testing"
	"time"
)

// org issues n certificates of one organisation; certificate i starts on
// day i/2 (so pairs share NotBefore and order by serial) and expires on
// day 100+i.
func org(t *testing.T, s *Store, n int) []*CertRecord {
	t.Helper()
	var out []*CertRecord
	for i := range n {
		ids := Identifiers{OGRN: "1027700132195", SNILS: "11223344595"}
		out = append(out, issueN(t, s, 1000-i, ids, func(is *Issued) {
			is.NotBefore = t0.AddDate(0, 0, i/2)
			is.NotAfter = t0.AddDate(0, 0, 100+i)
		}))
	}
	return out
}

func TestFindCertificatesPagination(t *testing.T) {
	s := newStore(t)
	certs := org(t, s, 25)
	want := append([]*CertRecord(nil), certs...)
	sort.Slice(want, func(i, j int) bool {
		if !want[i].NotBefore.Equal(want[j].NotBefore) {
			return want[i].NotBefore.Before(want[j].NotBefore)
		}
		return bytes.Compare(want[i].Serial, want[j].Serial) < 0
	})
	var got []CertRecord
	cursor, pages := "", 0
	for {
		page, next, err := s.FindCertificates(ctx, Query{Field: ByOGRN, Value: "1027700132195", Cursor: cursor, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		if next == "" {
			break
		}
		if len(page) != 10 {
			t.Fatalf("page %d has %d, with a next cursor", pages, len(page))
		}
		cursor = next
	}
	if pages != 3 || len(got) != 25 {
		t.Fatalf("%d pages, %d results", pages, len(got))
	}
	for i := range want {
		if !bytes.Equal(got[i].Serial, want[i].Serial) {
			t.Fatalf("result %d is %x, want %x", i, got[i].Serial, want[i].Serial)
		}
	}
	// Exactly a page: no dangling next cursor.
	page, next, err := s.FindCertificates(ctx, Query{Field: BySNILS, Value: "11223344595", Limit: 25})
	if err != nil || len(page) != 25 || next != "" {
		t.Fatalf("limit 25: %d, %q, %v", len(page), next, err)
	}

	// Status filter.
	for _, c := range certs[:7] {
		if err := s.SetStatus(ctx, c.Serial, StatusChange{State: Revoked, Reason: 1, At: t0}, AuditEntry{Actor: "op"}); err != nil {
			t.Fatal(err)
		}
	}
	var revoked []CertRecord
	cursor = ""
	for {
		page, next, err := s.FindCertificates(ctx, Query{Field: ByOGRN, Value: "1027700132195", Status: Revoked, Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if c.Status.State != Revoked {
				t.Fatalf("filter let %s through", c.Status.State)
			}
		}
		revoked = append(revoked, page...)
		if cursor = next; next == "" {
			break
		}
	}
	if len(revoked) != 7 {
		t.Fatalf("%d revoked found", len(revoked))
	}

	for _, q := range []Query{
		{Field: BySNILS, Value: "1122334459"},
		{Field: ByINN, Value: "50010073225x"},
		{Field: 0, Value: "1"},
		{Field: ByKeyHash, Value: "zz"},
		{Field: ByOGRN, Value: "1027700132195", Cursor: "!!"},
		{Field: ByOGRN, Value: "1027700132195", Status: 9},
	} {
		_, _, err := s.FindCertificates(ctx, q)
		wantErr(t, err, ErrInvalidInput)
	}
	mustCheck(t, s)
}

func TestExpiring(t *testing.T) {
	s := newStore(t)
	org(t, s, 30) // expiring on days 100..129
	// Ask for days 105..124.
	from, to := t0.AddDate(0, 0, 105), t0.AddDate(0, 0, 125)
	var got []CertRecord
	cursor := ""
	for {
		page, next, err := s.Expiring(ctx, from, to, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if cursor = next; next == "" {
			break
		}
	}
	if len(got) != 20 {
		t.Fatalf("%d expiring, want 20", len(got))
	}
	for i, c := range got {
		if want := from.AddDate(0, 0, i); !c.NotAfter.Equal(want) {
			t.Fatalf("result %d expires %v, want %v", i, c.NotAfter, want)
		}
	}
	_, _, err := s.Expiring(ctx, to, from, "", 0)
	wantErr(t, err, ErrInvalidInput)
	// A cursor past the range ends the scan cleanly.
	page, next, err := s.Expiring(ctx, from, to, encodeCursor([]byte{pExpiry}, appendTime([]byte{pExpiry}, to.Add(time.Hour))), 5)
	if err != nil || len(page) != 0 || next != "" {
		t.Fatalf("cursor past range: %d %q %v", len(page), next, err)
	}
}
