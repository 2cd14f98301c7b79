package api_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/clientlimit"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/internal/testlog"
	"github.com/gostca/gostca/pkix"
)

// metricLines returns the /metrics lines of a metric family.
func (ts *testServer) metricLines(t *testing.T, name string) []string {
	t.Helper()
	resp, body := ts.do(t, "GET", "/metrics", "", "", nil)
	wantStatus(t, resp, body, 200)
	var out []string
	for l := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(l, name+"{") || strings.HasPrefix(l, name+" ") {
			out = append(out, l)
		}
	}
	return out
}

// metricValue is the value of the one line of name with every label in
// labels (0 when there is none).
func (ts *testServer) metricValue(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	var v float64
	for _, l := range ts.metricLines(t, name) {
		ok := true
		for _, lb := range labels {
			ok = ok && strings.Contains(l, lb)
		}
		if ok {
			var f float64
			fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &f)
			v += f
		}
	}
	return v
}

// clientFrom is an HTTP client whose connections come from local address ip.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// 200 requests with invented methods, to known and unknown paths, make at
// most one new series per route and code: the method label is "other".
func TestMetricsMethodLabelsBounded(t *testing.T) {
	ts := startServer(t, nil)
	before := snapshot(t, ts)
	const n = 200
	for i := range n {
		path := "/healthz"
		if i%2 == 1 {
			path = fmt.Sprintf("/no/such/path/%d", i)
		}
		resp, body := ts.do(t, fmt.Sprintf("INVENTED%03d", i), path, "", "", nil)
		if resp.StatusCode != 405 && resp.StatusCode != 404 {
			t.Fatalf("method %d: %d %s", i, resp.StatusCode, body)
		}
	}
	lines := ts.metricLines(t, "gostca_http_requests_total")
	for _, l := range lines {
		if strings.Contains(l, "INVENTED") || strings.Contains(l, "/no/such") {
			t.Fatalf("a request's own text became a label: %s", l)
		}
	}
	if len(lines) > 6 {
		t.Fatalf("%d series after %d invented methods:\n%s", len(lines), n, strings.Join(lines, "\n"))
	}
	t.Logf("%d requests with invented methods: %d series of gostca_http_requests_total", n, len(lines))
	if v := ts.metricValue(t, "gostca_http_requests_total", `method="other"`); v != n {
		t.Errorf("method=other counted %v, want %d", v, n)
	}
	if after := snapshot(t, ts); after != before {
		t.Errorf("store changed: %+v -> %+v", before, after)
	}
}

