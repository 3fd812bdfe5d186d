"""The wheel as installed into a brand-new virtual environment: the drop-in import verifies a
minted token, refuses a tampered one, and the framework helpers say which extra they need."""

import importlib
import pathlib
import sys

import qstash_verify
from qstash_verify import Receiver, SignatureError, Signer

assert pathlib.Path(sys.prefix) in pathlib.Path(qstash_verify.__file__).parents, qstash_verify.__file__

url = "https://app.example.com/api/qstash"
token = Signer.dev().sign(url, b'{"n":1}')
assert Receiver.dev().verify(signature=token, body=b'{"n":1}', url=url).sub == url
try:
    Receiver.dev().verify(signature=token, body=b'{"n":2}', url=url)
    raise AssertionError("a tampered body was accepted")
except SignatureError as error:
    assert error.reason == "body", error.reason
assert "[REDACTED]" in repr(Receiver(current_signing_key="sig_a", next_signing_key="sig_b"))

if "--without-extras" in sys.argv:
    for module, extra in (("qstash_verify.fastapi", "fastapi"), ("qstash_verify.flask", "flask")):
        try:
            importlib.import_module(module)
            raise AssertionError(f"{module} imported without its framework")
        except ImportError as error:
            assert f"qstash-verify[{extra}]" in str(error), str(error)
print("core: ok")
