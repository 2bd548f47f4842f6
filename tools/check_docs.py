"""Check the shell commands and links of the documentation.

    python tools/check_docs.py [FILES ...] [--run] [--list] [--timeout S] [--keep-going]
                               [--scratch DIR] [--keep]

FILES default to README.md and every docs/**/*.md. Every fenced ```bash /
```shell / ```sh block must be preceded (blank lines allowed in between) by an
HTML comment that says what the check does with it:

    <!-- docs-check: run -->                       run each command as written
    <!-- docs-check: run OPTIONS -->               run it with a documented shrink
    <!-- docs-check: static: REASON -->            never run (the reason is required)

OPTIONS (shell words; a ``#`` starts a free-text comment, e.g. why the shrink):

    --cfg-options K=V ...   appended to every tools/train.py, tools/cross_validate.py
                            and tools/dist_train.sh command of the block (long trainings
                            fit CI); repeated --cfg-options merge
    --env K=V ...           environment of the block's commands
    --replace OLD NEW       text substitution in every command of the block
    --skip TEXT             commands containing TEXT are checked statically, not run
    --timeout SECONDS       per-command time limit (default --timeout, 900 s)
    --expect-fail           every command of the block must exit non-zero (a page
                            that shows an error message)

A command is one line of the block after joining backslash continuations and
dropping comments and blank lines.

Static checks, for every command (run or not): the script it calls exists
(``python tools/...``, ``bash tools/...``, ``make TARGET`` against the Makefile);
every configs/, projects/, tools/, docs/, tests/ path it names exists (a glob must
match); for ``python tools/*.py`` the arguments parse with the tool's own argparse
parser (captured without running the tool's main; commands with placeholders such
as CONFIG, N, [--opt ...] or $VAR only have their option names checked), and the
arguments that tools/dist_train.sh, dist_test.sh and slurm_train.sh pass on to
train.py / test.py likewise. Also every relative markdown link and image
(``[..](path)``, ``![..](path)``, ``<img src=..>``) must resolve, and a
``#anchor`` into a markdown file must name one of its headings.

``--run`` then executes the run-annotated commands in order, in a scratch copy
of the repository (the files ``git ls-files`` lists, tracked and untracked but
not ignored, copied to a temporary folder; the virtual environment linked in as
.venv), so the user's data/, work_dirs/ and caches are untouched. Each command
runs in a fresh ``bash -e -o pipefail`` in the copy's root (``cd`` and
``export`` do not carry over to the next line), with .venv/bin first on PATH,
PYTHONPATH at the copy (its smilezoo is the one imported), HF_HUB_OFFLINE=1
unless set, and SMILEZOO_CACHE inside the copy. The first failure stops the run
(exit 1) naming the file, the line, the command and the tail of its output;
``--keep-going`` runs the rest and reports every failure. A final table lists
every command run with its time.

``--list`` prints every command with its file, line and what the check does with it.
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHELL_LANGS = {'bash', 'shell', 'sh'}
DEFAULT_TIMEOUT = 900
ANNOTATION_RE = re.compile(r'<!--\s*docs-check:(.*?)-->', re.S)
FENCE_RE = re.compile(r'^(\s*)(`{3,}|~{3,})\s*([\w+-]*)')
REPO_PATH_RE = re.compile(
    r'(?<![\w./$-])((?:configs|projects|tools|docs|tests)/[^\s\'"),;:`|&<>]*)')
PYTHON_RE = re.compile(r'^(?:.*/)?python(?:\d+(?:\.\d+)?)?$|^\$\{?PY(?:THON)?\}?$')
SHRINK_TOOLS = ('tools/train.py', 'tools/cross_validate.py', 'tools/dist_train.sh')
# launcher -> (python tool it runs, positional arguments that are the launcher's own,
# positions of the launcher arguments that the tool receives as positionals)
LAUNCHERS = {
    'tools/dist_train.sh': ('tools/train.py', 2, [0]),
    'tools/dist_test.sh': ('tools/test.py', 3, [0, 1]),
    'tools/slurm_train.sh': ('tools/train.py', 4, [2]),
}


# ----------------------------------------------------------------------------- parsing
@dataclass
class Command:
    file: str          # as given on the command line (or relative to the repo root)
    line: int          # 1-based line of the command's first physical line
    text: str          # joined, comments dropped, as written in the docs
    block: 'Block'

    @property
    def where(self) -> str:
        return f'{self.file}:{self.line}'

    @property
    def skipped(self) -> bool:
        return any(s in self.text for s in self.block.skip)

    @property
    def runs(self) -> bool:
        return self.block.mode == 'run' and not self.skipped

    def effective(self) -> str:
        """The command as --run executes it (shrinks applied)."""
        text = self.text
        for old, new in self.block.replace:
            text = text.replace(old, new)
        if self.block.cfg_options:
            text = append_cfg_options(text, self.block.cfg_options)
        return text


@dataclass
class Block:
    file: str
    line: int                       # line of the opening fence
    lang: str
    mode: str = ''                  # 'run' or 'static'
    reason: str = ''
    annotation_line: int = 0
    cfg_options: List[str] = field(default_factory=list)
    env: Dict[str, str] = field(default_factory=dict)
    replace: List[Tuple[str, str]] = field(default_factory=list)
    skip: List[str] = field(default_factory=list)
    timeout: Optional[float] = None
    expect_fail: bool = False
    commands: List[Command] = field(default_factory=list)


@dataclass
class Doc:
    file: str
    path: str
    blocks: List[Block]
    errors: List[str]


def strip_comment(line: str) -> str:
    """Drop a shell comment: an unquoted # at the start of a word."""
    quote, prev = None, ' '
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
            elif ch == '\\' and quote == '"':
                pass
        elif ch in '\'"':
            quote = ch
        elif ch == '#' and prev in ' \t':
            return line[:i].rstrip()
        prev = ch if not (prev == '\\' and ch == ' ') else 'x'
    return line.rstrip()


