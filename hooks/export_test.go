package hooks

var (
	HookBackoff = hookBackoff
	Moscow      = moscow
)

var (
	Jitter      = jitter
	AttemptText = attemptText
)
