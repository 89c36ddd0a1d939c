"""The outbox worker (issue #15 part 3, api/services/delivery.py): delivery with the row id as
idempotency key, retries with backoff then failure, secrets blanked once sent, quiet hours held,
two concurrent workers sending nothing twice, the SMS adapters (a provider class, an HTTP
gateway on a local fake), and a real worker process killed mid-batch losing nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from api.runtime import Runtime
from api.services import delivery, inbox, notify
from api.services.notify import FileNotifier, HttpGateway, Message
from api.settings import Settings, SettingsError
from api.store.models import OutboxMessage
from tests.support.app import SECRET
from tests.support.elections import use_clock
from tests.support.fake_sms import Fake

ROOT = Path(__file__).resolve().parents[3]
T = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


class Recorder:
    """An adapter that records each key and fails the first ``fail`` sends; with ``meet``, its
    first send waits there for the other worker's first send (both hold a claim at once)."""

    def __init__(self, fail: int = 0, meet: asyncio.Barrier | None = None) -> None:
        self.keys: list[str] = []
        self.fail = fail
        self.meet = meet

    async def send(self, messages: Iterable[Message]) -> None:
        for m in messages:
            if self.meet is not None:
                meet, self.meet = self.meet, None
                await asyncio.wait_for(meet.wait(), timeout=30)
            await asyncio.sleep(0)  # let another worker run between sends
            if self.fail:
                self.fail -= 1
                raise OSError("gateway down")
            self.keys.append(m.key)


async def texts(rt: Runtime, n: int, *, start: int = 0) -> list[int]:
    phones = [f"1380000{i:04d}" for i in range(start, start + n)]
    async with rt.writer() as s:
        await inbox.notify(s, phones=phones, kind="k", zh="甲", en="a", security=True)
        await s.commit()
    return await rows(rt)


async def rows(rt: Runtime) -> list[int]:
    async with rt.reader() as s:
        return list(
            (await s.execute(select(OutboxMessage.id).order_by(OutboxMessage.id))).scalars()
        )


async def states(rt: Runtime) -> dict[int, tuple[str, int]]:
    async with rt.reader() as s:
        found = await s.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts)
        )
        return {i: (st, a) for i, st, a in found}


async def test_a_pass_sends_each_due_text_once_with_its_id_as_key(
    runtime: Runtime, tmp_path: Path
) -> None:
    use_clock(runtime, T)
    runtime.notifier = file = FileNotifier(tmp_path / "out.jsonl")
    ids = await texts(runtime, 3)
    done = await delivery.one_pass(runtime)
    assert (done.sent, done.retried, done.failed) == (3, 0, 0)
    assert [m.key for m in file.sent()] == [str(i) for i in ids]
    assert file.sent()[0].text == "【共治】甲 / Gongzhi: a"
    assert await delivery.one_pass(runtime) == delivery.Pass()  # nothing left
    assert set((await states(runtime)).values()) == {("sent", 1)}
    # the file adapter drops a key it has written, even from another instance
    await FileNotifier(tmp_path / "out.jsonl").send([Message("1", "k", "again", key=str(ids[0]))])
    assert len(file.sent()) == 3


async def test_a_stopping_worker_finishes_its_batch_and_leaves_the_rest(
    runtime: Runtime,
) -> None:
    """Asked to stop, the worker ends with the batch under way instead of emptying the outbox:
    the rest is sent by the next pass (a stopping server's grace is not spent on texts)."""
    from dataclasses import replace

    use_clock(runtime, T)
    runtime.settings = replace(runtime.settings, delivery_batch=2)
    runtime.notifier = rec = Recorder()
    await texts(runtime, 5)
    stop = asyncio.Event()
    stop.set()
    assert (await delivery.one_pass(runtime, stop)).sent == 2
    assert len(rec.keys) == 2
    assert (await delivery.one_pass(runtime)).sent == 3  # not stopping: everything due


