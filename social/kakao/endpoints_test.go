package kakao

import (
	"errors"
	"testing"

	"github.com/connectorkit/connector"
)

// Typed endpoint overrides: the ones Kakao has are used, one it does not
// have is refused naming the option.
func TestWithEndpoints(t *testing.T) {
	t.Parallel()
	c, err := New(Config{ClientID: "id"}, connector.WithEndpoints(connector.Endpoints{Authorization: "https://kauth.eu.example/authorize"}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.AuthorizationURL(t.Context(), connector.AuthRequest{RedirectURI: "https://id.example.com/cb"})
	if err != nil || a.URL[:len("https://kauth.eu.example/authorize?")] != "https://kauth.eu.example/authorize?" {
		t.Errorf("override not used: %v %v", a, err)
	}
	_, err = New(Config{ClientID: "id"}, connector.WithEndpoints(connector.Endpoints{Keys: "https://kauth.kakao.com/keys"}))
	var ce *connector.Error
	if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Path != "(options).endpoint.keys" {
		t.Errorf("an endpoint Kakao does not have: %v", err)
	}
}
