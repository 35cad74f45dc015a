//go:build !windows

package ossched

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

const mechanism = "cron"

// Install adds (or replaces) the crontab line and returns it.
func Install(ctx context.Context, o Options) (Status, error) {
	line, err := CronLine(o)
	if err != nil {
		return Status{}, err
	}
	cur, err := readCrontab(ctx, o)
	if err != nil {
		return Status{}, err
	}
	if err := writeCrontab(ctx, o, WithEntry(cur, line)); err != nil {
		return Status{}, err
	}
	return Status{Installed: true, Mechanism: mechanism, Entry: line}, nil
}

// Remove deletes the crontab line; removed is false when there was none.
func Remove(ctx context.Context, o Options) (removed bool, err error) {
	cur, err := readCrontab(ctx, o)
	if err != nil {
		return false, err
	}
	rest, found := WithoutEntry(cur)
	if !found {
		return false, nil
	}
	return true, writeCrontab(ctx, o, rest)
}

// Show returns the crontab line, if installed.
func Show(ctx context.Context, o Options) (Status, error) {
	cur, err := readCrontab(ctx, o)
	if err != nil {
		return Status{}, err
	}
	line, ok := Entry(cur)
	return Status{Installed: ok, Mechanism: mechanism, Entry: line}, nil
}

func crontabCmd(ctx context.Context, o Options, args ...string) (*exec.Cmd, error) {
	argv := o.Crontab
	if len(argv) == 0 {
		argv = strings.Fields(os.Getenv(EnvCrontab))
	}
	if len(argv) == 0 {
		argv = []string{"crontab"}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		line, _ := CronLine(o)
		return nil, fmt.Errorf("the %q command was not found (%v); install cron (for example \"sudo apt install cron\"), or add this line with \"crontab -e\" yourself:\n%s", argv[0], err, line)
	}
	return exec.CommandContext(ctx, path, append(append([]string{}, argv[1:]...), args...)...), nil
}

// readCrontab returns the user's crontab ("" when there is none).
func readCrontab(ctx context.Context, o Options) (string, error) {
	cmd, err := crontabCmd(ctx, o, "-l")
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(strings.ToLower(stderr.String()), "no crontab for") {
			return "", nil
		}
		return "", fmt.Errorf("cannot read the crontab (%s): %w: %s", cmd.String(), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// writeCrontab replaces the user's crontab with text.
func writeCrontab(ctx context.Context, o Options, text string) error {
	cmd, err := crontabCmd(ctx, o, "-")
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stderr = strings.NewReader(text), &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cannot write the crontab (%s): %w: %s; check that you may use cron (/etc/cron.allow, /etc/cron.deny)", cmd.String(), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
