package config

import "time"

// Retention of the applications' documents (ra.retention,
// ra.orphan_grace; the CA's document sweep runs every
// ra.expire_interval):
//
//   - ra.retention: the documents of an application that ended without a
//     certificate (cancelled or expired) are dropped this long after it
//     ended. Zero, the default, keeps them for the CA's whole life (no
//     deletion path while the CA operates). The documents of an
//     application that led to a certificate are never dropped.
//   - ra.orphan_grace: a document file no application refers to (an
//     upload the RA then refused, a removed document, documents dropped
//     by retention) is deleted once its file is this old. The grace keeps
//     the upload in progress whose metadata is being written. Zero keeps
//     orphans; otherwise at least an hour.

// DefaultOrphanGrace is ra.orphan_grace's default.
const DefaultOrphanGrace = 24 * time.Hour

// MinOrphanGrace is the shortest ra.orphan_grace: far longer than any
// upload between its file and its metadata.
const MinOrphanGrace = time.Hour

func (r *RAConfig) validateRetention(bad func(format string, args ...any)) {
	if r.Retention < 0 {
		bad("ra.retention must not be negative (0: keep the documents for the CA's whole life)")
	}
	if r.OrphanGrace < 0 || (r.OrphanGrace > 0 && r.OrphanGrace < MinOrphanGrace) {
		bad("ra.orphan_grace must be 0 (keep orphan files) or at least %s", MinOrphanGrace)
	}
}