// Two Authorization headers, a JSON key given twice (at any depth, in any
// letter case) and a repeated query parameter are each refused with 400
// ambiguous_request naming what was repeated; nothing is written.
func TestAmbiguousRequestsRefused(t *testing.T) {
	ts := startServer(t, nil)
	serial := issueDirect(t, ts)
	before := snapshot(t, ts)
	op, cab := ts.tokens[auth.RoleCAOperator], ts.tokens[auth.RoleCabinet]
	csr := base64.StdEncoding.EncodeToString(goCSR(t))
	good := string(mustJSON(t, issueBody(pkix.ProfileQualifiedPerson.Name, []byte(csr))))
	// The body with one more member spliced in at the start of the
	// top-level object or of the subject.
	top := func(member string) []byte { return []byte("{" + member + "," + good[1:]) }
	inSubject := func(member string) []byte {
		return []byte(strings.Replace(good, `"subject":{`, `"subject":{`+member+",", 1))
	}
	cases := []struct {
		name, method, path string
		auths              []string
		body               []byte
		field              string
	}{
		{"two Authorization headers", "POST", "/api/v1/certificates", []string{"Bearer " + op, "Bearer " + cab}, []byte(good), "Authorization"},
		{"the same token twice", "GET", "/api/v1/certificates/" + serial, []string{"Bearer " + op, "Bearer " + op}, nil, "Authorization"},
		{"duplicate top-level key", "POST", "/api/v1/certificates", []string{"Bearer " + op}, top(`"profile":"qualified-legal-entity-head"`), "profile"},
		{"duplicate key by case", "POST", "/api/v1/certificates", []string{"Bearer " + op}, top(`"Profile":"tls-client"`), "profile"},
		{"duplicate nested key", "POST", "/api/v1/certificates", []string{"Bearer " + op}, inSubject(`"snils":"11223344595"`), "subject.snils"},
		{"duplicate key in a revocation", "POST", "/api/v1/certificates/" + serial + "/revoke", []string{"Bearer " + op},
			[]byte(`{"reason":"superseded","comment":"x","reason":"keyCompromise"}`), "reason"},
		{"repeated query parameter", "GET", "/api/v1/certificates?snils=11223344595&snils=00000000000", []string{"Bearer " + op}, nil, "snils"},
		{"repeated audit limit", "GET", "/api/v1/audit?limit=1&limit=1000", []string{"Bearer " + ts.tokens[auth.RoleAuditor]}, nil, "limit"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.base+c.path, bytes.NewReader(c.body))
		req.Header["Authorization"] = c.auths
		if c.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p := wantProblem(t, resp, body, 400, "ambiguous_request")
		if p.Field != c.field {
			t.Errorf("%s: field %q, want %q (%s)", c.name, p.Field, c.field, p.Detail)
		}
	}
	// The same requests said once are fine.
	resp, body := ts.do(t, "POST", "/api/v1/certificates", op, "application/json", []byte(good))
	wantStatus(t, resp, body, 201)
	after := snapshot(t, ts)
	if after.certs != before.certs+1 || after.auditSeq != before.auditSeq+1 {
		t.Errorf("store: %+v -> %+v, want exactly the one good issuance", before, after)
	}
	// The certificate a duplicate "reason" tried to revoke is still valid.
	resp, body = ts.do(t, "GET", "/api/v1/certificates/"+serial, op, "", nil)
	wantStatus(t, resp, body, 200)
	if c := decode[api.Certificate](t, body); c.Status != "valid" {
		t.Errorf("after the refused revocation: %s", c.Status)
	}
}

