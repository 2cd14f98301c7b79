package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/testlog"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// A fresh init makes the data, key and database directories 0700 and the
// key and passphrase files 0600 (the database directory stays 0700 once
// serve opened the store); serve warns at every start that the soft keys
// use the demo passphrase kept next to them.
func TestFreshInitModesAndDemoWarning(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	dir := filepath.Join(t.TempDir(), "data")
	cli(t, 0, "init", "--data", dir)
	check := func(when string) {
		t.Helper()
		for _, d := range []string{dir, filepath.Join(dir, "db"), filepath.Join(dir, "keys")} {
			if m := mode(t, d); m != 0o700 {
				t.Errorf("%s: %s is %04o, want 0700", when, d, m)
			}
		}
		keys, _ := filepath.Glob(filepath.Join(dir, "keys", "*"))
		if len(keys) < 3 {
			t.Fatalf("keys: %v", keys)
		}
		for _, k := range keys {
			if m := mode(t, k); m != 0o600 {
				t.Errorf("%s: %s is %04o, want 0600", when, k, m)
			}
		}
	}
	check("after init")
	for range 2 {
		s := startServe(t, "--data", dir)
		s.stop()
		if n := strings.Count(s.errb.String(), "DEMO PASSPHRASE"); n != 1 {
			t.Fatalf("serve logged the demo-passphrase warning %d times: %s", n, s.errb.String())
		}
	}
	check("after serve")
}

// instance.production refuses the demo passphrase, before anything is
// created; with a configured passphrase the instance starts and does not
// warn.
func TestProductionRefusesDemoPassphrase(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_INSTANCE_PRODUCTION", "true")
	dir := filepath.Join(t.TempDir(), "data")
	var out, errb testlog.Buffer
	if code := runContext(t.Context(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "instance.production") || !strings.Contains(errb.String(), "keys.passphrase_file") {
		t.Fatalf("production serve with the demo passphrase: exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the refused start created %s: %v", dir, err)
	}
	if s := cli(t, 1, "init", "--data", dir); !strings.Contains(s, "instance.production") {
		t.Fatalf("production init with the demo passphrase: %s", s)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", "passphrase")); err == nil {
		t.Fatal("the refused init wrote the demo passphrase")
	}
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "a configured passphrase, not the demo one")
	s := startServe(t, "--data", dir)
	s.stop()
	if strings.Contains(s.errb.String(), "DEMO PASSPHRASE") {
		t.Fatalf("warned with a configured passphrase: %s", s.errb.String())
	}
}

// Every secret file is refused when its group or others may read it, with
// a message that says `chmod 600 FILE`: a soft CA key, the passphrase
// file, the TLS key, the metrics token file and a CLI token file.
func TestGroupReadableSecretsRefused(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	pass := filepath.Join(tmp, "passphrase")
	os.WriteFile(pass, []byte("a passphrase kept elsewhere\n"), 0o600)
	t.Setenv("GOSTCA_KEYS_PASSPHRASE_FILE", pass)
	cli(t, 0, "init", "--data", dir)
	s := startServe(t, "--data", dir)
	tokFile := filepath.Join(tmp, "admin.token")
	os.WriteFile(tokFile, []byte(s.token+"\n"), 0o640)
	out := cli(t, 2, "crl", "--server", "http://"+s.addr, "--token-file", tokFile)
	if !strings.Contains(out, "chmod 600 "+tokFile) || strings.Contains(out, s.token) {
		t.Fatalf("group-readable token file: %s", out)
	}
	os.Chmod(tokFile, 0o600)
	cli(t, 0, "crl", "--server", "http://"+s.addr, "--token-file", tokFile)
	s.stop()

	serveFails := func(name, file string) {
		t.Helper()
		var o, e testlog.Buffer
		code := runContext(t.Context(), []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, &o, &e)
		if code == 0 || !strings.Contains(e.String(), "chmod 600 "+file) {
			t.Fatalf("%s readable by the group: exit %d: %s", name, code, e.String())
		}
	}
	keyFile := filepath.Join(dir, "keys", "gost256.key")
	for name, file := range map[string]string{"soft CA key": keyFile, "passphrase file": pass} {
		os.Chmod(file, 0o640)
		serveFails(name, file)
		os.Chmod(file, 0o600)
	}

	metrics := filepath.Join(tmp, "metrics.token")
	os.WriteFile(metrics, []byte("scrape-me-0123456789\n"), 0o640)
	t.Setenv("GOSTCA_SERVER_METRICS_TOKEN_FILE", metrics)
	serveFails("metrics token file", metrics)
	os.Chmod(metrics, 0o600)

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	tlsKey, tlsCert := filepath.Join(tmp, "tls.key"), filepath.Join(tmp, "tls.crt")
	os.WriteFile(tlsKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o640)
	os.WriteFile(tlsCert, []byte("not read: the key is refused first"), 0o644)
	t.Setenv("GOSTCA_SERVER_TLS_KEY_FILE", tlsKey)
	t.Setenv("GOSTCA_SERVER_TLS_CERT_FILE", tlsCert)
	serveFails("TLS key", tlsKey)
}
