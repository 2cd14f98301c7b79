package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// cliActor is who an admin command acts as in the audit log.
func cliActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}

func cliPrincipal() *auth.Principal {
	return &auth.Principal{Role: auth.RoleCAAdmin, Name: cliActor()}
}

// parseFlags parses fs allowing flags after positional arguments
// (gostca revoke SERIAL --reason …).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runInit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	curve := fs.String("curve", "", "parameter set of the root and issuing CA keys (default ca.curve, tc26-256-A; P-256 and P-384 make a non-qualified ECDSA CA)")
	with512 := fs.Bool("with-512", false, "also create an issuing CA on tc26-512-A")
	org := fs.String("org", "", "organisation name in the CA certificates (default ca.organization)")
	keys := fs.String("keys", "", "where to generate the CA keys: soft or pkcs11 (default keys.backend)")
	importRoot := fs.String("import-root", "", "import: the existing root CA certificate (PEM or DER) instead of generating a CA")
	rootKey := fs.String("root-key", "", "import: the root key's reference (optional: without it the root stays offline)")
	var importIssuers, issuerKeys, issuerIDs listFlag
	fs.Var(&importIssuers, "import-issuer", "import: an issuing CA certificate signed by the root (repeatable; the first is the default)")
	fs.Var(&issuerKeys, "issuer-key", "import: the key reference of each --import-issuer, in order: soft:PATH or pkcs11:label=NAME[;id=HEX]")
	fs.Var(&issuerIDs, "issuer-id", "import: the id of each --import-issuer, in order (default after its key: gost256, gost512, ecdsa256, ecdsa384)")
	csrOut := fs.String("csr", "", "generate only the issuing CA key (keys.backend) and write a PKCS#10 request for the root to FILE; then adopt the returned certificate with --import-root/--import-issuer/--issuer-key")
	if _, err := parseFlags(fs, args); err != nil {
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
	cfg, err := c.load()
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
	log := newLogger(cfg, stderr)
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

// initRequest is `gostca init --csr OUT`.
func initRequest(cfg config.Config, out string, log *slog.Logger, stdout, stderr io.Writer) int {
	req, err := cadir.RequestIssuer(context.Background(), cfg, out, log)
	if errors.Is(err, cadir.ErrCAExists) {
		fmt.Fprintf(stderr, "gostca init: %s already holds a CA; nothing changed\n", cfg.DataDir)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca init: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "issuing CA request written to %s; its key: %s\n", out, req.KeyRef)
	if req.GeneratedPassphrase != "" {
		fmt.Fprintf(stdout, "key passphrase generated in %s (demo default; set %s or keys.passphrase_file in production)\n",
			req.GeneratedPassphrase, config.PassphraseEnv)
	}
	fmt.Fprintf(stdout, "send the request to the root CA; with the certificate it returns run:\n  gostca init --import-root ROOT.crt --import-issuer ISSUED.crt --issuer-key '%s'\n", req.KeyRef)
	return 0
}

// withEngine opens the CA of the data directory (the server must be
// stopped), runs fn and closes it.
func withEngine(ctx context.Context, name string, c *common, stderr io.Writer, fn func(e *ca.CA) error) int {
	cfg, err := c.load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 2
	}
	log := newLogger(cfg, stderr)
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n%s\n", name, err, dataDirAdvice(err, true))
		return 1
	}
	err = fn(e)
	if cerr := e.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 1
	}
	return 0
}

