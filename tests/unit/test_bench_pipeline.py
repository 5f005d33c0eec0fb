"""The pipeline bench's pure helpers: the floor it prints comes from bench/gas_mining.py's formula, each end-to-end
row is held against the reference issue 14 names for its chain, and the fleet's batches are returning purchases
cycling through the same recipients. No chain, no timing."""

from __future__ import annotations

from bench.chain_capacity import Fleet
from bench.gas_mining import storage_floor
from bench.pipeline import floor_per_purchase, inflight_env
from bench.pipeline_render import mark, reference


def test_floor_is_gas_minings_formula_over_all_batches():
    batches = [(100, {f"r{i}" for i in range(211)}), (50, {f"s{i}" for i in range(61)})]
    expected = (storage_floor(100, 0, 211) + storage_floor(50, 0, 61)) / 150
    assert floor_per_purchase(batches) == expected
    # batch 100 of returning consumers, own referrers, 10 suppliers and the platform: about 40,000 gas
    assert 39_000 < floor_per_purchase(batches[:1]) < 41_000


def test_reference_is_raw_capacity_on_ganache_and_the_lower_of_both_elsewhere():
    row = {"accepted_per_second": 300.0}
    assert reference({"network": "ganache-cli", "raw": {"capacity": 40.0}}, row) == (40.0, "raw capacity")
    assert reference({"network": "anvil", "raw": {"capacity": 2000.0}}, row) == (300.0, "accepted/s")
    assert reference({"network": "anvil", "raw": {"capacity": 200.0}}, row) == (200.0, "raw capacity")
    assert mark(True) == "met" and "not met" in mark(False)


def test_fleet_batches_cycle_through_the_same_recipients_with_fresh_refs():
    fleet = Fleet(100)
    a, b = fleet.batch("x", 100), fleet.batch("y", 100)
    assert [r.consumer for r in a] == [r.consumer for r in b] == fleet.consumers
    assert len({r.ref for r in a + b}) == 200
    assert {r.supplier for r in a} == set(fleet.suppliers) and len(fleet.suppliers) == 10


def test_inflight_env_sets_the_oracles_window():
    import dataclasses

    from oracle.config import Settings

    assert "max_inflight" in {f.name for f in dataclasses.fields(Settings)}
    assert inflight_env(4) == {"ORACLE_MAX_INFLIGHT": 4}
