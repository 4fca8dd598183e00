#!/usr/bin/env python3
"""Run the ```console blocks of lessons/*/README.md and compare their output.

A lesson's README shows commands and what they print:

    ```console
    $ lab02 run --hostname box hostname
    box
    ```

Every block is run, in order, as root, and what the commands print (stdout and stderr
merged, as a reader sees it in a terminal) is compared with the text in the block.

Block format
  - A line starting with "$ " is a command; a trailing "\\" continues it on the next line.
    A leading "sudo " is stripped (CI runs as root and may have no sudo).
  - The lines up to the next command are the expected output.
  - "[..]" inside a line matches any text within that line; a line that is exactly "..."
    matches any number of lines, none included.

Each lesson runs in ONE bash session, so `cd`, variables and background jobs (`&`) carry
over from block to block. The session starts in a fresh temporary directory, with PATH
starting with BUILD/labs, and these variables:
  BOXLAB_ROOT     a fresh temporary directory (the labs' state root)
  BOXLAB_BUSYBOX  BUILD/busybox (its rootfs/ is the busybox root filesystem)
  BOXLAB_LESSONS  the lessons/ directory (for files a lesson ships, e.g. breakout.c)
At the end of a lesson everything the session started is killed, mounts left under its
temporary directories are detached (and reported as a failure), and the directories removed.
An image the README shows from its own directory (![...](diagram.svg)) that does not exist is
a failure too.

Usage
  scripts/run-lessons.py [--build DIR] [--lesson 02] [--timeout 30] [--update] [-v]
  scripts/run-lessons.py --self-test      (checks the matcher; needs no root)

--update rewrites each block's output with what was seen, keeping the "[..]" and "..."
lines that still match: run it after changing a lesson, then review `git diff`.
The last line printed is always "N passed, M failed" (commands); exit 1 if any failed.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import select
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ELLIPSIS = "..."
WILDCARD = "[..]"


# --------------------------------------------------------------------------------------------
# Parsing the blocks
# --------------------------------------------------------------------------------------------

@dataclass
class Command:
    text: str            # what bash runs (sudo stripped; continuation lines kept)
    shown: str           # the first line as written, for messages
    line: int            # 1-based line of the "$ " line in the README
    expected: list[str]  # expected output lines
    out_start: int = 0   # 0-based index in the file of the first expected line
    out_end: int = 0     # one past the last expected line


@dataclass
class Block:
    line: int                  # 1-based line of the ```console fence
    commands: list[Command] = field(default_factory=list)


def strip_sudo(line: str) -> str:
    return line[len("sudo "):] if line.startswith("sudo ") else line


def parse_blocks(lines: list[str]) -> list[Block]:
    """Find the ```console blocks in the README's lines (without their newlines)."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        block = Block(line=i + 1)
        i += 1
        current: Command | None = None
        while i < len(lines) and lines[i].strip() != "```":
            text = lines[i]
            if text.startswith("$ "):
                start = i
                first = text[2:]
                parts = [strip_sudo(first)]
                while parts[-1].endswith("\\") and i + 1 < len(lines) and lines[i + 1].strip() != "```":
                    i += 1
                    cont = lines[i]
                    parts.append(cont[2:] if cont.startswith("> ") else cont)
                current = Command(text="\n".join(parts), shown=first, line=start + 1,
                                  expected=[], out_start=i + 1, out_end=i + 1)
                block.commands.append(current)
            elif current is not None:
                current.expected.append(text)
                current.out_end = i + 1
            # text before the first command of a block is ignored
            i += 1
        blocks.append(block)
        i += 1  # skip the closing fence
    return blocks


_image_link = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def missing_images(text: str, base: Path) -> list[str]:
    """Local images a README shows (![alt](diagram.svg)) that do not exist beside it."""
    missing = []
    for target in _image_link.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # a URL (https:, data:) or an anchor
        if not (base / target.split("#")[0]).is_file():
            missing.append(target)
    return missing


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

_line_patterns: dict[str, re.Pattern[str]] = {}


def line_matches(expected: str, seen: str) -> bool:
    """One expected line against one seen line; "[..]" matches any text within the line."""
    if WILDCARD not in expected:
        return expected == seen
    pattern = _line_patterns.get(expected)
    if pattern is None:
        pattern = re.compile(".*".join(re.escape(p) for p in expected.split(WILDCARD)), re.S)
        _line_patterns[expected] = pattern
    return pattern.fullmatch(seen) is not None


