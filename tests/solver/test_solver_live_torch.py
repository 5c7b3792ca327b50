"""The solver against PyTorch itself, when torch==2.13.0 is importable.

Skipped without torch, except under CI=true, where a missing torch FAILS these tests.
"""

from __future__ import annotations

import pytest
import solver_cases as sc


@pytest.mark.parametrize("name", list(sc.CASES))
def test_solver_matches_live_torch(name: str) -> None:
    sc.require_torch()  # in the test body: a missing torch under CI=true is a FAILED test
    case = sc.CASES[name]
    configs = sc.generate_configs(case)
    assert len(configs) >= sc.N_CONFIGS
    live = [sc.run_torch(case, cfg) for cfg in configs]
    failures = sc.check_case(case, configs, live, sc.solver_results(case, configs))
    assert not failures, "\n".join(failures)
    if case.fixture_path.exists():
        _, stored_configs, stored = sc.load_fixture(case)
        if sc.same_config(configs, stored_configs[: len(configs)]):
            drift = [f"#{i}: {msg}" for i, (a, b) in enumerate(zip(stored, live, strict=False))
                     if (msg := sc.compare(a, b))]
            assert not drift, "torch now differs from the stored fixture:\n" + "\n".join(drift[:5])
