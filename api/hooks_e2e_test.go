package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/hooksapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/hooksimtest"
	"github.com/gostca/gostca/store"
)

// The hook simulator (cmd/hooksim) runs as a real process on loopback
// (internal/hooksimtest); the engine delivers to it and it calls the
// engine back.

// simulator is a running hooksim.
type simulator = hooksimtest.Sim

// startHooksim runs hooksim calling the engine back at callback.
func startHooksim(t *testing.T, callback string, args ...string) *simulator {
	t.Helper()
	return hooksimtest.Start(t, append([]string{"-callback", callback}, args...)...)
}

// writeSecret writes a Standard Webhooks secret file (mode 0600).
func writeSecret(t *testing.T, dir, name string, key []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("whsec_"+base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type hookSetup struct {
	simArgs     []string
	engineFiles []string // secret files of the esia kind, in the engine
	maxAttempts int
	more        []string             // further kinds at the simulator, with the same secrets
	concurrency int                  // esia deliveries in flight (0: 2)
	mutate      func(*config.Config) // more configuration (nil: none)
	caOpts      func(*ca.Options)    // the CA's options (nil: the defaults)
	apiOpts     func(*api.Options)   // the server's options (nil: the defaults)
}

// startHookServer starts the engine's listener, then the simulator
// pointed at it, then the CA with hooks.kind.esia at the simulator.
func startHookServer(t *testing.T, hs hookSetup) (*testServer, *simulator) {
	t.Helper()
	ln := listenLoopback(t)
	sim := startHooksim(t, "http://"+ln.Addr().String(), hs.simArgs...)
	if hs.concurrency == 0 {
		hs.concurrency = 2
	}
	ts := startServerOn(t, ln, serverSetup{mutate: func(cfg *config.Config) {
		cfg.Hooks.PollInterval = 20 * time.Millisecond
		cfg.Hooks.MinBackoff = 10 * time.Millisecond
		cfg.Hooks.MaxBackoff = 40 * time.Millisecond
		cfg.Hooks.Timeout = 5 * time.Second
		cfg.Hooks.AllowHTTPLoopback = true // the simulator is on 127.0.0.1
		cfg.Hooks.Kinds = map[string]config.HookKindConfig{
			"esia": {URL: sim.Base + "/esia", SecretFiles: hs.engineFiles, MaxAttempts: hs.maxAttempts, Concurrency: hs.concurrency},
		}
		for _, k := range hs.more {
			cfg.Hooks.Kinds[k] = config.HookKindConfig{URL: sim.Base + "/" + k, SecretFiles: hs.engineFiles}
		}
		if hs.mutate != nil {
			hs.mutate(cfg)
		}
	}, caOpts: hs.caOpts, apiOpts: hs.apiOpts})
	return ts, sim
}

// waitUntil polls cond every 20 ms for at most 15 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitESIARowsDone waits until every ESIA outbox row is delivered. The
// receiver's callback can reach the CA before the delivering worker has
// recorded the receiver's answer on the row, so a registration already
// SUCCEEDED does not yet mean a delivered row.
func waitESIARowsDone(t *testing.T, ts *testServer) {
	t.Helper()
	waitUntil(t, "every ESIA outbox row delivered", func() bool {
		rows, err := ts.e.Store().OutboxList(context.Background(), "esia", store.OutboxAny, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if !r.Done {
				return false
			}
		}
		return true
	})
}

func esiaState(t *testing.T, ts *testServer, serial string) hooksapi.ESIARegistration {
	t.Helper()
	resp, body := ts.json(t, "GET", "/api/v1/certificates/"+serial+"/esia", auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)
	return decode[hooksapi.ESIARegistration](t, body)
}

func key(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), 32)) }

