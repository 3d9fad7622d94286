package profilemap

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// Userinfo documents in the shapes the providers document.
const (
	githubUser = `{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://avatars.githubusercontent.com/u/583231?v=4",
		"type":"User","site_admin":false,"name":"The Octocat","company":"@github","blog":"https://github.blog","email":null,"bio":null}`
	discordUser = `{"id":"80351110224678912","username":"nelly","discriminator":"0","global_name":"Nelly","avatar":"8342729096ea3675442027381ff50dfe",
		"verified":true,"email":"nelly@discord.com","flags":64,"banner":null,"accent_color":16711680,"premium_type":1,"public_flags":64,"mfa_enabled":false}`
	googleUser = `{"sub":"110169484474386276334","name":"Jane Doe","given_name":"Jane","family_name":"Doe",
		"picture":"https://lh3.googleusercontent.com/a/photo.jpg","email":"jane.doe@gmail.com","email_verified":true,"locale":"en"}`
	gitlabUser = `{"id":1,"username":"john_smith","name":"John Smith","state":"active","avatar_url":"https://gitlab.example.com/uploads/user/avatar/1/index.jpg",
		"web_url":"https://gitlab.example.com/john_smith","email":"john@example.com","confirmed_at":"2012-05-23T09:05:22Z","two_factor_enabled":true}`
	graphQLUser = `{"data":{"viewer":{"id":"VXNlcjoxMjM=","login":"ada","profile":{"displayName":"Ada Lovelace","avatar":{"url":"https://cdn.example.com/ada.png"}},
		"emails":[{"value":"old@example.com","primary":false,"verified":false},{"value":"ada@example.com","primary":true,"verified":true}],
		"phones":[{"number":"+14155550100","verified":"true"}]}}}`
	kakaoUser = `{"id":9223372036854775807,"connected_at":"2022-04-11T01:45:28Z","kakao_account":{"profile":{"nickname":"홍길동",
		"profile_image_url":"http://k.kakaocdn.net/img_640x640.jpg","is_default_image":false},"email":"sample@sample.com","is_email_valid":true,
		"is_email_verified":true,"phone_number":"+82 10-1234-5678"}}`
	msGraphUser = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd",
		"displayName":"Megan Bowen","mail":"MeganB@contoso.example","mobilePhone":null,"userPrincipalName":"MeganB@contoso.example"}`
)

func TestApplyRealProviders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    Map
		doc  string
		want connector.UserInfo
	}{
		{
			name: "GitHub (numeric id, null email)",
			m:    Map{Avatar: "avatar_url"},
			doc:  githubUser,
			want: connector.UserInfo{ID: "583231", Name: "The Octocat", Avatar: "https://avatars.githubusercontent.com/u/583231?v=4"},
		},
		{
			name: "Discord (snowflake string id, verified flag)",
			m:    Map{Name: "global_name", EmailVerified: "verified"},
			doc:  discordUser,
			want: connector.UserInfo{ID: "80351110224678912", Name: "Nelly", Email: "nelly@discord.com", EmailVerified: true, Avatar: "8342729096ea3675442027381ff50dfe"},
		},
		{
			name: "Google (OpenID Connect claims)",
			m:    Map{ID: "sub", Avatar: "picture", EmailVerified: "email_verified"},
			doc:  googleUser,
			want: connector.UserInfo{ID: "110169484474386276334", Name: "Jane Doe", Email: "jane.doe@gmail.com", EmailVerified: true, Avatar: "https://lh3.googleusercontent.com/a/photo.jpg"},
		},
		{
			name: "GitLab (email without a verified flag is not verified)",
			m:    Map{Avatar: "avatar_url"},
			doc:  gitlabUser,
			want: connector.UserInfo{ID: "1", Name: "John Smith", Email: "john@example.com", Avatar: "https://gitlab.example.com/uploads/user/avatar/1/index.jpg"},
		},
		{
			name: "nested GraphQL body, Logto's dotted paths and index",
			m: Map{ID: "data.viewer.id", Name: "data.viewer.profile.displayName", Avatar: "data.viewer.profile.avatar.url",
				Email: "data.viewer.emails.1.value", EmailVerified: "data.viewer.emails.1.verified", Phone: "data.viewer.phones[0].number",
				PhoneVerified: "data.viewer.phones[0].verified"},
			doc: graphQLUser,
			want: connector.UserInfo{ID: "VXNlcjoxMjM=", Name: "Ada Lovelace", Avatar: "https://cdn.example.com/ada.png", Email: "ada@example.com",
				EmailVerified: true, Phone: "+14155550100", PhoneVerified: true},
		},
		{
			name: "nested GraphQL body, first match query",
			m: Map{ID: "data.viewer.id", Name: "data.viewer.login", Email: "data.viewer.emails.#(primary==true).value",
				EmailVerified: "data.viewer.emails.#(primary==true).verified"},
			doc:  graphQLUser,
			want: connector.UserInfo{ID: "VXNlcjoxMjM=", Name: "ada", Email: "ada@example.com", EmailVerified: true},
		},
		{
			name: "Kakao (2^63-1 id survives exactly)",
			m: Map{Name: "kakao_account.profile.nickname", Avatar: "kakao_account.profile.profile_image_url", Email: "kakao_account.email",
				EmailVerified: "kakao_account.is_email_verified", Phone: "kakao_account.phone_number"},
			doc: kakaoUser,
			want: connector.UserInfo{ID: "9223372036854775807", Name: "홍길동", Avatar: "http://k.kakaocdn.net/img_640x640.jpg", Email: "sample@sample.com",
				EmailVerified: true, Phone: "+82 10-1234-5678"},
		},
		{
			name: "Microsoft Graph (null phone)",
			m:    Map{Name: "displayName", Email: "mail", Phone: "mobilePhone"},
			doc:  msGraphUser,
			want: connector.UserInfo{ID: "87d349ed-44d7-43e1-9a83-5f2406dee5bd", Name: "Megan Bowen", Email: "MeganB@contoso.example"},
		},
		{
			name: "escaped key with a dot",
			m:    Map{ID: `@odata\.context`},
			doc:  msGraphUser,
			want: connector.UserInfo{ID: "https://graph.microsoft.com/v1.0/$metadata#users/$entity"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Compile(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Apply([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != tt.doc {
				t.Error("Raw is not the document")
			}
			got.Raw = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestApplyExactIDs(t *testing.T) {
	t.Parallel()
	m, _ := Compile(Map{})
	for _, id := range []string{"9223372036854775807", "18446744073709551615", "123456789012345678901234567890", "-42", "0", "9007199254740993"} {
		info, err := m.Apply([]byte(`{"id":` + id + `}`))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if info.ID != id {
			t.Errorf("id %s became %s", id, info.ID)
		}
	}
}

func TestApplyBadDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    Map
		doc  string
		msg  []string // substrings of the message
	}{
		{"missing id", Map{}, `{"name":"x"}`, []string{`no id at path "id"`}},
		{"missing mapped id", Map{ID: "data.user.id"}, `{"data":{"user":{}}}`, []string{`no id at path "data.user.id"`}},
		{"null id", Map{}, `{"id":null}`, []string{"no id"}},
		{"empty id", Map{}, `{"id":""}`, []string{"no id"}},
		{"bool id", Map{}, `{"id":true}`, []string{`id at path "id"`, "string or an integer", "boolean"}},
		{"float id", Map{}, `{"id":1.5}`, []string{"string or an integer", "1.5"}},
		{"exponent id", Map{}, `{"id":1e3}`, []string{"string or an integer"}},
		{"object id", Map{}, `{"id":{"v":1}}`, []string{"an object"}},
		{"array id", Map{}, `{"id":[1]}`, []string{"an array"}},
		{"numeric email", Map{}, `{"id":"1","email":42}`, []string{`path "email"`, "must be a string", "a number (42)"}},
		{"name array", Map{Name: "names"}, `{"id":"1","names":["a"]}`, []string{`path "names"`, "an array"}},
		{"avatar object", Map{}, `{"id":"1","avatar":{"url":"x"}}`, []string{`path "avatar"`, "an object"}},
		{"phone bool", Map{}, `{"id":"1","phone":false}`, []string{`path "phone"`, "a boolean"}},
		{"verified number", Map{EmailVerified: "v"}, `{"id":"1","email":"a@b","v":1}`, []string{`path "v"`, "must be a boolean"}},
		{"verified odd string", Map{EmailVerified: "v"}, `{"id":"1","email":"a@b","v":"yes"}`, []string{`"yes"`, "must be a boolean"}},
		{"phone verified object", Map{PhoneVerified: "pv"}, `{"id":"1","pv":{}}`, []string{`path "pv"`}},
		{"array document", Map{}, `[{"id":1}]`, []string{"not a JSON object"}},
		{"truncated", Map{}, `{"id":1,`, []string{"truncated"}},
		{"HTML", Map{}, `<html></html>`, []string{"not a JSON object"}},
		{"empty", Map{}, ``, []string{"is empty"}},
		{"too deep", Map{}, `{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, []string{"nested more than 512 levels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Compile(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Apply([]byte(tt.doc))
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse || ce.Step != connector.StepUserInfo {
				t.Fatalf("got %v, want invalid_response at userinfo", err)
			}
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Error("errors.Is(ErrInvalidResponse) fails")
			}
			for _, s := range tt.msg {
				if !strings.Contains(ce.Message, s) {
					t.Errorf("message %q lacks %q", ce.Message, s)
				}
			}
		})
	}
}

