"""Bodies are bytes: binary, text, and every buffer type hash the same way."""

from __future__ import annotations

import sys
import threading

import pytest

from qstash_verify import Receiver, SignatureError, Signer

from conftest import URL

BINARY = b"\xef\xbb\xbf\x00\xff\xfe binary"


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_binary_bodies_verify_as_bytes_of_any_buffer_type(wrap: type) -> None:
    token = Signer.dev().sign(URL, BINARY)
    assert Receiver.dev().verify(signature=token, body=wrap(BINARY), url=URL)


def test_str_body_is_hashed_as_utf8() -> None:
    text = '{"name":"Zoë ✓"}'
    token = Signer.dev().sign(URL, text)
    assert Receiver.dev().verify(signature=token, body=text)
    assert Receiver.dev().verify(signature=token, body=text.encode())


def test_bom_is_part_of_the_body() -> None:
    token = Signer.dev().sign(URL, b"\xef\xbb\xbf{}")
    with pytest.raises(SignatureError) as caught:
        Receiver.dev().verify(signature=token, body=b"{}")
    assert caught.value.reason == "body"


def test_large_body_verifies_with_the_interpreter_released() -> None:
    """Another thread runs while a large body is hashed. With a switch interval longer than the
    test, the interpreter only passes to that thread if `verify` releases it; the thread is
    given as many verifications as it needs to be scheduled meanwhile (one, unless the
    machine is busy)."""
    big = bytes(range(256)) * 8192  # 2 MiB
    token = Signer.dev().sign(URL, big)
    receiver = Receiver.dev()
    go = threading.Event()
    hashing = False
    seen: list = []

    def look() -> None:
        go.wait()
        seen.append(hashing)

    other = threading.Thread(target=look)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(100)
    try:
        other.start()
        go.set()
        hashing = True
        for _ in range(1000):
            assert receiver.verify(signature=token, body=big)
            if seen:
                break
        hashing = False
        other.join(timeout=30)
    finally:
        sys.setswitchinterval(interval)
    assert seen == [True], "the other thread only ran after verify returned"


def test_signature_may_be_bytes() -> None:
    token = Signer.dev().sign(URL, b"x").encode()
    assert Receiver.dev().verify(signature=token, body=b"x")


@pytest.mark.parametrize("body", [None, 5, ["a"], {"a": 1}])
def test_other_body_types_are_a_type_error(body: object) -> None:
    with pytest.raises(TypeError):
        Receiver.dev().verify(signature=Signer.dev().sign(URL, b""), body=body)


def test_garbage_never_panics() -> None:
    import random

    rng = random.Random(7)
    alphabet = "ABCxyz019-_.=+/ \x00é"
    receiver = Receiver.dev()
    for _ in range(3000):
        token = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        with pytest.raises(SignatureError):
            receiver.verify(
                signature=token, body=b"", url=rng.choice([None, "", URL]), region=rng.choice([None, "", "x-y", "é"])
            )
