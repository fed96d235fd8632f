"""Random maps, valid and broken, through the whole pipeline.

Valid maps (any text, any shape the format allows) must load and produce every
page; broken ones (a mutation of a valid map: a missing key, a wrong type, a bad
reference, YAML damage, a tag, an alias bomb, bytes that are not UTF-8...) must
end in problems that read like the plugin's error report. Nothing may end in
any other exception.

Most examples run the loader and generator in-process (wasm Graphviz, so no
`dot` is needed); a few run a real `mkdocs build`.
"""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_build, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_cjm.core.index import build_index
from mkdocs_cjm.core.loader import LoadOptions, LoadResult, load_playbook
from mkdocs_cjm.core.problems import MAX_REPORTED, MapError, format_report
from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
from mkdocs_cjm.sections import VIEWS
from mkdocs_cjm.site.generate import SiteOptions, generate_site
from mkdocs_cjm.site.i18n import labels_for

Files = dict[str, Any]  # path under maps/ -> parsed YAML data, or raw bytes

# Text an author may write: any character YAML can carry, plus fragments that mean
# something to HTML, Markdown, Jinja or DOT, mixed in.
FRAGMENTS = [
    "<script>alert(1)</script>", "**b**", "`c`", "[x](javascript:alert(1))", "{{ 7*7 }}",
    "{% raw %}", "&amp;", '"', "\\", "\\N", "->", "}", "|", "#", "--8<--", "~~~", "\n",
    "<<b>x</b>>", "Cửa hàng", "😀",
]  # fmt: skip
_characters = st.characters(blacklist_categories=("Cs",))
texts = st.lists(
    st.one_of(st.text(_characters, min_size=1, max_size=8), st.sampled_from(FRAGMENTS)),
    min_size=1,
    max_size=4,
).map("".join)
required_texts = texts.filter(lambda text: text.strip() != "")
ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,6}", fullmatch=True)
scalars = st.one_of(texts, st.integers(-1000, 10**6), st.sampled_from(["2%", "1,5 min", "3.10"]))


def optional(draw: st.DrawFn, record: dict[str, Any], key: str, strategy: Any) -> None:
    if draw(st.booleans()):
        record[key] = draw(strategy)


@st.composite
def playbooks(draw: st.DrawFn) -> Files:
    files: Files = {}
    channel_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    channels = {}
    for channel_id in channel_ids:
        channel = {
            "name": draw(required_texts),
            "type": draw(st.sampled_from(["online", "offline"])),
        }
        optional(draw, channel, "owner", required_texts)
        optional(draw, channel, "description", texts)
        channels[channel_id] = channel
    files["channels.yml"] = channels

    persona_ids = draw(st.lists(ids, min_size=1, max_size=2, unique=True))
    for persona_id in persona_ids:
        persona: dict[str, Any] = {"name": draw(required_texts)}
        optional(draw, persona, "tagline", texts)
        optional(draw, persona, "description", texts)
        optional(draw, persona, "goals", st.lists(texts, max_size=2))
        optional(draw, persona, "frustrations", st.lists(texts, max_size=2))
        optional(draw, persona, "traits", st.dictionaries(required_texts, scalars, max_size=2))
        files[f"personas/{persona_id}.yml"] = persona

    for journey_id in draw(st.lists(ids, min_size=1, max_size=2, unique=True)):
        stage_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
        stages = []
        for stage_id in stage_ids:
            stage: dict[str, Any] = {"id": stage_id, "name": draw(required_texts)}
            optional(draw, stage, "description", texts)
            optional(draw, stage, "goals", st.lists(texts, max_size=2))
            kpis = []
            for _ in range(draw(st.integers(0, 2))):
                kpi: dict[str, Any] = {"name": draw(required_texts)}
                optional(draw, kpi, "target", scalars)
                optional(draw, kpi, "actual", scalars)
                optional(draw, kpi, "higher_is_better", st.booleans())
                kpis.append(kpi)
            if kpis:
                stage["kpis"] = kpis
            stages.append(stage)
        count = draw(st.integers(1, 4))
        # Own ids start with a letter other than `s`, so none can equal a default `step-<n>`.
        own_ids = draw(st.lists(st.from_regex(r"[a-r][a-z0-9]{0,4}", fullmatch=True),
                                min_size=count, max_size=count, unique=True))  # fmt: skip
        named = [draw(st.booleans()) for _ in range(count)]
        step_ids = [own if keep else f"step-{n}" for n, (own, keep) in
                    enumerate(zip(own_ids, named, strict=True), start=1)]  # fmt: skip
        steps = []
        for position in range(count):
            step: dict[str, Any] = {
                "stage": draw(st.sampled_from(stage_ids)),
                "channel": draw(st.sampled_from(channel_ids)),
                "action": draw(required_texts),
            }
            if named[position]:
                step["id"] = step_ids[position]
            optional(draw, step, "touchpoint", required_texts)
            optional(draw, step, "services", st.lists(texts, max_size=2))
            optional(draw, step, "emotion", st.integers(1, 5))
            for key in ("feeling", "thought"):
                optional(draw, step, key, texts)
            for key in ("pain_points", "opportunities"):
                optional(draw, step, key, st.lists(texts, max_size=2))
            optional(draw, step, "owner", required_texts)
            optional(
                draw, step, "next", st.lists(st.sampled_from(step_ids), max_size=2, unique=True)
            )
            steps.append(step)
        journey: dict[str, Any] = {"title": draw(required_texts), "stages": stages, "steps": steps}
        if draw(st.booleans()):
            journey["persona"] = draw(st.sampled_from(persona_ids))
        else:
            journey["personas"] = draw(
                st.lists(st.sampled_from(persona_ids), min_size=1, max_size=2, unique=True)
            )
        optional(draw, journey, "owner", required_texts)
        optional(draw, journey, "summary", texts)
        files[f"journeys/{journey_id}.yml"] = journey
    return files


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@dataclass(frozen=True)
class Mutation:
    name: str
    apply: Callable[[st.DrawFn, Files], None]
    # False when the damage may leave a valid map (a cut at the very end, say).
    must_fail: bool = True


