"""The real SerialIdCardReader against the GA 467 emulator over a real pty."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from devices.base import DeviceTimeout, DeviceUnavailable, Health
from devices.idcard import errors
from devices.idcard.emulator import Fault, IdCardEmulator
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.samples import SAMPLES

TIMEOUT = 1.0


@pytest.fixture
def reader(emulator: IdCardEmulator) -> Iterator[SerialIdCardReader]:
    with SerialIdCardReader(emulator.port, timeout=TIMEOUT) as device:
        yield device


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_reads_every_card_type_end_to_end(
    slug: str, emulator: IdCardEmulator, reader: SerialIdCardReader
) -> None:
    emulator.present(SAMPLES[slug])
    assert reader.read_card() == SAMPLES[slug]


def test_no_card(emulator: IdCardEmulator, reader: SerialIdCardReader) -> None:
    assert reader.poll_card() is False
    with pytest.raises(errors.NoCard):
        reader.read_card()
    emulator.present(SAMPLES["chen_hao"])
    assert reader.poll_card() is True


@pytest.mark.parametrize(
    "faults",
    [[Fault.GARBAGE_PREFIX], [Fault.FRAGMENT], [Fault.GARBAGE_PREFIX, Fault.FRAGMENT]],
)
def test_garbage_and_fragmentation_are_absorbed(
    faults: list[Fault], emulator: IdCardEmulator, reader: SerialIdCardReader
) -> None:
    emulator.present(SAMPLES["wang_jianguo"])
    for fault in faults:
        emulator.inject(fault)
    assert reader.read_card() == SAMPLES["wang_jianguo"]
    assert reader.read_card() == SAMPLES["wang_jianguo"]  # persistent faults, still fine


def test_bad_checksum_once(emulator: IdCardEmulator, reader: SerialIdCardReader) -> None:
    emulator.present(SAMPLES["chen_hao"])
    emulator.inject(Fault.BAD_CHECKSUM_ONCE)
    with pytest.raises(errors.ChecksumError):
        reader.read_card()
    assert reader.read_card() == SAMPLES["chen_hao"]


def test_silence_times_out_then_recovers(
    emulator: IdCardEmulator, reader: SerialIdCardReader
) -> None:
    emulator.present(SAMPLES["chen_hao"])
    emulator.inject(Fault.SILENCE_ONCE)
    with pytest.raises(DeviceTimeout):
        reader.read_card()
    assert reader.read_card() == SAMPLES["chen_hao"]


def test_card_removed_mid_read(emulator: IdCardEmulator, reader: SerialIdCardReader) -> None:
    emulator.present(SAMPLES["li_jiaxin"])
    emulator.inject(Fault.REMOVE_MID_READ)
    with pytest.raises(errors.ReadFailed) as caught:
        reader.read_card()
    assert caught.value.sw3 == 0x41
    assert reader.poll_card() is False


def test_unknown_card_type(emulator: IdCardEmulator, reader: SerialIdCardReader) -> None:
    emulator.present(SAMPLES["chen_hao"])
    emulator.inject(Fault.UNKNOWN_CARD_TYPE)
    with pytest.raises(errors.UnsupportedCard):
        reader.read_card()


def test_unplug_then_replug(emulator: IdCardEmulator, reader: SerialIdCardReader) -> None:
    emulator.present(SAMPLES["zhang_xiuying"])
    assert reader.read_card() == SAMPLES["zhang_xiuying"]
    emulator.unplug()
    with pytest.raises(DeviceUnavailable):
        reader.read_card()  # the open port fails
    with pytest.raises(DeviceUnavailable):
        reader.read_card()  # the path is gone
    status = reader.status()
    assert (status.health, status.reason) == (Health.FAILED, "unavailable")
    emulator.replug()
    assert reader.read_card() == SAMPLES["zhang_xiuying"]
    assert reader.status().health is Health.OK


def test_missing_port_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        SerialIdCardReader("/nonexistent/ga467", timeout=TIMEOUT).open()


def test_sam_status_ok(reader: SerialIdCardReader) -> None:
    reader.sam_status()
    status = reader.status()
    assert (status.device, status.health, status.reason) == ("idcard", Health.OK, None)


def test_concurrent_callers_do_not_interleave_frames(
    emulator: IdCardEmulator, reader: SerialIdCardReader
) -> None:
    emulator.present(SAMPLES["john_smith"])
    emulator.inject(Fault.FRAGMENT)
    results: list[object] = []

    def worker() -> None:
        for _ in range(3):
            results.append(reader.read_card())
            results.append(reader.poll_card())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(SAMPLES["john_smith"]) == 9
    assert results.count(True) == 9


def test_never_logs_personal_data(
    emulator: IdCardEmulator, reader: SerialIdCardReader, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator.present(SAMPLES["zhang_xiuying"])
    reader.read_card()
    emulator.unplug()
    with pytest.raises(DeviceUnavailable):
        reader.read_card()
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    assert caplog.records
    assert "张秀英" not in logged
    assert "11010519491231002X" not in logged
