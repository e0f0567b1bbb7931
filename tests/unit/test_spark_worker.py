"""What a rating task leaves its reused PySpark worker (no Spark needed: the worker's
between-task steps are Python's own)."""

from __future__ import annotations

import gc
import importlib
import sys
import zipfile
import zipimport
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.analytics.spark_rating import spare_the_next_task


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A zip of two modules first on the path, as Spark puts pyspark.zip on a worker's."""
    path = tmp_path / "lib.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("gw_zipped_first.py", "VALUE = 1\n")
        zipped.writestr("gw_zipped_second.py", "VALUE = 2\n")
    monkeypatch.syspath_prepend(str(path))
    yield str(path)
    for name in ("gw_zipped_first", "gw_zipped_second"):
        sys.modules.pop(name, None)
    sys.path_importer_cache.pop(str(path), None)
    zipimport._zip_directory_cache.pop(str(path), None)  # type: ignore[attr-defined]
    gc.unfreeze()


def test_the_next_tasks_cache_invalidation_reads_no_archive_again(archive: str) -> None:
    importlib.import_module("gw_zipped_first")
    assert isinstance(sys.path_importer_cache[archive], zipimport.zipimporter)
    spare_the_next_task()
    assert not any(isinstance(f, zipimport.zipimporter) for f in sys.path_importer_cache.values())
    directory = zipimport._zip_directory_cache[archive]  # type: ignore[attr-defined]
    importlib.invalidate_caches()  # what PySpark's worker calls before every task
    assert zipimport._zip_directory_cache[archive] is directory  # type: ignore[attr-defined]


def test_modules_still_import_from_the_archive_after(archive: str) -> None:
    importlib.import_module("gw_zipped_first")
    spare_the_next_task()
    assert importlib.import_module("gw_zipped_second").VALUE == 2
