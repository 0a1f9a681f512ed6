package reference

import (
	"fmt"
	"sort"
	"strings"
)

// Fault is a deliberate deviation from the catalogue that the server can be told to
// commit. The kill matrix switches each one on and expects the suite to fail the
// requirement it names.
type Fault struct {
	// Name is what --fault takes, e.g. "read-leaks-password".
	Name string
	// Requirement is the catalogue ID the fault breaks, e.g. "SAM-RD-03".
	Requirement string
	// Summary says what the server does wrong.
	Summary string
}

// faultAreas gathers each area's faults. An area keeps its faults in its own file
// (faults_read.go, faults_auth.go, ...) and adds one line here.
func faultAreas() [][]Fault {
	return [][]Fault{
		authFaults(),
		readFaults(),
		pagingFaults(),
		filterFaults(),
		isolationFaults(),
		updateFaults(),
		batchFaults(),
		fuzzFaults(),
	}
}

// Faults returns the registry of deliberate faults, sorted by name. The slice is a
// fresh copy on every call.
func Faults() []Fault {
	var all []Fault
	for _, area := range faultAreas() {
		all = append(all, area...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

// faultSet checks names against the registry; an unknown name is an error so a typo
// never runs the server silently conformant.
func faultSet(names []string) (map[string]bool, error) {
	known := map[string]bool{}
	for _, f := range Faults() {
		known[f.Name] = true
	}
	set := map[string]bool{}
	for _, n := range names {
		if !known[n] {
			var list []string
			for name := range known {
				list = append(list, name)
			}
			sort.Strings(list)
			return nil, fmt.Errorf("unknown fault %q (known: %s)", n, strings.Join(list, ", "))
		}
		set[n] = true
	}
	return set, nil
}

// faulty reports whether the named fault is switched on. Each fault is checked at the
// one place its deviation happens.
func (s *Server) faulty(name string) bool { return s.faults[name] }
