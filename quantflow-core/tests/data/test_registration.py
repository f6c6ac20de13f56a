"""The built-in data sources register through the hook callback and build from their configs."""

from __future__ import annotations

from quantflow.data import (
    DataSource,
    DataSourceSpec,
    DirectorySource,
    MemorySource,
    ReplaySource,
    register_builtin_data_sources,
)


def test_three_specs_are_registered_and_build(tmp_path) -> None:
    specs: list[DataSourceSpec] = []
    register_builtin_data_sources(specs.append)
    assert [s.id for s in specs] == ["core:directory", "core:memory", "core:replay"]
    assert all(s.config_model is not None and s.description for s in specs)
    by_id = {s.id: s for s in specs}
    (tmp_path / "ABC.csv").write_text("date,open,high,low,close,volume\n2024-03-04,1,1,1,1,0\n")
    directory = by_id["core:directory"].create({"path": str(tmp_path)})
    memory = by_id["core:memory"].create({"synthetic": {"symbols": ["SYNQ"]}})
    replay = by_id["core:replay"].create({"synthetic": {}, "speed": 60})
    assert isinstance(directory, DirectorySource) and directory.symbols() == ["ABC"]
    assert isinstance(memory, MemorySource) and memory.metadata["synthetic"] is True
    assert isinstance(replay, ReplaySource) and hasattr(replay, "subscribe")
    assert all(isinstance(x, DataSource) for x in (directory, memory, replay))


def test_config_schemas_are_published() -> None:
    specs: list[DataSourceSpec] = []
    register_builtin_data_sources(specs.append)
    schema = specs[0].config_model.model_json_schema()
    assert {"path", "preset", "policy", "end"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
