package command

import (
	"io"
	"log/slog"
	"os/user"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
)

// NewLogger is the logger of the configuration (log.level, log.format)
// writing to w.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// WarnLogger logs only warnings, for a command whose output is a list.
func WarnLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// Actor is who an admin command acts as in the audit log: "cli:" and the
// name of the user running it.
func Actor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}

// Principal is the command line as a caller of the CA: a CA
// administrator named by Actor.
func Principal() *auth.Principal {
	return &auth.Principal{Role: auth.RoleCAAdmin, Name: Actor()}
}