async def test_failures_back_off_then_give_up(runtime: Runtime) -> None:
    clock = use_clock(runtime, T)
    runtime.notifier = rec = Recorder(fail=2)
    [first] = await texts(runtime, 1)
    assert (await delivery.one_pass(runtime)).retried == 1
    async with runtime.reader() as s:
        row = await s.get(OutboxMessage, first)
        assert row is not None
        assert (row.status, row.attempts, row.due_at) == ("pending", 1, T + timedelta(seconds=30))
        assert row.last_error == "OSError: gateway down"
    clock.now = T + timedelta(seconds=29)
    assert (await delivery.one_pass(runtime)).claimed == 0  # not yet due
    clock.now = T + timedelta(seconds=30)
    assert (await delivery.one_pass(runtime)).retried == 1
    async with runtime.reader() as s:
        row = await s.get(OutboxMessage, first)
        assert row is not None and row.due_at == clock.now + timedelta(seconds=60)
    clock.now += timedelta(seconds=60)
    assert (await delivery.one_pass(runtime)).sent == 1
    assert rec.keys == [str(first)]
    # a text that always fails is given up after delivery_max_attempts (6)
    runtime.notifier = Recorder(fail=100)
    [second] = [i for i in await texts(runtime, 1, start=50) if i != first]
    for _ in range(6):
        clock.now += timedelta(days=1)
        await delivery.one_pass(runtime)
    assert (await states(runtime))[second] == ("failed", 6)
    clock.now += timedelta(days=1)
    assert (await delivery.one_pass(runtime)).claimed == 0


async def test_a_secret_is_blanked_once_sent_and_never_in_an_inbox(
    runtime: Runtime, tmp_path: Path
) -> None:
    runtime.notifier = file = FileNotifier(tmp_path / "out.jsonl")
    async with runtime.writer() as s:
        ids = await inbox.enqueue(
            s, [Message("13900000001", "password_reset_code", "验证码 123456", secret=True)]
        )
        await s.commit()
    await delivery.deliver_ids(runtime, ids)
    assert file.sent()[0].text == "验证码 123456" and file.sent()[0].secret
    async with runtime.reader() as s:
        row = await s.get(OutboxMessage, ids[0])
        assert row is not None and row.status == "sent" and row.text == delivery.REDACTED


async def test_quiet_hours_hold_a_text_until_morning(runtime: Runtime, world: object) -> None:
    night = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    clock = use_clock(runtime, night)
    runtime.notifier = rec = Recorder()
    owner = world.accounts["owner"]  # type: ignore[attr-defined]
    async with runtime.writer() as s:
        await inbox.set_preferences(
            s, owner, sms=True, quiet_start=22 * 60, quiet_end=7 * 60, now=night
        )
        await inbox.notify(s, account_ids=[owner], kind="k", zh="甲", en="a")
        await s.commit()
    assert (await delivery.one_pass(runtime)).claimed == 0
    clock.now = datetime(2026, 3, 2, 22, 59, tzinfo=UTC)  # 06:59
    assert (await delivery.one_pass(runtime)).claimed == 0
    clock.now = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 07:00
    assert (await delivery.one_pass(runtime)).sent == 1
    assert len(rec.keys) == 1


async def test_two_workers_never_send_one_text_twice(settings: Settings) -> None:
    one, two = Runtime.create(settings), Runtime.create(settings)
    try:
        from dataclasses import replace

        for rt in (one, two):
            rt.settings = replace(rt.settings, delivery_batch=7)
        ids = await texts(one, 60)
        meet = asyncio.Barrier(2)
        one.notifier, two.notifier = rec_1, rec_2 = Recorder(meet=meet), Recorder(meet=meet)
        await asyncio.gather(delivery.deliver_all(one), delivery.deliver_all(two))
        keys = rec_1.keys + rec_2.keys
        assert sorted(keys, key=int) == [str(i) for i in ids]  # each once, none lost
        assert rec_1.keys and rec_2.keys  # both worked, each on its own claim
        assert set((await states(one)).values()) == {("sent", 1)}
    finally:
        await one.close()
        await two.close()


def test_the_adapter_is_chosen_by_settings(tmp_path: Path) -> None:
    base = Settings(var_dir=str(tmp_path), secret_key=SECRET)
    with pytest.raises(SettingsError, match="GONGZHI_SMS_PROVIDER"):
        notify.from_settings(Settings(notify="sms", secret_key=SECRET))
    with pytest.raises(SettingsError, match="no such class"):
        notify.from_settings(Settings(notify="sms", sms_provider="tests.nowhere:X"))
    os.environ["FAKE_SMS_DIR"] = str(tmp_path)
    try:
        made = notify.from_settings(
            Settings(notify="sms", sms_provider="tests.support.fake_sms:Fake")
        )
    finally:
        del os.environ["FAKE_SMS_DIR"]
    assert isinstance(made, Fake)
    gateway = notify.from_settings(Settings(notify="sms", sms_gateway_url="http://127.0.0.1:9/"))
    assert isinstance(gateway, HttpGateway)
    with pytest.raises(SettingsError, match="http"):
        HttpGateway("file:///etc/passwd")
    assert isinstance(notify.from_settings(base), notify.ConsoleNotifier)


