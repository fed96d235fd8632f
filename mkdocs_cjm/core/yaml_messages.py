"""PyYAML's syntax errors in words an author can act on: what is wrong, and a
suggestion, for the loader's messages (`yamlsafe.parse_yaml`)."""

from __future__ import annotations

import yaml

_TOKENS = {
    "'<block mapping start>'": "a new key",
    "'?'": "a new key",
    "'<block sequence start>'": "a list item",
    "'<block end>'": "the end of the block",
    "'<scalar>'": "more text",
    "'<stream end>'": "the end of the file",
    "'<document start>'": "'---'",
}


def _plain_tokens(text: str) -> str:
    for token, words in _TOKENS.items():
        text = text.replace(token, words)
    return text.replace("<block end>", "the end of the block")


def describe_syntax_error(exc: yaml.MarkedYAMLError) -> tuple[str, str | None]:
    """PyYAML's parser wording turned into what an author can act on."""
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    started = ""
    if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        started = f" that starts on line {exc.context_mark.line + 1}"

    if "'\\t'" in problem:
        return (
            "YAML syntax error: a tab character is used for indentation",
            "indent with spaces: YAML does not allow tabs there",
        )
    if "found duplicate anchor" in context:
        first = exc.context_mark.line + 1 if exc.context_mark else 0
        anchor = context.split("'")[1] if "'" in context else ""
        return (
            f"YAML syntax error: the anchor '&{anchor}' is defined twice (first on line {first})",
            "give each anchor its own name",
        )
    if "found undefined alias" in problem:
        alias = problem.split("'")[1] if "'" in problem else ""
        return (
            f"YAML syntax error: the alias '*{alias}' refers to no anchor '&{alias}' before it",
            "define the anchor (&name) before using the alias (*name)",
        )
    if "expected a single document" in context:
        return (
            "YAML syntax error: the file holds more than one YAML document ('---')",
            "keep one map per file",
        )
    if "mapping values are not allowed" in problem:
        return (
            "YAML syntax error: unexpected ':' (a colon followed by a space starts a key)",
            "put text that contains ': ' in quotes, or fix the indentation",
        )
    if "while scanning a quoted scalar" in context and "end of stream" in problem:
        return (
            f"YAML syntax error: a quoted text{started or ' on this line'} is never closed",
            "add the closing quote",
        )
    if "could not find expected ':'" in problem:
        return (
            f"YAML syntax error: a key{started} is not followed by ':'",
            "end the key with ':', or fix the indentation of the lines around it",
        )
    if problem.startswith("expected <block end>"):
        found = _plain_tokens(problem.split("but found ", 1)[-1])
        if found == "more text":
            return (
                "YAML syntax error: more text after a complete value",
                "put the whole value in quotes",
            )
        if found.startswith("'"):
            return (
                f"YAML syntax error: {found} is not expected here",
                "remove it, or quote the value",
            )
        return (
            f"YAML syntax error: {found} is not expected here",
            "check the indentation: align it with the keys or items around it",
        )
    if "cannot start any token" in problem:
        character = problem.split("'")[1] if "'" in problem else ""
        return (
            f"YAML syntax error: a value cannot start with '{character}'",
            "put the value in quotes",
        )
    message = f"YAML syntax error: {_plain_tokens(problem)}"
    if context:
        message += f" ({context}{started})"
    return message, None
