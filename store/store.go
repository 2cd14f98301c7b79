package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configure Open. The zero value is the safe production setting.
type Options struct {
	// NoSync turns off the fsync of acknowledged writes. Only for tests
	// and benchmarks that measure something else: with it, a crash can
	// lose acknowledged certificates.
	NoSync bool
	// Logger receives the store's and Pebble's messages; nil means
	// slog.Default(). Payloads and certificate bytes are never logged.
	Logger *slog.Logger
	// PebbleOptions are passed to Pebble (copied; the store sets Logger
	// when it is nil). Nil means defaultPebbleOptions: the newest format,
	// Bloom filters (the uniqueness checks are mostly lookups of absent
	// keys), a 128 MiB block cache and 64 MiB memtables.
	PebbleOptions *pebble.Options
	// Now is the clock for store-assigned times; nil means time.Now.
	Now func() time.Time
	// AuditKey keys the audit chain (HMAC-SHA256, see AuditKey); the CA
	// gets it from its key store. Nil leaves the chain unkeyed (SHA-256,
	// a warning at every open): only for tests and tools. A store whose
	// chain is keyed refuses to open without its key (ErrAuditKey); an
	// unkeyed store opened with a key is keyed from its next entry on.
	AuditKey AuditKey
	// RequireKeyedAudit refuses to start a keyed chain at open (the
	// schema 5 → 6 migration, or keying an unkeyed store): the chain must
	// already be keyed with AuditKey. Set it whenever the key was not
	// created on this start. Without it, someone who rewrote the whole
	// chain as unkeyed entries and reset the schema would have it keyed
	// afresh at the next open, found only against a checkpoint.
	RequireKeyedAudit bool
	// AcceptUnMACedIntents lets the schema 6 → 7 step take pending
	// intents written before schema 7, which carry no MAC: it MACs them
	// as they are, marked Legacy, and records that in the audit log
	// ("intent.accept-unmacced"). Recovery then re-checks them as schema
	// 6 did (the stored TBS against the intent, and the lints). Without
	// it Open refuses such a store (ErrUnMACedIntents) and changes
	// nothing. The CLI sets it for `gostca recover --accept-unmacced`.
	AcceptUnMACedIntents bool
}

// Store is the Pebble implementation of Backend. All methods are safe
// for concurrent use; see doc.go for the locking.
type Store struct {
	db *pebble.DB
	// cache is the DB's block cache (uniqfilter.go shrinks it during the
	// scans at Open).
	cache *pebble.Cache
	log   *slog.Logger
	sync  bool
	now   func() time.Time

	// life counts calls in flight (including their wait for fsync); Close
	// waits for them.
	life gate

	// unsynced counts batches applied (so visible to readers) whose WAL
	// fsync has not completed yet; see durableRead.
	unsynced atomic.Int64
	// durability orders synced batches for durableRead (durablewait.go);
	// readWaits counts the reads it held until a sync in flight ended,
	// readSyncs the WAL syncs it made itself (tests read both).
	durability durableState
	flight     ocspFlight
	readWaits  atomic.Int64
	// testBeforeSyncWait, when set (tests), runs in update between a
	// synced batch's apply and its wait for the fsync.
	testBeforeSyncWait func()
	readSyncs          atomic.Int64

	// wmu serialises every read-check-write section; the fields below it
	// are the in-memory heads of the sequences, valid under wmu.
	wmu       sync.Mutex
	auditSeq  uint64
	auditHash [32]byte
	outboxSeq uint64
	// audit computes chain values (key and keyed-from record), fixed
	// once Open returns.
	audit auditChain
	// acceptUnMACed: Options.AcceptUnMACedIntents (the 6 → 7 step).
	acceptUnMACed bool
	// logHeads caches each issuer's status-log head once read.
	logHeads map[string]uint64
	// uniq are the filters of the unique indexes (uniqfilter.go).
	uniq uniqFilters
}

