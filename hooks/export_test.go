package hooks

var HookBackoff = hookBackoff

var (
	Jitter      = jitter
	AttemptText = attemptText
)

// SetResultGroup sets the group commit of d's results before Run: at
// most max results per write and slots writes at once (max 1 with many
// slots is one synced write per result, as before the group commit).
func SetResultGroup(d *Deliverer, max, slots int) {
	d.results.max, d.results.slots = max, make(chan struct{}, slots)
}
