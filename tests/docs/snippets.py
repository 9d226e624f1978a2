"""Find the code blocks of the Markdown docs that the test suite runs (see test_snippets.py).

The Markdown is parsed with markdown-it-py (a CommonMark parser), so fences inside list items,
longer fences and tildes are read as a renderer reads them. Each fenced block becomes a
:class:`Snippet` named ``<file>:<line of the opening fence>``.

An HTML comment right before a block (invisible on the rendered page) adjusts it:

* ``<!-- snippet: skip (why) -->``: not run; the test is reported as skipped with that reason.
* ``<!-- snippet: requires MODULE[, MODULE...] -->``: run only when each module can be
  imported (an optional dependency); otherwise skipped, naming the module.
* ``<!-- snippet: copy PATH[, PATH...] (why) -->``: copy these files of the project (paths
  from its root) into the block's working directory first, for a block that reads a file
  the reader has in their clone (README.md, a flow file).

A marker that names something else, or that is not followed by a block that runs, is an
error: a typo must never turn a snippet off silently.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

#: Fence languages that run, and the interpreter each runs in.
RUNNERS = {"python": "python", "py": "python", "bash": "bash", "sh": "bash", "shell": "bash"}

MARKER = re.compile(r"<!--\s*snippet:\s*(?P<body>.*?)\s*-->", re.DOTALL)
SKIP = re.compile(r"skip\s*\((?P<reason>[^)]+)\)\Z", re.DOTALL)
REQUIRES = re.compile(r"requires\s+(?P<modules>[\w.]+(?:\s*,\s*[\w.]+)*)\Z")
COPY = re.compile(r"copy\s+(?P<paths>[\w./-]+(?:\s*,\s*[\w./-]+)*)(?:\s*\([^)]*\))?\Z")


class MarkerError(ValueError):
    """A ``<!-- snippet: ... -->`` comment that cannot be honoured."""


@dataclass(frozen=True)
class Snippet:
    """One fenced code block that runs."""

    path: str  #: relative to the project root, with forward slashes
    line: int  #: 1-based line of the opening fence
    lang: str  #: the fence's language, as written
    runner: str  #: "python" or "bash"
    code: str
    skip: str | None = None  #: why it does not run, from a skip marker
    requires: tuple[str, ...] = ()  #: modules it needs, from a requires marker
    files: tuple[str, ...] = ()  #: project files copied into its working directory

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ConsoleCommand:
    """One ``$ gladier ...`` line of a ```` ```console ```` transcript."""

    path: str
    line: int  #: 1-based line of the ``$`` prompt
    text: str  #: the command as written, without the prompt
    argv: tuple[str, ...]  #: the ``gladier`` command's words, without redirections and pipes
    exit_code: int  #: from a "(exit code N)" note right after the block, else 0

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


#: Where the first command of a shell line ends.
COMMAND_END = re.compile(r"\s(?:\|\|?|&&|;)\s")
#: Redirections (``2>&1``, ``> file``, ``2>/dev/null``) in a shell line.
REDIRECTION = re.compile(r"\s\d*(?:>>?|<)&?\s*\S+")
ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
EXIT_NOTE = re.compile(r"\(exit code (\d+)\)")


def console_commands(text: str, path: str) -> list[ConsoleCommand]:
    """The ``gladier`` commands shown in the console transcripts of one Markdown document."""
    found: list[ConsoleCommand] = []
    tokens = MarkdownIt("commonmark").parse(text)
    for index, token in enumerate(tokens):
        if token.type != "fence" or token.info.split()[:1] != ["console"] or not token.map:
            continue
        following = tokens[index + 1 : index + 3]
        note = None
        if len(following) == 2 and following[0].type == "paragraph_open":
            note = EXIT_NOTE.match(following[1].content.strip())
        exit_code = int(note.group(1)) if note else 0
        lines = token.content.splitlines()
        number = 0
        while number < len(lines):
            line, start = lines[number], number
            number += 1
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.endswith("\\") and number < len(lines):
                command = command[:-1] + lines[number]
                number += 1
            words = shlex.split(REDIRECTION.sub("", COMMAND_END.split(command)[0]))
            while words and ENV_ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words[:1] == ["gladier"]:
                line_no = token.map[0] + 2 + start
                found.append(ConsoleCommand(path, line_no, command, tuple(words), exit_code))
    return found


def find_console_commands(root: Path) -> list[ConsoleCommand]:
    """Every ``gladier`` command of a console transcript, in README.md and docs/."""
    found: list[ConsoleCommand] = []
    for file in doc_files(root):
        text = file.read_text(encoding="utf-8")
        found += console_commands(text, file.relative_to(root).as_posix())
    return found


def doc_files(root: Path) -> list[Path]:
    """README.md and every Markdown file under docs/, in a stable order."""
    files = [root / "README.md"] if (root / "README.md").exists() else []
    return files + sorted((root / "docs").rglob("*.md"))


@dataclass(frozen=True)
class Markers:
    """What the marker comments before one block declare."""

    skip: str | None = None
    requires: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


def parse_markers(text: str, where: str) -> Markers:
    """The skip reason, required modules and files to copy that ``text``'s comments declare."""
    skip: str | None = None
    requires: list[str] = []
    files: list[str] = []
    for match in MARKER.finditer(text):
        body = " ".join(match.group("body").split())
        if found := SKIP.match(body):
            skip = found.group("reason").strip()
        elif found := REQUIRES.match(body):
            requires += [name.strip() for name in found.group("modules").split(",")]
        elif found := COPY.match(body):
            files += [name.strip() for name in found.group("paths").split(",")]
        else:
            raise MarkerError(
                f"{where}: unknown snippet marker {match.group(0)!r}; write "
                "'<!-- snippet: skip (why) -->', '<!-- snippet: requires MODULE -->' or "
                "'<!-- snippet: copy PATH -->'"
            )
    return Markers(skip, tuple(requires), tuple(files))


def snippets_in(text: str, path: str) -> list[Snippet]:
    """The blocks of one Markdown document that run, in order."""
    found: list[Snippet] = []
    pending: list[tuple[int, str]] = []  # marker comments waiting for their block
    for token in MarkdownIt("commonmark").parse(text):
        line = token.map[0] + 1 if token.map else 0
        if token.type == "html_block" and MARKER.search(token.content):
            pending.append((line, token.content))
            continue
        if token.type != "fence":
            if pending:
                _dangling(path, pending)
            continue
        lang = token.info.split()[0].lower() if token.info.strip() else ""
        if pending and lang not in RUNNERS:
            _dangling(path, pending)
        skip: str | None = None
        requires: tuple[str, ...] = ()
        files: tuple[str, ...] = ()
        for marker_line, comment in pending:
            markers = parse_markers(comment, f"{path}:{marker_line}")
            skip = markers.skip or skip
            requires += markers.requires
            files += markers.files
        pending = []
        if lang in RUNNERS:
            code = token.content
            found.append(Snippet(path, line, lang, RUNNERS[lang], code, skip, requires, files))
    if pending:
        _dangling(path, pending)
    return found


def _dangling(path: str, pending: list[tuple[int, str]]) -> None:
    line, comment = pending[0]
    raise MarkerError(
        f"{path}:{line}: the marker {comment.strip()!r} is not right before a ```python or "
        "```bash block; put it on the line above the block it is meant for"
    )


def find_snippets(root: Path) -> list[Snippet]:
    """Every block that runs, in README.md and docs/."""
    found: list[Snippet] = []
    for file in doc_files(root):
        found += snippets_in(file.read_text(encoding="utf-8"), file.relative_to(root).as_posix())
    return found
