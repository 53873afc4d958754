"""Drives a program on a real pseudo-terminal for the native tests (Node has no pty of its own).

usage: pty-session.py STEPS_JSON PROGRAM [ARG...]
STEPS_JSON is a list of steps, each any of:
  {"expect": "text"}        wait (up to "timeout" s, default 20) until the output so far has it
  {"send": "text"}          type it (\\r for Enter, \\u0003 for Ctrl-C...)
  {"resize": [rows, cols]}  set the terminal's size and send SIGWINCH to the program
  {"sleep": seconds}
Prints JSON: {"steps": [true|false per expect], "exit": code or null, "output": text}.
"""
import json, os, pty, select, signal, struct, sys, time, fcntl, termios

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
buf = b''

def read_for(deadline, pat=None):
    global buf
    while time.time() < deadline:
        if pat is not None and pat in buf:
            return True
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            buf += d
    return pat is not None and pat in buf

results = []
for s in steps:
    if 'resize' in s:
        rows, cols = s['resize']
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        os.kill(pid, signal.SIGWINCH)
    if 'send' in s:
        os.write(fd, s['send'].encode())
    if 'sleep' in s:
        read_for(time.time() + s['sleep'])
    if 'expect' in s:
        start = len(buf)
        results.append(read_for(time.time() + s.get('timeout', 20), s['expect'].encode()))

code = None
deadline = time.time() + 20
while time.time() < deadline:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        code = os.waitstatus_to_exitcode(st)
        break
    read_for(time.time() + 0.1)
if code is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
read_for(time.time() + 0.2)
print(json.dumps({'steps': results, 'exit': code, 'output': buf.decode('utf-8', 'replace')}))
