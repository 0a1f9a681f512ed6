package fuzz_test

import (
	"fmt"

	"github.com/accessctk/accessctk/fuzz"
)

// exampleSnapshot is a tenant of four accesses, values chosen to sit next to each
// other: prefixes, case variants, one instant in two offsets, a missing end.
func exampleSnapshot() *fuzz.Snapshot {
	return fuzz.NewSnapshot([]fuzz.Access{
		{ID: "eos_1", Fields: map[string]string{"contractId": "C100", "productOfferingId": "PRP_SKYRTK_EU_12", "createdBy": "job-1001",
			"name": "Alpha", "username": "user.1", "startDateTime": "2024-05-01T12:00:00Z", "endDateTime": "2025-01-01T00:00:00+01:00"}},
		{ID: "eos_2", Fields: map[string]string{"contractId": "C1000", "productOfferingId": "PPU_SKYRTK_EU_12", "createdBy": "job-1001",
			"name": "alpha", "username": "O'Brien", "startDateTime": "2024-05-01T14:00:00+02:00"}},
		{ID: "eos_3", Fields: map[string]string{"contractId": "C100", "productOfferingId": "PRP_SKYRTK_EU_1", "createdBy": "job_1001",
			"name": "café", "username": "100%", "startDateTime": "2023-12-31T23:59:59.5Z", "endDateTime": "2024-06-30T23:59:00Z"}},
		{ID: "eos_4", Fields: map[string]string{"contractId": "a_c", "productOfferingId": "PRP_SKYRTK_EU_12", "createdBy": "job-10010",
			"name": "cafe\u0301", "username": "user.4", "startDateTime": "2024-02-29T12:00:00-05:00"}},
	}, 4)
}

// Nested draws AND/OR trees of conditions over the returned fields, up to the
// depth, written without parentheses; text values come from the data.
func ExampleGen_Nested() {
	g := fuzz.NewGen(exampleSnapshot(), 2)
	gen := g.Nested(g.OracleFields(), fuzz.DataValues)
	for i := range 6 {
		fmt.Println(gen.Example(i))
	}
	// Output:
	// name=Alpha&contractId=C100&createdBy=PRP_SKYRTK_EU_1;name=Alpha&contractId=C100&name=PRP_SKYRTK_EU_1
	// endDateTime<=2024-06-30T23:59:00Z;contractId=C1000
	// productOfferingId=PRP_SKYRTK_EU_12;username=100%;contractId=C100
	// productOfferingId=PPU_SKYRTK_EU_12&productOfferingId=PPU_SKYRTK_EU_12&endDateTime<2025-01-01T00:00:00+01:00;productOfferingId=PPU_SKYRTK_EU_12&productOfferingId=PPU_SKYRTK_EU_12&name=café;productOfferingId=PPU_SKYRTK_EU_12&productOfferingId=PPU_SKYRTK_EU_12&contractId=C1000
	// endDateTime>=2099-12-31T23:59:59.999999999Z
	// productOfferingId=C1000
}

// WithUnknown sometimes adds a condition on an unknown field to a single
// conjunction (SAM-FL-04 says it is dropped), never inside an OR.
func ExampleGen_WithUnknown() {
	g := fuzz.NewGen(exampleSnapshot(), 1)
	gen := g.WithUnknown(g.OracleFields(), fuzz.DataValues)
	for i := range 6 {
		fmt.Printf("%q\n", gen.Example(i+20).String())
	}
	// Output:
	// "productOfferingId=PPU_SKYRTK_EU_12"
	// "colour=a\nb"
	// "zz9<+"
	// "contractId=C100&productOfferingId=PRP_SKYRTK_EU_12"
	// "username=user.4"
	// "startDateTime>=2024-05-01T14:00:01+02:00;productOfferingId=PRP_SKYRTK_EU_12;productOfferingId=PPU_SKYRTK_EU_12"
}

// Instant draws values at and around the data's instants: exact, one second
// either side, the same instant in another offset, random, calendar boundaries.
func ExampleGen_Instant() {
	g := fuzz.NewGen(exampleSnapshot(), 1)
	f := g.OracleFields()[5] // startDateTime
	gen := g.Instant(f)
	for i := range 8 {
		fmt.Println(gen.Example(i))
	}
	// Output:
	// 2018-12-31T23:30:06-00:30
	// 2024-02-29T12:00:00-05:00
	// 1970-01-01T00:00:00Z
	// 2024-05-01T14:00:00+02:00
	// 2024-02-29T12:00:00-05:00
	// 2024-05-01T14:00:00+02:00
	// 2024-02-29T12:00:01-05:00
	// 2023-12-31T23:59:59.5Z
}

// Adversarial draws values that trip servers treating values as syntax, and
// mutations of the data (case, prefix, wildcards, normalization).
func ExampleGen_Adversarial() {
	g := fuzz.NewGen(exampleSnapshot(), 1)
	gen := g.Adversarial()
	for i := range 8 {
		fmt.Printf("%q\n", gen.Example(i))
	}
	// Output:
	// "\""
	// "c100"
	// "._\\"
	// "*000"
	// ".*"
	// "\" OR \"\"=\""
	// "*ɧ\\%%\\\u2005A𜼱%"
	// " C100"
}

// Malformed draws texts the grammar or the fields refuse, or that strain them.
func ExampleGen_Malformed() {
	g := fuzz.NewGen(exampleSnapshot(), 1)
	gen := g.Malformed()
	for i := range 8 {
		s := gen.Example(i)
		if len(s) > 70 {
			s = s[:70] + "…"
		}
		fmt.Printf("%q\n", s)
	}
	// Output:
	// "&createdAt>=2024-05-02T02:00:00+14:00"
	// "productOfferingId>="
	// ";username=O'Brien"
	// "username!x"
	// "contractId=PRP_SKYRTK_EU_12;"
	// "contractId=̯ဴ"
	// "startDateTime<2024-05-01t12:00:00z"
	// ">.𑙙́"
}
