"""One receiver shared by 8 threads, with a key rotation in the middle."""

from __future__ import annotations

import threading

from qstash_verify import Receiver, SignatureError, Signer

from conftest import URL


def test_eight_threads_verify_concurrently_with_right_verdicts() -> None:
    receiver = Receiver.dev()
    body = b"x" * 100_000  # large enough to release the interpreter while hashing
    good = Signer.dev().sign(URL, body)
    bad = Signer("sig_otherAccountKey").sign(URL, body)
    errors: list = []

    def work() -> None:
        try:
            for i in range(300):
                if i % 2:
                    assert receiver.verify(signature=good, body=body, url=URL)
                else:
                    try:
                        receiver.verify(signature=bad, body=body)
                        errors.append("forged token accepted")
                    except SignatureError as e:
                        assert e.reason == "signature"
        except Exception as e:  # collected so the main thread fails the test
            errors.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_key_replacement_while_threads_verify_is_atomic() -> None:
    """Eight threads verify a token of the old current key and one of the new while the pair
    is replaced. Each verification must see one whole pair: before, the old token verifies with
    the current key and the new one is refused; after, the old token verifies with the next key
    and the new one with the current. A thread never goes back to the old pair once it saw the
    new, and every thread sees the new pair once the replacement returned."""
    receiver = Receiver("sig_oldCurrent", "sig_oldNext")
    old = Signer("sig_oldCurrent").sign(URL, b"")
    new = Signer("sig_newCurrent").sign(URL, b"")
    before = {("old", "current"), ("new", "signature")}
    after = {("old", "next"), ("new", "current")}
    running = threading.Barrier(9)
    replaced = threading.Event()
    results: list = [[] for _ in range(8)]

    def outcome(name: str, token: str) -> tuple:
        try:
            return (name, receiver.verify(signature=token, body=b"").key)
        except SignatureError as e:
            return (name, e.reason)

    def work(seen: list) -> None:
        try:
            seen.extend(outcome(*pair) for pair in (("old", old), ("new", new)))
            running.wait(timeout=30)
            for _ in range(200):  # while the main thread replaces the keys
                seen.extend(outcome(*pair) for pair in (("old", old), ("new", new)))
            assert replaced.wait(timeout=30), "the keys were not replaced"
            seen.extend(outcome(*pair) for pair in (("old", old), ("new", new)))
        except Exception as e:  # the main thread fails the test with it
            seen.append(("error", repr(e)))

    threads = [threading.Thread(target=work, args=(seen,)) for seen in results]
    for t in threads:
        t.start()
    running.wait(timeout=30)
    receiver.replace_keys("sig_newCurrent", "sig_oldCurrent")
    replaced.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    for seen in results:
        assert set(seen) <= before | after, seen
        assert set(seen[:2]) == before, "a verification before the replacement saw new keys"
        assert set(seen[-2:]) == after, "a verification after the replacement saw old keys"
        first_after = next(i for i, o in enumerate(seen) if o in after)
        assert not set(seen[first_after:]) & before, "a thread went back to the old pair"


DEADLOCK_PROBE = """
import threading
from qstash_verify import Receiver, Signer

url = "https://my-app.example.com/api/qstash"
chunk = b"x" * (4 << 20)  # hashed with the interpreter released
pending = Receiver.dev().verify_token(signature=Signer.dev().sign(url, chunk * 8), url=url)
outcomes = []

def feed():
    for _ in range(4):
        try:
            pending.update(chunk)
            outcomes.append("hashed")
        except RuntimeError as error:
            outcomes.append(str(error))

threads = [threading.Thread(target=feed) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert len(outcomes) == 8, outcomes
assert all(o == "hashed" or "another thread" in o for o in outcomes), outcomes
print("no deadlock")
"""


def test_two_threads_feeding_one_pending_body_never_deadlock() -> None:
    # Run apart: a deadlock would hang the test process itself, so the child gets a generous
    # limit, and hitting it is the failure.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", DEADLOCK_PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no deadlock"
