package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	p11 "github.com/miekg/pkcs11"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
)

// PKCS#11 values for GOST R 34.10-2012 (docs/gost.md §2): the 256-bit ones
// are standard, the 512-bit ones are in the TC26 vendor range.
const (
	CKK_GOSTR3410                  = 0x30
	CKK_GOSTR3410_512              = 0xD4321003
	CKA_GOSTR3410_PARAMS           = 0x250
	CKA_GOSTR3411_PARAMS           = 0x251
	CKM_GOSTR3410_KEY_PAIR_GEN     = 0x1200
	CKM_GOSTR3410                  = 0x1201
	CKM_GOSTR3410_512_KEY_PAIR_GEN = 0xD4321005
	CKM_GOSTR3410_512              = 0xD4321006
)

// KeySpec names a key on the token by CKA_LABEL, CKA_ID or both (then both
// must match). The private key and a public-key object with the same ID
// (or, without an ID, the same label) must exist.
type KeySpec struct {
	Label string
	ID    []byte
}

func (s KeySpec) String() string {
	switch {
	case s.Label != "" && len(s.ID) > 0:
		return fmt.Sprintf("%s (id %s)", s.Label, hex.EncodeToString(s.ID))
	case s.Label != "":
		return s.Label
	}
	return "id " + hex.EncodeToString(s.ID)
}

// Key is a private key on a Token; it implements hsm.Key. Its object
// handle is looked up again after every re-establishment, and the public
// key found then must be the one seen at load: a key swapped on the token
// under the same label is refused, not used.
type Key struct {
	t     *Token
	spec  KeySpec
	name  string
	pub   crypto.PublicKey
	curve hsm.Curve
	alg   hsm.Algorithm
	mech  []*p11.Mechanism
	priv  objectHandle // the private key
}

var _ hsm.Key = (*Key)(nil)

// Public returns *gost3410.PublicKey or *ecdsa.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Algorithm returns the key's signature algorithm.
func (k *Key) Algorithm() hsm.Algorithm { return k.alg }

// Curve returns the key's curve.
func (k *Key) Curve() hsm.Curve { return k.curve }

// Spec returns the label and ID the key is found by.
func (k *Key) Spec() KeySpec { return k.spec }

// Sign signs digest on the token (see hsm.Key). GOST keys sign the raw
// Streebog output with CKM_GOSTR3410 / CKM_GOSTR3410_512 and return the
// token's s ‖ r unchanged; ECDSA keys use CKM_ECDSA and the token's r ‖ s
// is DER-encoded.
func (k *Key) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	if err := k.alg.CheckDigest(digest); err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: sign with %q: %w", k.name, err)
	}
	start := time.Now()
	var sig []byte
	err := k.t.do(ctx, nil, func(s *session) error {
		raw, err := k.t.signOn(s, &k.priv, func() (p11.ObjectHandle, error) { return k.find(s) }, k.mech, digest)
		if err != nil {
			return err
		}
		sig, err = k.encode(raw)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: sign with %q: %w", k.name, err)
	}
	k.t.stats.signs.Add(1)
	k.t.stats.signTime.Observe(time.Since(start))
	return sig, nil
}

// encode turns the token's raw signature into the Key.Sign format.
func (k *Key) encode(raw []byte) ([]byte, error) {
	switch k.alg {
	case hsm.GOST256, hsm.GOST512:
		if want := 2 * k.curve.GOST.Size; len(raw) != want {
			return nil, fmt.Errorf("token returned a %d-byte GOST signature, want %d", len(raw), want)
		}
		return raw, nil
	case hsm.ECDSAP256, hsm.ECDSAP384:
		n := (k.curve.EC.Params().BitSize + 7) / 8
		if len(raw) != 2*n {
			return nil, fmt.Errorf("token returned a %d-byte ECDSA signature, want %d (r ‖ s)", len(raw), 2*n)
		}
		return ecdsaDER(raw[:n], raw[n:])
	}
	return nil, fmt.Errorf("unsupported algorithm %v", k.alg)
}