// Failed authentications are logged with the client address, the reason
// and the token id (never the secret), counted on /metrics, and after
// Limit of them the address gets 429 with Retry-After — even with a valid
// token — while another address is served; the block doubles with each
// further failure. Nothing is written.
func TestAuthFailuresLoggedCountedSlowed(t *testing.T) {
	logs := &testlog.Buffer{}
	ts := startServerOpts(t, nil, func(o *api.Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
		o.AuthFailures = clientlimit.AuthFailureLimits{Limit: 3, Window: time.Minute, MaxDelay: 30 * time.Second, Clients: 100}
	})
	before := snapshot(t, ts)
	valid := ts.tokens[auth.RoleAuditor]
	const secret = "ThisIsTheSecretPartOfAGuessedToken0123456789"
	guess := "gca_0123456789abcdef_" + secret
	c1, c2 := clientFrom("127.0.0.1"), clientFrom("127.0.0.2")
	get := func(c *http.Client, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.base+"/api/v1/issuers", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for i, a := range []string{"", "Basic dXNlcjpwdw==", "Bearer " + guess} {
		if resp := get(c1, a); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	// Blocked now: a valid token from the same address is not even looked at.
	resp := get(c1, "Bearer "+valid)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("after 3 failures: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := get(c2, "Bearer "+valid); resp.StatusCode != 200 {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	time.Sleep(1100 * time.Millisecond)
	if resp := get(c1, "Bearer "+valid); resp.StatusCode != 200 {
		t.Fatalf("after the block: %d", resp.StatusCode)
	}
	if resp := get(c1, "Bearer "+guess); resp.StatusCode != 401 {
		t.Fatalf("4th failure: %d", resp.StatusCode)
	}
	if resp := get(c1, "Bearer "+valid); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("after the 4th failure: %d Retry-After %q, want 429 and 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	out := logs.String()
	if strings.Contains(out, secret) || strings.Contains(out, valid) {
		t.Fatalf("a token's secret reached the log:\n%s", out)
	}
	for _, want := range []string{"reason=missing", "reason=not_bearer", "reason=unknown", "token_id=0123456789abcdef", "client=127.0.0.1", "blocked_for=2s"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "authentication failed"); n != 4 {
		t.Errorf("%d failures logged, want 4", n)
	}
	for reason, want := range map[string]float64{"missing": 1, "not_bearer": 1, "unknown": 2} {
		if v := ts.metricValue(t, "gostca_http_auth_failures_total", `reason="`+reason+`"`); v != want {
			t.Errorf("failures %s: %v, want %v", reason, v, want)
		}
	}
	if v := ts.metricValue(t, "gostca_http_auth_throttled_total"); v != 2 {
		t.Errorf("throttled %v, want 2", v)
	}
	if after := snapshot(t, ts); after != before {
		t.Errorf("store changed: %+v -> %+v", before, after)
	}
}

// rawConn opens a connection from local address ip and sends GET
// /healthz on it; it returns the status line of the answer and the
// connection (kept open, keep-alive).
func rawConn(t *testing.T, addr, ip string) (string, net.Conn) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		// A refused connection may be reset before its answer is read.
		c.Close()
		return "closed: " + err.Error(), nil
	}
	return strings.TrimSpace(line), c
}

// With 3 connections per address and 5 in all, the 4th connection from
// 127.0.0.1 is refused (429) while 127.0.0.2 still gets in; the 6th
// connection in all is refused (503); a closed connection frees its slot.
func TestConnectionLimits(t *testing.T) {
	ts := startServerOpts(t, nil, func(o *api.Options) { o.Conns = clientlimit.ConnLimits{PerClient: 3, Total: 5} })
	before := snapshot(t, ts) // over its own, closed, connection
	ts.client.CloseIdleConnections()
	var open []net.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for i := range 3 {
		line, c := rawConn(t, ts.addr, "127.0.0.1")
		if line != "HTTP/1.1 200 OK" {
			t.Fatalf("connection %d from 127.0.0.1: %s", i+1, line)
		}
		open = append(open, c)
	}
	if line, c := rawConn(t, ts.addr, "127.0.0.1"); !strings.HasPrefix(line, "HTTP/1.1 429") {
		if c != nil {
			c.Close()
		}
		t.Fatalf("4th connection from 127.0.0.1: %q, want 429", line)
	}
	for i := range 2 {
		line, c := rawConn(t, ts.addr, "127.0.0.2")
		if line != "HTTP/1.1 200 OK" {
			t.Fatalf("connection %d from 127.0.0.2: %s", i+1, line)
		}
		open = append(open, c)
	}
	if line, _ := rawConn(t, ts.addr, "127.0.0.3"); !strings.HasPrefix(line, "HTTP/1.1 503") {
		t.Fatalf("6th connection in all: %q, want 503", line)
	}
	// A closed connection gives its slot back.
	open[0].Close()
	open = open[1:]
	deadline := time.Now().Add(5 * time.Second)
	for {
		line, c := rawConn(t, ts.addr, "127.0.0.1")
		if c != nil {
			open = append(open, c)
		}
		if line == "HTTP/1.1 200 OK" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not freed: %s", line)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range open {
		c.Close()
	}
	open = nil
	time.Sleep(100 * time.Millisecond)
	if v := ts.metricValue(t, "gostca_http_connections_rejected_total", `limit="per_client"`); v < 1 {
		t.Errorf("per_client rejections %v", v)
	}
	if v := ts.metricValue(t, "gostca_http_connections_rejected_total", `limit="total"`); v < 1 {
		t.Errorf("total rejections %v", v)
	}
	if after := snapshot(t, ts); after != before {
		t.Errorf("store changed: %+v -> %+v", before, after)
	}
}
