//go:build tools

// promtool, Prometheus' own checker of rules and configuration, built from the module pinned in go.mod
// (Prometheus v3.5.0 is the Go module version v0.305.0; its go.mod's replace directive is repeated there,
// since `go install pkg@version` refuses a module with replace directives).
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
