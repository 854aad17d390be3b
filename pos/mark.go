package pos

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// ChangeMark fingerprints a pulled change: its sequence number, kind and
// body. A terminal keeps the mark of the last change it applied, and the
// server sends the mark of the change at the cursor a pull asks from; if
// they differ, the server's log is not the one the terminal followed (it
// was restored from a backup and has since numbered other changes past
// the backup), and the terminal must pull again from the start. The body
// is hashed in a canonical form, so the same change marks the same
// however it was escaped on the wire.
func ChangeMark(c Change) string {
	body := []byte(c.Body)
	var v any
	if json.Unmarshal(c.Body, &v) == nil {
		if canon, err := json.Marshal(v); err == nil {
			body = canon
		}
	}
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(c.Seq, 10) + "\x00" + string(c.Kind) + "\x00"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
