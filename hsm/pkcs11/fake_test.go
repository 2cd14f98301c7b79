package pkcs11

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"
	"testing"

	p11 "github.com/miekg/pkcs11"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
)

// fakeModule is an in-memory PKCS#11 token that implements what a GOST
// token does (CKM_GOSTR3410, CKM_GOSTR3410_512 and their key-pair
// generation, the TC26 vendor constants) and CKM_ECDSA, following the
// conventions of docs/gost.md §2: the raw Streebog digest goes in, s ‖ r
// comes out, public CKA_VALUE is LE(X) ‖ LE(Y). It is how the GOST paths
// are exercised without a GOST token, and it injects faults on demand.
//
// It also polices the pool: a session used by two calls at once, or a
// call after Destroy, fails the test.
type fakeModule struct {
	t *testing.T

	mu          sync.Mutex
	initialized bool
	destroyed   bool
	present     bool
	slot        uint
	label       string
	pin         string
	loggedIn    bool
	sessions    map[p11.SessionHandle]*fakeSession
	nextSession p11.SessionHandle
	objects     map[p11.ObjectHandle]*fakeObject
	nextObject  p11.ObjectHandle
	// wrapValue returns public CKA_VALUE / CKA_EC_POINT wrapped in a DER
	// OCTET STRING (both forms occur in the wild).
	wrapValue bool
	// fault, if set, is asked before every call; a non-nil error is
	// returned instead of running the call.
	fault func(op string) error

	calls map[string]int
}

type fakeSession struct {
	busy     bool
	found    []p11.ObjectHandle
	signKey  *fakeObject
	signMech uint
}

type fakeObject struct {
	attrs map[uint][]byte
	gost  *gost3410.PrivateKey
	ec    *ecdsa.PrivateKey
}

func (o *fakeObject) private() bool {
	return bytes.Equal(o.attrs[p11.CKA_PRIVATE], []byte{1})
}

func newFakeModule(t *testing.T, label, pin string) *fakeModule {
	return &fakeModule{
		t: t, present: true, slot: 7, label: label, pin: pin,
		sessions: map[p11.SessionHandle]*fakeSession{}, objects: map[p11.ObjectHandle]*fakeObject{},
		nextSession: 1, nextObject: 1, calls: map[string]int{},
	}
}

func (f *fakeModule) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeModule) setFault(fn func(op string) error) {
	f.mu.Lock()
	f.fault = fn
	f.mu.Unlock()
}

func (f *fakeModule) set(fn func(f *fakeModule)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

// enter starts a call: bookkeeping, fault injection, initialisation check.
func (f *fakeModule) enter(op string) error {
	if f.destroyed {
		f.t.Errorf("fake: %s after Destroy", op)
		return p11.Error(p11.CKR_GENERAL_ERROR)
	}
	f.calls[op]++
	if f.fault != nil {
		if err := f.fault(op); err != nil {
			return err
		}
	}
	if !f.initialized && op != "Initialize" {
		return p11.Error(p11.CKR_CRYPTOKI_NOT_INITIALIZED)
	}
	return nil
}

func (f *fakeModule) session(sh p11.SessionHandle) (*fakeSession, error) {
	s := f.sessions[sh]
	if s == nil {
		return nil, p11.Error(p11.CKR_SESSION_HANDLE_INVALID)
	}
	return s, nil
}

// use marks s busy for the duration of a (simulated) call and checks the
// one-call-per-session rule.
func (f *fakeModule) use(sh p11.SessionHandle, op string) (*fakeSession, func(), error) {
	if err := f.enter(op); err != nil {
		return nil, nil, err
	}
	s, err := f.session(sh)
	if err != nil {
		return nil, nil, err
	}
	if s.busy {
		f.t.Errorf("fake: %s on session %d while another call runs on it", op, sh)
	}
	s.busy = true
	return s, func() { s.busy = false }, nil
}

func (f *fakeModule) Initialize(...p11.InitializeOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Initialize"); err != nil {
		return err
	}
	if f.initialized {
		return p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)
	}
	f.initialized = true
	// A new library instance numbers sessions from 1 again and may number
	// objects differently: stale handles must never be reused.
	f.nextSession = 1
	renumbered := map[p11.ObjectHandle]*fakeObject{}
	for _, o := range f.objects {
		renumbered[f.nextObject+1000] = o
		f.nextObject++
	}
	f.objects = renumbered
	return nil
}

func (f *fakeModule) Finalize() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Finalize"); err != nil {
		return err
	}
	f.initialized, f.loggedIn = false, false
	f.sessions = map[p11.SessionHandle]*fakeSession{}
	return nil
}

func (f *fakeModule) Destroy() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.destroyed = true
}

func (f *fakeModule) GetInfo() (p11.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return p11.Info{}, f.enter("GetInfo")
}

