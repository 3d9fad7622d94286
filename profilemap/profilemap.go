// Package profilemap turns a provider's JSON profile into
// [connector.UserInfo] through paths, with the semantics of Logto's
// profileMap (keys id, email, phone, name, avatar; dotted paths; array
// indexes) and more: optional emailVerified and phoneVerified paths, exact
// decimal IDs (a 64-bit ID never passes through float64), and an
// invalid_response error naming the path when a value has the wrong type.
//
//	m, err := profilemap.Compile(profilemap.Map{ID: "data.user.id", Email: "emails.0.value"})
//	// once, at construction; then per sign-in:
//	info, err := m.Apply(body) // body is the userinfo JSON
//	fmt.Println(info.ID, info.Email, info.EmailVerified)
//
// Paths are evaluated by github.com/tidwall/gjson. Logto's forms work as
// written ("contact.email", "emails.0.value", and the bracket form
// "emails[0].value"), plus one query of gjson's, the first element
// matching a condition: "emails.#(primary==true).email". A key that
// contains a dot is written with a backslash: "urn:ietf\.claims.email".
// Paths are paths only: gjson's literals ("!true"), modifiers ("@reverse"),
// pipes, wildcards and multipaths are refused, since they would let a
// config invent values the provider never sent.
package profilemap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/userid"
)

// Map says where each user info field is in the provider's profile. For
// [Compile], empty fields take their defaults: the field's own name for id,
// email, phone, name and avatar (as Logto); no verified flags unless mapped
// (an unmapped flag is false: an address the provider did not vouch for must
// never look verified).
//
// The JSON tags are Logto's profileMap keys, so a Map decodes from a Logto
// config's profileMap as is. In a JSON config the defaults belong to absent
// keys only (the `default` tags, which [kit.DecodeConfig] applies): a
// key written "" maps nothing, as in Logto. Compile such a Map with
// [CompileConfig].
type Map struct {
	ID            string `json:"id" default:"id" doc:"path of the user's ID (a string or an integer) in the userinfo JSON"`
	Email         string `json:"email" default:"email" doc:"path of the email address"`
	Phone         string `json:"phone" default:"phone" doc:"path of the phone number"`
	Name          string `json:"name" default:"name" doc:"path of the display name"`
	Avatar        string `json:"avatar" default:"avatar" doc:"path of the avatar URL"`
	EmailVerified string `json:"emailVerified,omitempty" doc:"path of a boolean saying the email is verified (unset: never verified)"`
	PhoneVerified string `json:"phoneVerified,omitempty" doc:"path of a boolean saying the phone is verified (unset: never verified)"`
}

// Mapper is a compiled [Map]. It is immutable and safe for concurrent use.
type Mapper struct {
	id, email, phone, name, avatar jsonPath
	emailVerified, phoneVerified   jsonPath
}

// Compile checks every path of m (defaults applied) and returns the mapper.
// An invalid path is an invalid_config [*connector.Error] whose Fields name
// each bad key ("profileMap.email").
func Compile(m Map) (*Mapper, error) { return compile(m, true) }

// CompileConfig is [Compile] for a Map decoded from a JSON config by
// [kit.DecodeConfig], which has already given every absent key its
// default: a path left empty there was written "" on purpose and, as in
// Logto, maps nothing ("phone": "" turns the phone off). The ID cannot be
// turned off: an empty id is an invalid_config error.
func CompileConfig(m Map) (*Mapper, error) { return compile(m, false) }

