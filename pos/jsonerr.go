package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// JSONProblem says what is wrong with a body in the words of its JSON,
// not of the Go types it is decoded into (a client never saw those), and
// without echoing the body back.
func JSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "another type"
		switch te.Type.Kind() {
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a whole number"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.String:
			want = "a string"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Map:
			if te.Type == reflect.TypeFor[time.Time]() {
				want = "a time like 2026-03-01T12:00:00Z"
			} else {
				want = "an object"
			}
		}
		if te.Field == "" {
			return fmt.Sprintf("the value should be %s, not %s", want, te.Value)
		}
		return fmt.Sprintf("field %q should be %s, not %s", te.Field, want, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return "a time is not written like 2026-03-01T12:00:00Z"
	}
	return "unreadable"
}
