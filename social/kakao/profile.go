package kakao

import (
	"encoding/json"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/oauthflow"
	"github.com/connectorkit/connector/internal/userid"
)

// userMe is the part of Kakao's GET /v2/user/me answer the mapping reads.
// Every other field stays in [connector.UserInfo.Raw].
type userMe struct {
	// ID is kept as its JSON text: a 64-bit integer must not pass through
	// float64 (userid.PositiveInt64 reads it).
	ID           jsontext.Value `json:"id"`
	KakaoAccount *kakaoAccount  `json:"kakao_account"`
}

type kakaoAccount struct {
	Profile         *kakaoProfile `json:"profile"`
	Email           string        `json:"email"`
	IsEmailValid    bool          `json:"is_email_valid"`
	IsEmailVerified bool          `json:"is_email_verified"`
	PhoneNumber     string        `json:"phone_number"`
}

type kakaoProfile struct {
	Nickname        string `json:"nickname"`
	ProfileImageURL string `json:"profile_image_url"`
	IsDefaultImage  bool   `json:"is_default_image"`
}

// mapProfile turns the body of GET /v2/user/me into user info:
//
//   - ID: the exact decimal string of id (a JSON number, or a string of
//     digits, never read through float64);
//   - Name: kakao_account.profile.nickname;
//   - Avatar: kakao_account.profile.profile_image_url, unless
//     is_default_image is true;
//   - Email: kakao_account.email only when is_email_valid is true;
//     EmailVerified only when is_email_verified is true as well;
//   - Phone: kakao_account.phone_number in E.164 (normalize turns
//     "+82 10-1234-5678" into "+821012345678"); a number that cannot be
//     normalised is left out (it stays in Raw).
//
// Raw is body itself. A body that is not a JSON object, a missing or
// malformed id, or a used field of the wrong JSON type is an
// invalid_response [*connector.Error] naming the field.
func mapProfile(body []byte, normalize func(string) (string, error)) (*connector.UserInfo, error) {
	var u userMe
	// Exact member names, duplicates refused: encoding/json would fill
	// "sub" from "SUB" and keep the last of two "id"s.
	if err := jsonx.Unmarshal(body, &u); err != nil {
		return nil, oauthflow.ProfileError("userinfo " + err.Error())
	}
	// The exact ID: Kakao's IDs are 64-bit integers, never read through a
	// float64.
	id, err := userid.PositiveInt64(u.ID)
	if err != nil {
		return nil, oauthflow.ProfileError("userinfo id " + err.Error())
	}
	info := &connector.UserInfo{ID: id, Raw: json.RawMessage(body)} // body is the engine's own copy: no clone
	acc := u.KakaoAccount
	if acc == nil {
		return info, nil
	}
	if p := acc.Profile; p != nil {
		info.Name = strings.TrimSpace(p.Nickname)
		if !p.IsDefaultImage {
			info.Avatar = strings.TrimSpace(p.ProfileImageURL)
		}
	}
	if email := strings.TrimSpace(acc.Email); email != "" && acc.IsEmailValid {
		info.Email = email
		info.EmailVerified = acc.IsEmailVerified
	}
	if raw := strings.TrimSpace(acc.PhoneNumber); raw != "" && normalize != nil {
		if e164, err := normalize(raw); err == nil {
			info.Phone = e164
		}
	}
	return info, nil
}
