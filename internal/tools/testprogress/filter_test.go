package main

import (
	"errors"
	"strings"
	"testing"
)

func events(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func TestPassingPackagesPrintOkAndSlowTests(t *testing.T) {
	in := events(
		`{"Action":"start","Package":"p/fast"}`,
		`{"Action":"run","Package":"p/fast","Test":"TestQuick"}`,
		`{"Action":"output","Package":"p/fast","Test":"TestQuick","Output":"=== RUN   TestQuick\n"}`,
		`{"Action":"output","Package":"p/fast","Test":"TestQuick","Output":"    x_test.go:3: a log line\n"}`,
		`{"Action":"pass","Package":"p/fast","Test":"TestQuick","Elapsed":0.01}`,
		`{"Action":"pass","Package":"p/slow","Test":"TestMatrix/fault","Elapsed":30}`,
		`{"Action":"pass","Package":"p/slow","Test":"TestMatrix","Elapsed":83.25}`,
		`{"Action":"skip","Package":"p/slow","Test":"TestLong","Elapsed":2.5}`,
		`{"Action":"output","Package":"p/fast","Output":"PASS\n"}`,
		`{"Action":"output","Package":"p/fast","Output":"ok  \tp/fast\t0.02s\n"}`,
		`{"Action":"pass","Package":"p/fast","Elapsed":0.02}`,
		`{"Action":"output","Package":"p/slow","Output":"ok  \tp/slow\t90s\n"}`,
		`{"Action":"pass","Package":"p/slow","Elapsed":90}`,
	)
	var out strings.Builder
	if err := filter(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := "    p/slow: TestMatrix passed (1m23.3s)\n    p/slow: TestLong skipped (2.5s)\nok  \tp/fast\t0.02s\nok  \tp/slow\t90s\n"
	if out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
}

func TestFailuresPrintTheirOutputAndFail(t *testing.T) {
	in := events(
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"=== RUN   TestBad\n"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"    bad_test.go:9: want 2, got 3\n"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestBad","Elapsed":0}`,
		`{"Action":"output","Package":"p","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}`,
		`{"Action":"fail","Package":"p","Elapsed":0.01}`,
	)
	var out strings.Builder
	if err := filter(strings.NewReader(in), &out); !errors.Is(err, errFailed) {
		t.Fatalf("error %v, want errFailed", err)
	}
	want := "    bad_test.go:9: want 2, got 3\n--- FAIL: TestBad (0.00s)\nFAIL\nFAIL\tp\t0.01s\n"
	if out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
}

func TestBuildFailuresAndNoPackagesFail(t *testing.T) {
	for name, in := range map[string]string{
		"build": events(`{"ImportPath":"p","Action":"build-output","Output":"p/x.go:1: syntax error\n"}`, `{"ImportPath":"p","Action":"build-fail"}`,
			`{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}`, `{"Action":"fail","Package":"p"}`),
		"not json":    "flag provided but not defined: -x\n",
		"no packages": "",
	} {
		var out strings.Builder
		if err := filter(strings.NewReader(in), &out); !errors.Is(err, errFailed) {
			t.Errorf("%s: error %v, want errFailed", name, err)
		}
		if name == "build" && !strings.Contains(out.String(), "syntax error") {
			t.Errorf("build errors not shown: %q", out.String())
		}
	}
}
