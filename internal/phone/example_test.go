package phone_test

import (
	"errors"
	"fmt"

	"github.com/connectorkit/connector/internal/phone"
)

func ExampleToE164() {
	for _, raw := range []string{"+14155550100", "14155550100", "+82 10-1234-5678"} {
		e164, err := phone.ToE164(raw)
		fmt.Println(e164, err)
	}
	_, err := phone.ToE164("+1 800 FLOWERS")
	fmt.Println(errors.Is(err, phone.ErrInvalid))
	// Output:
	// +14155550100 <nil>
	// +14155550100 <nil>
	// +821012345678 <nil>
	// true
}
