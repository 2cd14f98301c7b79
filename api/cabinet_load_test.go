package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/internal/catest"
)

// TestCabinetLoad is a load measurement, not a check of speed: N
// subscribers (GOSTCA_CABINET_LOAD=N; skipped when unset) each log in
// by SMS code, agree and confirm an issuance, W at a time
// (GOSTCA_CABINET_WORKERS, default 8), on one engine with the hook
// simulator as SMS gateway. It logs the p50/p99 latency of the login
// call, the verify call, the confirm call (confirm → certificate) and
// the whole login (call, SMS delivery, verify). Every flow must succeed.
//
//	GOSTCA_CABINET_LOAD=200 go test -run TestCabinetLoad -v ./api/
func TestCabinetLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GOSTCA_CABINET_LOAD"))
	if n <= 0 {
		t.Skip("set GOSTCA_CABINET_LOAD=N to measure N subscribers' flows")
	}
	workers := 8
	if w, _ := strconv.Atoi(os.Getenv("GOSTCA_CABINET_WORKERS")); w > 0 {
		workers = w
	}
	env := startCabinet(t, func(c *config.Config) {
		c.Cabinet.PerClient, c.Cabinet.PerPrefix = 0, 0
		c.Hooks.PollInterval = 5 * time.Millisecond
	})
	cab := env.tokens[auth.RoleCabinet]
	type job struct {
		phone string
		app   string
		csr   []byte
	}
	jobs := make([]job, n)
	for i := range jobs {
		phone := fmt.Sprintf("+7916%07d", 1000000+i)
		jobs[i] = job{phone: phone, app: env.readyApplication(t, phone).ID, csr: []byte(base64.StdEncoding.EncodeToString(catest.CSR(t, "tc26-256-A")))}
	}
	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	record := func(what string, d time.Duration) {
		mu.Lock()
		lat[what] = append(lat[what], d)
		mu.Unlock()
	}
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path, session string, body, out any) (int, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, env.base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+cab)
		req.Header.Set("Content-Type", "application/json")
		if session != "" {
			req.Header.Set("X-Subscriber-Session", session)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		if out != nil {
			return resp.StatusCode, json.Unmarshal(data, out)
		}
		return resp.StatusCode, nil
	}
	// sms waits for a new code at the gateway for phone.
	sms := func(phone, prev string) (string, string, error) {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			resp, err := client.Get(env.sim.Base + "/sms/last?phone=" + url.QueryEscape(phone))
			if err != nil {
				return "", "", err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := smsCode.FindStringSubmatch(string(b)); resp.StatusCode == 200 && string(b) != prev && m != nil {
				return m[1], string(b), nil
			}
		}
		return "", "", fmt.Errorf("no SMS to %s", phone)
	}
	flow := func(j job) error {
		start := time.Now()
		var ch cabinetapi.Challenge
		if _, err := call("POST", "/api/v1/cabinet/login", "", cabinetapi.LoginRequest{Phone: j.phone}, &ch); err != nil {
			return err
		}
		record("login call", time.Since(start))
		code, text, err := sms(j.phone, "")
		if err != nil {
			return err
		}
		t0 := time.Now()
		var sess cabinetapi.SessionJSON
		if _, err := call("POST", "/api/v1/cabinet/login/verify", "", cabinetapi.VerifyRequest{Challenge: ch.Challenge, Code: code}, &sess); err != nil {
			return err
		}
		record("verify call", time.Since(t0))
		record("login, SMS, verify", time.Since(start))
		apath := "/api/v1/cabinet/applications/" + j.app
		var shown cabinetapi.IssueDataJSON
		if _, err := call("GET", apath+"/issue-data", sess.Session, nil, &shown); err != nil {
			return err
		}
		req, _ := http.NewRequest("POST", env.base+apath+"/consent", bytes.NewReader([]byte(`{"sha256":"`+shown.SHA256+`"}`)))
		req.Header.Set("Authorization", "Bearer "+cab)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Subscriber-Session", sess.Session)
		req.Header.Set("If-Match", `"`+strconv.FormatUint(shown.Version, 10)+`"`)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("consent: %d", resp.StatusCode)
		}
		var rc cabinetapi.RequestChallenge
		if _, err := call("POST", apath+"/request", sess.Session, cabinetapi.CabinetRequest{CSR: string(j.csr)}, &rc); err != nil {
			return err
		}
		code, _, err = sms(j.phone, text)
		if err != nil {
			return err
		}
		t1 := time.Now()
		var a raapi.Application
		if _, err := call("POST", apath+"/confirm", sess.Session, cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge, Code: code,
			CSR: string(j.csr), SubjectSignTool: "КриптоПро CSP"}, &a); err != nil {
			return err
		}
		record("confirm → certificate", time.Since(t1))
		if a.State != "issued" {
			return fmt.Errorf("application %s is %s", a.ID, a.State)
		}
		return nil
	}
	queue := make(chan job)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	begin := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if err := flow(j); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d subscribers, %d at a time, %v in all", n, workers, time.Since(begin).Round(time.Millisecond))
	for _, what := range []string{"login call", "verify call", "login, SMS, verify", "confirm → certificate"} {
		d := lat[what]
		slices.Sort(d)
		if len(d) == 0 {
			continue
		}
		q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
		t.Logf("%-22s p50 %8v  p99 %8v  max %8v  (n=%d)", what, q(0.50).Round(10*time.Microsecond),
			q(0.99).Round(10*time.Microsecond), d[len(d)-1].Round(10*time.Microsecond), len(d))
	}
}
