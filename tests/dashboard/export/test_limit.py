"""The export bound (dashboard.export.limit) and the renderer's reaping, in one process and across
processes: tickets refuse at once beyond renders + queue, a render slot is waited for until a
deadline, a killed holder frees its slot, an idle or wanted renderer closes and leaves no chromium."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from dashboard import config
from dashboard.export import limit, procs
from dashboard.export.render import Renderer

BLANK = {"data": [], "layout": {}}


def settings(renders=1, queue=1, per_process=10, idle=60.0, queue_wait=5.0) -> config.Exports:
    return config.Exports(timeout=60.0, tabs=1, renders=renders, queue=queue, queue_wait=queue_wait, idle=idle,
                          run_dir=None, nice=10, per_process=per_process)


def test_settings_are_read_once_and_a_bad_value_names_its_variable(monkeypatch):
    monkeypatch.setenv("EXPORT_RENDERS", "2")
    monkeypatch.setenv("DASHBOARD_THREADS", "4")
    config.reset()
    try:
        s = config.exports()
        assert (s.renders, s.queue, s.per_process) == (2, 2, 3)  # a gthread worker keeps a thread for the page
        monkeypatch.setenv("EXPORT_RENDERS", "9")
        assert config.exports().renders == 2  # read once
        monkeypatch.setenv("DASHBOARD_SERVER", "flask")
        config.reset()
        assert config.exports().per_process == 9 + 2
        monkeypatch.setenv("EXPORT_QUEUE", "-1")
        config.reset()
        with pytest.raises(ValueError, match="EXPORT_QUEUE"):
            config.exports()
    finally:
        monkeypatch.undo()
        config.reset()


def test_beyond_renders_plus_queue_an_export_is_refused_at_once(tmp_path):
    gate = limit.Gate(settings(renders=1, queue=1), tmp_path)
    with gate.admit(), gate.admit():
        with pytest.raises(limit.QueueFull, match="queue is full"):
            with gate.admit():
                pass
    with gate.admit():  # the tickets came back
        pass


def test_one_process_takes_no_more_than_its_share(tmp_path):
    gate = limit.Gate(settings(renders=1, queue=5, per_process=1), tmp_path)
    with gate.admit():
        with pytest.raises(limit.QueueFull, match="already making an export"):
            with gate.admit():
                pass


def test_a_render_slot_is_waited_for_and_others_see_the_wait(tmp_path):
    gate = limit.Gate(settings(renders=1), tmp_path)
    held = gate.take_render_slot(time.monotonic())
    assert not gate.someone_waits()
    with pytest.raises(limit.QueueFull, match="in time"):
        gate.take_render_slot(time.monotonic() + 0.3)
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(gate.take_render_slot(time.monotonic() + 20)))
    waiter.start()
    deadline = time.monotonic() + 10
    while not gate.someone_waits() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gate.someone_waits()
    held.release()
    waiter.join(20)
    assert got and got[0].index == 0 and not gate.someone_waits()
    got[0].release()


def _hold_slot(directory, ready):
    gate = limit.Gate(settings(renders=1), directory)
    gate.take_render_slot(time.monotonic())
    ready.set()
    time.sleep(120)


def test_the_bound_holds_across_processes_and_a_killed_holder_frees_its_slot(tmp_path):
    ready = multiprocessing.get_context("fork").Event()
    child = multiprocessing.get_context("fork").Process(target=_hold_slot, args=(tmp_path, ready), daemon=True)
    child.start()
    try:
        assert ready.wait(20)
        gate = limit.Gate(settings(renders=1), tmp_path)
        assert gate.renders.try_take() is None  # held by the other process
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        slot = gate.take_render_slot(time.monotonic() + 5)  # the kernel released it with the process
        slot.release()
    finally:
        if child.is_alive():
            child.kill()


def chromium_below_us() -> list[int]:
    """This process's own chromium processes (not a browser test's or a served app's)."""
    return procs.own_chromium(os.getpid())


def gone_within(seconds: float) -> list[int]:
    """The chromium processes still below this one after waiting up to `seconds` for them to go."""
    deadline = time.monotonic() + seconds
    while chromium_below_us() and time.monotonic() < deadline:
        time.sleep(0.1)
    return chromium_below_us()


