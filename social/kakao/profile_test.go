package kakao

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/phone"
)

// fullProfile is shaped like the example answer of Kakao's "Retrieve user
// information" API documentation, every consent item given.
const fullProfile = `{
  "id": 1234567890,
  "connected_at": "2022-04-11T01:45:28Z",
  "properties": {"nickname": "홍길동"},
  "kakao_account": {
    "profile_nickname_needs_agreement": false,
    "profile_image_needs_agreement": false,
    "profile": {
      "nickname": "홍길동",
      "thumbnail_image_url": "https://k.kakaocdn.net/dn/abc/img_110x110.jpg",
      "profile_image_url": "https://k.kakaocdn.net/dn/abc/img_640x640.jpg",
      "is_default_image": false,
      "is_default_nickname": false
    },
    "name_needs_agreement": false,
    "name": "홍길동",
    "email_needs_agreement": false,
    "is_email_valid": true,
    "is_email_verified": true,
    "email": "gildong@kakao.com",
    "age_range_needs_agreement": false,
    "age_range": "20~29",
    "birthday_needs_agreement": false,
    "birthday": "1130",
    "birthday_type": "SOLAR",
    "gender_needs_agreement": false,
    "gender": "female",
    "phone_number_needs_agreement": false,
    "phone_number": "+82 10-1234-5678"
  },
  "for_partner": {"uuid": "abc-uuid"}
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
			want: connector.UserInfo{ID: "1234567890", Name: "홍길동", Avatar: "https://k.kakaocdn.net/dn/abc/img_640x640.jpg",
				Email: "gildong@kakao.com", EmailVerified: true, Phone: "+821012345678"},
		},
		{
			name: "no email consent",
			body: `{"id": 42, "kakao_account": {"profile": {"nickname": "Ryan"}, "email_needs_agreement": true}}`,
			want: connector.UserInfo{ID: "42", Name: "Ryan"},
		},
		{
			name: "valid but unverified email",
			body: `{"id": 42, "kakao_account": {"email": "ryan@example.com", "is_email_valid": true, "is_email_verified": false}}`,
			want: connector.UserInfo{ID: "42", Email: "ryan@example.com"},
		},
		{
			name: "email present but is_email_valid false",
			body: `{"id": 42, "kakao_account": {"email": "old@example.com", "is_email_valid": false, "is_email_verified": true}}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "email present without is_email_valid",
			body: `{"id": 42, "kakao_account": {"email": "old@example.com", "is_email_verified": true}}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "default image",
			body: `{"id": 42, "kakao_account": {"profile": {"nickname": "Ryan", "profile_image_url": "https://k.kakaocdn.net/dn/default.jpg", "is_default_image": true}}}`,
			want: connector.UserInfo{ID: "42", Name: "Ryan"},
		},
		{
			name: "huge ID",
			body: `{"id": 9223372036854775807}`,
			want: connector.UserInfo{ID: "9223372036854775807"},
		},
		{
			name: "ID above 2^53 keeps every digit",
			body: `{"id": 9007199254740993}`,
			want: connector.UserInfo{ID: "9007199254740993"},
		},
		{
			name: "ID as a string",
			body: `{"id": "9007199254740993"}`,
			want: connector.UserInfo{ID: "9007199254740993"},
		},
		{
			name: "ID as a string with leading zeros maps like the number",
			body: `{"id": "00042"}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "no kakao_account",
			body: `{"id": 42, "connected_at": "2022-04-11T01:45:28Z"}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "kakao_account null",
			body: `{"id": 42, "kakao_account": null}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "profile without image",
			body: `{"id": 42, "kakao_account": {"profile": {"nickname": "  Ryan  "}}}`,
			want: connector.UserInfo{ID: "42", Name: "Ryan"},
		},
		{
			name: "empty strings are absent",
			body: `{"id": 42, "kakao_account": {"profile": {"nickname": "", "profile_image_url": ""}, "email": " ", "is_email_valid": true, "phone_number": ""}}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "phone number in E.164 already",
			body: `{"id": 42, "kakao_account": {"phone_number": "+821012345678"}}`,
			want: connector.UserInfo{ID: "42", Phone: "+821012345678"},
		},
		{
			name: "phone number with national prefix",
			body: `{"id": 42, "kakao_account": {"phone_number": "+82 010-1234-5678"}}`,
			want: connector.UserInfo{ID: "42", Phone: "+821012345678"},
		},
		{
			name: "phone number that cannot be normalised is left out",
			body: `{"id": 42, "kakao_account": {"phone_number": "call me maybe"}}`,
			want: connector.UserInfo{ID: "42"},
		},
		{
			name: "unknown and null fields are ignored",
			body: `{"id": 42, "has_signed_up": true, "synched_at": null, "kakao_account": {"profile": null, "gender": 7}}`,
			want: connector.UserInfo{ID: "42"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mapProfile([]byte(tt.body), phone.ToE164)
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

// Raw is the body itself, not a copy: the engine hands mapProfile its own
// freshly read buffer, which nothing else holds.
func TestMapProfileRawIsTheBody(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id": 42}`)
	got, err := mapProfile(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Raw) != len(body) || &got.Raw[0] != &body[0] {
		t.Errorf("Raw is a copy of the body")
	}
}

