package ca

import (
	"context"
	"errors"
	"fmt"

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

// CreateToken makes an API token and records it in the audit log under
// actor.
func (c *CA) CreateToken(ctx context.Context, actor string, role auth.Role, scope, name string) (string, auth.TokenInfo, error) {
	tok, ti, err := c.tokens.Create(role, scope, name)
	if err != nil {
		return "", auth.TokenInfo{}, caerr.Classify(err)
	}
	if err := c.Audit(ctx, actor, "token.create", ti.ID, fmt.Sprintf("role=%s scope=%s name=%s", ti.Role, ti.Scope, ti.Name)); err != nil {
		return "", auth.TokenInfo{}, err
	}
	return tok, ti, nil
}

// RevokeToken deletes an API token and records it in the audit log.
func (c *CA) RevokeToken(ctx context.Context, actor, id string) error {
	if err := c.tokens.Revoke(id); err != nil {
		return caerr.Classify(err)
	}
	return c.Audit(ctx, actor, "token.revoke", id, "")
}
