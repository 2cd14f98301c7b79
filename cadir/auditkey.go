package cadir

import (
	"context"
	"log/slog"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
)

// The audit chain's key is held by the CA's key store, never the
// database (package secrets says how): a sealed file beside the soft
// keys, or a secret key on the CA keys' token, which is opened here.

// OpenAuditKey opens the audit key of cfg.DataDir through its own token
// (if it is on one): for commands that do not load the CA keys (fsck,
// token list, audit). With create, a data directory without one gets one
// on the configured backend. Without create and without a key it returns
// an AuditKey with a nil Key. Close the result.
func OpenAuditKey(ctx context.Context, cfg *config.Config, log *slog.Logger, create bool) (*secrets.AuditKey, error) {
	kr := newKeyring(cfg, log)
	k, err := secrets.OpenAuditKey(ctx, cfg, kr.secretToken, log, create)
	if err != nil {
		kr.close()
		return nil, err
	}
	k.CloseWith(kr.close)
	return k, nil
}

// AuditKey opens (or, with create, creates) the audit key through the
// CA's own token: one login and one session pool for the CA keys and the
// audit key. The token stays open until c.Close.
func (c *CA) AuditKey(ctx context.Context, log *slog.Logger, create bool) (*secrets.AuditKey, error) {
	return secrets.OpenAuditKey(ctx, c.keys.cfg, c.keys.secretToken, log, create)
}

// secretToken is the keyring's token as an audit key uses it.
func (r *keyring) secretToken(ctx context.Context) (secrets.Token, error) { return r.token(ctx) }
