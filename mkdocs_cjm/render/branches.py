"""Where each step sits on the journey-map canvas when `next` branches.

Pure layout, no MkDocs: from the stages and the steps' `next`, which column and
which track (a parallel row of a lane) each step gets, which steps fork, which
are alternatives of which fork, and which `next` targets are drawn as marks
rather than by position.

The rules (documented for authors in docs/journey-page.md):

- A *return* is a `next` back to a step the path already passed (a loop, found
  by a depth-first walk from the first steps), or to a step of an earlier stage.
  It is drawn as a "↩ back to" mark on the step, never as a new column.
- The other targets are *forward*. Within a stage, a step's column is one more
  than the furthest column of its forward predecessors in that stage, so the
  stage is as wide as its longest path, and alternatives share columns.
- Of a step's forward targets, one that another target reaches is *skippable*
  (`next: [b, c]` with b -> c: b is optional): the step gets a "↷ may skip to"
  mark. The remaining targets are its *alternatives*; two or more make the step
  a fork.
- A fork's branches are the steps each alternative reaches, up to the first
  step all of them reach (the join). An alternative whose every path ends in a
  return loops back rather than going on: the other alternative then holds only
  its first step, since every customer goes on that way in the end.
- Steps go on tracks: a chain follows the longest way on from each step, the
  first chain (the main line) on track 0, every other chain on the lowest track
  free over its columns. A step that is alone in its column and on no branch
  fills all the tracks.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from mkdocs_cjm.core.model import Stage, Step


@dataclass(frozen=True)
class Placement:
    """One step on the canvas."""

    step: Step
    order: int  # position in map order (stage by stage, list order within a stage)
    column: int  # 0-based column of the whole canvas
    track: int  # 0-based parallel row in the step lanes
    fills: bool  # alone in its column, on no branch: spans every track
    slot: int  # its place among the `shared` steps of its column, by track
    shared: int  # how many steps share its column
    fork: bool  # two or more alternatives follow it
    alternatives: tuple[Step, ...]  # what a fork leads to, in `next` order
    branch: str | None  # id of the nearest fork it is an alternative step of
    depth: int  # how many forks' branches it is on
    choice: int | None  # first step of a branch: which alternative of its fork (0, 1, ...)
    returns_to: tuple[Step, ...]  # loops: `next` targets drawn as "back to"
    skips_to: tuple[Step, ...]  # optional steps: `next` targets drawn as "may skip to"
    ends_early: bool  # `next: []` before the last column: this path ends here
    phone_key: tuple[int, ...]  # order of its card within its stage on a phone


@dataclass(frozen=True)
class BranchLayout:
    placements: tuple[Placement, ...]  # in map order
    stage_widths: tuple[int, ...]  # columns per stage (at least one)
    tracks: int  # parallel rows of the step lanes (1 without alternatives)
    # The emotion curve: one run of steps per chain (a fork's branch starts at the
    # fork, and ends at its join), then single links no chain draws.
    runs: tuple[tuple[Placement, ...], ...]

    @property
    def width(self) -> int:
        return sum(self.stage_widths)

    def at(self, step_id: str) -> Placement:
        return next(p for p in self.placements if p.step.id == step_id)


def layout_branches(stages: Sequence[Stage], steps: Sequence[Step]) -> BranchLayout:
    stage_index = {stage.id: number for number, stage in enumerate(stages)}
    ordered = sorted(steps, key=lambda step: (stage_index[step.stage], step.index))
    order = {step.id: number for number, step in enumerate(ordered)}
    by_id = {step.id: step for step in ordered}
    targets = {
        step.id: tuple(dict.fromkeys(t for t in step.next if t in by_id)) for step in ordered
    }
    if not any(targets.values()):
        # No step says where it leads (the loader fills in `next`, so only a journey
        # built by hand): one path in map order, as the format reads a journey
        # without `next`.
        targets = (
            {a.id: (b.id,) for a, b in itertools.pairwise(ordered)} | {ordered[-1].id: ()}
            if ordered
            else {}
        )

    back = _back_edges(ordered, targets)
    forward: dict[str, tuple[str, ...]] = {}
    returns: dict[str, tuple[str, ...]] = {}
    for step in ordered:
        ahead: list[str] = []
        behind: list[str] = []
        for target in targets[step.id]:
            earlier_stage = stage_index[by_id[target].stage] < stage_index[step.stage]
            (behind if (step.id, target) in back or earlier_stage else ahead).append(target)
        forward[step.id], returns[step.id] = tuple(ahead), tuple(behind)

    topo = _topological(ordered, forward, order)
    column, stage_widths = _columns(stages, ordered, forward, topo)
    reach = _reach(topo, forward, order)

    def reaches(a: str, b: str) -> bool:
        return bool(reach[a] >> order[b] & 1)

    skips = {
        sid: tuple(t for t in forward[sid] if any(o != t and reaches(o, t) for o in forward[sid]))
        for sid in forward
    }
    alternatives = {sid: tuple(t for t in forward[sid] if t not in skips[sid]) for sid in forward}
    # Every path on from the step ends in a return: it loops back rather than going on.
    sinks = [sid for sid in order if not forward[sid]]
    looping = {sid: all(returns[s] for s in sinks if reaches(sid, s)) for sid in order}

    ids = list(order)  # by map order: bit n of a reach set is ids[n]

    def steps_in(bits: int) -> list[str]:
        found = []
        while bits:
            low = bits & -bits
            found.append(ids[low.bit_length() - 1])
            bits ^= low
        return found

    forks = [sid for sid in order if len(alternatives[sid]) >= 2]
    is_fork = set(forks)
    track, chains = _tracks(ordered, alternatives, column, order)
    # Which forks' branches each step is on: (fork, alternative number). A fork's
    # alternatives are named (either, or, ...) top track first, so the phone's
    # order and the chips read as the desktop shows them.
    member_of: dict[str, list[tuple[str, int]]] = {sid: [] for sid in order}
    for fork in forks:
        alts = sorted(alternatives[fork], key=lambda t: (track[t], column[t], order[t]))
        going_on = [a for a in alts if not looping[a]]
        join_mask = 0
        if len(going_on) >= 2:
            common = ~0
            for alt in going_on:
                common &= reach[alt]
            if common:
                join = _first_reached(going_on[0], common, forward, column, order)
                join_mask = reach[join]
        for number, alt in enumerate(alts):
            if len(going_on) == 1 and alt == going_on[0]:
                members = 1 << order[alt]
            else:
                members = reach[alt] & ~join_mask
            for sid in steps_in(members):
                member_of[sid].append((fork, number))
    last_column = sum(stage_widths) - 1
    in_column: dict[int, list[str]] = {}
    slot: dict[str, int] = {}
    for sid in sorted(order, key=lambda s: (column[s], track[s], order[s])):
        slot[sid] = len(in_column.setdefault(column[sid], []))
        in_column[column[sid]].append(sid)
    # How many chains are under way in each column.
    active = [0] * (last_column + 2)
    for chain in chains:
        active[column[chain[0]]] += 1
        active[column[chain[-1]] + 1] -= 1
    active = list(itertools.accumulate(active))

    placements = []
    for step in ordered:
        sid = step.id
        enclosing = sorted(member_of[sid], key=lambda item: (column[item[0]], order[item[0]]))
        nearest = enclosing[-1] if enclosing else None
        key: list[int] = []
        for fork, number in enclosing:
            key += [column[fork], 1, number]
        key += [column[sid], 0, order[sid]]
        placements.append(
            Placement(
                step=step,
                order=order[sid],
                column=column[sid],
                track=track[sid],
                fills=active[column[sid]] == 1 and not enclosing,
                slot=slot[sid],
                shared=len(in_column[column[sid]]),
                fork=sid in is_fork,
                alternatives=tuple(
                    by_id[t] for t in sorted(alternatives[sid], key=lambda t: (track[t], order[t]))
                )
                if sid in is_fork
                else (),
                branch=nearest[0] if nearest else None,
                depth=len(enclosing),
                choice=nearest[1] if nearest and sid in alternatives[nearest[0]] else None,
                returns_to=tuple(by_id[t] for t in returns[sid]),
                skips_to=tuple(by_id[t] for t in skips[sid]),
                ends_early=not targets[sid] and column[sid] < last_column,
                phone_key=tuple(key),
            )
        )
    placed = {p.step.id: p for p in placements}
    return BranchLayout(
        placements=tuple(placements),
        stage_widths=stage_widths,
        tracks=max(track.values(), default=0) + 1,
        runs=_runs(chains, alternatives, placed, column, order),
    )


def _first_reached(
    start: str,
    wanted: int,
    forward: dict[str, tuple[str, ...]],
    column: dict[str, int],
    order: dict[str, int],
) -> str:
    """The leftmost step of the set `wanted` that `start` reaches (ties in map
    order): a walk in column order, so a fork costs the size of its branches, not
    of the rest of the journey."""
    heap = [(column[start], order[start], start)]
    seen = {start}
    while heap:
        _, _, sid = heapq.heappop(heap)
        if wanted >> order[sid] & 1:
            return sid
        for target in forward[sid]:
            if target not in seen:
                seen.add(target)
                heapq.heappush(heap, (column[target], order[target], target))
    raise ValueError(f"{start} reaches none of the steps wanted")


def _back_edges(ordered: list[Step], targets: dict[str, tuple[str, ...]]) -> set[tuple[str, str]]:
    """Edges to a step still on the walk's path: what makes a loop. The walk starts
    from the steps nothing leads to (in map order), then any step left over."""
    reached = {t for ts in targets.values() for t in ts}
    starts = [s.id for s in ordered if s.id not in reached] + [s.id for s in ordered]
    state: dict[str, int] = {}  # 1 on the path, 2 done
    back: set[tuple[str, str]] = set()
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(targets[start]))]
        while stack:
            node, pending = stack[-1]
            target = next(pending, None)
            if target is None:
                state[node] = 2
                stack.pop()
            elif state.get(target) == 1:
                back.add((node, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(targets[target])))
    return back


def _topological(
    ordered: list[Step], forward: dict[str, tuple[str, ...]], order: dict[str, int]
) -> list[str]:
    """Forward edges form no cycle; a step comes after every step leading to it
    (ties in map order)."""
    incoming = {s.id: 0 for s in ordered}
    for targets in forward.values():
        for target in targets:
            incoming[target] += 1
    ready = sorted((sid for sid, n in incoming.items() if not n), key=order.__getitem__)
    result: list[str] = []
    while ready:
        sid = ready.pop(0)
        result.append(sid)
        for target in forward[sid]:
            incoming[target] -= 1
            if not incoming[target]:
                ready.append(target)
                ready.sort(key=order.__getitem__)
    return result


def _columns(
    stages: Sequence[Stage],
    ordered: list[Step],
    forward: dict[str, tuple[str, ...]],
    topo: list[str],
) -> tuple[dict[str, int], tuple[int, ...]]:
    stage_of = {s.id: s.stage for s in ordered}
    rank = dict.fromkeys(topo, 0)
    for sid in topo:
        for target in forward[sid]:
            if stage_of[target] == stage_of[sid]:
                rank[target] = max(rank[target], rank[sid] + 1)
    widths = []
    offset: dict[str, int] = {}
    first = 0
    for stage in stages:
        ranks = [rank[s.id] for s in ordered if s.stage == stage.id]
        offset[stage.id] = first
        widths.append(max(ranks, default=0) + 1)
        first += widths[-1]
    return {sid: offset[stage_of[sid]] + rank[sid] for sid in topo}, tuple(widths)


def _reach(
    topo: list[str], forward: dict[str, tuple[str, ...]], order: dict[str, int]
) -> dict[str, int]:
    """Each step's forward reach, itself included, as a bit set by map order."""
    reach: dict[str, int] = {}
    for sid in reversed(topo):
        bits = 1 << order[sid]
        for target in forward[sid]:
            bits |= reach[target]
        reach[sid] = bits
    return reach


