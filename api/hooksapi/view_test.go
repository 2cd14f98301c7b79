package hooksapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api/hooksapi"
	"github.com/gostca/gostca/store"
)

// TestOutboxViewTicket: operators see a polling row's ticket, queries
// and deadline; a row without a ticket shows none of them.
func TestOutboxViewTicket(t *testing.T) {
	deadline := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	v := hooksapi.OutboxView(&store.OutboxRow{ID: 7, Kind: "registry_check", Ticket: "T-42", Polls: 3, PollDeadline: deadline,
		NextAttempt: deadline.Add(-time.Hour)}, true)
	if v.Ticket != "T-42" || v.Polls != 3 || v.PollDeadline == nil || !v.PollDeadline.Equal(deadline) || v.State != "pending" {
		t.Errorf("view %+v", v)
	}
	b, _ := json.Marshal(hooksapi.OutboxView(&store.OutboxRow{ID: 8, Kind: "sms"}, true))
	if strings.Contains(string(b), "ticket") || strings.Contains(string(b), "poll") {
		t.Errorf("a row without a ticket: %s", b)
	}
}
