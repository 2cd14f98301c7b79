package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSMSKeepsRecentPerPhone: the gateway keeps the last smsKeep SMS per
// phone, oldest first, numbered in the order taken; /sms/last is the
// newest; another phone's SMS stay apart; a repeated delivery (same
// webhook-id) and a badly signed one add nothing; an unknown phone has
// an empty list and no last SMS.
func TestSMSKeepsRecentPerPhone(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := &sim{keys: [][]byte{key}, window: 5 * time.Minute, seen: map[string]bool{}, received: map[string]int{},
		duplicates: map[string]int{}, callbacks: map[string]int{}}
	s.polling = pollState{tickets: map[string]*ticket{}, byDelivery: map[string]string{}}
	srv := httptest.NewServer(s)
	defer srv.Close()

	deliver := func(id, phone, text string, k []byte) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"to": phone, "text": text})
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", srv.URL+"/sms", strings.NewReader(string(body)))
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", ts)
		req.Header.Set("webhook-signature", "v1,"+sign(k, id, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	list := func(phone string) []smsMessage {
		t.Helper()
		resp, err := http.Get(srv.URL + "/sms?phone=" + strings.ReplaceAll(phone, "+", "%2B"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Messages []smsMessage `json:"messages"`
		}
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&got) != nil || got.Messages == nil {
			t.Fatalf("GET /sms?phone=%s: %d", phone, resp.StatusCode)
		}
		return got.Messages
	}
	last := func(phone string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/sms/last?phone=" + strings.ReplaceAll(phone, "+", "%2B"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	const a, b = "+79160000001", "+79160000002"
	const n = smsKeep + 5
	for i := 1; i <= n; i++ {
		if st := deliver(fmt.Sprint("msg_a", i), a, fmt.Sprint("Код подтверждения: ", 100000+i, "."), key); st/100 != 2 {
			t.Fatalf("delivery %d: %d", i, st)
		}
		if i == 3 {
			if st := deliver("msg_b", b, "Сертификат выпущен.", key); st/100 != 2 {
				t.Fatalf("delivery to b: %d", st)
			}
		}
	}
	if st := deliver("msg_a5", a, "повтор", key); st/100 != 2 { // taken before: acknowledged, not kept again
		t.Fatalf("repeat: %d", st)
	}
	if st := deliver("msg_forged", a, "подделка", []byte("another key, not the simulator's")); st != 401 {
		t.Fatalf("forged delivery: %d, want 401", st)
	}

	got := list(a)
	if len(got) != smsKeep {
		t.Fatalf("%d SMS kept for %s, want %d", len(got), a, smsKeep)
	}
	for i, m := range got {
		want := fmt.Sprint("Код подтверждения: ", 100000+n-smsKeep+1+i, ".")
		if m.Text != want {
			t.Fatalf("SMS %d: %q, want %q (oldest first, the oldest dropped)", i, m.Text, want)
		}
		if i > 0 && m.Seq <= got[i-1].Seq {
			t.Fatalf("sequence numbers not increasing: %+v", got)
		}
	}
	// Seq counts every SMS taken, over all phones: a's last is n+1 (b's came between).
	if got[len(got)-1].Seq != n+1 {
		t.Fatalf("last seq %d, want %d", got[len(got)-1].Seq, n+1)
	}
	if st, text := last(a); st != 200 || text != got[len(got)-1].Text {
		t.Fatalf("/sms/last for %s: %d %q", a, st, text)
	}
	if gb := list(b); len(gb) != 1 || gb[0].Text != "Сертификат выпущен." || gb[0].Seq != 4 {
		t.Fatalf("SMS for %s: %+v", b, gb)
	}
	if gn := list("+79169999999"); len(gn) != 0 {
		t.Fatalf("SMS for an unknown phone: %+v", gn)
	}
	if st, _ := last("+79169999999"); st != 404 {
		t.Fatalf("/sms/last for an unknown phone: %d, want 404", st)
	}
}
