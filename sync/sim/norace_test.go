//go:build !race

package sim_test

// defaultSeeds is the CI run's seed count.
const defaultSeeds = 200
