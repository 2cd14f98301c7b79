package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// A polling receiver (-poll N): a delivery of esia or registry_check is
// answered 202 {"ticket": T, "poll_after": 0} and its answer kept; a
// signed POST /poll/T {"ticket": T, …} is answered, signed with the
// first secret (or a wrong key with -forge),
// {"ticket": T, "status": "pending"} N times (every time with -poll -1),
// (carrying ESIA's VALIDATING answer with -esia validating),
// then {"ticket": T, "status": "final", "answer": {…}} — the answer a
// callback would carry — under one webhook-id per ticket, repeated on
// every final answer so the engine can take it once.

type ticket struct {
	answer  any
	interim any // with -esia validating: carried by every pending answer (ESIA's VALIDATING)
	pending int // pending answers left (-1: never final)
	polls   int
}

type pollState struct {
	on         bool
	pending    int
	forge      bool
	n          int
	tickets    map[string]*ticket
	byDelivery map[string]string // webhook-id of the request → ticket
	polls      int
	finals     int
}

func writeTicket(w http.ResponseWriter, t string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]any{"ticket": t, "poll_after": 0})
}

// ticketFor takes a request of a polling kind: a new ticket for answer.
func (s *sim) ticketFor(w http.ResponseWriter, id, kind string, answer, interim any) {
	s.mu.Lock()
	s.polling.n++
	t := fmt.Sprintf("%s-%d-%d", kind, os.Getpid(), s.polling.n)
	s.polling.tickets[t] = &ticket{answer: answer, interim: interim, pending: s.polling.pending}
	s.polling.byDelivery[id] = t
	s.mu.Unlock()
	writeTicket(w, t)
}

// status answers a status query.
func (s *sim) status(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil || !s.verify(r, body) {
		s.mu.Lock()
		s.badSig++
		s.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var q struct {
		Ticket   string `json:"ticket"`
		Delivery string `json:"delivery"`
	}
	path := strings.TrimPrefix(r.URL.Path, "/poll/")
	if json.Unmarshal(body, &q) != nil || q.Ticket != path {
		http.Error(w, "the body's ticket is not the URL's", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	t, ok := s.polling.tickets[q.Ticket]
	if !ok {
		s.mu.Unlock()
		http.Error(w, "no such ticket", http.StatusNotFound)
		return
	}
	s.polling.polls++
	t.polls++
	doc := map[string]any{"ticket": q.Ticket, "status": "pending"}
	if t.interim != nil {
		doc["answer"] = t.interim
	}
	if t.pending != 0 {
		if t.pending > 0 {
			t.pending--
		}
	} else {
		doc["status"], doc["answer"] = "final", t.answer
		s.polling.finals++
	}
	forge, polls := s.polling.forge, t.polls
	s.mu.Unlock()
	out, _ := json.Marshal(doc)
	id := "ans_" + q.Ticket
	if doc["status"] == "pending" {
		id = fmt.Sprintf("ans_%s_p%d", q.Ticket, polls)
		if t.interim != nil {
			id = "ans_" + q.Ticket + "_interim" // one intermediate answer, repeated
		}
	}
	key := s.keys[0]
	if forge {
		key = []byte("a key the engine does not know, 32b")
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("webhook-id", id)
	w.Header().Set("webhook-timestamp", ts)
	w.Header().Set("webhook-signature", "v1,"+sign(key, id, ts, out))
	code := http.StatusOK
	if doc["status"] == "pending" {
		code = http.StatusAccepted
	}
	w.WriteHeader(code)
	_, _ = w.Write(out)
}
