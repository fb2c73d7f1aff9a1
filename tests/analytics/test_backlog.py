import pytest

from openxm.analytics.backlog import PainPoint, prioritise


def test_impact_is_volume_times_gap_times_value():
    points = [
        PainPoint("touchpoint", "delivery", "Delivery", 200, 10.0),  # 200 × 30 × 1 = 6000
        PainPoint("topic", "waiting", "Waiting", 100, -20.0, value=1.5),  # 100 × 60 × 1.5 = 9000
        PainPoint("unit", "sh-jingan", "Jing'an", 50, 55.0),  # meets the target: 0
        PainPoint("root_cause", "stock-out", "Stock-out", 5, -80.0),  # too small to rank
    ]
    backlog = prioritise(points, target=40, plans={("topic", "waiting"): [{"id": 3}]})
    assert [(i.rank, i.code, i.impact) for i in backlog.items] == [
        (1, "waiting", 9000.0),
        (2, "delivery", 6000.0),
        (3, "sh-jingan", 0.0),
    ]
    assert backlog.items[0].gap == 60.0
    assert backlog.items[0].share == pytest.approx(60.0)
    assert backlog.items[0].plans == ({"id": 3},)
    assert backlog.items[1].plans == ()
    assert backlog.too_small == (("root_cause", "stock-out"),)
    assert backlog.to_dict()["items"][0]["code"] == "waiting"


@pytest.mark.parametrize(
    ("points", "target", "higher", "order"),
    [
        # Lower is better (a topic's negative share): the gap is score − target.
        (
            [PainPoint("topic", "a", "A", 100, 30.0), PainPoint("topic", "b", "B", 100, 50.0)],
            20,
            False,
            ["b", "a"],
        ),
        # Equal impact: the larger volume first, then the label.
        (
            [
                PainPoint("touchpoint", "x", "X", 50, 20.0),
                PainPoint("touchpoint", "y", "Y", 100, 30.0),
                PainPoint("touchpoint", "w", "W", 100, 30.0),
            ],
            40,
            True,
            ["w", "y", "x"],
        ),
        ([], 40, True, []),
    ],
)
def test_ranking(points, target, higher, order):
    backlog = prioritise(points, target=target, higher_is_better=higher)
    assert [i.code for i in backlog.items] == order


def test_a_suppressed_score_is_not_ranked():
    backlog = prioritise([PainPoint("unit", "u", "U", 40, None)], target=40)
    assert backlog.items == () and backlog.too_small == (("unit", "u"),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "store"}, "kind 'store'"),
        ({"volume": -1}, "volume"),
        ({"value": -0.5}, "customer value"),
    ],
)
def test_bad_points(kwargs, message):
    fields = {"kind": "topic", "code": "c", "label": "C", "volume": 1, "score": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        PainPoint(**fields)
