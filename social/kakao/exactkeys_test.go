package kakao

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/phone"
)

// TestMapProfileExactNames: member names match exactly. encoding/json folds
// case, so an upper-case twin used to override the real member: a profile
// that said "not verified" came out verified.
func TestMapProfileExactNames(t *testing.T) {
	t.Parallel()
	body := `{"id":42,"kakao_account":{"email":"a@example.com","is_email_valid":true,
		"is_email_verified":false,"IS_EMAIL_VERIFIED":true,"Email":"admin@example.com",
		"profile":{"nickname":"A","NICKNAME":"Admin"}}}`
	info, err := mapProfile([]byte(body), phone.ToE164)
	if err != nil {
		t.Fatal(err)
	}
	if info.EmailVerified || info.Email != "a@example.com" || info.Name != "A" {
		t.Errorf("got %+v: a member was read through a case-folded name", info)
	}
}

// TestMapProfileDuplicateNames: a profile naming a member twice is refused,
// whichever member it is.
func TestMapProfileDuplicateNames(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":42,"id":1}`,
		`{"id":42,"kakao_account":{"email":"a@example.com","email":"b@example.com","is_email_valid":true}}`,
		`{"id":42,"kakao_account":{"is_email_verified":false,"is_email_verified":true}}`,
	} {
		_, err := mapProfile([]byte(body), phone.ToE164)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse || !strings.Contains(ce.Message, "more than once") {
			t.Errorf("%s: got %v, want invalid_response naming the duplicate", body, err)
		}
	}
}
