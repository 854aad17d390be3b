package scanner

import (
	"fmt"
	"sort"
	"strings"
)

// Layout maps HID keyboard usage IDs to the characters they type, without
// and with Shift. A scanner in keyboard mode sends the keys that would type
// the code on the keyboard layout it was configured for, so the terminal must
// decode with the same layout. Keys not in the map (dead keys, function keys)
// are ignored.
type Layout map[byte][2]rune

// LayoutUS is the US English layout, the factory default of most scanners.
var LayoutUS = Layout{
	0x1e: {'1', '!'}, 0x1f: {'2', '@'}, 0x20: {'3', '#'}, 0x21: {'4', '$'},
	0x22: {'5', '%'}, 0x23: {'6', '^'}, 0x24: {'7', '&'}, 0x25: {'8', '*'},
	0x26: {'9', '('}, 0x27: {'0', ')'},
	0x2c: {' ', ' '}, 0x2d: {'-', '_'}, 0x2e: {'=', '+'}, 0x2f: {'[', '{'},
	0x30: {']', '}'}, 0x31: {'\\', '|'}, 0x33: {';', ':'}, 0x34: {'\'', '"'},
	0x35: {'`', '~'}, 0x36: {',', '<'}, 0x37: {'.', '>'}, 0x38: {'/', '?'},
}

// LayoutDE is the German QWERTZ layout (dead keys ´ ` ^ are ignored).
var LayoutDE = Layout{
	0x1e: {'1', '!'}, 0x1f: {'2', '"'}, 0x20: {'3', '§'}, 0x21: {'4', '$'},
	0x22: {'5', '%'}, 0x23: {'6', '&'}, 0x24: {'7', '/'}, 0x25: {'8', '('},
	0x26: {'9', ')'}, 0x27: {'0', '='},
	0x2c: {' ', ' '}, 0x2d: {'ß', '?'}, 0x2f: {'ü', 'Ü'}, 0x30: {'+', '*'},
	0x32: {'#', '\''}, 0x33: {'ö', 'Ö'}, 0x34: {'ä', 'Ä'}, 0x36: {',', ';'},
	0x37: {'.', ':'}, 0x38: {'-', '_'}, 0x64: {'<', '>'},
	0x1c: {'z', 'Z'}, 0x1d: {'y', 'Y'}, // Y and Z swap places on QWERTZ
}

func init() {
	// Letters and the keypad are the same on both layouts, apart from the
	// Y/Z swap set above.
	for _, l := range []Layout{LayoutUS, LayoutDE} {
		for u := byte(0x04); u <= 0x1d; u++ {
			if _, set := l[u]; !set {
				c := rune('a' + u - 0x04)
				l[u] = [2]rune{c, c - 'a' + 'A'}
			}
		}
		keypad := "/*-+\x00123456789" + "0."
		for i, c := range keypad {
			if c != 0 {
				l[byte(0x54+i)] = [2]rune{c, c}
			}
		}
	}
}

// Layouts are the keyboard layouts selectable by name in settings.
var Layouts = map[string]Layout{"us": LayoutUS, "de": LayoutDE}

// LayoutByName returns the named layout ("us", "de"; case ignored).
func LayoutByName(name string) (Layout, error) {
	if l, ok := Layouts[strings.ToLower(name)]; ok {
		return l, nil
	}
	names := make([]string, 0, len(Layouts))
	for n := range Layouts {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("keyboard layout %q: not one of %s", name, strings.Join(names, ", "))
}
