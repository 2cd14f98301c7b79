package store

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPutOCSPResponses is the store's part of the new
// certificates' pre-signer: 64 responses stored one write each ("each",
// PutOCSPResponse) or in one write ("batch", PutOCSPResponses). ns/op
// and cpu are per response.
func BenchmarkPutOCSPResponses(b *testing.B) {
	s := openAt(b, b.TempDir(), Options{NoSync: true})
	const n = 64
	recs := make([]OCSPRecord, n)
	for i := range recs {
		c := issueN(b, s, i+1, Identifiers{}, nil)
		recs[i] = OCSPRecord{Serial: c.Serial, DER: make([]byte, 600), NextUpdate: t0.Add(time.Hour)}
	}
	for _, mode := range []string{"each", "batch"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i += n {
				for j := range recs {
					recs[j].NextUpdate = t0.Add(time.Duration(i+j) * time.Second)
				}
				if mode == "each" {
					for _, r := range recs {
						if err := s.PutOCSPResponse(ctx, r); err != nil {
							b.Fatal(err)
						}
					}
					continue
				}
				errs, err := s.PutOCSPResponses(ctx, recs)
				if err != nil || len(errs) != n || errs[0] != nil {
					b.Fatal(fmt.Sprint(err, errs))
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64((b.N+n-1)/n*n), "cpu-ns/resp")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