// TestHooksESIAEndToEnd: issuance writes the ESIA row; it is delivered,
// signed, to the simulator, which answers VALIDATING then SUCCEEDED by
// signed callbacks; the certificate's registration shows SUCCEEDED after
// two answers; the row is delivered with its attempt logged; each
// answer is audited.
func TestHooksESIAEndToEnd(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "esia.key", key(1))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-esia", "validating"}, engineFiles: []string{sec}})
	r := catest.Issue(t, ts.e)
	serial := ca.FormatSerial(r.Cert.Serial)
	waitUntil(t, "ESIA SUCCEEDED", func() bool { return esiaState(t, ts, serial).State == "SUCCEEDED" })
	st := esiaState(t, ts, serial)
	if st.Answers != 2 || st.Updated == nil {
		t.Errorf("registration %+v: want SUCCEEDED after 2 answers", st)
	}
	waitESIARowsDone(t, ts)
	resp, body := ts.json(t, "GET", "/api/v1/outbox?state=all&kind=esia", auth.RoleCAAdmin, nil)
	wantStatus(t, resp, body, 200)
	rows := decode[struct{ Items []hooksapi.OutboxRow }](t, body).Items
	if len(rows) != 1 || rows[0].State != "delivered" || rows[0].Serial != serial || rows[0].Attempts != 0 {
		t.Fatalf("rows %+v", rows)
	}
	resp, body = ts.json(t, "GET", "/api/v1/outbox/"+strconv.FormatUint(rows[0].ID, 10), auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)
	row := decode[hooksapi.OutboxRow](t, body)
	if len(row.Log) != 1 || row.Log[0].Code != 202 || row.Log[0].Error != "" {
		t.Errorf("attempt log %+v", row.Log)
	}
	// A subscriber's cabinet and an auditor may not see the outbox.
	resp, body = ts.json(t, "GET", "/api/v1/outbox", auth.RoleCabinet, nil)
	wantProblem(t, resp, body, 403, "forbidden")
	st2 := sim.Stats(t)
	if st2["bad_signatures"].(float64) != 0 || st2["received"].(map[string]any)["esia"].(float64) != 1 {
		t.Errorf("simulator stats %v", st2)
	}
	if n := auditCount(t, ts, "esia.answer"); n != 2 {
		t.Errorf("%d esia.answer audit entries, want 2", n)
	}
}

func auditCount(t *testing.T, ts *testServer, action string) int {
	t.Helper()
	resp, body := ts.json(t, "GET", "/api/v1/audit?limit=1000", auth.RoleAuditor, nil)
	wantStatus(t, resp, body, 200)
	return strings.Count(string(body), `"action":"`+action+`"`)
}

