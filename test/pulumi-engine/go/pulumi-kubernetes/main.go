// Command pulumi-resource-kubernetes serves the Kubernetes provider of the module
// required in go.mod. The schema and Terraform mapping are generated next to this
// file by test/pulumi-engine/build.ts from the provider module's own files.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