def block_commands(lines: List[Tuple[int, str]]) -> List[Tuple[int, str]]:
    """(line number, command) for the lines of a block: continuations joined,
    comments and blank lines dropped."""
    out, buf, start = [], [], None
    for no, raw in lines:
        text = raw.rstrip()
        if not buf and (not text.strip() or text.lstrip().startswith('#')):
            continue
        cont = text.endswith('\\') and not text.endswith('\\\\')
        piece = text[:-1] if cont else text
        if buf and piece.lstrip().startswith('#'):
            continue
        if start is None:
            start = no
        buf.append(piece.strip() if buf else piece.rstrip())
        if not cont:
            cmd = strip_comment(' '.join(p for p in buf if p))
            if cmd.strip():
                out.append((start, cmd.strip()))
            buf, start = [], None
    if buf:
        cmd = strip_comment(' '.join(buf))
        if cmd.strip():
            out.append((start, cmd.strip()))
    return out


def parse_annotation(text: str, block: Block) -> Optional[str]:
    """Fill block from the annotation text after 'docs-check:'; an error or None."""
    text = ' '.join(text.split())
    if text.startswith('static'):
        reason = text[len('static'):].lstrip(' :').strip()
        if not reason:
            return 'a static annotation needs a reason: <!-- docs-check: static: REASON -->'
        block.mode, block.reason = 'static', reason
        return None
    if not (text == 'run' or text.startswith('run ')):
        return (f'unknown docs-check annotation {text!r}: use "run [OPTIONS]" or '
                f'"static: REASON"')
    block.mode = 'run'
    try:
        words = shlex.split(text[3:], comments=True)
    except ValueError as e:
        return f'cannot parse the annotation {text!r}: {e}'
    if '#' in text:
        block.reason = text.split('#', 1)[1].strip()
    i, current = 0, None
    while i < len(words):
        w = words[i]
        if w in ('--cfg-options', '--env'):
            current = w
        elif w == '--replace':
            if i + 2 >= len(words):
                return '--replace needs OLD and NEW'
            block.replace.append((words[i + 1], words[i + 2]))
            i += 2
            current = None
        elif w == '--skip':
            if i + 1 >= len(words):
                return '--skip needs TEXT'
            block.skip.append(words[i + 1])
            i += 1
            current = None
        elif w == '--expect-fail':
            block.expect_fail = True
            current = None
        elif w == '--timeout':
            try:
                block.timeout = float(words[i + 1])
            except (IndexError, ValueError):
                return '--timeout needs a number of seconds'
            i += 1
            current = None
        elif w.startswith('--'):
            return (f'unknown option {w!r} in the annotation (known: --cfg-options, --env, '
                    f'--replace, --skip, --timeout, --expect-fail)')
        elif current == '--cfg-options' and '=' in w:
            block.cfg_options.append(w)
        elif current == '--env' and re.match(r'^[A-Za-z_]\w*=', w):
            k, v = w.split('=', 1)
            block.env[k] = v
        else:
            return f'unexpected word {w!r} in the annotation'
        i += 1
    return None


