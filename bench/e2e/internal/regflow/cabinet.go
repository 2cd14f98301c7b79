package regflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// The issuing part of the registration flow: the subscriber's cabinet,
// the only way an application is issued. Each application has a
// subscriber of its own (a phone and a client address no other
// application uses), so the per-phone and per-address limits of the
// cabinet's codes hold as they would for real people; the cabinet back
// end (one `cabinet` token) calls on their behalf. Codes are read from
// the SMS the hook simulator received for the phone, the way the
// subscriber reads them.

// issueFunc issues the certificate of a ready-to-issue application and
// returns "" or "step:class"; timed times each named step.
type issueFunc func(ctx context.Context, rc *regClient, app *appState, csrPEM []byte, timed stepTimer) string

// stepTimer runs one named step, records its latency and class, and
// returns "" or "step:class".
type stepTimer func(name string, f func() string) string

// subscriber is the person behind one application in the flow.
type subscriber struct {
	phone string // +7 and 10 digits
	addr  string // their client address, sent as X-Subscriber-Address
	seq   uint64 // the simulator's sequence number of the last SMS used
}

var subscriberCount atomic.Uint64

// newSubscriber makes a phone and an address no other application of
// this process has (198.18.0.0/15 is the benchmarking range).
func newSubscriber() *subscriber {
	n := subscriberCount.Add(1)
	return &subscriber{phone: fmt.Sprintf("+7916%07d", n%10_000_000), addr: fmt.Sprintf("198.18.%d.%d", n/250%256, n%250+1)}
}

// smsCode is the confirmation code in the engine's SMS text.
var smsCode = regexp.MustCompile(`Код подтверждения: ([0-9]{6})\.`)

// issueInCabinet walks the cabinet: login by SMS code, consent, request,
// confirm.
func issueInCabinet(ctx context.Context, rc *regClient, app *appState, csrPEM []byte, timed stepTimer) string {
	sub := app.sub
	var ch struct {
		Challenge string `json:"challenge"`
	}
	var code, session string
	steps := []struct {
		name string
		f    func() string
	}{
		{"login", func() string {
			if _, c := rc.cabinet(ctx, sub, "", "POST", "/login", map[string]string{"phone": sub.phone}, "", &ch); c != "" {
				return c
			}
			var c string
			code, c = rc.awaitCode(ctx, sub)
			return c
		}},
		{"verify", func() string {
			var s struct {
				Session string `json:"session"`
			}
			_, c := rc.cabinet(ctx, sub, "", "POST", "/login/verify", map[string]string{"challenge": ch.Challenge, "code": code}, "", &s)
			session = s.Session
			return c
		}},
		{"consent", func() string {
			var d struct {
				SHA256 string `json:"sha256"`
			}
			hdr, c := rc.cabinet(ctx, sub, session, "GET", "/applications/"+app.ID+"/issue-data", nil, "", &d)
			if c != "" {
				return c
			}
			_, c = rc.cabinet(ctx, sub, session, "POST", "/applications/"+app.ID+"/consent", map[string]string{"sha256": d.SHA256}, hdr.Get("ETag"), nil)
			return c
		}},
		{"request", func() string {
			if _, c := rc.cabinet(ctx, sub, session, "POST", "/applications/"+app.ID+"/request", map[string]string{"csr": string(csrPEM)}, "", &ch); c != "" {
				return c
			}
			var c string
			code, c = rc.awaitCode(ctx, sub)
			return c
		}},
		{"confirm", func() string {
			_, c := rc.cabinet(ctx, sub, session, "POST", "/applications/"+app.ID+"/confirm", map[string]string{"challenge": ch.Challenge,
				"code": code, "csr": string(csrPEM), "subject_sign_tool": "gostca bench"}, "", app)
			if c == "" && (app.State != "issued" || app.Serial == "") {
				c = "not_issued"
			}
			return c
		}},
	}
	for _, s := range steps {
		if c := timed(s.name, s.f); c != "" {
			return c
		}
	}
	return ""
}

// cabinet sends one call of the cabinet back end on behalf of sub (with
// their session when given) and decodes a 2xx answer into out.
func (rc *regClient) cabinet(ctx context.Context, sub *subscriber, session, method, path string, body any, ifMatch string, out any) (http.Header, string) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, "client_error"
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, rc.cl.Base+"/api/v1/cabinet"+path, rd)
	if err != nil {
		return nil, "client_error"
	}
	req.Header.Set("Authorization", "Bearer "+rc.cab)
	req.Header.Set("X-Subscriber-Address", sub.addr)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if session != "" {
		req.Header.Set("X-Subscriber-Session", session)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := rc.cl.HTTP.Do(req)
	if err != nil {
		return nil, "transport"
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.Header, "transport"
	}
	if resp.StatusCode/100 != 2 {
		return resp.Header, target.ErrClass(resp.StatusCode, b)
	}
	if out != nil && json.Unmarshal(b, out) != nil {
		return resp.Header, "wrong_answer"
	}
	return resp.Header, ""
}

// awaitCode polls the simulator's SMS for sub's phone until one newer
// than the last used carries a code (at most 30 s), and marks it used.
// The simulator keeps several SMS per phone: a notice delivered just
// after the code does not hide it.
func (rc *regClient) awaitCode(ctx context.Context, sub *subscriber) (string, string) {
	deadline := time.Now().Add(30 * time.Second)
	u := "http://" + rc.simAddr + "/sms?phone=" + url.QueryEscape(sub.phone)
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
		if err != nil {
			return "", "client_error"
		}
		resp, err := rc.simHC.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return "", "cut"
			}
			return "", "sms_gateway"
		}
		var got struct {
			Messages []struct {
				Seq  uint64 `json:"seq"`
				Text string `json:"text"`
			} `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			return "", "sms_gateway"
		}
		for i := len(got.Messages) - 1; i >= 0 && got.Messages[i].Seq > sub.seq; i-- {
			if m := smsCode.FindStringSubmatch(got.Messages[i].Text); m != nil {
				sub.seq = got.Messages[i].Seq
				return m[1], ""
			}
		}
		if time.Now().After(deadline) {
			return "", "sms_timeout"
		}
		select {
		case <-ctx.Done():
			return "", "cut"
		case <-time.After(5 * time.Millisecond):
		}
	}
}
