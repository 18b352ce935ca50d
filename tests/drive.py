#!/usr/bin/env python3
# drive.py STEPS LOG -- COMMAND...: run COMMAND in an 80x24
# pseudo-terminal (TERM=vt100, stderr to LOG.err), in a session of its
# own whose controlling terminal the pseudo-terminal is (so ^C typed
# raises SIGINT), and follow STEPS, one a line:
#   expect RE        wait (20 s at most) for Python regex RE in the
#                    output after the last match, escape sequences
#                    read as one space each
#   capture NAME RE  the same, and print "NAME GROUP1"
#   send TEXT        type TEXT (\r is Enter, \xHH the ASCII code HH:
#                    \x03 is ^C)
#   sendgroup        type group 1 of the last match
#   drain            wait (20 s at most) until COMMAND has read all
#                    that was typed since the last drain or expect
#                    (whose match says the rest was read): the terminal
#                    holds none of it and COMMAND's reads (rchar in
#                    /proc/PID/io) have grown by as many bytes.  The
#                    terminal takes typed bytes in asynchronously, so
#                    an empty terminal alone does not say they were read
#   signal NAME      send signal NAME (INT, TERM, SIGINT...) to COMMAND
#   exit N           wait for COMMAND to exit with status N (-2: killed
#                    by SIGINT)
#   cooked           check that the terminal is back in its first state
#                    (canonical input, echo): COMMAND restored it
# The whole output goes to LOG.  Exit 1 on the first step that fails.
import os, pty, re, select, signal, struct, subprocess, sys, time
import fcntl, termios

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]"
                     rb"|\x1b[=>78DEHMc]|[\x00-\x08\x0e\x0f]")
steps_file, log_file, argv = sys.argv[1], sys.argv[2], sys.argv[4:]
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
first_mode = termios.tcgetattr(slave)
err = open(log_file + ".err", "wb")
# The size is that of the terminal, not LINES and COLUMNS.
env = {k: v for k, v in os.environ.items()
       if k not in ("LINES", "COLUMNS")}
env["TERM"] = "vt100"

def controlling_tty():
    # In the child, after setsid (start_new_session): stdin, the slave,
    # becomes the session's controlling terminal, its foreground group
    # the child's.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)

proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=err,
                        env=env, start_new_session=True,
                        preexec_fn=controlling_tty)
raw, mark, match = b"", 0, None
typed, rchar_before = 0, 0

def rchar():
    # What COMMAND has read so far; -1 once it is gone (or without
    # /proc/PID/io).
    try:
        with open("/proc/%d/io" % proc.pid) as f:
            for line in f:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1

def type_in(data):
    # Keys that the terminal turns into signals are never read.
    global typed, rchar_before
    mode = termios.tcgetattr(slave)
    signals = {mode[6][i] for i in (termios.VINTR, termios.VQUIT,
                                    termios.VSUSP)} \
        if mode[3] & termios.ISIG else set()
    if not typed:
        rchar_before = rchar()
    if rchar_before >= 0:  # else no /proc/PID/io: the terminal alone tells
        typed += sum(1 for b in data if bytes([b]) not in signals)
    os.write(master, data)

def screen():
    return ESCAPES.sub(b" ", raw).decode("utf-8", "replace")

def fail(why):
    open(log_file, "wb").write(raw)
    tail = screen()[mark:][-1500:]
    sys.stderr.write("drive.py: %s\n--- output after the last match:\n"
                     "%s\n---\n" % (why, tail))
    if proc.poll() is None:
        proc.kill()
    sys.exit(1)

def read(timeout):
    global raw
    if select.select([master], [], [], timeout)[0]:
        raw += os.read(master, 65536)

for line in open(steps_file, encoding="utf-8"):
    word, _, arg = line.rstrip("\n").partition(" ")
    if word in ("expect", "capture"):
        name, _, pattern = arg.partition(" ") if word == "capture" \
            else ("", "", arg)
        deadline = time.monotonic() + 20
        while True:
            match = re.compile(pattern).search(screen(), mark)
            if match:
                mark, typed = match.end(), 0
                break
            if time.monotonic() > deadline:
                fail("no %r on the screen" % pattern)
            read(0.2)
        if name:
            print(name, match.group(1))
    elif word == "send":
        type_in(re.sub(
            r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
            arg.replace("\\r", "\r")).encode())
    elif word == "sendgroup":
        type_in(match.group(1).encode())
    elif word == "drain":
        deadline = time.monotonic() + 20
        while struct.unpack("i", fcntl.ioctl(
                slave, termios.FIONREAD, struct.pack("i", 0)))[0] or \
                rchar() - rchar_before < typed:
            if proc.poll() is not None:
                fail("exit %s with input unread" % proc.returncode)
            if time.monotonic() > deadline:
                fail("the input is not read")
            read(0.01)
        typed = 0
    elif word == "signal":
        name = arg if arg.startswith("SIG") else "SIG" + arg
        if not isinstance(getattr(signal, name, None), signal.Signals):
            fail("no signal %r" % arg)
        if proc.poll() is not None:
            fail("exit %s before signal %s" % (proc.returncode, arg))
        proc.send_signal(getattr(signal, name))
    elif word == "exit":
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            read(0.1)
        read(0.1)
        if proc.returncode is None:
            fail("still running")
        if proc.returncode != int(arg):
            fail("exit %s, not %s" % (proc.returncode, arg))
    elif word == "cooked":
        mode = termios.tcgetattr(slave)
        if mode[3] & (termios.ICANON | termios.ECHO | termios.ISIG) != \
                first_mode[3] & (termios.ICANON | termios.ECHO | termios.ISIG):
            fail("the terminal was left in raw mode (lflag %#o, not %#o)"
                 % (mode[3], first_mode[3]))
    elif word:
        fail("unknown step %r" % line)
open(log_file, "wb").write(raw)
