// Package sim is the deterministic simulator of a keytag fleet: one
// keytagd store and a few terminals, each on a real SQLite file, the real
// sync worker and the real HTTP handlers, with the network, the clocks and
// the crashes of every node decided by one seeded random stream. It is a
// test package; this file only documents it.
//
//	go test ./sync/sim                      # the CI run: seeds 1..200 (1..3 under -race)
//	go test ./sync/sim -seeds 5000          # seeds 1..5000
//	go test ./sync/sim -seed 1234 -v        # replay one seed, with its trace
//	go test ./sync/sim -restore=false       # without restores from older backups
//	go test ./sync/sim -seeds 10000 -first 20001 -timeout 0   # seeds 20001..30000
//
// Each seed runs a fault phase (sales, returns, enrolments of one email at
// two terminals, tag replacements, gift reservations, web-shop orders and
// birthdays, while requests and answers are dropped, held back and
// delivered late and out of order, or duplicated; terminals are
// partitioned, crash between writes and are killed in the middle of one;
// the server crashes, is backed up and restored from an older backup; a
// terminal's clock runs hours off), then heals
// the network, syncs every terminal until nothing waits, and checks that
// every terminal agrees with the server. The invariants are checked after
// every step; a failure prints the seed and the command that replays it.
//
// The worker is driven through SyncOnce, never its timer loop, so a seed
// replays the same steps and faults. Ids (UUIDv7) and tokens still come
// from the system's random source, so a replay makes the same decisions
// with different ids.
package sim
