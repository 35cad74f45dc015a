package ossched

import (
	"fmt"
	"strings"
)

// CronLine returns the crontab line that runs run-scheduled-backup daily at
// o.At, ending with Marker. Its output goes to /dev/null: every run writes
// the app's own log file, which `status` names.
func CronLine(o Options) (string, error) {
	o, err := o.resolve()
	if err != nil {
		return "", err
	}
	for _, p := range []string{o.Exe, o.Config} {
		if strings.ContainsAny(p, `%\`) {
			return "", fmt.Errorf("%w: %q contains '%%' or '\\', which cron treats specially; move it to a folder whose name has neither", ErrUnsafePath, p)
		}
	}
	hh, mm, _ := parseAt(o.At)
	return fmt.Sprintf("%d %d * * * %s --config %s %s >/dev/null 2>&1 %s",
		mm, hh, cronQuote(o.Exe), cronQuote(o.Config), Command, Marker), nil
}

// cronQuote quotes s for the shell cron hands the command to. Paths with
// '%' or a backslash are refused by CronLine: cron turns '%' into a line
// break, and cron implementations differ in how they unescape a backslash
// before '%' or another backslash.
func cronQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isOurs reports whether a crontab line is the one this package owns.
func isOurs(line string) bool {
	return strings.HasSuffix(strings.TrimRight(line, " \t\r"), Marker)
}

// WithEntry returns crontab text with every line of ours replaced by line
// (added at the end), keeping all other lines as they were.
func WithEntry(crontab, line string) string {
	return join(append(others(crontab), line))
}

// WithoutEntry returns crontab text without our lines, and whether there
// was one.
func WithoutEntry(crontab string) (string, bool) {
	kept := others(crontab)
	return join(kept), len(kept) != len(lines(crontab))
}

// Entry returns our line in crontab text, if any.
func Entry(crontab string) (string, bool) {
	for _, l := range lines(crontab) {
		if isOurs(l) {
			return l, true
		}
	}
	return "", false
}

func lines(crontab string) []string {
	if crontab == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(crontab, "\n"), "\n")
}

func others(crontab string) []string {
	var out []string
	for _, l := range lines(crontab) {
		if !isOurs(l) {
			out = append(out, l)
		}
	}
	return out
}

// join ends the text with a newline, which cron requires of the last line.
func join(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
