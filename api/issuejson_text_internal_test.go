package api

import (
	"reflect"
	"testing"
)

// The scanner's strings share one copy of the body, never the body
// itself: fasthttp reuses the request buffer once the handler returns,
// and what was read must not change with it. One copy, not one per
// string: the plain body's fourteen strings cost a single allocation.
func TestScanIssueStringsOwnTheirBytes(t *testing.T) {
	body := []byte(issueBodies[0])
	var v IssueRequest
	if !scanIssue(body, &v) {
		t.Fatal("plain body refused")
	}
	want := v
	want.Emails = append([]string(nil), v.Emails...)
	want.ExtKeyUsage = append([]string(nil), v.ExtKeyUsage...)
	for i := range body {
		body[i] = 'X'
	}
	if !reflect.DeepEqual(v, want) || v.Subject.Surname != "Иванов" || v.Profile != "qualified-person" {
		t.Fatalf("the scanned request changed with the body buffer: %+v", v)
	}
	body = []byte(issueBodies[0])
	allocs := testing.AllocsPerRun(100, func() {
		var v IssueRequest
		scanIssue(body, &v)
	})
	// The body copy, the field readers' closures and the emails and
	// ext_key_usage slices: 10 (22 with a string each).
	if allocs > 10 {
		t.Fatalf("%v allocations for the plain body", allocs)
	}
}
