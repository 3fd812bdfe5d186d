"""One receiver shared by 8 threads, with a key rotation in the middle."""

from __future__ import annotations

import threading

from conftest import URL

from qstash_verify import Receiver, SignatureError, Signer


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
    receiver = Receiver("sig_oldCurrent", "sig_oldNext")
    old = Signer("sig_oldCurrent").sign(URL, b"")
    new = Signer("sig_newCurrent").sign(URL, b"")
    seen: set = set()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            for token, name in ((old, "old"), (new, "new")):
                try:
                    receiver.verify(signature=token, body=b"")
                    seen.add(name)
                except SignatureError as e:
                    assert e.reason == "signature"

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    receiver.replace_keys("sig_newCurrent", "sig_oldCurrent")
    stop.set()
    for t in threads:
        t.join()
    # After the swap both verify: the old current key is now the next key.
    assert receiver.verify(signature=old, body=b"").key == "next"
    assert receiver.verify(signature=new, body=b"").key == "current"


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
