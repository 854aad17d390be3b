package httpapi_test

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"keytag/sync/httpapi"
)

// openAPIRoutes reads "METHOD /path" pairs from the paths section of an
// OpenAPI YAML file: paths at two spaces' indent, methods at four.
func openAPIRoutes(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pathRe := regexp.MustCompile(`^  (/[^:]*):\s*$`)
	methodRe := regexp.MustCompile(`^    (get|post|put|patch|delete):\s*$`)
	var out []string
	inPaths, current := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, " ") && strings.TrimSpace(line) != "" {
			inPaths = strings.HasPrefix(line, "paths:")
			continue
		}
		if !inPaths {
			continue
		}
		if m := pathRe.FindStringSubmatch(line); m != nil {
			current = m[1]
		} else if m := methodRe.FindStringSubmatch(line); m != nil && current != "" {
			out = append(out, strings.ToUpper(m[1])+" "+current)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestServerRoutesMatchOpenAPI(t *testing.T) {
	documented := openAPIRoutes(t, "../../docs/openapi.yaml")
	var served []string
	for _, r := range httpapi.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	sort.Strings(served)
	if len(documented) < 10 {
		t.Fatalf("read only %d routes from docs/openapi.yaml: %v", len(documented), documented)
	}
	doc := map[string]bool{}
	for _, r := range documented {
		doc[r] = true
	}
	srv := map[string]bool{}
	for _, r := range served {
		srv[r] = true
		if !doc[r] {
			t.Errorf("%s is served but not in docs/openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !srv[r] {
			t.Errorf("%s is in docs/openapi.yaml but not served", r)
		}
	}
}
