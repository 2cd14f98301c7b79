package ca

import (
	"context"
	"errors"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca/checkpoint"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
)

// Audit appends an entry to the audit log.
func (c *CA) Audit(ctx context.Context, actor, action, subject, details string) error {
	_, err := c.st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: action, Subject: subject, Details: details})
	if err != nil {
		return caerr.Classify(err)
	}
	return nil
}

// AuditEntries pages through the audit log.
func (c *CA) AuditEntries(ctx context.Context, cursor string, limit int) ([]store.AuditEntry, string, error) {
	page, next, err := c.st.AuditEntries(ctx, cursor, limit)
	if err != nil {
		if errors.Is(err, store.ErrInvalidInput) {
			return nil, "", caerr.New(caerr.CodeInvalidRequest, "bad cursor", err)
		}
		return nil, "", caerr.Classify(err)
	}
	return page, next, nil
}

// Checkpoint signs the current head of the audit chain with the default
// issuing CA's key (package checkpoint says why that key).
func (c *CA) Checkpoint(ctx context.Context) (*store.Checkpoint, error) {
	cp, ok := c.st.(checkpoint.Store)
	if !ok {
		return nil, caerr.Newf(caerr.CodeInternal, "this store cannot make audit checkpoints")
	}
	id := c.order[0]
	return checkpoint.Sign(ctx, cp, id, c.issuers[id].Key)
}

// runCheckpoints is the scheduled export of checkpoints
// (audit.checkpoint_interval, audit.checkpoint_file), a job on the CA's
// lifetime.
func (c *CA) runCheckpoints(ctx context.Context) {
	checkpoint.Export{Interval: c.cfg.Audit.CheckpointInterval, File: c.cfg.Audit.CheckpointFile, Log: c.log,
		Head: func(ctx context.Context) (uint64, error) {
			seq, _, err := c.st.AuditHead(ctx)
			return seq, err
		},
		Take: c.Checkpoint,
	}.Run(ctx)
}

// CreateToken makes an API token; the token and its audit entry under
// actor are one write.
func (c *CA) CreateToken(ctx context.Context, actor string, role auth.Role, scope, name string) (string, auth.TokenInfo, error) {
	return c.tokens.Create(ctx, actor, role, scope, name)
}

// RevokeToken deletes an API token; the deletion and its audit entry are
// one write.
func (c *CA) RevokeToken(ctx context.Context, actor, id string) error {
	return c.tokens.Revoke(ctx, actor, id)
}
