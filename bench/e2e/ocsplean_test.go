package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// fakeResponder answers OCSP for two serials (1 good, 2 revoked) the way
// behaviour says, signing with key; answers without a nonce are made once
// per serial and behaviour, as pre-signed ones are.
type fakeResponder struct {
	key, other crypto.Signer
	behaviour  atomic.Value // "ok", "lie" (2 answered good), "badsig", "nononce"
	mu         sync.Mutex
	made       map[string][]byte
}

func (f *fakeResponder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req *pkix.OCSPRequest
	var err error
	if r.Method == http.MethodPost {
		der, _ := io.ReadAll(r.Body)
		req, err = pkix.ParseOCSPRequest(der)
	} else {
		req, err = pkix.ParseOCSPRequestGET(strings.TrimPrefix(r.RequestURI, "/ocsp/"))
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b := f.behaviour.Load().(string)
	id := req.CertIDs[0]
	memo := string(id.Serial) + b
	f.mu.Lock()
	der := f.made[memo]
	f.mu.Unlock()
	if der == nil || req.Nonce != nil {
		now := time.Now().UTC().Truncate(time.Second)
		sr := pkix.SingleResponse{CertID: id, Status: pkix.OCSPGood, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}
		if id.Serial[len(id.Serial)-1] == 2 && b != "lie" {
			sr.Status, sr.RevokedAt, sr.Reason = pkix.OCSPRevoked, now.Add(-time.Minute), pkix.ReasonKeyCompromise
		}
		signer, nonce := f.key, req.Nonce
		if b == "badsig" {
			signer = f.other
		}
		if b == "nononce" {
			nonce = nil
		}
		// The byKey ID stays the CA's, so only the signature is wrong.
		tmpl := &pkix.OCSPResponseTemplate{ProducedAt: now, Responses: []pkix.SingleResponse{sr}, Nonce: nonce}
		if b == "badsig" {
			tmpl.SignatureAlgorithm = pkix.GOST256
		}
		if der, err = pkix.CreateOCSPResponse(rand.Reader, signer, tmpl); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if req.Nonce == nil {
			f.mu.Lock()
			f.made[memo] = der
			f.mu.Unlock()
		}
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Header().Set("Content-Length", strconv.Itoa(len(der)))
	_, _ = w.Write(der)
}

func testKey(t *testing.T) *gost3410.PrivateKey {
	t.Helper()
	c, ok := gost3410.CurveByName("tc26-256-A")
	if !ok {
		t.Fatal("no tc26-256-A")
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestLeanOCSPCountsWrongAnswers: the lean client passes right answers
// and counts every wrong one — a revoked certificate answered good, a
// signature by another key, a nonce not echoed — also when a right
// answer for the same certificate was seen (and remembered) before.
func TestLeanOCSPCountsWrongAnswers(t *testing.T) {
	key, other := testKey(t), testKey(t)
	subj, err := (&pkix.Subject{CommonName: "lean test CA"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pkix.NewOCSPIssuer(subj, spki)
	if err != nil {
		t.Fatal(err)
	}
	issuers := map[string]*ocspIssuer{"ca": {ids: ids, pub: key.Public()}}
	targets := []ocspTarget{{Serial: []byte{1}, Issuer: "ca"}, {Serial: []byte{2}, Issuer: "ca", Revoked: true}}
	f := &fakeResponder{key: key, other: other, made: map[string][]byte{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, keepAlive := range []bool{true, false} {
		ops, closeOps, err := ocspOps("lean", srv.URL, "/ocsp", 4, keepAlive, issuers, targets)
		if err != nil {
			t.Fatal(err)
		}
		run := func(behaviour string, m ocspMode) load.Stats {
			f.behaviour.Store(behaviour)
			return load.ClosedLoop(context.Background(), 2, 40, 20*time.Second, ops(m))
		}
		get, post := ocspModes[0], ocspModes[1]
		getNonce, postNonce := ocspModes[2], ocspModes[3]
		for _, c := range []struct {
			behaviour string
			mode      ocspMode
			class     string
			wrong     int
		}{
			{"ok", get, "", 0},
			{"ok", post, "", 0},
			{"ok", getNonce, "", 0},
			{"ok", postNonce, "", 0},
			// Target 2 (every second request) answered good.
			{"lie", get, "wrong_status_good", 20},
			{"lie", postNonce, "wrong_status_good", 20},
			// Right answers again after wrong ones.
			{"ok", post, "", 0},
			{"badsig", get, "bad_signature", 40},
			{"badsig", post, "bad_signature", 40},
			{"nononce", getNonce, "nonce_not_echoed", 40},
			{"ok", get, "", 0},
		} {
			s := run(c.behaviour, c.mode)
			if s.Requests != 40 || s.OK != 40-c.wrong || s.Errors[c.class] != c.wrong || len(s.Errors) > min(c.wrong, 1) {
				t.Errorf("keep-alive %v, %s %s: %d requests, %d ok, errors %v; want %d %s", keepAlive, c.behaviour, c.mode.Name,
					s.Requests, s.OK, s.Errors, c.wrong, c.class)
			}
		}
		closeOps()
	}
}

// TestLeanOCSPCutAtTimeLimit: requests in flight when the run's time
// limit passes are cut, not transport errors, although the connection's
// deadline (the run's) may fire before the run's context says so.
func TestLeanOCSPCutAtTimeLimit(t *testing.T) {
	key := testKey(t)
	subj, _ := (&pkix.Subject{CommonName: "lean test CA"}).Marshal()
	spki, _ := pkix.MarshalPublicKeyInfo(key.Public())
	ids, err := pkix.NewOCSPIssuer(subj, spki)
	if err != nil {
		t.Fatal(err)
	}
	// A responder that never answers.
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ops, closeOps, err := ocspOps("lean", srv.URL, "/ocsp", 8, true, map[string]*ocspIssuer{"ca": {ids: ids, pub: key.Public()}},
		[]ocspTarget{{Serial: []byte{1}, Issuer: "ca"}})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOps()
	for range 5 {
		s := load.ClosedLoop(context.Background(), 8, 100, 50*time.Millisecond, ops(ocspModes[0]))
		if s.Cut != 8 || len(s.Errors) != 0 || s.Requests != 0 {
			t.Fatalf("cut %d, requests %d, errors %v; want 8 cut and nothing else", s.Cut, s.Requests, s.Errors)
		}
	}
}
