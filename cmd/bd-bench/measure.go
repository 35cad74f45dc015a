package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one process of a command line: its arguments and extra
// environment.
type proc struct {
	args []string
	env  []string // added to the harness's environment (filtered)
}

// pipeline is a shell-free "a | b | c < in > out": every process's standard
// output feeds the next one's input.
type pipeline struct {
	procs []proc
	// stdin is the first process's input file ("" for none); stdout is the
	// last process's output file ("" for /dev/null).
	stdin, stdout string
}

// measurement is what one run of a contender cost.
type measurement struct {
	wall time.Duration
	// rssKiB is the largest peak resident set of the run's processes
	// (getrusage's ru_maxrss, in KiB on Linux).
	rssKiB int64
	// cpu is the user + system CPU time of all the run's processes.
	cpu time.Duration
}

// captureLimit is how much of a process's error output is kept.
const captureLimit = 64 << 10

// tailBuffer keeps the last captureLimit bytes written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > captureLimit {
		t.b = append(t.b[:0], t.b[len(t.b)-captureLimit:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// childEnv is the environment of every measured process: the harness's,
// without the variables that would point our CLI at another settings file
// or password.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BACKUP_DESKTOP_CONFIG=") || strings.HasPrefix(kv, "BACKUP_DESKTOP_DB_PASSWORD=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// run starts every process of the pipeline, waits for all of them and
// returns the wall time from the first start to the last exit. Any process
// that fails makes the whole run fail, with the tail of its error output.
func (p pipeline) run(ctx context.Context) (measurement, error) {
	var m measurement
	if len(p.procs) == 0 {
		return m, errors.New("empty pipeline")
	}
	var in io.Reader
	if p.stdin != "" {
		f, err := os.Open(p.stdin)
		if err != nil {
			return m, fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		in = f
	}
	var out io.Writer
	if p.stdout != "" {
		f, err := os.Create(p.stdout)
		if err != nil {
			return m, fmt.Errorf("create output: %w", err)
		}
		defer f.Close()
		out = f
	} else {
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return m, err
		}
		defer f.Close()
		out = f
	}

	timeBin, err := gnuTime()
	if err != nil {
		return m, err
	}
	tmp, err := os.MkdirTemp("", "bd-bench-rss-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(tmp)
	cmds := make([]*exec.Cmd, len(p.procs))
	errs := make([]*tailBuffer, len(p.procs))
	rssFiles := make([]string, len(p.procs))
	var pipeEnds []*os.File
	defer func() {
		for _, f := range pipeEnds {
			f.Close()
		}
	}()
	for i, pr := range p.procs {
		// GNU time forks the process from its own small address space and
		// reports the child's ru_maxrss. Started directly from this large
		// process, the child would inherit our peak (Linux keeps the
		// pre-exec peak in ru_maxrss).
		rssFiles[i] = filepath.Join(tmp, strconv.Itoa(i))
		args := append([]string{timeBin, "-f", "%M %U %S", "-o", rssFiles[i]}, pr.args...)
		c := exec.CommandContext(ctx, args[0], args[1:]...)
		c.Env = childEnv(pr.env)
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGTERM) }
		c.WaitDelay = 10 * time.Second
		errs[i] = &tailBuffer{}
		c.Stderr = errs[i]
		cmds[i] = c
	}
	cmds[0].Stdin = in
	cmds[len(cmds)-1].Stdout = out
	for i := 0; i+1 < len(cmds); i++ {
		r, w, err := os.Pipe()
		if err != nil {
			return m, err
		}
		pipeEnds = append(pipeEnds, r, w)
		cmds[i].Stdout = w
		cmds[i+1].Stdin = r
	}

	start := time.Now()
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			for _, started := range cmds[:i] {
				syscall.Kill(-started.Process.Pid, syscall.SIGKILL)
				started.Wait()
			}
			return m, fmt.Errorf("start %s: %w", c.Args[5], err)
		}
	}
	// The children hold their own copies of the pipe ends now; ours must
	// be closed so that each reader sees the end of its input.
	for _, f := range pipeEnds {
		f.Close()
	}
	pipeEnds = nil
	var firstErr error
	for i, c := range cmds {
		err := c.Wait()
		if err != nil && firstErr == nil {
			msg := strings.TrimSpace(errs[i].String())
			if len(msg) > 2000 {
				msg = "…" + msg[len(msg)-2000:]
			}
			firstErr = fmt.Errorf("%s: %w\n%s", strings.Join(redact(c.Args[5:]), " "), err, msg)
		}
	}
	end := time.Now()
	for i, c := range cmds {
		rss, cpu, err := readUsage(rssFiles[i])
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: peak memory: %w", c.Args[5], err)
		}
		m.rssKiB = max(m.rssKiB, rss)
		m.cpu += cpu
	}
	m.wall = end.Sub(start)
	if ctx.Err() != nil {
		// The processes failed because they were stopped.
		firstErr = ctx.Err()
	}
	return m, firstErr
}

// redact hides a password given as -pSECRET in an error message.
func redact(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "-p") && len(a) > 2 || strings.HasPrefix(a, "--password=") {
			a = "-p***"
		}
		out[i] = a
	}
	return out
}

// output runs a command and returns its standard output, for version
// strings and other small facts.
func output(ctx context.Context, args ...string) (string, error) {
	c := exec.CommandContext(ctx, args[0], args[1:]...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", strings.Join(redact(args), " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// gnuTime finds GNU time, which measures the peak memory of every
// process the benchmark runs.
var gnuTime = sync.OnceValues(func() (string, error) {
	for _, p := range []string{"/usr/bin/time", "/bin/time"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("GNU time (/usr/bin/time) is needed to measure the peak memory of each process: install the package \"time\" (apt-get install time)")
})

// readUsage reads what GNU time wrote: peak resident memory in KiB and
// user and system seconds, on the last line (a line before it may say that
// the command failed).
func readUsage(path string) (int64, time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var rss int64
	var user, sys float64
	if _, err := fmt.Sscanf(lines[len(lines)-1], "%d %f %f", &rss, &user, &sys); err != nil {
		return 0, 0, fmt.Errorf("GNU time wrote %q, not a size and times", strings.TrimSpace(string(data)))
	}
	return rss, time.Duration((user + sys) * float64(time.Second)), nil
}

// stealTime is the time this machine's virtual processors have waited for
// their host since it started, summed over processors: the "steal" column
// of /proc/stat, in clock ticks (clockTicks). It is 0 where the file cannot be read. A run
// during which the host gave its processors to other guests takes longer
// for reasons of its own; the report shows how long that was.
func stealTime() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	d, _ := parseSteal(b)
	return d
}

// parseSteal reads the steal time from the contents of /proc/stat.
func parseSteal(stat []byte) (time.Duration, bool) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	// cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	ticks, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil || ticks < 0 {
		return 0, false
	}
	return time.Duration(ticks) * time.Second / clockTicks, true
}
