package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// BenchmarkHTTPApplication drives applications over HTTP on a real
// server at 127.0.0.1 (16 callers, fsync on). One op is four calls:
// open, fill the owner data, add a document (three synced writes, each
// with its history event, audit entry and outbox rows), and a submission
// refused as incomplete (a read, the profile's rules, no write).
func BenchmarkHTTPApplication(b *testing.B) {
	benchPDF := testPDF(strings.Repeat("scan ", 1<<18/5)) // 256 KiB, stored once (content-addressed)
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleServiceCentre]
	client := benchClient()
	var n, failed atomic.Int64
	call := func(method, path, etag string, body any) (*http.Response, raapi.Application) {
		data, ok := body.([]byte) // a document upload: the file itself
		if !ok {
			data, _ = json.Marshal(body)
		}
		req, _ := http.NewRequest(method, ts.base+path, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if etag != "" {
			req.Header.Set("If-Match", etag)
		}
		resp, err := client.Do(req)
		if err != nil {
			failed.Add(1)
			return nil, raapi.Application{}
		}
		defer resp.Body.Close()
		var a raapi.Application
		_ = json.NewDecoder(resp.Body).Decode(&a)
		return resp, a
	}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			resp, a := call("POST", "/api/v1/applications", "", raapi.CreateApplicationRequest{CertType: "natural-person",
				Phone: fmt.Sprintf("+7916%07d", i)})
			if resp == nil || resp.StatusCode != 201 {
				failed.Add(1)
				continue
			}
			path := "/api/v1/applications/" + a.ID
			resp, _ = call("PUT", path+"/data", resp.Header.Get("ETag"), raapi.ApplicationDataRequest{Phone: a.Phone, Owner: appOwner()})
			if resp == nil || resp.StatusCode != 200 {
				failed.Add(1)
				continue
			}
			resp, _ = call("POST", path+"/documents?type=passport", resp.Header.Get("ETag"), benchPDF)
			if resp == nil || resp.StatusCode != 201 {
				failed.Add(1)
				continue
			}
			resp, _ = call("POST", path+"/actions/submit", resp.Header.Get("ETag"), struct{}{})
			if resp == nil || resp.StatusCode != 422 { // signed application, SNILS and INN scans still missing
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d calls failed", f)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4/1e3, "µs/call")
}
