"""The ids a storing transaction hands to text analytics: runs, not one entry per response."""

from openxm.comments import tasks


def test_consecutive_ids_are_kept_as_runs_and_come_back_in_chunks(monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 3)
    batch = tasks._Batch()
    for rid in [10, 11, 12, 13, 20, 21, 5]:
        batch.add(1, rid)
    batch.add(2, 7)
    assert batch.runs == {1: [[10, 13], [20, 21], [5, 5]], 2: [[7, 7]]}
    assert list(batch.chunks()) == [(1, [10, 11, 12]), (1, [13, 20, 21]), (1, [5]), (2, [7])]


def test_a_large_import_holds_one_run(monkeypatch):
    started = []
    monkeypatch.setattr(tasks, "_start_analysis", lambda org_id, ids: started.append((org_id, len(ids))))
    batch = tasks._Batch()
    for rid in range(1, 1_200):
        batch.add(9, rid)
    assert batch.runs == {9: [[1, 1_199]]}
    batch()
    assert started == [(9, 500), (9, 500), (9, 199)] and batch.flushed
