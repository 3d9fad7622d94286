package profilemap

import (
	"errors"
	"testing"

	"github.com/connectorkit/connector"
)

// FuzzApply maps arbitrary documents with arbitrary paths: it must never
// panic, every failure must be a typed error, and a success must have an ID.
func FuzzApply(f *testing.F) {
	for _, doc := range []string{githubUser, discordUser, googleUser, gitlabUser, graphQLUser, kakaoUser, msGraphUser,
		`{"id":true}`, `{"id":1e999}`, `[`, `{"a":{"b":[{"c":"d"}]}}`, "{\"id\":\"\\u00e9\\ud83d\"}"} {
		f.Add([]byte(doc), "id", "email")
	}
	f.Add([]byte(graphQLUser), "data.viewer.id", "data.viewer.emails.#(primary==true).value")
	f.Add([]byte(graphQLUser), "data.viewer.id", "data.viewer.phones[0].number")
	f.Add([]byte(`{"a":[1,2,3]}`), "a.#", "a|@reverse")
	f.Fuzz(func(t *testing.T, doc []byte, idPath, emailPath string) {
		m, err := Compile(Map{ID: idPath, Email: emailPath, EmailVerified: emailPath})
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) == 0 {
				t.Fatalf("bad compile error %v", err)
			}
			return
		}
		info, err := m.Apply(doc)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse || ce.Message == "" {
				t.Fatalf("bad apply error %v", err)
			}
			return
		}
		if info.ID == "" {
			t.Fatal("success without an ID")
		}
		if info.EmailVerified && info.Email == "" {
			t.Fatal("verified without an email")
		}
	})
}
