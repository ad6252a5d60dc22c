"""How well dropout_risk_score ranks and calibrates against the observed labels of raw_data_daily."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

TOP_SHARE = 0.1  # top-decile lift: the highest-scored 10 % of rows


@dataclass(frozen=True)
class RiskEvaluation:
    rows: int
    dropouts: int
    first_date: date | None
    last_date: date | None
    auc: float | None
    brier: float | None
    top_decile_lift: float | None

    def lines(self) -> list[str]:
        if not self.rows:
            return ["no row of raw_data_daily has an observed label yet (each needs its 14 days after the as-of date)"]
        return [
            f"evaluated {self.rows:,} rows of raw_data_daily with an observed label "
            f"(as-of dates {self.first_date} .. {self.last_date}; {self.dropouts:,} dropouts, "
            f"{self.dropouts / self.rows:.1%})",
            f"  AUC               {_fmt(self.auc)}",
            f"  Brier score       {_fmt(self.brier)}",
            f"  top-decile lift   {_fmt(self.top_decile_lift)}",
        ]


def _fmt(value: float | None) -> str:
    return "n/a (only one class)" if value is None else f"{value:.3f}"


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None when one class is missing."""
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum, i = 0.0, 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        rank_sum += mean_rank * sum(1 for k in order[i : j + 1] if labels[k])
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    if not scores:
        return None
    return sum((score - float(label)) ** 2 for score, label in zip(scores, labels, strict=True)) / len(scores)


def top_share_lift(scores: Sequence[float], labels: Sequence[bool], share: float = TOP_SHARE) -> float | None:
    """Dropout rate among the highest-scored `share` of rows over the overall rate (ties by input order)."""
    base = sum(labels) / len(labels) if labels else 0
    if not base:
        return None
    top = sorted(range(len(scores)), key=lambda i: -scores[i])[: max(1, round(len(scores) * share))]
    return (sum(1 for i in top if labels[i]) / len(top)) / base


def evaluate_risk(con: duckdb.DuckDBPyConnection) -> RiskEvaluation:
    rows = con.execute("""
        select dropout_risk_score, is_dropout, as_of_date
        from main.raw_data_daily
        where label_observed and dropout_risk_score is not null
        order by organization_id, user_id, course_id, as_of_date
    """).fetchall()
    scores = [float(row[0]) for row in rows]
    labels = [bool(row[1]) for row in rows]
    dates = [row[2] for row in rows]
    return RiskEvaluation(
        rows=len(rows),
        dropouts=sum(labels),
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        auc=auc(scores, labels),
        brier=brier(scores, labels),
        top_decile_lift=top_share_lift(scores, labels),
    )
