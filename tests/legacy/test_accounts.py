"""Imported accounts signing in: inactive ones stay out, staff stay admins, old times kept."""

from __future__ import annotations

from algoitny.legacy.context import Entity, epoch_ms, legacy_user_id
from algoitny.table import CursorCodec, UserRepository
from tests.accounts.conftest import bearer, sign_in
from tests.legacy import seed

ACCOUNTS = (Entity.PLANS, Entity.USERS)


def refused_as_inactive(response) -> bool:
    return response.status_code == 403 and response.json()["error"]["code"] == "user_inactive"


async def test_an_inactive_user_cannot_sign_in_and_loses_refresh(
    legacy_db, run_import, auth_api, google_keys, table
):
    ids = await seed.world(legacy_db)  # gone@example.com is inactive in the old system
    assert (await run_import(only=ACCOUNTS)).clean
    assert refused_as_inactive(await auth_api.post("/api/auth/dev/", json={"email": "gone@example.com"}))
    token = google_keys.id_token(sub="g-gone", email="gone@example.com")
    assert refused_as_inactive(await auth_api.post("/api/auth/google/", json={"id_token": token}))
    users = UserRepository(table, CursorCodec("test"))
    assert (await users.get(legacy_user_id(ids["gone"]))).google_id is None, "no Google id linked"

    tokens = await sign_in(auth_api, "alice@example.com")
    await users.set_active(legacy_user_id(ids["alice"]), False)
    refresh = {"refresh_token": tokens["refresh_token"]}
    assert refused_as_inactive(await auth_api.post("/api/auth/refresh/", json=refresh))
    me = await auth_api.get("/api/account/me", headers=bearer(tokens))
    assert me.status_code == 401, "the sign-in was revoked (its access token too), not just refused once"


async def test_imported_staff_stay_admins_when_they_sign_in(legacy_db, run_import, auth_api):
    await seed.world(legacy_db)  # staff@example.com has is_staff and is not in admin_emails
    assert (await run_import(only=ACCOUNTS)).clean
    for _ in range(2):  # the first sign-in must not recompute the role from admin_emails
        staff = await sign_in(auth_api, "staff@example.com")
        assert (staff["user"]["role"], staff["user"]["plan"]) == ("admin", "admin")
    assert (await auth_api.get("/api/admin/users", headers=bearer(staff))).status_code == 200
    alice = await sign_in(auth_api, "alice@example.com")
    assert (alice["user"]["role"], alice["user"]["plan"]) == ("user", "pro")


async def test_users_and_test_cases_keep_their_old_creation_times(
    legacy_db, run_import, auth_api, test_cases
):
    ids = await seed.world(legacy_db)
    await legacy_db.execute("UPDATE users SET created_at = %s WHERE id = %s", (seed.T0, ids["alice"]))
    assert (await run_import(only=(*ACCOUNTS, Entity.PROBLEMS, Entity.TEST_CASES))).clean
    alice = (await sign_in(auth_api, "alice@example.com"))["user"]
    assert alice["created_at"] == epoch_ms(seed.T0) < alice["last_login_at"]
    cases = (
        await test_cases.list_test_cases(platform="baekjoon", identifier="1000", limit=9, cursor=None)
    ).items
    minutes = sorted((c.created_at - epoch_ms(seed.T0)) // 60_000 for c in cases)
    assert minutes == [0, 1, 2], "the old created_at of each case, not the import's"


async def test_a_user_deactivated_after_signing_in_is_refused_with_their_access_token(
    legacy_db, run_import, auth_api, table
):
    ids = await seed.world(legacy_db)
    assert (await run_import(only=ACCOUNTS)).clean
    tokens = await sign_in(auth_api, "alice@example.com")
    await UserRepository(table, CursorCodec("test")).set_active(legacy_user_id(ids["alice"]), False)
    assert refused_as_inactive(await auth_api.get("/api/account/me", headers=bearer(tokens)))
