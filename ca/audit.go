package ca

import (
	"context"
	"errors"

	"github.com/gostca/gostca/auth"
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
