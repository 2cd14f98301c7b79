package store

import (
	"reflect"
	"testing"
)

// CommitIssuedRecords hands back exactly the records a later read
// returns (store clock, centre from the intent, status Valid), in the
// order given; a failed call returns none and writes nothing.
func TestCommitIssuedRecords(t *testing.T) {
	s := newStore(t)
	in1, in2 := intentN(1, "r1"), intentN(2, "")
	in2.Centre = "centre-2"
	mustPut(t, s, in1, in2)
	ids := Identifiers{SNILS: "11223344595"}
	recs, err := s.CommitIssuedRecords(ctx, []Issued{issuedFor(in2, ids), issuedFor(in1, ids)})
	if err != nil || len(recs) != 2 {
		t.Fatalf("CommitIssuedRecords: %d records, %v", len(recs), err)
	}
	for i, in := range []Intent{in2, in1} {
		got, err := s.Certificate(ctx, in.Serial)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, recs[i]) {
			t.Fatalf("record %d returned\n%+v\nread back\n%+v", i, recs[i], *got)
		}
	}
	if recs[0].Centre != "centre-2" || recs[0].Status.State != Valid || recs[0].IssuedAt.IsZero() {
		t.Fatalf("returned record lacks the store's fields: %+v", recs[0])
	}
	// The second commit of the same serial fails whole: no records.
	in3 := intentN(3, "")
	mustPut(t, s, in3)
	seq := auditSeq(t, s)
	recs, err = s.CommitIssuedRecords(ctx, []Issued{issuedFor(in3, ids), issuedFor(in1, ids)})
	wantErr(t, err, ErrNotFound)
	if recs != nil || auditSeq(t, s) != seq {
		t.Fatalf("failed commit returned %d records or wrote audit entries", len(recs))
	}
	if _, err := s.Certificate(ctx, in3.Serial); err == nil {
		t.Fatal("a certificate of the failed batch was written")
	}
}
