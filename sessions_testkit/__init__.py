"""What the tests (tests/python) and the benchmarks (benchmarks/) share: the comparison of two
warehouses' marts (mart_diff), the Spark build and its comparison with DuckDB's (spark_support)
and the large synthetic history of the benchmarks (history). Installed with the project
(editable, by `make venv`), so both import it as a package.
"""

from pathlib import Path

# The project this package belongs to (an editable install keeps it in the checkout).
PROJECT_DIR = Path(__file__).resolve().parents[1]
