// Command hooksim plays the systems GostCA's hooks call, on loopback, for
// development and tests: the ESIA connector, the SMEV registries (pension
// fund, tax service, interior ministry), the SMS gateway and the mail
// relay. It verifies every delivery's Standard Webhooks signature itself
// (it shares no code with the engine), takes each webhook-id once, and
// answers ESIA registrations and registry checks with signed callbacks to
// the engine's POST /api/v1/hooks/{kind}.
//
//	hooksim -secret-file s1 [-secret-file s0] -callback http://127.0.0.1:8080 \
//	        [-listen 127.0.0.1:0] [-fail 3] [-esia succeeded|validating|failed|refuse] \
//	        [-twice] [-slow 200ms] [-org-file orgs.json] [-poll N [-forge]]
//
// Deliveries go to /esia, /registry_check, /sms, /email and /renewal
// (the kind is the last path element). It prints "hooksim listening on
// ADDR" once it listens. GET /sms/last?phone=+7… shows the last SMS text
// to a phone and GET /sms?phone=+7… its recent SMS as JSON, each with a
// sequence number (sms.go; for tests and demos only: the engine never
// returns a code); GET /stats shows the counts; POST /control?fail=N&esia=MODE
// changes the behaviour while running (poll=N&forge=0|1 too). With -poll N it plays a polling
// receiver instead (poll.go): ESIA registrations and registry checks are
// answered 202 with a ticket, and POST /poll/{ticket} answers pending N
// times, then the final answer, every answer signed.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

type sim struct {
	keys     [][]byte
	callback string
	window   time.Duration
	client   *http.Client

	mu         sync.Mutex
	fail       int // refuse this many more deliveries with 503
	esia       string
	twice      bool
	slow       time.Duration
	seen       map[string]bool
	received   map[string]int // new deliveries by kind
	duplicates map[string]int
	badSig     int
	failed     int
	sms        smsLog         // recent SMS per phone (sms.go)
	orgFile    string         // ЕГРЮЛ/ЕГРИП records by INN or OGRNIP (-org-file), read at every query
	callbacks  map[string]int // callback answers by HTTP status
	polling    pollState      // -poll: a polling receiver (poll.go)
}

