package mockprovider

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestTwilioSend(t *testing.T) {
	t.Parallel()
	p := NewTwilio(TwilioOptions{})
	c := p.Client()
	sid, secret := p.APIKey()
	for _, tc := range []struct {
		name       string
		user, pass string
		form       url.Values
		status     int
		code       float64
	}{
		{"service", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "MessagingServiceSid": {p.MessagingServiceSID()}, "Body": {"Your code is 123456"}, "RiskCheck": {"disable"}}, 201, 0},
		{"api key and number", sid, secret, url.Values{"To": {"+821012345678"}, "From": {p.FromNumber()}, "Body": {"코드 123456"}}, 201, 0},
		{"alphanumeric sender", sid, secret, url.Values{"To": {"+447700900123"}, "From": {"Acme"}, "Body": {"hi"}}, 201, 0},
		{"wrong token", p.AccountSID(), "nope", url.Values{}, 401, 20003},
		{"no auth", "", "", url.Values{}, 401, 20003},
		{"no To", p.AccountSID(), p.AuthToken(), url.Values{"Body": {"x"}}, 400, 21604},
		{"digits-only To", p.AccountSID(), p.AuthToken(), url.Values{"To": {"14155550100"}, "From": {p.FromNumber()}, "Body": {"x"}}, 400, 21211},
		{"no sender", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "Body": {"x"}}, 400, 21603},
		{"malformed service", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "MessagingServiceSid": {"MGxyz"}, "Body": {"x"}}, 400, 21705},
		{"other service", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "MessagingServiceSid": {"MG" + strings.Repeat("0", 32)}, "Body": {"x"}}, 400, 21701},
		{"bad From", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "From": {"not a sender!"}, "Body": {"x"}}, 400, 21212},
		{"foreign From", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "From": {"+15555550199"}, "Body": {"x"}}, 400, 21606},
		{"no Body", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "From": {p.FromNumber()}}, 400, 21602},
		{"long Body", p.AccountSID(), p.AuthToken(), url.Values{"To": {"+14155550100"}, "From": {p.FromNumber()}, "Body": {strings.Repeat("a", 1601)}}, 400, 21617},
	} {
		req, _ := http.NewRequest(http.MethodPost, p.URL(EndpointMessages), strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.user != "" {
			req.SetBasicAuth(tc.user, tc.pass)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		a := answer{status: resp.StatusCode, header: resp.Header}
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		a.body = string(b[:n])
		if a.status != tc.status {
			t.Errorf("%s: status %d %s, want %d", tc.name, a.status, a.body, tc.status)
			continue
		}
		m := a.json(t)
		if tc.code != 0 && (m["code"] != tc.code || m["more_info"] == nil || m["status"] != float64(tc.status)) {
			t.Errorf("%s: error %v, want code %v", tc.name, m, tc.code)
		}
		if tc.status == 201 && !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(m["sid"].(string)) {
			t.Errorf("%s: sid %v", tc.name, m["sid"])
		}
	}
	box := p.Outbox()
	if len(box) != 3 || box[0].MessagingService != p.MessagingServiceSID() || box[0].RiskCheck != "disable" ||
		box[1].From != p.FromNumber() || box[1].Encoding != "UCS-2" || box[0].Encoding != "GSM-7" {
		t.Fatalf("outbox %+v", box)
	}
	// The list endpoint shows the outbox, newest first.
	req, _ := http.NewRequest(http.MethodGet, p.URL(EndpointMessages), nil)
	req.SetBasicAuth(p.AccountSID(), p.AuthToken())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []struct{ Sid, Status string }
	}
	decodeJSON(t, resp, &list)
	if len(list.Messages) != 3 || list.Messages[0].Sid != box[2].SID || list.Messages[2].Status != "accepted" {
		t.Errorf("list %+v", list)
	}
	if c := p.Clone().(*Twilio); len(c.Outbox()) != 0 || c.AccountSID() != p.AccountSID() {
		t.Errorf("clone kept the outbox or lost the account")
	}
	if s := p.Secrets(); len(s) != 2 || s[0] != p.AuthToken() {
		t.Errorf("Secrets %v", s)
	}
}

