package pkcs11

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	p11 "github.com/miekg/pkcs11"
)

// SecretKey is an HMAC-SHA256 key on a Token: a generic secret key
// (CKK_GENERIC_SECRET, 32 bytes) that is a private token object,
// sensitive, not extractable, and usable only to sign and verify with
// CKM_SHA256_HMAC. It keys GostCA's audit chain: the key never leaves the
// token, so whoever copies the database and the data directory cannot
// recompute the chain. Its MAC method implements store.AuditKey.
type SecretKey struct {
	t    *Token
	spec KeySpec
	name string
	mech []*p11.Mechanism
	obj  objectHandle
}

// hmacLen is the length of the secret and of an HMAC-SHA256 value.
const hmacLen = 32

// GenerateSecretKey makes a 32-byte HMAC-SHA256 key on the token with
// this label and CKA_ID (16 random bytes if empty). It refuses a second
// object with the same label or ID and checks that the token made the
// key sensitive and not extractable.
func (t *Token) GenerateSecretKey(ctx context.Context, spec KeySpec) (*SecretKey, error) {
	if spec.Label == "" {
		return nil, errors.New("hsm: pkcs11: generate secret key: a label is required")
	}
	if len(spec.ID) == 0 {
		spec.ID = make([]byte, 16)
		if _, err := rand.Read(spec.ID); err != nil {
			return nil, fmt.Errorf("hsm: pkcs11: generate secret key: %w", err)
		}
	}
	tmpl := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_GENERIC_SECRET),
		p11.NewAttribute(p11.CKA_VALUE_LEN, hmacLen),
		p11.NewAttribute(p11.CKA_LABEL, spec.Label),
		p11.NewAttribute(p11.CKA_ID, spec.ID),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_ENCRYPT, false),
		p11.NewAttribute(p11.CKA_DECRYPT, false),
		p11.NewAttribute(p11.CKA_WRAP, false),
		p11.NewAttribute(p11.CKA_UNWRAP, false),
		p11.NewAttribute(p11.CKA_DERIVE, false),
	}
	var h p11.ObjectHandle
	var gen uint64
	retry := func(k ErrorKind) bool { return k == KindSession || k == KindLogin }
	err := t.do(ctx, retry, func(s *session) error {
		a := t.mod.api
		for _, probe := range [][]*p11.Attribute{
			{p11.NewAttribute(p11.CKA_LABEL, spec.Label)},
			{p11.NewAttribute(p11.CKA_ID, spec.ID)},
		} {
			objs, err := findObjects(a, s.h, probe, 1)
			if err != nil {
				return err
			}
			if len(objs) > 0 {
				return errors.New("an object with this label or ID already exists on the token")
			}
		}
		o, err := a.GenerateKey(s.h, []*p11.Mechanism{p11.NewMechanism(p11.CKM_GENERIC_SECRET_KEY_GEN, nil)}, tmpl)
		if err != nil {
			return err
		}
		if err := checkSecretAttrs(a, s.h, o); err != nil {
			if derr := a.DestroyObject(s.h, o); derr != nil {
				return fmt.Errorf("%w, and deleting it failed (%v): delete it by hand", err, derr)
			}
			return fmt.Errorf("%w; it was deleted", err)
		}
		h, gen = o, s.gen
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: generate secret key %q on token %q: %w", spec, t.name, err)
	}
	t.log.Info("hsm: pkcs11: HMAC key generated", "label", spec.Label)
	return t.newSecretKey(spec, h, gen), nil
}

// checkSecretAttrs refuses a secret key the token made readable.
func checkSecretAttrs(a api, h p11.SessionHandle, o p11.ObjectHandle) error {
	attrs, err := a.GetAttributeValue(h, o, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_SENSITIVE, nil),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, nil),
		p11.NewAttribute(p11.CKA_KEY_TYPE, nil),
	})
	if err != nil {
		return fmt.Errorf("read the secret key's attributes: %w", err)
	}
	kt, err := attrUlong(attrs[2])
	if err != nil {
		return fmt.Errorf("secret key CKA_KEY_TYPE: %w", err)
	}
	if !attrBool(attrs[0]) || attrBool(attrs[1]) || kt != p11.CKK_GENERIC_SECRET {
		return errors.New("the secret key is extractable, not sensitive or not a generic secret")
	}
	return nil
}

// SecretKey finds an HMAC key on the token by label and/or ID; it must be
// sensitive and not extractable.
func (t *Token) SecretKey(ctx context.Context, spec KeySpec) (*SecretKey, error) {
	if spec.Label == "" && len(spec.ID) == 0 {
		return nil, errors.New("hsm: pkcs11: secret key: give a label or an ID")
	}
	var h p11.ObjectHandle
	var gen uint64
	err := t.do(ctx, nil, func(s *session) error {
		var err error
		h, err = t.findSecret(s, spec)
		gen = s.gen
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: secret key %q on token %q: %w", spec, t.name, err)
	}
	return t.newSecretKey(spec, h, gen), nil
}

func (t *Token) newSecretKey(spec KeySpec, h p11.ObjectHandle, gen uint64) *SecretKey {
	return &SecretKey{t: t, spec: spec, name: spec.String(), obj: objectHandle{gen: gen, h: h},
		mech: []*p11.Mechanism{p11.NewMechanism(p11.CKM_SHA256_HMAC, nil)}}
}

func (t *Token) findSecret(s *session, spec KeySpec) (p11.ObjectHandle, error) {
	a := t.mod.api
	tmpl := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_SECRET_KEY)}
	if spec.Label != "" {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_LABEL, spec.Label))
	}
	if len(spec.ID) > 0 {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_ID, spec.ID))
	}
	objs, err := findObjects(a, s.h, tmpl, 2)
	if err != nil {
		return 0, err
	}
	switch len(objs) {
	case 0:
		if info, err := a.GetSessionInfo(s.h); err != nil {
			return 0, err
		} else if info.State == p11.CKS_RO_PUBLIC_SESSION || info.State == p11.CKS_RW_PUBLIC_SESSION {
			return 0, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
		}
		return 0, fmt.Errorf("%w: no secret key %q", ErrKeyNotFound, spec)
	case 1:
	default:
		return 0, fmt.Errorf("more than one secret key matches %q; give both label and ID", spec)
	}
	if err := checkSecretAttrs(a, s.h, objs[0]); err != nil {
		return 0, err
	}
	return objs[0], nil
}

// Spec returns the label and ID the key is found by.
func (k *SecretKey) Spec() KeySpec { return k.spec }

// String names the key, never its value.
func (k *SecretKey) String() string { return "pkcs11 HMAC key " + k.name }

// MAC returns HMAC-SHA256(key, msg) computed on the token
// (CKM_SHA256_HMAC). It implements store.AuditKey.
func (k *SecretKey) MAC(msg []byte) ([]byte, error) {
	return k.MACContext(context.Background(), msg)
}

// MACContext is MAC bounded by ctx.
func (k *SecretKey) MACContext(ctx context.Context, msg []byte) ([]byte, error) {
	var out []byte
	err := k.t.do(ctx, nil, func(s *session) error {
		m, err := k.t.signOn(s, &k.obj, func() (p11.ObjectHandle, error) { return k.t.findSecret(s, k.spec) }, k.mech, msg)
		if err != nil {
			return err
		}
		if len(m) != hmacLen {
			return fmt.Errorf("token returned a %d-byte HMAC, want %d", len(m), hmacLen)
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: HMAC with %q: %w", k.name, err)
	}
	return out, nil
}