def parse_doc(path: str, shown: str) -> Doc:
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    doc = Doc(shown, path, [], [])
    pending: Optional[Tuple[int, str]] = None  # (line, text) of the last annotation
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE_RE.match(line)
        if m:
            fence, lang = m.group(2), m.group(3).lower()
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                          and lines[i].strip().strip(fence[0]) == ''):
                body.append((i + 1, lines[i]))
                i += 1
            if lang in SHELL_LANGS:
                block = Block(shown, start, lang)
                if pending is None:
                    doc.errors.append(
                        f'{shown}:{start}: ```{lang} block without a docs-check annotation: '
                        f'put <!-- docs-check: run --> or <!-- docs-check: static: REASON --> '
                        f'on the line(s) before it')
                else:
                    block.annotation_line = pending[0]
                    err = parse_annotation(pending[1], block)
                    if err:
                        doc.errors.append(f'{shown}:{pending[0]}: {err}')
                block.commands = [Command(shown, no, cmd, block)
                                  for no, cmd in block_commands(body)]
                doc.blocks.append(block)
            elif pending is not None:
                doc.errors.append(f'{shown}:{pending[0]}: docs-check annotation not followed '
                                  f'by a ```bash / ```shell / ```sh block (next is a '
                                  f'```{lang or "(plain)"} block at line {start})')
            pending = None
            i += 1
            continue
        stripped = line.strip()
        if stripped.startswith('<!--') and 'docs-check' in stripped:
            j, text = i, line
            while '-->' not in text and j + 1 < len(lines):
                j += 1
                text += '\n' + lines[j]
            am = ANNOTATION_RE.search(text)
            if am:
                if pending is not None:
                    doc.errors.append(f'{shown}:{pending[0]}: docs-check annotation not '
                                      f'followed by a shell block')
                pending = (i + 1, am.group(1).strip())
            i = j + 1
            continue
        if stripped and pending is not None:
            doc.errors.append(f'{shown}:{pending[0]}: docs-check annotation not followed by '
                              f'a shell block (text comes first at line {i + 1})')
            pending = None
        i += 1
    if pending is not None:
        doc.errors.append(f'{shown}:{pending[0]}: docs-check annotation at the end of the file')
    return doc


# ----------------------------------------------------------------------------- commands
def append_cfg_options(text: str, options: List[str]) -> str:
    """Append ``--cfg-options OPTIONS`` to each train / cross-validation segment."""
    parts = split_segments(text)
    out = []
    for seg, sep in parts:
        words = safe_split(seg)
        if any(w in SHRINK_TOOLS or w.endswith(tuple('/' + t for t in SHRINK_TOOLS))
               for w in words):
            seg = seg.rstrip() + ' --cfg-options ' + ' '.join(shlex.quote(o) for o in options)
        out.append(seg + sep)
    return ''.join(out)


def split_segments(text: str) -> List[Tuple[str, str]]:
    """Split at unquoted && || ; | (keeping the separators)."""
    out, buf, quote, i = [], '', None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            buf += ch
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in '\'"':
            quote = ch
            buf += ch
            i += 1
            continue
        for sep in ('&&', '||', ';', '|'):
            if text.startswith(sep, i):
                out.append((buf, sep))
                buf = ''
                i += len(sep)
                break
        else:
            buf += ch
            i += 1
    out.append((buf, ''))
    return out


def safe_split(seg: str) -> List[str]:
    try:
        return shlex.split(seg)
    except ValueError:
        return seg.split()


PLACEHOLDER_RE = re.compile(r'^[A-Z][A-Z0-9_]*$|[\[\]$<>{}]|\.\.\.|^/path/')


def has_placeholder(args: List[str]) -> bool:
    return any(PLACEHOLDER_RE.search(a) for a in args)


@dataclass
class Call:
    """One tool invocation inside a command."""
    kind: str            # 'python', 'bash', 'make'
    target: str          # tools/x.py, tools/x.sh, make targets (space separated)
    args: List[str]