func runIssue(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("issue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	var r remoteFlags
	r.register(fs)
	csrFile := fs.String("csr", "", "PKCS#10 request file (PEM or DER)")
	subjFile := fs.String("subject", "", "JSON file with the request: {profile, subject{…}, subject_sign_tool, …} as POST /api/v1/certificates takes, csr omitted")
	profile := fs.String("profile", "", "profile (overrides the JSON)")
	out := fs.String("out", "", "write the certificate (PEM) here; default standard output")
	if _, err := parseFlags(fs, args); err != nil {
		return 2
	}
	if *csrFile == "" || *subjFile == "" {
		fmt.Fprintln(stderr, "gostca issue: --csr and --subject are required")
		return 2
	}
	csr, err := os.ReadFile(*csrFile)
	if err != nil {
		fmt.Fprintf(stderr, "gostca issue: %v\n", err)
		return 1
	}
	raw, err := os.ReadFile(*subjFile)
	if err != nil {
		fmt.Fprintf(stderr, "gostca issue: %v\n", err)
		return 1
	}
	var body api.IssueRequest
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		fmt.Fprintf(stderr, "gostca issue: %s: %v\n", *subjFile, err)
		return 2
	}
	if *profile != "" {
		body.Profile = *profile
	}
	writeCert := func(p []byte) error {
		if *out != "" {
			return os.WriteFile(*out, p, 0o644)
		}
		_, err := stdout.Write(p)
		return err
	}
	if r.enabled() {
		body.CSR = string(csr)
		if !strings.Contains(body.CSR, "-----BEGIN") {
			body.CSR = base64.StdEncoding.EncodeToString(csr)
		}
		return withRemote(ctx, "issue", &r, stderr, func(cl *apiClient) error {
			cert, err := cl.issue(ctx, &body)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "issued serial %s by %s\n", cert.Serial, cert.Issuer)
			return writeCert([]byte(cert.CertificatePEM))
		})
	}
	return withEngine(ctx, "issue", &c, stderr, func(e *ca.CA) error {
		res, err := e.Issue(ctx, cliPrincipal(), &ca.IssueRequest{
			Issuer: body.Issuer, Profile: body.Profile, CSR: csr, Subject: api.SubjectFromJSON(body.Subject),
			SubjectSignTool: body.SubjectSignTool, IdentificationKind: body.IdentificationKind, Emails: body.Emails,
			ExtKeyUsage: body.ExtKeyUsage,
			Centre:      body.ServiceCentre,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "issued serial %s by %s\n", ca.FormatSerial(res.Cert.Serial), res.Cert.IssuerID)
		return writeCert(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res.Cert.DER}))
	})
}

func runStatus(ctx context.Context, action string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	var r remoteFlags
	r.register(fs)
	reason := fs.String("reason", "", "revocation reason: "+reasonNames())
	comment := fs.String("comment", "", "comment for the audit log")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "gostca %s: want exactly one SERIAL (hex)\n", action)
		return 2
	}
	if action == "revoke" && *reason == "" {
		fmt.Fprintln(stderr, "gostca revoke: --reason is required: "+reasonNames())
		return 2
	}
	serial, err := ca.ParseSerial(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", action, err)
		return 2
	}
	if r.enabled() {
		return withRemote(ctx, action, &r, stderr, func(cl *apiClient) error {
			cert, err := cl.setStatus(ctx, ca.FormatSerial(serial), action, &api.StatusRequest{Reason: *reason, Comment: *comment})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %s\n", cert.Serial, cert.Status)
			return nil
		})
	}
	req := ca.StatusRequest{Reason: *reason, Comment: *comment}
	switch action {
	case "revoke":
		req.Action = ca.Revoke
	case "suspend":
		req.Action = ca.Suspend
	default:
		req.Action = ca.Resume
	}
	return withEngine(ctx, action, &c, stderr, func(e *ca.CA) error {
		rec, err := e.SetStatus(ctx, cliPrincipal(), serial, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", ca.FormatSerial(rec.Serial), ca.StateName(rec.Status.State))
		return nil
	})
}

func reasonNames() string {
	return "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, aACompromise"
}