def normalize(lines: list[str]) -> list[str]:
    """Trailing blanks are invisible in a README: ignore them, and trailing empty lines."""
    out = [l.rstrip() for l in lines]
    while out and out[-1] == "":
        out.pop()
    return out


def align(expected: list[str], seen: list[str]) -> tuple[int, list[str]]:
    """Edit distance of expected (with wildcards) to seen, and the merged text.

    The merge is `seen` written with the expected lines wherever they match, so wildcard lines
    that still match survive: it is what --update writes and what the diff is taken against.
    Cost 0 for a matching line or a "..." absorbing lines; 1 for each line dropped or added.
    """
    n, m = len(expected), len(seen)
    INF = 1 << 30
    # cost[i][j]: cheapest way to match expected[i:] against seen[j:]
    cost = [[INF] * (m + 1) for _ in range(n + 1)]
    cost[n][m] = 0
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                continue
            best = INF
            if i < n:
                if expected[i] == ELLIPSIS:
                    best = min(best, cost[i + 1][j])               # absorb nothing more
                    if j < m:
                        best = min(best, cost[i][j + 1])           # absorb seen[j]
                elif j < m and line_matches(expected[i], seen[j]):
                    best = min(best, cost[i + 1][j + 1])
                if expected[i] != ELLIPSIS:
                    best = min(best, cost[i + 1][j] + 1)           # expected line missing
            if j < m:
                best = min(best, cost[i][j + 1] + 1)               # unexpected seen line
            cost[i][j] = best
    merged: list[str] = []
    i = j = 0
    while i < n or j < m:
        here = cost[i][j]
        if i < n and expected[i] == ELLIPSIS:
            if cost[i + 1][j] == here:
                merged.append(ELLIPSIS)
                i += 1
                continue
            if j < m and cost[i][j + 1] == here:
                j += 1  # absorbed by the "..." (written when the "..." ends)
                continue
        elif i < n and j < m and line_matches(expected[i], seen[j]) and cost[i + 1][j + 1] == here:
            merged.append(expected[i])
            i += 1
            j += 1
            continue
        if i < n and expected[i] != ELLIPSIS and cost[i + 1][j] + 1 == here:
            i += 1  # dropped
            continue
        merged.append(seen[j])
        j += 1
    return cost[0][0], merged


def matches(expected: list[str], seen: list[str]) -> bool:
    return align(normalize(expected), normalize(seen))[0] == 0


# --------------------------------------------------------------------------------------------
# The bash session
# --------------------------------------------------------------------------------------------

class Timeout(Exception):
    pass