func (f *fakeModule) GetSlotList(present bool) ([]uint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GetSlotList"); err != nil {
		return nil, err
	}
	if present && !f.present {
		return nil, nil
	}
	return []uint{f.slot}, nil
}

func (f *fakeModule) GetTokenInfo(slot uint) (p11.TokenInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GetTokenInfo"); err != nil {
		return p11.TokenInfo{}, err
	}
	if slot != f.slot {
		return p11.TokenInfo{}, p11.Error(p11.CKR_SLOT_ID_INVALID)
	}
	if !f.present {
		return p11.TokenInfo{}, p11.Error(p11.CKR_TOKEN_NOT_PRESENT)
	}
	return p11.TokenInfo{Label: f.label, Flags: p11.CKF_TOKEN_INITIALIZED | p11.CKF_LOGIN_REQUIRED}, nil
}

func (f *fakeModule) OpenSession(slot uint, flags uint) (p11.SessionHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("OpenSession"); err != nil {
		return 0, err
	}
	if slot != f.slot {
		return 0, p11.Error(p11.CKR_SLOT_ID_INVALID)
	}
	if !f.present {
		return 0, p11.Error(p11.CKR_TOKEN_NOT_PRESENT)
	}
	if flags&p11.CKF_SERIAL_SESSION == 0 {
		return 0, p11.Error(p11.CKR_SESSION_PARALLEL_NOT_SUPPORTED)
	}
	h := f.nextSession
	f.nextSession++
	f.sessions[h] = &fakeSession{}
	return h, nil
}

func (f *fakeModule) CloseSession(sh p11.SessionHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("CloseSession"); err != nil {
		return err
	}
	if _, err := f.session(sh); err != nil {
		return err
	}
	delete(f.sessions, sh)
	if len(f.sessions) == 0 {
		f.loggedIn = false
	}
	return nil
}

func (f *fakeModule) CloseAllSessions(slot uint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("CloseAllSessions"); err != nil {
		return err
	}
	f.sessions = map[p11.SessionHandle]*fakeSession{}
	f.loggedIn = false
	return nil
}

func (f *fakeModule) GetSessionInfo(sh p11.SessionHandle) (p11.SessionInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "GetSessionInfo")
	if err != nil {
		return p11.SessionInfo{}, err
	}
	defer done()
	state := uint(p11.CKS_RW_PUBLIC_SESSION)
	if f.loggedIn {
		state = p11.CKS_RW_USER_FUNCTIONS
	}
	return p11.SessionInfo{SlotID: f.slot, State: state, Flags: p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION}, nil
}

func (f *fakeModule) Login(sh p11.SessionHandle, userType uint, pin string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "Login")
	if err != nil {
		return err
	}
	defer done()
	if f.loggedIn {
		return p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)
	}
	if userType != p11.CKU_USER || pin != f.pin {
		return p11.Error(p11.CKR_PIN_INCORRECT)
	}
	f.loggedIn = true
	return nil
}

func (f *fakeModule) visible(o *fakeObject) bool { return f.loggedIn || !o.private() }

func (f *fakeModule) FindObjectsInit(sh p11.SessionHandle, tmpl []*p11.Attribute) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, done, err := f.use(sh, "FindObjectsInit")
	if err != nil {
		return err
	}
	defer done()
	s.found = nil
	for h, o := range f.objects {
		match := f.visible(o)
		for _, a := range tmpl {
			if !bytes.Equal(o.attrs[a.Type], a.Value) {
				match = false
			}
		}
		if match {
			s.found = append(s.found, h)
		}
	}
	return nil
}

func (f *fakeModule) FindObjects(sh p11.SessionHandle, max int) ([]p11.ObjectHandle, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, done, err := f.use(sh, "FindObjects")
	if err != nil {
		return nil, false, err
	}
	defer done()
	n := min(max, len(s.found))
	out := s.found[:n]
	s.found = s.found[n:]
	return out, false, nil
}

func (f *fakeModule) FindObjectsFinal(sh p11.SessionHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, done, err := f.use(sh, "FindObjectsFinal")
	if err != nil {
		return err
	}
	defer done()
	s.found = nil
	return nil
}

func (f *fakeModule) object(h p11.ObjectHandle) (*fakeObject, error) {
	o := f.objects[h]
	if o == nil || !f.visible(o) {
		return nil, p11.Error(p11.CKR_OBJECT_HANDLE_INVALID)
	}
	return o, nil
}

