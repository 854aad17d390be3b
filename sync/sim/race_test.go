//go:build race

package sim_test

// defaultSeeds is smaller under the race detector, which makes each seed
// tens of times slower; the plain run is the one that covers seeds.
const defaultSeeds = 3