class Session:
    """One bash process per lesson, fed one command at a time."""

    def __init__(self, env: dict[str, str], cwd: Path, scratch: Path):
        self.scratch = scratch
        self.marker = "__BOXLAB_LESSON_DONE_" + secrets.token_hex(8) + "__"
        self.count = 0
        self.broken = False
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True)
        assert self.proc.stdin and self.proc.stdout
        self.fd = self.proc.stdout.fileno()
        self.buffer = b""
        # $? survives from one command to the next: `echo $?` in a later block works.
        self._send("__boxlab_status() { return $1; }; __boxlab_rc=0\n")

    def _send(self, text: str) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command: str, timeout: float) -> tuple[str, int]:
        """Run one command; returns (output, exit status).

        Raises Timeout (with the output so far) when it runs too long; then self.broken
        tells whether the session could not be brought back to its prompt."""
        self.count += 1
        script = self.scratch / f"command-{self.count}.sh"
        script.write_text(command + "\n")
        children_before = self.children()
        # stdin is /dev/null: a command must not read the rest of our script.
        self._send(f"__boxlab_status $__boxlab_rc; . {script} </dev/null; __boxlab_rc=$?; "
                   f"printf '%s %d\\n' {self.marker} $__boxlab_rc\n")
        try:
            return self._read_until_marker(time.monotonic() + timeout)
        except Timeout:
            # Kill what this command started (not the lesson's earlier background jobs),
            # then give bash a moment to print the marker so the lesson can go on.
            for pid in self.children() - children_before:
                kill_tree(pid)
            try:
                output, _ = self._read_until_marker(time.monotonic() + 5)
            except Timeout:
                self.broken = True
                output, self.buffer = self.buffer.decode(errors="replace"), b""
            raise Timeout(output)

    def _read_until_marker(self, deadline: float) -> tuple[str, int]:
        needle = self.marker.encode()
        while True:
            at = self.buffer.find(needle)
            if at >= 0:
                end = self.buffer.find(b"\n", at)
                if end >= 0:
                    output = self.buffer[:at]
                    status = int(self.buffer[at + len(needle):end].strip() or b"0")
                    self.buffer = self.buffer[end + 1:]
                    return output.decode(errors="replace"), status
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise Timeout()  # bash exited (e.g. the lesson ran `exit`)
                self.buffer += chunk

    def children(self) -> set[int]:
        return {p for p, ppid in process_parents().items() if ppid == self.proc.pid}

    def close(self) -> None:
        """Kill everything the session started: its process group and session."""
        sid = self.proc.pid
        for _ in range(3):
            try:
                os.killpg(sid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            for pid in processes_in_session(sid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if not processes_in_session(sid):
                break
            time.sleep(0.2)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass


def proc_stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # comm may hold spaces and parentheses: split after the last ")"
    return data[data.rfind(")") + 2:].split()


def process_parents() -> dict[int, int]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := proc_stat(entry)):
            out[int(entry)] = int(fields[1])
    return out


def processes_in_session(sid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        # a zombie (Z) is dead already; it waits for its new parent to reap it
        if entry.isdigit() and (fields := proc_stat(entry)) and int(fields[3]) == sid \
                and fields[0] != "Z":
            out.append(int(entry))
    return out


def kill_tree(pid: int) -> None:
    parents = process_parents()
    victims, todo = [], [pid]
    while todo:
        p = todo.pop()
        victims.append(p)
        todo.extend(c for c, pp in parents.items() if pp == p)
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def unescape_mount_path(path: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def mounts_under(dirs: list[Path]) -> list[str]:
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            target = unescape_mount_path(line.split()[4])
            for d in dirs:
                if target == str(d) or target.startswith(str(d) + "/"):
                    found.append(target)
    return found


def detach_mounts(dirs: list[Path]) -> list[str]:
    """Lazily unmount whatever is mounted under dirs, deepest first; return what was there."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    MNT_DETACH = 2
    left = mounts_under(dirs)
    for _ in range(10):
        targets = mounts_under(dirs)
        if not targets:
            break
        for target in sorted(set(targets), key=len, reverse=True):
            libc.umount2(target.encode(), MNT_DETACH)
    return sorted(set(left))


# --------------------------------------------------------------------------------------------
# Running the lessons
# --------------------------------------------------------------------------------------------

@dataclass
class Totals:
    passed: int = 0
    failed: int = 0


def report_mismatch(lesson: str, readme: Path, block: Block, cmd: Command, expected: list[str],
                    merged: list[str], note: str = "") -> None:
    rel = os.path.relpath(readme, Path.cwd()) if readme.is_absolute() else str(readme)
    print(f"FAIL lesson {lesson}, {rel}:{cmd.line} (block at line {block.line}){note}")
    print(f"  $ {cmd.shown}")
    diff = difflib.unified_diff(expected, merged, "expected", "seen", lineterm="")
    for line in diff:
        print("  " + line)
    print()


def run_lesson(lesson_dir: Path, build: Path, args: argparse.Namespace, totals: Totals) -> None:
    readme = lesson_dir / "README.md"
    lesson = lesson_dir.name
    text = readme.read_text()
    lines = text.split("\n")
    blocks = parse_blocks(lines)
    n_commands = sum(len(b.commands) for b in blocks)
    print(f"== lesson {lesson}: {len(blocks)} blocks, {n_commands} commands", flush=True)
    failed_before = totals.failed
    for target in missing_images(text, lesson_dir):
        # e.g. a diagram.svg not rendered: cmake --build build --target diagrams
        totals.failed += 1
        print(f"FAIL lesson {lesson}: README.md shows {target}, which does not exist "
              f"(render diagrams with: cmake --build BUILD --target diagrams)")

    work = Path(tempfile.mkdtemp(prefix=f"boxlab-lesson-{lesson[:2]}-"))
    state = Path(tempfile.mkdtemp(prefix=f"boxlab-root-{lesson[:2]}-"))
    scratch = Path(tempfile.mkdtemp(prefix=f"boxlab-runner-{lesson[:2]}-"))
    env = dict(os.environ)
    for var in ("BASH_ENV", "ENV", "CDPATH", "PROMPT_COMMAND"):
        env.pop(var, None)
    env.update({
        "PATH": f"{build / 'labs'}:{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}",
        "BOXLAB_ROOT": str(state),
        "BOXLAB_BUSYBOX": str(build / "busybox"),
        "BOXLAB_LESSONS": str(lesson_dir.parent),
        "LC_ALL": "C",
        "LANG": "C",
        "TERM": "dumb",
        "HOME": str(work),
    })
    session = Session(env, work, scratch)
    replacements: list[tuple[int, int, list[str]]] = []
    try:
        aborted = False
        for block in blocks:
            for cmd in block.commands:
                if aborted:
                    totals.failed += 1
                    continue
                if args.verbose:
                    print(f"  $ {cmd.shown}", flush=True)
                expected = normalize(cmd.expected)
                note = ""
                try:
                    output, _status = session.run(cmd.text, args.timeout)
                except Timeout as timeout:
                    output, _status = (timeout.args[0] if timeout.args else ""), -1
                    note = f": timed out after {args.timeout:g} s"
                    if session.broken or session.proc.poll() is not None:
                        note += "; the session is stuck or gone, so the rest of the lesson is skipped"
                        aborted = True
                seen = normalize(output.split("\n"))
                cost, merged = align(expected, seen)
                if cost == 0 and not note:
                    totals.passed += 1
                    continue
                totals.failed += 1
                report_mismatch(lesson, readme, block, cmd, expected, merged, note)
                if args.update and not note:
                    replacements.append((cmd.out_start, cmd.out_end, merged))
    finally:
        session.close()
        left = detach_mounts([work, state])
        if left:
            totals.failed += 1
            print(f"FAIL lesson {lesson}: left mounts behind (detached now):")
            for target in left:
                print(f"  {target}")
        for d in (work, state, scratch):
            if not mounts_under([d]):
                shutil.rmtree(d, ignore_errors=True)
            else:
                print(f"warning: {d} still has mounts; not removed")

    if args.update and replacements:
        # Replace from the bottom so earlier indices stay valid.
        for start, end, new in sorted(replacements, reverse=True):
            lines[start:end] = new
        readme.write_text("\n".join(lines))
        print(f"   updated {len(replacements)} command output(s) in {readme}")
    result = "ok" if totals.failed == failed_before else f"{totals.failed - failed_before} failed"
    print(f"   lesson {lesson}: {result}", flush=True)


def self_test() -> int:
    """Check the parser and the matcher; needs no root and runs no lab."""
    problems = 0

    def check(name: str, got, want) -> None:
        nonlocal problems
        if got != want:
            problems += 1
            print(f"self-test FAIL {name}: got {got!r}, want {want!r}")

    check("plain", matches(["a", "b"], ["a", "b"]), True)
    check("plain differs", matches(["a", "b"], ["a", "c"]), False)
    check("wildcard in line", matches(["pid [..] is [..]"], ["pid 42 is up"]), True)
    check("wildcard empty", matches(["x[..]y"], ["xy"]), True)
    check("wildcard stays in its line", matches(["a[..]"], ["ab", "c"]), False)
    check("wildcard is literal elsewhere", matches(["a.b"], ["axb"]), False)
    check("regex chars are literal", matches(["(1+1)*"], ["(1+1)*"]), True)
    check("ellipsis none", matches(["a", "...", "b"], ["a", "b"]), True)
    check("ellipsis many", matches(["a", "...", "b"], ["a", "1", "2", "b"]), True)
    check("ellipsis alone", matches(["..."], []), True)
    check("ellipsis at end", matches(["a", "..."], ["a", "x", "y"]), True)
    check("ellipsis needs the rest", matches(["a", "...", "b"], ["a", "x"]), False)
    check("two ellipses", matches(["...", "m", "..."], ["1", "m", "2"]), True)
    check("trailing blanks", matches(["a  ", ""], ["a", "", ""]), True)
    check("empty output", matches([], [""]), True)
    check("missing output", matches([], ["x"]), False)
    check("merge keeps wildcards",
          align(["pid [..]", "old"], ["pid 7", "new"])[1], ["pid [..]", "new"])
    check("merge keeps ellipsis",
          align(["a", "...", "z"], ["a", "1", "2", "z", "y"])[1], ["a", "...", "z", "y"])
    check("merge adds lines", align(["a"], ["a", "b"])[1], ["a", "b"])

    readme = [
        "text", "```console", "$ echo one", "one", "$ sudo echo \\", "  two", "two",
        "$ true", "```", "", "```sh", "$ not run", "```", "```console", "$ x", "```",
    ]
    blocks = parse_blocks(readme)
    check("blocks", len(blocks), 2)
    check("block line", blocks[0].line, 2)
    check("commands", [c.text for c in blocks[0].commands], ["echo one", "echo \\\n  two", "true"])
    check("expected", [c.expected for c in blocks[0].commands], [["one"], ["two"], []])
    check("command line", [c.line for c in blocks[0].commands], [3, 5, 8])
    check("output span", [(c.out_start, c.out_end) for c in blocks[0].commands],
          [(3, 4), (6, 7), (8, 8)])
    check("second block", [c.text for c in blocks[1].commands], ["x"])

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "diagram.svg").write_text("<svg/>")
        text = ("![a](diagram.svg) ![b](missing.svg \"title\") ![c](https://x.org/y.png) "
                "![d](<diagram.svg>) [not an image](nowhere.md)")
        check("missing images", missing_images(text, Path(tmp)), ["missing.svg"])

    # A real bash session, no root needed: state carries over, $? too, stdin is /dev/null.
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LC_ALL="C")
        s = Session(env, Path(tmp), Path(tmp))
        try:
            check("session output", s.run("echo hi; echo err >&2", 10), ("hi\nerr\n", 0))
            s.run("cd /; X=5; false", 10)
            check("session state", s.run("echo $PWD $X $?", 10), ("/ 5 1\n", 0))
            check("no newline", s.run("printf abc", 10), ("abc", 0))
            check("stdin is empty", s.run("cat", 10), ("", 0))
            s.run("sleep 60 &", 10)
            t0 = time.monotonic()
            try:
                s.run("sleep 60", 0.5)
                check("timeout", "no timeout", "Timeout")
            except Timeout:
                pass
            check("timeout kills only the command", time.monotonic() - t0 < 10, True)
            check("session survives a timeout", s.run("echo still", 10), ("still\n", 0))
        finally:
            s.close()
        check("background jobs killed", processes_in_session(s.proc.pid), [])

    print(f"self-test: {'ok' if problems == 0 else f'{problems} problem(s)'}")
    return 0 if problems == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build", help="build directory (default: build)")
    parser.add_argument("--lesson", action="append", default=[],
                        help="run only the lesson whose directory starts with this, e.g. 02")
    parser.add_argument("--lessons-dir", default=str(REPO / "lessons"), help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=30, help="seconds per command (30)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the blocks' output with what was seen (keeps matching wildcards)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each command as it runs")
    parser.add_argument("--self-test", action="store_true", help="test the matcher and exit")
    args = parser.parse_args()

    if args.self_test:
        return self_test()
    if os.geteuid() != 0:
        print("run-lessons: the lessons create namespaces and mounts; run as root (sudo)",
              file=sys.stderr)
        return 77  # ctest's SKIP_RETURN_CODE
    build = Path(args.build).resolve()
    if not (build / "labs").is_dir():
        print(f"run-lessons: no labs in {build}/labs; build first: cmake --build {args.build}",
              file=sys.stderr)
        return 2
    lessons_dir = Path(args.lessons_dir).resolve()
    lessons = sorted(d for d in lessons_dir.iterdir() if (d / "README.md").is_file())
    if args.lesson:
        lessons = [d for d in lessons if any(d.name.startswith(p) for p in args.lesson)]
        if not lessons:
            print(f"run-lessons: no lesson matches {args.lesson}", file=sys.stderr)
            return 2

    totals = Totals()
    for lesson_dir in lessons:
        run_lesson(lesson_dir, build, args, totals)
    print(f"{totals.passed} passed, {totals.failed} failed")
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