def find_calls(text: str) -> Tuple[List[Call], List[str]]:
    """The tool calls of a command, and problems found while reading it."""
    calls, problems = [], []
    for seg, _ in split_segments(text):
        words = safe_split(seg.strip())
        while words and (re.match(r'^[A-Za-z_]\w*=', words[0]) or words[0] in
                         ('time', 'nohup', 'env', 'exec', 'command')):
            words = words[1:]
        if not words:
            continue
        head = words[0]
        if PYTHON_RE.match(head):
            rest = words[1:]
            while rest and rest[0].startswith('-') and rest[0] not in ('-m', '-c', '-'):
                rest = rest[1:]  # python -u, -X ..., -W ...
            if not rest or rest[0] in ('-m', '-c', '-'):
                continue
            calls.append(Call('python', osp.normpath(rest[0]), rest[1:]))
        elif head in ('bash', 'sh') and len(words) > 1 and not words[1].startswith('-'):
            calls.append(Call('bash', osp.normpath(words[1]), words[2:]))
        elif head.endswith('.sh') and '/' in head:
            calls.append(Call('bash', osp.normpath(head), words[1:]))
        elif head == 'make':
            targets, skip_next = [], False
            for w in words[1:]:
                if skip_next:
                    skip_next = False
                    continue
                if w in ('-C', '-f', '-j', '-l', '-o', '-W', '-I'):
                    skip_next = w != '-j'
                    if w in ('-C', '-f'):
                        problems.append(f'make {w} is not supported by the docs check')
                    continue
                if w.startswith('-') or '=' in w:
                    continue
                targets.append(w)
            calls.append(Call('make', ' '.join(targets or ['(default)']), []))
    return calls, problems


def makefile_targets(root: str) -> List[str]:
    path = osp.join(root, 'Makefile')
    if not osp.isfile(path):
        return []
    targets = []
    with open(path) as f:
        for line in f:
            m = re.match(r'^([A-Za-z0-9_.%/$()-][A-Za-z0-9_.%/$() -]*?)\s*::?(?!=)', line)
            if m and not line.startswith('\t'):
                targets += [t for t in m.group(1).split()
                            if not t.startswith('.') and '$' not in t and '%' not in t]
    return targets


def repo_paths(text: str) -> List[str]:
    out = []
    for m in REPO_PATH_RE.finditer(text):
        p = m.group(1).rstrip('.,')
        if p.endswith('/'):
            p = p.rstrip('/')
        out.append(p)
    return out


def path_exists(root: str, p: str) -> bool:
    if any(c in p for c in '*?['):
        return bool(glob.glob(osp.join(root, p)))
    return osp.exists(osp.join(root, p))


# ----------------------------------------------------------------------------- argparse
HARNESS = r'''
import argparse, io, json, os, runpy, sys, contextlib
jobs = json.load(sys.stdin)
class _Captured(BaseException):
    pass
orig_parse_args = argparse.ArgumentParser.parse_args
orig_known = argparse.ArgumentParser.parse_known_args
results = {}
def option_names(parser):
    names = set(parser._option_string_actions)
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for sub in a.choices.values():
                names |= option_names(sub)
    return names
for tool, cases in jobs.items():
    box = {}
    def grab(self, args=None, namespace=None):
        box['parser'] = self
        raise _Captured()
    argparse.ArgumentParser.parse_args = grab
    argparse.ArgumentParser.parse_known_args = grab
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [tool, '--help']
    sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
    err = io.StringIO()
    problem = None
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            runpy.run_path(tool, run_name='__main__')
    except _Captured:
        pass
    except SystemExit as e:
        problem = f'exited ({e.code}) before parsing its arguments'
    except BaseException as e:
        problem = f'failed before parsing its arguments: {type(e).__name__}: {e}'
    finally:
        argparse.ArgumentParser.parse_args = orig_parse_args
        argparse.ArgumentParser.parse_known_args = orig_known
        sys.argv, sys.path[:] = saved_argv, saved_path
    parser = box.get('parser')
    out = []
    if parser is None:
        tail = err.getvalue().strip().splitlines()[-3:]
        results[tool] = dict(problem=(problem or 'does not parse its arguments with argparse')
                             + (': ' + ' | '.join(tail) if tail else ''), cases=[])
        continue
    names = option_names(parser)
    for case in cases:
        # exact option names only: argparse would also take an unambiguous prefix
        bad = [a.split('=', 1)[0] for a in case['args']
               if a.startswith('--') and len(a) > 2 and a.split('=', 1)[0] not in names]
        if bad or case['mode'] == 'options':
            out.append(f'unknown option(s) {", ".join(bad)} (the tool knows: '
                       f'{", ".join(sorted(n for n in names if n.startswith("--")))})'
                       if bad else None)
            continue
        buf = io.StringIO()
        try:
            with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
                parser.parse_args(case['args'])
            out.append(None)
        except SystemExit as e:
            if e.code in (0, None):  # --help, --version
                out.append(None)
                continue
            msg = [l for l in buf.getvalue().strip().splitlines() if l.strip()]
            out.append(msg[-1] if msg else f'argument parsing exited with {e.code}')
        except BaseException as e:
            out.append(f'{type(e).__name__}: {e}')
    results[tool] = dict(problem=None, cases=out)
print('@@RESULTS@@' + json.dumps(results))
'''


