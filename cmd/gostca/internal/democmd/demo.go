// Package democmd is `gostca demo`: GOST R 34.10-2012 and Streebog at
// work on a file, with no CA, no data directory and no configuration.
package democmd

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/gost/streebog"
)

// Run signs a file (`gostca demo FILE`, or --in FILE; a built-in
// message without one) with a fresh key on the chosen parameter set and
// verifies the signature, printing what it did. It writes nothing to disk
// unless -out is given; the private key never leaves the process.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	curveName := fs.String("curve", "tc26-256-A", "parameter set: "+CurveNames())
	in := fs.String("in", "", "file to sign (or give it as the argument: gostca demo FILE; default: a built-in message)")
	out := fs.String("out", "", "write the raw signature (s‖r) to this file")
	pos, err := command.ParseFlags(fs, args)
	if err != nil {
		return 2
	}
	switch {
	case len(pos) > 1:
		fmt.Fprintf(stderr, "gostca demo: one FILE to sign, not %d\n", len(pos))
		return 2
	case len(pos) == 1 && *in != "" && *in != pos[0]:
		fmt.Fprintln(stderr, "gostca demo: give the file once: gostca demo FILE (or --in FILE)")
		return 2
	case len(pos) == 1:
		*in = pos[0]
	}
	c, ok := gost3410.CurveByName(*curveName)
	if !ok || c.Test {
		fmt.Fprintf(stderr, "gostca demo: unknown parameter set %q (one of %s)\n", *curveName, CurveNames())
		return 2
	}
	msg := []byte("GostCA demo: GOST R 34.10-2012 signature over a Streebog digest\n")
	what := "built-in message"
	if *in != "" {
		what = *in
		if msg, err = os.ReadFile(*in); err != nil {
			fmt.Fprintf(stderr, "gostca demo: %v\n", err)
			return 1
		}
	}

	start := time.Now()
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		fmt.Fprintf(stderr, "gostca demo: %v\n", err)
		return 1
	}
	keyTime := time.Since(start)

	var digest []byte
	if c.Size == 64 {
		d := streebog.Sum512(msg)
		digest = d[:]
	} else {
		d := streebog.Sum256(msg)
		digest = d[:]
	}
	start = time.Now()
	sig, err := key.Sign(rand.Reader, digest, nil)
	if err != nil {
		fmt.Fprintf(stderr, "gostca demo: sign: %v\n", err)
		return 1
	}
	signTime := time.Since(start)
	start = time.Now()
	ok = gost3410.Verify(key.PublicKey(), digest, sig)
	verifyTime := time.Since(start)
	tampered := append([]byte(nil), digest...)
	tampered[0] ^= 1
	rejects := !gost3410.Verify(key.PublicKey(), tampered, sig)

	fmt.Fprintf(stdout, "parameter set   %s (%s)\n", c.Name, c.OID())
	fmt.Fprintf(stdout, "message         %s, %d bytes\n", what, len(msg))
	fmt.Fprintf(stdout, "streebog-%d    %s\n", 8*c.Size, hex.EncodeToString(digest))
	fmt.Fprintf(stdout, "public key      %s  (LE X ‖ LE Y)\n", hex.EncodeToString(key.PublicKey().Bytes()))
	fmt.Fprintf(stdout, "signature       %s  (s ‖ r)\n", hex.EncodeToString(sig))
	fmt.Fprintf(stdout, "key generation  %v\n", keyTime)
	fmt.Fprintf(stdout, "sign            %v\n", signTime)
	fmt.Fprintf(stdout, "verify          %v  valid=%v, tampered digest rejected=%v\n", verifyTime, ok, rejects)
	if *out != "" {
		if err := os.WriteFile(*out, sig, 0o644); err != nil {
			fmt.Fprintf(stderr, "gostca demo: %v\n", err)
			return 1
		}
	}
	if !ok || !rejects {
		fmt.Fprintln(stderr, "gostca demo: signature check failed")
		return 1
	}
	return 0
}

// CurveNames lists the parameter sets demo signs with (every one but the
// test curves), comma-separated.
func CurveNames() string {
	var names []string
	for _, c := range gost3410.Curves() {
		if !c.Test {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}
