"""Login throttling: failures counted per email and per client address in a sliding window,
in the database, and the settings that set its limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from talentmatch.platform.db import AccessToken, LoginFailure, OrganizationKind
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.errors import DomainError, ErrorCode, Forbidden
from talentmatch.platform.services import login_throttle
from talentmatch.platform.services.accounts import log_in, sign_up
from talentmatch.platform.settings import LoginThrottleSettings, Settings, SettingsError

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "silk-road-2027"
WRONG = "silk-road-2028"
EMAIL = "hr@yiwu-trade.com"
OFFICE, CAFE = "203.0.113.7", "198.51.100.23"
DEFAULT = LoginThrottleSettings()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    factory = create_session_factory(engine)
    async with factory() as session:
        for email, region in [(EMAIL, "330782"), ("hr@jinhua-tools.com", "330700")]:
            await sign_up(
                session, email, PASSWORD, OrganizationKind.ENTERPRISE, "义乌商贸", None, region
            )
        await session.commit()
    return factory


async def attempt(
    sessions: async_sessionmaker[AsyncSession],
    email: str,
    password: str,
    now: datetime,
    address: str | None = OFFICE,
    rules: LoginThrottleSettings = DEFAULT,
) -> ErrorCode | str:
    """Log in as the logIn mutation does: commit on success; on a refusal roll back, and record
    a failure for bad credentials on its own. The error's code, or "ok"."""
    async with sessions() as session:
        try:
            await log_in(session, email, password, now, address=address, throttle=rules)
        except DomainError as error:
            await session.rollback()
            if error.code is ErrorCode.INVALID_CREDENTIALS:
                await count_failure(sessions, email, address, now, rules)
            return error.code
        await session.commit()
        return "ok"


async def count_failure(
    sessions: async_sessionmaker[AsyncSession],
    email: str,
    address: str | None,
    now: datetime,
    rules: LoginThrottleSettings = DEFAULT,
) -> None:
    """Count a failed log-in in a short transaction of its own."""
    async with sessions() as s, s.begin():
        await login_throttle.add_failure(s, email, address, now, rules)


async def failures(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with sessions() as session:
        rows = await session.scalars(select(LoginFailure).order_by(LoginFailure.attempted_at))
        return [(row.email, row.address) for row in rows]


async def failing(
    sessions: async_sessionmaker[AsyncSession],
    times: int,
    email: str = EMAIL,
    address: str | None = OFFICE,
) -> list[ErrorCode | str]:
    """``times`` wrong passwords, a second apart from NOW on."""
    return [
        await attempt(sessions, email, WRONG, NOW + timedelta(seconds=i), address)
        for i in range(times)
    ]


# --- per account ----------------------------------------------------------------------------


async def test_the_fifth_failure_is_checked_and_the_sixth_attempt_is_refused_even_when_right(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    codes = await failing(sessions, 5)

    right = await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10))

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * 5
    assert right is ErrorCode.TOO_MANY_ATTEMPTS
    async with sessions() as session:
        assert (await session.scalars(select(AccessToken))).all() == []


async def test_four_failures_still_let_the_right_password_in(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 4)

    assert await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10)) == "ok"


async def test_the_account_is_throttled_from_every_address(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 5, address=OFFICE)

    assert await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10), CAFE) == (
        ErrorCode.TOO_MANY_ATTEMPTS
    )


async def test_the_refusal_says_when_the_oldest_counted_failure_leaves_the_window(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 5)  # at NOW, NOW+1s, ..., NOW+4s

    async with sessions() as session:
        with pytest.raises(Forbidden) as info:
            await log_in(session, EMAIL, PASSWORD, NOW + timedelta(seconds=100), address=OFFICE)

    assert (info.value.code, info.value.message, info.value.field) == (
        ErrorCode.TOO_MANY_ATTEMPTS,
        "too many failed log-ins; try again in 800 seconds",
        None,
    )


async def test_failures_count_until_the_instant_they_leave_the_window(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 5)  # the oldest at NOW
    window = timedelta(seconds=900)

    just_before = await attempt(sessions, EMAIL, PASSWORD, NOW + window - timedelta(microseconds=1))
    at_the_end = await attempt(sessions, EMAIL, PASSWORD, NOW + window)

    assert (just_before, at_the_end) == (ErrorCode.TOO_MANY_ATTEMPTS, "ok")


async def test_a_refused_attempt_is_not_counted_nor_stored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 5)

    refused = await attempt(sessions, EMAIL, WRONG, NOW + timedelta(seconds=10))

    assert refused is ErrorCode.TOO_MANY_ATTEMPTS
    assert await failures(sessions) == [(EMAIL, OFFICE)] * 5


async def test_an_unknown_email_is_throttled_the_same_way(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    codes = await failing(sessions, 6, email="Nobody@Yiwu-Trade.com")

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * 5 + [ErrorCode.TOO_MANY_ATTEMPTS]
    assert await failures(sessions) == [("nobody@yiwu-trade.com", OFFICE)] * 5


async def test_the_email_is_counted_whatever_its_case_and_blanks(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 5, email=" HR@Yiwu-Trade.com")

    assert await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10)) == (
        ErrorCode.TOO_MANY_ATTEMPTS
    )


