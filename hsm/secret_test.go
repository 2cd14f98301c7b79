package hsm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretSource(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("GOSTCA_TEST_PIN", "env-s3cret")
	t.Setenv("GOSTCA_TEST_EMPTY", "")

	ok := []struct {
		src  SecretSource
		want string
	}{
		{SecretSource{File: write("lf", "f1le-s3cret\n", 0o600)}, "f1le-s3cret"},
		{SecretSource{File: write("crlf", "f1le-s3cret\r\n", 0o600)}, "f1le-s3cret"},
		{SecretSource{File: write("raw", "  spaces kept  ", 0o400)}, "  spaces kept  "},
		{SecretSource{File: write("two", "a\n\n", 0o600)}, "a\n"},
		{SecretSource{Env: "GOSTCA_TEST_PIN"}, "env-s3cret"},
	}
	for _, c := range ok {
		got, err := c.src.Read()
		if err != nil || string(got) != c.want {
			t.Errorf("%v: %q, %v; want %q", c.src, got, err, c.want)
		}
		if strings.Contains(c.src.String(), c.want) {
			t.Errorf("String() shows the secret: %s", c.src)
		}
	}

	bad := []struct {
		src  SecretSource
		want string
	}{
		{SecretSource{}, "no source"},
		{SecretSource{File: "x", Env: "y"}, "not both"},
		{SecretSource{Env: "GOSTCA_TEST_UNSET_VARIABLE"}, "not set"},
		{SecretSource{Env: "GOSTCA_TEST_EMPTY"}, "is empty"},
		{SecretSource{File: filepath.Join(dir, "missing")}, "no such file"},
		{SecretSource{File: write("world", "w0rld-s3cret", 0o644)}, "chmod 600"},
		{SecretSource{File: write("group", "gr0up-s3cret", 0o640)}, "group or others may access it (mode 0640)"},
		{SecretSource{File: write("empty", "\n", 0o600)}, "is empty"},
		{SecretSource{File: write("big", strings.Repeat("x", maxSecretFile+1), 0o600)}, "longer than"},
		{SecretSource{File: dir}, "not a regular file"},
	}
	for _, c := range bad {
		_, err := c.src.Read()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.src, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: secret in error %q", c.src, err)
		}
	}
}
