package signer

import (
	"bytes"
	"context"
	"reflect"
	"testing"
)

// Issue hands back the record the store committed — what a read would
// return — for a new certificate and for a duplicate request.
func TestResultCarriesRecord(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	defer st.Close()
	is := newIssuer(t, "ca", "tc26-256-A")
	s, err := Open(ctx, st, []*Issuer{is}, Options{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := request(t, "ca", "tc26-256-A", "record-1")
	req.Centre = "centre-1"
	for _, dup := range []bool{false, true} {
		res := mustIssue(t, s, req)
		if res.Duplicate != dup || res.Record == nil {
			t.Fatalf("duplicate=%v record=%v, want duplicate=%v and a record", res.Duplicate, res.Record, dup)
		}
		got, err := st.Certificate(ctx, res.Serial)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, *res.Record) {
			t.Fatalf("duplicate=%v: result record\n%+v\nstore\n%+v", dup, *res.Record, *got)
		}
		if !bytes.Equal(res.Record.DER, res.DER) || res.Record.Centre != "centre-1" || res.Record.RequestID != "record-1" {
			t.Fatalf("record does not describe the certificate: %+v", *res.Record)
		}
	}
}