@pytest.fixture
def gateway() -> Iterator[tuple[str, list[tuple[dict[str, str], dict[str, str]]], list[int]]]:
    """A local HTTP server standing in for an SMS gateway: records each POST; answers with the
    status codes queued in the third element (200 once they run out)."""
    got: list[tuple[dict[str, str], dict[str, str]]] = []
    answers: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), json.loads(body)))
            self.send_response(answers.pop(0) if answers else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", got, answers
    server.shutdown()
    server.server_close()


async def test_the_http_gateway_gets_the_key_and_a_failure_is_retried(
    runtime: Runtime,
    gateway: tuple[str, list[tuple[dict[str, str], dict[str, str]]], list[int]],
) -> None:
    url, got, answers = gateway
    clock = use_clock(runtime, T)
    runtime.notifier = HttpGateway(url, token="tok")
    answers.append(503)
    [only] = await texts(runtime, 1)
    assert (await delivery.one_pass(runtime)).retried == 1
    clock.now += timedelta(minutes=1)
    assert (await delivery.one_pass(runtime)).sent == 1
    headers, body = got[-1]
    assert body == {
        "phone": "13800000000",
        "text": "【共治】甲 / Gongzhi: a",
        "kind": "k",
        "key": str(only),
    }
    assert headers["Idempotency-Key"] == str(only)
    assert headers["Authorization"] == "Bearer tok"
    assert len(got) == 2


async def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    runtime: Runtime, tmp_path: Path
) -> None:
    """A real `gongzhi deliver` process, its SMS provider hanging at the sixth text (after
    handing it on), is killed with SIGKILL; once its lease runs out another worker finishes."""
    fake = tmp_path / "sms"
    fake.mkdir()
    ids = await texts(runtime, 10)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")},
        "GONGZHI_DATABASE_URL": runtime.settings.database_url,
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_VAR_DIR": str(tmp_path / "var"),
        "GONGZHI_NOTIFY": "sms",
        "GONGZHI_SMS_PROVIDER": "tests.support.fake_sms:Fake",
        "FAKE_SMS_DIR": str(fake),
        "FAKE_SMS_HANG_AFTER": "5",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.cli", "deliver", cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        while not (fake / "hung").exists():  # waiting on another process, not on time
            assert worker.returncode is None, log.read_text()
            assert time.monotonic() < deadline, "the worker never reached the sixth text"
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
    finally:
        await asyncio.wait_for(worker.wait(), timeout=30)
    assert worker.returncode == -signal.SIGKILL
    seen = Fake(runtime.settings, fake)
    assert seen.attempts() == [str(i) for i in ids[:6]]
    before = await states(runtime)
    assert [before[i][0] for i in ids] == ["sent"] * 5 + ["sending"] * 5  # all ten claimed
    # within the lease nobody takes them over
    runtime.notifier = seen
    assert (await delivery.one_pass(runtime)).claimed == 0
    # after it, another worker sends the five; the sixth, handed on before the kill, again
    # with its key, which the adapter drops
    use_clock(
        runtime, datetime.now(UTC) + timedelta(seconds=runtime.settings.delivery_lease_seconds + 1)
    )
    done = await delivery.one_pass(runtime)
    assert (done.claimed, done.sent) == (5, 5)
    assert seen.attempts() == [str(i) for i in ids[:6]] + [str(i) for i in ids[5:]]
    delivered = [m.key for m in seen.delivered.sent()]
    assert delivered == [str(i) for i in ids]  # every text once
    after = await states(runtime)
    assert all(after[i] == ("sent", 1) for i in ids[:5])
    assert after[ids[5]] == ("sent", 2)


async def test_the_server_runs_the_worker_and_stops_it(settings: Settings, tmp_path: Path) -> None:
    """`gongzhi serve`'s lifespan starts the outbox worker: a text committed by something else
    (here, directly) is delivered without anyone calling it, and the worker stops with the app."""
    from dataclasses import replace

    from api.http.app import create_app

    settings = replace(
        settings,
        notify="file",
        notify_file=str(tmp_path / "out.jsonl"),
        delivery_poll_seconds=0.05,
    )
    rt = Runtime.create(settings)
    await texts(rt, 2)
    app = create_app(runtime=rt)
    file = FileNotifier(tmp_path / "out.jsonl")
    async with app.router.lifespan_context(app):
        deadline = time.monotonic() + 30
        while len(file.sent()) < 2:  # waiting on the server's worker, not on time
            assert time.monotonic() < deadline, "the worker inside the server sent nothing"
            await asyncio.sleep(0.05)
        worker = next(t for t in asyncio.all_tasks() if t.get_name() == "outbox-worker")
    assert worker.done()  # stopped with the app (which closed the runtime)
    assert sorted(m.key for m in file.sent()) == ["1", "2"]
