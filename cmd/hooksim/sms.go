package main

import (
	"encoding/json"
	"io"
	"net/http"
)

// smsKeep is how many recent SMS the simulated gateway keeps per phone.
// A code and a notice sent to one phone close together (the notice of a
// step delivered just after a login code) must both stay readable: a
// reader that only saw the last SMS would miss the code.
const smsKeep = 16

// smsMessage is one SMS the gateway received. Seq numbers every SMS the
// simulator took, over all phones, from 1: a reader remembers the last
// one it used and waits for a larger one.
type smsMessage struct {
	Seq  uint64 `json:"seq"`
	Text string `json:"text"`
}

// smsLog is the gateway's inbox: the last smsKeep messages per phone,
// oldest first. Guarded by sim.mu.
type smsLog struct {
	seq     uint64
	byPhone map[string][]smsMessage
}

// add keeps text as the newest SMS to phone, dropping the oldest beyond
// smsKeep.
func (l *smsLog) add(phone, text string) {
	if l.byPhone == nil {
		l.byPhone = map[string][]smsMessage{}
	}
	l.seq++
	msgs := append(l.byPhone[phone], smsMessage{Seq: l.seq, Text: text})
	if len(msgs) > smsKeep {
		msgs = append(msgs[:0:0], msgs[len(msgs)-smsKeep:]...)
	}
	l.byPhone[phone] = msgs
}

// serveSMS answers GET /sms/last?phone=… (the newest text, plain; 404
// when none) and GET /sms?phone=… (JSON {"messages": [{seq, text}…]},
// oldest first, at most smsKeep; an empty list when none).
func (s *sim) serveSMS(w http.ResponseWriter, r *http.Request, last bool) {
	phone := r.URL.Query().Get("phone")
	s.mu.Lock()
	msgs := append([]smsMessage(nil), s.sms.byPhone[phone]...)
	s.mu.Unlock()
	if last {
		if len(msgs) == 0 {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, msgs[len(msgs)-1].Text)
		return
	}
	if msgs == nil {
		msgs = []smsMessage{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"messages": msgs})
}
