"""Broken maps get one clear line per problem: file, line:column, key path, what and how to fix.

The corpus below is one case per kind of mistake in the journey format's "What must
be rejected" list and the YAML safety rules. Each case starts from the minimal
fixture (channels website/store/hotline, persona lan), changes or adds files, and
asserts every message line exactly. The build-level tests at the end check what
the author sees from `mkdocs build`, and that nothing on disk is harmed.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import BASE_CONFIG, FIXTURES, BuildResult, copy_project, run_build, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_cjm.core.loader import LoadOptions, load_playbook
from mkdocs_cjm.core.problems import MAX_REPORTED, format_report
from mkdocs_cjm.core.yamlsafe import MAX_ALIAS_VALUES, read_yaml

J = "maps/journeys/j.yml"
LAN = "maps/personas/lan.yml"
CHANNELS = "maps/channels.yml"

# A valid journey; cases break one thing in it with `journey(old, new)`.
JOURNEY = """\
title: Buy sunglasses
persona: lan
stages:
  - id: awareness
    name: Awareness
  - id: purchase
    name: Purchase
steps:
  - id: see-ad
    stage: awareness
    channel: website
    action: Sees an ad
    emotion: 4
  - stage: purchase
    channel: store
    action: Buys a pair
"""


def journey(*edits: tuple[str, str]) -> str:
    text = JOURNEY
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur once in the base journey"
        text = text.replace(old, new)
    return text


def alias_bomb() -> str:
    """Nine aliases per level, nine levels: 9**9 values if expanded."""
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "name: Lan\ntraits:\n" + "".join(f"  {line}\n" for line in lines)


@dataclass
class Case:
    id: str
    files: Mapping[str, str | bytes]
    expected: list[str]
    remove: tuple[str, ...] = ()
    options: LoadOptions = field(default_factory=LoadOptions)


CASES = [
    # --- YAML that does not parse -------------------------------------------------
    Case(
        "syntax-unclosed-flow-list",
        {J: journey(("persona: lan", "personas: [lan"))},
        [
            "maps/journeys/j.yml:3:7: error: YAML syntax error: expected ',' or ']', but got ':'"
            " (while parsing a flow sequence that starts on line 2)"
        ],
    ),
    Case(
        "syntax-bad-indentation",
        {J: journey(("    name: Purchase", "   name: Purchase"))},
        [
            "maps/journeys/j.yml:7:4: error: YAML syntax error: a new key is not expected here"
            " (check the indentation: align it with the keys or items around it)"
        ],
    ),
    Case(
        "syntax-colon-in-plain-text",
        {J: journey(("action: Buys a pair", "action: Note: buys a pair"))},
        [
            "maps/journeys/j.yml:16:17: error: YAML syntax error: unexpected ':' (a colon"
            " followed by a space starts a key) (put text that contains ': ' in quotes, or fix"
            " the indentation)"
        ],
    ),
    Case(
        "syntax-unclosed-quote",
        {J: journey(("action: Sees an ad", 'action: "Sees an ad'))},
        [
            "maps/journeys/j.yml:17:1: error: YAML syntax error: a quoted text that starts on"
            " line 12 is never closed (add the closing quote)"
        ],
    ),
    Case(
        "syntax-tab-indentation",
        {J: journey(("    name: Awareness", "\tname: Awareness")).encode()},
        [
            "maps/journeys/j.yml:5:1: error: YAML syntax error: a tab character is used for"
            " indentation (indent with spaces: YAML does not allow tabs there)"
        ],
    ),
    Case(
        "syntax-two-documents",
        {LAN: "name: Lan\n---\nname: Lan again\n"},
        [
            "maps/personas/lan.yml:2:1: error: YAML syntax error: the file holds more than one"
            " YAML document ('---') (keep one map per file)"
        ],
    ),
    # --- bytes that are not UTF-8 text ----------------------------------------------
    Case(
        "not-utf8-latin1",
        {LAN: "name: Lan\ntagline: Café owner\n".encode("latin-1")},
        [
            "maps/personas/lan.yml:2:13: error: the file is not UTF-8: byte 0xE9 is not valid"
            " UTF-8 (save the file with the UTF-8 encoding)"
        ],
    ),
    Case(
        "not-utf8-after-vietnamese-text",
        # Columns count characters: 'Nhận' is 4 characters but 6 bytes.
        {LAN: "name: Nhận ".encode() + b"\xff\n"},
        [
            "maps/personas/lan.yml:1:12: error: the file is not UTF-8: byte 0xFF is not valid"
            " UTF-8 (save the file with the UTF-8 encoding)"
        ],
    ),
    Case(
        "utf16-file",
        {LAN: "name: Lan\n".encode("utf-16")},
        [
            "maps/personas/lan.yml:1:1: error: the file is encoded as UTF-16, not UTF-8 (save"
            " the file with the UTF-8 encoding)"
        ],
    ),
    Case(
        "control-character",
        {LAN: "name: Lan\ntagline: Office\x07 worker\n"},
        [
            "maps/personas/lan.yml:2:16: error: the file contains the control character U+0007,"
            " which YAML does not allow (delete it; it is often invisible, so retype the text"
            " around it)"
        ],
    ),
    Case(
        "lone-surrogate-escape",
        {LAN: 'name: "Lan \\ud800"\n'},
        [
            "maps/personas/lan.yml:1:7: error: name: the text holds an escape between \\ud800"
            " and \\udfff (half of a UTF-16 pair), which is not a character (write the"
            " character itself, or its \\U escape (\\U0001F600 for 😀))"
        ],
    ),
    Case(
        "bom-keeps-positions",
        {LAN: b"\xef\xbb\xbfname: [Lan\n"},
        [
            "maps/personas/lan.yml:2:1: error: YAML syntax error: expected ',' or ']', but got"
            " the end of the file (while parsing a flow sequence that starts on line 1)"
        ],
    ),
    # --- top level of the wrong type ------------------------------------------------
    Case(
        "top-level-list-journey",
        {J: "- title: Buy sunglasses\n- persona: lan\n"},
        [
            "maps/journeys/j.yml:1:1: error: expected a mapping (key: value) describing a"
            " journey, found a list"
        ],
    ),
    Case(
        "top-level-scalar-persona",
        {LAN: "Lan, office worker\n"},
        [
            "maps/personas/lan.yml:1:1: error: expected a mapping (key: value) describing a"
            " persona, found the text 'Lan, office worker'"
        ],
    ),
    Case(
        "top-level-list-channels",
        {CHANNELS: "- website\n- store\n"},
        ["maps/channels.yml:1:1: error: expected a mapping (key: value), found a list"],
    ),
    Case(
        "empty-file",
        {LAN: ""},
        [
            "maps/personas/lan.yml:1:1: error: the file is empty; expected a mapping"
            " (key: value) describing a persona"
        ],
    ),
    Case(
        "only-a-comment",
        {J: "# TODO: write this journey\n"},
        [
            "maps/journeys/j.yml:1:1: error: the file is empty; expected a mapping (key: value)"
            " describing a journey"
        ],
    ),
    # --- duplicate keys -------------------------------------------------------------
    Case(
        "duplicate-key-in-step",
        {J: journey(("    action: Buys a pair\n", "    action: Buys a pair\n    action: Pays\n"))},
        [
            "maps/journeys/j.yml:17:5: error: steps[1].action: duplicate key 'action' (first"
            " given on line 16) (remove one of them: YAML would silently keep only the last)"
        ],
    ),
    Case(
        "duplicate-channel-id",
        {CHANNELS: "website:\n  name: Website\n  type: online\nwebsite:\n  name: Web\n"},
        [
            "maps/channels.yml:4:1: error: website: duplicate key 'website' (first given on"
            " line 1) (remove one of them: YAML would silently keep only the last)"
        ],
    ),
    # --- missing required keys ------------------------------------------------------
    Case(
        "missing-title",
        {J: journey(("title: Buy sunglasses\n", ""))},
        [
            "maps/journeys/j.yml:1:1: error: title: missing required key 'title' in a journey"
            " (add 'title:' with text)"
        ],
    ),
    Case(
        "missing-step-channel",
        {J: journey(("    channel: store\n", ""))},
        [
            "maps/journeys/j.yml:14:5: error: steps[1].channel: missing required key 'channel'"
            " in a step (add 'channel:' with a channel id from channels.yml)"
        ],
    ),
    Case(
        "missing-channel-type",
        {CHANNELS: "website:\n  name: Website\n"},
        [
            "maps/channels.yml:2:3: error: website.type: missing required key 'type' in a"
            " channel (add 'type:' with online or offline)"
        ],
        remove=("maps/journeys/buy-sunglasses.yml",),
    ),
    Case(
        "required-key-empty",
        {LAN: "name:\ntagline: Office worker\n"},
        ["maps/personas/lan.yml:1:6: error: name: 'name' is empty; expected text"],
    ),
    # --- values of the wrong type ---------------------------------------------------
    Case(
        "stages-is-a-mapping",
        {
            J: journey(
                (
                    "  - id: awareness\n    name: Awareness\n  - id: purchase\n    name: Purchase\n",
                    "  awareness: Awareness\n  purchase: Purchase\n",
                )
            )
        },
        [
            "maps/journeys/j.yml:4:3: error: stages: expected a list of stages, found a mapping"
            " (write one item per line, each starting with '- ')"
        ],
    ),
    Case(
        "step-is-text",
        {J: journey(("  - stage: purchase\n", "  - Buys a pair\n  - stage: purchase\n"))},
        [
            "maps/journeys/j.yml:14:5: error: steps[1]: expected a mapping (key: value)"
            " describing a step, found the text 'Buys a pair'"
        ],
    ),
    Case(
        "goals-is-text",
        {LAN: "name: Lan\ngoals: Sunglasses that block UV\n"},
        [
            "maps/personas/lan.yml:2:8: error: goals: expected a list of texts, found the text"
            " 'Sunglasses that block UV' (write one item per line, each starting with '- ')"
        ],
    ),
    Case(
        "tagline-is-a-number",
        {LAN: "name: Lan\ntagline: 28\n"},
        [
            "maps/personas/lan.yml:2:10: error: tagline: expected text, found the number 28"
            " (put it in quotes)"
        ],
    ),
    Case(
        "emotion-in-quotes",
        {J: journey(("emotion: 4", "emotion: '4'"))},
        [
            "maps/journeys/j.yml:13:14: error: steps[0].emotion: expected a whole number from 1"
            " to 5, found the text '4' (remove the quotes)"
        ],
    ),
    Case(
        "higher-is-better-not-boolean",
        {
            J: journey(
                (
                    "    name: Purchase\n",
                    "    name: Purchase\n    kpis:\n      - name: Wait\n"
                    "        higher_is_better: lower\n",
                )
            )
        },
        [
            "maps/journeys/j.yml:10:27: error: stages[1].kpis[0].higher_is_better: expected"
            " true or false, found the text 'lower'"
        ],
    ),
    Case(
        "steps-empty-list",
        {J: journey(("steps:\n", "steps: []\nx_steps:\n"))},
        [
            "maps/journeys/j.yml:8:8: error: steps: expected at least 1 item, found an empty list",
            "maps/journeys/j.yml:9:1: warning: x_steps: unknown key 'x_steps' in a journey"
            " (did you mean 'steps'?)",
        ],
    ),
    # --- unknown keys ---------------------------------------------------------------
    Case(
        "unknown-key-typo",
        {J: journey(("emotion: 4", "emotoin: 4"))},
        [
            "maps/journeys/j.yml:13:5: warning: steps[0].emotoin: unknown key 'emotoin' in a"
            " step (did you mean 'emotion'?)"
        ],
    ),
    Case(
        "unknown-key-strict",
        {J: journey(("emotion: 4", "emotoin: 4"))},
        [
            "maps/journeys/j.yml:13:5: error: steps[0].emotoin: unknown key 'emotoin' in a"
            " step (did you mean 'emotion'?)"
        ],
        options=LoadOptions(strict=True),
    ),
    Case(
        "unknown-key-no-near-match",
        {LAN: "name: Lan\nhobbies: [surfing]\n"},
        [
            "maps/personas/lan.yml:2:1: warning: hobbies: unknown key 'hobbies' in a persona"
            " (expected one of: name, tagline, description, goals, frustrations, traits, reviewed)"
        ],
    ),
    # --- values out of range or outside the allowed set ------------------------------
    Case(
        "emotion-zero",
        {J: journey(("emotion: 4", "emotion: 0"))},
        [
            "maps/journeys/j.yml:13:14: error: steps[0].emotion: 0 is outside 1..5; expected a"
            " whole number from 1 to 5"
        ],
    ),
    Case(
        "emotion-six",
        {J: journey(("emotion: 4", "emotion: 6"))},
        [
            "maps/journeys/j.yml:13:14: error: steps[0].emotion: 6 is outside 1..5; expected a"
            " whole number from 1 to 5"
        ],
    ),
    Case(
        "emotion-fraction",
        {J: journey(("emotion: 4", "emotion: 4.5"))},
        [
            "maps/journeys/j.yml:13:14: error: steps[0].emotion: expected a whole number from 1"
            " to 5, found the number 4.5"
        ],
    ),
    Case(
        "channel-type-digital",
        {CHANNELS: "website:\n  name: Website\n  type: digital\n"},
        [
            "maps/channels.yml:3:9: error: website.type: expected online or offline, found the"
            " text 'digital'"
        ],
        remove=("maps/journeys/buy-sunglasses.yml",),
    ),
    Case(
        "channel-type-capitalised",
        {CHANNELS: "website:\n  name: Website\n  type: Online\n"},
        [
            "maps/channels.yml:3:9: error: website.type: expected online or offline, found the"
            " text 'Online' (did you mean 'online'?)"
        ],
        remove=("maps/journeys/buy-sunglasses.yml",),
    ),
    # --- ids with characters outside [a-z0-9-] ----------------------------------------
    Case(
        "stage-id-capitalised",
        {J: journey(("id: awareness", "id: Awareness"))},
        [
            "maps/journeys/j.yml:4:9: error: stages[0].id: 'Awareness' is not a valid id: use"
            " only lowercase letters, digits and '-' (did you mean 'awareness'?)"
        ],
    ),
    Case(
        "step-id-with-space",
        {J: journey(("id: see-ad", "id: see ad"))},
        [
            "maps/journeys/j.yml:9:9: error: steps[0].id: 'see ad' is not a valid id: use"
            " only lowercase letters, digits and '-' (did you mean 'see-ad'?)"
        ],
    ),
    Case(
        "channel-key-not-an-id",
        {CHANNELS: "Cửa hàng:\n  name: Cửa hàng\n  type: offline\n"},
        [
            "maps/channels.yml:1:1: error: Cửa hàng: 'Cửa hàng' is not a valid id: use only"
            " lowercase letters, digits and '-' (did you mean 'cua-hang'?)"
        ],
        remove=("maps/journeys/buy-sunglasses.yml",),
    ),
    Case(
        "file-stem-not-an-id",
        {"maps/journeys/Mua_Kính.yml": JOURNEY},
        [
            "maps/journeys/Mua_Kính.yml: error: the file name 'Mua_Kính' is not a valid id: file"
            " names are ids and use only lowercase letters, digits and '-' (rename the file to"
            " 'mua-kinh.yml')"
        ],
    ),
    # --- references to unknown things ----------------------------------------------
    Case(
        "unknown-persona",
        {J: journey(("persona: lan", "persona: lann"))},
        [
            "maps/journeys/j.yml:2:10: error: persona: unknown persona 'lann'; expected a"
            " persona id from personas/ (lan) (did you mean 'lan'?)"
        ],
    ),
    Case(
        "unknown-persona-in-list",
        {J: journey(("persona: lan", "personas: [lan, minh]"))},
        [
            "maps/journeys/j.yml:2:17: error: personas[1]: unknown persona 'minh'; expected a"
            " persona id from personas/ (lan) (create personas/minh.yml, or fix the id)"
        ],
    ),
    Case(
        "unknown-channel",
        {J: journey(("channel: website", "channel: webiste"))},
        [
            "maps/journeys/j.yml:11:14: error: steps[0].channel: unknown channel 'webiste';"
            " expected a channel id from channels.yml (hotline, store, website) (did you mean"
            " 'website'?)"
        ],
    ),
    Case(
        "unknown-stage",
        {J: journey(("stage: purchase", "stage: purchasing"))},
        [
            "maps/journeys/j.yml:14:12: error: steps[1].stage: unknown stage 'purchasing';"
            " expected a stage id of this journey (awareness, purchase) (did you mean"
            " 'purchase'?)"
        ],
    ),
    Case(
        "unknown-next-step",
        {J: journey(("    emotion: 4\n", "    emotion: 4\n    next: [step-2, checkout]\n"))},
        [
            "maps/journeys/j.yml:14:20: error: steps[0].next[1]: unknown step 'checkout';"
            " expected a step id of this journey (see-ad, step-2)"
        ],
    ),
    Case(
        "no-channels-file",
        {},
        [
            f"maps/journeys/buy-sunglasses.yml:{line}:14: error: steps[{index}].channel:"
            f" unknown channel '{channel}': there is no channels.yml (create channels.yml in"
            " the maps folder and describe each channel there)"
            for index, (line, channel) in enumerate(
                ((25, "website"), (35, "hotline"), (44, "store"))
            )
        ],
        remove=(CHANNELS,),
    ),
    # --- duplicate ids -------------------------------------------------------------
    Case(
        "duplicate-stage-id",
        {J: journey(("id: purchase", "id: awareness"))},
        [
            "maps/journeys/j.yml:6:9: error: stages[1].id: duplicate stage id 'awareness'"
            " (also stages[0]) (give each stage a unique id)",
            # True, not a cascade: no stage is called purchase any more.
            "maps/journeys/j.yml:14:12: error: steps[1].stage: unknown stage 'purchase';"
            " expected a stage id of this journey (awareness)",
        ],
    ),
    Case(
        "duplicate-step-id",
        {J: journey(("  - stage: purchase", "  - id: see-ad\n    stage: purchase"))},
        [
            "maps/journeys/j.yml:14:9: error: steps[1].id: duplicate step id 'see-ad' (also"
            " steps[0]) (give each step a unique id)"
        ],
    ),
    Case(
        "explicit-id-collides-with-default",
        {
            J: journey(
                ("  - id: see-ad\n", "  - "),
                ("    stage: awareness", "stage: awareness"),
                ("  - stage: purchase", "  - id: step-1\n    stage: purchase"),
            )
        },
        [
            "maps/journeys/j.yml:13:9: error: steps[1].id: duplicate step id 'step-1':"
            " steps[0] has no id, so it is already named step-1 (give each step a unique id)"
        ],
    ),
    Case(
        "both-persona-and-personas",
        {J: journey(("persona: lan", "persona: lan\npersonas: [lan]"))},
        [
            "maps/journeys/j.yml:3:11: error: personas: both 'persona' and 'personas' are"
            " given; expected only one of them (remove one of them)"
        ],
    ),
    # --- YAML safety ---------------------------------------------------------------
    Case(
        "python-object-tag",
        {LAN: "name: !!python/object/apply:os.system ['echo owned']\n"},
        [
            "maps/personas/lan.yml:1:7: error: name: the YAML tag"
            " '!!python/object/apply:os.system' is not allowed (remove the tag: maps hold only"
            " text, numbers, lists and mappings)"
        ],
    ),
    Case(
        "python-name-tag-top-level",
        {J: "!!python/name:os.system\n"},
        [
            "maps/journeys/j.yml:1:1: error: the YAML tag '!!python/name:os.system' is not"
            " allowed (remove the tag: maps hold only text, numbers, lists and mappings)"
        ],
    ),
    Case(
        "custom-tag",
        {J: journey(("action: Sees an ad", "action: !ad Sees an ad"))},
        [
            "maps/journeys/j.yml:12:13: error: steps[0].action: the YAML tag '!ad' is not"
            " allowed (remove the tag: maps hold only text, numbers, lists and mappings)"
        ],
    ),
    Case(
        "alias-bomb",
        {LAN: alias_bomb()},
        [
            f"maps/personas/lan.yml:7:10: error: traits.e[0]: the aliases in this file expand"
            f" to more than {MAX_ALIAS_VALUES:,} values; refused as a possible alias bomb (write"
            " the values out instead of nesting aliases)"
        ],
    ),
    Case(
        "undefined-alias",
        {LAN: "name: *lan_name\n"},
        [
            "maps/personas/lan.yml:1:7: error: YAML syntax error: the alias '*lan_name' refers"
            " to no anchor '&lan_name' before it (define the anchor (&name) before using the"
            " alias (*name))"
        ],
    ),
    Case(
        "nesting-too-deep",
        {LAN: "name: Lan\ntraits:\n  Deep: " + "[" * 100 + "]" * 100 + "\n"},
        [
            "maps/personas/lan.yml:3:71: error: lists and mappings are nested more than 64"
            " levels deep (flatten the structure)"
        ],
    ),
    Case(
        "file-over-size-limit",
        {LAN: "name: Lan\ndescription: " + "x" * 3000 + "\n"},
        [
            "maps/personas/lan.yml:1:1: error: the file is 3,024 bytes, over the limit of 2,000"
            " bytes (split it into smaller maps, or raise the plugin option max_file_size)"
        ],
        options=LoadOptions(max_file_bytes=2000),
    ),
]


def make_project(
    root: Path, files: Mapping[str, str | bytes], remove: tuple[str, ...] = ()
) -> Path:
    """The minimal fixture with some files replaced, added or removed."""
    project = copy_project(FIXTURES / "minimal", root)
    write_project(project, files, config=(project / "mkdocs.yml").read_text(encoding="utf-8"))
    for name in remove:
        (project / name).unlink()
    return project


def messages(project: Path, options: LoadOptions | None = None) -> list[str]:
    result = load_playbook(project / "maps", display_root=project, options=options)
    return [str(problem) for problem in result.problems]


def test_corpus_has_a_case_per_rule() -> None:
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_map_message(case: Case, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", case.files, case.remove)
    assert messages(project, case.options) == case.expected


def test_all_problems_of_all_files_at_once_sorted(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "project",
        {
            LAN: "name: Lan\ntagline: 28\n",
            J: journey(("channel: website", "channel: webiste"), ("emotion: 4", "emotion: 9")),
            "maps/journeys/a.yml": "- not a journey\n",
        },
    )
    assert messages(project) == [
        "maps/journeys/a.yml:1:1: error: expected a mapping (key: value) describing a journey,"
        " found a list",
        "maps/journeys/j.yml:11:14: error: steps[0].channel: unknown channel 'webiste'; expected"
        " a channel id from channels.yml (hotline, store, website) (did you mean 'website'?)",
        "maps/journeys/j.yml:13:14: error: steps[0].emotion: 9 is outside 1..5; expected a"
        " whole number from 1 to 5",
        "maps/personas/lan.yml:2:10: error: tagline: expected text, found the number 28 (put"
        " it in quotes)",
    ]


def test_report_is_capped_but_counts_everything(tmp_path: Path) -> None:
    step = "  - {stage: awareness, channel: website, action: A, emotion: 9}\n"
    text = journey(("steps:\n", "steps:\n" + step * 150))
    project = make_project(tmp_path / "project", {J: text})
    result = load_playbook(project / "maps", display_root=project)
    assert len(result.errors) == 150
    report = format_report(result.errors).splitlines()
    assert report[0] == "journey maps: 150 problems found:"
    assert report[1] == (
        "  maps/journeys/j.yml:9:62: error: steps[0].emotion: 9 is outside 1..5; expected a"
        " whole number from 1 to 5"
    )
    assert len(report) == 1 + MAX_REPORTED + 1
    assert report[-1] == "  ... and 50 more (fix these first)"


def test_alias_bomb_is_refused_with_flat_memory(tmp_path: Path) -> None:
    # Twelve levels of nine aliases: 9**12 values if expanded, far beyond any memory.
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 13)]
    path = tmp_path / "bomb.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        tree, problems = read_yaml(path, "bomb.yml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tree is None
    assert [p.message for p in problems] == [
        f"the aliases in this file expand to more than {MAX_ALIAS_VALUES:,} values; refused as"
        " a possible alias bomb"
    ]
    assert peak < 32 * 1024 * 1024


def test_broken_channel_is_reported_once_not_at_every_use(tmp_path: Path) -> None:
    # The fixture journey uses website at two steps; only channels.yml is wrong.
    project = make_project(
        tmp_path / "project",
        {
            CHANNELS: "website:\n  name: Website\n  type: web\nstore:\n  name: Store\n  type: offline\n"
            "hotline:\n  type: offline\n"
        },
    )
    assert messages(project) == [
        "maps/channels.yml:3:9: error: website.type: expected online or offline, found the text"
        " 'web'",
        "maps/channels.yml:8:3: error: hotline.name: missing required key 'name' in a channel"
        " (add 'name:' with text)",
    ]


def test_broken_stage_is_still_declared_for_its_steps(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: journey(("    name: Awareness\n", ""))})
    assert messages(project) == [
        "maps/journeys/j.yml:4:5: error: stages[0].name: missing required key 'name' in a stage"
        " (add 'name:' with text)",
    ]


def test_invalid_ids_do_not_cascade_into_reference_errors(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "project",
        {
            J: journey(
                ("id: awareness", "id: Awareness"),
                ("id: see-ad", "id: See-Ad"),
                ("    emotion: 4\n", "    emotion: 4\n    next: [see-ad]\n"),
            )
        },
    )
    assert messages(project) == [
        "maps/journeys/j.yml:4:9: error: stages[0].id: 'Awareness' is not a valid id: use only"
        " lowercase letters, digits and '-' (did you mean 'awareness'?)",
        "maps/journeys/j.yml:9:9: error: steps[0].id: 'See-Ad' is not a valid id: use only"
        " lowercase letters, digits and '-' (did you mean 'see-ad'?)",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "42\n",
        "~\n",
        "title: T\npersona: lan\nstages: [{id: a, name: A}]\nsteps: [just text, null, 7, []]\n",
        "title: T\npersona: lan\nstages: [null, {id: a}]\nsteps:\n  - {stage: a, channel: website,"
        " action: x, emotion: 99999999999999999999999999999999999999}\n",
        "title: " + "[" * 60 + "]" * 60 + "\n",
        "title: " + "[" * 5000 + "]" * 5000 + "\n",
        "{" * 3000 + "\n",
        "? [a, b]\n: c\n",
        "<<: 3\n",
        "stages: &s [*s]\n",
        "title: !!binary aGVsbG8=\n",
        "title: !!bool maybe\n",
        "steps:\n  - next: {a: b}\n    id: [x]\n    stage: {}\n",
        '? |\n  multi\n  line key\n: 1\n"title\\nwith\\u2028breaks": [x]\n',
    ],
    ids=lambda text: text[:30],
)
def test_loader_never_raises_on_odd_input(text: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: text.encode()})
    result = load_playbook(project / "maps", display_root=project)
    assert result.errors, "an odd journey file must be reported as an error"
    assert all(problem.file == J for problem in result.problems)
    assert all("\n" not in str(problem) for problem in result.problems)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "persona",
                    "stages",
                    "steps",
                    "id",
                    "stage",
                    "channel",
                    "action",
                    "next",
                    "emotion",
                    "kpis",
                    "name",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_yaml_values)
def test_loader_never_raises_on_any_yaml_value(data: object, tmp_path: Path) -> None:
    project = tmp_path / "fuzz"
    shutil.rmtree(project, ignore_errors=True)
    make_project(project, {J: yaml.safe_dump(data, allow_unicode=True)})
    result = load_playbook(project / "maps", display_root=project)
    # Either a valid journey was read, or at least one problem says why not.
    assert result.errors or any(j.id == "j" for j in result.playbook.journeys)  # type: ignore[union-attr]


# --- what `mkdocs build` shows and leaves on disk ------------------------------------


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_fails_with_the_message_and_no_traceback(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "project", {J: journey(("channel: website", "channel: webiste"))}
    )
    result = run_build(project)
    assert result.returncode != 0
    assert (
        "maps/journeys/j.yml:11:14: error: steps[0].channel: unknown channel 'webiste'; expected"
        " a channel id from channels.yml (hotline, store, website) (did you mean 'website'?)"
    ) in result.output
    assert "Traceback" not in result.output


def test_build_reports_every_file_sorted_by_file_and_line(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "project",
        {
            LAN: "name: Lan\ntagline: [x]\nname: again\n",
            J: journey(("emotion: 4", "emotion: 0"), ("stage: purchase", "stage: buy")),
            "maps/journeys/a.yml": "title: [\n",
        },
    )
    result = run_build(project)
    assert result.returncode != 0
    reported = re.findall(r"^\s*(maps/\S+?):(\d+):\d+: error: ", result.output, re.MULTILINE)
    assert reported == [
        ("maps/journeys/a.yml", "2"),
        ("maps/journeys/j.yml", "13"),
        ("maps/journeys/j.yml", "14"),
        ("maps/personas/lan.yml", "3"),
    ]
    assert "Traceback" not in result.output


def test_failed_build_leaves_last_good_site_and_sources_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: JOURNEY})
    site = tmp_path / "site"
    good = run_build(project, site)
    assert good.returncode == 0, good.output
    assert (site / "playbook/journeys/j/index.html").is_file()
    site_before = tree_hashes(site)

    (project / J).write_text(journey(("emotion: 4", "emotion: 7")), encoding="utf-8")
    sources_before = {name: tree_hashes(project / name) for name in ("maps", "docs")}
    broken = run_build(project, site)
    assert broken.returncode != 0
    assert "steps[0].emotion: 7 is outside 1..5" in broken.output
    # Errors stop the build before MkDocs cleans or writes anything in site_dir.
    assert tree_hashes(site) == site_before
    assert {name: tree_hashes(project / name) for name in ("maps", "docs")} == sources_before


def test_good_build_does_not_touch_maps_or_docs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {})
    before = {name: tree_hashes(project / name) for name in ("maps", "docs")}
    mtimes = {path: path.stat().st_mtime_ns for path in (project / "maps").rglob("*")}
    result = run_build(project)
    assert result.returncode == 0, result.output
    assert {name: tree_hashes(project / name) for name in ("maps", "docs")} == before
    assert {path: path.stat().st_mtime_ns for path in (project / "maps").rglob("*")} == mtimes


UNKNOWN_KEY_WARNING = (
    "maps/journeys/j.yml:13:5: warning: steps[0].emotoin: unknown key 'emotoin' in a step"
    " (did you mean 'emotion'?)"
)


def test_unknown_key_warns_but_builds_without_strict(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: journey(("emotion: 4", "emotoin: 4"))})
    result = run_build(project, strict=False)
    assert result.returncode == 0, result.output
    assert UNKNOWN_KEY_WARNING in result.output


def test_unknown_key_fails_a_strict_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: journey(("emotion: 4", "emotoin: 4"))})
    result = run_build(project, strict=True)
    assert result.returncode != 0
    assert UNKNOWN_KEY_WARNING in result.output
    assert "Traceback" not in result.output


def test_unknown_key_is_an_error_with_the_strict_option(tmp_path: Path) -> None:
    config = BASE_CONFIG.replace("  - cjm\n", "  - cjm:\n      strict: true\n")
    project = make_project(tmp_path / "project", {J: journey(("emotion: 4", "emotoin: 4"))})
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = run_build(project, strict=False)
    assert result.returncode != 0
    assert UNKNOWN_KEY_WARNING.replace(": warning: ", ": error: ") in result.output


def test_file_size_limit_is_a_plugin_option(tmp_path: Path) -> None:
    config = BASE_CONFIG.replace("  - cjm\n", "  - cjm:\n      max_file_size: 500\n")
    project = make_project(tmp_path / "project", {})
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    size = (project / "maps/journeys/buy-sunglasses.yml").stat().st_size
    result = run_build(project)
    assert result.returncode != 0
    assert (
        f"maps/journeys/buy-sunglasses.yml:1:1: error: the file is {size:,} bytes, over the"
        " limit of 500 bytes"
    ) in result.output


def test_map_with_bom_builds(build: Callable[..., BuildResult]) -> None:
    files = {
        str(path.relative_to(FIXTURES / "minimal")): path.read_bytes()
        for path in (FIXTURES / "minimal" / "maps").rglob("*.yml")
    }
    files[J] = b"\xef\xbb\xbf" + JOURNEY.encode()
    result = build(files)
    assert "Buy sunglasses" in result.html("playbook/journeys/j/")
