//go:build !cgo

package engine

import (
	"context"
	"errors"
	"log/slog"
)

func openToken(context.Context, *Config, *slog.Logger) (caToken, error) {
	return nil, errors.New("this gostca was built without cgo, and PKCS#11 tokens need it (build with CGO_ENABLED=1)")
}
