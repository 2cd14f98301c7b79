package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/pkix"
)

// TestCRLOutMirrorsPublication: with deltas and two partitions, `gostca
// crl --out DIR` writes every CRL the server publishes, laid out as under
// /crl/ — from the data directory and through the API alike — and each
// file is the CRL its path names.
func TestCRLOutMirrorsPublication(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_CRL_DELTA", "true")
	t.Setenv("GOSTCA_CRL_PARTITIONS", "2")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	dir := filepath.Join(t.TempDir(), "data")
	cli(t, 0, "init", "--data", dir)
	want := []string{"gost256.crl", "gost256-delta.crl", "gost256/0.crl", "gost256/0-delta.crl", "gost256/1.crl", "gost256/1-delta.crl"}
	checkDir := func(out string) {
		t.Helper()
		for _, name := range want {
			der, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			crl, err := pkix.ParseCRL(der)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			isDelta := strings.HasSuffix(name, "-delta.crl")
			isPart := strings.Contains(name, "/")
			if (crl.DeltaOf != nil) != isDelta {
				t.Errorf("%s: deltaCRLIndicator %v", name, crl.DeltaOf)
			}
			idp := crl.IssuingDistributionPoint
			base := strings.TrimSuffix(strings.TrimSuffix(name, ".crl"), "-delta") + ".crl" // a delta has its base's scope
			if isPart != (idp != nil) || (isPart && !strings.HasSuffix(idp.URIs[0], "/crl/"+base)) {
				t.Errorf("%s: issuing distribution point %+v", name, idp)
			}
		}
	}
	local := t.TempDir()
	if s := cli(t, 0, "crl", "--data", dir, "--out", local); !strings.Contains(s, "gost256: CRL number") {
		t.Fatalf("crl: %s", s)
	}
	checkDir(local)

	srv := startServe(t, "--data", dir)
	tokFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokFile, []byte(srv.token), 0o600)
	remote := t.TempDir()
	cli(t, 0, "crl", "--out", remote, "--server", "http://"+srv.addr, "--token-file", tokFile)
	checkDir(remote)
	srv.stop()
}
