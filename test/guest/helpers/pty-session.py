"""Drives a program on a real pseudo-terminal for the native tests (Node has no pty of its own).

usage: pty-session.py STEPS_JSON PROGRAM [ARG...]
STEPS_JSON is a list of steps, each any of:
  {"expect": "text"}        wait (up to "timeout" s, default 20) until the output since the last
                            send has it (earlier output, and what was typed before, cannot match;
                            the terminal's echo of the last send can, so expect what only the
                            program prints)
  {"send": "text"}          type it (\\r for Enter, \\u0003 for Ctrl-C...)
  {"poke": "text", "expect": "text"}
                            type it again every second until the output since the first poke
                            has the expect (e.g. Enter until an attached shell's prompt answers:
                            a wait on the program being ready rather than a fixed sleep)
  {"resize": [rows, cols]}  set the terminal's size and send SIGWINCH to the program
  {"sleep": seconds}
Prints JSON: {"steps": [true|false per expect], "exit": code or null, "output": text}.
"""
import json, os, pty, select, signal, struct, sys, time, fcntl, termios

steps = json.loads(sys.argv[1])
def echo_of(text):
    """What a terminal in canonical mode echoes for typed text: control keys as ^X, Enter as CR LF."""
    out = ''
    for c in text:
        if c == '\r':
            out += '\r\n'
        elif ord(c) < 32 and c not in '\t\n':
            out += '^' + chr(ord(c) + 64)
        else:
            out += c
    return out

# An expect that the echo of the last send contains would match the terminal's echo of the
# typing whether or not the program did anything: refuse such a step rather than let it pass.
last_send = ''
for s in steps:
    last_send = s.get('send', s.get('poke', last_send))
    if 'poke' in s and 'expect' not in s:
        sys.exit(f'step {s!r}: a poke needs an expect to stop on')
    e = s.get('expect')
    if e is not None and last_send and (e in last_send or e in echo_of(last_send)):
        sys.exit(f'step {s!r}: its expect is in the echo of the last send {last_send!r}, so the echo alone would match it')

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
buf = b''
# Where the output after the last send starts: an expect matches only from here.
mark = 0

def read_for(deadline, pat=None):
    global buf
    while time.time() < deadline:
        if pat is not None and pat in buf[mark:]:
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
    return pat is not None and pat in buf[mark:]

results = []
for s in steps:
    if 'resize' in s:
        rows, cols = s['resize']
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        os.kill(pid, signal.SIGWINCH)
    if 'send' in s:
        read_for(time.time() + 0.05)  # take what is already waiting, so it counts as before the send
        mark = len(buf)
        os.write(fd, s['send'].encode())
    if 'poke' in s:
        read_for(time.time() + 0.05)
        mark = len(buf)
        deadline = time.time() + s.get('timeout', 20)
        ok = False
        while not ok and time.time() < deadline:
            os.write(fd, s['poke'].encode())
            ok = read_for(min(deadline, time.time() + 1), s['expect'].encode())
        results.append(ok)
        continue
    if 'sleep' in s:
        read_for(time.time() + s['sleep'])
    if 'expect' in s:
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
