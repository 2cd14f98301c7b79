package hooks

var (
	HookBackoff = hookBackoff
	Moscow      = moscow
)
