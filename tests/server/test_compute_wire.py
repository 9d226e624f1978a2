"""The Compute SDK's wire formats, read and written as the SDK does."""

from __future__ import annotations

import pytest
from globus_compute_sdk.serialize import (
    ComputeSerializer,
    DillCode,
    DillCodeSource,
    JSONData,
    PureSourceTextInspect,
)

from gladier.server.compute_wire import (
    WireError,
    decode_function,
    decode_task,
    encode_result,
    pack,
    unpack,
)


def scale(x, factor=2):  # type: ignore[no-untyped-def]
    return x * factor


@pytest.mark.parametrize("strategy", [DillCode(), DillCodeSource(), PureSourceTextInspect()])
def test_functions_serialized_by_the_sdk_are_read(strategy: object) -> None:
    serde = ComputeSerializer(strategy_code=strategy)
    packed = serde.pack_buffers([serde.serialize(scale)])
    assert decode_function(packed, "scale")(21) == 42


def test_source_code_defines_an_inspectable_function() -> None:
    import inspect

    fn = decode_function("def triple(x):\n    return 3 * x\n", "triple", serialized=False)
    assert fn(2) == 6 and "return 3 * x" in inspect.getsource(fn)
    with pytest.raises(WireError, match="named 'other'"):
        decode_function("def triple(x):\n    return 3 * x\n", "other", serialized=False)
    with pytest.raises(WireError, match="does not compile"):
        decode_function("def (:", "x", serialized=False)


def test_task_payloads_in_both_data_formats_and_results() -> None:
    for data in (None, JSONData()):
        serde = ComputeSerializer(strategy_data=data)
        payload = serde.pack_buffers([serde.serialize((1, "a")), serde.serialize({"k": [2]})])
        assert decode_task(payload) == ([1, "a"], {"k": [2]})
    assert ComputeSerializer().deserialize(encode_result({"x": [1, 2]})) == {"x": [1, 2]}


def test_bad_payloads_name_the_problem() -> None:
    assert unpack(pack(["ab", "", "c\nd"])) == ["ab", "", "c\nd"]
    with pytest.raises(WireError, match="truncated"):
        unpack("10\nabc")
    with pytest.raises(WireError, match="<length>"):
        unpack("abc")
    with pytest.raises(WireError, match="'zz' is not served"):
        decode_function(pack(["zz\nwhatever"]), "f")
    with pytest.raises(WireError, match="args and kwargs"):
        decode_task(pack(["11\n[1]"]))
    serde = ComputeSerializer()
    not_json = serde.pack_buffers([serde.serialize((object(),)), serde.serialize({})])
    with pytest.raises(WireError, match="JSON"):
        decode_task(not_json)
