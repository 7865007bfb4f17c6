"""The key-value port behaves the same on Redis and on the in-process store."""

from __future__ import annotations

import threading
import time

import pytest

from backend.kv import KV, KVUnavailable, LockNotAcquired, RedisKV


def test_set_get_and_delete(kv: KV) -> None:
    assert kv.get("a") is None
    kv.set("a", "一")
    assert kv.get("a") == "一"
    kv.delete("a")
    assert kv.get("a") is None


def test_values_expire_after_their_ttl(kv: KV) -> None:
    kv.set("short", "x", ttl=0.15)
    assert kv.get("short") == "x"
    remaining = kv.ttl("short")
    assert remaining is not None and 0 < remaining <= 0.15
    time.sleep(0.25)
    assert kv.get("short") is None
    assert kv.ttl("short") is None


def test_set_if_absent_wins_once(kv: KV) -> None:
    assert kv.set_if_absent("dedupe:1", "first", ttl=30)
    assert not kv.set_if_absent("dedupe:1", "second", ttl=30)
    assert kv.get("dedupe:1") == "first"


def test_set_if_absent_succeeds_again_after_expiry(kv: KV) -> None:
    assert kv.set_if_absent("k", "1", ttl=0.1)
    time.sleep(0.2)
    assert kv.set_if_absent("k", "2", ttl=0.1)


def test_set_if_absent_has_one_winner_among_concurrent_callers(kv: KV) -> None:
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        wins.append(kv.set_if_absent("race", "x", ttl=30))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert wins.count(True) == 1


def test_incr_counts_atomically_and_sets_ttl_on_create(kv: KV) -> None:
    assert kv.incr("rate", ttl=5) == 1
    assert kv.incr("rate", ttl=5) == 2
    remaining = kv.ttl("rate")
    assert remaining is not None and 0 < remaining <= 5

    def bump() -> None:
        for _ in range(50):
            kv.incr("counter")

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert kv.get("counter") == "200"


def test_incr_does_not_extend_the_window(kv: KV) -> None:
    kv.incr("window", ttl=0.2)
    time.sleep(0.1)
    kv.incr("window", ttl=0.2)
    time.sleep(0.15)
    assert kv.get("window") is None


def test_compare_and_delete_only_removes_the_expected_value(kv: KV) -> None:
    kv.set("token", "abc")
    assert not kv.compare_and_delete("token", "other")
    assert kv.get("token") == "abc"
    assert kv.compare_and_delete("token", "abc")
    assert kv.get("token") is None


def test_lock_excludes_a_second_holder(kv: KV) -> None:
    with kv.lock("sweep", ttl=5), pytest.raises(LockNotAcquired), kv.lock("sweep", ttl=5, wait=0.1):
        pass
    with kv.lock("sweep", ttl=5, wait=0.1):
        pass


def test_lock_serialises_critical_sections(kv: KV) -> None:
    inside = 0
    overlaps = 0

    def work() -> None:
        nonlocal inside, overlaps
        with kv.lock("token-refresh", ttl=5, wait=5):
            inside += 1
            if inside > 1:
                overlaps += 1
            time.sleep(0.01)
            inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert overlaps == 0


def test_an_expired_lock_can_be_taken_and_the_old_holder_does_not_release_it(kv: KV) -> None:
    old = kv.lock("lease", ttl=0.1)
    old.__enter__()
    time.sleep(0.2)
    with kv.lock("lease", ttl=5, wait=0.1):
        old.__exit__(None, None, None)  # the old holder's release must not free the new lease
        with pytest.raises(LockNotAcquired), kv.lock("lease", ttl=5, wait=0.05):
            pass


def test_ping_answers(kv: KV) -> None:
    assert kv.ping()


def test_an_unreachable_redis_raises_kv_unavailable() -> None:
    down = RedisKV("redis://127.0.0.1:1/0")
    assert not down.ping()
    with pytest.raises(KVUnavailable):
        down.set_if_absent("x", "1", ttl=1)


def test_claim_and_read_sets_what_is_absent_keeps_what_is_held_and_reads_in_one_call(kv: KV) -> None:
    kv.set("held", "theirs")
    kv.set("state", "waiting")
    held, read = kv.claim_and_read(
        [("fresh", "mine", 30), ("held", "mine", 30), ("forever", "x", None)], ["state", "gone"]
    )
    assert held == [None, "theirs", None]
    assert read == ["waiting", None]
    assert (kv.get("fresh"), kv.get("held"), kv.get("forever")) == ("mine", "theirs", "x")
    remaining = kv.ttl("fresh")
    assert remaining is not None and 0 < remaining <= 30
    assert kv.ttl("forever") is None
    assert kv.claim_and_read([], ["fresh"]) == ([], ["mine"])


def test_claim_and_read_claims_expire_after_their_ttl(kv: KV) -> None:
    assert kv.claim_and_read([("nonce", "a", 0.1)]) == ([None], [])
    assert kv.claim_and_read([("nonce", "b", 0.1)]) == (["a"], [])
    time.sleep(0.2)
    assert kv.claim_and_read([("nonce", "c", 0.1)]) == ([None], [])
    assert kv.get("nonce") == "c"


def test_claim_and_read_has_one_winner_per_key_among_concurrent_callers(kv: KV) -> None:
    results: list[list[str | None]] = []
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        barrier.wait()
        results.append(kv.claim_and_read([("race:a", f"a{i}", 30), ("race:b", f"b{i}", 30)])[0])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for position, key in enumerate(("race:a", "race:b")):
        assert [held[position] for held in results].count(None) == 1
        assert {held[position] for held in results} - {None} == {kv.get(key)}


def test_claim_and_read_on_an_unreachable_redis_raises_kv_unavailable() -> None:
    with pytest.raises(KVUnavailable):
        RedisKV("redis://127.0.0.1:1/0").claim_and_read([("x", "1", 1)], ["y"])