@pytest.fixture
def no_other_renderer():
    from dashboard.export import render

    render.renderer().close()  # the module's renderer of an earlier test
    assert gone_within(20) == [], "a chromium process was left by an earlier test"


def test_an_idle_renderer_is_closed_and_leaves_no_chromium_process(no_other_renderer):
    own = Renderer(idle=1.0)
    try:
        assert own.render(BLANK, "svg", 100, 100)[:4] == b"<svg"
        assert own.is_open and chromium_below_us()
        assert gone_within(20) == []  # closed after 1 s unused, killed and reaped: no zombie either
        assert not own.is_open
        assert own.render(BLANK, "svg", 100, 100)[:4] == b"<svg"  # opens again
    finally:
        own.close()
    assert gone_within(0) == []


def test_a_renderer_gives_its_slot_up_when_another_process_waits(no_other_renderer, tmp_path):
    gate = limit.Gate(settings(renders=1), tmp_path)
    own = Renderer(gate=gate, idle=600)
    try:
        own.render(BLANK, "svg", 100, 100)
        assert own.is_open and own.slot == 0
        other = limit.Gate(settings(renders=1), tmp_path)  # another process's view of the same files
        slot = other.take_render_slot(time.monotonic() + 30)
        assert not own.is_open and gone_within(0) == []  # the slot came back after chromium ended
        slot.release()
    finally:
        own.close()


def test_a_job_keeps_its_renderer_while_another_waits(no_other_renderer, tmp_path):
    gate = limit.Gate(settings(renders=1, queue=1), tmp_path)
    own = Renderer(gate=gate, idle=600)
    other = limit.Gate(settings(renders=1, queue=1), tmp_path)
    try:
        with own.job("test"):
            with pytest.raises(limit.QueueFull):  # the job holds the slot while it builds its next page
                other.take_render_slot(time.monotonic() + 1.0)
            assert own.render(BLANK, "svg", 100, 100)[:4] == b"<svg"
        other.take_render_slot(time.monotonic() + 30).release()  # handed over once the job ended
    finally:
        own.close()


def test_an_exports_own_threads_yield_to_the_page_and_the_request_thread_does_not(monkeypatch):
    """An export's Python work (figures, layout, PDF) runs in threads at EXPORT_NICE; the thread that
    answers the page's callbacks keeps its priority (Linux: a niceness set for a thread id holds for
    that thread alone)."""
    from dashboard.export import render

    monkeypatch.setenv("EXPORT_NICE", "7")
    config.reset()
    try:
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        pool = render.ThreadPoolExecutor(max_workers=1, initializer=render.lower_own_priority)
        seen = pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
        pool.shutdown()
        assert seen == max(7, mine)
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
        assert render._export_threads()._initializer is render.lower_own_priority
    finally:
        config.reset()


def test_the_children_of_a_process_that_has_ended_are_none():
    """A process can end between being listed and being read (a chromium helper, a test's watcher
    walking the tree): that is no children, not an error in the thread walking the tree."""
    import subprocess

    child = subprocess.Popen(["sleep", "30"])
    assert child.pid in procs.children(os.getpid())
    child.kill()
    child.wait()
    assert procs.children(child.pid) == []
    assert child.pid not in procs.descendants(os.getpid())


def test_a_process_ending_while_its_threads_are_listed_has_no_children(monkeypatch):
    """The race CI met: /proc/<pid>/task existed when looked up, was gone when read."""
    class Ending(type(procs.Path())):
        def iterdir(self):
            raise FileNotFoundError(2, "No such file or directory", str(self))

        def glob(self, pattern):
            return self.iterdir()

    monkeypatch.setattr(procs, "Path", Ending)
    assert procs.children(os.getpid()) == []


