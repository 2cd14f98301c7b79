// Package admincmd holds the commands that set a CA up and give access
// to it: `gostca init` (create a CA, adopt one with the --import flags,
// or make the issuing CA's key and request with --csr), `gostca token`
// (API tokens, locally or through a running server) and `gostca config`
// (the effective configuration).
package admincmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/config"
)

// Init is `gostca init`: it checks that the flags ask for one thing
// (generate, import or --csr), loads the configuration with the flags'
// overrides and creates or adopts the CA in the data directory, which
// must not hold one yet.
func Init(args []string, stdout, stderr io.Writer) int {
	fs, c := command.NewFlagSet("init", stderr)
	curve := fs.String("curve", "", "parameter set of the root and issuing CA keys (default ca.curve, tc26-256-A; P-256 and P-384 make a non-qualified ECDSA CA)")
	with512 := fs.Bool("with-512", false, "also create an issuing CA on tc26-512-A")
	org := fs.String("org", "", "organisation name in the CA certificates (default ca.organization)")
	keys := fs.String("keys", "", "where to generate the CA keys: soft or pkcs11 (default keys.backend)")
	importRoot := fs.String("import-root", "", "import: the existing root CA certificate (PEM or DER) instead of generating a CA")
	rootKey := fs.String("root-key", "", "import: the root key's reference (optional: without it the root stays offline)")
	var importIssuers, issuerKeys, issuerIDs command.ListFlag
	fs.Var(&importIssuers, "import-issuer", "import: an issuing CA certificate signed by the root (repeatable; the first is the default)")
	fs.Var(&issuerKeys, "issuer-key", "import: the key reference of each --import-issuer, in order: soft:PATH or pkcs11:label=NAME[;id=HEX]")
	fs.Var(&issuerIDs, "issuer-id", "import: the id of each --import-issuer, in order (default after its key: gost256, gost512, ecdsa256, ecdsa384)")
	csrOut := fs.String("csr", "", "generate only the issuing CA key (keys.backend) and write a PKCS#10 request for the root to FILE; then adopt the returned certificate with --import-root/--import-issuer/--issuer-key")
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	importing := *importRoot != "" || *rootKey != "" || len(importIssuers) > 0 || len(issuerKeys) > 0 || len(issuerIDs) > 0
	var usageErr string
	switch {
	case *csrOut != "" && (importing || *with512):
		usageErr = "--csr makes the issuing CA's key and request only: not with --with-512 or the --import flags"
	case importing && (*curve != "" || *with512 || *keys != ""):
		usageErr = "--curve, --with-512 and --keys generate a CA; the --import flags adopt one: not both"
	case importing && (*importRoot == "" || len(importIssuers) == 0):
		usageErr = "importing needs --import-root and at least one --import-issuer"
	case importing && len(issuerKeys) != len(importIssuers):
		usageErr = fmt.Sprintf("give one --issuer-key per --import-issuer (%d certificates, %d keys)", len(importIssuers), len(issuerKeys))
	case len(issuerIDs) > 0 && len(issuerIDs) != len(importIssuers):
		usageErr = "give an --issuer-id for every --import-issuer, or none"
	}
	if usageErr != "" {
		fmt.Fprintf(stderr, "gostca init: %s\n", usageErr)
		return 2
	}
	cfg, err := c.Load()
	if err == nil {
		if *curve != "" {
			cfg.CA.Curve = *curve
		}
		if *with512 {
			cfg.CA.Issuer512 = true
		}
		if *org != "" {
			cfg.CA.Organization = *org
		}
		if *keys != "" {
			cfg.Keys.Backend = *keys
		}
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca init: %v\n", err)
		return 2
	}
	log := command.NewLogger(cfg, stderr)
	if *csrOut != "" {
		return initRequest(cfg, *csrOut, log, stdout, stderr)
	}
	var res *cadir.InitResult
	if importing {
		spec := cadir.ImportSpec{RootCert: *importRoot, RootKey: *rootKey}
		for i, cert := range importIssuers {
			is := cadir.ImportIssuer{Cert: cert, Key: issuerKeys[i]}
			if len(issuerIDs) > 0 {
				is.ID = issuerIDs[i]
			}
			spec.Issuers = append(spec.Issuers, is)
		}
		res, err = cadir.Import(context.Background(), cfg, spec, log)
	} else {
		res, err = cadir.Init(cfg, log)
	}
	if errors.Is(err, cadir.ErrCAExists) {
		fmt.Fprintf(stderr, "gostca init: %s already holds a CA; nothing changed\n", cfg.DataDir)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca init: %v\n", err)
		return 1
	}
	verb := "created"
	if importing {
		verb = "imported"
	}
	fmt.Fprintf(stdout, "CA %s in %s: root %s, issuing CAs %s\n", verb, cfg.DataDir,
		filepath.Join(cfg.DataDir, "ca", "root.crt"), strings.Join(res.Issuers, ", "))
	if !importing && cfg.Keys.Backend == config.BackendPKCS11 {
		fmt.Fprintf(stdout, "keys generated on PKCS#11 token %q (labels in %s)\n", cfg.PKCS11.TokenLabel, filepath.Join(cfg.DataDir, "ca.json"))
	}
	if res.GeneratedPassphrase != "" {
		fmt.Fprintf(stdout, "key passphrase generated in %s (demo default; set %s or keys.passphrase_file in production)\n",
			res.GeneratedPassphrase, config.PassphraseEnv)
	}
	return 0
}