func compile(m Map, defaults bool) (*Mapper, error) {
	var fe connector.FieldErrors
	if !defaults && m.ID == "" {
		fe = append(fe, connector.FieldError{Path: "profileMap.id", Message: "must be a non-empty path"})
	}
	compile := func(key, p, def string) jsonPath {
		if p == "" && defaults {
			p = def
		}
		if p == "" {
			return jsonPath{}
		}
		cp, err := compilePath(p)
		if err != nil {
			fe = append(fe, connector.FieldError{Path: "profileMap." + key, Message: err.Error()})
		}
		return cp
	}
	mp := &Mapper{
		id:            compile("id", m.ID, "id"),
		email:         compile("email", m.Email, "email"),
		phone:         compile("phone", m.Phone, "phone"),
		name:          compile("name", m.Name, "name"),
		avatar:        compile("avatar", m.Avatar, "avatar"),
		emailVerified: compile("emailVerified", m.EmailVerified, ""),
		phoneVerified: compile("phoneVerified", m.PhoneVerified, ""),
	}
	if len(fe) > 0 {
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Step: connector.StepConfig, Message: "invalid profile map", Fields: fe}
	}
	return mp, nil
}

// Check returns the field errors of m's paths as [CompileConfig] reports
// them, for config Checker implementations that report every failure at
// once.
func (m Map) Check() connector.FieldErrors {
	_, err := CompileConfig(m)
	if ce, ok := err.(*connector.Error); ok {
		return ce.Fields
	}
	return nil
}

// Apply maps doc, a JSON object, to user info. Raw is doc itself (not a
// copy). Errors are invalid_response [*connector.Error]s with step userinfo
// (the connector ID left for the caller to set): doc is not a JSON object;
// the ID is missing, empty, or not a string or an integer; email, phone,
// name or avatar is not a string; a verified flag is not a boolean.
// Missing, null and empty values count as absent.
func (m *Mapper) Apply(doc []byte) (*connector.UserInfo, error) {
	if err := jsonx.CheckObject(doc); err != nil {
		return nil, invalid("userinfo response " + err.Error())
	}
	s := string(doc) // one copy: every result below is a substring of it
	id, err := m.id.id(s)
	if err != nil {
		return nil, err
	}
	info := &connector.UserInfo{ID: id, Raw: doc}
	fields := [...]struct {
		p   *jsonPath
		dst *string
	}{{&m.email, &info.Email}, {&m.phone, &info.Phone}, {&m.name, &info.Name}, {&m.avatar, &info.Avatar}}
	for _, f := range fields {
		if *f.dst, err = f.p.str(s); err != nil {
			return nil, err
		}
	}
	if info.EmailVerified, err = m.emailVerified.boolean(s); err != nil {
		return nil, err
	}
	if info.PhoneVerified, err = m.phoneVerified.boolean(s); err != nil {
		return nil, err
	}
	if info.Email == "" {
		info.EmailVerified = false
	}
	if info.Phone == "" {
		info.PhoneVerified = false
	}
	return info, nil
}

// String shows the compiled paths.
func (m *Mapper) String() string {
	return fmt.Sprintf("profilemap.Mapper{id:%q email:%q phone:%q name:%q avatar:%q emailVerified:%q phoneVerified:%q}",
		m.id.src, m.email.src, m.phone.src, m.name.src, m.avatar.src, m.emailVerified.src, m.phoneVerified.src)
}

func invalid(msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeInvalidResponse, Step: connector.StepUserInfo, Message: msg}
}

// Path is one compiled path. The zero Path maps nothing: its readers report
// the value as absent.
type jsonPath struct {
	src  string // as written
	expr string // gjson syntax
}

// compilePath checks p and converts Logto's bracket indexes ("a[0].b") to
// gjson's form ("a.0.b").
func compilePath(p string) (jsonPath, error) {
	if strings.TrimSpace(p) == "" {
		return jsonPath{}, fmt.Errorf("must be a non-empty path")
	}
	if strings.TrimSpace(p) != p {
		return jsonPath{}, fmt.Errorf("must not start or end with spaces")
	}
	expr, err := toGJSON(p)
	if err != nil {
		return jsonPath{}, err
	}
	return jsonPath{src: p, expr: expr}, nil
}

// String returns the path as written.
func (p jsonPath) String() string { return p.src }

// IsZero reports whether p maps nothing.
func (p jsonPath) IsZero() bool { return p.expr == "" }

