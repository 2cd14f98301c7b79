package api

// The cloud key endpoints, for TestOpenAPIDocument.
func init() {
	for path, methods := range map[string][]string{
		"/api/v1/cabinet/applications/{id}/cloud-key":             {"post"},
		"/api/v1/cabinet/applications/{id}/cloud-confirm":         {"post"},
		"/api/v1/cabinet/keys/{id}":                               {"get"},
		"/api/v1/cabinet/keys/{id}/operations":                    {"post"},
		"/api/v1/cabinet/keys/{id}/operations/{op}":               {"get"},
		"/api/v1/cabinet/keys/{id}/operations/{op}/confirm":       {"post"},
		"/api/v1/cabinet/keys/{id}/operations/{op}/refuse":        {"post"},
		"/api/v1/cabinet/keys/{id}/operations/{op}/signature.p7s": {"get"},
	} {
		cabinetPaths[path] = methods
	}
}
