package huggingface

import (
	"encoding/json"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/oauthflow"
)

// userInfo is the part of Hugging Face's GET /oauth/userinfo answer the
// mapping reads. Every other field (profile, website, isPro, orgs...) stays
// in [connector.UserInfo.Raw].
type userInfo struct {
	Sub               string `json:"sub"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	Picture           string `json:"picture"`
	Email             string `json:"email"`
	EmailVerified     *bool  `json:"email_verified"`
}

// mapProfile turns the body of GET /oauth/userinfo into user info:
//
//   - ID: sub (required; it survives renames, unlike the username; at
//     most 255 bytes, without control characters);
//   - Name: name, else preferred_username;
//   - Avatar: picture;
//   - Email: email; EmailVerified only when email_verified is the JSON
//     boolean true (missing, null or false all mean not verified).
//
// Raw is body itself. A body that is not a JSON object, a missing sub, or a
// used field of the wrong JSON type is an invalid_response
// [*connector.Error] naming the field.
func mapProfile(body []byte) (*connector.UserInfo, error) {
	var u userInfo
	// Exact member names, duplicates refused: encoding/json would fill
	// "sub" from "SUB" and keep the last of two "id"s.
	if err := jsonx.Unmarshal(body, &u); err != nil {
		return nil, oauthflow.ProfileError("userinfo " + err.Error())
	}
	// The sub is the ID as sent: trimming it would make " u1" and "u1" one
	// user. The engine refuses odd IDs (oauthflow.CheckUserID).
	id := u.Sub
	if id == "" {
		return nil, oauthflow.ProfileError("userinfo has no sub (the user ID): is the profile scope granted?")
	}
	if err := oauthflow.CheckUserID(id); err != nil {
		return nil, err
	}
	info := &connector.UserInfo{
		ID:     id,
		Name:   strings.TrimSpace(u.Name),
		Avatar: strings.TrimSpace(u.Picture),
		Raw:    json.RawMessage(body), // the engine's own copy of the answer: no clone
	}
	if info.Name == "" {
		info.Name = strings.TrimSpace(u.PreferredUsername)
	}
	if email := strings.TrimSpace(u.Email); email != "" {
		info.Email = email
		info.EmailVerified = u.EmailVerified != nil && *u.EmailVerified
	}
	return info, nil
}