def check_arguments(root: str, jobs: Dict[str, List[dict]], timeout: float = 300):
    """{tool: [case]} -> {tool: dict(problem, cases=[error or None])}, in one process."""
    if not jobs:
        return {}
    env = dict(os.environ, HF_HUB_OFFLINE=os.environ.get('HF_HUB_OFFLINE', '1'),
               PYTHONPATH=os.pathsep.join([root, os.environ.get('PYTHONPATH', '')]).rstrip(
                   os.pathsep))
    proc = subprocess.run([sys.executable, '-c', HARNESS], input=json.dumps(jobs), cwd=root,
                          env=env, capture_output=True, text=True, timeout=timeout)
    marker = proc.stdout.rfind('@@RESULTS@@')
    if marker < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {t: dict(problem='argument check crashed: ' + ' | '.join(tail), cases=[])
                for t in jobs}
    return json.loads(proc.stdout[marker + len('@@RESULTS@@'):])


def expand_globs(root: str, args: List[str]) -> List[str]:
    out = []
    for a in args:
        if any(c in a for c in '*?') and not a.startswith('-'):
            found = sorted(glob.glob(osp.join(root, a)))
            out += [osp.relpath(f, root) for f in found] or [a]
        else:
            out.append(a)
    return out


# ----------------------------------------------------------------------------- checks
def static_check(docs: List[Doc], root: str = ROOT) -> List[str]:
    errors: List[str] = []
    targets = makefile_targets(root)
    jobs: Dict[str, List[dict]] = {}
    refs: Dict[str, List[Tuple[str, str]]] = {}  # tool -> [(where, shown command)]
    for doc in docs:
        errors += doc.errors
        errors += check_links(doc, root)
        for block in doc.blocks:
            for cmd in block.commands:
                for text in {cmd.text, cmd.effective()} if block.mode == 'run' else {cmd.text}:
                    errors += check_command(cmd, text, root, targets, jobs, refs)
    results = check_arguments(root, jobs)
    for tool, res in results.items():
        if res['problem']:
            where = refs[tool][0][0]
            errors.append(f'{where}: python {tool} {res["problem"]}')
            continue
        for (where, shown), err in zip(refs[tool], res['cases']):
            if err:
                errors.append(f'{where}: {shown}: {err}')
    return sorted(set(errors), key=_error_order)


def _error_order(e: str):
    m = re.match(r'^(.*?):(\d+):', e)
    return (m.group(1), int(m.group(2))) if m else (e, 0)


def check_command(cmd: Command, text: str, root: str, targets: List[str],
                  jobs: Dict[str, List[dict]], refs) -> List[str]:
    errors = []
    where = cmd.where
    for p in repo_paths(text):
        if '$' in p or re.search(r'(^|/)[A-Z][A-Z_]*(/|$)', p):
            continue  # a placeholder
        if not path_exists(root, p):
            errors.append(f'{where}: {p} does not exist (command: {short(text)})')
    calls, problems = find_calls(text)
    errors += [f'{where}: {p}' for p in problems]
    for call in calls:
        if call.kind == 'make':
            for t in call.target.split():
                if t not in targets:
                    errors.append(f'{where}: make target {t!r} is not in the Makefile '
                                  f'(targets: {", ".join(targets)})')
            continue
        if not osp.isfile(osp.join(root, call.target)):
            errors.append(f'{where}: {call.target} does not exist (command: {short(text)})')
            continue
        tool, args = call.target, call.args
        if call.kind == 'bash' and tool in LAUNCHERS:
            tool, n_own, passed = LAUNCHERS[tool]
            own = args[:n_own]
            if len(own) < n_own:
                errors.append(f'{where}: {call.target} needs {n_own} arguments before the '
                              f'ones it passes on (command: {short(text)})')
                continue
            args = [own[k] for k in passed] + args[n_own:]
            if call.target == 'tools/slurm_train.sh':
                args += ['--work-dir', own[3]]
        elif call.kind != 'python' or not tool.endswith('.py'):
            continue
        if not tool.startswith('tools/'):
            continue
        mode = 'options' if has_placeholder(args) else 'full'
        jobs.setdefault(tool, []).append(dict(args=expand_globs(root, args), mode=mode))
        refs.setdefault(tool, []).append((where, short(text)))
    return errors


