package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a server the benchmark started: Kith or the @neo4j/graphql server.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error // set when done is closed
}

// startProcess starts cmd with its output going to logPath, and waits until a line of its
// standard output matches ready; it returns the first submatch of that line.
func startProcess(ctx context.Context, name string, cmd *exec.Cmd, logPath string, ready *regexp.Regexp, timeout time.Duration) (*process, string, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", fmt.Errorf("%s: log: %w", name, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		_ = logf.Close()
		return nil, "", err
	}
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logf, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		// Copy standard output to the log, watching for the ready line.
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = fmt.Fprintln(logf, line)
			if m := ready.FindStringSubmatch(line); m != nil && len(found) == 0 {
				select {
				case found <- m[len(m)-1]:
				default:
				}
			}
		}
		_, _ = io.Copy(logf, stdout)
		p.err = cmd.Wait()
		close(p.done)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case m := <-found:
		return p, m, nil
	case <-p.done:
		return nil, "", fmt.Errorf("%s exited while starting (%v); see %s:\n%s", name, p.err, logPath, tail(logPath, 20))
	case <-timer.C:
		p.stop()
		return nil, "", fmt.Errorf("%s did not become ready within %s; see %s:\n%s", name, timeout, logPath, tail(logPath, 20))
	case <-ctx.Done():
		p.stop()
		return nil, "", ctx.Err()
	}
}

// pid is the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// alive reports whether the process still runs.
func (p *process) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop asks the process to end (SIGTERM to its process group), kills it after ten
// seconds, and waits for it.
func (p *process) stop() {
	defer p.log.Close()
	if !p.alive() {
		return
	}
	_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		<-p.done
	}
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes: since it started,
// or since the last resetPeak.
func (p *process) peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid()) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM of %s: %w", p.name, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// resetPeak sets the peak resident set size back to the current one (Linux clear_refs 5),
// so that the next peakRSS covers only what runs after it.
func (p *process) resetPeak() error {
	return os.WriteFile("/proc/"+strconv.Itoa(p.pid())+"/clear_refs", []byte("5"), 0)
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on Linux).
const clockTicks = 100

// cpuTime returns the CPU time (user and system) a process has used so far; pid 0 means
// this process.
func cpuTime(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces; fields follow its end.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed " + path)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("malformed " + path)
	}
	// After the name: state(0) ... utime is field 14 of the line, index 11 here; stime 12.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed " + path)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// cpuMeter reads the CPU time of a process, remembering whether it can.
type cpuMeter struct{ pid int }

// read returns the process's CPU time, or -1 when it cannot be read.
func (m cpuMeter) read() time.Duration {
	if m.pid < 0 {
		return -1
	}
	d, err := cpuTime(m.pid)
	if err != nil {
		return -1
	}
	return d
}

// machineBusy returns the CPU time all CPUs of the machine have spent busy (not idle or
// waiting for I/O), from /proc/stat; -1 when it cannot be read.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return -1
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return -1
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks
}
