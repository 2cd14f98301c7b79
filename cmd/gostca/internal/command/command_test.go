package command

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// TestParseFlags: flags may come before, between and after the
// positional arguments, and a repeated ListFlag keeps every value in
// order.
func TestParseFlags(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	reason := fs.String("reason", "", "")
	var list ListFlag
	fs.Var(&list, "item", "")
	pos, err := ParseFlags(fs, []string{"--item", "a", "SERIAL", "--reason", "keyCompromise", "second", "--item", "b"})
	if err != nil || !reflect.DeepEqual(pos, []string{"SERIAL", "second"}) || *reason != "keyCompromise" ||
		!reflect.DeepEqual([]string(list), []string{"a", "b"}) || list.String() != "a,b" {
		t.Fatalf("pos %q reason %q list %q: %v", pos, *reason, list, err)
	}
	fs.SetOutput(new(bytes.Buffer))
	if _, err := ParseFlags(fs, []string{"x", "--bogus"}); err == nil {
		t.Fatal("an unknown flag after an argument was accepted")
	}
}

// TestWithServerExitCodes: flags that make no client exit 2, a failed
// action 1, both printed as "gostca NAME: …"; a successful one 0.
func TestWithServerExitCodes(t *testing.T) {
	t.Setenv(apiclient.EnvToken, "tok")
	t.Setenv(apiclient.EnvTokenFile, "")
	flags := func(server string) *apiclient.Flags {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		var r apiclient.Flags
		r.Register(fs)
		if err := fs.Parse([]string{"--server", server}); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	var errb bytes.Buffer
	ran := false
	if code := WithServer(context.Background(), "list", flags("nope"), &errb, func(*apiclient.Client) error { ran = true; return nil }); code != 2 || ran ||
		!strings.HasPrefix(errb.String(), "gostca list: --server") {
		t.Fatalf("bad --server: %d %q ran=%v", code, errb.String(), ran)
	}
	errb.Reset()
	if code := WithServer(context.Background(), "crl", flags("http://127.0.0.1:1"), &errb, func(*apiclient.Client) error { return errors.New("boom") }); code != 1 ||
		errb.String() != "gostca crl: boom\n" {
		t.Fatalf("failed action: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := WithServer(context.Background(), "crl", flags("http://127.0.0.1:1"), &errb, func(*apiclient.Client) error { return nil }); code != 0 || errb.Len() != 0 {
		t.Fatalf("successful action: %d %q", code, errb.String())
	}
}

// TestDataDirAdvice: a directory locked by a running server gets the way
// through it (or the advice to stop it), other failures the general
// hint.
func TestDataDirAdvice(t *testing.T) {
	locked := errors.New("open store: lock held by current process")
	other := errors.New("open store: permission denied")
	for _, c := range []struct {
		err    error
		remote bool
		want   string
	}{
		{locked, true, "Act through that server instead"},
		{locked, false, "stop the server first"},
		{other, true, "use --server URL --token-file F"},
		{other, false, "stop it first"},
	} {
		if got := DataDirAdvice(c.err, c.remote); !strings.Contains(got, c.want) {
			t.Errorf("%v remote=%v: %q, want %q", c.err, c.remote, got, c.want)
		}
	}
}