func TestMapProfileWithoutNormalizer(t *testing.T) {
	t.Parallel()
	got, err := mapProfile([]byte(`{"id": 42, "kakao_account": {"phone_number": "+82 10-1234-5678"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "" {
		t.Errorf("Phone = %q without a normalizer, want empty", got.Phone)
	}
}

func TestMapProfileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       string // in the message
	}{
		{"not JSON", `<html>oops</html>`, "not valid JSON"},
		{"truncated JSON", `{"id": 42, "kakao_account": {`, "not valid JSON"},
		{"empty body", ``, "not valid JSON"},
		{"array", `[{"id": 42}]`, "must be a JSON object, got a JSON array"},
		{"string", `"42"`, "must be a JSON object, got a JSON string"},
		{"null", `null`, `id is missing`},
		{"no id", `{"kakao_account": {"email": "a@b.c", "is_email_valid": true}}`, `id is missing`},
		{"id null", `{"id": null}`, `id is missing`},
		{"id fraction", `{"id": 1.5}`, `positive integer, got "1.5"`},
		{"id exponent", `{"id": 1e5}`, `positive integer, got "1e5"`},
		{"id negative", `{"id": -42}`, "positive integer"},
		{"id zero", `{"id": 0}`, "positive integer, got 0"},
		{"id above int64", `{"id": 9223372036854775808}`, "larger than a 64-bit integer"},
		{"id with many digits", `{"id": 123456789012345678901234567890}`, "more digits"},
		{"id boolean", `{"id": true}`, "positive integer, got a JSON boolean"},
		{"id object", `{"id": {"value": 42}}`, "positive integer, got a JSON object"},
		{"id array", `{"id": [42]}`, "positive integer, got a JSON array"},
		{"id empty string", `{"id": ""}`, `id is empty`},
		{"id blank string", `{"id": "  "}`, "id is empty"},
		{"id non-digit string", `{"id": "abc"}`, `positive integer, got "abc"`},
		{"id signed string", `{"id": "+42"}`, "positive integer"},
		{"kakao_account string", `{"id": 42, "kakao_account": "yes"}`, "kakao_account must be a JSON object, got a JSON string"},
		{"nickname number", `{"id": 42, "kakao_account": {"profile": {"nickname": 7}}}`, "kakao_account.profile.nickname must be a string, got a JSON number"},
		{"profile array", `{"id": 42, "kakao_account": {"profile": []}}`, "kakao_account.profile must be a JSON object"},
		{"is_email_valid string", `{"id": 42, "kakao_account": {"email": "a@b.c", "is_email_valid": "true"}}`, "kakao_account.is_email_valid must be a boolean, got a JSON string"},
		{"email object", `{"id": 42, "kakao_account": {"email": {}}}`, "kakao_account.email must be a string, got a JSON object"},
		{"is_default_image number", `{"id": 42, "kakao_account": {"profile": {"is_default_image": 1}}}`, "kakao_account.profile.is_default_image must be a boolean"},
		{"phone number", `{"id": 42, "kakao_account": {"phone_number": 821012345678}}`, "kakao_account.phone_number must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mapProfile([]byte(tt.body), phone.ToE164)
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

func TestExactIDNeverUsesFloat(t *testing.T) {
	t.Parallel()
	// Every integer between 2^53 and 2^53+16 must come out exactly; through
	// float64 the odd ones would collapse onto their even neighbours.
	for n := int64(1) << 53; n < 1<<53+16; n++ {
		raw, _ := json.Marshal(n)
		info, err := mapProfile([]byte(`{"id":`+string(raw)+`}`), nil)
		if err != nil {
			t.Fatalf("id %s: %v", raw, err)
		}
		if string(raw) != info.ID {
			t.Errorf("id %s became %s", raw, info.ID)
		}
	}
}

func TestExactIDLongString(t *testing.T) {
	t.Parallel()
	if _, err := mapProfile([]byte(`{"id":"`+strings.Repeat("x", 1000)+`"}`), nil); err == nil || len(err.Error()) > 150 {
		t.Errorf("the error for a long id = %v, want a short error", err)
	}
}

func TestNormalizeScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: ""},
		{in: "profile_nickname", want: "profile_nickname"},
		{in: "profile_nickname,profile_image,account_email", want: "profile_nickname,profile_image,account_email"},
		{in: " profile_nickname , account_email ", want: "profile_nickname,account_email"},
		{in: "profile_nickname account_email\topenid", want: "profile_nickname,account_email,openid"},
		{in: "a,,b,", want: "a,b"},
		{in: "a,b,a", want: "a,b"},
		{in: ",", want: ""},
		{in: "talk_message,friends,plusfriends", want: "talk_message,friends,plusfriends"},
		{in: "account_email;gender", wantErr: true},
		{in: "scope=x", wantErr: true},
		{in: "이메일", wantErr: true},
		{in: "a&b", wantErr: true},
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
	for _, s := range []string{
		fullProfile, `{"id": 9223372036854775807}`, `{"id": "42"}`, `{"id": 1.5}`, `[]`, `{"id": 42, "kakao_account": {"profile": {}}}`,
		`{"id": 42, "kakao_account": {"phone_number": "+82 10-1234-5678"}}`, `{"id":"\u0031"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := mapProfile(body, phone.ToE164)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse {
				t.Fatalf("error %v is not an invalid_response *connector.Error", err)
			}
			return
		}
		if info.ID == "" || strings.Trim(info.ID, "0123456789") != "" || info.ID[0] == '0' {
			t.Fatalf("ID %q is not a positive decimal integer", info.ID)
		}
		if info.EmailVerified && info.Email == "" {
			t.Fatal("EmailVerified without an email")
		}
		if info.Phone != "" && info.Phone[0] != '+' {
			t.Fatalf("Phone %q is not E.164", info.Phone)
		}
	})
}

func BenchmarkMapProfile(b *testing.B) {
	body := []byte(fullProfile)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mapProfile(body, phone.ToE164); err != nil {
			b.Fatal(err)
		}
	}
}
