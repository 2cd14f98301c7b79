//go:build !cgo

package cadir

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gostca/gostca/config"
)

func openToken(context.Context, *config.Config, *slog.Logger) (caToken, error) {
	return nil, errors.New("this gostca was built without cgo, and PKCS#11 tokens need it (build with CGO_ENABLED=1)")
}