// TestHooksDeadRedrive: a receiver refusing every delivery makes the row
// dead after the attempt limit, each attempt logged with 503 and growing
// gaps; an operator redrives it once the receiver is back, and it is
// delivered and answered; the redrive is audited.
func TestHooksDeadRedrive(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "esia.key", key(2))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-fail", "1000"}, engineFiles: []string{sec}, maxAttempts: 3})
	r := catest.Issue(t, ts.e)
	serial := ca.FormatSerial(r.Cert.Serial)
	var dead []hooksapi.OutboxRow
	waitUntil(t, "a dead row", func() bool {
		resp, body := ts.json(t, "GET", "/api/v1/outbox?state=dead", auth.RoleCAOperator, nil)
		wantStatus(t, resp, body, 200)
		dead = decode[struct{ Items []hooksapi.OutboxRow }](t, body).Items
		return len(dead) == 1
	})
	id := strconv.FormatUint(dead[0].ID, 10)
	resp, body := ts.json(t, "GET", "/api/v1/outbox/"+id, auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)
	row := decode[hooksapi.OutboxRow](t, body)
	if row.State != "dead" || row.Attempts != 3 || len(row.Log) != 3 || row.Serial != serial {
		t.Fatalf("dead row %+v", row)
	}
	for i, a := range row.Log {
		if a.Code != 503 || !strings.Contains(a.Error, "503") {
			t.Errorf("attempt %d: %+v", i, a)
		}
		if i > 0 && a.At.Sub(row.Log[i-1].At) < 5*time.Millisecond {
			t.Errorf("attempt %d came %v after the previous: no backoff", i, a.At.Sub(row.Log[i-1].At))
		}
	}
	// Dead means no more attempts.
	time.Sleep(150 * time.Millisecond)
	if f := sim.Stats(t)["failed"].(float64); f != 3 {
		t.Errorf("simulator refused %v deliveries, want 3", f)
	}
	if esiaState(t, ts, serial).State != "PENDING" {
		t.Error("registration not pending")
	}
	waitUntil(t, "gostca_hook_dead{kind=esia} 1", func() bool { return gauge(t, ts, "gostca_hook_dead", "esia") == 1 })
	resp, body = ts.json(t, "POST", "/api/v1/outbox/"+id+"/redrive", auth.RoleAuditor, nil)
	wantProblem(t, resp, body, 403, "forbidden")
	sim.Control(t, "fail=0")
	resp, body = ts.json(t, "POST", "/api/v1/outbox/"+id+"/redrive", auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)
	waitUntil(t, "ESIA SUCCEEDED after the redrive", func() bool { return esiaState(t, ts, serial).State == "SUCCEEDED" })
	waitESIARowsDone(t, ts)
	resp, body = ts.json(t, "GET", "/api/v1/outbox/"+id, auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 200)
	row = decode[hooksapi.OutboxRow](t, body)
	if row.State != "delivered" || len(row.Log) != 4 || row.Log[3].Code != 202 {
		t.Errorf("after redrive %+v", row)
	}
	// Delivered rows are final.
	resp, body = ts.json(t, "POST", "/api/v1/outbox/"+id+"/cancel", auth.RoleCAAdmin, nil)
	wantProblem(t, resp, body, 409, "invalid_transition")
	if v := gauge(t, ts, "gostca_hook_dead_total", "esia"); v != 1 {
		t.Errorf("gostca_hook_dead_total %v", v)
	}
	if n := auditCount(t, ts, "outbox.redrive"); n != 1 {
		t.Errorf("%d outbox.redrive audit entries", n)
	}
}

// TestHooksRotation: the engine holds the new and the old secret and
// sends both signatures; a receiver that still knows only the old one
// accepts, and so does one that knows only the new one; the engine takes
// the callback signed with the old one.
func TestHooksRotation(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := writeSecret(t, dir, "old.key", key(3)), writeSecret(t, dir, "new.key", key(4))
	for _, simKey := range []string{oldKey, newKey} {
		ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", simKey}, engineFiles: []string{newKey, oldKey}})
		serial := ca.FormatSerial(catest.Issue(t, ts.e).Cert.Serial)
		waitUntil(t, "ESIA SUCCEEDED", func() bool { return esiaState(t, ts, serial).State == "SUCCEEDED" })
		if b := sim.Stats(t)["bad_signatures"].(float64); b != 0 {
			t.Errorf("%v bad signatures", b)
		}
	}
}

