package pos

import (
	"slices"
	"strconv"
	"strings"
)

// The program settings a store may change, by the names `program set`
// takes (KEY=VALUE). tax.NAME is one key per tax class.
var programKeys = []string{"currency", "earn_rate", "point_value", "signup_bonus", "birthday_points", "offline_cap",
	"gift_min_cost", "gift_hold_days", "prices_include_tax", "store.name", "store.address", "tax.NAME",
	"work_week", "holidays", "ship_back_business_days"}

// Setting is one program setting as `program show` prints it.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Settings lists the program's settings by key, tax classes by name, in
// the form `program set` takes them back.
func (c Config) Settings() []Setting {
	s := []Setting{
		{"currency", c.Currency},
		{"earn_rate", strconv.FormatInt(c.EarnPointsPerUnit, 10)},
		{"point_value", c.PointValue.String()},
		{"signup_bonus", strconv.FormatInt(c.SignupBonus, 10)},
		{"birthday_points", strconv.FormatInt(c.BirthdayPoints, 10)},
		{"offline_cap", strconv.FormatInt(c.OfflineRedeemCap, 10)},
		{"gift_min_cost", strconv.FormatInt(c.GiftMinCost, 10)},
		{"gift_hold_days", strconv.Itoa(c.GiftHoldDays)},
		{"prices_include_tax", strconv.FormatBool(c.PricesIncludeTax)},
		{"store.name", c.StoreName},
		{"store.address", c.StoreAddress},
	}
	s = append(s, c.calendarSettings()...)
	names := make([]string, 0, len(c.TaxClasses))
	for n := range c.TaxClasses {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s = append(s, Setting{"tax." + n, c.TaxClasses[n].String()})
	}
	return s
}

// ProgramView is what `program show --json` prints on a terminal and on
// keytagd: the settings by key (as `program set` takes them) and their
// version.
type ProgramView struct {
	Version  int64             `json:"version"`
	Settings map[string]string `json:"settings"`
}

// View is the settings as `program show --json` prints them.
func (c Config) View() ProgramView {
	v := ProgramView{Version: c.Version, Settings: map[string]string{}}
	for _, s := range c.Settings() {
		v.Settings[s.Key] = s.Value
	}
	return v
}

// SettingsText is the settings as `program show` prints them: the
// version, then KEY=VALUE lines that `program set` takes back.
func (c Config) SettingsText() string {
	var b strings.Builder
	b.WriteString("version " + strconv.FormatInt(c.Version, 10) + "\n")
	for _, s := range c.Settings() {
		b.WriteString(s.Key + "=" + s.Value + "\n")
	}
	return b.String()
}

// SetProgram applies KEY=VALUE settings to a copy of c, all or none: the
// first bad one is refused, naming its key and what it takes. `tax.NAME=`
// with no rate removes the class. The version is the caller's to count.
func (c Config) SetProgram(pairs []string) (Config, error) {
	if len(pairs) == 0 {
		return c, Errorf(EInvalidInput, "no setting given: write KEY=VALUE, with KEY one of %s", strings.Join(programKeys, ", "))
	}
	// A new map: the old Config may be read by the window at this moment.
	classes := make(map[string]TaxRate, len(c.TaxClasses))
	for n, r := range c.TaxClasses {
		classes[n] = r
	}
	c.TaxClasses = classes
	for _, kv := range pairs {
		key, value, ok := strings.Cut(kv, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return c, Errorf(EInvalidInput, "setting %q: write KEY=VALUE, like tax.standard=8.25%%", kv)
		}
		if err := c.set(key, strings.TrimSpace(value)); err != nil {
			return c, err
		}
	}
	if len(c.TaxClasses) == 0 {
		c.TaxClasses = nil
	}
	return c, nil
}

func (c *Config) set(key, value string) error {
	count := func(dst *int64, most int64) error {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 || n > most {
			return Errorf(EInvalidInput, "%s=%s: give a whole number from 0 to %d", key, value, most)
		}
		*dst = n
		return nil
	}
	switch key {
	case "currency":
		if len(value) != 3 || strings.ContainsFunc(value, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			return Errorf(EInvalidInput, "currency=%s: give a three-letter ISO 4217 code, like USD or MYR", value)
		}
		c.Currency = value
	case "earn_rate":
		return count(&c.EarnPointsPerUnit, 1000)
	case "point_value":
		m, err := ParseMoney(value)
		if err != nil || m <= 0 || m > 10_000 {
			return Errorf(EInvalidInput, "point_value=%s: give what one point is worth, from 0.01 to 100.00", value)
		}
		c.PointValue = m
	case "signup_bonus":
		return count(&c.SignupBonus, 1_000_000)
	case "birthday_points":
		return count(&c.BirthdayPoints, 1_000_000)
	case "offline_cap":
		return count(&c.OfflineRedeemCap, 1_000_000_000)
	case "gift_min_cost":
		return count(&c.GiftMinCost, 1_000_000_000)
	case "gift_hold_days":
		var n int64
		if err := count(&n, 365); err != nil || n < 1 {
			return Errorf(EInvalidInput, "gift_hold_days=%s: give a whole number of days from 1 to 365", value)
		}
		c.GiftHoldDays = int(n)
	case "prices_include_tax":
		b, err := strconv.ParseBool(value)
		if err != nil || (value != "true" && value != "false") {
			return Errorf(EInvalidInput, "prices_include_tax=%s: give true (VAT style: tax contained in the price) or false (tax added on top)", value)
		}
		c.PricesIncludeTax = b
	case "store.name", "store.address":
		if value != "" {
			if err := checkText(key, value, 200); err != nil {
				return err
			}
		}
		if key == "store.name" {
			c.StoreName = value
		} else {
			c.StoreAddress = value
		}
	case "work_week", "holidays", "ship_back_business_days":
		return c.setCalendar(key, value)
	default:
		name, ok := strings.CutPrefix(key, "tax.")
		if !ok {
			return Errorf(EInvalidInput, "setting %q does not exist: the keys are %s", key, strings.Join(programKeys, ", "))
		}
		if err := CheckTaxClassName(name); err != nil {
			return err
		}
		if value == "" {
			delete(c.TaxClasses, name)
			return nil
		}
		r, err := ParseTaxRate(value)
		if err != nil {
			return Errorf(EInvalidInput, "%s: %s", key, ErrorMessage(err))
		}
		c.TaxClasses[name] = r
	}
	return nil
}

// KeepsTaxClasses refuses settings that dropped a tax class products
// still name (used lists the classes of the catalog's products): a
// product scan would then ring up a line no rate taxes.
func (c Config) KeepsTaxClasses(used []string) error {
	for _, class := range used {
		if _, ok := c.TaxClasses[class]; !ok {
			return Errorf(EConflict, "tax class %q is still the class of products in the catalog: give them another class first", class)
		}
	}
	return nil
}
