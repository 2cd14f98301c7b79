package store

import (
	"encoding/binary"
	"time"
)

// Key prefixes of the application records (0x60–0x6f are theirs; see
// doc.go, "Applications").
const (
	pApp      byte = 0x60 // application id → application record
	pAppIndex byte = 0x61 // field, value, createdAt, id → ∅ (centre, phone, SNILS, INN)
	pAppState byte = 0x62 // state, stateSince, id → ∅ (queue by state, oldest first)
	pAppEvent byte = 0x63 // id, version(8) → history event (append-only)
)

func appKey(id string) []byte { return append([]byte{pApp}, id...) }

// appEventPrefix is the scan prefix of one application's history.
func appEventPrefix(id string) []byte { return appendLen([]byte{pAppEvent}, id) }

func appEventKey(id string, version uint64) []byte {
	return binary.BigEndian.AppendUint64(appEventPrefix(id), version)
}

// appIndexPrefix is the scan prefix of one indexed value.
func appIndexPrefix(f AppField, value string) []byte {
	return appendLen([]byte{pAppIndex, byte(f)}, value)
}

func appIndexKey(f AppField, value string, created time.Time, id string) []byte {
	return appendLen(appendTime(appIndexPrefix(f, value), created), id)
}

func appStatePrefix(s AppState) []byte { return []byte{pAppState, byte(s)} }

func appStateKey(s AppState, since time.Time, id string) []byte {
	return appendLen(appendTime(appStatePrefix(s), since), id)
}

// appIndexKeys lists every index key of a (the record's own key aside).
func appIndexKeys(a *Application) [][]byte {
	keys := [][]byte{
		appIndexKey(ByAppCentre, a.Centre, a.CreatedAt, a.ID),
		appIndexKey(ByAppPhone, a.Phone, a.CreatedAt, a.ID),
		appStateKey(a.State, a.StateSince, a.ID),
	}
	if a.Owner.SNILS != "" {
		keys = append(keys, appIndexKey(ByAppSNILS, a.Owner.SNILS, a.CreatedAt, a.ID))
	}
	if a.Owner.INN != "" {
		keys = append(keys, appIndexKey(ByAppINN, a.Owner.INN, a.CreatedAt, a.ID))
	}
	return keys
}