// ecdsaDER encodes Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
func ecdsaDER(rb, sb []byte) ([]byte, error) {
	r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
	if r.Sign() == 0 || s.Sign() == 0 {
		return nil, errors.New("token returned an ECDSA signature with r or s zero")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.Bytes()
}

// find finds the private key again in a new generation of sessions, and
// refuses another key under the same label and ID.
func (k *Key) find(s *session) (p11.ObjectHandle, error) {
	f, err := k.t.findKey(s, k.spec)
	if err != nil {
		return 0, err
	}
	if !hsm.SamePublicKey(f.pub, k.pub) {
		return 0, fmt.Errorf("%w: key %q on token %q is no longer the key loaded at start", ErrKeyChanged, k.name, k.t.name)
	}
	return f.priv, nil
}

// Errors of key lookup, to be tested with errors.Is.
var (
	// ErrKeyNotFound: no private key (or no public-key object next to it)
	// matches the KeySpec.
	ErrKeyNotFound = errors.New("key not found")
	// ErrKeyChanged: after a re-establishment the KeySpec found a key with
	// another public key; it is not used.
	ErrKeyChanged = errors.New("key changed on the token")
)

// Key finds a key on the token.
func (t *Token) Key(ctx context.Context, spec KeySpec) (*Key, error) {
	if spec.Label == "" && len(spec.ID) == 0 {
		return nil, errors.New("hsm: pkcs11: key: give a label or an ID")
	}
	var f foundKey
	var gen uint64
	err := t.do(ctx, nil, func(s *session) error {
		var err error
		f, err = t.findKey(s, spec)
		gen = s.gen
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: key %q on token %q: %w", spec, t.name, err)
	}
	return t.newKey(spec, f, gen)
}

func (t *Token) newKey(spec KeySpec, f foundKey, gen uint64) (*Key, error) {
	alg := f.curve.Algorithm()
	var mech uint
	switch alg {
	case hsm.GOST256:
		mech = CKM_GOSTR3410
	case hsm.GOST512:
		mech = CKM_GOSTR3410_512
	case hsm.ECDSAP256, hsm.ECDSAP384:
		mech = p11.CKM_ECDSA
	default:
		return nil, fmt.Errorf("hsm: pkcs11: key %q on token %q: unsupported curve %s", spec, t.name, f.curve)
	}
	return &Key{
		t:     t,
		spec:  spec,
		name:  spec.String(),
		pub:   f.pub,
		curve: f.curve,
		alg:   alg,
		mech:  []*p11.Mechanism{p11.NewMechanism(mech, nil)},
		priv:  objectHandle{gen: gen, h: f.priv},
	}, nil
}

type foundKey struct {
	priv  p11.ObjectHandle
	pub   crypto.PublicKey
	curve hsm.Curve
}

// findKey finds the private key of spec and reads its public key, on s.
func (t *Token) findKey(s *session, spec KeySpec) (foundKey, error) {
	a := t.mod.api
	tmpl := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY)}
	if spec.Label != "" {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_LABEL, spec.Label))
	}
	if len(spec.ID) > 0 {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_ID, spec.ID))
	}
	privs, err := findObjects(a, s.h, tmpl, 2)
	if err != nil {
		return foundKey{}, err
	}
	switch len(privs) {
	case 0:
		// Private objects are invisible without a login: if the login was
		// lost, say so, so that the caller logs in again.
		if info, err := a.GetSessionInfo(s.h); err != nil {
			return foundKey{}, err
		} else if info.State == p11.CKS_RO_PUBLIC_SESSION || info.State == p11.CKS_RW_PUBLIC_SESSION {
			return foundKey{}, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
		}
		return foundKey{}, fmt.Errorf("%w: no private key %q", ErrKeyNotFound, spec)
	case 1:
	default:
		return foundKey{}, fmt.Errorf("more than one private key matches %q; give both label and ID", spec)
	}
	attrs, err := a.GetAttributeValue(s.h, privs[0], []*p11.Attribute{
		p11.NewAttribute(p11.CKA_KEY_TYPE, nil),
		p11.NewAttribute(p11.CKA_ID, nil),
		p11.NewAttribute(p11.CKA_LABEL, nil),
	})
	if err != nil {
		return foundKey{}, fmt.Errorf("read private key attributes: %w", err)
	}
	keyType, err := attrUlong(attrs[0])
	if err != nil {
		return foundKey{}, fmt.Errorf("private key CKA_KEY_TYPE: %w", err)
	}
	// The public object: by the private key's ID when it has one (labels
	// are often shared), else by label.
	ptmpl := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY)}
	if id := attrs[1].Value; len(id) > 0 {
		ptmpl = append(ptmpl, p11.NewAttribute(p11.CKA_ID, id))
	} else if label := attrs[2].Value; len(label) > 0 {
		ptmpl = append(ptmpl, p11.NewAttribute(p11.CKA_LABEL, label))
	} else {
		return foundKey{}, errors.New("private key has neither CKA_ID nor CKA_LABEL to find its public key by")
	}
	pubs, err := findObjects(a, s.h, ptmpl, 2)
	if err != nil {
		return foundKey{}, err
	}
	if len(pubs) != 1 {
		return foundKey{}, fmt.Errorf("%w: want exactly one public-key object next to private key %q, found %d", ErrKeyNotFound, spec, len(pubs))
	}
	pub, curve, err := readPublic(a, s.h, pubs[0], keyType)
	if err != nil {
		return foundKey{}, err
	}
	return foundKey{priv: privs[0], pub: pub, curve: curve}, nil
}

// findObjects returns up to max handles matching tmpl.
func findObjects(a api, h p11.SessionHandle, tmpl []*p11.Attribute, max int) ([]p11.ObjectHandle, error) {
	if err := a.FindObjectsInit(h, tmpl); err != nil {
		return nil, err
	}
	objs, _, err := a.FindObjects(h, max)
	ferr := a.FindObjectsFinal(h)
	if err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	return objs, nil
}

