"""What the moderator console reads besides the queue: the pools to filter it by, and whose
answer an item is (for the expert's record and sanctions)."""

from __future__ import annotations

from marketplace.companies.models import PoolKind
from marketplace.companies.services import create_pool
from marketplace.eventlog.services import Actor
from tests.factories import default_pool, make_company
from tests.moderation.conftest import make_moderator, pending_item, queue_of

ACTOR = Actor.system("test")


def test_a_moderator_lists_the_company_pools_to_filter_the_queue_by(app, db, client, shop):
    other = make_company(app, budget=10**6)
    default_pool(app, other.id)
    second = create_pool(
        shop["company"].id, "aurora-pro", "Aurora Pro", "Aurora", PoolKind.CROWD, ACTOR
    )
    response = client.get("/api/v1/moderation/pools", headers=shop["mod_a"].headers)
    assert response.status_code == 200, response.get_json()
    pools = response.get_json()
    assert {p["id"] for p in pools} == {str(shop["pool"]), str(second.id)}
    assert all(p["company_id"] == str(shop["company"].id) for p in pools)
    assert [p["name"] for p in pools] == sorted(p["name"] for p in pools)
    assert set(pools[0]) == {"id", "slug", "name", "brand", "company_id"}
    outsider = make_moderator(app, other.id)
    theirs = client.get("/api/v1/moderation/pools", headers=outsider.headers).get_json()
    assert str(shop["pool"]) not in {p["id"] for p in theirs}


def test_the_item_view_names_the_expert_and_the_queue_filters_by_that_pool(app, db, client, shop):
    answer_id, item = pending_item(app, db, client, shop)
    detail = client.get(f"/api/v1/moderation/items/{item['id']}", headers=shop["mod_a"].headers)
    assert detail.status_code == 200, detail.get_json()
    body = detail.get_json()
    assert body["expert_id"] == str(shop["expert"].id)
    assert "score" not in body["answer"] and "outcome" not in body["answer"]  # still blind
    record = client.get(
        f"/api/v1/moderation/experts/{body['expert_id']}", headers=shop["mod_a"].headers
    )
    assert record.status_code == 200
    in_pool = queue_of(client, shop["mod_a"], pool_id=str(shop["pool"]))
    assert [i["answer_id"] for i in in_pool] == [str(answer_id)]
    elsewhere = create_pool(shop["company"].id, "other", "Other", "Aurora", PoolKind.CROWD, ACTOR)
    assert queue_of(client, shop["mod_a"], pool_id=str(elsewhere.id)) == []