def _tracks(
    ordered: list[Step],
    alternatives: dict[str, tuple[str, ...]],
    column: dict[str, int],
    order: dict[str, int],
) -> tuple[dict[str, int], list[list[str]]]:
    """Chains of steps, each on one track: a chain goes on by the alternative with
    the longest way ahead (the first listed on a tie)."""
    ahead: dict[str, int] = {}
    for sid in sorted(order, key=lambda s: -column[s]):
        ahead[sid] = 1 + max((ahead[t] for t in alternatives[sid]), default=0)
    chain_of: dict[str, int] = {}
    chains: list[list[str]] = []
    for step in sorted(ordered, key=lambda s: (column[s.id], order[s.id])):
        if step.id in chain_of:
            continue
        chain = [step.id]
        chain_of[step.id] = len(chains)
        while True:
            options = [t for t in alternatives[chain[-1]] if t not in chain_of]
            if not options:
                break
            best = max(options, key=lambda t: (ahead[t], -alternatives[chain[-1]].index(t)))
            chain_of[best] = len(chains)
            chain.append(best)
        chains.append(chain)
    track: dict[str, int] = {}
    taken: list[list[tuple[int, int]]] = []  # per track: the column spans it holds
    for chain in chains:
        # A chain holds its track up to the step it joins: its line passes there.
        onward = alternatives[chain[-1]]
        span = (column[chain[0]], max(column[chain[-1]], column[onward[0]] - 1 if onward else 0))
        number = next(
            (
                n
                for n, spans in enumerate(taken)
                if all(span[1] < first or last < span[0] for first, last in spans)
            ),
            len(taken),
        )
        if number == len(taken):
            taken.append([])
        taken[number].append(span)
        for sid in chain:
            track[sid] = number
    return track, chains


def _runs(
    chains: list[list[str]],
    alternatives: dict[str, tuple[str, ...]],
    placed: dict[str, Placement],
    column: dict[str, int],
    order: dict[str, int],
) -> tuple[tuple[Placement, ...], ...]:
    """The emotion curve's lines: each chain, from the step it branches off to the
    step it joins; then any forward link (not a skip) no chain drew."""
    drawn: set[tuple[str, str]] = set()
    runs: list[tuple[Placement, ...]] = []
    leads_to: dict[str, list[str]] = {}
    for sid, targets in alternatives.items():
        for target in targets:
            leads_to.setdefault(target, []).append(sid)
    for chain in chains:
        line = list(chain)
        sources = leads_to.get(chain[0], [])
        if sources:
            line.insert(0, max(sources, key=lambda s: (column[s], order[s])))
        onward = alternatives[chain[-1]]
        if onward:
            line.append(onward[0])
        drawn.update(itertools.pairwise(line))
        runs.append(tuple(placed[sid] for sid in line))
    for sid in sorted(alternatives, key=order.__getitem__):
        for target in alternatives[sid]:
            if (sid, target) not in drawn:
                runs.append((placed[sid], placed[target]))
    return tuple(runs)
