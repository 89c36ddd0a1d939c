"""Accounts: who am I, log in and out, activate with the code from a printed letter."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import Info, attempt
from schema.contract.community import Viewer
from schema.problem import Problem


@strawberry.type(description="A role held in one compound, or in a whole district.")
class RoleGrant:
    role: str
    community_id: strawberry.ID | None
    district_id: strawberry.ID | None
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="A department's staff (role department): the department."
    )


@strawberry.type(description="The logged-in account.")
class Me:
    viewer: strawberry.Private[Viewer]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.viewer.account_id))

    @strawberry.field
    def display_name(self) -> str:
        return self.viewer.display_name

    @strawberry.field(description="The phone number, masked except for its last four digits.")
    def phone(self) -> str:
        p = self.viewer.phone
        return p[:3] + "****" + p[-4:] if len(p) == 11 else p

    @strawberry.field
    def roles(self) -> list[RoleGrant]:
        return [
            RoleGrant(
                role=g.role,
                community_id=strawberry.ID(str(g.community_id)) if g.community_id else None,
                district_id=strawberry.ID(str(g.district_id)) if g.district_id else None,
                department_id=strawberry.ID(str(g.department_id)) if g.department_id else None,
            )
            for g in self.viewer.grants
        ]


@strawberry.input
class LoginInput:
    phone: str
    password: str
    bearer: bool = strawberry.field(
        default=False,
        description="Return the session token in the response for non-browser clients "
        "(browsers get an HttpOnly cookie instead).",
    )


@strawberry.type
class LoginSuccess:
    me: Me
    token: str | None


@strawberry.input
class ActivateInput:
    phone: str
    code: str = strawberry.field(description="The activation code printed on the owner's letter.")
    password: str
    bearer: bool = strawberry.field(
        default=False,
        description="Return the session token in the response for non-browser clients "
        "(browsers get an HttpOnly cookie instead), as login does.",
    )


@strawberry.input
class RequestPasswordResetInput:
    phone: str = strawberry.field(description="The phone the account logs in with.")


@strawberry.type(
    description="The same answer whether or not the phone has an account: if it has one that "
    "may be reset, a code was sent to it by text."
)
class PasswordResetRequested:
    minutes: int = strawberry.field(description="How long a code sent now stays valid.")


@strawberry.input
class ResetPasswordInput:
    phone: str
    code: str = strawberry.field(description="The code sent by text to the phone.")
    password: str = strawberry.field(description="The new password.")
    bearer: bool = strawberry.field(
        default=False,
        description="Return the session token in the response for non-browser clients "
        "(browsers get an HttpOnly cookie instead), as login does.",
    )


@strawberry.type
class LogoutSuccess:
    ok: bool


LoginResult = Annotated[LoginSuccess | Problem, strawberry.union("LoginResult")]
LogoutResult = Annotated[LogoutSuccess | Problem, strawberry.union("LogoutResult")]
RequestPasswordResetResult = Annotated[
    PasswordResetRequested | Problem, strawberry.union("RequestPasswordResetResult")
]


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The logged-in account, or null when not logged in.")
    def me(self, info: Info) -> Me | None:
        viewer = info.context.viewer
        return Me(viewer=viewer) if viewer else None


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Log in with phone and password.")
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        async def run() -> LoginSuccess:
            viewer, token = await info.context.services.login(
                phone=input.phone, password=input.password
            )
            info.context.remember_session(token)
            return LoginSuccess(me=Me(viewer=viewer), token=token if input.bearer else None)

        return await attempt(info, run)

    @strawberry.mutation(description="Set a first password with a printed activation code.")
    async def activate_account(self, info: Info, input: ActivateInput) -> LoginResult:
        async def run() -> LoginSuccess:
            viewer, token = await info.context.services.activate(
                phone=input.phone, code=input.code, password=input.password
            )
            info.context.remember_session(token)
            return LoginSuccess(me=Me(viewer=viewer), token=token if input.bearer else None)

        return await attempt(info, run)

    @strawberry.mutation(
        description="Forgotten password: text a short-lived code to the phone if it has an "
        "account whose phone is on the roll (the same answer either way; rate limited)."
    )
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetResult:
        async def run() -> PasswordResetRequested:
            minutes = await info.context.services.request_password_reset(phone=input.phone)
            return PasswordResetRequested(minutes=minutes)

        return await attempt(info, run)

    @strawberry.mutation(
        description="Set a new password with the code sent by text; every other session of the "
        "account ends, and this one is logged in."
    )
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> LoginResult:
        async def run() -> LoginSuccess:
            viewer, token = await info.context.services.reset_password(
                phone=input.phone, code=input.code, password=input.password
            )
            info.context.remember_session(token)
            return LoginSuccess(me=Me(viewer=viewer), token=token if input.bearer else None)

        return await attempt(info, run)

    @strawberry.mutation(description="End this session.")
    async def logout(self, info: Info) -> LogoutResult:
        async def run() -> LogoutSuccess:
            await info.context.services.logout()
            info.context.forget_session()
            return LogoutSuccess(ok=True)

        return await attempt(info, run)
