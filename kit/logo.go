package kit

import "encoding/base64"

// SVGLogo returns an SVG image as the data URI a connector's
// [connector.Metadata] Logo holds ("data:image/svg+xml;base64,...").
func SVGLogo(svg []byte) string {
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)
}
