package pos

import "testing"

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"  Zoë  Ångström ": "zoe angstrom",
		"ANN LEE":          "ann lee",
		"Bjørn Straße":     "bjorn strasse",
		"Łukasz Żółć":      "lukasz zolc",
		"Şahin İnan":       "sahin inan",
		"François":         "francois",
		"":                 "",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+1 (555) 010-4477": "+* (***) ***-4477",
		"5550104477":        "******4477",
		"12345":             "***45",
		"":                  "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSearch(t *testing.T) {
	for in, want := range map[string]Search{
		"Zoë Å":        {Name: "zoe a"},
		"zoe":          {Name: "zoe", Email: "zoe"},
		"Ann.L":        {Name: "ann.l", Email: "ann.l"},
		"ann@ex":       {Email: "ann@ex"},
		"(555) 010-44": {Phone: "55501044"},
		"55":           {Name: "55", Email: "55"}, // too few digits for a phone
	} {
		got, err := ParseSearch(in)
		if err != nil || got != want {
			t.Errorf("ParseSearch(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", " \t", "a@b c"} {
		if _, err := ParseSearch(bad); ErrorCode(err) != EInvalidInput {
			t.Errorf("ParseSearch(%q): %v, want %s", bad, err, EInvalidInput)
		}
	}
}
