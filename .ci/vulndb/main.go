// Command vulndb turns a flat folder of OSV entries (the data/osv folder of
// the golang.org/x/vulndb module, as the Go module proxy serves it) into a
// Go vulnerability database in the v1 layout that `govulncheck -db file://DIR`
// reads (https://go.dev/security/vuln/database#api):
//
//	DIR/index/db.json       {"modified": ...}
//	DIR/index/modules.json  [{"path": ..., "vulns": [{"id": ..., "modified": ...}]}]
//	DIR/ID/GO-YYYY-NNNN.json
//
// It is .ci/vulndb.sh's helper, so that CI can run govulncheck without
// reaching vuln.go.dev. It uses only the standard library, on purpose: the
// upstream builder (golang.org/x/vulndb/cmd/indexdb) pulls in vulndb's whole
// dependency graph, which takes minutes to download and build.
//
// The index leaves out the optional "fixed" field of each module's vulns:
// the client then fetches every entry listed for a module and decides from
// the entry's own affected ranges, which gives the same findings.
//
// The OSV files committed to x/vulndb carry a zero "modified" time (the real
// one is filled in from git history when vuln.go.dev is published), so
// index/db.json's "modified" is taken from -modified (the module version's
// commit time) when that is later than every entry's.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Affected []struct {
		Module struct {
			Path string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type moduleMeta struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("vulndb: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: vulndb index -osv DIR -out DIR [-modified TIME] | vulndb report [-stdlib warn|fail] FILE")
	}
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "index":
		index(args)
	case "report":
		os.Exit(report(args))
	default:
		log.Fatalf("unknown subcommand %q (want index or report)", cmd)
	}
}

