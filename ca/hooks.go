package ca

import "github.com/gostca/gostca/hooks"

// Hooks is the outbox delivery: operators' outbox view and actions, and
// the intake of signed callbacks (ESIA answers, registry answers).
func (c *CA) Hooks() *hooks.Deliverer { return c.hooks }