func TestTwilioPathsAndMethods(t *testing.T) {
	t.Parallel()
	p := NewTwilio(TwilioOptions{})
	c := p.Client()
	other := strings.Replace(p.URL(EndpointMessages), p.AccountSID(), "AC"+strings.Repeat("1", 32), 1)
	for _, tc := range []struct {
		method, url string
		status      int
	}{
		{http.MethodPost, other, 404},
		{http.MethodDelete, p.URL(EndpointMessages), 404},
		{http.MethodGet, p.BaseURL() + "/2010-04-01/Accounts.json", 404},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		req.SetBasicAuth(p.AccountSID(), p.AuthToken())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.url, resp.StatusCode, tc.status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, p.URL(EndpointMessages), strings.NewReader(`{"To":"+1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(p.AccountSID(), p.AuthToken())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("JSON body: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, p.URL(EndpointMessages), strings.NewReader("To=%2B14155550100&From=%2B15005550006&Body=x&RiskCheck=maybe"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.AccountSID(), p.AuthToken())
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.Contains(strings.Join(p.Problems(), ""), "RiskCheck") {
		t.Errorf("RiskCheck maybe: %d %v", resp.StatusCode, p.Problems())
	}
}

func TestTwilioErrorCasesRender(t *testing.T) {
	t.Parallel()
	p := NewTwilio(TwilioOptions{})
	for _, c := range p.ErrorCases() {
		st, _, b := twilioShape(c.Endpoint, c.Failure)
		if st != c.Status || !strings.Contains(string(b), `"code":`+c.Failure.Code) {
			t.Errorf("%s: %d %s", c.Name, st, b)
		}
	}
	for _, m := range []Mode{Unauthorized, RateLimited, ServerError, Unavailable, InvalidRecipient} {
		if st, _, _ := twilioShape(EndpointMessages, Failure{Mode: m}); st < 400 {
			t.Errorf("%s: %d", m, st)
		}
	}
	if st, _, b := twilioShape(EndpointMessages, Failure{Mode: ProviderError, Code: "x"}); st != 500 || !strings.Contains(string(b), "20500") {
		t.Errorf("non-numeric code: %d %s", st, b)
	}
	if st, _, _ := twilioError(99999, ""); st != 400 {
		t.Errorf("unknown code: %d", st)
	}
	if st, _, _ := twilioShape(EndpointMessages, Failure{Mode: Hang}); st != 0 {
		t.Errorf("twilioShape rendered Hang")
	}
}

func TestSMSSegments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body     string
		segments int
		enc      string
	}{
		{"", 0, "GSM-7"},
		{strings.Repeat("a", 160), 1, "GSM-7"},
		{strings.Repeat("a", 161), 2, "GSM-7"},
		{strings.Repeat("a", 306), 2, "GSM-7"},
		{strings.Repeat("a", 307), 3, "GSM-7"},
		{strings.Repeat("€", 80), 1, "GSM-7"},
		{strings.Repeat("€", 81), 2, "GSM-7"},
		{strings.Repeat("é", 160), 1, "GSM-7"},
		{strings.Repeat("한", 70), 1, "UCS-2"},
		{strings.Repeat("한", 71), 2, "UCS-2"},
		{strings.Repeat("😀", 35), 1, "UCS-2"},
		{strings.Repeat("😀", 36), 2, "UCS-2"},
	} {
		if n, enc := SMSSegments(tc.body); n != tc.segments || enc != tc.enc {
			t.Errorf("%q…(%d runes): %d %s, want %d %s", firstRunes(tc.body, 3), len([]rune(tc.body)), n, enc, tc.segments, tc.enc)
		}
	}
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