// index builds the v1 database: see the package comment.
func index(args []string) {
	fset := flag.NewFlagSet("index", flag.ExitOnError)
	osvDir := fset.String("osv", "", "folder of OSV JSON files named <ID>.json")
	outDir := fset.String("out", "", "folder to write the v1 database to (created)")
	modified := fset.String("modified", "", "RFC 3339 time for index/db.json when later than every entry's")
	fset.Parse(args)
	if *osvDir == "" || *outDir == "" || fset.NArg() != 0 {
		fset.Usage()
		os.Exit(2)
	}

	var dbModified time.Time
	if *modified != "" {
		t, err := time.Parse(time.RFC3339, *modified)
		if err != nil {
			log.Fatalf("-modified: %v", err)
		}
		dbModified = t
	}

	names, err := filepath.Glob(filepath.Join(*osvDir, "*.json"))
	if err != nil {
		log.Fatal(err)
	}
	if len(names) == 0 {
		log.Fatalf("no OSV entries (*.json) in %s", *osvDir)
	}
	if err := os.MkdirAll(filepath.Join(*outDir, "ID"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(*outDir, "index"), 0o755); err != nil {
		log.Fatal(err)
	}

	modules := map[string]*moduleMeta{}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			log.Fatal(err)
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		if e.ID == "" || filepath.Base(name) != e.ID+".json" || strings.ContainsAny(e.ID, `/\`) {
			log.Fatalf("%s: entry id %q does not match its file name", name, e.ID)
		}
		if e.Modified.After(dbModified) {
			dbModified = e.Modified
		}
		seen := map[string]bool{}
		for _, a := range e.Affected {
			p := a.Module.Path
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			m := modules[p]
			if m == nil {
				m = &moduleMeta{Path: p}
				modules[p] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified})
		}
		if err := os.WriteFile(filepath.Join(*outDir, "ID", e.ID+".json"), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}

	list := make([]*moduleMeta, 0, len(modules))
	for _, m := range modules {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })

	writeJSON(filepath.Join(*outDir, "index", "modules.json"), list)
	writeJSON(filepath.Join(*outDir, "index", "db.json"), struct {
		Modified time.Time `json:"modified"`
	}{dbModified})
	fmt.Printf("vulndb: %d entries, %d modules, modified %s -> %s\n",
		len(names), len(list), dbModified.Format(time.RFC3339), *outDir)
}

func writeJSON(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

// The parts of govulncheck's -format json stream (protocol v1.0.0, see
// golang.org/x/vuln/internal/govulncheck) that report reads.
type message struct {
	Config *struct {
		ScannerVersion string     `json:"scanner_version"`
		DB             string     `json:"db"`
		DBLastModified *time.Time `json:"db_last_modified"`
		GoVersion      string     `json:"go_version"`
		ScanLevel      string     `json:"scan_level"`
	} `json:"config"`
	OSV *struct {
		ID      string   `json:"id"`
		Summary string   `json:"summary"`
		Aliases []string `json:"aliases"`
	} `json:"osv"`
	Finding *finding `json:"finding"`
}

type finding struct {
	OSV          string   `json:"osv"`
	FixedVersion string   `json:"fixed_version"`
	Trace        []*frame `json:"trace"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename     string `json:"filename"`
		Line, Column int
	} `json:"position"`
}

// vuln is what the scan found for one OSV entry in one module.
type vuln struct {
	id, module, version, fixed, summary string
	called, imported                    bool
	examples                            []string
}

const maxExamples = 3

// report reads govulncheck's JSON output, prints the findings grouped the
// way govulncheck's text output does (called, imported only, required only)
// with a few example call paths, and returns 3 when CI should fail: a
// vulnerable symbol that our code calls, in a module (or, with -stdlib=fail,
// in the standard library). Vulnerabilities that are only imported or
// required are printed but do not fail, as with govulncheck's own exit code.
func report(args []string) int {
	fset := flag.NewFlagSet("report", flag.ExitOnError)
	stdlib := fset.String("stdlib", "warn", "for called vulnerabilities in the standard library: warn or fail")
	fset.Parse(args)
	if fset.NArg() != 1 || (*stdlib != "warn" && *stdlib != "fail") {
		log.Fatal("usage: vulndb report [-stdlib warn|fail] GOVULNCHECK_JSON_FILE")
	}
	f, err := os.Open(fset.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	summaries := map[string]string{}
	vulns := map[[2]string]*vuln{}
	dec := json.NewDecoder(f)
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			log.Fatalf("reading govulncheck output: %v", err)
		}
		switch {
		case m.Config != nil:
			c := m.Config
			mod := "unknown"
			if c.DBLastModified != nil {
				mod = c.DBLastModified.Format("2006-01-02")
			}
			fmt.Printf("govulncheck %s, %s scan, %s, DB %s (last modified %s)\n",
				c.ScannerVersion, c.ScanLevel, c.GoVersion, c.DB, mod)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			fd := m.Finding
			sink := fd.Trace[0]
			key := [2]string{fd.OSV, sink.Module}
			v := vulns[key]
			if v == nil {
				v = &vuln{id: fd.OSV, module: sink.Module, version: sink.Version, fixed: fd.FixedVersion}
				vulns[key] = v
			}
			if sink.Package != "" {
				v.imported = true
			}
			if sink.Function != "" {
				v.called = true
				v.examples = append(v.examples, example(fd.Trace))
			}
		}
	}

	list := make([]*vuln, 0, len(vulns))
	for _, v := range vulns {
		v.summary = summaries[v.id]
		// govulncheck emits findings in no set order: pick examples stably.
		sort.Strings(v.examples)
		v.examples = slices.Compact(v.examples)
		if len(v.examples) > maxExamples {
			v.examples = v.examples[:maxExamples]
		}
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].module != list[j].module {
			return list[i].module < list[j].module
		}
		return list[i].id < list[j].id
	})

	var calledMod, calledStd, imported, required []*vuln
	for _, v := range list {
		switch {
		case v.called && isStd(v.module):
			calledStd = append(calledStd, v)
		case v.called:
			calledMod = append(calledMod, v)
		case v.imported:
			imported = append(imported, v)
		default:
			required = append(required, v)
		}
	}
	section := func(title string, vs []*vuln) {
		if len(vs) == 0 {
			return
		}
		fmt.Printf("\n%s: %d\n", title, len(vs))
		for _, v := range vs {
			fixed := "no fix yet"
			if v.fixed != "" {
				fixed = "fixed in " + v.fixed
			}
			fmt.Printf("  %s  %s@%s, %s: %s\n", v.id, v.module, v.version, fixed, v.summary)
			fmt.Printf("      https://pkg.go.dev/vuln/%s\n", v.id)
			for _, e := range v.examples {
				fmt.Printf("      e.g. %s\n", e)
			}
		}
	}
	section("Called by our code, in a required module (fails CI)", calledMod)
	stdTitle := "Called by our code, in the standard library (a warning: -stdlib=warn)"
	if *stdlib == "fail" {
		stdTitle = "Called by our code, in the standard library (fails CI: -stdlib=fail)"
	}
	section(stdTitle, calledStd)
	section("In packages we import, but no vulnerable symbol is called", imported)
	section("In modules we require, but no vulnerable package is imported", required)
	fmt.Println()

	fail := len(calledMod) > 0 || (*stdlib == "fail" && len(calledStd) > 0)
	if len(calledStd) > 0 {
		newest := ""
		for _, v := range calledStd {
			if cmpGo(v.fixed, newest) > 0 {
				newest = v.fixed
			}
		}
		fmt.Printf("%d standard-library vulnerabilities are reachable from our code: they are fixed by\n"+
			"building with go%s or newer, a change of toolchain (GOTOOLCHAIN), not of go.mod's requirements.\n",
			len(calledStd), strings.TrimPrefix(newest, "v"))
	}
	switch {
	case fail:
		fmt.Printf("FAIL: our code calls vulnerable symbols (%d in modules, %d in the standard library)\n", len(calledMod), len(calledStd))
		return 3
	case len(calledStd) > 0:
		fmt.Printf("ok, with a WARNING: no vulnerable symbol of a required module is called; %d in the standard library are (see above)\n", len(calledStd))
	default:
		fmt.Println("ok: our code calls no known vulnerable symbol")
	}
	return 0
}

