from hypothesis import given
from hypothesis import strategies as st

from kinga.locations import rules
from kinga.locations.rules import LEVELS, Placement, retype_subtree


@st.composite
def forests(draw):
    """A valid location tree (node ids 0..n-1) with each node's type and parent."""
    n = draw(st.integers(min_value=1, max_value=30))
    types: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    for i in range(n):
        candidates = [j for j in range(i) if types[j] != "V"]
        parent = draw(st.one_of(st.none(), st.sampled_from(candidates))) if candidates else None
        parents[i] = parent
        types[i] = "R" if parent is None else LEVELS[LEVELS.index(types[parent]) + 1]
    return types, parents


def _children(parents):
    children: dict[int, list[int]] = {}
    for node, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    return children


@given(forests(), st.data())
def test_a_move_keeps_every_parent_exactly_one_level_above(forest, data):
    types, parents = forest
    children = _children(parents)
    node = data.draw(st.sampled_from(sorted(types)))
    outside = sorted(set(types) - rules.subtree_of(node, children))
    new_parent = data.draw(st.one_of(st.none(), st.sampled_from(outside))) if outside else None

    result = retype_subtree(
        node=node,
        children=children,
        new_parent=new_parent,
        new_parent_type=types[new_parent] if new_parent is not None else None,
        new_parent_parent=parents[new_parent] if new_parent is not None else None,
    )

    assert set(result) == rules.subtree_of(node, children)  # node count unchanged
    final_types = {**types, **{k: p.type for k, p in result.items()}}
    final_parents = {**parents, **{k: p.parent for k, p in result.items()}}
    for k in final_types:
        if final_types[k] == "R":
            assert final_parents[k] is None
        else:
            parent = final_parents[k]
            assert parent is not None
            assert LEVELS.index(final_types[parent]) == LEVELS.index(final_types[k]) - 1


def test_a_municipality_moved_under_a_region_becomes_a_district_with_municipalities():
    result = retype_subtree(
        node="W", children={"W": ["V1", "V2"]}, new_parent="R2", new_parent_type="R"
    )
    assert result == {
        "W": Placement("D", "R2"),
        "V1": Placement("W", "W"),
        "V2": Placement("W", "W"),
    }


def test_a_node_pushed_below_village_level_stays_a_village_under_the_municipality():
    result = retype_subtree(
        node="D",
        children={"D": ["W"], "W": ["V"]},
        new_parent="M",
        new_parent_type="W",
        new_parent_parent="D0",
    )
    assert result == {
        "D": Placement("V", "M"),
        "W": Placement("V", "M"),
        "V": Placement("V", "M"),
    }


def test_moving_to_no_parent_makes_a_region():
    result = retype_subtree(node="W", children={"W": ["V"]}, new_parent=None)
    assert result == {"W": Placement("R", None), "V": Placement("D", "W")}


def test_the_parent_level_rules():
    assert rules.parent_fits("R", None)
    assert rules.parent_fits("V", "W")
    assert not rules.parent_fits("V", "D")
    assert not rules.parent_fits("D", None)
    assert rules.child_type_of(None) == "R"
    assert rules.child_type_of("V") is None


@given(st.integers(min_value=0, max_value=rules.MAX_COUNT))
def test_counts_read_back_from_text(n):
    assert rules.parse_count(str(n)) == n


def test_counts_refuse_what_is_not_a_whole_number():
    for bad in ("-1", "1.5", "abc", "1e3", " 12a"):
        try:
            rules.parse_count(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    assert rules.parse_count("  ") is None
