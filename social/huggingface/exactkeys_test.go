package huggingface

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectorkit/connector"
)

// TestMapProfileExactNames: member names match exactly; with encoding/json
// {"sub":"u1","SUB":"admin"} signed in as admin.
func TestMapProfileExactNames(t *testing.T) {
	t.Parallel()
	info, err := mapProfile([]byte(`{"sub":"u1","SUB":"admin","email":"a@example.com","email_verified":false,"EMAIL_VERIFIED":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "u1" || info.EmailVerified {
		t.Errorf("got %+v: a member was read through a case-folded name", info)
	}
}

// TestMapProfileDuplicateNames: a profile naming a member twice is refused.
func TestMapProfileDuplicateNames(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"sub":"u1","sub":"admin"}`, `{"sub":"u1","email_verified":false,"email_verified":true}`} {
		_, err := mapProfile([]byte(body))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse || !strings.Contains(ce.Message, "more than once") {
			t.Errorf("%s: got %v, want invalid_response naming the duplicate", body, err)
		}
	}
}
