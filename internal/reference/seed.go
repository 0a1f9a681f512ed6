package reference

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The tenants the reference server knows, by internal id.
const (
	primaryTenant   = "eos"
	secondaryTenant = "acme"
	primaryID       = int64(1)
	secondaryID     = int64(2)
)

// Sizes of the seeded data set (besides the PPU pool and the bulk accesses).
const (
	primaryOrdinary   = 120
	secondaryOrdinary = 20
	nonPPUFixtures    = 6
	terminatedFixture = 4
	secondaryFixtures = 5
)

var statuses = [...]string{"PENDING_ACTIVE", "ACTIVE", "SUSPENDED", "PENDING_TERMINATE", "TERMINATED"}

// Adversarial values for filter testing: case variants, quotes, LIKE/GLOB/regex
// metacharacters, SQL, spaces, non-ASCII (a precomposed é next to e + combining
// acute), prefixes of each other, and the grammar's own operator characters. No value
// holds "&" or ";", which the grammar cannot express.
func specialTexts() []string {
	return []string{
		"Alpha", "alpha", "ALPHA",
		"O'Brien", `say "hi"`, "'", `"`,
		"100%", "%", "_", "a_c", "abc", "a%c", "a*c", "*",
		`back\slash`, `back\\slash`, `\`,
		"with space", " leading", "trailing ", "two  spaces",
		"' OR '1'='1", `" OR ""="`, "x') --", "1 OR 1=1",
		".*", "^$", "[a]", "a.c", "(a|b)", "$1", "a+b", "a#b", "x/y?z", "x=y", "<>", ">=1", "=",
		"café", "cafe\u0301", "€uro", "東京", "🙂", "Straße", "STRASSE",
		"C100", "C1000",
	}
}

func contractValues() []string {
	return []string{
		"1200035908", "1200035909", "12000359080", "C10", "C100", "C1000", "c100",
		"Alpha", "alpha", "ALPHA", "O'Brien", "100%", "a_c", "abc", "a%c", "' OR '1'='1",
		".*", "[a]", "café", "cafe\u0301", "東京", "🙂", `back\slash`, "with space", "a+b", `say "hi"`, "x=y",
	}
}

func offeringValues() []string {
	return []string{
		"PRP_SKYRTK_EU_12", "PRP_SKYRTK_EU_1", "PRP_SKYRTK_EU_120", "prp_skyrtk_eu_12", "PRP_SKYRTK_EU_12 ",
		"PRP_SKYRTK_%", "PRP_SKYRTK__12", "PRP_SKYRTK_*", "PRP_SKYRTK_.*", "PRP_東京_1", "PRP_€_1",
		"PPU_SKYRTK_EU_12", "PPU_SKYRTK_EU_1", "PPU_SKYRTK_€", "PPU_' OR '1'='1",
	}
}

func createdByValues() []string {
	return []string{
		"job-1001", "job-10010", "job-100100", "JOB-1001", "job-1001 ", "job_1001", "job%1001",
		`job"1001"`, "job'1001", "job-東京", "job-🙂", "Alpha", "alpha", "job-é",
	}
}

// Instants written to trip a comparison done on strings: the same instant in several
// offsets and with a zero fraction, fractions either side of it, and year ends.
func specialInstants() []string {
	return []string{
		"2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", "2024-05-01T07:00:00-05:00",
		"2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00+00:00", "2024-05-01T12:00:00.5Z",
		"2024-05-01T12:00:00.123456789Z", "2024-05-01T11:59:59.999999999Z",
		"2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", "2024-02-29T12:00:00Z",
	}
}

// billingOf derives an access's billing kind from its offering: "PPU_..." is
// Pay-Per-Use, anything else prepaid.
func billingOf(offering string) string {
	if strings.HasPrefix(offering, "PPU_") {
		return billingPPU
	}
	return billingPrepaid
}

// idSource hands out ids "<tenant>_<10 digits>", unique and stable per seed without
// remembering them: the i-th id is an affine permutation of i modulo 9e9 (the
// multiplier is coprime with it) shifted into 10 digits.
type idSource struct {
	a, b, i uint64
}

const idSpace = 9_000_000_000

func newIDSource(rng *rand.Rand) *idSource {
	a := rng.Uint64N(idSpace)
	// 9e9 = 2^9 * 3^2 * 5^9: make a odd and not a multiple of 3 or 5.
	for a%2 == 0 || a%3 == 0 || a%5 == 0 {
		a++
	}
	return &idSource{a: a, b: rng.Uint64N(idSpace)}
}

func (s *idSource) next(tenant string) string {
	hi, lo := bits.Mul64(s.a, s.i)
	n := (bits.Rem64(hi, lo, idSpace) + s.b) % idSpace
	s.i++
	return tenant + "_" + strconv.FormatUint(1_000_000_000+n, 10)
}

// generator builds the data set from one PCG stream; the order of its calls is part
// of the data set's definition.
type generator struct {
	rng *rand.Rand
	ids *idSource
}

// distribute assigns n slots from values so that each value is used between 2 and 10
// times (n must lie in [2*len, 10*len]), in random order.
func (g *generator) distribute(values []string, n int) []string {
	if n < 2*len(values) || n > 10*len(values) {
		panic(fmt.Sprintf("distribute: %d slots over %d values", n, len(values)))
	}
	counts := make([]int, len(values))
	for i := range counts {
		counts[i] = 2
	}
	for left := n - 2*len(values); left > 0; {
		i := g.rng.IntN(len(values))
		if counts[i] < 10 {
			counts[i]++
			left--
		}
	}
	var out []string
	for i, v := range values {
		for range counts[i] {
			out = append(out, v)
		}
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (g *generator) pick(values []string) string { return values[g.rng.IntN(len(values))] }

// instant returns a random instant between from and to, written in a random offset,
// sometimes with a millisecond or nanosecond fraction.
func (g *generator) instant(from, to time.Time) string {
	t := from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from)/time.Second))) * time.Second)
	zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800)}
	t = t.In(zones[g.rng.IntN(len(zones))])
	switch g.rng.IntN(4) {
	case 0:
		return t.Add(time.Duration(g.rng.IntN(1000)) * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
	case 1:
		return t.Add(time.Duration(g.rng.IntN(1e9))).Format(time.RFC3339Nano)
	}
	return t.Format(time.RFC3339)
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ordinary makes n ordinary accesses of a tenant: shared contract, offering and
// creator values, adversarial names and usernames, all five statuses.
func (g *generator) ordinary(tenant int64, prefix string, n int, contracts, offerings, creators []string) []record {
	cs, offs, bs := g.distribute(contracts, n), g.distribute(offerings, n), g.distribute(creators, n)
	// The first five accesses carry the five statuses; the first, PENDING_ACTIVE,
	// needs a prepaid offering.
	for j := range offs {
		if billingOf(offs[j]) == billingPrepaid {
			offs[0], offs[j] = offs[j], offs[0]
			break
		}
	}
	specials := specialTexts()
	createdPool := specialInstants()
	for range 30 {
		createdPool = append(createdPool, g.instant(day(2022, 1, 1), day(2025, 1, 1)))
	}
	out := make([]record, n)
	for i := range out {
		r := record{
			tenant: tenant, id: g.ids.next(prefix),
			contractID: cs[i], productOfferingID: offs[i], createdBy: bs[i],
			billing: billingOf(offs[i]), role: roleNone,
			createdAt: g.pick(createdPool),
		}
		switch {
		case i < len(specials):
			r.name = specials[i]
		case i%10 == 0:
			r.name = "Shared name"
		default:
			r.name = fmt.Sprintf("Access %04d", i)
		}
		if i%2 == 0 {
			r.username = specials[(i/2+7)%len(specials)]
		} else {
			r.username = fmt.Sprintf("user.%04d", i)
		}
		if g.rng.IntN(10) < 7 {
			r.deviceName = fmt.Sprintf("device-%03d", g.rng.IntN(1000))
		}
		if g.rng.IntN(10) < 3 {
			r.startDateTime = g.pick(specialInstants())
		} else {
			r.startDateTime = g.instant(day(2022, 1, 1), day(2025, 1, 1))
		}
		switch k := g.rng.IntN(10); {
		case k < 3: // open-ended
		case k < 5:
			r.endDateTime = g.pick(specialInstants())
		default:
			r.endDateTime = g.instant(day(2024, 1, 1), day(2028, 1, 1))
		}
		r.status = statuses[g.rng.IntN(len(statuses))]
		if i < len(statuses) {
			r.status = statuses[i]
		}
		if r.status == "PENDING_ACTIVE" && r.billing == billingPPU {
			r.status = "ACTIVE"
		}
		out[i] = r
	}
	return out
}

// fixture makes an access for a fixture role.
func (g *generator) fixture(tenant int64, prefix, role, status, offering, name, user, contract, creator string) record {
	r := record{
		tenant: tenant, id: g.ids.next(prefix), name: name, status: status,
		contractID: contract, productOfferingID: offering, username: user, createdBy: creator,
		deviceName: fmt.Sprintf("device-%03d", g.rng.IntN(1000)),
		createdAt:  g.instant(day(2023, 1, 1), day(2024, 6, 1)),
		billing:    billingOf(offering), role: role,
	}
	r.startDateTime = g.instant(day(2024, 6, 1), day(2025, 1, 1))
	if status == "TERMINATED" {
		r.endDateTime = g.instant(day(2025, 1, 1), day(2025, 6, 1))
	}
	return r
}

// seeded is the whole seeded data set, before the bulk accesses, in insertion order.
func (g *generator) seeded(ppuPool int) []record {
	var all []record
	all = append(all, g.ordinary(primaryID, primaryTenant, primaryOrdinary, contractValues(), offeringValues(), createdByValues())...)
	all = append(all, g.ordinary(secondaryID, secondaryTenant, secondaryOrdinary,
		[]string{"C100", "C1000", "Alpha", "acme-1", "acme-2"},
		[]string{"PRP_SKYRTK_EU_12", "PPU_SKYRTK_EU_12", "PRP_ACME_1", "PPU_ACME_1", "prp_skyrtk_eu_12"},
		[]string{"job-1001", "job-acme-1", "alpha", "job-acme-2", "job-acme-3"})...)

	// The PPU pool: disposable ACTIVE Pay-Per-Use accesses, values shared 2-10 times.
	var groups []string
	for i := range (ppuPool + 4) / 5 {
		groups = append(groups, fmt.Sprintf("%02d", i))
	}
	if ppuPool > 0 {
		n := len(groups)
		contracts := g.distribute(prefixed("P-", groups), max(ppuPool, 2*n))
		offerings := g.distribute(prefixed("PPU_POOL_", groups), max(ppuPool, 2*n))
		creators := g.distribute(prefixed("job-pool-", groups), max(ppuPool, 2*n))
		for i := range ppuPool {
			all = append(all, g.fixture(primaryID, primaryTenant, rolePPU, "ACTIVE", offerings[i],
				fmt.Sprintf("PPU pool %03d", i), fmt.Sprintf("ppu.%03d", i), contracts[i], creators[i]))
		}
	}
	for i := range nonPPUFixtures {
		all = append(all, g.fixture(primaryID, primaryTenant, roleNonPPU, "ACTIVE", "PRP_SKYRTK_EU_12",
			fmt.Sprintf("Prepaid fixture %d", i), fmt.Sprintf("prepaid.%d", i), "C100", "job-1001"))
	}
	for i := range terminatedFixture {
		offering := "PRP_SKYRTK_EU_12"
		if i%2 == 1 {
			offering = "PPU_SKYRTK_EU_12"
		}
		all = append(all, g.fixture(primaryID, primaryTenant, roleTerminated, "TERMINATED", offering,
			fmt.Sprintf("Terminated fixture %d", i), fmt.Sprintf("terminated.%d", i), "C1000", "job-10010"))
	}
	for i := range secondaryFixtures {
		all = append(all, g.fixture(secondaryID, secondaryTenant, roleSecondary, "ACTIVE", "PPU_SKYRTK_EU_12",
			fmt.Sprintf("Acme fixture %d", i), fmt.Sprintf("acme.%d", i), "C100", "job-1001"))
	}
	// Interleave tenants and roles in primary-key order.
	g.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all
}

func prefixed(prefix string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = prefix + v
	}
	return out
}

// bulk makes the i-th plain bulk access of the primary tenant; values are cheap to
// compute and shared (contract by 5, creator by 10 accesses).
func (g *generator) bulk(i int) record {
	base := day(2020, 1, 1).Add(time.Duration(i) * time.Minute)
	r := record{
		tenant: primaryID, id: g.ids.next(primaryTenant),
		name:              "bulk-" + strconv.Itoa(i),
		status:            statuses[1+i%4],
		contractID:        "B" + strconv.Itoa(i/5),
		productOfferingID: "PRP_BULK_" + strconv.Itoa(i%8),
		username:          "bulk.user" + strconv.Itoa(i),
		createdBy:         "job-bulk-" + strconv.Itoa(i/10),
		createdAt:         base.Format(time.RFC3339),
		startDateTime:     base.Add(time.Hour).Format(time.RFC3339),
		role:              roleNone,
	}
	if i%3 != 0 {
		r.endDateTime = base.AddDate(3, 0, 0).Format(time.RFC3339)
	}
	r.billing = billingOf(r.productOfferingID)
	return r
}

// generate emits the data set of seed in insertion order: the seeded accesses, then
// the bulk ones.
func generate(seed int64, ppuPool, bulk int, emit func(record) error) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5ca1ab1e))
	g := &generator{rng: rng, ids: newIDSource(rng)}
	for _, r := range g.seeded(ppuPool) {
		if err := emit(r); err != nil {
			return err
		}
	}
	for i := range bulk {
		if err := emit(g.bulk(i)); err != nil {
			return err
		}
	}
	return nil
}
