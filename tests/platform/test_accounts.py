"""Accounts: sign-up rules, log-in, bearer tokens (expiry, log-out) and verifying organizations."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import AccessToken, Organization, OrganizationKind, User
from talentmatch.platform.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    Forbidden,
    Invalid,
    NotFound,
)
from talentmatch.platform.services.accounts import (
    DEFAULT_TOKEN_TTL,
    authenticate,
    log_in,
    log_out,
    sign_up,
    verify_organization,
)
from talentmatch.platform.services.common_passwords import COMMON_PASSWORDS

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "silk-road-2027"
HUZHOU, ANJI, HANGZHOU, ZHEJIANG = "330500", "330523", "330100", "330000"
JIANGSU = "320000"


async def make_party(
    session: AsyncSession,
    email: str,
    kind: OrganizationKind = OrganizationKind.SCHOOL,
    region: str = ANJI,
) -> User:
    return await sign_up(session, email, PASSWORD, kind, "安吉职业学校", None, region)


def error_of(info: pytest.ExceptionInfo[DomainError]) -> tuple[type, ErrorCode, str, str | None]:
    e = info.value
    return type(e), e.code, e.message, e.field


# --- signing up ------------------------------------------------------------------------------


async def test_sign_up_creates_an_unverified_organization_and_its_admin(
    session: AsyncSession,
) -> None:
    user = await sign_up(
        session,
        "  Li.Wei@Anji-Vocational.EDU.cn ",
        PASSWORD,
        OrganizationKind.SCHOOL,
        " 安吉县职业教育中心 ",
        "Anji Vocational Education Centre",
        ANJI,
    )
    await session.commit()

    stored = await session.scalar(select(User).where(User.id == user.id))
    organization = await session.get(Organization, user.organization_id)
    assert stored is not None
    assert organization is not None
    assert stored.email == "li.wei@anji-vocational.edu.cn"
    assert stored.is_admin is True
    assert (organization.kind, organization.name_zh, organization.name_en) == (
        OrganizationKind.SCHOOL,
        "安吉县职业教育中心",
        "Anji Vocational Education Centre",
    )
    assert (organization.region, organization.verified, organization.verified_by_id) == (
        ANJI,
        False,
        None,
    )
    assert organization.created_at.tzinfo is UTC


async def test_sign_up_stores_an_argon2id_hash_not_the_password(session: AsyncSession) -> None:
    user = await make_party(session, "hr@yiwu-trade.com")

    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


async def test_blank_english_name_is_stored_as_none(session: AsyncSession) -> None:
    user = await sign_up(
        session, "gov@anji.gov.cn", PASSWORD, OrganizationKind.GOVERNMENT, "安吉县商务局", " ", ANJI
    )

    organization = await session.get(Organization, user.organization_id)
    assert organization is not None
    assert organization.name_en is None


async def test_duplicate_email_in_any_case_is_a_conflict_on_email(session: AsyncSession) -> None:
    await make_party(session, "office@huzhou-cbec.org", OrganizationKind.ASSOCIATION, HUZHOU)

    with pytest.raises(Conflict) as info:
        await make_party(session, "Office@Huzhou-CBEC.org")

    assert error_of(info) == (
        Conflict,
        ErrorCode.EMAIL_TAKEN,
        "an account with this email already exists",
        "email",
    )


@pytest.mark.parametrize(
    "email", ["", "no-at-sign", "two@@signs.cn", "a b@space.cn", "user@nodot", "user@.cn"]
)
async def test_malformed_email_is_invalid_on_email(session: AsyncSession, email: str) -> None:
    with pytest.raises(Invalid) as info:
        await make_party(session, email)

    assert error_of(info) == (
        Invalid,
        ErrorCode.INVALID_EMAIL,
        "is not a valid email address",
        "email",
    )


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("", ErrorCode.PASSWORD_TOO_SHORT, "must be at least 10 characters long"),
        ("abcdefghi", ErrorCode.PASSWORD_TOO_SHORT, "must be at least 10 characters long"),
        (
            "1234567890",
            ErrorCode.PASSWORD_ALL_DIGITS,
            "must not be only digits; add letters or other characters",
        ),
    ],
)
async def test_password_shorter_than_10_or_all_digits_is_invalid_on_password(
    session: AsyncSession, password: str, code: ErrorCode, message: str
) -> None:
    with pytest.raises(Invalid) as info:
        await sign_up(session, "a@b.cn", password, OrganizationKind.SCHOOL, "学校", None, ANJI)

    assert error_of(info) == (Invalid, code, message, "password")


async def test_ten_character_password_with_a_letter_is_accepted(session: AsyncSession) -> None:
    user = await sign_up(
        session, "a@b.cn", "123456789x", OrganizationKind.SCHOOL, "学校", None, ANJI
    )

    assert user.email == "a@b.cn"


@pytest.mark.parametrize(
    ("email", "password", "code", "message"),
    [
        (
            "a@b.cn",
            "x" * 64 + "y" * 65,
            ErrorCode.PASSWORD_TOO_LONG,
            "must be at most 128 characters long",
        ),
        (
            "a@b.cn",
            "a" * 12,
            ErrorCode.PASSWORD_ONE_CHARACTER,
            "must not be one character repeated",
        ),
        (
            "a@b.cn",
            "%%%%%%%%%%",
            ErrorCode.PASSWORD_ONE_CHARACTER,
            "must not be one character repeated",
        ),
        (
            "Anna@b.cn",
            "silk-ANNA-2027",
            ErrorCode.PASSWORD_CONTAINS_EMAIL,
            "must not contain the name of the email address (the part before @)",
        ),
        (
            "li.wei@anji-vocational.edu.cn",
            "Li.Wei.2027!",
            ErrorCode.PASSWORD_CONTAINS_EMAIL,
            "must not contain the name of the email address (the part before @)",
        ),
        *[
            (
                "a@b.cn",
                common,
                ErrorCode.PASSWORD_TOO_COMMON,
                "is one of the most common passwords, which are guessed first; choose another",
            )
            for common in ["password123", "Password123", "QWERTYUIOP", "1q2w3e4r5t", "woaini1314"]
        ],
    ],
)
async def test_password_breaking_a_rule_is_invalid_on_password_with_that_rules_code(
    session: AsyncSession, email: str, password: str, code: ErrorCode, message: str
) -> None:
    with pytest.raises(Invalid) as info:
        await sign_up(session, email, password, OrganizationKind.SCHOOL, "学校", None, ANJI)

    assert error_of(info) == (Invalid, code, message, "password")
    assert (await session.scalars(select(User))).all() == []


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("a@b.cn", "x" * 64 + "y" * 64),  # 128 characters
        ("ann@b.cn", "silk-ann-2027"),  # a name shorter than 4 may appear
        ("anna@b.cn", "silk-road-2027"),
        ("a@b.cn", "aaaaaaaaab"),
        ("a@b.cn", "password123x"),
    ],
)
async def test_password_just_inside_the_rules_is_accepted(
    session: AsyncSession, email: str, password: str
) -> None:
    user = await sign_up(session, email, password, OrganizationKind.SCHOOL, "学校", None, ANJI)

    assert user.email == email


def test_the_common_passwords_are_a_hundred_lower_case_ones_the_other_rules_let_through() -> None:
    passed_other_rules = [
        p for p in COMMON_PASSWORDS if len(p) >= 10 and not p.isdigit() and len(set(p)) > 1
    ]

    assert len(COMMON_PASSWORDS) == 112
    assert sorted(passed_other_rules) == sorted(COMMON_PASSWORDS)
    assert [p for p in COMMON_PASSWORDS if p != p.lower()] == []


async def test_an_over_long_password_is_wrong_credentials_at_log_in(session: AsyncSession) -> None:
    await make_party(session, "hr@yiwu-trade.com")

    with pytest.raises(Invalid) as info:
        await log_in(session, "hr@yiwu-trade.com", PASSWORD + "x" * 200, NOW)

    assert error_of(info) == (
        Invalid,
        ErrorCode.INVALID_CREDENTIALS,
        "the email or the password is wrong",
        None,
    )


@pytest.mark.parametrize("region", ["33052", "3305230", "033052", "33O523", "", " 330523"])
async def test_region_that_is_not_a_6_digit_code_is_invalid_on_region(
    session: AsyncSession, region: str
) -> None:
    with pytest.raises(Invalid) as info:
        await make_party(session, "a@b.cn", region=region)

    assert error_of(info) == (
        Invalid,
        ErrorCode.INVALID_REGION,
        f"must be a 6-digit GB/T 2260 region code such as 330523, got {region!r}",
        "region",
    )


async def test_blank_chinese_name_is_invalid_on_name_zh(session: AsyncSession) -> None:
    with pytest.raises(Invalid) as info:
        await sign_up(session, "a@b.cn", PASSWORD, OrganizationKind.SCHOOL, "  ", "School", ANJI)

    assert error_of(info) == (Invalid, ErrorCode.INVALID_NAME, "must not be empty", "name_zh")


async def test_name_longer_than_200_characters_is_invalid_on_that_name(
    session: AsyncSession,
) -> None:
    with pytest.raises(Invalid) as info:
        await sign_up(session, "a@b.cn", PASSWORD, OrganizationKind.SCHOOL, "学校", "x" * 201, ANJI)

    assert error_of(info) == (
        Invalid,
        ErrorCode.INVALID_NAME,
        "must be at most 200 characters long",
        "name_en",
    )


async def test_unknown_organization_kind_is_invalid_on_kind(session: AsyncSession) -> None:
    with pytest.raises(Invalid) as info:
        await sign_up(session, "a@b.cn", PASSWORD, "UNIVERSITY", "学校", None, ANJI)  # type: ignore[arg-type]

    assert error_of(info) == (
        Invalid,
        ErrorCode.INVALID_KIND,
        "must be one of GOVERNMENT, SCHOOL, ASSOCIATION, ENTERPRISE, TRAINING_PROVIDER, "
        "got 'UNIVERSITY'",
        "kind",
    )


# --- logging in, tokens, logging out ---------------------------------------------------------


async def test_log_in_returns_a_token_whose_sha256_alone_is_stored(session: AsyncSession) -> None:
    user = await make_party(session, "hr@yiwu-trade.com")

    token, expires_at = await log_in(session, "HR@yiwu-trade.com", PASSWORD, NOW)

    stored = (await session.scalars(select(AccessToken))).all()
    assert len(token) == 43  # secrets.token_urlsafe(32)
    assert expires_at == NOW + DEFAULT_TOKEN_TTL == datetime(2027, 3, 1, 21, 0, tzinfo=UTC)
    assert [(a.user_id, a.token_sha256) for a in stored] == [
        (user.id, hashlib.sha256(token.encode()).hexdigest())
    ]


async def test_authenticate_returns_the_user_with_the_organization_loaded(
    session: AsyncSession,
) -> None:
    user = await make_party(session, "hr@yiwu-trade.com", OrganizationKind.ENTERPRISE)
    token, _ = await log_in(session, "hr@yiwu-trade.com", PASSWORD, NOW)
    await session.commit()
    session.expunge_all()  # prove the user is loaded from the token, not the identity map

    found = await authenticate(session, token, NOW + timedelta(hours=1))

    assert found is not None
    assert found.id == user.id
    assert found.organization.kind is OrganizationKind.ENTERPRISE


async def test_token_works_until_the_instant_it_expires(session: AsyncSession) -> None:
    user = await make_party(session, "hr@yiwu-trade.com")
    token, expires_at = await log_in(
        session, "hr@yiwu-trade.com", PASSWORD, NOW, ttl=timedelta(minutes=30)
    )
    await session.commit()

    just_before = await authenticate(session, token, expires_at - timedelta(microseconds=1))
    at_expiry = await authenticate(session, token, expires_at)

    assert expires_at == NOW + timedelta(minutes=30)
    assert just_before is not None
    assert just_before.id == user.id
    assert at_expiry is None


async def test_unknown_or_empty_token_authenticates_nobody(session: AsyncSession) -> None:
    await make_party(session, "hr@yiwu-trade.com")
    await log_in(session, "hr@yiwu-trade.com", PASSWORD, NOW)

    assert await authenticate(session, "not-a-token", NOW) is None
    assert await authenticate(session, "", NOW) is None


async def test_log_out_revokes_that_token_only(session: AsyncSession) -> None:
    user = await make_party(session, "hr@yiwu-trade.com")
    phone, _ = await log_in(session, "hr@yiwu-trade.com", PASSWORD, NOW)
    laptop, _ = await log_in(session, "hr@yiwu-trade.com", PASSWORD, NOW)

    await log_out(session, phone, NOW + timedelta(minutes=5))
    await session.commit()

    revoked = await session.scalar(
        select(AccessToken).where(
            AccessToken.token_sha256 == hashlib.sha256(phone.encode()).hexdigest()
        )
    )
    assert revoked is not None
    assert revoked.revoked_at == NOW + timedelta(minutes=5)
    assert await authenticate(session, phone, NOW + timedelta(minutes=6)) is None
    still_in = await authenticate(session, laptop, NOW + timedelta(minutes=6))
    assert still_in is not None
    assert still_in.id == user.id


async def test_logging_out_twice_keeps_the_first_revocation_time(session: AsyncSession) -> None:
    await make_party(session, "hr@yiwu-trade.com")
    token, _ = await log_in(session, "hr@yiwu-trade.com", PASSWORD, NOW)

    await log_out(session, token, NOW + timedelta(minutes=1))
    await log_out(session, token, NOW + timedelta(minutes=2))
    await log_out(session, "unknown-token", NOW)

    access = await session.scalar(select(AccessToken))
    assert access is not None
    assert access.revoked_at == NOW + timedelta(minutes=1)


async def test_wrong_password_and_unknown_email_give_the_same_error(
    session: AsyncSession,
) -> None:
    await make_party(session, "hr@yiwu-trade.com")

    with pytest.raises(Invalid) as wrong_password:
        await log_in(session, "hr@yiwu-trade.com", PASSWORD + "x", NOW)
    with pytest.raises(Invalid) as unknown_email:
        await log_in(session, "nobody@yiwu-trade.com", PASSWORD, NOW)

    expected = (
        Invalid,
        ErrorCode.INVALID_CREDENTIALS,
        "the email or the password is wrong",
        None,
    )
    assert error_of(wrong_password) == expected
    assert error_of(unknown_email) == expected
    assert (await session.scalars(select(AccessToken))).all() == []


async def test_naive_now_is_refused(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await authenticate(session, "token", datetime(2027, 3, 1, 9, 0))


# --- verifying organizations -----------------------------------------------------------------


async def test_association_verifies_an_organization_in_its_region(session: AsyncSession) -> None:
    officer = await make_party(session, "office@huzhou.org", OrganizationKind.ASSOCIATION, HUZHOU)
    school = await make_party(session, "staff@anji.edu.cn", OrganizationKind.SCHOOL, ANJI)

    verified = await verify_organization(session, officer, school.organization_id, now=NOW)
    await session.commit()

    assert verified.id == school.organization_id
    assert (verified.verified, verified.verified_by_id, verified.verified_at) == (
        True,
        officer.id,
        NOW,
    )


async def test_provincial_association_covers_a_county_organization(
    session: AsyncSession,
) -> None:
    officer = await make_party(session, "office@zj.org", OrganizationKind.ASSOCIATION, ZHEJIANG)
    provider = await make_party(session, "t@train.cn", OrganizationKind.TRAINING_PROVIDER, ANJI)

    verified = await verify_organization(session, officer, provider.organization_id, now=NOW)

    assert verified.verified is True


async def test_verifying_again_keeps_the_first_verification(session: AsyncSession) -> None:
    officer = await make_party(session, "office@huzhou.org", OrganizationKind.ASSOCIATION, HUZHOU)
    school = await make_party(session, "staff@anji.edu.cn", OrganizationKind.SCHOOL, ANJI)

    await verify_organization(session, officer, school.organization_id, now=NOW)
    again = await verify_organization(
        session, officer, school.organization_id, now=NOW + timedelta(days=1)
    )

    assert (again.verified, again.verified_at) == (True, NOW)


async def test_organization_outside_the_region_is_not_found(session: AsyncSession) -> None:
    officer = await make_party(session, "office@huzhou.org", OrganizationKind.ASSOCIATION, HUZHOU)
    foreign = await make_party(session, "staff@hz.edu.cn", OrganizationKind.SCHOOL, HANGZHOU)

    with pytest.raises(NotFound) as outside:
        await verify_organization(session, officer, foreign.organization_id, now=NOW)
    with pytest.raises(NotFound) as missing:
        await verify_organization(session, officer, uuid.uuid4(), now=NOW)

    # The same answer as for an id that does not exist: nothing leaks about other regions.
    expected = (NotFound, ErrorCode.NOT_FOUND, "no such organization", "organization_id")
    assert error_of(outside) == expected
    assert error_of(missing) == expected
    organization = await session.get(Organization, foreign.organization_id)
    assert organization is not None
    assert organization.verified is False


@pytest.mark.parametrize("region", [HUZHOU, ZHEJIANG])
async def test_county_association_verifies_the_city_and_provincial_governments_above_it(
    session: AsyncSession, region: str
) -> None:
    officer = await make_party(session, "office@anji.org", OrganizationKind.ASSOCIATION, ANJI)
    funder = await make_party(session, "cbec@gov.cn", OrganizationKind.GOVERNMENT, region)

    verified = await verify_organization(session, officer, funder.organization_id, now=NOW)
    await session.commit()

    assert (verified.verified, verified.verified_by_id) == (True, officer.id)


@pytest.mark.parametrize(
    ("kind", "region"),
    [
        (OrganizationKind.GOVERNMENT, HANGZHOU),  # another city of the province
        (OrganizationKind.GOVERNMENT, "330522"),  # a neighbouring county of the same city
        (OrganizationKind.GOVERNMENT, JIANGSU),  # another province
        (OrganizationKind.ENTERPRISE, HUZHOU),  # above the association, but not a funder
        (OrganizationKind.SCHOOL, ZHEJIANG),
    ],
)
async def test_county_association_cannot_verify_other_governments_or_parties_above_it(
    session: AsyncSession, kind: OrganizationKind, region: str
) -> None:
    officer = await make_party(session, "office@anji.org", OrganizationKind.ASSOCIATION, ANJI)
    other = await make_party(session, "party@elsewhere.cn", kind, region)

    with pytest.raises(NotFound) as info:
        await verify_organization(session, officer, other.organization_id, now=NOW)

    assert error_of(info) == (
        NotFound,
        ErrorCode.NOT_FOUND,
        "no such organization",
        "organization_id",
    )
    organization = await session.get(Organization, other.organization_id)
    assert organization is not None
    assert organization.verified is False


@pytest.mark.parametrize(
    "kind",
    [
        OrganizationKind.GOVERNMENT,
        OrganizationKind.SCHOOL,
        OrganizationKind.ENTERPRISE,
        OrganizationKind.TRAINING_PROVIDER,
    ],
)
async def test_only_an_association_may_verify(
    session: AsyncSession, kind: OrganizationKind
) -> None:
    actor = await make_party(session, "actor@huzhou.cn", kind, HUZHOU)
    school = await make_party(session, "staff@anji.edu.cn", OrganizationKind.SCHOOL, ANJI)

    with pytest.raises(Forbidden) as info:
        await verify_organization(session, actor, school.organization_id, now=NOW)

    assert error_of(info) == (
        Forbidden,
        ErrorCode.NOT_ASSOCIATION,
        "only an industry association verifies organizations",
        None,
    )


async def test_association_member_who_is_not_admin_may_not_verify(
    session: AsyncSession,
) -> None:
    officer = await make_party(session, "office@huzhou.org", OrganizationKind.ASSOCIATION, HUZHOU)
    clerk = User(
        email="clerk@huzhou.org",
        password_hash=officer.password_hash,
        organization_id=officer.organization_id,
        is_admin=False,
    )
    session.add(clerk)
    school = await make_party(session, "staff@anji.edu.cn", OrganizationKind.SCHOOL, ANJI)

    with pytest.raises(Forbidden) as info:
        await verify_organization(session, clerk, school.organization_id, now=NOW)

    assert error_of(info) == (
        Forbidden,
        ErrorCode.NOT_ADMIN,
        "only an admin of the association verifies organizations",
        None,
    )


async def test_association_cannot_verify_itself(session: AsyncSession) -> None:
    officer = await make_party(session, "office@huzhou.org", OrganizationKind.ASSOCIATION, HUZHOU)

    with pytest.raises(Forbidden) as info:
        await verify_organization(session, officer, officer.organization_id, now=NOW)

    assert error_of(info) == (
        Forbidden,
        ErrorCode.SELF_VERIFICATION,
        "an association cannot verify itself",
        "organization_id",
    )