def _journey(draw: st.DrawFn, files: Files) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(path for path in files if path.startswith("journeys/"))))
    journey: dict[str, Any] = files[name]
    return journey


def _step(draw: st.DrawFn, files: Files) -> dict[str, Any]:
    step: dict[str, Any] = draw(st.sampled_from(_journey(draw, files)["steps"]))
    return step


def _drop_required(draw: st.DrawFn, files: Files) -> None:
    journey = _journey(draw, files)
    target = draw(st.sampled_from(["journey", "stage", "step", "channel"]))
    if target == "journey":
        del journey[draw(st.sampled_from(["title", "stages", "steps"]))]
    elif target == "stage":
        del draw(st.sampled_from(journey["stages"]))[draw(st.sampled_from(["id", "name"]))]
    elif target == "step":
        del _step(draw, files)[draw(st.sampled_from(["stage", "channel", "action"]))]
    else:
        channel = draw(st.sampled_from(sorted(files["channels.yml"])))
        del files["channels.yml"][channel][draw(st.sampled_from(["name", "type"]))]


def _wrong_type(draw: st.DrawFn, files: Files) -> None:
    wrong = draw(st.sampled_from([[1, 2], {"a": 1}, True, 42, 4.5, None]))
    key = draw(st.sampled_from(["title", "stages", "steps"]))
    if key != "title" and wrong is None:
        wrong = "text"
    _journey(draw, files)[key] = wrong


def _bad_emotion(draw: st.DrawFn, files: Files) -> None:
    _step(draw, files)["emotion"] = draw(st.sampled_from([0, 6, -3, 2.5, "3", True, [4]]))


def _bad_channel_type(draw: st.DrawFn, files: Files) -> None:
    channel = draw(st.sampled_from(sorted(files["channels.yml"])))
    files["channels.yml"][channel]["type"] = draw(st.sampled_from(["web", "Online", "", 1]))


def _bad_id(draw: st.DrawFn, files: Files) -> None:
    bad = draw(st.sampled_from(["Bad Id", "ü", "a_b", "-x!", "A"]))
    if draw(st.booleans()):
        draw(st.sampled_from(_journey(draw, files)["stages"]))["id"] = bad
    else:
        channels = files["channels.yml"]
        channels[bad] = channels.pop(draw(st.sampled_from(sorted(channels))))


