"""The comparison the Spark tests and `make bench-spark` rely on finds what differs, and only that."""

from __future__ import annotations

from pathlib import Path

import duckdb

from devtools.engine_compare import compare

ROWS = """select * from (values
    ('a', 1, 0.1 + 0.2, timestamp '2026-03-01 12:00:00.123456'),
    ('b', 2, 1234567.891, timestamp '2026-03-02 00:00:00'),
    ('b', 2, 1234567.891, timestamp '2026-03-02 00:00:00'),
    ('c', null, null, null)) as t(name, n, x, moment)"""


def _setup(tmp_path: Path, spark_rows: str) -> tuple[Path, Path]:
    warehouse, spark_dir = tmp_path / "lms.duckdb", tmp_path / "spark"
    tmp_path.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create table main.t as {ROWS}")
    (spark_dir / "t").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy ({spark_rows}) to '{spark_dir / 't' / 'part-0.parquet'}' (format parquet)")
    return warehouse, spark_dir


def test_equal_rows_in_another_order_with_numbers_within_9_digits_are_equal(tmp_path: Path) -> None:
    found = compare(*_setup(tmp_path, f"select name, n, x * (1 + 1e-12) as x, moment from ({ROWS}) order by name desc"))
    assert (found.relations, found.missing, found.differing, found.nonempty) == (["t"], [], [], 1)


def test_a_changed_value_a_lost_duplicate_a_shifted_instant_and_a_missing_folder_are_found(tmp_path: Path) -> None:
    changed = compare(*_setup(tmp_path / "1", f"select name, n, case when name = 'b' then x + 0.01 else x end as x, "
                                              f"moment from ({ROWS})"))
    assert len(changed.differing) == 1 and "2 of 4 rows differ" in changed.differing[0]
    lost = compare(*_setup(tmp_path / "2", f"select distinct * from ({ROWS})"))
    assert lost.differing == ["t: 4 rows on DuckDB, 3 on Spark"]
    shifted = compare(*_setup(tmp_path / "3",
                              f"select name, n, x, moment + interval 1 microsecond as moment from ({ROWS})"))
    assert len(shifted.differing) == 1
    renamed = compare(*_setup(tmp_path / "4", f"select name, n as count, x, moment from ({ROWS})"))
    assert renamed.differing and "columns" in renamed.differing[0]
    warehouse, spark_dir = _setup(tmp_path / "5", ROWS)
    (spark_dir / "t" / "part-0.parquet").unlink()
    assert compare(warehouse, spark_dir).missing == ["t"]
