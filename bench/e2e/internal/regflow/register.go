// Package regflow is the registration workload of the end-to-end suite:
// applications from creation to an issued certificate over HTTP, on a
// server of its own whose hooks (registry checks, SMS, e-mail, ESIA) go
// to the hook simulator (cmd/hooksim), a separate process that answers
// the registry checks with signed callbacks and takes the SMS the
// cabinet's codes go out by. A service centre and a CA operator (two
// tokens) take turns as the rules of package ra want them; the
// subscriber issues from the cabinet (cabinet.go).
package regflow

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// appState is what the flow needs of an application answer.
type appState struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	State   string `json:"state"`
	Serial  string `json:"serial"`
	Phone   string `json:"phone"`
	Checks  []struct {
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"checks"`
	sub *subscriber // the person it is for
}

// regClient runs applications against one server.
type regClient struct {
	cl        *target.Client // base URL, HTTP client (its token is unused)
	sc, op    string         // service centre and CA operator tokens
	cab       string         // the cabinet back end's token
	simAddr   string         // the hook simulator (the SMS gateway)
	simHC     *http.Client
	conflicts int
	mu        sync.Mutex
}

// call sends one application request as token (If-Match from app when
// app != nil) and decodes the application into app.
func (rc *regClient) call(ctx context.Context, token, method, path, ctype string, body []byte, app *appState) (int, string) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, rc.cl.Base+path, rd)
	if err != nil {
		return 0, "client_error"
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if app != nil && app.Version > 0 && method != "GET" {
		req.Header.Set("If-Match", `"`+strconv.FormatUint(app.Version, 10)+`"`)
	}
	resp, err := rc.cl.HTTP.Do(req)
	if err != nil {
		return 0, "transport"
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "transport"
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, target.ErrClass(resp.StatusCode, b)
	}
	if app != nil {
		if err := json.Unmarshal(b, app); err != nil || app.ID == "" {
			return resp.StatusCode, "wrong_answer"
		}
	}
	return resp.StatusCode, ""
}

// action changes app; on a version conflict it reads the application
// again and retries (at most 3 times), counting the conflict.
func (rc *regClient) action(ctx context.Context, token string, app *appState, suffix string, body []byte) string {
	ctype := ""
	if body != nil {
		ctype = "application/json"
	}
	return rc.change(ctx, token, "POST", suffix, ctype, body, app)
}

func (rc *regClient) change(ctx context.Context, token, method, suffix, ctype string, body []byte, app *appState) string {
	path := "/api/v1/applications/" + app.ID + suffix
	for try := 0; ; try++ {
		st, class := rc.call(ctx, token, method, path, ctype, body, app)
		if st != http.StatusPreconditionFailed || try == 3 {
			return class
		}
		rc.mu.Lock()
		rc.conflicts++
		rc.mu.Unlock()
		if _, class := rc.call(ctx, token, "GET", "/api/v1/applications/"+app.ID, "", nil, app); class != "" {
			return class
		}
	}
}

// regOwner is valid natural-person data (made up; the checksums of SNILS
// and INN hold).
var regOwner = map[string]any{
	"surname": "Бенчмаркова", "given_name": "Анна", "patronymic": "Тестовна", "sex": "female",
	"birth_date": "1990-05-17", "birth_place": "г. Тверь",
	"identity_document": map[string]string{"type": "russian_passport", "series": "4510", "number": "123456",
		"issued_on": "2010-06-01", "issuer": "ОВД района Тверской", "issuer_code": "770-001"},
	"snils": "112-233-445 95", "inn": "500100123426", "email": "bench@example.ru",
}

var regDocuments = []string{"passport", "signed_application", "snils", "inn"}

// scanPDF is a minimal PDF standing in for a scan; the text makes each
// file distinct.
func scanPDF(text string) []byte {
	return []byte("%PDF-1.4\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// flow walks one application; step times go to steps.
func (rc *regClient) flow(ctx context.Context, csrPEM []byte, issue issueFunc, steps map[string]*load.Recorder) string {
	app := &appState{sub: newSubscriber()}
	timed := func(name string, f func() string) string {
		t := time.Now()
		class := f()
		steps[name].Add(time.Since(t), class)
		if class != "" {
			return name + ":" + class
		}
		return ""
	}
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	tag := base64.RawURLEncoding.EncodeToString(nonce)
	for _, s := range []struct {
		name string
		f    func() string
	}{
		{"create", func() string {
			_, c := rc.call(ctx, rc.sc, "POST", "/api/v1/applications", "application/json",
				[]byte(`{"cert_type":"natural-person","phone":"`+app.sub.phone+`","email":"bench@example.ru"}`), app)
			return c
		}},
		{"data", func() string {
			b, _ := json.Marshal(map[string]any{"phone": app.sub.phone, "owner": regOwner})
			return rc.change(ctx, rc.sc, "PUT", "/data", "application/json", b, app)
		}},
		{"registry", func() string { return rc.awaitChecks(ctx, app) }},
		{"documents", func() string {
			for _, typ := range regDocuments {
				if c := rc.change(ctx, rc.sc, "POST", "/documents?type="+typ, "application/octet-stream", scanPDF(typ+" scan "+tag), app); c != "" {
					return c
				}
			}
			return ""
		}},
		{"submit", func() string { return rc.action(ctx, rc.sc, app, "/actions/submit", nil) }},
		{"claim", func() string { return rc.action(ctx, rc.op, app, "/actions/claim", nil) }},
		{"approve", func() string { return rc.action(ctx, rc.op, app, "/actions/approve", nil) }},
		{"identity", func() string {
			return rc.action(ctx, rc.sc, app, "/actions/verify_identity",
				[]byte(`{"method":"in_person","presenter":"owner","document":"паспорт 4510 123456","confirmed":true}`))
		}},
		{"cabinet", func() string { return rc.action(ctx, rc.sc, app, "/actions/send_to_cabinet", nil) }},
	} {
		if c := timed(s.name, s.f); c != "" {
			return c
		}
	}
	return issue(ctx, rc, app, csrPEM, timed)
}

// awaitChecks polls the application until every registry check its data
// asked for is answered (not pending), at most 30 s.
func (rc *regClient) awaitChecks(ctx context.Context, app *appState) string {
	deadline := time.Now().Add(30 * time.Second)
	for {
		pending := len(app.Checks) == 0
		for _, c := range app.Checks {
			if c.Status == "pending" {
				pending = true
			}
		}
		if !pending {
			return ""
		}
		if time.Now().After(deadline) {
			return "registry_timeout"
		}
		select {
		case <-ctx.Done():
			return "cut"
		case <-time.After(5 * time.Millisecond):
		}
		if _, c := rc.call(ctx, rc.sc, "GET", "/api/v1/applications/"+app.ID, "", nil, app); c != "" {
			return c
		}
	}
}

// Bench runs the registration workload on its own server and hook
// simulator.
type Bench struct {
	Apps      int           // applications per round
	Conc      int           // applications in progress at once
	Rounds    int           // rounds
	Duration  time.Duration // the bound of each round
	ServerEnv []string      // added to the server's environment
	Log       *load.Progress
	Tmp       string // the suite's temporary directory
	Bin       string // gostca
}

// Run runs the rounds and returns what they measured, also when a later
// round failed.
func (b *Bench) Run(ctx context.Context) (*report.RegisterResult, error) {
	res := &report.RegisterResult{Applications: b.Apps, Concurrency: b.Conc, CertType: "natural-person", IssueStep: "cabinet"}
	dir := filepath.Join(b.Tmp, "register")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b.Log.Printf("registration: building and starting the hook simulator")
	simBin, err := target.BuildCmd(ctx, dir, "hooksim")
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	secFile := filepath.Join(dir, "hook.secret")
	if err := os.WriteFile(secFile, []byte("whsec_"+base64.StdEncoding.EncodeToString(secret)), 0o600); err != nil {
		return nil, err
	}
	port, err := target.FreePort()
	if err != nil {
		return nil, err
	}
	engineURL := "http://127.0.0.1:" + strconv.Itoa(port)
	sim, simAddr, err := startHooksim(ctx, simBin, secFile, engineURL, filepath.Join(dir, "hooksim.log"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = sim.Process.Signal(os.Interrupt); _ = sim.Wait() }()
	conf := filepath.Join(dir, "gostca.toml")
	if err := os.WriteFile(conf, []byte(hooksConfig(simAddr, secFile)), 0o600); err != nil {
		return nil, err
	}
	srv := &target.Server{Bin: b.Bin, DataDir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "server.log"), Port: port,
		Args: []string{"--config", conf}, Env: append([]string{"GOSTCA_LOG_LEVEL=warn"}, b.ServerEnv...)}
	b.Log.Printf("registration: starting a gostca serve with hooks to the simulator")
	if err := srv.Start(ctx); err != nil {
		return nil, err
	}
	defer srv.Stop()
	admin := target.NewClient(srv.URL, srv.Token, b.Conc)
	sc, err := createToken(ctx, admin, `{"role":"service_centre","scope":"centre-1","name":"bench centre"}`)
	if err != nil {
		return nil, err
	}
	op, err := createToken(ctx, admin, `{"role":"ca_operator","name":"bench operator"}`)
	if err != nil {
		return nil, err
	}
	cab, err := createToken(ctx, admin, `{"role":"cabinet","name":"bench cabinet"}`)
	if err != nil {
		return nil, err
	}
	rc := &regClient{cl: admin, sc: sc, op: op, cab: cab, simAddr: simAddr,
		simHC: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: b.Conc}}}
	for r := 1; r <= b.Rounds; r++ {
		items, err := target.GenCSRs(b.Apps, []string{"tc26-256-A"}, map[string]string{"tc26-256-A": "gost256"})
		if err != nil {
			return res, err
		}
		steps := map[string]*load.Recorder{}
		for _, s := range report.RegisterSteps {
			steps[s] = &load.Recorder{}
		}
		rc.conflicts = 0
		b.Log.Printf("registration round %d/%d: %d applications, %d at a time", r, b.Rounds, b.Apps, b.Conc)
		s := load.ClosedLoop(ctx, b.Conc, b.Apps, b.Duration, func(ctx context.Context, i int) string {
			return rc.flow(ctx, items[i].PEM, issueInCabinet, steps)
		})
		run := report.RegisterRun{Round: r, Stats: s, Steps: map[string]load.Stats{}, Conflicts: rc.conflicts}
		for name, rec := range steps {
			run.Steps[name] = rec.Stats("step", 0)
		}
		res.Runs = append(res.Runs, run)
	}
	res.Hooksim = hooksimStats(ctx, simAddr)
	return res, nil
}

// hooksConfig routes every hook kind the flow writes to the simulator.
func hooksConfig(simAddr, secFile string) string {
	var b strings.Builder
	b.WriteString("[hooks]\nallow_http_loopback = true\npoll_interval = \"20ms\"\nmin_backoff = \"20ms\"\nmax_backoff = \"500ms\"\n")
	for _, kind := range []string{"registry_check", "esia", "sms", "email"} {
		fmt.Fprintf(&b, "\n[hooks.kind.%s]\nurl = \"http://%s/%s\"\nsecret_files = [%q]\n", kind, simAddr, kind, secFile)
	}
	// Every bench phone is +7916…: the per-prefix limit against SMS
	// pumping would count all subscribers as one prefix. The per-phone
	// and per-address limits stay (each subscriber has its own).
	b.WriteString("\n[cabinet]\nper_prefix = 0\n")
	return b.String()
}

func createToken(ctx context.Context, cl *target.Client, body string) (string, error) {
	st, b, err := cl.Do(ctx, "POST", "/api/v1/tokens", []byte(body))
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated {
		return "", fmt.Errorf("POST /api/v1/tokens: %s", target.ErrClass(st, b))
	}
	var t struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &t); err != nil || t.Token == "" {
		return "", errors.New("POST /api/v1/tokens: no token in the answer")
	}
	return t.Token, nil
}

// startHooksim starts the simulator and returns it with its address.
func startHooksim(ctx context.Context, bin, secFile, callback, logPath string) (*exec.Cmd, string, error) {
	cmd := exec.Command(bin, "-secret-file", secFile, "-callback", callback, "-listen", "127.0.0.1:0")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start hooksim: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "hooksim listening on "); ok {
				lines <- addr
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case addr := <-lines:
		return cmd, addr, nil
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, "", fmt.Errorf("hooksim did not say where it listens (log: %s)", logPath)
}

func hooksimStats(ctx context.Context, addr string) map[string]any {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/stats", nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var m map[string]any
	if json.NewDecoder(resp.Body).Decode(&m) != nil {
		return nil
	}
	return m
}