func main() {
	var secretFiles files
	flag.Var(&secretFiles, "secret-file", "a Standard Webhooks secret file (repeat for a rotation; the first signs callbacks)")
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	callback := flag.String("callback", "", "the engine's base URL for callbacks (empty: no callbacks)")
	fail := flag.Int("fail", 0, "answer the first N deliveries with 503")
	esia := flag.String("esia", "succeeded", "ESIA answer: succeeded, validating (then succeeded), failed, refuse (no callback)")
	twice := flag.Bool("twice", false, "send every callback twice (the engine must take it once)")
	slow := flag.Duration("slow", 0, "wait this long before answering a delivery")
	pollN := flag.Int("poll", -2, "play a polling receiver for esia and registry_check: answer deliveries 202 with a ticket, then status queries at /poll/{ticket} pending N times before the final answer (-1: never final); without it, answer by callbacks")
	forge := flag.Bool("forge", false, "with -poll: sign status answers with a wrong key (the engine must take nothing)")
	orgFile := flag.String("org-file", "", "JSON object of tax registry records by INN or OGRNIP: {\"7707083893\": {\"name\": …, \"inn\": …, \"kpp\": …, \"ogrn\": …, \"region\": …, \"locality\": …, \"street\": …, \"head\": {\"surname\": …, \"given_name\": …, \"inn\": …}}}; read again at every query")
	flag.Parse()
	if len(secretFiles) == 0 {
		log.Fatal("hooksim: -secret-file is required")
	}
	s := &sim{callback: strings.TrimRight(*callback, "/"), window: 5 * time.Minute, fail: *fail, esia: *esia, twice: *twice, slow: *slow,
		client: &http.Client{Timeout: 10 * time.Second}, seen: map[string]bool{}, received: map[string]int{},
		duplicates: map[string]int{}, callbacks: map[string]int{}}
	s.polling = pollState{on: *pollN >= -1, pending: *pollN, forge: *forge, tickets: map[string]*ticket{}, byDelivery: map[string]string{}}
	if *orgFile != "" {
		s.orgFile = *orgFile
		if _, err := s.orgs(); err != nil {
			log.Fatalf("hooksim: -org-file: %v", err)
		}
	}
	for _, f := range secretFiles {
		k, err := readSecret(f)
		if err != nil {
			log.Fatalf("hooksim: %s: %v", f, err)
		}
		s.keys = append(s.keys, k)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || (host != "127.0.0.1" && host != "::1" && host != "localhost") {
		log.Fatal("hooksim: -listen must be a loopback address")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hooksim listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		<-ch
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func readSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := strings.TrimSpace(string(b))
	if rest, ok := strings.CutPrefix(v, "whsec_"); ok {
		return base64.StdEncoding.DecodeString(rest)
	}
	return []byte(v), nil
}

// sign is the Standard Webhooks v1 signature under key.
func sign(key []byte, id, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *sim) verify(r *http.Request, body []byte) bool {
	id, ts, sigs := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if id == "" || err != nil || time.Since(time.Unix(sec, 0)).Abs() > s.window {
		return false
	}
	for _, k := range s.keys {
		want := sign(k, id, ts, body)
		for _, sig := range strings.Fields(sigs) {
			if v, ok := strings.CutPrefix(sig, "v1,"); ok && hmac.Equal([]byte(v), []byte(want)) {
				return true
			}
		}
	}
	return false
}

func (s *sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && (r.URL.Path == "/sms/last" || r.URL.Path == "/sms"):
		s.serveSMS(w, r, r.URL.Path == "/sms/last")
		return
	case r.Method == http.MethodGet && r.URL.Path == "/stats":
		s.mu.Lock()
		b, _ := json.Marshal(map[string]any{"received": s.received, "duplicates": s.duplicates, "bad_signatures": s.badSig,
			"failed": s.failed, "callbacks": s.callbacks, "polls": s.polling.polls, "finals": s.polling.finals})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		return
	case r.Method == http.MethodPost && r.URL.Path == "/control":
		s.mu.Lock()
		if v := r.URL.Query().Get("fail"); v != "" {
			s.fail, _ = strconv.Atoi(v)
		}
		if v := r.URL.Query().Get("esia"); v != "" {
			s.esia = v
		}
		if v := r.URL.Query().Get("poll"); v != "" { // new tickets and those waiting
			s.polling.pending, _ = strconv.Atoi(v)
			for _, t := range s.polling.tickets {
				t.pending = s.polling.pending
			}
		}
		if v := r.URL.Query().Get("forge"); v != "" {
			s.polling.forge = v == "1"
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method != http.MethodPost:
		http.Error(w, "POST a signed delivery", http.StatusMethodNotAllowed)
		return
	case strings.HasPrefix(r.URL.Path, "/poll/"):
		s.status(w, r)
		return
	}
	kind := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if !s.verify(r, body) {
		s.mu.Lock()
		s.badSig++
		s.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	slow := s.slow
	if s.fail > 0 {
		s.fail--
		s.failed++
		s.mu.Unlock()
		http.Error(w, "simulated outage", http.StatusServiceUnavailable)
		return
	}
	id := r.Header.Get("webhook-id")
	if s.seen[id] {
		s.duplicates[kind]++
		t, polled := s.polling.byDelivery[id]
		s.mu.Unlock()
		if polled { // a repeated request gets its ticket again
			writeTicket(w, t)
			return
		}
		w.WriteHeader(http.StatusOK) // taken before: acknowledged, not acted on again
		return
	}
	s.seen[id] = true
	s.received[kind]++
	mode := s.esia
	s.mu.Unlock()
	time.Sleep(slow)
	switch kind {
	case "sms":
		var m struct{ To, Text string }
		_ = json.Unmarshal(body, &m)
		s.mu.Lock()
		s.sms.add(m.To, m.Text)
		s.mu.Unlock()
	case "esia":
		var d struct {
			Serial string `json:"serial"`
		}
		_ = json.Unmarshal(body, &d)
		if s.polling.on {
			var interim any
			if mode == "validating" {
				interim = map[string]any{"serial": d.Serial, "status": "VALIDATING"}
			}
			s.ticketFor(w, id, kind, map[string]any{"serial": d.Serial, "status": "SUCCEEDED"}, interim)
			return
		}
		go s.answerESIA(d.Serial, mode)
	case "registry_check":
		var q struct {
			Application string    `json:"application"`
			Check       string    `json:"check"`
			RequestedAt time.Time `json:"requested_at"`
			OrgINN      string    `json:"org_inn"`
			OGRNIP      string    `json:"ogrnip"`
		}
		_ = json.Unmarshal(body, &q)
		answer := map[string]any{"application": q.Application, "check": q.Check,
			"requested_at": q.RequestedAt, "status": "confirmed", "detail": "simulated registry: data match"}
		if q.Check == "egrul" || q.Check == "egrip" {
			orgs, err := s.orgs()
			if err != nil {
				log.Printf("hooksim: -org-file: %v", err)
			}
			if org, ok := orgs[q.OrgINN+q.OGRNIP]; ok {
				answer["organisation"] = org
			} else {
				answer["status"], answer["detail"] = "refuted", "simulated registry: no such organisation"
			}
		}
		if s.polling.on {
			s.ticketFor(w, id, kind, answer, nil)
			return
		}
		go s.send("registry_check", answer)
	}
	w.WriteHeader(http.StatusAccepted)
}

// orgs reads the -org-file again, so that a test may change what the
// registry says between two queries.
func (s *sim) orgs() (map[string]json.RawMessage, error) {
	if s.orgFile == "" {
		return nil, nil
	}
	var orgs map[string]json.RawMessage
	b, err := os.ReadFile(s.orgFile)
	if err == nil {
		err = json.Unmarshal(b, &orgs)
	}
	return orgs, err
}

func (s *sim) answerESIA(serial, mode string) {
	switch mode {
	case "refuse":
	case "failed":
		s.send("esia", map[string]any{"serial": serial, "status": "VALIDATION_FAILED", "code": "ESIA-007", "message": "simulated: owner not found"})
	case "validating":
		s.send("esia", map[string]any{"serial": serial, "status": "VALIDATING"})
		time.Sleep(50 * time.Millisecond)
		s.send("esia", map[string]any{"serial": serial, "status": "SUCCEEDED"})
	default:
		s.send("esia", map[string]any{"serial": serial, "status": "SUCCEEDED"})
	}
}

var cbSeq struct {
	sync.Mutex
	n int
}

// send posts one signed callback (twice with -twice), retrying for up to
// half a minute while the engine does not answer (it may be restarting)
// or answers 5xx. Each retry is a new timestamp and signature, the same
// webhook-id.
func (s *sim) send(kind string, doc any) {
	if s.callback == "" {
		return
	}
	body, _ := json.Marshal(doc)
	cbSeq.Lock()
	cbSeq.n++
	id := fmt.Sprintf("sim_%d_%d", os.Getpid(), cbSeq.n)
	cbSeq.Unlock()
	times := 1
	if s.twice {
		times = 2
	}
	for range times {
		for try := 0; try < 150; try++ {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			req, _ := http.NewRequest(http.MethodPost, s.callback+"/api/v1/hooks/"+kind, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("webhook-id", id)
			req.Header.Set("webhook-timestamp", ts)
			req.Header.Set("webhook-signature", "v1,"+sign(s.keys[0], id, ts, body))
			resp, err := s.client.Do(req)
			if err != nil {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			s.mu.Lock()
			s.callbacks[strconv.Itoa(resp.StatusCode)]++
			s.mu.Unlock()
			break
		}
	}
}