func (f *fakeModule) GetAttributeValue(sh p11.SessionHandle, h p11.ObjectHandle, req []*p11.Attribute) ([]*p11.Attribute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "GetAttributeValue")
	if err != nil {
		return nil, err
	}
	defer done()
	o, err := f.object(h)
	if err != nil {
		return nil, err
	}
	out := make([]*p11.Attribute, len(req))
	for i, a := range req {
		v, ok := o.attrs[a.Type]
		if !ok {
			return nil, p11.Error(p11.CKR_ATTRIBUTE_TYPE_INVALID)
		}
		if a.Type == p11.CKA_VALUE && o.private() {
			return nil, p11.Error(p11.CKR_ATTRIBUTE_SENSITIVE)
		}
		out[i] = &p11.Attribute{Type: a.Type, Value: bytes.Clone(v)}
	}
	return out, nil
}

func (f *fakeModule) SignInit(sh p11.SessionHandle, m []*p11.Mechanism, h p11.ObjectHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, done, err := f.use(sh, "SignInit")
	if err != nil {
		return err
	}
	defer done()
	if s.signKey != nil {
		return p11.Error(p11.CKR_OPERATION_ACTIVE)
	}
	o := f.objects[h]
	if o == nil {
		return p11.Error(p11.CKR_KEY_HANDLE_INVALID)
	}
	if o.private() && !f.loggedIn {
		return p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	if len(m) != 1 {
		return p11.Error(p11.CKR_MECHANISM_INVALID)
	}
	kt := ulongValue(o.attrs[p11.CKA_KEY_TYPE])
	switch {
	case m[0].Mechanism == CKM_GOSTR3410 && kt == CKK_GOSTR3410 && o.gost != nil && o.gost.Curve().Size == 32,
		m[0].Mechanism == CKM_GOSTR3410_512 && kt == CKK_GOSTR3410_512 && o.gost != nil,
		m[0].Mechanism == p11.CKM_ECDSA && kt == p11.CKK_EC && o.ec != nil:
	default:
		return p11.Error(p11.CKR_KEY_TYPE_INCONSISTENT)
	}
	s.signKey, s.signMech = o, m[0].Mechanism
	return nil
}

func (f *fakeModule) Sign(sh p11.SessionHandle, data []byte) ([]byte, error) {
	f.mu.Lock()
	s, done, err := f.use(sh, "Sign")
	if err != nil {
		f.mu.Unlock()
		return nil, err
	}
	o := s.signKey
	s.signKey = nil
	f.mu.Unlock()
	// The signature is computed outside the module lock, with the session
	// marked busy: a second call on the same session would be caught.
	defer func() {
		f.mu.Lock()
		done()
		f.mu.Unlock()
	}()
	if o == nil {
		return nil, p11.Error(p11.CKR_OPERATION_NOT_INITIALIZED)
	}
	if o.gost != nil {
		if len(data) != o.gost.Curve().Size {
			return nil, p11.Error(p11.CKR_DATA_LEN_RANGE)
		}
		return o.gost.Sign(rand.Reader, data, nil) // s ‖ r, as tokens return it
	}
	r, ss, err := ecdsa.Sign(rand.Reader, o.ec, data)
	if err != nil {
		return nil, p11.Error(p11.CKR_FUNCTION_FAILED)
	}
	n := (o.ec.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	ss.FillBytes(out[n:])
	return out, nil
}

func (f *fakeModule) GenerateKeyPair(sh p11.SessionHandle, m []*p11.Mechanism, pubT, privT []*p11.Attribute) (p11.ObjectHandle, p11.ObjectHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "GenerateKeyPair")
	if err != nil {
		return 0, 0, err
	}
	defer done()
	if !f.loggedIn {
		return 0, 0, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	pub, priv := attrMap(pubT), attrMap(privT)
	mech := m[0].Mechanism
	kt := ulongValue(pub[p11.CKA_KEY_TYPE])
	var pubObj, privObj fakeObject
	switch {
	case mech == CKM_GOSTR3410_KEY_PAIR_GEN && kt == CKK_GOSTR3410,
		mech == CKM_GOSTR3410_512_KEY_PAIR_GEN && kt == CKK_GOSTR3410_512:
		oid, err := parseOID(pub[CKA_GOSTR3410_PARAMS])
		if err != nil {
			return 0, 0, p11.Error(p11.CKR_TEMPLATE_INCOMPLETE)
		}
		c, ok := gost3410.CurveByOID(oid)
		if !ok || (c.Size == 64) != (kt == CKK_GOSTR3410_512) {
			return 0, 0, p11.Error(p11.CKR_DOMAIN_PARAMS_INVALID)
		}
		wantDigest := hsm.OIDStreebog256
		if c.Size == 64 {
			wantDigest = hsm.OIDStreebog512
		}
		if d, err := parseOID(pub[CKA_GOSTR3411_PARAMS]); err != nil || !d.Equal(wantDigest) {
			return 0, 0, p11.Error(p11.CKR_DOMAIN_PARAMS_INVALID)
		}
		k, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			return 0, 0, p11.Error(p11.CKR_FUNCTION_FAILED)
		}
		value := k.PublicKey().Bytes()
		if f.wrapValue {
			value = octetString(value)
		}
		pub[p11.CKA_VALUE] = value
		priv[CKA_GOSTR3410_PARAMS] = pub[CKA_GOSTR3410_PARAMS]
		priv[CKA_GOSTR3411_PARAMS] = pub[CKA_GOSTR3411_PARAMS]
		privObj.gost = k
	case mech == p11.CKM_EC_KEY_PAIR_GEN && kt == p11.CKK_EC:
		oid, err := parseOID(pub[p11.CKA_EC_PARAMS])
		if err != nil {
			return 0, 0, p11.Error(p11.CKR_TEMPLATE_INCOMPLETE)
		}
		var c hsm.Curve
		switch {
		case oid.Equal(hsm.OIDNamedCurveP256):
			c, _ = hsm.CurveByName("P-256")
		case oid.Equal(hsm.OIDNamedCurveP384):
			c, _ = hsm.CurveByName("P-384")
		default:
			return 0, 0, p11.Error(p11.CKR_DOMAIN_PARAMS_INVALID)
		}
		k, err := ecdsa.GenerateKey(c.EC, rand.Reader)
		if err != nil {
			return 0, 0, p11.Error(p11.CKR_FUNCTION_FAILED)
		}
		point, _ := k.PublicKey.Bytes()
		if f.wrapValue {
			point = octetString(point)
		}
		pub[p11.CKA_EC_POINT] = point
		priv[p11.CKA_EC_PARAMS] = pub[p11.CKA_EC_PARAMS]
		privObj.ec = k
	default:
		return 0, 0, p11.Error(p11.CKR_MECHANISM_INVALID)
	}
	pubObj.attrs, privObj.attrs = pub, priv
	ph, kh := f.nextObject, f.nextObject+1
	f.nextObject += 2
	f.objects[ph], f.objects[kh] = &pubObj, &privObj
	return ph, kh, nil
}

func (f *fakeModule) DestroyObject(sh p11.SessionHandle, h p11.ObjectHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "DestroyObject")
	if err != nil {
		return err
	}
	defer done()
	o, ok := f.objects[h]
	if !ok || !f.visible(o) {
		return p11.Error(p11.CKR_OBJECT_HANDLE_INVALID)
	}
	delete(f.objects, h)
	return nil
}

