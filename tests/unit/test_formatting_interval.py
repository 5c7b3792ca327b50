"""One interval rule for the whole app (the grade buttons, the card browser)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trainer.app.formatting import format_interval


@pytest.mark.parametrize(("delta", "label"), [
    (timedelta(seconds=20), "<1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=5), "5h"),
    (timedelta(days=29), "29d"), (timedelta(days=45), "1.5mo"), (timedelta(days=99), "3.3mo"),
    (timedelta(days=730), "2.0y"),
])
def test_one_interval_rule_months_from_30_days(delta, label):
    assert format_interval(delta) == label