def short(text: str, n: int = 110) -> str:
    return text if len(text) <= n else text[:n - 3] + '...'


LINK_RE = re.compile(r'(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
IMG_RE = re.compile(r'<img\s[^>]*src="([^"]+)"', re.I)


def github_slug(heading: str) -> str:
    h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading.strip())
    h = re.sub(r'[^\w\- ]', '', h.lower())
    return h.replace(' ', '-')


def prose_lines(path: str):
    """(line number, line) of a markdown file outside fenced code blocks."""
    in_fence, fence = False, ''
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for no, line in enumerate(lines, 1):
        m = FENCE_RE.match(line)
        if m:
            if not in_fence:
                in_fence, fence = True, m.group(2)[0]
            elif line.strip().strip(fence) == '':
                in_fence = False
            continue
        if not in_fence:
            yield no, line


def anchors(path: str) -> List[str]:
    out, seen = [], {}
    for _, line in prose_lines(path):
        h = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
        if h:
            s = github_slug(h.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.append(s if n == 0 else f'{s}-{n}')
        for a in re.findall(r'<a\s+(?:name|id)="([^"]+)"', line):
            out.append(a)
    return out


def check_links(doc: Doc, root: str) -> List[str]:
    errors = []
    base = osp.dirname(doc.path)
    for no, line in prose_lines(doc.path):
        plain = re.sub(r'`[^`]*`', '', line)
        targets = [t for _, _, t in LINK_RE.findall(plain)] + IMG_RE.findall(plain)
        for t in targets:
            if re.match(r'^[a-z][a-z0-9+.-]*:', t, re.I):
                continue  # http:, https:, mailto:, ...
            target, _, anchor = t.partition('#')
            path = osp.normpath(osp.join(base, target)) if target else doc.path
            if target and not osp.exists(path):
                errors.append(f'{doc.file}:{no}: link target {t!r} does not exist')
                continue
            if anchor and path.endswith('.md') and osp.isfile(path):
                if anchor not in anchors(path):
                    shown = doc.file if path == doc.path else osp.relpath(path, root)
                    errors.append(f'{doc.file}:{no}: link {t!r}: no heading with anchor '
                                  f'#{anchor} in {shown}')
    return errors


# ----------------------------------------------------------------------------- run
def make_scratch(root: str, scratch: Optional[str]) -> str:
    dest = scratch or tempfile.mkdtemp(prefix='smilezoo-docs-check-')
    os.makedirs(dest, exist_ok=True)
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           cwd=root, capture_output=True, text=True, check=True).stdout
    for rel in sorted(set(filter(None, files.split('\0')))):
        src = osp.join(root, rel)
        if not osp.lexists(src) or osp.isdir(src):
            continue  # deleted in the working tree, or a submodule
        out = osp.join(dest, rel)
        os.makedirs(osp.dirname(out), exist_ok=True)
        shutil.copy2(src, out, follow_symlinks=False)
    venv = osp.join(root, '.venv')
    if not osp.isdir(venv) and sys.prefix != sys.base_prefix:
        venv = sys.prefix
    if osp.isdir(venv):
        link = osp.join(dest, '.venv')
        os.makedirs(link, exist_ok=True)
        for name in os.listdir(venv):
            if name != '.smilezoo-installed' and not osp.lexists(osp.join(link, name)):
                os.symlink(osp.join(osp.abspath(venv), name), osp.join(link, name))
        # the environment is set up: `make demo` must not reinstall into the user's venv
        with open(osp.join(link, '.smilezoo-installed'), 'w') as f:
            f.write('linked by tools/check_docs.py\n')
    return dest


