//go:build purego

package streebog

const purego = true
