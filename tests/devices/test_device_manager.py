from pathlib import Path

from devices.base import DeviceStatus, DeviceUnavailable, Health
from devices.idcard.emulator import IdCardEmulator
from devices.idcard.reader import SerialIdCardReader
from devices.manager import DeviceManager
from devices.printer.profiles import PROFILES
from devices.printer.receipt_printer import EscposReceiptPrinter
from devices.printer.sink import VirtualPrinter


class Flaky:
    def __init__(self) -> None:
        self.health = Health.OK

    def status(self) -> DeviceStatus:
        if self.health is Health.FAILED:
            raise DeviceUnavailable("gone")
        return DeviceStatus(device="flaky", health=self.health)


def test_listeners_hear_edges_once_and_get_a_replay() -> None:
    flaky = Flaky()
    manager = DeviceManager({"flaky": flaky})
    early: list[tuple[Health, str | None]] = []
    manager.add_listener(lambda s: early.append((s.health, s.reason)))
    assert early == [(Health.UNKNOWN, None)]  # replayed before the first poll

    manager.poll_once()
    manager.poll_once()  # no change: no event
    flaky.health = Health.FAILED
    manager.poll_once()
    manager.poll_once()
    flaky.health = Health.OK
    manager.poll_once()
    assert early == [
        (Health.UNKNOWN, None),
        (Health.OK, None),
        (Health.FAILED, "unavailable"),
        (Health.OK, None),
    ]

    late: list[Health] = []
    manager.add_listener(lambda s: late.append(s.health))
    assert late == [Health.OK]


def test_real_devices_report_through_the_manager(tmp_path: Path) -> None:
    with (
        IdCardEmulator() as emulator,
        VirtualPrinter(tmp_path, PROFILES["80mm"]) as sink,
    ):
        reader = SerialIdCardReader(str(emulator.port), timeout=1.0)
        printer = EscposReceiptPrinter(sink.address, PROFILES["80mm"])
        manager = DeviceManager({"idcard": reader, "receipt_printer": printer})
        events: list[tuple[str, Health, str | None]] = []
        manager.add_listener(lambda s: events.append((s.device, s.health, s.reason)))
        states = manager.poll_once()
        assert states["idcard"].health is Health.OK
        assert states["receipt_printer"].health is Health.OK

        sink.set_paper("near_end")
        emulator.unplug()
        states = manager.poll_once()
        assert states["receipt_printer"].health is Health.DEGRADED
        assert states["receipt_printer"].reason == "paper_near_end"
        assert states["idcard"].health is Health.FAILED

        emulator.replug()
        sink.set_paper("ok")
        states = manager.poll_once()
        assert states["idcard"].health is Health.OK
        reader.close()
    assert ("receipt_printer", Health.DEGRADED, "paper_near_end") in events
