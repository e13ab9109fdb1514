"""From model values back to placements on individual requests with integral funding splits.

Class flows are spread over the requests of each class (they are interchangeable), then the
subsidy yuan of each (program, class) pair are split over its placements. That split is a
transportation problem with capacities proportional to trainees; the proportional split is a
fractional solution, so an integral one exists, and a max-flow finds it exactly.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.graph.python import max_flow
from talentmatch.matching.compat import preference
from talentmatch.matching.formulation import Formulation, FundingGroup, FundingMode, FundingPair
from talentmatch.matching.model import Funding, Placement, Round, SubsidyAmount, Totals


def placements_from_values(form: Formulation, values: list[int]) -> list[Placement]:
    r = form.round
    remaining = [q.slots for q in r.requests]
    # trainees per (triple position, request position), spread over the class in order
    shares: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ti, t in enumerate(form.triples):
        amount = values[form.x[ti]]
        for ri in form.classes[t.request]:
            if amount == 0:
                break
            take = min(amount, remaining[ri])
            if take:
                shares[ti].append((ri, take))
                remaining[ri] -= take
                amount -= take
        if amount:
            raise AssertionError("a class flow exceeds the slots of its requests")

    placements: list[Placement] = []
    # Funding units: a SHARED group's pairs share amount variables; any other pair stands alone.
    units: list[tuple[list[FundingPair], FundingGroup | None]] = [
        ([form.pairs[pi] for pi in group.pairs], group) for group in form.groups
    ]
    units += [([pair], None) for pair in form.pairs if pair.group is None]
    for unit_pairs, group in units:
        rows = [
            (pair, ti, ri, n)
            for pair in unit_pairs
            for ti in pair.triples
            for ri, n in shares.get(ti, ())
        ]
        if not rows:
            continue
        trainees = sum(n for *_, n in rows)
        need = unit_pairs[0].need
        if group is not None:
            totals = {gi: values[var] for gi, var in group.amount_vars.items()}
        else:
            totals = _pair_subsidy_totals(form, unit_pairs[0], trainees)
        split = _split_subsidies(r, need, totals, [n for *_, n in rows])
        for (pair, ti, ri, n), amounts in zip(rows, split, strict=True):
            program = r.programs[pair.program]
            request = r.requests[ri]
            cost = n * program.cost_per_trainee
            sponsorship = min(cost, n * request.sponsorship_per_trainee)
            contribution = min(cost - sponsorship, n * r.policy.trainee_contribution_per_trainee)
            placements.append(
                Placement(
                    cohort=r.cohorts[form.triples[ti].cohort].id,
                    program=program.id,
                    request=request.id,
                    trainees=n,
                    funding=Funding(
                        subsidies=tuple(
                            SubsidyAmount(r.subsidies[gi].id, a)
                            for gi, a in sorted(amounts.items())
                            if a > 0
                        ),
                        sponsorship=sponsorship,
                        trainee_contribution=contribution,
                    ),
                )
            )
    placements.sort(key=lambda p: (p.cohort, p.program, p.request))
    return placements


def _pair_subsidy_totals(form: Formulation, pair: FundingPair, trainees: int) -> dict[int, int]:
    """Subsidy yuan per subsidy position on a pair outside any funding group."""
    need = pair.need * trainees
    if pair.mode is FundingMode.FREE or need == 0:
        return {}
    if pair.mode is FundingMode.SINGLE:
        return {pair.subsidies[0]: need}
    if pair.mode is FundingMode.AMPLE:
        # Only subsidies whose budgets can never run out are drawn on, so order does not matter.
        out: dict[int, int] = {}
        for gi in pair.subsidies:
            if need == 0:
                break
            if gi in form.ample:
                take = min(need, trainees * form.round.subsidies[gi].per_trainee_cap)
                out[gi] = take
                need -= take
        return out
    raise AssertionError(f"placements on an unfundable pair ({pair.mode})")


def _split_subsidies(
    round_: Round, need: int, totals: dict[int, int], trainees: list[int]
) -> list[dict[int, int]]:
    """Integral subsidy amounts per placement: each placement's need met, caps and totals kept."""
    if not totals:
        return [{} for _ in trainees]
    if len(trainees) == 1:
        return [dict(totals)]
    subsidies = sorted(totals)
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    first_sub = 2
    first_row = first_sub + len(subsidies)
    for j, gi in enumerate(subsidies):
        flow.add_arc_with_capacity(source, first_sub + j, totals[gi])
    arcs: list[list[int]] = []
    for i, n in enumerate(trainees):
        row_arcs = []
        for j, gi in enumerate(subsidies):
            cap = n * min(round_.subsidies[gi].per_trainee_cap, need)
            row_arcs.append(flow.add_arc_with_capacity(first_sub + j, first_row + i, cap))
        arcs.append(row_arcs)
        flow.add_arc_with_capacity(first_row + i, sink, n * need)
    if flow.solve(source, sink) != flow.OPTIMAL or flow.optimal_flow() != sum(totals.values()):
        raise AssertionError("subsidy totals cannot be split over the placements")
    return [
        {gi: int(flow.flow(arc)) for gi, arc in zip(subsidies, row_arcs, strict=True)}
        for row_arcs in arcs
    ]


def totals_of(round_: Round, placements: list[Placement]) -> Totals:
    cohorts = {c.id: c for c in round_.cohorts}
    programs = {p.id: p for p in round_.programs}
    requests = {q.id: q for q in round_.requests}
    return Totals(
        placed=sum(p.trainees for p in placements),
        preference=sum(
            p.trainees
            * preference(round_, cohorts[p.cohort], programs[p.program], requests[p.request])
            for p in placements
        ),
        subsidy_spent=sum(p.funding.subsidy_total for p in placements),
        sponsorship=sum(p.funding.sponsorship for p in placements),
        programs_opened=len({p.program for p in placements}),
    )