// signCallback is an independent Standard Webhooks signer.
func signCallback(k []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, k)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestHookCallbackRefused: unsigned, badly signed, wrongly keyed and
// stale callbacks are refused and write nothing; a replayed one is taken
// once; an unknown certificate or kind is refused.
func TestHookCallbackRefused(t *testing.T) {
	dir := t.TempDir()
	k := key(5)
	sec := writeSecret(t, dir, "esia.key", k)
	ts, _ := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-esia", "refuse"}, engineFiles: []string{sec}})
	serial := ca.FormatSerial(catest.Issue(t, ts.e).Cert.Serial)
	body := []byte(`{"serial":"` + serial + `","status":"SUCCEEDED"}`)
	post := func(kind, id string, at time.Time, sig string, b []byte) (*http.Response, []byte) {
		h := []string{"webhook-id", id, "webhook-timestamp", strconv.FormatInt(at.Unix(), 10)}
		if sig != "" {
			h = append(h, "webhook-signature", sig)
		}
		return ts.do(t, "POST", "/api/v1/hooks/"+kind, "", "application/json", b, h...)
	}
	now := time.Now()
	audits := auditCount(t, ts, "esia.answer")
	for _, c := range []struct {
		name, id string
		at       time.Time
		sig      string
	}{
		{"unsigned", "m1", now, ""},
		{"bad signature", "m2", now, "v1,AAAA"},
		{"other key", "m3", now, signCallback(key(6), "m3", now.Unix(), body)},
		{"signature of another id", "m4", now, signCallback(k, "m5", now.Unix(), body)},
		{"stale", "m6", now.Add(-6 * time.Minute), signCallback(k, "m6", now.Add(-6*time.Minute).Unix(), body)},
		{"future", "m7", now.Add(6 * time.Minute), signCallback(k, "m7", now.Add(6*time.Minute).Unix(), body)},
	} {
		resp, b := post("esia", c.id, c.at, c.sig, body)
		if resp.StatusCode != 401 || !strings.Contains(string(b), "hook.bad_signature") {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}
	if st := esiaState(t, ts, serial); st.State != "PENDING" || auditCount(t, ts, "esia.answer") != audits {
		t.Fatalf("a refused callback wrote something: %+v", st)
	}
	resp, b := post("esia", "good-1", now, signCallback(k, "good-1", now.Unix(), body), body)
	wantStatus(t, resp, b, 200)
	resp, b = post("esia", "good-1", now, signCallback(k, "good-1", now.Unix(), body), body)
	wantStatus(t, resp, b, 200)
	if !strings.Contains(string(b), `"duplicate":true`) {
		t.Errorf("replay answered %s", b)
	}
	if st := esiaState(t, ts, serial); st.State != "SUCCEEDED" || st.Answers != 1 || auditCount(t, ts, "esia.answer") != audits+1 {
		t.Errorf("after a replay: %+v", st)
	}
	// SUCCEEDED is final.
	fail := []byte(`{"serial":"` + serial + `","status":"FAULT"}`)
	resp, b = post("esia", "late-1", now, signCallback(k, "late-1", now.Unix(), fail), fail)
	if resp.StatusCode != 409 {
		t.Errorf("FAULT after SUCCEEDED: %d %s", resp.StatusCode, b)
	}
	unknown := []byte(`{"serial":"7fffffffffff","status":"SUCCEEDED"}`)
	resp, b = post("esia", "u-1", now, signCallback(k, "u-1", now.Unix(), unknown), unknown)
	if resp.StatusCode != 404 {
		t.Errorf("unknown serial: %d %s", resp.StatusCode, b)
	}
	resp, b = post("sms", "s-1", now, signCallback(k, "s-1", now.Unix(), body), body)
	if resp.StatusCode != 404 {
		t.Errorf("kind without callbacks: %d %s", resp.StatusCode, b)
	}
	_ = io.Discard
}

// gauge reads a metric's value (gauge or counter) with label kind.
func gauge(t *testing.T, ts *testServer, name, kind string) float64 {
	t.Helper()
	mfs, err := ts.e.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == "kind" && l.GetValue() == kind {
					if m.Gauge != nil {
						return m.Gauge.GetValue()
					}
					return m.Counter.GetValue()
				}
			}
		}
	}
	return -1
}

