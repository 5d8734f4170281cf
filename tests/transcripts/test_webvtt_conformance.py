"""W3C web-platform-tests for WebVTT file parsing, run against read_subtitles.

Each tests/conformance/webvtt/support/*.test file (format in that folder's README.md) holds JavaScript
assertions on the cues a browser parses, then the WebVTT input. We read the assertions with regexes and
check what a Cue can hold: the number of cues and each cue's id, text, start and end time. Assertions on
cue settings and regions (align, line, position, size, vertical, region, snapToLines, ...) and on style
sheets are not checked: read_subtitles parses and ignores settings, REGION and STYLE blocks on purpose,
as clipdesk shows transcripts, not positioned captions. Those files still check the cue count.

Cue text is compared as the browser's VTTCue.text, which keeps markup; none of these inputs has any, so
it equals our plain Cue.text.

The files expecting zero cues (signature-no-newline, stylesheets-none) are valid WebVTT with no cues: the
browser fires "load", not "error", so read_subtitles returns no cues rather than raising. The inputs
that must fail to load (signature-invalid.html) are not shipped; test_invalid_signature_raises covers
them with inputs rebuilt from the spec's signature rule.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clipdesk.transcripts.subtitles import SubtitleError, read_subtitles

CONFORMANCE = Path(__file__).parents[1] / "conformance" / "webvtt"
TEST_FILES = sorted((CONFORMANCE / "support").glob("*.test"))
CHECKED = ("id", "text", "startTime", "endTime")


@dataclass
class Expected:
    length: int | None = None
    cues: dict[int, dict[str, object]] = field(default_factory=dict)

    def set(self, index: int, prop: str, value: object) -> None:
        self.cues.setdefault(index, {})[prop] = value


# Files whose assertions say nothing about cues (they are about style sheets). These expectations
# follow the parsing algorithm by hand, so the cue parsing of these inputs is still checked.
BY_HAND = {
    "stylesheets-newlines": Expected(2, {0: {"id": "foo", "text": "text"}, 1: {"id": "bar", "text": "text"}}),
    "stylesheets-none": Expected(0),
}


def split_test(path: Path) -> tuple[str, str]:
    """The assertions and the WebVTT input of a .test file, built with wpt's documented rule."""
    body = path.read_text("utf-8")
    header, vtt = body.split("===\n", 1)
    assertions = header.split("\n\n", 1)[1]  # after the title and metadata lines
    return assertions, bytes(vtt, "utf-8").decode("unicode_escape")


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a JS call, given the text after its "("."""
    args, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            quote = None if char == quote and not current.endswith("\\") else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += char
    return [*args, current.strip()]


def js_value(expr: str, env: dict[str, object]) -> object:
    """The value of the few JS expressions these files use as expected values."""
    if match := re.fullmatch(r"'(\w*)' \+ \((\w+) \+ 1\)", expr):  # 'text' + (index + 1)
        return f"{match[1]}{env[match[2]] + 1}"
    if expr in env:
        return env[expr]
    if re.fullmatch(r"'.*'|\".*\"", expr, re.S):
        return bytes(expr[1:-1], "utf-8").decode("unicode_escape")
    return ast.literal_eval(expr)


def js_array(text: str) -> list:
    return ast.literal_eval(f"[{text}]")


ASSERT = re.compile(r"assert_equals\(")
TARGET = re.compile(r"(?:cues\[(\w+)\]|(\w+))\.(\w+)")
FOREACH = re.compile(
    r"(?:\[(?P<array>(?:[^\[\]]|\[[^\[\]]*\])*)\]|(?P<cues>Array\.from\(cues\))|(?P<named>\w+))"
    r"\.forEach\(function\((?P<item>\w+), (?P<index>\w+)\) \{(?P<body>.*?)\n\}\);",
    re.S,
)
FOR_LOOP = re.compile(r"for \(var \w+ = 0; [^)]*\) \{(?P<body>.*?)\n\}", re.S)


def asserted(code: str, env: dict[str, object], cue_vars: dict[str, int]):
    """(cue index, property, expected value) of each assertion on a checked property in code."""
    for match in ASSERT.finditer(code):
        args = split_args(code[match.end() :])
        target = TARGET.fullmatch(args[0])
        if not target or target[3] not in CHECKED:
            continue  # cues.length, settings, regions, style sheets
        if target[1] is not None:
            index = env[target[1]] if target[1] in env else int(target[1])
        else:
            index = cue_vars[target[2]]
        yield index, target[3], js_value(args[1], env)


def check_unsupported_body(body: str) -> None:
    """Loops over settings arrays only assert settings; fail loudly if one ever asserts a cue field."""
    assert not UNSUPPORTED_LOOP_CHECKS.search(body), body


UNSUPPORTED_LOOP_CHECKS = re.compile(rf"assert_equals\([\w\[\]]+\.(?:{'|'.join(CHECKED)}),")


def parse_expectations(assertions: str) -> Expected:
    expected = Expected()
    if match := re.search(r"assert_equals\(cues\.length, (\d+)", assertions):
        expected.length = int(match[1])

    rest = assertions
    for loop in FOREACH.finditer(assertions):
        rest = rest.replace(loop[0], "")
        env_vars = re.findall(r"var (\w+) = \w+\[(\d)\];", loop["body"])
        if loop["cues"]:
            items = [{loop["item"]: i} for i in range(expected.length or 0)]
            for i, cue_var in enumerate(items):
                env = {loop["index"]: i}
                for index, prop, value in asserted(loop["body"], env, cue_var):
                    expected.set(index, prop, value)
        elif (
            loop["array"] is not None
            and "cues[" in loop["body"]
            and any(f".{prop}," in loop["body"] for prop in CHECKED)
        ):
            for i, item in enumerate(js_array(loop["array"])):
                env = {loop["index"]: i, loop["item"]: item}
                env |= {name: item[int(k)] for name, k in env_vars}
                for index, prop, value in asserted(loop["body"], env, {}):
                    expected.set(index, prop, value)
        else:
            check_unsupported_body(loop["body"])
    for loop in FOR_LOOP.finditer(rest):
        rest = rest.replace(loop[0], "")
        check_unsupported_body(loop["body"])

    # What is left is straight-line code, where "var cue = cues[1];" names a cue for the lines after it.
    cue_vars: dict[str, int] = {}
    for line in rest.splitlines():
        if match := re.match(r"\s*var (\w+) = cues\[(\d+)\];", line):
            cue_vars[match[1]] = int(match[2])
        for index, prop, value in asserted(line, {}, cue_vars):
            expected.set(index, prop, value)
    return expected


def test_the_24_cases_are_here():
    assert len(TEST_FILES) == 24


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: path.stem)
def test_built_input_matches_shipped_vtt(path: Path):
    _, vtt = split_test(path)
    assert vtt.encode("utf-8") == (CONFORMANCE / "tests" / "support" / f"{path.stem}.vtt").read_bytes()


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: path.stem)
def test_conformance(path: Path):
    assertions, vtt = split_test(path)
    expected = BY_HAND.get(path.stem) or parse_expectations(assertions)
    assert expected.length is not None, "every case must at least say how many cues there are"

    result = read_subtitles(vtt.encode("utf-8"), filename=path.name)
    assert read_subtitles(vtt).cues == result.cues  # str and bytes read alike

    assert len(result.cues) == expected.length, result.warnings
    for index, props in expected.cues.items():
        cue = result.cues[index]
        actual = {
            "id": cue.identifier or "",  # VTTCue.id is "" for a cue without one
            "text": cue.text,
            "startTime": cue.start_ms,
            "endTime": cue.end_ms,
        }
        for prop, value in props.items():
            if prop in ("startTime", "endTime"):
                value = round(value * 1000)  # seconds in JS, milliseconds in a Cue
            assert actual[prop] == value, f"cues[{index}].{prop}"


# The assertions each case contributes, so a regex that stops matching cannot pass silently.
CHECKS_PER_CASE = {
    "ids": 5,
    "newlines": 8,
    "nulls": 10,
    "settings-multiple": 4,
    "timings-negative": 12,
    "timings-omitted-hours": 9,
    "timings-too-long": 6,
    "timings-too-short": 6,
    "whitespace-chars": 6,
}


@pytest.mark.parametrize("name, count", CHECKS_PER_CASE.items())
def test_assertions_are_read(name: str, count: int):
    assertions, _ = split_test(CONFORMANCE / "support" / f"{name}.test")
    expected = parse_expectations(assertions)
    assert sum(len(props) for props in expected.cues.values()) == count


@pytest.mark.parametrize(
    "data",
    [
        # signature-invalid.html's cases (their .vtt inputs are not shipped), rebuilt from the rule that
        # the file starts with "WEBVTT", then a space, a tab, a line break or the end of the file.
        b"",  # empty
        b"WEBVT\n\n00:00.000 --> 00:01.000\ntext\n",  # partial
        b"WEBVTTX\n\n00:00.000 --> 00:01.000\ntext\n",  # missing whitespace
        b"WEBVTT\x0b\n\n00:00.000 --> 00:01.000\ntext\n",  # invalid whitespace (vertical tab)
        b"WEBVTT\x0c\n\n00:00.000 --> 00:01.000\ntext\n",  # invalid whitespace (form feed)
        b" WEBVTT\n\n00:00.000 --> 00:01.000\ntext\n",  # invalid
        b"webvtt\n\n00:00.000 --> 00:01.000\ntext\n",  # invalid: the signature is case-sensitive
    ],
)
def test_invalid_signature_raises(data: bytes):
    with pytest.raises(SubtitleError):
        read_subtitles(data)


@pytest.mark.parametrize("data", [b"WEBVTT", b"\xef\xbb\xbfWEBVTT\n", b"WEBVTT\tfoo\n", b"WEBVTT \r\n"])
def test_valid_signature_without_cues(data: bytes):
    assert read_subtitles(data).cues == []
