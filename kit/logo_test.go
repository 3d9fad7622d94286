package kit_test

import (
	"fmt"

	"github.com/connectorkit/connector/kit"
)

func ExampleSVGLogo() {
	fmt.Println(kit.SVGLogo([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)))
	// Output: data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=
}