def test_an_open_renderer_yields_and_a_cut_start_leaves_no_chromium(no_other_renderer, monkeypatch, request):
    """chromium and the renderer's thread run at EXPORT_NICE (chromium from its start: it is forked
    by that thread, and as root it cannot raise its own priority: procs.keep_priorities_down). A start cut short kills every chromium process it had forked, none is left
    behind."""
    from dashboard.export import render

    monkeypatch.setenv("EXPORT_NICE", "10")
    config.reset()
    request.addfinalizer(config.reset)
    lowest: dict[int, int] = {}  # each chromium process's lowest niceness seen while it starts and draws
    done = threading.Event()

    before = set(procs.descendants(os.getpid()))

    def started_chromium() -> list[int]:
        """chromium processes started since (below kaleido's wrapper, a Python); not its crash
        handlers, which only wait for a crash and are re-parented (an earlier renderer's among them)."""
        return [p for p in set(procs.descendants(os.getpid())) - before
                if (name := (procs.stat(p) or ("",))[0]).startswith("chrom") and "crashpad" not in name]

    def watch():
        while not done.is_set():
            for pid in started_chromium():
                try:
                    lowest[pid] = min(os.getpriority(os.PRIO_PROCESS, pid), lowest.get(pid, 99))
                except OSError:
                    pass
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    own_group = autogroup_nice(os.getpid()) if AUTOGROUP else None
    own = Renderer()
    try:
        assert own.render(BLANK, "svg", 100, 100)[:4] == b"<svg"
        done.set()
        watcher.join(5)
        chromium = started_chromium()
        assert chromium and all(os.getpriority(os.PRIO_PROCESS, p) >= 10 for p in chromium)
        # from its start: forked by the niced thread, and (as root) unable to raise its own priority
        assert lowest and min(lowest.values()) >= 10, lowest
        assert os.getpriority(os.PRIO_PROCESS, own._thread.native_id) >= 10
        if AUTOGROUP:  # chromium leads a session of its own: its session's scheduling group is niced too
            groups = {autogroup_nice(p) for p in chromium if os.getsid(p) != os.getsid(0)}
            assert groups and min(groups) >= 10, groups
            assert autogroup_nice(os.getpid()) == own_group  # never the server's own
    finally:
        own.close()
    assert gone_within(20) == []

    monkeypatch.setattr(render, "START_TIMEOUT", 0.3)  # chromium is forked, not yet answering
    cut = Renderer()
    with pytest.raises(render.ExportError, match="did not start"):
        cut.render(BLANK, "svg", 100, 100)
    assert not cut.is_open
    assert gone_within(5) == []


# Autogroup applies to this process only where its /proc/self/autogroup names a group: in a cpu cgroup
# of its own (CI's container) the file is there but empty, and the cgroup groups it instead.
AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled").exists() \
    and Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1" \
    and procs.autogroup_nice(os.getpid()) is not None


def autogroup_nice(pid: int) -> int:
    nice = procs.autogroup_nice(pid)
    assert nice is not None, f"no autogroup for {pid}"
    return nice


def test_an_empty_or_odd_autogroup_file_means_no_autogroup():
    """CI's container: /proc/self/autogroup exists but is empty (the process is in a cpu cgroup)."""
    assert procs.parse_autogroup("/autogroup-11502 nice 0\n") == 0
    assert procs.parse_autogroup("/autogroup-7 nice 15") == 15
    assert procs.parse_autogroup("") is None
    assert procs.parse_autogroup("nice") is None
    assert procs.parse_autogroup("/autogroup-7 nice x") is None


@pytest.mark.skipif(not AUTOGROUP, reason="this kernel does not group processes by session (sched_autogroup)")
def test_a_process_in_a_session_of_its_own_gets_its_group_niced_and_this_sessions_group_is_left():
    """With autogroup, a niceness counts only within a session: chromium (its launcher starts a
    session) and anything else in another session is niced as a group; a child in this session
    (the report process: a process group, not a session) is niced alone, never the server's group."""
    own = autogroup_nice(os.getpid())
    apart = subprocess.Popen(["sleep", "30"], start_new_session=True)
    beside = subprocess.Popen(["sleep", "30"], process_group=0)
    try:
        procs.lower_priority([apart.pid, beside.pid], 15)
        assert autogroup_nice(apart.pid) == 15 and os.getpriority(os.PRIO_PROCESS, apart.pid) == 15
        assert os.getpriority(os.PRIO_PROCESS, beside.pid) == 15
        assert autogroup_nice(beside.pid) == autogroup_nice(os.getpid()) == own  # this session's group untouched
        assert procs.lower_autogroup(os.getpid(), 19) is False and autogroup_nice(os.getpid()) == own
    finally:
        for child in (apart, beside):
            child.kill()
            child.wait()