def run_env(scratch: str, extra: Dict[str, str]) -> Dict[str, str]:
    env = dict(os.environ)
    venv_bin = osp.join(scratch, '.venv', 'bin')
    if osp.isdir(venv_bin):
        env['PATH'] = venv_bin + os.pathsep + env.get('PATH', '')
        env['VIRTUAL_ENV'] = osp.join(scratch, '.venv')
    env['PYTHONPATH'] = scratch
    env.setdefault('HF_HUB_OFFLINE', '1')
    env['SMILEZOO_CACHE'] = osp.join(scratch, '.cache', 'smilezoo')
    env['PYTHONUNBUFFERED'] = '1'
    env.setdefault('MPLBACKEND', 'Agg')
    env.pop('PYTHONHOME', None)
    env.update(extra)
    return env


def tail(path: str, n: int) -> List[str]:
    try:
        with open(path, errors='replace') as f:
            lines = [ln.rstrip('\n') for ln in f.read().replace('\r', '\n').split('\n')]
    except OSError:
        return []
    return [ln for ln in lines if ln.strip()][-n:]


def run_commands(commands: List[Command], scratch: str, default_timeout: float,
                 keep_going: bool, console) -> List[dict]:
    from smilezoo.utils.progress import ProgressBar
    logs = osp.join(scratch, '.docs-check-logs')
    os.makedirs(logs, exist_ok=True)
    results = []
    with ProgressBar('docs', len(commands), console=console, transient=True,
                     enabled=console.is_terminal) as progress:
        for k, cmd in enumerate(commands, 1):
            text = cmd.effective()
            timeout = cmd.block.timeout or default_timeout
            progress.describe(f'{cmd.where} {short(text, 60)}')
            console.print(f'[bold][{k}/{len(commands)}][/bold] {cmd.where}  $ {text}',
                          highlight=False, markup=True, soft_wrap=True)
            out_log = osp.join(logs, f'{k:03d}.stdout')
            err_log = osp.join(logs, f'{k:03d}.stderr')
            start = time.time()
            status, code = 'ok', 0
            with open(out_log, 'w') as out, open(err_log, 'w') as err:
                proc = subprocess.Popen(['bash', '-e', '-o', 'pipefail', '-c', text],
                                        cwd=scratch, env=run_env(scratch, cmd.block.env),
                                        stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
                try:
                    code = proc.wait(timeout=timeout)
                    if cmd.block.expect_fail:
                        status = 'ok' if code != 0 else 'exit 0, expected a failure'
                    elif code != 0:
                        status = f'exit {code}'
                except subprocess.TimeoutExpired:
                    stop_group(proc)
                    status, code = f'timed out after {timeout:.0f} s', -1
                except BaseException:  # Ctrl-C, or SIGTERM (a test's time-out): stop it too
                    stop_group(proc)
                    raise
            secs = time.time() - start
            results.append(dict(command=cmd, text=text, status=status, seconds=secs,
                                stdout=out_log, stderr=err_log))
            progress.advance()
            colour = 'green' if status == 'ok' else 'red'
            console.print(f'    [{colour}]{status}[/{colour}] ({secs:.0f} s)', highlight=False)
            if status != 'ok':
                report_failure(results[-1], console)
                if not keep_going:
                    break
    return results


def stop_group(proc) -> None:
    """End a command and everything it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _sigterm(signum, frame):
    raise SystemExit(128 + signum)


def report_failure(res: dict, console) -> None:
    cmd = res['command']
    console.print(f'[red]FAILED[/red] {cmd.where}: {res["text"]}\n  ({res["status"]}); '
                  f'output in {res["stdout"]} and {res["stderr"]}', highlight=False,
                  soft_wrap=True)
    err = tail(res['stderr'], 30)
    if err:
        console.print('--- stderr (tail)', highlight=False)
        console.print('\n'.join(err), highlight=False, markup=False, soft_wrap=True)
    if len(err) < 5:
        out = tail(res['stdout'], 15)
        if out:
            console.print('--- stdout (tail)', highlight=False)
            console.print('\n'.join(out), highlight=False, markup=False, soft_wrap=True)


def print_table(results: List[dict], not_run: int, console, total_s: float) -> None:
    from rich.table import Table
    table = Table(title=f'docs check: {len(results)} command(s) run in {total_s:.0f} s'
                        f' ({not_run} checked statically only)')
    table.add_column('#', justify='right')
    table.add_column('where')
    table.add_column('command')
    table.add_column('result')
    table.add_column('s', justify='right')
    for k, r in enumerate(results, 1):
        ok = r['status'] == 'ok'
        table.add_row(str(k), r['command'].where, short(r['text'], 70),
                      '[green]ok[/green]' if ok else f'[red]{r["status"]}[/red]',
                      f'{r["seconds"]:.0f}')
    console.print(table)


# ----------------------------------------------------------------------------- main
def default_files(root: str) -> List[str]:
    files = ['README.md'] if osp.isfile(osp.join(root, 'README.md')) else []
    files += sorted(osp.relpath(p, root) for p in
                    glob.glob(osp.join(root, 'docs', '**', '*.md'), recursive=True))
    return files


def load_docs(files: List[str], root: str = ROOT) -> Tuple[List[Doc], List[str]]:
    docs, errors = [], []
    for f in files:
        path = f if osp.isabs(f) else (osp.join(root, f) if osp.exists(osp.join(root, f))
                                       else osp.abspath(f))
        if not osp.isfile(path):
            errors.append(f'{f}: no such file')
            continue
        docs.append(parse_doc(path, f))
    return docs, errors


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('files', nargs='*',
                        help='markdown files (default: README.md and docs/**/*.md)')
    parser.add_argument('--run', action='store_true',
                        help='also run the run-annotated commands in a scratch copy')
    parser.add_argument('--list', action='store_true',
                        help='list every command and what the check does with it')
    parser.add_argument('--timeout', type=float, default=DEFAULT_TIMEOUT,
                        help=f'default per-command time limit in seconds ({DEFAULT_TIMEOUT})')
    parser.add_argument('--keep-going', action='store_true',
                        help='with --run: run every command, report all failures')
    parser.add_argument('--scratch', help='with --run: use this folder for the scratch copy '
                        '(kept afterwards)')
    parser.add_argument('--keep', action='store_true',
                        help='with --run: keep the scratch copy (it is kept on failure anyway)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from rich.console import Console
    console = Console(stderr=False, highlight=False,
                      width=None if sys.stdout.isatty() else 160)
    files = args.files or default_files(ROOT)
    docs, errors = load_docs(files)
    commands = [c for d in docs for b in d.blocks for c in b.commands]
    if args.list:
        from rich.table import Table
        table = Table(title=f'{len(commands)} command(s) in {len(docs)} file(s)')
        for col in ('where', 'command', 'check'):
            table.add_column(col)
        for c in commands:
            b = c.block
            what = ('run' if c.runs else f'static: {b.reason}' if b.mode == 'static'
                    else 'static (--skip)' if b.mode == 'run' else '[red]no annotation[/red]')
            if c.runs and c.effective() != c.text:
                what = f'run as: {c.effective()}'
            table.add_row(c.where, c.text, what)
        console.print(table)
        return 1 if errors or any(d.errors for d in docs) else 0
    start = time.time()
    errors += static_check(docs)
    n_blocks = sum(len(d.blocks) for d in docs)
    if errors:
        for e in errors:
            console.print(f'[red]error[/red] {e}', soft_wrap=True, highlight=False)
        console.print(f'docs check: {len(errors)} error(s) in {len(docs)} file(s), '
                      f'{n_blocks} shell block(s), {len(commands)} command(s) '
                      f'({time.time() - start:.1f} s)')
        return 1
    console.print(f'docs check: static checks passed: {len(docs)} file(s), {n_blocks} shell '
                  f'block(s), {len(commands)} command(s) ({time.time() - start:.1f} s)')
    if not args.run:
        return 0
    to_run = [c for c in commands if c.runs]
    signal.signal(signal.SIGTERM, _sigterm)  # so that the running command is ended too
    scratch = make_scratch(ROOT, args.scratch)
    console.print(f'running {len(to_run)} command(s) in the scratch copy {scratch}')
    start = time.time()
    results = run_commands(to_run, scratch, args.timeout, args.keep_going, console)
    print_table(results, len(commands) - len(to_run), console, time.time() - start)
    failed = [r for r in results if r['status'] != 'ok']
    if failed:
        for r in failed:
            console.print(f'[red]FAILED[/red] {r["command"].where}: {r["text"]} '
                          f'({r["status"]})', soft_wrap=True, highlight=False)
        console.print(f'scratch copy kept for inspection: {scratch}')
        return 1
    if not (args.keep or args.scratch):
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        console.print(f'scratch copy kept: {scratch}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
