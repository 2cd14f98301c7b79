package pkcs11

import (
	"context"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"

	p11 "github.com/miekg/pkcs11"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
)

// KeyGen describes a key pair to generate on the token: CA keys and
// server-side (cloud) subscriber keys alike. The private key is a token
// object that is private, sensitive and not extractable, usable only to
// sign; the public key is a public token object with the same label and ID.
type KeyGen struct {
	// Label is the CKA_LABEL of both objects; required.
	Label string
	// ID is the CKA_ID of both objects; 16 random bytes if empty.
	ID []byte
	// Curve is a GOST parameter set (not a test set) or P-256 / P-384.
	Curve hsm.Curve
	// GOSTParamsOID is the OID put into CKA_GOSTR3410_PARAMS; it must be an
	// OID of Curve (e.g. the CryptoPro alias 1.2.643.2.2.35.1 of tc26-256-B
	// for tokens that know only those). Default: the TC26 OID.
	GOSTParamsOID asn1.ObjectIdentifier
	// GOSTParamsInPrivate repeats the GOST parameters in the private-key
	// template. The standard takes them from the public-key template only;
	// some tokens want them in both.
	GOSTParamsInPrivate bool
}

// GenerateKey generates a key pair on the token and returns the private
// key, ready to sign. It refuses to create a second key with the same
// label or ID, and checks that the token made the private key sensitive
// and non-extractable. A failed call is retried only when the session or
// login was lost (C_GenerateKeyPair cannot have run then).
func (t *Token) GenerateKey(ctx context.Context, req KeyGen) (*Key, error) {
	if req.Label == "" {
		return nil, errors.New("hsm: pkcs11: generate key: a label is required")
	}
	if len(req.ID) == 0 {
		req.ID = make([]byte, 16)
		if _, err := rand.Read(req.ID); err != nil {
			return nil, fmt.Errorf("hsm: pkcs11: generate key: %w", err)
		}
	}
	spec := KeySpec{Label: req.Label, ID: req.ID}
	mech, pubT, privT, keyType, err := keyGenTemplates(req)
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: generate key %q: %w", spec, err)
	}
	var f foundKey
	var gen uint64
	retry := func(k ErrorKind) bool { return k == KindSession || k == KindLogin }
	err = t.do(ctx, retry, func(s *session) error {
		a := t.mod.api
		for _, probe := range [][]*p11.Attribute{
			{p11.NewAttribute(p11.CKA_LABEL, req.Label)},
			{p11.NewAttribute(p11.CKA_ID, req.ID)},
		} {
			objs, err := findObjects(a, s.h, probe, 1)
			if err != nil {
				return err
			}
			if len(objs) > 0 {
				return fmt.Errorf("an object with this label or ID already exists on the token")
			}
		}
		pub, priv, err := a.GenerateKeyPair(s.h, []*p11.Mechanism{mech}, pubT, privT)
		if err != nil {
			return err
		}
		attrs, err := a.GetAttributeValue(s.h, priv, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_SENSITIVE, nil),
			p11.NewAttribute(p11.CKA_EXTRACTABLE, nil),
		})
		if err != nil {
			return fmt.Errorf("read back the private key: %w", err)
		}
		if !attrBool(attrs[0]) || attrBool(attrs[1]) {
			if derr := errors.Join(a.DestroyObject(s.h, priv), a.DestroyObject(s.h, pub)); derr != nil {
				return fmt.Errorf("the token made the private key extractable or not sensitive, and deleting it failed (%v): delete it by hand", derr)
			}
			return errors.New("the token made the private key extractable or not sensitive; it was deleted")
		}
		f.pub, f.curve, err = readPublic(a, s.h, pub, keyType)
		if err != nil {
			return fmt.Errorf("read back the public key: %w", err)
		}
		f.priv, gen = priv, s.gen
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: generate key %q on token %q: %w", spec, t.name, err)
	}
	if f.curve != req.Curve {
		return nil, fmt.Errorf("hsm: pkcs11: generate key %q on token %q: token made a %s key, asked for %s", spec, t.name, f.curve, req.Curve)
	}
	t.stats.keygens.Add(1)
	t.log.Info("hsm: pkcs11: key pair generated", "label", req.Label, "curve", req.Curve.Name())
	return t.newKey(spec, f, gen)
}