// addGOSTKey puts a key pair on the token directly (as an import would).
func (f *fakeModule) addGOSTKey(label string, id []byte, k *gost3410.PrivateKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kt := uint(CKK_GOSTR3410)
	if k.Curve().Size == 64 {
		kt = CKK_GOSTR3410_512
	}
	common := func(class uint, private bool) map[uint][]byte {
		return attrMap([]*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, class),
			p11.NewAttribute(p11.CKA_KEY_TYPE, kt),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_PRIVATE, private),
			p11.NewAttribute(p11.CKA_LABEL, label),
			p11.NewAttribute(p11.CKA_ID, id),
			p11.NewAttribute(CKA_GOSTR3410_PARAMS, marshalOID(k.Curve().OID())),
		})
	}
	pub, priv := common(p11.CKO_PUBLIC_KEY, false), common(p11.CKO_PRIVATE_KEY, true)
	pub[p11.CKA_VALUE] = k.PublicKey().Bytes()
	f.objects[f.nextObject] = &fakeObject{attrs: pub}
	f.objects[f.nextObject+1] = &fakeObject{attrs: priv, gost: k}
	f.nextObject += 2
}

// removeLabel deletes every object with the label.
func (f *fakeModule) removeLabel(label string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for h, o := range f.objects {
		if string(o.attrs[p11.CKA_LABEL]) == label {
			delete(f.objects, h)
		}
	}
}

func attrMap(tmpl []*p11.Attribute) map[uint][]byte {
	m := map[uint][]byte{}
	for _, a := range tmpl {
		m[a.Type] = bytes.Clone(a.Value)
	}
	return m
}

func ulongValue(b []byte) uint {
	if len(b) != 8 {
		return ^uint(0)
	}
	return uint(binary.NativeEndian.Uint64(b))
}

func octetString(b []byte) []byte {
	var bb cryptobyte.Builder
	bb.AddASN1OctetString(b)
	return bb.BytesOrPanic()
}

// parseECDSADER splits a DER Ecdsa-Sig-Value.
func parseECDSADER(der []byte) (r, s *big.Int, err error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	r, s = new(big.Int), new(big.Int)
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) || !seq.Empty() {
		return nil, nil, fmt.Errorf("malformed Ecdsa-Sig-Value % x", der)
	}
	return r, s, nil
}

var _ api = (*fakeModule)(nil)