func TestApplyAbsentAndVerifiedRules(t *testing.T) {
	t.Parallel()
	m, _ := Compile(Map{EmailVerified: "ev", PhoneVerified: "pv"})
	tests := []struct {
		doc  string
		want connector.UserInfo
	}{
		{`{"id":"1","email":"","ev":true}`, connector.UserInfo{ID: "1"}},
		{`{"id":"1","email":"a@b","ev":"TRUE"}`, connector.UserInfo{ID: "1", Email: "a@b", EmailVerified: true}},
		{`{"id":"1","email":"a@b","ev":"false"}`, connector.UserInfo{ID: "1", Email: "a@b"}},
		{`{"id":"1","email":"a@b","ev":""}`, connector.UserInfo{ID: "1", Email: "a@b"}},
		{`{"id":"1","email":"a@b","ev":null}`, connector.UserInfo{ID: "1", Email: "a@b"}},
		{`{"id":"1","email":"a@b"}`, connector.UserInfo{ID: "1", Email: "a@b"}},
		{`{"id":"1","phone":"+1","pv":true}`, connector.UserInfo{ID: "1", Phone: "+1", PhoneVerified: true}},
		{`{"id":"1","pv":true}`, connector.UserInfo{ID: "1"}},
		{` {"id":"x","name":null,"avatar":null} `, connector.UserInfo{ID: "x"}},
	}
	for _, tt := range tests {
		got, err := m.Apply([]byte(tt.doc))
		if err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		got.Raw = nil
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.doc, *got, tt.want)
		}
	}
}

func TestCompileRejectsBadPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    Map
		key  string
		msg  string
	}{
		{"spaces only", Map{ID: "  "}, "profileMap.id", "non-empty"},
		{"leading space", Map{Email: " email"}, "profileMap.email", "spaces"},
		{"empty segment", Map{Name: "a..b"}, "profileMap.name", "empty segment"},
		{"leading dot", Map{Name: ".a"}, "profileMap.name", "empty segment"},
		{"trailing dot", Map{Avatar: "a."}, "profileMap.avatar", "empty segment"},
		{"unclosed bracket", Map{Phone: "a[0"}, "profileMap.phone", "unclosed '['"},
		{"bad index", Map{Phone: "a[x].b"}, "profileMap.phone", "bad array index"},
		{"empty index", Map{Phone: "a[]"}, "profileMap.phone", "bad array index"},
		{"stray bracket", Map{Phone: "a]"}, "profileMap.phone", "unbalanced ']'"},
		{"unclosed paren", Map{EmailVerified: "a.#(x==1"}, "profileMap.emailVerified", "unclosed '('"},
		{"stray paren", Map{PhoneVerified: "a)"}, "profileMap.phoneVerified", "unbalanced ')'"},
		{"lone backslash", Map{ID: `a\`}, "profileMap.id", "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.m)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig {
				t.Fatalf("got %v, want invalid_config", err)
			}
			if len(ce.Fields) != 1 || ce.Fields[0].Path != tt.key || !strings.Contains(ce.Fields[0].Message, tt.msg) {
				t.Errorf("fields = %v, want %s: ...%s...", ce.Fields, tt.key, tt.msg)
			}
			// Check judges a decoded config, where an empty id is an error
			// of its own: give the map one.
			cm := tt.m
			if cm.ID == "" {
				cm.ID = "id"
			}
			if fe := cm.Check(); len(fe) != 1 || fe[0].Path != tt.key {
				t.Errorf("Check = %v", fe)
			}
		})
	}
	t.Run("every bad key at once", func(t *testing.T) {
		t.Parallel()
		fe := Map{ID: "a..b", Email: "[", Name: "ok"}.Check()
		if len(fe) != 2 {
			t.Errorf("Check = %v", fe)
		}
	})
	if fe := (Map{ID: "id"}).Check(); fe != nil {
		t.Errorf("empty optional paths fail: %v", fe)
	}
	if fe := (Map{}).Check(); len(fe) != 1 || fe[0].Path != "profileMap.id" || fe[0].Message != "must be a non-empty path" {
		t.Errorf("empty id: Check = %v", fe)
	}
}

// In a decoded config an empty path maps nothing (Logto's "phone": ""),
// where Compile would read the field's own name.
func TestCompileConfigEmptyPathMapsNothing(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"id":"1","email":{"v":"a@b"},"phone":42,"name":"Ada","avatar":"https://a/x.png","ok":true}`)
	m, err := CompileConfig(Map{ID: "id", Name: "name", Avatar: "avatar", EmailVerified: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Apply(doc)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "1" || info.Email != "" || info.EmailVerified || info.Phone != "" || info.Name != "Ada" || info.Avatar != "https://a/x.png" {
		t.Errorf("info = %+v", info)
	}
	if _, err := Compile(Map{ID: "id", Name: "name", Avatar: "avatar"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := Compile(Map{}); m.email.src != "email" || m.phone.src != "phone" {
		t.Errorf("Compile does not apply defaults: %s", m)
	}
	_, err = CompileConfig(Map{Email: "a["})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidConfig || len(ce.Fields) != 2 || ce.Fields[0].Path != "profileMap.id" {
		t.Errorf("CompileConfig(no id, bad email) = %v", err)
	}
}

func TestBracketPaths(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"emails[0].value": "emails.0.value",
		"[0].id":          "0.id",
		"a[1][2]":         "a.1.2",
		"a.[3]":           "a.3",
		`a\[0\]`:          `a\[0\]`,
		"a.#(b==1)":       "a.#(b==1)",
		"@odata\\.id":     `\@odata\.id`,
		"a.@b":            `a.\@b`,
		`a.#(b%"x*").c`:   `a.#(b%"x*").c`,
	}
	for in, want := range tests {
		p, err := compilePath(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if p.expr != want || p.String() != in {
			t.Errorf("%s -> %s, want %s", in, p.expr, want)
		}
	}
}

func TestMapperString(t *testing.T) {
	t.Parallel()
	m, _ := Compile(Map{ID: "sub", EmailVerified: "email_verified"})
	s := m.String()
	if !strings.Contains(s, `id:"sub"`) || !strings.Contains(s, `emailVerified:"email_verified"`) || !strings.Contains(s, `name:"name"`) {
		t.Errorf("String = %s", s)
	}
}