// isStd reports whether module is the Go distribution's own: govulncheck
// names the standard library "stdlib" and the go command "toolchain".
func isStd(module string) bool { return module == "stdlib" || module == "toolchain" }

// example renders a call path the way govulncheck's text output does:
// where our code calls into the vulnerable code, and the vulnerable symbol.
func example(trace []*frame) string {
	// trace[0] is the vulnerable symbol; the last frame is our entry point.
	// Find the innermost frame of our own module.
	own := trace[len(trace)-1].Module
	k := len(trace) - 1
	for k > 0 && trace[k-1].Module == own {
		k--
	}
	if k == 0 {
		return sym(trace[0])
	}
	pos := ""
	if p := trace[k].Position; p != nil {
		pos = fmt.Sprintf("%s:%d:%d: ", p.Filename, p.Line, p.Column)
	}
	s := fmt.Sprintf("%s%s calls %s", pos, sym(trace[k]), sym(trace[k-1]))
	switch {
	case k-1 == 1:
		s += ", which calls " + sym(trace[0])
	case k-1 > 1:
		s += ", which eventually calls " + sym(trace[0])
	}
	return s
}

func sym(f *frame) string {
	s := f.Package[strings.LastIndex(f.Package, "/")+1:] + "."
	if f.Receiver != "" {
		s += strings.TrimPrefix(f.Receiver, "*") + "."
	}
	return s + f.Function
}

// cmpGo compares two Go versions as govulncheck reports them ("v1.26.9"),
// numerically by dot-separated part; "" is the smallest.
func cmpGo(a, b string) int {
	pa := strings.Split(strings.TrimPrefix(a, "v"), ".")
	pb := strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscan(pa[i], &x)
		}
		if i < len(pb) {
			fmt.Sscan(pb[i], &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	if a == b {
		return 0
	}
	if a == "" {
		return -1
	}
	if b == "" {
		return 1
	}
	return 0
}
