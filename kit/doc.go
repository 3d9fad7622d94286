// Package kit is the connector author's toolkit: what a connector
// package uses to build itself, apart from the contract a host reads in
// the root package.
//
//   - Configs: [DecodeConfig] turns the JSON an admin pastes into a typed
//     config struct and reports every problem at once with JSON paths;
//     [ValidateConfig] applies the same rules to a config built in Go;
//     [ConfigSchema] derives the JSON Schema an admin UI renders from the
//     same struct tags; [Checker] and [Defaulter] add rules and defaults
//     that tags cannot express.
//   - Options: [ResolveOptions] applies a host's [connector.Option] values
//     over the defaults ([DefaultHTTPClient], a silent logger, time.Now).
//   - Errors: [Attribute] names the connector on an error from shared code;
//     [ParseRetryAfter] reads a provider's Retry-After header.
//   - Endpoints: [CheckEndpoint] is the policy every provider URL follows
//     (https, or http to a loopback host); [IsLoopbackHost] tells which
//     hosts count as loopback.
//
// A connector built with it is proved by the conformance package.
package kit