def _unknown_reference(draw: st.DrawFn, files: Files) -> None:
    key = draw(st.sampled_from(["stage", "channel", "next", "persona"]))
    if key == "persona":
        _journey(draw, files)["persona"] = "nobody-here"
    elif key == "next":
        _step(draw, files)["next"] = ["no-such-step"]
    else:
        _step(draw, files)[key] = "zz-missing"


def _duplicate_id(draw: st.DrawFn, files: Files) -> None:
    journey = _journey(draw, files)
    if draw(st.booleans()):
        journey["stages"].append(dict(journey["stages"][0]))
    else:
        journey["steps"].append({**journey["steps"][0], "id": "dup"})
        journey["steps"].append({**journey["steps"][0], "id": "dup"})


def _empty_list(draw: st.DrawFn, files: Files) -> None:
    _journey(draw, files)[draw(st.sampled_from(["stages", "steps"]))] = []


def _top_level(draw: st.DrawFn, files: Files) -> None:
    name = draw(st.sampled_from(sorted(files)))
    files[name] = draw(st.sampled_from([["a", "list"], "just text", 42]))


def _raw(text: str | bytes) -> Callable[[st.DrawFn, Files], None]:
    def apply(draw: st.DrawFn, files: Files) -> None:
        name = draw(st.sampled_from(sorted(path for path in files if path != "channels.yml")))
        files[name] = text.encode("utf-8") if isinstance(text, str) else text

    return apply


def _surrogate(draw: st.DrawFn, files: Files) -> None:
    # Half of a UTF-16 pair written as a YAML escape: valid YAML, but not text.
    name = draw(st.sampled_from(sorted(path for path in files if path.startswith("journeys/"))))
    key = draw(st.sampled_from(["title", "owner", "summary"]))
    files[name].pop(key, None)
    files[name] = dump(files[name]) + f'{key}: "\\ud800"\n'.encode()


def _damage(draw: st.DrawFn, files: Files) -> None:
    name = draw(st.sampled_from(sorted(files)))
    data = files[name] if isinstance(files[name], bytes) else dump(files[name])
    cut = draw(st.integers(0, len(data)))
    damage = draw(
        st.sampled_from([b"", b":", b"- ", b"[", b"{", b"]", b"\t", b"&a ", b"*a", b"!", b"|",
                         b">", b"'", b'"', b"%", b"@", b"`", b"\n  x: 1\n", b"\xff"])
    )  # fmt: skip
    keep = draw(st.sampled_from(["insert", "replace", "truncate"]))
    if keep == "truncate":
        files[name] = data[:cut]
    else:
        files[name] = data[:cut] + damage + data[cut + (keep == "replace") :]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
)
MUTATIONS = [
    Mutation("drop a required key", _drop_required),
    Mutation("wrong type", _wrong_type),
    Mutation("emotion out of range", _bad_emotion),
    Mutation("bad channel type", _bad_channel_type),
    Mutation("bad id", _bad_id),
    Mutation("unknown reference", _unknown_reference),
    Mutation("duplicate id", _duplicate_id),
    Mutation("empty required list", _empty_list),
    Mutation("wrong top level", _top_level),
    Mutation("python tag", _raw("title: !!python/object/apply:os.system ['echo pwned']\n")),
    Mutation("alias bomb", _raw(BOMB)),
    Mutation("not UTF-8", _raw("title: Café\n".encode("latin-1"))),
    Mutation("not YAML", _raw("title: [unclosed\nsteps: {\n")),
    Mutation("lone surrogate", _surrogate),
    Mutation("damaged YAML", _damage, must_fail=False),
]


@st.composite
def broken_playbooks(draw: st.DrawFn) -> tuple[str, Files, bool]:
    files = draw(playbooks())
    mutation = draw(st.sampled_from(MUTATIONS))
    mutation.apply(draw, files)
    return mutation.name, files, mutation.must_fail


def write_maps(root: Path, files: Files) -> Path:
    maps = root / "maps"
    for name, data in files.items():
        path = maps / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else dump(data))
    return maps


@pytest.fixture(scope="module")
def renderer() -> DiagramRenderer:
    """One wasm renderer for all examples: in-process, and present without `dot`."""
    return DiagramRenderer(Backend.WASM, cache_dir=None)