// toGJSON validates p and rewrites it in gjson's syntax. A path is keys
// separated by dots, with Logto's bracket indexes ("a[0].b" becomes
// "a.0.b"), backslash escapes ("@odata\.context"), and one construct of
// gjson's kept for arrays: a query "#(key==value)" that picks the first
// element matching it. Nothing else of gjson's language is a path: a
// literal ("!true"), a modifier ("@reverse"), a pipe, a wildcard or a
// multipath would let a config produce values the provider never sent
// (every email verified), so they are refused. A key that starts with @
// (Microsoft Graph's "@odata.id") is looked up as written.
func toGJSON(p string) (string, error) {
	var b strings.Builder
	b.Grow(len(p) + 2)
	segStart := true // at the start of a key
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("ends with a lone backslash")
			}
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
			segStart = false
			continue
		case c == '#' && segStart && strings.HasPrefix(p[i:], "#("):
			end, err := queryEnd(p, i+2)
			if err != nil {
				return "", err
			}
			if end+1 < len(p) && p[end+1] != '.' {
				return "", fmt.Errorf("has %q after a query at byte %d: a query picks one element, continue with a dot", p[end+1], end+1)
			}
			b.WriteString(p[i : end+1])
			i = end
			segStart = false
			continue
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return "", fmt.Errorf("has an unclosed '[' at byte %d", i)
			}
			idx := p[i+1 : i+end]
			if idx == "" || strings.Trim(idx, "0123456789") != "" {
				return "", fmt.Errorf("has a bad array index %q at byte %d: use a number such as [0]", idx, i)
			}
			if b.Len() > 0 && !strings.HasSuffix(b.String(), ".") {
				b.WriteByte('.')
			}
			b.WriteString(idx)
			i += end
			segStart = false
			continue
		case c == ']':
			return "", fmt.Errorf("has an unbalanced ']' at byte %d", i)
		case c == '(' || c == ')':
			if c == ')' {
				return "", fmt.Errorf("has an unbalanced ')' at byte %d", i)
			}
			return "", fmt.Errorf("has a '(' at byte %d outside a query #(...)", i)
		case c == '.':
			if b.Len() == 0 || strings.HasSuffix(b.String(), ".") || i == len(p)-1 {
				return "", fmt.Errorf("has an empty segment at byte %d", i)
			}
			b.WriteByte(c)
			segStart = true
			continue
		case c == '@' && segStart:
			// A key, not a modifier.
			b.WriteString(`\@`)
			segStart = false
			continue
		case strings.IndexByte(pathSyntax, c) >= 0:
			return "", fmt.Errorf("has %q at byte %d: a path is keys separated by dots, with [n] indexes and #(key==value) queries; escape the character with a backslash if the key contains it", c, i)
		}
		b.WriteByte(c)
		segStart = false
	}
	return b.String(), nil
}

// pathSyntax are the characters of gjson's query language that a path may
// not use unescaped: literals (!), pipes, wildcards, multipaths, and a
// bare # (an array's length, or all its elements).
const pathSyntax = "!|*?{},#="

