package signer

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// wrappedKey is a key the signer cannot tell is in-process.
type wrappedKey struct{ hsm.Key }

func (k wrappedKey) Sign(ctx context.Context, d []byte) ([]byte, error) { return k.Key.Sign(ctx, d) }

// Only batches whose every issuer holds an hsm.SoftKey are signed on the
// batch's own goroutine; one other key (an HSM, which may hang) and the
// batch keeps every signature on workers bounded by BatchTimeout.
func TestInProcessOnlySoftKeys(t *testing.T) {
	soft := newIssuer(t, "ca", "tc26-256-A")
	if _, ok := soft.Key.(*hsm.SoftKey); !ok {
		t.Fatalf("test issuer key is %T, want *hsm.SoftKey", soft.Key)
	}
	other := *soft
	other.Key = wrappedKey{soft.Key}
	if !inProcess([]*job{{issuer: soft}, {issuer: soft}}) {
		t.Fatal("a batch of soft keys is not in-process")
	}
	if inProcess([]*job{{issuer: soft}, {issuer: &other}}) {
		t.Fatal("a batch with a key of unknown kind counted as in-process")
	}
	// Both ways sign correctly: a lone request (signed inline) and one
	// whose key is wrapped (signed on a worker).
	for _, is := range []*Issuer{soft, &other} {
		j := &job{issuer: is, tbs: lintedTBS(t, is)}
		st := &Signer{opts: Options{}}
		st.opts.setDefaults()
		if failed := st.signAll(context.Background(), []*job{j}); len(failed) != 0 || j.der == nil {
			t.Fatalf("%T: failed %v, der %d bytes", is.Key, failed, len(j.der))
		}
	}
}

// lintedTBS builds a qualified-person TBS for a fresh subscriber key.
func lintedTBS(t *testing.T, is *Issuer) *pkix.LintedTBS {
	t.Helper()
	req := request(t, is.ID, "tc26-256-A", "inprocess")
	csr, err := pkix.ParseCertificateRequest(req.CSR)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pkix.NewSerialNumber(rand.Reader)
	tbs, err := pkix.BuildLintedTBS(&pkix.CertificateTemplate{Profile: pkix.ProfileQualifiedPerson, SerialNumber: serial,
		NotBefore: time.Now().Truncate(time.Second), Subject: personSubject(), PublicKey: csr.PublicKey, SubjectSignTool: "x"}, &is.Settings)
	if err != nil {
		t.Fatal(err)
	}
	return tbs
}