func runCRL(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	var r remoteFlags
	r.register(fs)
	outDir := fs.String("out", "", "also write every published CRL under DIR as the server serves it under /crl/ (ISSUER.crl, ISSUER-delta.crl, ISSUER/P.crl, ISSUER/P-delta.crl)")
	uploadRoot := fs.String("upload-root", "", "adopt FILE (PEM or DER), a CRL the offline root signed, as /crl/root.crl (checked against the root certificate first)")
	if _, err := parseFlags(fs, args); err != nil {
		return 2
	}
	if *uploadRoot != "" {
		return uploadRootCRL(ctx, &c, &r, *uploadRoot, stdout, stderr)
	}
	if r.enabled() {
		return withRemote(ctx, "crl", &r, stderr, func(cl *apiClient) error {
			if err := remoteRootCRL(ctx, cl, *outDir, stdout); err != nil {
				return err
			}
			iss, err := cl.issuers(ctx)
			if err != nil {
				return err
			}
			for _, is := range iss {
				f, err := cl.generateCRL(ctx, is.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: CRL number %s, %d entries, %d bytes, next update %s\n", f.Issuer, f.Number, f.Entries, f.Size, f.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
				if *outDir == "" {
					continue
				}
				for _, path := range is.CRLs {
					der, err := cl.fetch(ctx, path)
					if err != nil {
						return err
					}
					if err := writeCRLFile(*outDir, strings.TrimPrefix(path, "/crl/"), der); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return withEngine(ctx, "crl", &c, stderr, func(e *ca.CA) error {
		if err := localRootCRL(ctx, e, *outDir, stdout); err != nil {
			return err
		}
		for _, is := range e.Issuers() {
			f, err := e.Publisher().GenerateCRL(ctx, cliActor(), is.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: CRL number %s, %d entries, %d bytes, next update %s\n", is.ID, f.Number, f.Entries, len(f.DER), f.NextUpdate.Format("2006-01-02T15:04:05Z"))
			if *outDir == "" {
				continue
			}
			all, err := e.Publisher().PublishedCRLs(ctx, is.ID)
			if err != nil {
				return err
			}
			for _, c := range all {
				if err := writeCRLFile(*outDir, c.Path, c.File.DER); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// writeCRLFile writes a CRL at DIR/path (path as under /crl/, e.g.
// "gost256/3-delta.crl"), creating the issuer's partition folder.
func writeCRLFile(dir, path string, der []byte) error {
	if path == "" || strings.Contains(path, "..") || filepath.IsAbs(path) {
		return fmt.Errorf("refusing to write CRL path %q", path)
	}
	full := filepath.Join(dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, der, 0o644)
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "gostca token: want create, list or revoke")
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	var r remoteFlags
	r.register(fs)
	role := fs.String("role", "", "role: cabinet, service_centre, ca_operator, ca_admin, auditor")
	scope := fs.String("scope", "", "service centre id (service_centre tokens only)")
	name := fs.String("name", "", "a label for the token")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return 2
	}
	if r.enabled() {
		return runTokenRemote(ctx, sub, pos, &r, &api.TokenRequest{Role: *role, Scope: *scope, Name: *name}, stdout, stderr)
	}
	switch sub {
	case "create":
		rl, err := auth.ParseRole(*role)
		if err != nil {
			fmt.Fprintf(stderr, "gostca token create: %v\n", err)
			return 2
		}
		return withEngine(ctx, "token create", &c, stderr, func(e *ca.CA) error {
			tok, ti, err := e.CreateToken(ctx, cliActor(), rl, *scope, *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %s (%s) created; it is shown only now:\n", ti.ID, ti.Role)
			fmt.Fprintln(stdout, tok)
			return nil
		})
	case "revoke":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "gostca token revoke: want the token id")
			return 2
		}
		return withEngine(ctx, "token revoke", &c, stderr, func(e *ca.CA) error {
			if err := e.RevokeToken(ctx, cliActor(), pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %s revoked\n", pos[0])
			return nil
		})
	case "list":
		cfg, err := c.load()
		if err != nil {
			fmt.Fprintf(stderr, "gostca token list: %v\n", err)
			return 2
		}
		// Only warnings: the output is the list.
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		list, err := offline.ListTokens(ctx, cfg, store.Options{Logger: log})
		if err != nil {
			fmt.Fprintf(stderr, "gostca token list: %v\n%s\n", err, dataDirAdvice(err, true))
			return 1
		}
		for _, ti := range list {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", ti.ID, ti.Role, ti.Scope, ti.Name, ti.Created.Format("2006-01-02T15:04:05Z"))
		}
		return 0
	}
	fmt.Fprintf(stderr, "gostca token: unknown subcommand %q\n", sub)
	return 2
}

// runTokenRemote is `gostca token …` through the API.
func runTokenRemote(ctx context.Context, sub string, pos []string, r *remoteFlags, req *api.TokenRequest, stdout, stderr io.Writer) int {
	name := "token " + sub
	switch sub {
	case "create":
		return withRemote(ctx, name, r, stderr, func(cl *apiClient) error {
			t, err := cl.createToken(ctx, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %s (%s) created; it is shown only now:\n", t.ID, t.Role)
			fmt.Fprintln(stdout, t.Token)
			return nil
		})
	case "revoke":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "gostca token revoke: want the token id")
			return 2
		}
		return withRemote(ctx, name, r, stderr, func(cl *apiClient) error {
			if err := cl.revokeToken(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %s revoked\n", pos[0])
			return nil
		})
	case "list":
		return withRemote(ctx, name, r, stderr, func(cl *apiClient) error {
			list, err := cl.listTokens(ctx)
			if err != nil {
				return err
			}
			for _, t := range list {
				fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Scope, t.Name, t.Created.UTC().Format("2006-01-02T15:04:05Z"))
			}
			return nil
		})
	}
	fmt.Fprintf(stderr, "gostca token: unknown subcommand %q\n", sub)
	return 2
}

func runFsck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fsck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	var checkpoints listFlag
	fs.Var(&checkpoints, "checkpoint", "an audit checkpoint file (gostca audit checkpoint, audit.checkpoint_file; repeatable): the chain is verified against the newest")
	if _, err := parseFlags(fs, args); err != nil {
		return 2
	}
	cfg, err := c.load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n", err)
		return 2
	}
	cp, err := fsckCheckpoint(checkpoints)
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n", err)
		return 2
	}
	var docs docstore.Report
	rep, err := offline.Fsck(ctx, cfg, store.Options{Logger: newLogger(cfg, stderr)}, offline.FsckOptions{Checkpoint: cp, Documents: &docs})
	if err != nil {
		fmt.Fprintf(stderr, "gostca fsck: %v\n%s\n", err, dataDirAdvice(err, false))
		return 1
	}
	fmt.Fprintf(stdout, "certificates %d, pending intents %d, failed intents %d, index entries %d, OCSP responses %d, outbox rows %d, audit entries %d\n",
		rep.Certificates, rep.PendingIntents, rep.FailedIntents, rep.IndexEntries, rep.OCSPResponses, rep.OutboxRows, rep.AuditEntries)
	printFsckAudit(stdout, rep)
	printFsckDocuments(stdout, &docs)
	if !rep.OK() {
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, "problem:", p.String())
		}
		fmt.Fprintf(stdout, "%d problems\n", rep.TotalProblems)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

func runConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return 2
	}
	cfg, err := c.load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca config: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, "# effective configuration: every key, its value (durations with their unit) and where it came from")
	for _, st := range cfg.Effective() {
		fmt.Fprintf(stdout, "%-28s = %-40s # %s\n", st.Key, st.Value, st.Source)
	}
	fmt.Fprintln(stdout, "\nenvironment overrides:")
	for _, kv := range config.EnvKeys() {
		fmt.Fprintf(stdout, "  %-32s %s\n", kv[0], kv[1])
	}
	return 0
}