// TestHooksReceiverDown: the receiver is killed while rows are being
// delivered and comes back later on the same address: nothing is lost,
// every row is delivered (the attempts while it was down are logged
// without a status), every registration is SUCCEEDED from one answer
// although every callback came twice.
func TestHooksReceiverDown(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "esia.key", key(8))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	simAddr := ln.Addr().String()
	ln.Close()
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-twice", "-listen", simAddr, "-slow", "100ms"},
		engineFiles: []string{sec}, maxAttempts: 1000})
	const n = 30
	serials := make([]string, n)
	for i := range serials {
		serials[i] = ca.FormatSerial(catest.Issue(t, ts.e).Cert.Serial)
	}
	_ = sim.Cmd.Process.Kill() // down, mid-delivery
	_ = sim.Cmd.Wait()
	time.Sleep(300 * time.Millisecond)
	ctx := context.Background()
	rows, err := ts.e.Store().OutboxList(ctx, "esia", store.OutboxAny, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	undelivered := 0
	for _, r := range rows {
		if !r.Done {
			undelivered++
		}
	}
	if undelivered == 0 {
		t.Fatal("every row was delivered before the receiver went down: nothing tested")
	}
	startHooksim(t, ts.base, "-secret-file", sec, "-twice", "-listen", simAddr)
	for _, s := range serials {
		waitUntil(t, "registration "+s, func() bool { return esiaState(t, ts, s).State == "SUCCEEDED" })
		if a := esiaState(t, ts, s).Answers; a != 1 {
			t.Errorf("%s: %d answers taken, want 1 (each callback came twice)", s, a)
		}
	}
	waitESIARowsDone(t, ts)
	rows, _ = ts.e.Store().OutboxList(ctx, "esia", store.OutboxAny, 0, 100)
	refused := 0
	for _, r := range rows {
		if !r.Done {
			t.Errorf("row %d not delivered", r.ID)
		}
		for _, a := range r.Log {
			if a.Code == 0 && a.Error != "" {
				refused++
			}
		}
	}
	if len(rows) != n || refused == 0 {
		t.Errorf("%d rows, %d attempts without an answer; want %d rows and some", len(rows), refused, n)
	}
}

// TestHooksESIAFailureRedrive: ESIA refuses a registration; the failure
// and its reason show on the certificate; an operator queues it again
// (once: a second request while it is queued is refused), ESIA accepts
// it this time, and the redrive is audited.
func TestHooksESIAFailureRedrive(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "esia.key", key(11))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-esia", "failed"}, engineFiles: []string{sec}})
	serial := ca.FormatSerial(catest.Issue(t, ts.e).Cert.Serial)
	waitUntil(t, "ESIA VALIDATION_FAILED", func() bool { return esiaState(t, ts, serial).State == "VALIDATION_FAILED" })
	if st := esiaState(t, ts, serial); st.Code != "ESIA-007" || st.Message == "" {
		t.Errorf("failure without its reason: %+v", st)
	}
	resp, body := ts.json(t, "POST", "/api/v1/certificates/"+serial+"/esia/redrive", auth.RoleCabinet, nil)
	wantProblem(t, resp, body, 403, "forbidden")
	sim.Control(t, "esia=succeeded&fail=1") // the first new attempt fails too: the ESIA connector is retried
	resp, body = ts.json(t, "POST", "/api/v1/certificates/"+serial+"/esia/redrive", auth.RoleCAOperator, nil)
	wantStatus(t, resp, body, 202)
	if st := esiaState(t, ts, serial).State; st != "REDRIVEN" && st != "SUCCEEDED" {
		t.Errorf("after the redrive: %s", st)
	}
	resp, body = ts.json(t, "POST", "/api/v1/certificates/"+serial+"/esia/redrive", auth.RoleCAAdmin, nil)
	wantProblem(t, resp, body, 409, "invalid_transition") // queued already (or already succeeded)
	waitUntil(t, "ESIA SUCCEEDED", func() bool { return esiaState(t, ts, serial).State == "SUCCEEDED" })
	resp, body = ts.json(t, "POST", "/api/v1/certificates/"+serial+"/esia/redrive", auth.RoleCAOperator, nil)
	wantProblem(t, resp, body, 409, "invalid_transition")
	if n := auditCount(t, ts, "esia.redrive"); n != 1 {
		t.Errorf("%d esia.redrive audit entries", n)
	}
}
