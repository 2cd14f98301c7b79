package store

import "testing"

// The check states' names are the API's and the history notes' words:
// each is fixed, distinct, and an unknown value is named by its number.
func TestCheckStatusString(t *testing.T) {
	want := map[CheckStatus]string{CheckPending: "pending", CheckConfirmed: "confirmed", CheckRefuted: "refuted",
		CheckFailed: "failed", 0: "check_status(0)", checkStatusMax + 1: "check_status(5)"}
	for s, name := range want {
		if got := s.String(); got != name {
			t.Errorf("CheckStatus(%d).String() = %q, want %q", s, got, name)
		}
	}
}