// readPublic reads a public-key object: CKA_EC_PARAMS + CKA_EC_POINT for
// ECDSA, CKA_GOSTR3410_PARAMS + CKA_VALUE (LE(X) ‖ LE(Y)) for GOST.
func readPublic(a api, h p11.SessionHandle, obj p11.ObjectHandle, keyType uint) (crypto.PublicKey, hsm.Curve, error) {
	switch keyType {
	case p11.CKK_EC:
		attrs, err := a.GetAttributeValue(h, obj, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_EC_PARAMS, nil),
			p11.NewAttribute(p11.CKA_EC_POINT, nil),
		})
		if err != nil {
			return nil, hsm.Curve{}, fmt.Errorf("read EC public key: %w", err)
		}
		return parseECPublic(attrs[0].Value, attrs[1].Value)
	case CKK_GOSTR3410, CKK_GOSTR3410_512:
		attrs, err := a.GetAttributeValue(h, obj, []*p11.Attribute{
			p11.NewAttribute(CKA_GOSTR3410_PARAMS, nil),
			p11.NewAttribute(p11.CKA_VALUE, nil),
		})
		if err != nil {
			return nil, hsm.Curve{}, fmt.Errorf("read GOST public key: %w", err)
		}
		return parseGOSTPublic(keyType, attrs[0].Value, attrs[1].Value)
	}
	return nil, hsm.Curve{}, fmt.Errorf("unsupported key type 0x%X (want CKK_EC, CKK_GOSTR3410 or CKK_GOSTR3410_512)", keyType)
}

func parseECPublic(params, point []byte) (crypto.PublicKey, hsm.Curve, error) {
	oid, err := parseOID(params)
	if err != nil {
		return nil, hsm.Curve{}, fmt.Errorf("CKA_EC_PARAMS: %w", err)
	}
	var c hsm.Curve
	switch {
	case oid.Equal(hsm.OIDNamedCurveP256):
		c, _ = hsm.CurveByName("P-256")
	case oid.Equal(hsm.OIDNamedCurveP384):
		c, _ = hsm.CurveByName("P-384")
	default:
		return nil, hsm.Curve{}, fmt.Errorf("unsupported EC curve %v", oid)
	}
	// CKA_EC_POINT is the DER OCTET STRING of the uncompressed point; some
	// tokens return the bare point.
	raw := unwrapOctetString(point, 1+2*((c.EC.Params().BitSize+7)/8))
	pub, err := ecdsa.ParseUncompressedPublicKey(c.EC, raw)
	if err != nil {
		return nil, hsm.Curve{}, fmt.Errorf("CKA_EC_POINT: %w", err)
	}
	return pub, c, nil
}

func parseGOSTPublic(keyType uint, params, value []byte) (crypto.PublicKey, hsm.Curve, error) {
	oid, err := parseOID(params)
	if err != nil {
		return nil, hsm.Curve{}, fmt.Errorf("CKA_GOSTR3410_PARAMS: %w", err)
	}
	gc, ok := gost3410.CurveByOID(oid)
	if !ok {
		return nil, hsm.Curve{}, fmt.Errorf("unknown GOST parameter set %v", oid)
	}
	if keyType == CKK_GOSTR3410_512 && gc.Size != 64 {
		return nil, hsm.Curve{}, fmt.Errorf("CKK_GOSTR3410_512 key with 256-bit parameter set %s", gc.Name)
	}
	raw := unwrapOctetString(value, 2*gc.Size)
	pub, err := gost3410.NewPublicKey(gc, raw)
	if err != nil {
		return nil, hsm.Curve{}, fmt.Errorf("CKA_VALUE: %w", err)
	}
	return pub, hsm.Curve{GOST: gc}, nil
}

// unwrapOctetString returns the content of a DER OCTET STRING of want
// bytes, or b unchanged when it is not one.
func unwrapOctetString(b []byte, want int) []byte {
	if len(b) == want {
		return b
	}
	s := cryptobyte.String(b)
	var inner cryptobyte.String
	if s.ReadASN1(&inner, cbasn1.OCTET_STRING) && s.Empty() && len(inner) == want {
		return inner
	}
	return b
}

func parseOID(der []byte) (asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(der)
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1ObjectIdentifier(&oid) || !s.Empty() {
		return nil, errors.New("not a DER object identifier")
	}
	return oid, nil
}

func marshalOID(oid asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// attrUlong decodes a CK_ULONG attribute value (native byte order, the
// size of the platform's unsigned long).
func attrUlong(a *p11.Attribute) (uint, error) {
	switch len(a.Value) {
	case 8:
		return uint(binary.NativeEndian.Uint64(a.Value)), nil
	case 4:
		return uint(binary.NativeEndian.Uint32(a.Value)), nil
	}
	return 0, fmt.Errorf("CK_ULONG attribute of %d bytes", len(a.Value))
}
