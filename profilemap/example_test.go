package profilemap_test

import (
	"fmt"

	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/profilemap"
)

// Compile a Logto-style profileMap once, then map each userinfo document.
func ExampleCompile() {
	m, err := profilemap.Compile(profilemap.Map{
		ID:            "data.user.id",
		Name:          "data.user.profile.displayName",
		Email:         "data.user.emails[0].value",
		EmailVerified: "data.user.emails[0].verified",
	})
	if err != nil {
		panic(err)
	}
	info, err := m.Apply([]byte(`{"data":{"user":{"id":9223372036854775807,
		"profile":{"displayName":"Ada"},"emails":[{"value":"ada@example.com","verified":true}]}}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(info.ID, info.Name, info.Email, info.EmailVerified)
	// Output: 9223372036854775807 Ada ada@example.com true
}

// A profileMap decoded from a JSON config: absent keys have their defaults
// already, and a key written "" maps nothing, as in Logto.
func ExampleCompileConfig() {
	var cfg struct {
		ProfileMap profilemap.Map `json:"profileMap"`
	}
	if err := kit.DecodeConfig([]byte(`{"profileMap":{"id":"sub","phone":""}}`), &cfg); err != nil {
		panic(err)
	}
	m, err := profilemap.CompileConfig(cfg.ProfileMap)
	if err != nil {
		panic(err)
	}
	info, err := m.Apply([]byte(`{"sub":"u1","name":"Ada","phone":{"mobile":"+14155550100"}}`))
	fmt.Printf("%s %s %q %v\n", info.ID, info.Name, info.Phone, err)
	// Output: u1 Ada "" <nil>
}

// A wrong type is an invalid_response error that names the path.
func ExampleMapper_Apply_wrongType() {
	m, _ := profilemap.Compile(profilemap.Map{})
	_, err := m.Apply([]byte(`{"id":"42","email":12345}`))
	fmt.Println(err)
	// Output: userinfo: invalid_response: userinfo field at path "email" must be a string, got a number (12345)
}

// A query picks the first element of an array that matches a condition.
func ExampleMap_query() {
	m, err := profilemap.Compile(profilemap.Map{Email: "emails.#(primary==true).value", EmailVerified: "emails.#(primary==true).verified"})
	if err != nil {
		panic(err)
	}
	info, _ := m.Apply([]byte(`{"id":9223372036854775807,"emails":[{"value":"old@example.com"},{"value":"new@example.com","primary":true,"verified":true}]}`))
	fmt.Println(info.ID, info.Email, info.EmailVerified)
	// Output: 9223372036854775807 new@example.com true
}