var _ Backend = (*Store)(nil)

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "store")
	po := opts.PebbleOptions.Clone()
	if opts.PebbleOptions == nil {
		po = defaultPebbleOptions()
	}
	if po.Logger == nil {
		po.Logger = pebbleLogger{log}
	}
	if po.FS == nil {
		po.FS = vfs.Default
	}
	po.FS = prefillFS{po.FS} // walprefill.go: WAL syncs that flush data only
	if po.Cache == nil {
		// The store makes the block cache itself (as Pebble would, of
		// CacheSize) so that it can shrink it while it scans its indexes
		// at Open (loadUniq).
		size := po.CacheSize
		if size <= 0 {
			size = 8 << 20 // Pebble's default
		}
		po.Cache = pebble.NewCache(size)
		defer po.Cache.Unref() // the DB holds its own reference
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	s := &Store{db: db, cache: po.Cache, log: log, sync: !opts.NoSync, now: opts.Now, logHeads: map[string]uint64{}}
	s.audit.key, s.audit.required = opts.AuditKey, opts.RequireKeyedAudit
	s.acceptUnMACed = opts.AcceptUnMACedIntents
	if s.audit.key == nil {
		s.audit.key = unkeyed{}
	}
	s.life.idle.L = &s.life.mu
	s.durability.init()
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.load(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.backfillStatusReqPhones(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.backfillCloudOpExpiry(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.loadUniq(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: uniqueness filters: %w", err)
	}
	log.Info("store opened", "dir", dir, "audit_seq", s.auditSeq, "audit_keyed_from", s.audit.rec.KeyedFrom, "sync", s.sync)
	if !s.audit.keyed() {
		log.Warn("audit chain is not keyed: whoever can write the database can rewrite it undetected after the newest checkpoint; give the store the CA's audit key (Options.AuditKey)")
	}
	return s, nil
}

func defaultPebbleOptions() *pebble.Options {
	o := &pebble.Options{FormatMajorVersion: pebble.FormatNewest, CacheSize: 128 << 20, MemTableSize: 64 << 20}
	o.Levels[0].FilterPolicy = bloom.FilterPolicy(10) // deeper levels inherit it
	return o
}

// load checks the schema version and reads the sequence heads.
func (s *Store) load() (err error) {
	v, err := s.get(s.db, keySchema)
	switch {
	case errors.Is(err, ErrNotFound):
		if err := s.create(); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(v) == 1 && v[0] >= 1 && v[0] < schemaVersion:
		if err := s.migrate(v[0]); err != nil {
			return err
		}
		// The 6 → 7 step MACs intents with the audit key and may write
		// an audit entry: it runs once the chain and its key are loaded.
		defer func() {
			if err == nil {
				err = s.migrateIntentMACs()
			}
		}()
	case len(v) != 1 || v[0] != schemaVersion:
		return corrupt("schema version %x, want %d", v, schemaVersion)
	}
	if v, err := s.get(s.db, keyOutboxSeq); err == nil {
		if len(v) != 8 {
			return corrupt("outbox sequence %x", v)
		}
		s.outboxSeq = binary.BigEndian.Uint64(v)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	last, err := lastAudit(s.db)
	if err != nil {
		return err
	}
	if last != nil {
		s.auditSeq, s.auditHash = last.Seq, last.Hash
	}
	return s.loadAuditKey()
}

// Close waits for calls in flight and closes the database. Later calls
// return ErrClosed; a second Close returns nil.
func (s *Store) Close() error {
	if !s.life.close() {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// enter marks a call in flight; on success the caller must defer
// s.leave().
func (s *Store) enter() error {
	if !s.life.enter() {
		return fmt.Errorf("store: %w", ErrClosed)
	}
	return nil
}

func (s *Store) leave() { s.life.leave() }

// gate admits calls until closed, then lets close wait for the calls in
// flight. Unlike an RWMutex it never blocks enter, so a call made from
// inside another (a Revoked callback) cannot deadlock with Close; it gets
// ErrClosed instead. enter and leave are one atomic add each: every
// store call, reads included, passes through them, and a mutex here was
// a lock all readers shared. Only close, and a leave that empties a
// closed gate, take mu.
type gate struct {
	state atomic.Int64 // calls in flight, plus gateClosed once closed
	mu    sync.Mutex   // serialises close; idle's lock
	idle  sync.Cond
}

const gateClosed = 1 << 62

func (g *gate) enter() bool {
	if g.state.Add(1)&gateClosed != 0 {
		g.leave()
		return false
	}
	return true
}

func (g *gate) leave() {
	if g.state.Add(-1) == gateClosed {
		// The last call of a closed gate: close may be waiting. The
		// broadcast under mu cannot fall between close's check and its
		// Wait, which releases mu only once waiting.
		g.mu.Lock()
		g.idle.Broadcast()
		g.mu.Unlock()
	}
}

// close refuses new calls and waits for those in flight; false if it was
// already closed.
func (g *gate) close() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state.Load()&gateClosed != 0 {
		return false
	}
	g.state.Add(gateClosed)
	for g.state.Load() != gateClosed {
		g.idle.Wait()
	}
	return true
}

// get returns a copy of the value at key, or an ErrNotFound error.
func (s *Store) get(r pebble.Reader, key []byte) ([]byte, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %x: %w", key, err)
	}
	out := append([]byte(nil), v...)
	_ = closer.Close()
	return out, nil
}

// has reports whether key exists.
func (s *Store) has(r pebble.Reader, key []byte) (bool, error) {
	_, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: get %x: %w", key, err)
	}
	_ = closer.Close()
	return true, nil
}

// pebbleLogger sends Pebble's messages to slog: its chatty Info at Debug.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "source", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "source", "pebble")
}

// Fatalf is called by Pebble on unrecoverable corruption and must not
// return.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "source", "pebble", "fatal", true)
	panic("pebble: " + msg)
}

// migrate upgrades a store of schema version from, one version at a time;
// each step is one synced batch that ends by writing its version, so a
// crash between steps resumes at the next open.
func (s *Store) migrate(from byte) error {
	steps := map[byte]func() error{1: s.migrateSerials, 2: s.migrateCentres, 3: s.migrateStatusLog, 4: s.migrateTokens, 5: s.migrateAuditKey}
	for v := from; v < 6; v++ { // 6 → 7: migrateIntentMACs, after the audit key is loaded
		step, ok := steps[v]
		if !ok {
			return fmt.Errorf("store: no migration from schema %d", v)
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// migrateSerials upgrades a version 1 store: it registers the serial of
// every certificate, pending intent and failed intent in the serial
// registry and writes version 2, in one synced batch.
func (s *Store) migrateSerials() error {
	b := s.db.NewBatch()
	defer b.Close()
	n := 0
	for _, prefix := range []byte{pCert, pIntent, pFailed} {
		err := scanPrefix(context.Background(), s.db, []byte{prefix}, func(k, _ []byte) (bool, error) {
			serial, rest, ok := cutSerial(k[1:])
			if !ok || len(rest) != 0 {
				return false, corrupt("key %x", k)
			}
			n++
			return true, b.Set(serialKey(serial), nil, nil)
		})
		if err != nil {
			return fmt.Errorf("store: migrate to schema 2: %w", err)
		}
	}
	if err := b.Set(keySchema, []byte{2}, nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: migrate to schema 2: %w", err)
	}
	s.log.Info("store migrated to schema 2 (serial registry)", "serials", n)
	return nil
}

// migrateCentres upgrades a version 2 store to version 3 (the requesting
// service centre). Nothing stored before knew its centre: version 1
// certificate and intent records decode with no centre, and the centre
// index only ever holds certificates that have one, so it starts empty.
func (s *Store) migrateCentres() error {
	return s.migrateNewPrefix(3, pCentre, "service centres")
}

// migrateNewPrefix is a migration step that only adds a record kind: it
// checks that the new prefix's range is empty (a key there would come
// from an unknown writer) and writes the version.
func (s *Store) migrateNewPrefix(version, prefix byte, what string) error {
	stray := 0
	err := scanPrefix(context.Background(), s.db, []byte{prefix}, func(_, _ []byte) (bool, error) {
		stray++
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("store: migrate to schema %d: %w", version, err)
	}
	if stray != 0 {
		return corrupt("migrate to schema %d: schema %d store already has keys with prefix %#x", version, version-1, prefix)
	}
	if err := s.db.Set(keySchema, []byte{version}, pebble.Sync); err != nil {
		return fmt.Errorf("store: migrate to schema %d: %w", version, err)
	}
	s.log.Info(fmt.Sprintf("store migrated to schema %d (%s)", version, what))
	return nil
}