// keyGenTemplates returns the mechanism and templates of C_GenerateKeyPair
// for req, and the key type of the result.
func keyGenTemplates(req KeyGen) (mech *p11.Mechanism, pub, priv []*p11.Attribute, keyType uint, err error) {
	var mechType uint
	var pubExtra, privExtra []*p11.Attribute
	switch alg := req.Curve.Algorithm(); alg {
	case hsm.ECDSAP256, hsm.ECDSAP384:
		mechType, keyType = p11.CKM_EC_KEY_PAIR_GEN, p11.CKK_EC
		pubExtra = []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_PARAMS, marshalOID(req.Curve.OID()))}
	case hsm.GOST256, hsm.GOST512:
		c := req.Curve.GOST
		if c.Test {
			return nil, nil, nil, 0, fmt.Errorf("%s is a test parameter set, never for real keys", c.Name)
		}
		paramsOID := c.OID()
		if req.GOSTParamsOID != nil {
			if oc, ok := gost3410.CurveByOID(req.GOSTParamsOID); !ok || oc != c {
				return nil, nil, nil, 0, fmt.Errorf("OID %v is not an OID of %s", req.GOSTParamsOID, c.Name)
			}
			paramsOID = req.GOSTParamsOID
		}
		digestOID := hsm.OIDStreebog256
		mechType, keyType = CKM_GOSTR3410_KEY_PAIR_GEN, CKK_GOSTR3410
		if alg == hsm.GOST512 {
			digestOID = hsm.OIDStreebog512
			mechType, keyType = CKM_GOSTR3410_512_KEY_PAIR_GEN, CKK_GOSTR3410_512
		}
		params := []*p11.Attribute{
			p11.NewAttribute(CKA_GOSTR3410_PARAMS, marshalOID(paramsOID)),
			p11.NewAttribute(CKA_GOSTR3411_PARAMS, marshalOID(digestOID)),
		}
		pubExtra = params
		if req.GOSTParamsInPrivate {
			privExtra = params
		}
	default:
		return nil, nil, nil, 0, errors.New("no valid curve given")
	}
	pub = append([]*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, keyType),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_LABEL, req.Label),
		p11.NewAttribute(p11.CKA_ID, req.ID),
	}, pubExtra...)
	priv = append([]*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, keyType),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_DERIVE, false),
		p11.NewAttribute(p11.CKA_LABEL, req.Label),
		p11.NewAttribute(p11.CKA_ID, req.ID),
	}, privExtra...)
	return p11.NewMechanism(mechType, nil), pub, priv, keyType, nil
}

func attrBool(a *p11.Attribute) bool { return len(a.Value) == 1 && a.Value[0] != 0 }

// DeleteKeyPair destroys the objects (private key, public key) that carry
// both spec's label and its ID — a key pair GenerateKey made, when what it
// was made for failed. Both are required, so that nothing else on the
// token can match. It returns how many objects were destroyed (0 when
// none matched). The key must not be in use: a Key of it stops working.
func (t *Token) DeleteKeyPair(ctx context.Context, spec KeySpec) (int, error) {
	if spec.Label == "" || len(spec.ID) == 0 {
		return 0, errors.New("hsm: pkcs11: delete key pair: both a label and an ID are required")
	}
	n := 0
	retry := func(k ErrorKind) bool { return k == KindSession || k == KindLogin }
	err := t.do(ctx, retry, func(s *session) error {
		a := t.mod.api
		objs, err := findObjects(a, s.h, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_LABEL, spec.Label),
			p11.NewAttribute(p11.CKA_ID, spec.ID),
		}, 16)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if err := a.DestroyObject(s.h, o); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("hsm: pkcs11: delete key pair %q on token %q: %w", spec, t.name, err)
	}
	t.log.Info("hsm: pkcs11: key pair deleted", "label", spec.Label, "objects", n)
	return n, nil
}
