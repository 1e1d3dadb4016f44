"""Who paid: the payer's account (IBAN) first, then the payer's name, exactly or fuzzily.

An IBAN or a name that belongs to several customers identifies nobody by itself: the line
carries those customers as candidates (the engine lets the amount choose among them), and
when nothing settles it the exception names the customers it could be. Fuzzy names are scored
with rapidfuzz over the unique names only, in chunks, on every core.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from jobs.matching.config import MatchConfig
from jobs.matching.normalize import iban_key, name_key

#: Columns of the frame `identify` returns.
COLUMNS = ("bank_idx", "payer_id", "payer_how", "payer_score", "payer_note", "payer_candidates")
#: Note of a name below `name_threshold` that makes candidates of the customers it is like.
NAME_LIKE = "name like "
_CHUNK = 512  # queries per rapidfuzz cdist call: bounds the score matrix in memory


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "bank_idx": pl.Int64,
            "payer_id": pl.String,
            "payer_how": pl.String,
            "payer_score": pl.Float64,
            "payer_note": pl.String,
            "payer_candidates": pl.List(pl.String),
        }
    )


def customer_names(customers: pl.DataFrame, config: MatchConfig) -> dict[str, list[str]]:
    """Name key -> customer ids carrying it (sorted, so ties resolve the same every run)."""
    forms = frozenset(config.legal_forms)
    found: defaultdict[str, set[str]] = defaultdict(set)
    for customer_id, name in customers.select("customer_id", "name").iter_rows():
        if key := name_key(name, forms):
            found[key].add(customer_id)
    return {key: sorted(ids) for key, ids in found.items()}


def by_iban(lines: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """(bank_idx, payer_id) where the payer account is the IBAN of exactly one customer."""
    ibans = (
        customers.filter(pl.col("iban").is_not_null())
        .select(iban_key(pl.col("iban")).alias("iban"), "customer_id")
        .unique()
        .group_by("iban")
        .agg(pl.col("customer_id").sort().alias("ids"))
    )
    hits = lines.filter(pl.col("payer_account").is_not_null()).join(
        ibans, left_on=iban_key(pl.col("payer_account")), right_on="iban", how="inner"
    )
    single = pl.col("ids").list.len() == 1
    return hits.select(
        "bank_idx",
        pl.when(single).then(pl.col("ids").list.first()).alias("payer_id"),
        pl.when(single).then(pl.lit("iban")).alias("payer_how"),
        pl.when(single).then(pl.lit(1.0)).alias("payer_score"),
        pl.when(~single)
        .then(pl.lit("IBAN of several customers: ") + pl.col("ids").list.join(", "))
        .alias("payer_note"),
        pl.when(~single).then(pl.col("ids")).alias("payer_candidates"),
    )


#: Per name key: (customer id or None, score 0..1, note, the customers it could be).
Hit = tuple[str | None, float, str | None, list[str]]


def _fuzzy(queries: list[str], names: dict[str, list[str]], config: MatchConfig) -> dict[str, Hit]:
    """Name key -> what the name says of the payer, for keys with no exact hit."""
    import numpy as np
    from rapidfuzz import fuzz, process

    choices = list(names)
    result: dict[str, Hit] = {}
    if not choices or not queries:
        return result
    cutoff = int(config.name_threshold - config.name_margin)
    like = config.name_candidate_threshold
    if like:
        cutoff = min(cutoff, int(like))
    top = max(2, config.max_payer_candidates)  # ranked per name: the best and its rivals
    for start in range(0, len(queries), _CHUNK):
        chunk = queries[start : start + _CHUNK]
        scores = process.cdist(
            chunk,
            choices,
            scorer=fuzz.ratio,
            dtype=np.uint8,
            workers=-1,
            score_cutoff=max(cutoff, 0),
        )
        # Scores below the cutoff are 0: the few left are all a row can rank, so they are
        # gathered sparsely (a dense sort of the chunk's row x choices matrix cost seconds).
        rows, cols = _above_cutoff(scores)
        ranked_of: dict[int, list[int]] = {}
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            ranked_of.setdefault(row, []).append(col)
        for row, query in enumerate(chunk):
            hits = ranked_of.get(row)
            if not hits:
                continue
            ranked = sorted(hits, key=lambda j: (-int(scores[row, j]), choices[j]))[:top]
            first = ranked[0]
            score = float(scores[row, first])
            if score < config.name_threshold:
                near = sorted(
                    {
                        i
                        for j in ranked
                        if like and scores[row, j] >= like
                        for i in names[choices[j]]
                    }
                )
                if near and len(near) <= config.max_payer_candidates:
                    note = NAME_LIKE + ", ".join(near) + " (below name_threshold)"
                    result[query] = (None, score / 100, note, near)
                continue
            ids = names[choices[first]]
            rivals = [j for j in ranked[1:] if score - float(scores[row, j]) < config.name_margin]
            if len(ids) > 1 or rivals:
                others = sorted(set(ids + [i for j in rivals for i in names[choices[j]]]))
                note = "name close to several customers: " + ", ".join(others)
                result[query] = (None, score / 100, note, others)
            else:
                result[query] = (ids[0], score / 100, None, [])
    return result


def _above_cutoff(scores: Any) -> tuple[Any, Any]:
    """(rows, columns) of the nonzero scores, in row-major order, like `numpy.nonzero`.

    A chunk's score matrix is tens of megabytes with a few hundred thousand scores above
    the cutoff: scanning it eight bytes at a time is ten times faster than `numpy.nonzero`.
    """
    import numpy as np

    width = scores.shape[1]
    flat = np.ascontiguousarray(scores).reshape(-1)
    if flat.size % 8:
        flat = np.concatenate([flat, np.zeros(8 - flat.size % 8, dtype=flat.dtype)])
    words = np.flatnonzero(flat.view(np.uint64))
    positions = (words[:, None] * 8 + np.arange(8)).reshape(-1)
    positions = positions[flat[positions] != 0]
    return positions // width, positions % width


def identify(
    lines: pl.DataFrame, customers: pl.DataFrame | None, config: MatchConfig
) -> pl.DataFrame:
    """One row per line of `lines` (bank_idx, payer_name, payer_account): who paid, how sure."""
    if customers is None or customers.height == 0 or lines.height == 0:
        return _empty().vstack(
            lines.select(pl.col("bank_idx").cast(pl.Int64)).with_columns(
                pl.lit(None, pl.String).alias("payer_id"),
                pl.lit(None, pl.String).alias("payer_how"),
                pl.lit(None, pl.Float64).alias("payer_score"),
                pl.lit(None, pl.String).alias("payer_note"),
                pl.lit(None, pl.List(pl.String)).alias("payer_candidates"),
            )
        )
    customers = customers.unique("customer_id", keep="first", maintain_order=True)
    iban = by_iban(lines, customers)
    done = iban.filter(pl.col("payer_id").is_not_null())
    rest = lines.join(done.select("bank_idx"), on="bank_idx", how="anti")
    names = customer_names(customers, config)
    forms = frozenset(config.legal_forms)
    wanted = sorted({n for n in rest["payer_name"].to_list() if n})
    keys = {n: name_key(n, forms) for n in wanted}
    exact: dict[str, Hit] = {}
    for key in set(keys.values()):
        if ids := names.get(key):
            if len(ids) == 1:
                exact[key] = (ids[0], 1.0, None, [])
            else:
                exact[key] = (None, 1.0, "name of several customers: " + ", ".join(ids), ids)
    fuzzy = _fuzzy(sorted({k for k in keys.values() if k and k not in exact}), names, config)
    found = exact | fuzzy
    rows = []
    iban_notes = {
        idx: (note, ids)
        for idx, note, ids in iban.filter(pl.col("payer_note").is_not_null())
        .select("bank_idx", "payer_note", "payer_candidates")
        .iter_rows()
    }
    nobody: Hit = (None, 0.0, None, [])
    for bank_idx, payer_name in rest.select("bank_idx", "payer_name").iter_rows():
        hit = found.get(keys.get(payer_name, ""), nobody) if payer_name else nobody
        customer_id, score, note, could_be = hit
        if not note and bank_idx in iban_notes:  # the IBAN's customers, when the name is silent
            note, could_be = iban_notes[bank_idx]
        how = "name" if customer_id else None
        if customer_id is None and note and note.startswith(NAME_LIKE):
            how = "name_like"  # candidates an exact amount alone may settle
        rows.append((bank_idx, customer_id, how, score if customer_id else None, note, could_be))
    by_name = pl.DataFrame(rows, schema=_empty().schema, orient="row")
    return pl.concat([done.cast(_empty().schema), by_name]).sort("bank_idx")
