package smsenc_test

import (
	"fmt"
	"strings"

	"github.com/connectorkit/connector/internal/smsenc"
)

func ExampleAnalyze() {
	for _, body := range []string{
		"Your code is 123456",
		"Ваш код 123456",
		strings.Repeat("Your code is 123456. ", 10),
	} {
		info := smsenc.Analyze(body)
		fmt.Println(info.Encoding, info.Units, info.Segments)
	}
	// Output:
	// GSM-7 19 1
	// UCS-2 14 1
	// GSM-7 210 2
}
