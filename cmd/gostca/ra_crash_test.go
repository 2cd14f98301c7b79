package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// The registration authority's crash test: `gostca serve` runs as a
// child process (TestServeCrashChild) while service-centre clients open
// applications, save their data, upload scans (streamed, 8–72 KiB)
// and submit or cancel them over HTTP; the parent kills the server with
// SIGKILL at random moments, several times, and starts it again. Then
// every change the server acknowledged is there — each application at
// least at its acknowledged version (exactly its state when no later
// change was in flight), each acknowledged document listed with its
// SHA-256 and downloading byte-identical, one history event per version
// — and the store check and `gostca fsck` (which checks the documents
// directory against the metadata) are clean: no application refers to
// a missing or corrupt file.

const raCrashKills = 5

// ackApp is what the server acknowledged of one application.
type ackApp struct {
	version uint64
	state   string
	docs    map[string]string // document id → SHA-256 (hex) of the bytes sent
	settled bool              // no change in flight after the last acknowledgement
}

type raCrashClient struct {
	client *http.Client
	base   string
	token  string
}

func (c *raCrashClient) do(method, path string, body []byte, ct, ifMatch string) (int, []byte, http.Header, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// scanPDF is a unique PDF of about size bytes.
func scanPDF(size int) []byte {
	noise := make([]byte, size/2)
	rand.Read(noise)
	return []byte("%PDF-1.4\n% " + hex.EncodeToString(noise) + "\n%%EOF\n")
}

func crashOwner() raapi.OwnerJSON {
	return raapi.OwnerJSON{Surname: "Ёлкина", GivenName: "Анна-Мария", Sex: "female", BirthDate: "1990-05-17", BirthPlace: "г. Тверь",
		IdentityDocument: &raapi.IDDocJSON{Type: "russian_passport", Series: "4510", Number: "123456",
			IssuedOn: "2010-06-01", Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		SNILS: "112-233-445 95", INN: "500100123426", Email: "anna@example.ru"}
}

// raCrashWorker walks applications until stop, recording every
// acknowledged change in acks (under mu).
func raCrashWorker(c *raCrashClient, rng *mrand.Rand, stop <-chan struct{}, mu *sync.Mutex, acks map[string]*ackApp, uploads *int) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		code, body, hdr, err := c.do("POST", "/api/v1/applications", []byte(fmt.Sprintf(`{"cert_type":"natural-person","phone":"+7916%07d"}`, rng.IntN(10_000_000))), "application/json", "")
		if err != nil || code != 201 {
			continue
		}
		var a raapi.Application
		if json.Unmarshal(body, &a) != nil {
			continue
		}
		ack := &ackApp{version: a.Version, state: a.State, docs: map[string]string{}, settled: true}
		mu.Lock()
		acks[a.ID] = ack
		mu.Unlock()
		path := "/api/v1/applications/" + a.ID
		etag := hdr.Get("ETag")
		// step sends one change; on an answer other than want the
		// application is left (the change may or may not have happened).
		step := func(method, p string, body []byte, ct string, want int) (*raapi.Application, bool) {
			mu.Lock()
			ack.settled = false
			mu.Unlock()
			code, b, h, err := c.do(method, path+p, body, ct, etag)
			if err != nil || code != want {
				return nil, false
			}
			var got raapi.Application
			if json.Unmarshal(b, &got) != nil {
				return nil, false
			}
			etag = h.Get("ETag")
			mu.Lock()
			ack.version, ack.state, ack.settled = got.Version, got.State, true
			mu.Unlock()
			return &got, true
		}
		data, _ := json.Marshal(raapi.ApplicationDataRequest{Phone: a.Phone, Owner: crashOwner()})
		if _, ok := step("PUT", "/data", data, "application/json", 200); !ok {
			continue
		}
		ok := true
		for _, typ := range []string{"passport", "snils", "inn", "signed_application"} {
			scan := scanPDF(8<<10 + rng.IntN(64<<10))
			sum := sha256.Sum256(scan)
			got, done := step("POST", "/documents?type="+typ, scan, "application/pdf", 201)
			if !done {
				ok = false
				break
			}
			d := got.Documents[len(got.Documents)-1]
			mu.Lock()
			ack.docs[d.ID] = hex.EncodeToString(sum[:])
			*uploads++
			mu.Unlock()
		}
		if !ok {
			continue
		}
		if _, ok := step("POST", "/actions/submit", nil, "", 200); !ok {
			continue
		}
		if rng.IntN(3) == 0 {
			step("POST", "/actions/cancel", []byte(`{"reason":"передумал"}`), "application/json", 200)
		}
	}
}

func TestRACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	dir := filepath.Join(t.TempDir(), "data")
	var admin string
	client := &http.Client{Timeout: 20 * time.Second}
	var mu sync.Mutex
	acks := map[string]*ackApp{}
	uploads := 0
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 17))
	var sc string
	for kill := range raCrashKills {
		srv := startCrashChild(t, dir, &admin)
		base := "http://" + srv.addr
		if sc == "" {
			adm := &raCrashClient{client: client, base: base, token: admin}
			code, body, _, err := adm.do("POST", "/api/v1/tokens", []byte(`{"role":"service_centre","scope":"centre-1","name":"crash centre"}`), "application/json", "")
			if err != nil || code != 201 {
				t.Fatalf("creating the centre's token: %d %s %v", code, body, err)
			}
			var tok struct{ Token string }
			json.Unmarshal(body, &tok)
			sc = tok.Token
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wrng := mrand.New(mrand.NewPCG(rng.Uint64(), uint64(w))) // drawn here: rng is not safe across goroutines
			wg.Add(1)
			go func() {
				defer wg.Done()
				raCrashWorker(&raCrashClient{client: client, base: base, token: sc}, wrng, stop, &mu, acks, &uploads)
			}()
		}
		time.Sleep(time.Duration(800+rng.IntN(1500)) * time.Millisecond)
		srv.cmd.Process.Signal(syscall.SIGKILL)
		srv.cmd.Wait()
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		mu.Lock()
		t.Logf("kill %d: %d applications and %d uploads acknowledged so far", kill+1, len(acks), uploads)
		mu.Unlock()
	}
	if len(acks) < 10 || uploads < 20 {
		t.Fatalf("too little was acknowledged to prove anything: %d applications, %d uploads", len(acks), uploads)
	}

	srv := startCrashChild(t, dir, &admin)
	c := &raCrashClient{client: client, base: "http://" + srv.addr, token: sc}
	checked := 0
	for id, ack := range acks {
		path := "/api/v1/applications/" + id
		code, body, _, err := c.do("GET", path, nil, "", "")
		if err != nil || code != 200 {
			t.Fatalf("acknowledged application %s: %d %v after the crashes", id, code, err)
		}
		var a raapi.Application
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		if a.Version < ack.version || (ack.settled && (a.Version != ack.version || a.State != ack.state)) {
			t.Fatalf("application %s: version %d state %s, acknowledged %d %s (settled %v)", id, a.Version, a.State, ack.version, ack.state, ack.settled)
		}
		stored := map[string]string{}
		for _, d := range a.Documents {
			stored[d.ID] = d.SHA256
		}
		for docID, sum := range ack.docs {
			if stored[docID] != sum {
				t.Fatalf("application %s: acknowledged document %s (%s) stored as %q", id, docID, sum, stored[docID])
			}
			code, b, _, err := c.do("GET", path+"/documents/"+docID, nil, "", "")
			got := sha256.Sum256(b)
			if err != nil || code != 200 || hex.EncodeToString(got[:]) != sum {
				t.Fatalf("application %s document %s: %d %v, SHA-256 %x, want %s", id, docID, code, err, got, sum)
			}
			checked++
		}
		code, body, _, err = c.do("GET", path+"/history", nil, "", "")
		var h struct {
			Items []raapi.EventJSON `json:"items"`
		}
		if err != nil || code != 200 || json.Unmarshal(body, &h) != nil || uint64(len(h.Items)) != a.Version {
			t.Fatalf("application %s history: %d %v, %d events for version %d", id, code, err, len(h.Items), a.Version)
		}
	}
	t.Logf("%d applications and %d documents checked after %d kills", len(acks), checked, raCrashKills)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Logf("server exit after SIGTERM: %v", err)
	}

	cfg := config.DefaultConfig()
	cfg.DataDir = dir
	var dr docstore.Report
	rep, err := offline.Fsck(context.Background(), cfg, store.Options{Logger: slog.New(slog.DiscardHandler)}, offline.FsckOptions{Documents: &dr})
	if err != nil || !rep.OK() || !dr.OK() || len(dr.Missing) != 0 {
		t.Fatalf("fsck after the crashes: %v %+v; documents %+v", err, rep, dr)
	}
	if dr.Documents < checked {
		t.Fatalf("%d document files for %d acknowledged documents", dr.Documents, checked)
	}
	t.Logf("documents directory: %d files (%d orphans from uploads cut by a kill), %s bytes", dr.Documents, len(dr.Orphans), strconv.FormatInt(dr.Bytes, 10))
	cli(t, 0, "fsck", "--data", dir)
}
