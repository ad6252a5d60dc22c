"""The dbt runner: builds the warehouse with dbt (DuckDB or Spark) from Python.

The layer between ingestion (below: it reads the warehouse file and the landing lake) and orchestration and the CLI
(above: the Dagster assets and `lms-warehouse build` both call it). It imports nothing from those upper layers.
"""
