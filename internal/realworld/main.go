// Command realworld runs package pkix over a directory of certificates,
// certificate requests, CRLs and CMS signatures made by other software
// and prints what parsed, what verified against an issuer found in the
// same directory, and why the rest failed. It reads the directory given
// as its argument and writes nothing; the artefacts stay where they are.
//
//	go run ./internal/realworld DIR [-v]
//
// Inputs may be DER, PEM (any number of blocks) or base64 DER. Files are
// classified by the first path element under DIR: certs, csr, crl, cms
// (anything else is tried as each kind in turn).
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gostca/gostca/pkix"
)

func main() {
	verbose := flag.Bool("v", false, "name each failing file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: realworld [-v] DIR")
		os.Exit(2)
	}
	r := &run{verbose: *verbose, fails: map[string][]string{}}
	if err := r.walk(flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "realworld:", err)
		os.Exit(1)
	}
	r.verify()
	r.report(os.Stdout)
}

type certEntry struct {
	name string
	cert *pkix.Certificate
	// extErr is the first extension whose value the package's parser
	// refused.
	extErr error
}

type run struct {
	verbose bool
	certs   []*certEntry
	crls    []struct {
		name string
		crl  *pkix.CRL
	}
	n     map[string]int // counters by name
	fails map[string][]string
	// noIssuer names the certificates whose issuer is not in the
	// directory (not a failure).
	noIssuer []string
}

func (r *run) count(k string) {
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[k]++
}

// fail records why name failed under kind.
func (r *run) fail(kind, name string, err error) {
	reason := kind + ": " + reasonOf(err)
	r.fails[reason] = append(r.fails[reason], name)
}

// reasonOf shortens an error to its class: numbers and names that vary
// between files are kept, as they say what is wrong, but the text stops
// at the first line.
func reasonOf(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func (r *run) walk(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		base := filepath.Base(rel)
		if strings.HasSuffix(base, ".md") || base == "SHA256SUMS" || base == "doc.txt" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		kind := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		for i, blk := range blocks(data) {
			name := rel
			if i > 0 || len(blk.der) != len(data) && strings.HasSuffix(base, "-all.pem") {
				name = fmt.Sprintf("%s#%d", rel, i+1)
			}
			r.one(kind, name, blk)
		}
		return nil
	})
}

type block struct {
	typ string // PEM type, or "" for DER / base64
	der []byte
}

// blocks splits a file into DER objects: PEM blocks, or the whole file as
// DER, or as base64.
func blocks(data []byte) []block {
	var out []block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		out = append(out, block{b.Type, b.Bytes})
	}
	if out != nil {
		return out
	}
	if len(data) > 0 && data[0] == 0x30 {
		return []block{{"", data}}
	}
	clean := bytes.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, data)
	if der, err := base64.StdEncoding.DecodeString(string(clean)); err == nil && len(der) > 0 && der[0] == 0x30 {
		return []block{{"", der}}
	}
	return []block{{"", data}}
}

func (r *run) one(kind, name string, b block) {
	switch {
	case b.typ == "CERTIFICATE" || kind == "certs":
		r.count("cert.total")
		r.addCert(name, b.der)
	case b.typ == "X509 CRL" || kind == "crl":
		r.count("crl.total")
		c, err := pkix.ParseCRL(b.der)
		if err != nil {
			r.fail("crl parse", name, err)
			return
		}
		r.count("crl.parsed")
		r.crls = append(r.crls, struct {
			name string
			crl  *pkix.CRL
		}{name, c})
	case strings.Contains(b.typ, "REQUEST") || kind == "csr":
		r.count("csr.total")
		if _, err := pkix.ParseCertificateRequest(b.der); err != nil {
			r.fail("csr parse", name, err)
			return
		}
		r.count("csr.parsed+verified")
	case b.typ == "CMS" || b.typ == "PKCS7" || kind == "cms":
		r.count("cms.total")
		r.cms(name, b.der)
	default:
		// repro/ and anything else: a request, else a certificate.
		if _, err := pkix.ParseCertificateRequest(b.der); err == nil {
			r.count("csr.total")
			r.count("csr.parsed+verified")
			return
		} else if _, cerr := pkix.ParseCertificate(b.der); cerr != nil {
			r.count("csr.total")
			r.fail("csr parse", name, err)
			return
		}
		r.count("cert.total")
		r.addCert(name, b.der)
	}
}

func (r *run) addCert(name string, der []byte) {
	c, err := pkix.ParseCertificate(der)
	if err != nil {
		r.fail("cert parse", name, err)
		return
	}
	r.count("cert.parsed")
	e := &certEntry{name: name, cert: c}
	for _, x := range c.Extensions {
		if err := pkix.CheckExtension(x); err != nil {
			e.extErr = err
			r.fail("cert extension", name, err)
			break
		}
	}
	if e.extErr == nil {
		r.count("cert.extensions-ok")
	}
	if _, _, err := c.KeyUsagePeriod(); err != nil && e.extErr == nil {
		r.fail("cert privateKeyUsagePeriod", name, err)
	}
	r.certs = append(r.certs, e)
}

// verify checks every certificate and CRL against the certificates whose
// subject is its issuer.
func (r *run) verify() {
	for _, e := range r.certs {
		c := e.cert
		var last error
		found := false
		for _, p := range r.certs {
			if !bytes.Equal(p.cert.RawSubject, c.RawIssuer) {
				continue
			}
			found = true
			if last = c.CheckSignatureFrom(p.cert); last == nil {
				break
			}
		}
		switch {
		case !found:
			r.count("cert.no-issuer-present")
			r.noIssuer = append(r.noIssuer, e.name)
		case last == nil:
			r.count("cert.verified")
		default:
			r.fail("cert verify", e.name, last)
		}
	}
	for _, x := range r.crls {
		var last error
		found := false
		for _, p := range r.certs {
			if !bytes.Equal(p.cert.RawSubject, x.crl.Issuer) {
				continue
			}
			found = true
			if last = x.crl.CheckSignatureFrom(p.cert.PublicKey.Key); last == nil {
				break
			}
		}
		switch {
		case !found:
			r.count("crl.no-issuer-present")
		case last == nil:
			r.count("crl.verified")
		default:
			r.fail("crl verify", x.name, last)
		}
	}
}

func (r *run) report(w *os.File) {
	keys := make([]string, 0, len(r.n))
	for k := range r.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "counts:")
	for _, k := range keys {
		fmt.Fprintf(w, "  %-28s %d\n", k, r.n[k])
	}
	reasons := make([]string, 0, len(r.fails))
	for k := range r.fails {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if a, b := len(r.fails[reasons[i]]), len(r.fails[reasons[j]]); a != b {
			return a > b
		}
		return reasons[i] < reasons[j]
	})
	if r.verbose {
		for _, n := range r.noIssuer {
			fmt.Fprintf(w, "  no issuer present: %s\n", n)
		}
	}
	fmt.Fprintln(w, "failures by reason:")
	if len(reasons) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, k := range reasons {
		fmt.Fprintf(w, "  %4d  %s\n", len(r.fails[k]), k)
		if r.verbose {
			for _, n := range r.fails[k] {
				fmt.Fprintf(w, "          %s\n", n)
			}
		}
	}
}

var errNotSignedData = errors.New("not a CMS SignedData")
