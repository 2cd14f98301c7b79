package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/testlog"
	"github.com/gostca/gostca/pkix"
)

// testClock is the cabinet's injected clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// cabinetEnv is a running engine with the hook simulator as its SMS
// gateway, an injected cabinet clock, logs captured, and every response
// body kept (to prove no code ever leaves but by SMS).
type cabinetEnv struct {
	*testServer
	sim   *simulator
	clk   *testClock
	logs  *testlog.Buffer
	mu    sync.Mutex
	seen  [][]byte          // response bodies
	codes []string          // codes read from the gateway
	last  map[string]uint64 // per phone, the simulator's seq of the last SMS whose code was used
}

func startCabinet(t *testing.T, mutate func(*config.Config)) *cabinetEnv {
	t.Helper()
	dir := t.TempDir()
	sec := writeSecret(t, dir, "hooks.key", key(3))
	env := &cabinetEnv{clk: &testClock{t: time.Now().UTC()}, logs: &testlog.Buffer{}, last: map[string]uint64{}}
	logger := slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec}, engineFiles: []string{sec}, more: []string{"sms"},
		mutate: mutate, caOpts: func(o *ca.Options) { o.Now, o.Logger = env.clk.now, logger },
		apiOpts: func(o *api.Options) { o.Logger = logger }})
	env.testServer, env.sim = ts, sim
	return env
}

// call sends a request as a token, with the subscriber's session if
// given, and keeps the response body.
func (env *cabinetEnv) call(t *testing.T, token, session, method, path string, body any, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	var b []byte
	ct := ""
	if body != nil {
		b, ct = mustJSON(t, body), "application/json"
	}
	if session != "" {
		hdr = append(hdr, "X-Subscriber-Session", session)
	}
	resp, data := env.do(t, method, path, token, ct, b, hdr...)
	env.mu.Lock()
	env.seen = append(env.seen, data)
	for k, v := range resp.Header {
		env.seen = append(env.seen, []byte(k+": "+strings.Join(v, ",")))
	}
	env.mu.Unlock()
	return resp, data
}

// drainSMS waits until every SMS row written so far is delivered, so a
// test starts a step with nothing of the previous steps in flight.
func (env *cabinetEnv) drainSMS(t *testing.T) {
	t.Helper()
	waitUntil(t, "the SMS rows delivered", func() bool {
		rows, err := env.e.Store().OutboxPending(context.Background(), "sms", 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) == 0
	})
}

var smsCode = regexp.MustCompile(`Код подтверждения: ([0-9]{6})\.`)

// gatewaySMS is an SMS the gateway (the simulator) received.
type gatewaySMS struct {
	Seq  uint64 `json:"seq"`
	Text string `json:"text"`
}