// queryEnd checks the query whose body starts at p[i] (after "#(") and
// returns the index of its closing parenthesis. A query is a key path, an
// operator (== != < <= > >= % !%) and a JSON literal (a quoted string, a
// number, true, false or null); or a key path alone (elements that have
// the key).
func queryEnd(p string, i int) (int, error) {
	start := i
	for i < len(p) {
		c := p[i]
		switch {
		case c == '\\':
			i += 2
			continue
		case c == '"':
			j := i + 1
			for j < len(p) && p[j] != '"' {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(p) {
				return 0, fmt.Errorf("has an unclosed string in the query at byte %d", i)
			}
			i = j + 1
			continue
		case c == ')':
			return i, checkQuery(p[start:i], start)
		case c == '(' || strings.IndexByte("|@{}*?,#", c) >= 0 && !inLiteral(p[start:i]):
			return 0, fmt.Errorf("has %q at byte %d inside a query: a query is #(key==value)", c, i)
		}
		i++
	}
	return 0, fmt.Errorf("has an unclosed '('")
}

// inLiteral reports whether a query prefix has reached its value (after the
// operator), where % patterns may use * and ?.
func inLiteral(prefix string) bool { return strings.Contains(prefix, "%") }

// checkQuery checks the body of a query: key, then optionally an operator
// and a literal.
func checkQuery(q string, at int) error {
	key, op, lit := q, "", ""
	for _, o := range []string{"==", "!=", "<=", ">=", "!%", "<", ">", "%"} {
		if k, v, ok := strings.Cut(q, o); ok && !strings.Contains(k, `"`) {
			key, op, lit = k, o, v
			break
		}
	}
	key, lit = strings.TrimSpace(key), strings.TrimSpace(lit)
	if key == "" || strings.ContainsAny(key, "!=<>%\"") {
		return fmt.Errorf("has a query at byte %d without a key: a query is #(key==value)", at)
	}
	if _, err := toGJSON(key); err != nil || strings.HasPrefix(key, "@") {
		return fmt.Errorf("has a query at byte %d whose key is not a path", at)
	}
	if op == "" {
		return nil
	}
	switch {
	case lit == "true", lit == "false", lit == "null":
	case len(lit) >= 2 && lit[0] == '"' && lit[len(lit)-1] == '"':
	case isNumber(lit):
	default:
		return fmt.Errorf("has a query at byte %d whose value is not a JSON string, number, true, false or null", at)
	}
	return nil
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && strings.Trim(s, "+-0123456789.eE") == ""
}

func (p jsonPath) get(s string) gjson.Result {
	if p.expr == "" {
		return gjson.Result{}
	}
	return gjson.Get(s, p.expr)
}

// id reads an ID: a non-empty string, or an integer kept as its exact
// decimal text.
func (p jsonPath) id(s string) (string, error) {
	r := p.get(s)
	switch r.Type {
	case gjson.String:
		if r.Str != "" {
			return r.Str, nil
		}
	case gjson.Number:
		if id, ok := userid.Number(r.Raw); ok {
			return id, nil
		}
		return "", invalid(fmt.Sprintf("userinfo id at path %q must be a string or an integer, got the number %s", p.src, clip(r.Raw)))
	case gjson.Null:
	default:
		if r.Exists() {
			return "", invalid(fmt.Sprintf("userinfo id at path %q must be a string or an integer, got %s", p.src, kind(r)))
		}
	}
	return "", invalid(fmt.Sprintf("userinfo has no id at path %q", p.src))
}

// str reads an optional string; null and missing are "".
func (p jsonPath) str(s string) (string, error) {
	r := p.get(s)
	switch r.Type {
	case gjson.String:
		return r.Str, nil
	case gjson.Null:
		return "", nil
	}
	return "", invalid(fmt.Sprintf("userinfo field at path %q must be a string, got %s", p.src, kind(r)))
}

// boolean reads an optional flag: true, false, or the strings "true" and
// "false" (Apple sends either); null and missing are false.
func (p jsonPath) boolean(s string) (bool, error) {
	r := p.get(s)
	switch r.Type {
	case gjson.True:
		return true, nil
	case gjson.False, gjson.Null:
		return false, nil
	case gjson.String:
		switch strings.ToLower(r.Str) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
		return false, invalid(fmt.Sprintf("userinfo flag at path %q must be a boolean, got the string %q", p.src, clip(r.Str)))
	}
	return false, invalid(fmt.Sprintf("userinfo flag at path %q must be a boolean, got %s", p.src, kind(r)))
}

func kind(r gjson.Result) string {
	switch r.Type {
	case gjson.Null:
		return "null"
	case gjson.True, gjson.False:
		return "a boolean (" + r.Raw + ")"
	case gjson.Number:
		return "a number (" + clip(r.Raw) + ")"
	case gjson.String:
		return "a string"
	}
	if r.IsArray() {
		return "an array"
	}
	return "an object"
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
