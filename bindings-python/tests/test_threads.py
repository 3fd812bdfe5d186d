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
