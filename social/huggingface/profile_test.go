package huggingface

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// fullProfile is shaped like the userinfo answer Hugging Face documents
// (OpenID Connect fields plus isPro, canPay and orgs), with the openid,
// profile and email scopes granted.
const fullProfile = `{
  "sub": "62f1c2a3b4d5e6f708192a3b",
  "name": "Jane Doe",
  "preferred_username": "janedoe",
  "profile": "https://huggingface.co/janedoe",
  "picture": "https://cdn-avatars.huggingface.co/v1/production/uploads/62f1c2a3/avatar.png",
  "website": "https://jane.example.com",
  "email": "jane@example.com",
  "email_verified": true,
  "isPro": false,
  "canPay": true,
  "orgs": [
    {"sub": "6300aa00bb11cc22dd33ee44", "name": "Acme AI", "preferred_username": "acme", "picture": "https://cdn-avatars.huggingface.co/acme.png", "isEnterprise": true, "roleInOrg": "admin"}
  ]
}`

func TestMapProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want connector.UserInfo // Raw is checked separately
	}{
		{
			name: "full profile",
			body: fullProfile,
			want: connector.UserInfo{ID: "62f1c2a3b4d5e6f708192a3b", Name: "Jane Doe",
				Avatar: "https://cdn-avatars.huggingface.co/v1/production/uploads/62f1c2a3/avatar.png",
				Email:  "jane@example.com", EmailVerified: true},
		},
		{
			name: "profile scope only: no email",
			body: `{"sub": "u1", "name": "Jane Doe", "preferred_username": "janedoe", "picture": "https://cdn/a.png", "profile": "https://huggingface.co/janedoe", "isPro": true}`,
			want: connector.UserInfo{ID: "u1", Name: "Jane Doe", Avatar: "https://cdn/a.png"},
		},
		{
			name: "email without email_verified",
			body: `{"sub": "u1", "name": "Jane", "email": "jane@example.com"}`,
			want: connector.UserInfo{ID: "u1", Name: "Jane", Email: "jane@example.com"},
		},
		{
			name: "email_verified false",
			body: `{"sub": "u1", "email": "jane@example.com", "email_verified": false}`,
			want: connector.UserInfo{ID: "u1", Email: "jane@example.com"},
		},
		{
			name: "email_verified null",
			body: `{"sub": "u1", "email": "jane@example.com", "email_verified": null}`,
			want: connector.UserInfo{ID: "u1", Email: "jane@example.com"},
		},
		{
			name: "email_verified without email",
			body: `{"sub": "u1", "email_verified": true}`,
			want: connector.UserInfo{ID: "u1"},
		},
		{
			name: "name falls back to preferred_username",
			body: `{"sub": "u1", "preferred_username": "janedoe"}`,
			want: connector.UserInfo{ID: "u1", Name: "janedoe"},
		},
		{
			name: "empty name falls back to preferred_username",
			body: `{"sub": "u1", "name": "  ", "preferred_username": "janedoe"}`,
			want: connector.UserInfo{ID: "u1", Name: "janedoe"},
		},
		{
			name: "null name falls back to preferred_username",
			body: `{"sub": "u1", "name": null, "preferred_username": "janedoe"}`,
			want: connector.UserInfo{ID: "u1", Name: "janedoe"},
		},
		{
			name: "sub alone",
			body: `{"sub": "u1"}`,
			want: connector.UserInfo{ID: "u1"},
		},
		{
			name: "unknown fields of any type are ignored",
			body: `{"sub": "u1", "isPro": "yes", "orgs": {}, "website": 7}`,
			want: connector.UserInfo{ID: "u1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mapProfile([]byte(tt.body))
			if err != nil {
				t.Fatalf("mapProfile: %v", err)
			}
			if string(got.Raw) != tt.body {
				t.Errorf("Raw = %s, want the body as received", got.Raw)
			}
			got.Raw = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("mapProfile =\n %+v\nwant\n %+v", *got, tt.want)
			}
		})
	}
}

func TestMapProfileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       string // in the message
	}{
		{"not JSON", `<html>sign in</html>`, "not valid JSON"},
		{"truncated", `{"sub": "u1", "name": "Ja`, "not valid JSON"},
		{"empty", ``, "not valid JSON"},
		{"array", `[{"sub": "u1"}]`, "must be a JSON object, got a JSON array"},
		{"null", `null`, "has no sub"},
		{"without sub", `{"name": "Jane", "preferred_username": "janedoe", "email": "jane@example.com", "email_verified": true}`, "has no sub"},
		{"empty sub", `{"sub": ""}`, "has no sub"},
		{"blank sub", `{"sub": "   "}`, "white space"},
		{"null sub", `{"sub": null}`, "has no sub"},
		{"sub with NUL", `{"sub": "u\u00001"}`, "contains control"},
		{"sub with newline", `{"sub": "u1\nadmin"}`, "contains control"},
		{"huge sub", `{"sub": "` + strings.Repeat("a", 256) + `"}`, "longer than 255 bytes"},
		{"numeric sub", `{"sub": 12345}`, "sub must be a string, got a JSON number"},
		{"object sub", `{"sub": {"id": "u1"}}`, "sub must be a string, got a JSON object"},
		{"email number", `{"sub": "u1", "email": 1}`, "email must be a string"},
		{"email_verified string", `{"sub": "u1", "email": "a@b.c", "email_verified": "true"}`, "email_verified must be a boolean, got a JSON string"},
		{"name array", `{"sub": "u1", "name": ["Jane"]}`, "name must be a string, got a JSON array"},
		{"picture object", `{"sub": "u1", "picture": {}}`, "picture must be a string"},
		{"preferred_username bool", `{"sub": "u1", "preferred_username": true}`, "preferred_username must be a string, got a JSON bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mapProfile([]byte(tt.body))
			if err == nil {
				t.Fatalf("mapProfile = %+v, want an error", got)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *connector.Error", err)
			}
			if ce.Code != connector.CodeInvalidResponse || ce.Step != connector.StepUserInfo {
				t.Errorf("code, step = %s, %s; want invalid_response, userinfo", ce.Code, ce.Step)
			}
			if !strings.Contains(ce.Message, tt.want) {
				t.Errorf("message %q does not contain %q", ce.Message, tt.want)
			}
		})
	}
}

func TestNormalizeScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: ""},
		{in: "profile", want: "profile"},
		{in: "openid profile email", want: "openid profile email"},
		{in: "  openid\tprofile\nemail  ", want: "openid profile email"},
		{in: "openid,profile, email", want: "openid profile email"},
		{in: "profile profile", want: "profile"},
		{in: "read-repos write-repos manage-repos inference-api", want: "read-repos write-repos manage-repos inference-api"},
		{in: `profile "email"`, wantErr: true},
		{in: `a\b`, wantErr: true},
		{in: "프로필", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := spec.Scope.Normalize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("normalizeScope(%q) error = %v, wantErr %t", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("normalizeScope(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzMapProfile(f *testing.F) {
	for _, s := range []string{fullProfile, `{"sub":"u1"}`, `{"sub":1}`, `[]`, `{"sub":"u1","email":"a","email_verified":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := mapProfile(body)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse {
				t.Fatalf("error %v is not an invalid_response *connector.Error", err)
			}
			return
		}
		if strings.TrimSpace(info.ID) == "" {
			t.Fatal("empty ID")
		}
		if info.EmailVerified && info.Email == "" {
			t.Fatal("EmailVerified without an email")
		}
	})
}

func BenchmarkMapProfile(b *testing.B) {
	body := []byte(fullProfile)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mapProfile(body); err != nil {
			b.Fatal(err)
		}
	}
}
