package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// bareCores is how many goroutines the bare crypto runs on: the machine
// of issue 16 has two cores, and the server uses both.
const bareCores = 2

// seenRing is gost3410's memory of keys verified once (maxSeenKeys): a
// key verified a second time while still in it gets a precomputed table.
// GenCSRs verified every request it made once, so the bare crypto leaves
// out the newest seenRing×2 of them: the keys it verifies are fresh, as
// the server's are.
const seenRing = 256

// bareItem is one request taken apart before the clock starts.
type bareItem struct {
	spki, info, sig []byte
}

// splitCSR takes a DER request apart without verifying it (a
// verification here would make the timed one the key's second):
// CertificationRequest ::= SEQUENCE { info SEQUENCE { version, subject,
// spki, attributes }, signatureAlgorithm, signature BIT STRING }.
func splitCSR(der []byte) (bareItem, error) {
	var it bareItem
	s := cryptobyte.String(der)
	var outer, info, infoBody, alg, spki cryptobyte.String
	var sig []byte
	var ver int64
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.ReadASN1Element(&info, cbasn1.SEQUENCE) ||
		!outer.ReadASN1(&alg, cbasn1.SEQUENCE) || !outer.ReadASN1BitStringAsBytes(&sig) {
		return it, errors.New("bare crypto: request is not a CertificationRequest")
	}
	infoBody = info
	if !infoBody.ReadASN1(&infoBody, cbasn1.SEQUENCE) || !infoBody.ReadASN1Integer(&ver) ||
		!infoBody.SkipASN1(cbasn1.SEQUENCE) || !infoBody.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return it, errors.New("bare crypto: request info without a subjectPublicKeyInfo")
	}
	return bareItem{spki: spki, info: info, sig: sig}, nil
}

// bareCrypto measures the cryptography one issuance needs and nothing
// else, on bareCores goroutines over the requests of items (all of one
// curve): decode and validate the request's fresh public key and verify
// the request's signature (hash included); hash a TBS-sized buffer, sign
// it with a tc26-256-A CA key and verify that signature with the CA key,
// whose precomputed table is built before the clock starts, as the
// server's is after its first certificates.
func bareCrypto(ctx context.Context, all []target.CSRItem, limit time.Duration) (*report.BareCrypto, error) {
	var items []target.CSRItem
	for _, it := range all {
		if it.Curve == "tc26-256-A" {
			items = append(items, it)
		}
	}
	if len(items) > 2*seenRing {
		items = items[:len(items)-2*seenRing]
	} else {
		return nil, fmt.Errorf("bare crypto: %d tc26-256-A requests, need more than %d (the newest %d were verified once when made): raise -n", len(items), 2*seenRing, 2*seenRing)
	}
	work := make([]bareItem, len(items))
	for i, it := range items {
		blk, _ := pem.Decode(it.PEM)
		if blk == nil {
			return nil, fmt.Errorf("bare crypto: request %d is not PEM", i)
		}
		var err error
		if work[i], err = splitCSR(blk.Bytes); err != nil {
			return nil, err
		}
	}
	curve, _ := gost3410.CurveByName("tc26-256-A")
	caKey, err := gost3410.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, err
	}
	caPub := caKey.Public()
	tbs := make([]byte, 1100) // a qualified certificate's TBS is about this long
	for range 3 {             // the second verification builds the CA key's table
		if err := signVerify(caKey, caPub, tbs); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next, ok atomic.Int64
	var first atomic.Pointer[error]
	cpu := load.StartCPU(0)
	start := time.Now()
	var wg sync.WaitGroup
	for range bareCores {
		wg.Go(func() {
			buf := make([]byte, len(tbs))
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(work) {
					return
				}
				w := work[i]
				info, err := pkix.ParsePublicKeyInfo(w.spki)
				if err == nil {
					err = pkix.CheckSignature(info.Key, pkix.GOST256, w.info, w.sig)
				}
				if err == nil {
					binary.BigEndian.PutUint64(buf, uint64(i)) // a distinct TBS each time
					err = signVerify(caKey, caPub, buf)
				}
				if err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	n := int(ok.Load())
	if e := first.Load(); e != nil {
		return nil, fmt.Errorf("bare crypto: %w", *e)
	}
	b := &report.BareCrypto{Certs: n, Seconds: wall.Seconds(), CPUUS: cpu.Per(n).ClientUS}
	if wall > 0 {
		b.Rate = float64(n) / wall.Seconds()
	}
	return b, nil
}

// signVerify is the issuer's side: hash, sign, verify after signing.
func signVerify(key *gost3410.PrivateKey, pub any, tbs []byte) error {
	d := pkix.GOST256.Digest(tbs)
	sig, err := key.Sign(rand.Reader, d, nil)
	if err != nil {
		return err
	}
	return pkix.CheckDigestSignature(pub, pkix.GOST256, d, sig)
}
