package hsm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// SecretSource says where a PIN or passphrase comes from: a file or an
// environment variable, never a command-line flag or the configuration
// file itself. Exactly one field must be set. The secret's value never
// appears in errors or logs; String names only its source.
type SecretSource struct {
	// File is a file holding the secret; one trailing "\n" or "\r\n" is
	// dropped. It must not be readable or writable by others (mode o-rwx).
	File string
	// Env is the name of an environment variable holding the secret.
	Env string
}

// maxSecretFile bounds what Read accepts from a file.
const maxSecretFile = 4096

// String describes the source, not the secret.
func (s SecretSource) String() string {
	switch {
	case s.File != "" && s.Env == "":
		return fmt.Sprintf("file %q", s.File)
	case s.Env != "" && s.File == "":
		return fmt.Sprintf("environment variable %s", s.Env)
	case s.File == "" && s.Env == "":
		return "no secret source"
	}
	return "ambiguous secret source"
}

// IsZero reports whether no source is set.
func (s SecretSource) IsZero() bool { return s.File == "" && s.Env == "" }

// Read returns the secret. The caller owns the slice and should clear it
// when done.
func (s SecretSource) Read() ([]byte, error) {
	switch {
	case s.File != "" && s.Env != "":
		return nil, errors.New("hsm: secret: set either a file or an environment variable, not both")
	case s.File != "":
		return readSecretFile(s.File)
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return nil, fmt.Errorf("hsm: secret: environment variable %s is not set", s.Env)
		}
		if v == "" {
			return nil, fmt.Errorf("hsm: secret: environment variable %s is empty", s.Env)
		}
		return []byte(v), nil
	}
	return nil, errors.New("hsm: secret: no source (set a file or an environment variable)")
}

func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hsm: secret: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("hsm: secret: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("hsm: secret: %q is not a regular file", path)
	}
	if err := checkPrivateMode(path, fi); err != nil {
		return nil, fmt.Errorf("hsm: secret: %w", err)
	}
	buf := make([]byte, maxSecretFile+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		clear(buf)
		return nil, fmt.Errorf("hsm: secret: read %q: %w", path, err)
	}
	if n > maxSecretFile {
		clear(buf)
		return nil, fmt.Errorf("hsm: secret: %q is longer than %d bytes", path, maxSecretFile)
	}
	v := buf[:n]
	if bytes.HasSuffix(v, []byte("\r\n")) {
		v = v[:len(v)-2]
	} else if bytes.HasSuffix(v, []byte("\n")) {
		v = v[:len(v)-1]
	}
	out := bytes.Clone(v)
	clear(buf)
	if len(out) == 0 {
		return nil, fmt.Errorf("hsm: secret: %q is empty", path)
	}
	return out, nil
}
