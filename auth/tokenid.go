package auth

// TokenID returns the id part of a well-formed token ("gca_<id>_<secret>"),
// for logs about failed authentication: the id is no secret, the rest is.
// ok is false when the string is not shaped like a token.
func TokenID(token string) (id string, ok bool) { return tokenID(token) }