# --- success ----------------------------------------------------------------------------------


async def test_success_clears_the_accounts_failures_from_that_address_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 2, address=CAFE)
    await failing(sessions, 2, address=OFFICE)
    await failing(sessions, 1, email="hr@jinhua-tools.com", address=OFFICE)

    assert await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10), OFFICE) == "ok"

    assert sorted(await failures(sessions)) == [
        ("hr@jinhua-tools.com", OFFICE),
        (EMAIL, CAFE),
        (EMAIL, CAFE),
    ]


async def test_after_a_success_the_account_has_its_full_allowance_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await failing(sessions, 4)
    await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=10))

    later = NOW + timedelta(seconds=20)
    codes = [await attempt(sessions, EMAIL, WRONG, later) for _ in range(4)]

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * 4
    assert await attempt(sessions, EMAIL, PASSWORD, later) == "ok"


# --- per address ------------------------------------------------------------------------------


async def test_the_address_limit_counts_failures_across_emails(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rules = LoginThrottleSettings(
        max_failures_per_account=5, max_failures_per_address=3, window_seconds=900
    )
    for i, email in enumerate(["a@yiwu-trade.com", "b@yiwu-trade.com", "c@yiwu-trade.com"]):
        assert await attempt(sessions, email, WRONG, NOW + timedelta(seconds=i), rules=rules) == (
            ErrorCode.INVALID_CREDENTIALS
        )

    later = NOW + timedelta(seconds=10)
    from_there = await attempt(sessions, EMAIL, PASSWORD, later, OFFICE, rules)
    from_elsewhere = await attempt(sessions, EMAIL, PASSWORD, later, CAFE, rules)

    assert (from_there, from_elsewhere) == (ErrorCode.TOO_MANY_ATTEMPTS, "ok")


async def test_the_default_address_limit_is_twenty_failures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    codes = [
        await attempt(sessions, f"guess{i}@yiwu-trade.com", WRONG, NOW + timedelta(seconds=i))
        for i in range(20)
    ]

    assert codes == [ErrorCode.INVALID_CREDENTIALS] * 20
    assert await attempt(sessions, EMAIL, PASSWORD, NOW + timedelta(seconds=30)) == (
        ErrorCode.TOO_MANY_ATTEMPTS
    )


async def test_without_an_address_only_the_account_limit_applies(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rules = LoginThrottleSettings(
        max_failures_per_account=5, max_failures_per_address=1, window_seconds=900
    )
    await attempt(sessions, "a@yiwu-trade.com", WRONG, NOW, None, rules)

    assert await attempt(sessions, EMAIL, PASSWORD, NOW, None, rules) == "ok"
    assert await failures(sessions) == [("a@yiwu-trade.com", None)]


# --- pruning ----------------------------------------------------------------------------------


async def test_recording_a_failure_deletes_the_failures_that_left_the_window(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    window = timedelta(seconds=900)
    await count_failure(sessions, "old@yiwu-trade.com", OFFICE, NOW)
    await count_failure(sessions, "edge@yiwu-trade.com", OFFICE, NOW + window)
    inside = NOW + window + timedelta(microseconds=1)
    await count_failure(sessions, "inside@yiwu-trade.com", OFFICE, inside)

    await count_failure(sessions, EMAIL, CAFE, NOW + window + window)

    assert await failures(sessions) == [("inside@yiwu-trade.com", OFFICE), (EMAIL, CAFE)]


async def test_an_over_long_address_is_cut_to_the_column(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await count_failure(sessions, EMAIL, "f" * 100, NOW)

    assert await failures(sessions) == [(EMAIL, "f" * 64)]


# --- settings ---------------------------------------------------------------------------------


def test_throttle_settings_default_to_five_per_account_twenty_per_address_in_fifteen_minutes(
    tmp_path: Path,
) -> None:
    login = Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)}).login

    assert login == LoginThrottleSettings(5, 20, 900)
    assert login.window == timedelta(minutes=15)


def test_throttle_settings_are_read(tmp_path: Path) -> None:
    env = {
        "TALENTMATCH_DATA_DIR": str(tmp_path),
        "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3",
        "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ADDRESS": " 50 ",
        "TALENTMATCH_LOGIN_WINDOW_SECONDS": "3600",
    }

    assert Settings.from_env(env).login == LoginThrottleSettings(3, 50, 3600)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ACCOUNT",
            "0",
            "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ACCOUNT must be a whole number of failures "
            "from 1 to 10000, got '0'",
        ),
        (
            "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ADDRESS",
            "many",
            "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ADDRESS must be a whole number of failures "
            "from 1 to 10000, got 'many'",
        ),
        (
            "TALENTMATCH_LOGIN_WINDOW_SECONDS",
            "86401",
            "TALENTMATCH_LOGIN_WINDOW_SECONDS must be a whole number of seconds from 1 to 86400, "
            "got '86401'",
        ),
    ],
)
def test_bad_throttle_setting_is_rejected_with_the_variable_named(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path), variable: value})

    assert str(info.value) == message
