"""A solver-neutral integer linear model, and its split into independent components.

The matching formulation is written once against this small structure; CP-SAT solves it, and the
benchmark hands the very same model to HiGHS, so that the two solvers are compared on one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Row:
    """``lo <= sum(coefs[i] * x[vars[i]]) <= hi``; None means unbounded on that side."""

    vars: list[int]
    coefs: list[int]
    lo: int | None
    hi: int | None


@dataclass(slots=True)
class LinearModel:
    lb: list[int] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    #: Set when a row over no variables cannot hold (the model has no solution at all).
    trivially_infeasible: bool = False

    def add_var(self, lb: int, ub: int, name: str) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.names.append(name)
        return len(self.lb) - 1

    def add_row(self, vars: list[int], coefs: list[int], lo: int | None, hi: int | None) -> None:
        if vars:
            self.rows.append(Row(vars, coefs, lo, hi))
        elif (lo is not None and lo > 0) or (hi is not None and hi < 0):
            self.trivially_infeasible = True

    def satisfies(self, values: list[int]) -> bool:
        """Whether the values keep every bound and row (used to trust a hint as a solution)."""
        if any(not lo <= v <= hi for lo, v, hi in zip(self.lb, values, self.ub, strict=True)):
            return False
        for row in self.rows:
            total = sum(c * values[v] for v, c in zip(row.vars, row.coefs, strict=True))
            if (row.lo is not None and total < row.lo) or (row.hi is not None and total > row.hi):
                return False
        return True

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_terms(self) -> int:
        return sum(len(r.vars) for r in self.rows)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def components(model: LinearModel) -> list[list[int]]:
    """Groups of variables that no row links to another group, each sorted, largest first.

    The objective tiers are sums over variables, so a lexicographic optimum of the whole model is
    the union of lexicographic optima of its components: each can be solved on its own.
    """
    uf = _UnionFind(model.num_vars)
    for row in model.rows:
        for v in row.vars[1:]:
            uf.union(row.vars[0], v)
    groups: dict[int, list[int]] = {}
    for v in range(model.num_vars):
        groups.setdefault(uf.find(v), []).append(v)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def rows_by_component(model: LinearModel, groups: list[list[int]]) -> list[list[Row]]:
    """The rows of each component; every row lies in exactly one."""
    owner = [0] * model.num_vars
    for gi, group in enumerate(groups):
        for v in group:
            owner[v] = gi
    out: list[list[Row]] = [[] for _ in groups]
    for row in model.rows:
        out[owner[row.vars[0]]].append(row)
    return out


def submodel(model: LinearModel, group: list[int], rows: list[Row]) -> LinearModel:
    """The variables of one component (renumbered in ``group`` order) and its rows."""
    local = {v: i for i, v in enumerate(group)}
    sub = LinearModel(
        lb=[model.lb[v] for v in group],
        ub=[model.ub[v] for v in group],
        names=[model.names[v] for v in group],
    )
    for row in rows:
        sub.add_row([local[v] for v in row.vars], list(row.coefs), row.lo, row.hi)
    return sub