// sms lists the recent SMS the gateway received for phone, oldest first.
func (env *cabinetEnv) sms(t *testing.T, phone string) []gatewaySMS {
	t.Helper()
	resp, err := http.Get(env.sim.Base + "/sms?phone=" + url.QueryEscape(phone))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Messages []gatewaySMS `json:"messages"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&got) != nil {
		t.Fatalf("GET /sms: %d", resp.StatusCode)
	}
	return got.Messages
}

// code reads the newest code sent to phone the way its owner would: from
// the SMS the gateway (the simulator) received, the newest one with a
// code that is newer than the last code read (the simulator keeps the
// recent SMS per phone: a notice right after a code does not hide it).
func (env *cabinetEnv) code(t *testing.T, phone string) string {
	t.Helper()
	var c string
	waitUntil(t, "a new code by SMS to "+phone, func() bool {
		got := env.sms(t, phone)
		for i := len(got) - 1; i >= 0 && got[i].Seq > env.last[phone]; i-- {
			if m := smsCode.FindStringSubmatch(got[i].Text); m != nil {
				env.last[phone], c = got[i].Seq, m[1]
				return true
			}
		}
		return false
	})
	env.codes = append(env.codes, c)
	return c
}

func (env *cabinetEnv) auditHead(t *testing.T) uint64 {
	t.Helper()
	seq, _, err := env.e.Store().AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// unchanged runs fn and fails if it wrote an audit entry. Entries of
// the hook deliveries running meanwhile (actor "hook:…": an ESIA or
// registry answer to an earlier issuance) are not the refusal's and are
// not counted.
func (env *cabinetEnv) unchanged(t *testing.T, what string, fn func()) {
	t.Helper()
	before := env.auditHead(t)
	fn()
	var wrote []string
	for _, e := range env.auditSince(t, before) {
		wrote = append(wrote, e.Actor+" "+e.Action)
	}
	if len(wrote) > 0 {
		t.Fatalf("%s: the refusal wrote %d audit entries: %v", what, len(wrote), wrote)
	}
}

// readyApplication walks a natural-person application for phone over
// HTTP to ready_to_issue: a service centre opens and fills it, an
// operator approves it, the centre verifies the identity in person and
// sends it to the cabinet.
func (env *cabinetEnv) readyApplication(t *testing.T, phone string) raapi.Application {
	t.Helper()
	return env.readyTypedApplication(t, "natural-person", phone)
}

// login logs phone in through the cabinet token tok and returns the
// session.
func (env *cabinetEnv) login(t *testing.T, tok, phone string) string {
	t.Helper()
	env.drainSMS(t)
	resp, body := env.call(t, tok, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: phone})
	wantStatus(t, resp, body, 202)
	ch := decode[cabinetapi.Challenge](t, body)
	code := env.code(t, phone)
	resp, body = env.call(t, tok, "", "POST", "/api/v1/cabinet/login/verify", cabinetapi.VerifyRequest{Challenge: ch.Challenge, Code: code})
	wantStatus(t, resp, body, 200)
	return decode[cabinetapi.SessionJSON](t, body).Session
}

func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	return strconv.Itoa(100000 + (n+1)%900000)
}

// TestCabinetEndToEnd: a service centre's application reaches
// ready_to_issue; the subscriber logs in with the code of an SMS read at
// the simulated gateway, reads the data, agrees, is refused for the
// unpaid invoice until the billing client marks it paid, submits a
// request made by OpenSSL's gost engine, confirms it with a second code
// (a code for another request is refused), and downloads a certificate
// OpenSSL verifies, whose subject is the application's. Another phone's
// application, another cabinet token's use of the session and the
// session after logout are refused; no refusal writes an audit entry; no
// code appears in any response or log line.
func TestCabinetEndToEnd(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) { c.Cabinet.PaidTypes = []string{"natural-person"} })
	o := newOSSL(t)
	cab := env.tokens[auth.RoleCabinet]
	other, _, err := env.e.CreateToken(context.Background(), "test", auth.RoleCabinet, "", "another cabinet")
	if err != nil {
		t.Fatal(err)
	}
	const phone, phone2 = "+79161234567", "+79031112233"
	a := env.readyApplication(t, phone)
	b := env.readyApplication(t, phone2)
	apath := "/api/v1/cabinet/applications/" + a.ID

	// Login: a code by SMS; asking again at once is refused; another
	// cabinet token cannot use the challenge.
	resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: "8 (916) 123-45-67"})
	wantStatus(t, resp, body, 202)
	ch := decode[cabinetapi.Challenge](t, body)
	code := env.code(t, phone)
	env.unchanged(t, "resend too early", func() {
		resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: phone})
		wantProblem(t, resp, body, 429, "code_resend_too_early")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
	env.unchanged(t, "another cabinet's challenge", func() {
		resp, body := env.call(t, other, "", "POST", "/api/v1/cabinet/login/verify", cabinetapi.VerifyRequest{Challenge: ch.Challenge, Code: code})
		wantProblem(t, resp, body, 404, "code_challenge_not_found")
	})
	resp, body = env.call(t, cab, "", "POST", "/api/v1/cabinet/login/verify", cabinetapi.VerifyRequest{Challenge: ch.Challenge, Code: code})
	wantStatus(t, resp, body, 200)
	sess := decode[cabinetapi.SessionJSON](t, body).Session
	env.unchanged(t, "reused code", func() {
		resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login/verify", cabinetapi.VerifyRequest{Challenge: ch.Challenge, Code: code})
		wantProblem(t, resp, body, 409, "code_used")
	})

	// The session sees its phone's application only; another cabinet
	// token cannot use it.
	resp, body = env.call(t, cab, sess, "GET", "/api/v1/cabinet/applications", nil)
	wantStatus(t, resp, body, 200)
	if page := decode[raapi.ApplicationPage](t, body); len(page.Items) != 1 || page.Items[0].ID != a.ID {
		t.Fatalf("the subscriber's applications: %+v", page)
	}
	env.unchanged(t, "another phone's application", func() {
		for _, p := range []string{"", "/issue-data", "/certificate"} {
			resp, body := env.call(t, cab, sess, "GET", "/api/v1/cabinet/applications/"+b.ID+p, nil)
			wantProblem(t, resp, body, 404, "application_not_found")
		}
		resp, body := env.call(t, cab, sess, "POST", "/api/v1/cabinet/applications/"+b.ID+"/request", cabinetapi.CabinetRequest{CSR: "x"})
		wantProblem(t, resp, body, 404, "application_not_found")
	})
	env.unchanged(t, "another cabinet's session", func() {
		resp, body := env.call(t, other, sess, "GET", apath, nil)
		wantProblem(t, resp, body, 401, "session_invalid")
	})

	// The data to agree to: the application's, and consent to it.
	resp, body = env.call(t, cab, sess, "GET", apath+"/issue-data", nil)
	wantStatus(t, resp, body, 200)
	shown := decode[cabinetapi.IssueDataJSON](t, body)
	if !strings.Contains(string(body), `"value":"Ёлкина Анна-Мария"`) || shown.Data.Profile != "qualified-person" {
		t.Fatalf("issue data %s", body)
	}
	csr := o.csr("cabinet", "gost2012_256", "TCA")
	env.unchanged(t, "request before consent", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
		wantProblem(t, resp, body, 409, "consent_required")
	})
	env.unchanged(t, "consent to other data", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/consent", cabinetapi.ConsentRequest{SHA256: strings.Repeat("ab", 32)},
			"If-Match", resp.Header.Get("ETag"))
		wantProblem(t, resp, body, 409, "consent_data_changed")
	})
	resp, body = env.call(t, cab, sess, "POST", apath+"/consent", cabinetapi.ConsentRequest{SHA256: shown.SHA256}, "If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, body, 200)

	// Unpaid: refused until the billing client sets the payment.
	env.unchanged(t, "unpaid", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
		wantProblem(t, resp, body, 402, "payment_required")
	})
	resp, body = env.call(t, cab, "", "PUT", "/api/v1/applications/"+a.ID+"/payment", cabinetapi.PaymentRequest{Paid: true})
	wantProblem(t, resp, body, 403, "forbidden")
	resp, body = env.call(t, env.tokens[auth.RoleBilling], "", "PUT", "/api/v1/applications/"+a.ID+"/payment",
		cabinetapi.PaymentRequest{Paid: true, Invoice: "INV-2026-0001"})
	wantStatus(t, resp, body, 200)

	// The request, a code bound to it; a code for another request fails.
	resp, body = env.call(t, cab, sess, "POST", apath+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
	wantStatus(t, resp, body, 202)
	rc := decode[cabinetapi.RequestChallenge](t, body)
	code = env.code(t, phone)
	otherCSR := o.csr("another", "gost2012_256", "TCA")
	env.unchanged(t, "a code for another request", func() {
		resp, body := env.call(t, cab, sess, "POST", apath+"/confirm", cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: code,
			CSR: string(otherCSR), SubjectSignTool: "КриптоПро CSP"})
		wantProblem(t, resp, body, 422, "code_wrong")
	})
	start := time.Now()
	resp, body = env.call(t, cab, sess, "POST", apath+"/confirm", cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: code,
		CSR: string(csr), SubjectSignTool: `"КриптоПро CSP" (версия 5.0)`})
	wantStatus(t, resp, body, 201)
	t.Logf("confirm → certificate: %v", time.Since(start))
	issued := decode[raapi.Application](t, body)
	if issued.State != "issued" || issued.Serial == "" {
		t.Fatalf("after confirmation: %+v", issued)
	}

	// Download at once: PEM, DER and the chain; OpenSSL verifies it; the
	// subject is the application's, the key the request's.
	resp, pemBytes := env.call(t, cab, sess, "GET", apath+"/certificate", nil)
	wantStatus(t, resp, pemBytes, 200)
	resp, der := env.call(t, cab, sess, "GET", apath+"/certificate?format=der", nil)
	wantStatus(t, resp, der, 200)
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || !bytes.Equal(blk.Bytes, der) {
		t.Fatal("PEM and DER differ")
	}
	cert, err := pkix.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cert.Subject.Subject(); got == nil || got.CommonName != "Ёлкина Анна-Мария" || got.SNILS != "11223344595" {
		t.Fatalf("subject %+v", got)
	}
	resp, chain := env.call(t, cab, sess, "GET", apath+"/chain", nil)
	wantStatus(t, resp, chain, 200)
	if n := bytes.Count(chain, []byte("BEGIN CERTIFICATE")); n != 2 {
		t.Fatalf("chain of %d certificates", n)
	}
	_, root := env.do(t, "GET", "/ca/root.crt", "", "", nil)
	o.write("root.der", root)
	o.run("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem")
	o.write("chain.pem", chain)
	o.write("leaf.pem", pemBytes)
	if out := o.run("verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	if certKey, csrKey := o.run("x509", "-in", "leaf.pem", "-noout", "-pubkey"), o.run("req", "-in", "cabinet.csr", "-noout", "-pubkey"); certKey != csrKey {
		t.Fatal("certificate key differs from the request's")
	}

	// Consent and payment are in the audit log; the consent in the history.
	var trail []string
	for _, e := range env.auditAll(t) {
		if e.Subject == "application:"+a.ID {
			trail = append(trail, e.Action)
		}
	}
	if !strings.Contains(strings.Join(trail, ","), "application_consent,application_payment,cabinet.confirm_issue,application_issue,application_issued") {
		t.Fatalf("audit trail %v", trail)
	}

	// A second application of the subscriber: a key certified already,
	// and a key the profile does not allow, are refused before any code.
	c := env.readyApplication(t, phone)
	cpath := "/api/v1/cabinet/applications/" + c.ID
	resp, body = env.call(t, cab, sess, "GET", cpath+"/issue-data", nil)
	wantStatus(t, resp, body, 200)
	resp, body = env.call(t, cab, sess, "POST", cpath+"/consent", cabinetapi.ConsentRequest{SHA256: decode[cabinetapi.IssueDataJSON](t, body).SHA256},
		"If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, body, 200)
	resp, body = env.call(t, env.tokens[auth.RoleBilling], "", "PUT", "/api/v1/applications/"+c.ID+"/payment", cabinetapi.PaymentRequest{Paid: true})
	wantStatus(t, resp, body, 200)
	o.run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ec.key", "-out", "ec.csr", "-subj", "/CN=ec")
	env.unchanged(t, "reused and disallowed keys", func() {
		resp, body := env.call(t, cab, sess, "POST", cpath+"/request", cabinetapi.CabinetRequest{CSR: string(csr)})
		wantProblem(t, resp, body, 409, "key_already_certified")
		resp, body = env.call(t, cab, sess, "POST", cpath+"/request", cabinetapi.CabinetRequest{CSR: string(o.read("ec.csr"))})
		wantProblem(t, resp, body, 422, "key_type_not_allowed")
	})

	// The same code confirmed four times at once: one issuance.
	fresh := o.csr("fresh", "gost2012_512", "A")
	env.clk.add(2 * time.Minute) // past the resend pause of the phone's issuance codes
	resp, body = env.call(t, cab, sess, "POST", cpath+"/request", cabinetapi.CabinetRequest{CSR: string(fresh)})
	wantStatus(t, resp, body, 202)
	rc = decode[cabinetapi.RequestChallenge](t, body)
	code = env.code(t, phone)
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := env.call(t, cab, sess, "POST", cpath+"/confirm", cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: code,
				CSR: string(fresh), SubjectSignTool: "КриптоПро CSP"})
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if n := strings.Count(fmt.Sprint(statuses), "201"); n != 1 {
		t.Fatalf("concurrent confirmations answered %v: want exactly one 201", statuses)
	}
	resp, body = env.call(t, cab, sess, "GET", cpath, nil)
	if got := decode[raapi.Application](t, body); got.State != "issued" || got.IssueAttempt != 1 {
		t.Fatalf("after concurrent confirmations: %+v", got)
	}

	// Forever after: a new session downloads it; after logout the session is gone.
	env.clk.add(3 * time.Minute)
	sess2 := env.login(t, cab, phone)
	resp, body = env.call(t, cab, sess2, "GET", apath+"/certificate?format=der", nil)
	wantStatus(t, resp, body, 200)
	resp, body = env.call(t, cab, sess2, "POST", "/api/v1/cabinet/logout", nil)
	wantStatus(t, resp, body, 204)
	env.unchanged(t, "after logout", func() {
		resp, body := env.call(t, cab, sess2, "GET", apath, nil)
		wantProblem(t, resp, body, 401, "session_invalid")
	})
	// The session expires.
	env.clk.add(31 * time.Minute)
	env.unchanged(t, "expired session", func() {
		resp, body := env.call(t, cab, sess, "GET", apath, nil)
		wantProblem(t, resp, body, 401, "session_invalid")
	})

	env.noCodesLeaked(t)
}

// noCodesLeaked: no code read from the gateway is in any response body
// or header, or any log line of the CA and the server.
func (env *cabinetEnv) noCodesLeaked(t *testing.T) {
	t.Helper()
	logs := env.logs.String()
	if len(env.codes) == 0 || !strings.Contains(logs, "one-time code sent") {
		t.Fatalf("nothing to check: %d codes, logs %d bytes", len(env.codes), len(logs))
	}
	for _, c := range env.codes {
		if strings.Contains(logs, c) {
			t.Errorf("code %s in the logs", c)
		}
		for _, b := range env.seen {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("code %s in a response: %s", c, b)
			}
		}
	}
}

// TestCabinetCodeRefusals: an expired code, a code tried wrong five
// times (then even the right one fails), each writing nothing.
func TestCabinetCodeRefusals(t *testing.T) {
	env := startCabinet(t, nil)
	cab := env.tokens[auth.RoleCabinet]
	const phone = "+79161234567"
	send := func() string {
		resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: phone})
		wantStatus(t, resp, body, 202)
		return decode[cabinetapi.Challenge](t, body).Challenge
	}
	verify := func(ch, code string) (*http.Response, []byte) {
		return env.call(t, cab, "", "POST", "/api/v1/cabinet/login/verify", cabinetapi.VerifyRequest{Challenge: ch, Code: code})
	}
	// Expired.
	ch := send()
	code := env.code(t, phone)
	env.clk.add(5*time.Minute + time.Second)
	env.unchanged(t, "expired", func() {
		resp, body := verify(ch, code)
		wantProblem(t, resp, body, 410, "code_expired")
	})
	// Wrong five times, then the right code fails too.
	ch = send()
	code = env.code(t, phone)
	env.unchanged(t, "wrong codes", func() {
		for i := 1; i <= 5; i++ {
			resp, body := verify(ch, wrongCode(code))
			if i < 5 {
				wantProblem(t, resp, body, 422, "code_wrong")
			} else {
				wantProblem(t, resp, body, 422, "code_attempts_exhausted")
			}
		}
		resp, body := verify(ch, code)
		wantProblem(t, resp, body, 422, "code_attempts_exhausted")
		resp, body = verify(ch, "12ab56")
		wantProblem(t, resp, body, 422, "code_attempts_exhausted")
	})
	// Not a phone.
	env.unchanged(t, "bad phone", func() {
		resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: "12345"})
		wantProblem(t, resp, body, 422, "invalid_phone")
	})
	env.noCodesLeaked(t)
}

// TestCabinetRateLimits: codes per phone, per subscriber address and per
// number prefix; a refusal writes nothing and says when to retry; the
// counts are on /metrics.
func TestCabinetRateLimits(t *testing.T) {
	env := startCabinet(t, func(c *config.Config) {
		c.Cabinet.PerPhone, c.Cabinet.PerClient, c.Cabinet.PerPrefix, c.Cabinet.PrefixDigits = 2, 3, 4, 4
	})
	cab := env.tokens[auth.RoleCabinet]
	send := func(phone, addr string) (*http.Response, []byte) {
		env.clk.add(2 * time.Minute) // past the resend pause
		return env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: phone}, "X-Subscriber-Address", addr)
	}
	ok := func(phone, addr string) {
		t.Helper()
		resp, body := send(phone, addr)
		wantStatus(t, resp, body, 202)
	}
	limited := func(what, phone, addr string) {
		t.Helper()
		env.unchanged(t, what, func() {
			resp, body := send(phone, addr)
			wantProblem(t, resp, body, 429, "code_rate_limited")
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s: no Retry-After", what)
			}
		})
	}
	ok("+79160000001", "198.51.100.1")
	ok("+79160000001", "198.51.100.1")
	limited("per phone", "+79160000001", "198.51.100.2")
	ok("+79160000002", "198.51.100.1")
	limited("per address", "+79160000003", "198.51.100.1")
	ok("+79160000003", "198.51.100.3")
	limited("per prefix", "+79160000004", "198.51.100.4")
	ok("+79170000004", "198.51.100.4")
	resp, body := env.call(t, cab, "", "POST", "/api/v1/cabinet/login", cabinetapi.LoginRequest{Phone: "+79170000005"}, "X-Subscriber-Address", "not-an-ip")
	wantProblem(t, resp, body, 400, "invalid_request")

	_, metrics := env.do(t, "GET", "/metrics", "", "", nil)
	for _, want := range []string{`gostca_otp_send_refused_total{reason="rate_phone"} 1`, `gostca_otp_send_refused_total{reason="rate_client"} 1`,
		`gostca_otp_send_refused_total{reason="rate_prefix"} 1`, `gostca_otp_sent_total{purpose="login"} 5`, `gostca_otp_limit{limit="per_phone"} 2`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
