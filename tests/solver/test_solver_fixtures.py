"""The solver against PyTorch 2.13 results stored in data/torch_fixtures (no torch needed)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import solver_cases as sc

from trainer.exercises import solver as S

CASE_NAMES = list(sc.CASES)

def _load(name: str):
    case = sc.CASES[name]
    if not case.fixture_path.exists():
        pytest.fail(f"missing fixture {case.fixture_path}: run scripts/make_torch_fixtures.py")
    return case, *sc.load_fixture(case)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_solver_matches_torch_fixture(name: str) -> None:
    case, meta, configs, results = _load(name)
    assert meta["torch_version"].split("+")[0] == sc.TORCH_VERSION
    assert len(configs) == len(results) >= sc.N_CONFIGS
    solver_results = sc.solver_results(case, configs)
    failures = sc.check_case(case, configs, results, solver_results)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fixture_mixes_valid_and_invalid_configs(name: str) -> None:
    _, _, configs, results = _load(name)
    errors = sum("error" in r for r in results)
    assert errors < len(results) * 0.7, "mostly invalid configurations test little"
    if name not in {"receptive_field", "batch_norm2d_eval"}:
        assert errors > 0, "no configuration where torch raises"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fixture_configs_are_the_seeded_ones(name: str) -> None:
    case, meta, configs, _ = _load(name)
    regenerated = sc.generate_configs(case, 100)
    twice = sc.generate_configs(case, 100)
    assert sc.same_config(regenerated, twice), "the generator is not deterministic"
    if not sc.same_config(regenerated, configs[:100]):
        if meta["numpy_version"] != np.__version__:
            pytest.skip(f"numpy {np.__version__} draws other configs than numpy "
                        f"{meta['numpy_version']} did for the fixtures")
        pytest.fail(f"{case.fixture_path.name} is stale: run scripts/make_torch_fixtures.py")


def test_fixtures_total_size_is_small() -> None:
    total = sum(p.stat().st_size for p in sc.FIXTURE_DIR.iterdir() if p.is_file())
    assert total < 5 * 1024 * 1024


def test_every_public_function_is_compared_with_torch() -> None:
    covered = {f.split(".")[-1] for case in sc.CASES.values() for f in case.functions}
    functions = {name for name in S.__all__
                 if inspect.isfunction(getattr(S, name))}
    missing = functions - covered
    assert not missing, f"public functions without a differential case: {sorted(missing)}"
    for qualified in (f for case in sc.CASES.values() for f in case.functions):
        module, func = qualified.split(".")
        assert hasattr(getattr(S, module), func), qualified


def test_torch_gate_fails_in_ci_and_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sc, "torch_status", lambda: (None, "torch is not importable"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"torch==2\.13\.0 must be installed"):
        sc.require_torch()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"torch==2\.13\.0"):
        sc.require_torch()
