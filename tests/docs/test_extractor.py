"""The snippet extractor: which blocks run, their ids, and the markers that adjust them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.snippets import (
    MarkerError,
    console_commands,
    doc_files,
    find_snippets,
    snippets_in,
)

DOC = """\
# Title

```python
print("one")
```

```console
$ gladier --help
Usage: gladier ...
```

<!-- snippet: skip (needs a Globus login) -->
```bash
gladier login
```

1. A step:

   ```sh
   echo nested
   ```

<!-- snippet: requires numpy, gladier_tools -->
~~~py
import numpy
~~~

```text
output only
```

```
no language
```
"""


def test_only_python_and_shell_blocks_run_with_the_line_of_their_fence() -> None:
    found = snippets_in(DOC, "docs/x.md")
    assert [(s.id, s.lang, s.runner) for s in found] == [
        ("docs/x.md:3", "python", "python"),
        ("docs/x.md:13", "bash", "bash"),
        ("docs/x.md:19", "sh", "bash"),
        ("docs/x.md:24", "py", "python"),
    ]
    assert found[0].code == 'print("one")\n'
    assert found[2].code == "echo nested\n"  # the list item's indentation is removed


def test_markers_skip_with_their_reason_or_require_modules() -> None:
    first, login, nested, numpy = snippets_in(DOC, "docs/x.md")
    assert (first.skip, first.requires) == (None, ())
    assert login.skip == "needs a Globus login"
    assert nested.skip is None
    assert numpy.requires == ("numpy", "gladier_tools")


def test_a_copy_marker_names_project_files_with_an_optional_reason() -> None:
    text = (
        "<!-- snippet: copy README.md, docs/flow.json (the files it reads) -->\n"
        "```python\nopen('README.md')\n```\n"
    )
    (block,) = snippets_in(text, "a.md")
    assert block.files == ("README.md", "docs/flow.json")
    assert block.skip is None


def test_a_marker_applies_to_the_next_block_only() -> None:
    text = "<!-- snippet: skip (slow) -->\n```bash\nsleep 1\n```\n\n```bash\ntrue\n```\n"
    slow, quick = snippets_in(text, "a.md")
    assert slow.skip == "slow" and quick.skip is None


def test_an_unknown_marker_is_an_error_naming_the_line() -> None:
    text = "intro\n\n<!-- snippet: skpi (typo) -->\n```python\npass\n```\n"
    with pytest.raises(MarkerError, match=r"a\.md:3: unknown snippet marker"):
        snippets_in(text, "a.md")


@pytest.mark.parametrize(
    "text",
    [
        "<!-- snippet: skip (x) -->\n\nSome prose.\n\n```python\npass\n```\n",
        "<!-- snippet: skip (x) -->\n```console\n$ true\n```\n",
        "text\n\n<!-- snippet: skip (x) -->\n",
    ],
    ids=["prose-between", "block-that-does-not-run", "end-of-file"],
)
def test_a_marker_not_right_before_a_block_that_runs_is_an_error(text: str) -> None:
    with pytest.raises(MarkerError, match="not right before"):
        snippets_in(text, "a.md")


def test_other_html_comments_are_left_alone() -> None:
    text = "<!-- a note for editors -->\n```python\npass\n```\n"
    assert snippets_in(text, "a.md")[0].skip is None


def test_the_project_docs_are_all_found(tmp_path: Path) -> None:
    (tmp_path / "docs" / "guides").mkdir(parents=True)
    (tmp_path / "README.md").write_text("```bash\ntrue\n```\n")
    (tmp_path / "docs" / "b.md").write_text("```python\npass\n```\n")
    (tmp_path / "docs" / "guides" / "a.md").write_text("```python\npass\n```\n")
    (tmp_path / "docs" / "notes.txt").write_text("```python\npass\n```\n")
    assert [p.relative_to(tmp_path).as_posix() for p in doc_files(tmp_path)] == [
        "README.md",
        "docs/b.md",
        "docs/guides/a.md",
    ]
    assert [s.id for s in find_snippets(tmp_path)] == [
        "README.md:1",
        "docs/b.md:1",
        "docs/guides/a.md:1",
    ]


TRANSCRIPTS = """\
```console
$ gladier runs list --limit 4
RUN ID    STATUS
$ GLADIER_BACKEND=globus gladier whoami --json 2>/dev/null | head -3
{
$ gladier flows run FLOW \\
    -i mean=1 --label 'a label'
$ ls /tmp
```

```console
$ gladier runs list --status SLEEPY
Usage: gladier runs list [OPTIONS]
```
(exit code 2)

```text
$ gladier not-a-transcript
```
"""


def test_console_commands_are_read_without_prompt_pipes_redirections_or_env() -> None:
    found = console_commands(TRANSCRIPTS, "docs/cli.md")
    assert [(c.id, c.argv, c.exit_code) for c in found] == [
        ("docs/cli.md:2", ("gladier", "runs", "list", "--limit", "4"), 0),
        ("docs/cli.md:4", ("gladier", "whoami", "--json"), 0),
        (
            "docs/cli.md:6",
            ("gladier", "flows", "run", "FLOW", "-i", "mean=1", "--label", "a label"),
            0,
        ),
        ("docs/cli.md:12", ("gladier", "runs", "list", "--status", "SLEEPY"), 2),
    ]
