package docscheck

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/exitcode"
)

// TestTroubleshootingListsEveryExitStatus fails when an exit status has no
// row in the table of docs/troubleshooting.md.
func TestTroubleshootingListsEveryExitStatus(t *testing.T) {
	doc := readDoc(t, "troubleshooting.md")
	codes := []int{
		exitcode.OK, exitcode.Failed, exitcode.BadUsage, exitcode.Partial,
		exitcode.Locked, exitcode.Interrupted,
	}
	for _, c := range codes {
		if !strings.Contains(doc, "\n| "+strconv.Itoa(c)+" |") {
			t.Errorf("docs/troubleshooting.md has no row for exit status %d", c)
		}
	}
}

// TestSchedulingNamesEveryUnit fails when docs/scheduling.md and the unit
// files under scripts/systemd disagree.
func TestSchedulingNamesEveryUnit(t *testing.T) {
	doc := readDoc(t, "scheduling.md")
	entries, err := os.ReadDir("../../scripts/systemd")
	if err != nil {
		t.Fatal(err)
	}

	services := 0
	for _, e := range entries {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".service")
		if !ok {
			continue
		}
		services++
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/scheduling.md does not name %s", name)
		}
		timer, err := os.ReadFile("../../scripts/systemd/" + base + ".timer")
		if err != nil {
			t.Errorf("%s has no timer: %v", name, err)
			continue
		}
		onCalendar := ""
		for line := range strings.SplitSeq(string(timer), "\n") {
			if v, ok := strings.CutPrefix(line, "OnCalendar="); ok {
				onCalendar = v
			}
		}
		if onCalendar == "" || !strings.Contains(doc, "`"+onCalendar+"`") {
			t.Errorf("%s.timer: OnCalendar %q is not the one docs/scheduling.md gives",
				base, onCalendar)
		}
	}
	if services == 0 {
		t.Error("scripts/systemd holds no service")
	}
}
