package pkcs11

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	p11 "github.com/miekg/pkcs11"
)

// api is the part of *p11.Ctx the package calls. Tests substitute a fake
// token that implements the GOST mechanisms SoftHSM lacks.
type api interface {
	Initialize(opts ...p11.InitializeOption) error
	Finalize() error
	Destroy()
	GetInfo() (p11.Info, error)
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetTokenInfo(slotID uint) (p11.TokenInfo, error)
	OpenSession(slotID uint, flags uint) (p11.SessionHandle, error)
	CloseSession(sh p11.SessionHandle) error
	CloseAllSessions(slotID uint) error
	GetSessionInfo(sh p11.SessionHandle) (p11.SessionInfo, error)
	Login(sh p11.SessionHandle, userType uint, pin string) error
	FindObjectsInit(sh p11.SessionHandle, temp []*p11.Attribute) error
	FindObjects(sh p11.SessionHandle, max int) ([]p11.ObjectHandle, bool, error)
	FindObjectsFinal(sh p11.SessionHandle) error
	GetAttributeValue(sh p11.SessionHandle, o p11.ObjectHandle, a []*p11.Attribute) ([]*p11.Attribute, error)
	SignInit(sh p11.SessionHandle, m []*p11.Mechanism, o p11.ObjectHandle) error
	Sign(sh p11.SessionHandle, message []byte) ([]byte, error)
	GenerateKeyPair(sh p11.SessionHandle, m []*p11.Mechanism, public, private []*p11.Attribute) (p11.ObjectHandle, p11.ObjectHandle, error)
	GenerateKey(sh p11.SessionHandle, m []*p11.Mechanism, temp []*p11.Attribute) (p11.ObjectHandle, error)
	DestroyObject(sh p11.SessionHandle, oh p11.ObjectHandle) error
}

var _ api = (*p11.Ctx)(nil)

// module is one loaded PKCS#11 library, shared by every Token of the
// process that uses it: Cryptoki state (initialisation, login) is per
// process, so two contexts on one library would fight over it.
type module struct {
	path string
	api  api

	// mu orders calls against the module's life cycle: every call into
	// the library holds it for reading; C_Initialize / C_Finalize and the
	// re-establishment of a token's sessions hold it for writing, so that
	// no call is in flight on a session being replaced.
	mu sync.RWMutex
	// initGen counts C_Initialize calls made by this process (guarded by
	// mu). A token whose sessions predate the current value knows that
	// they are gone even if it never saw an error.
	initGen uint64
	reinits atomic.Uint64 // C_Finalize + C_Initialize cycles after the first

	refs atomic.Int32 // Tokens using the module; changed under registry.mu
}

var registry = struct {
	mu sync.Mutex
	m  map[string]*module
}{m: map[string]*module{}}

// loadModule opens a PKCS#11 library.
func loadModule(path string) (api, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: module %q: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("hsm: pkcs11: module %q is a directory", path)
	}
	c := p11.New(path)
	if c == nil {
		return nil, fmt.Errorf("hsm: pkcs11: module %q could not be loaded (not a PKCS#11 library, or one of its dependencies is missing)", path)
	}
	return c, nil
}

// acquireModule returns the process-wide module for path, loading and
// initialising it on first use.
func acquireModule(path string, load func(string) (api, error)) (*module, error) {
	key := path
	if abs, err := filepath.Abs(path); err == nil {
		key = abs
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if m := registry.m[key]; m != nil {
		m.refs.Add(1)
		return m, nil
	}
	a, err := load(path)
	if err != nil {
		return nil, err
	}
	if err := a.Initialize(); err != nil && !isCode(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		a.Destroy()
		return nil, fmt.Errorf("hsm: pkcs11: initialise module %q: %w", path, err)
	}
	m := &module{path: key, api: a, initGen: 1}
	m.refs.Store(1)
	registry.m[key] = m
	return m, nil
}

// release drops one reference; the last one finalises and unloads the
// library.
func (m *module) release() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if m.refs.Add(-1) > 0 {
		return
	}
	delete(registry.m, m.path)
	m.mu.Lock()
	defer m.mu.Unlock()
	_ = m.api.Finalize()
	m.api.Destroy()
}

// restart brings the library back after it was finalised under us or
// fails as a whole. Unless force is set, a library that still answers
// C_GetInfo is left alone: finalising it would also kill the sessions of
// other tokens on it. Called with mu held for writing.
func (m *module) restart(force bool) (restarted bool, err error) {
	if !force {
		if _, err := m.api.GetInfo(); err == nil {
			return false, nil
		}
	}
	_ = m.api.Finalize() // fails when already finalised; that is the point
	m.initGen++          // even if C_Initialize fails, the old sessions are gone
	m.reinits.Add(1)
	if err := m.api.Initialize(); err != nil && !isCode(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		return true, fmt.Errorf("hsm: pkcs11: re-initialise module %q: %w", m.path, err)
	}
	return true, nil
}

// shared reports whether other tokens use the module.
func (m *module) shared() bool { return m.refs.Load() > 1 }
