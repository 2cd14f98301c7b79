package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
)

// An OCSP GET answer's cache headers say what its body says, whether the
// answer was read from the store (validators formatted per request) or
// came from the answer cache (formatted once): ETag is the hash of the
// body, Last-Modified and Expires its thisUpdate and nextUpdate,
// max-age ocsp.max_age; and they make conditional requests a 304.
func TestOCSPGETHeadersMatchTheAnswer(t *testing.T) {
	ts := startServer(t, func(c *config.Config) { c.OCSP.MaxAge = 7 * time.Minute })
	nameHash, keyHash := ts.issuerHashes(t)
	serial := issueForBench(t, ts, ts.tokens[auth.RoleCAOperator], 1)[0]
	path := "/ocsp/" + url.PathEscape(base64.StdEncoding.EncodeToString(ocspRequest(t, nameHash, keyHash, serial)))
	for i := range 3 { // the first from the store, then from the cache
		resp, der := ts.do(t, "GET", path, "", "", nil)
		wantStatus(t, resp, der, 200)
		r, err := pkix.ParseOCSPResponse(der)
		if err != nil || r.Status != pkix.OCSPSuccessful || r.Responses[0].Status != pkix.OCSPGood {
			t.Fatalf("GET %d: %v %+v", i, err, r)
		}
		sum := sha256.Sum256(der)
		want := map[string]string{
			"Content-Type":  "application/ocsp-response",
			"ETag":          `"` + hex.EncodeToString(sum[:16]) + `"`,
			"Last-Modified": r.Responses[0].ThisUpdate.UTC().Format(http.TimeFormat),
			"Expires":       r.Responses[0].NextUpdate.UTC().Format(http.TimeFormat),
			"Cache-Control": "public, no-transform, must-revalidate, max-age=" + strconv.Itoa(7*60),
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("GET %d: %s %q, want %q", i, k, got, v)
			}
		}
		for _, cond := range [][2]string{{"If-None-Match", want["ETag"]}, {"If-Modified-Since", want["Last-Modified"]}} {
			r2, body := ts.do(t, "GET", path, "", "", nil, cond[0], cond[1])
			if r2.StatusCode != http.StatusNotModified || len(body) != 0 || r2.Header.Get("ETag") != want["ETag"] {
				t.Errorf("GET %d with %s: HTTP %d, %d bytes, ETag %q", i, cond[0], r2.StatusCode, len(body), r2.Header.Get("ETag"))
			}
		}
	}
}

// Requests are counted by route, method and code whichever way their
// series is found (kept on the route for a 200, looked up otherwise),
// and their durations by route.
func TestOCSPRequestsCounted(t *testing.T) {
	ts := startServer(t, nil)
	nameHash, keyHash := ts.issuerHashes(t)
	serial := issueForBench(t, ts, ts.tokens[auth.RoleCAOperator], 1)[0]
	der := ocspRequest(t, nameHash, keyHash, serial)
	path := "/ocsp/" + url.PathEscape(base64.StdEncoding.EncodeToString(der))
	const n = 7
	for range n {
		resp, body := ts.do(t, "GET", path, "", "", nil)
		wantStatus(t, resp, body, 200)
		resp, body = ts.do(t, "POST", "/ocsp", "", "application/ocsp-request", der)
		wantStatus(t, resp, body, 200)
		resp, body = ts.do(t, "PUT", "/ocsp", "", "application/ocsp-request", der)
		wantStatus(t, resp, body, 405)
	}
	for _, c := range []struct {
		method, code string
	}{{"GET", "200"}, {"POST", "200"}, {"PUT", "405"}} {
		if v := ts.metricValue(t, "gostca_http_requests_total", `route="ocsp"`, `method="`+c.method+`"`, `code="`+c.code+`"`); v != n {
			t.Errorf("%s %s counted %v times, want %d", c.method, c.code, v, n)
		}
	}
	if v := ts.metricValue(t, "gostca_http_request_duration_seconds_count", `route="ocsp"`); v != 3*n {
		t.Errorf("%v OCSP durations observed, want %d", v, 3*n)
	}
}