def run_pipeline(files: Files, renderer: DiagramRenderer, *, strict: bool = True) -> LoadResult:
    """What the plugin does before MkDocs writes anything: load, then generate if valid."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        result = load_playbook(write_maps(root, files), display_root=root,
                               options=LoadOptions(strict=strict))  # fmt: skip
    if result.errors:
        assert_reads_like_a_report(result)
        return result
    assert result.playbook is not None
    playbook = result.playbook
    pages, assets = generate_site(playbook, SiteOptions(labels=labels_for("en")), renderer)
    kinds = len(playbook.journeys) + len(playbook.personas) + len(playbook.channels)
    teams = len(build_index(playbook).teams)
    assert len(pages) == len(VIEWS) + kinds + teams
    for page in pages:
        assert page.src_uri.endswith(".md") and page.markdown.strip()
        page.markdown.encode("utf-8")  # what MkDocs does to write it
    flows = [asset for asset in assets if asset.path.endswith(".svg")]
    assert len(flows) == len(playbook.journeys)
    for flow in flows:
        # A well-formed SVG document, whatever characters the labels hold.
        assert ET.fromstring(flow.content).tag == "{http://www.w3.org/2000/svg}svg"
    return result


_WHERE = re.compile(r"^  maps/\S+?(?::\d+:\d+)?: (error|warning): ", re.MULTILINE)


def assert_reads_like_a_report(result: LoadResult) -> None:
    with pytest.raises(MapError) as raised:
        result.raise_for_errors()
    report = format_report(raised.value.errors)
    assert report == str(raised.value)
    assert re.match(r"journey maps: \d+ problems? found:\n", report), report
    for problem in raised.value.errors[:MAX_REPORTED]:
        # Each names its file (and line:column when YAML gives them) and what is wrong.
        assert _WHERE.match(f"  {problem}"), str(problem)
        assert f"  {problem}" in report
    assert "Traceback" not in report


PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(PROPERTY, max_examples=25)
@given(playbooks())
def test_valid_maps_build(renderer: DiagramRenderer, files: Files) -> None:
    result = run_pipeline(files, renderer)
    assert not result.errors, [str(problem) for problem in result.errors]


@settings(PROPERTY, max_examples=60)
@given(broken_playbooks())
def test_broken_maps_fail_cleanly(renderer: DiagramRenderer, case: tuple[str, Files, bool]) -> None:
    mutation, files, must_fail = case
    result = run_pipeline(files, renderer)
    if must_fail:
        assert result.errors, f"{mutation}: accepted"


@settings(PROPERTY, max_examples=6)
@given(playbooks(), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6))
def test_unknown_keys_warn_or_fail_under_strict(
    renderer: DiagramRenderer, files: Files, key: str
) -> None:
    key = "x" + key  # never a key of the format
    journey = next(data for name, data in files.items() if name.startswith("journeys/"))
    journey[key] = "value"
    relaxed = run_pipeline(files, renderer, strict=False)
    assert not relaxed.errors and relaxed.warnings
    assert run_pipeline(files, renderer, strict=True).errors


# A few real `mkdocs build` runs: the same outcomes as the author sees them.
@settings(deadline=None, max_examples=2, suppress_health_check=list(HealthCheck))
@given(data=st.data())
@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_real_builds(broken: bool, data: st.DataObject) -> None:
    if broken:
        mutation, files, _ = data.draw(
            broken_playbooks().filter(lambda case: case[2]), label="broken maps"
        )
    else:
        mutation, files = "none", data.draw(playbooks(), label="maps")
    with tempfile.TemporaryDirectory() as folder:
        project = write_project(Path(folder) / "project", {})
        write_maps(project, files)
        result = run_build(project)
        journeys = [name for name in files if name.startswith("journeys/")]
        built = [
            (project / "site" / "playbook" / "journeys" / Path(name).stem / "index.html").is_file()
            for name in journeys
        ]
    assert "Traceback" not in result.output, result.output
    if broken:
        assert result.returncode != 0, f"{mutation}: built\n{result.output}"
        assert "journey maps:" in result.output, result.output
        assert not any(built), "a failed build must not write the playbook"
    else:
        assert result.returncode == 0, result.output
        assert all(built)
