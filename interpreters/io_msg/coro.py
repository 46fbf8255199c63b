"""Coroutines, actors and futures, on greenlets.

Every Io coroutine is a greenlet.  The scheduler keeps a queue of runnable coroutines
(``Scheduler yieldingCoros``); ``yield`` puts the current coroutine at the back and switches to
the front one; ``resumeLater``, ``coroDoLater`` and a new actor go to the front (as in C Io).
``obj @msg(args)`` / ``obj @@msg(args)`` evaluate the arguments in the caller, queue the
message on ``obj``'s actor (one coroutine per receiving object, made on demand and kept in its
``actorCoroutine`` slot) and return a future (``@``) or nil (``@@``).  An actor whose queue is
empty is idle (C Io pauses it): the next message puts it back at the front of the queue.  A future forwards every message to its value,
waiting for it (letting other coroutines run) if it is not ready yet.  When the main program
ends, queued coroutines are run to completion.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Deque, Dict, List, Optional

import greenlet

from . import evaluator as ev
from .evaluator import S, eval_arg, eval_arg_at, eval_chain
from .objects import (IoCFunction, IoCoroutine, IoError, IoList, IoMessage, IoObject,
                      ReturnSignal, StopSignal, get_own_slot, root_map, set_slot)
from .runtime import prim


class Scheduler:
    def __init__(self) -> None:
        self.queue: Deque[IoCoroutine] = deque()
        self.actors: Dict[int, IoCoroutine] = {}


def _new_coro(rt: Any, proto: Any = None) -> IoCoroutine:
    c = IoCoroutine(root_map((proto if proto is not None else rt.protos["Coroutine"],)), [])
    c.glet = None
    c.parent = None
    c.result = S.nil
    c.exception = S.nil
    c.running = False
    c.finished = False
    c.actor_queue = None
    c.run_target = None
    c.run_message = None
    c.run_locals = None
    c.label = ""
    c.recent = None
    return c


def init_main(rt: Any) -> None:
    rt.scheduler = Scheduler()
    main = _new_coro(rt)
    main.glet = greenlet.getcurrent()
    main.running = True
    rt.main_coro = main
    rt.current_coro = main


def reset_main(rt: Any) -> None:
    """Bind the main coroutine to the greenlet actually running the program (the CLI runs the
    interpreter in a thread with a large stack)."""
    rt.main_coro.glet = greenlet.getcurrent()


def _switch_to(rt: Any, coro: IoCoroutine) -> None:
    if coro is rt.current_coro:
        return
    # as C Io's rawResume/rawRun: coro is now the most recently run of its chain
    c = coro
    while c is not None:
        c.recent = coro
        c = c.parent
    if coro.glet is None:
        coro.glet = greenlet.greenlet(_runner, parent=rt.main_coro.glet)
    rt.current_coro = coro
    coro.glet.switch(rt, coro)


def _next_runnable(rt: Any) -> Optional[IoCoroutine]:
    q = rt.scheduler.queue
    while q:
        c = q.popleft()
        if not c.finished:
            return c
    return None


def _runner(rt: Any, coro: IoCoroutine) -> None:
    coro.running = True
    try:
        if coro.actor_queue is not None:
            _process_actor(rt, coro)
        else:
            try:
                coro.result = eval_chain(coro.run_message, coro.run_target, coro.run_locals)
            except ReturnSignal as r:
                coro.result = r.value
            except StopSignal:
                pass
    except IoError as e:
        exc = rt.exception_of(e)
        coro.exception = exc
        rt.write(rt.format_uncaught(e))
    glet = coro.glet
    if coro.actor_queue is not None:
        # an idle actor: not finished; its next message starts a fresh greenlet
        coro.glet = None
    else:
        coro.finished = True
    coro.running = False
    nxt = coro.parent if coro.parent is not None and not coro.parent.finished else None
    if nxt is not None and nxt in rt.scheduler.queue:
        rt.scheduler.queue.remove(nxt)
    if nxt is None:
        nxt = _next_runnable(rt)
    if nxt is None:
        nxt = rt.main_coro
    if nxt.glet is None:
        nxt.glet = greenlet.greenlet(_runner, parent=rt.main_coro.glet)
        glet.parent = nxt.glet
        rt.current_coro = nxt
        nxt.glet.switch(rt, nxt)
        return
    glet.parent = nxt.glet
    rt.current_coro = nxt


def do_yield(rt: Any) -> None:
    nxt = _next_runnable(rt)
    if nxt is None:
        return
    rt.scheduler.queue.append(rt.current_coro)
    _switch_to(rt, nxt)


def drain(rt: Any) -> None:
    """Run queued coroutines until none is left (called when the main program ends)."""
    while rt.scheduler.queue:
        do_yield(rt)


# ------------------------------------------------------------------------------ actors


class Future:
    __slots__ = ("value", "ready", "exception")

    def __init__(self) -> None:
        self.value: Any = None
        self.ready = False
        self.exception: Any = None


def _process_actor(rt: Any, coro: IoCoroutine) -> None:
    q = coro.actor_queue
    target = coro.run_target
    while q:
        # the message leaves the queue once handled (as C Io's actorProcessQueue), so a send
        # to a busy actor does not reschedule it
        msg, fut = q[0]
        try:
            r = ev.send(target, target, msg)
        except IoError as e:
            rt.write(rt.format_uncaught(e))
            r = S.nil
            if fut is not None:
                fut.exception = rt.exception_of(e)
        except StopSignal:
            r = S.nil
        if fut is not None:
            fut.value = r
            fut.ready = True
        q.popleft()
        if q:
            do_yield(rt)
    rt.scheduler.actors.pop(id(target), None)


def _async_send(target: Any, loc: Any, m: IoMessage, want_future: bool) -> Any:
    rt = S.runtime
    if not m.args:
        raise rt.error("%s needs a message argument, as in obj %sfoo(1)" % (m.name, m.name),
                       target, m)
    am = m.args[0]
    vals = [eval_arg(a, loc) for a in am.args]
    msg = IoMessage(am.name, [IoMessage("<arg>", [], am.line, am.label, v) for v in vals],
                    am.line, am.label)
    fut = Future() if want_future else None
    actor = get_own_slot(target, "actorCoroutine")
    if type(actor) is not IoCoroutine or actor.actor_queue is None:
        # as C Io's actorRun: the object's actor coroutine, run before anything else queued
        actor = _new_coro(rt)
        actor.actor_queue = deque()
        actor.run_target = target
        set_slot(target, "actorCoroutine", actor)
        rt.scheduler.queue.appendleft(actor)
    elif not actor.actor_queue:
        _resume_later(rt, actor)
    # kept here until its queue is empty, so a suspended actor greenlet is not freed
    rt.scheduler.actors[id(target)] = actor
    actor.actor_queue.append((msg, fut))
    if fut is None:
        return S.nil
    return make_future_proxy(rt, fut)


def wait_future(rt: Any, fut: Future, m: Optional[IoMessage]) -> Any:
    while not fut.ready:
        nxt = _next_runnable(rt)
        if nxt is None:
            raise rt.error("deadlock: waiting on a future that no coroutine will resolve",
                           None, m)
        rt.scheduler.queue.append(rt.current_coro)
        _switch_to(rt, nxt)
    return fut.value


def make_future_proxy(rt: Any, fut: Future) -> IoObject:
    proxy = IoObject(root_map(()), [])
    proxy_fut = fut

    def forward(target: Any, loc: Any, m: IoMessage) -> Any:
        v = wait_future(rt, proxy_fut, m)
        return ev.send(v, loc, m)

    def value(target: Any, loc: Any, m: IoMessage) -> Any:
        return wait_future(rt, proxy_fut, m)

    def is_ready(target: Any, loc: Any, m: IoMessage) -> Any:
        return rt.bool(proxy_fut.ready)

    set_slot(proxy, "forward", IoCFunction(forward, "forward", "FutureProxy"))
    set_slot(proxy, "waitOnResult", IoCFunction(value, "waitOnResult", "FutureProxy"))
    set_slot(proxy, "futureValue", IoCFunction(value, "futureValue", "FutureProxy"))
    set_slot(proxy, "isReady", IoCFunction(is_ready, "isReady", "FutureProxy"))
    return proxy


@prim("Object", "@", "futureSend")
def obj_future_send(target: Any, loc: Any, m: IoMessage) -> Any:
    return _async_send(target, loc, m, True)


@prim("Object", "@@", "asyncSend")
def obj_async_send(target: Any, loc: Any, m: IoMessage) -> Any:
    return _async_send(target, loc, m, False)


# ------------------------------------------------------------------------------ coroutines


@prim("Object", "yield")
def obj_yield(target: Any, loc: Any, m: IoMessage) -> Any:
    do_yield(S.runtime)
    return S.nil


def _coro_for(target: Any, loc: Any, m: IoMessage) -> IoCoroutine:
    rt = S.runtime
    c = _new_coro(rt)
    c.run_target = target
    c.run_locals = loc
    c.run_message = m.args[0] if m.args else None
    return c


@prim("Object", "coroFor")
def obj_coro_for(target: Any, loc: Any, m: IoMessage) -> Any:
    return _coro_for(target, loc, m)


@prim("Object", "coroDo")
def obj_coro_do(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    c = _coro_for(target, loc, m)
    rt.scheduler.queue.appendleft(rt.current_coro)
    _switch_to(rt, c)
    return c


@prim("Object", "coroDoLater")
def obj_coro_do_later(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    c = _coro_for(target, loc, m)
    rt.scheduler.queue.appendleft(c)
    return c


@prim("Coroutine", "currentCoroutine")
def coro_current(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.current_coro


@prim("Coroutine", "run", "resume")
def coro_resume(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    if not isinstance(target, IoCoroutine) or target.finished:
        return target
    if target is rt.current_coro:
        return target
    if target in rt.scheduler.queue:
        rt.scheduler.queue.remove(target)
    if m.name == "run" and target.parent is None:
        target.parent = rt.current_coro
    else:
        rt.scheduler.queue.appendleft(rt.current_coro)
    _switch_to(rt, target)
    return target


def _resume_later(rt: Any, coro: IoCoroutine) -> None:
    """C Io's resumeLater: the coroutine goes to the front of the queue (run at the next
    yield)."""
    q = rt.scheduler.queue
    if coro in q:
        q.remove(coro)
    if not coro.finished and coro is not rt.current_coro:
        q.appendleft(coro)


@prim("Coroutine", "resumeLater")
def coro_resume_later(target: Any, loc: Any, m: IoMessage) -> Any:
    if isinstance(target, IoCoroutine):
        _resume_later(S.runtime, target)
    return target


def _pause(rt: Any, coro: IoCoroutine, m: IoMessage) -> None:
    """C Io's pause: off the queue; if it is the running coroutine, switch to the next one
    (it runs again only when resumed)."""
    q = rt.scheduler.queue
    if coro in q:
        q.remove(coro)
    if coro is not rt.current_coro:
        return
    nxt = _next_runnable(rt)
    if nxt is None:
        raise rt.error("pause: no other coroutine to run (deadlock)", coro, m)
    _switch_to(rt, nxt)


@prim("Coroutine", "pause")
def coro_pause(target: Any, loc: Any, m: IoMessage) -> Any:
    if isinstance(target, IoCoroutine):
        _pause(S.runtime, target, m)
    return target


@prim("Object", "pause")
def obj_pause(target: Any, loc: Any, m: IoMessage) -> Any:
    """Pause the running coroutine (``Coroutine currentCoroutine pause``)."""
    _pause(S.runtime, S.runtime.current_coro, m)
    return S.nil


@prim("Coroutine", "recentInChain")
def coro_recent_in_chain(target: Any, loc: Any, m: IoMessage) -> Any:
    """The coroutine of this one's chain (it and the coroutines it ran) that ran most
    recently."""
    if isinstance(target, IoCoroutine) and target.recent is not None:
        return target.recent
    return target


@prim("Coroutine", "isFinished")
def coro_is_finished(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(isinstance(target, IoCoroutine) and target.finished)


@prim("Coroutine", "isCurrent")
def coro_is_current(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target is S.runtime.current_coro)


@prim("Coroutine", "result")
def coro_result(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.result if isinstance(target, IoCoroutine) else S.nil


@prim("Coroutine", "exception")
def coro_exception(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.exception if isinstance(target, IoCoroutine) else S.nil


@prim("Coroutine", "setRunMessage")
def coro_set_run_message(target: Any, loc: Any, m: IoMessage) -> Any:
    target.run_message = eval_arg_at(m, loc, 0)
    return target


@prim("Coroutine", "setRunTarget")
def coro_set_run_target(target: Any, loc: Any, m: IoMessage) -> Any:
    target.run_target = eval_arg_at(m, loc, 0)
    return target


@prim("Coroutine", "setRunLocals")
def coro_set_run_locals(target: Any, loc: Any, m: IoMessage) -> Any:
    target.run_locals = eval_arg_at(m, loc, 0)
    return target


@prim("Coroutine", "clone")
def coro_clone(target: Any, loc: Any, m: IoMessage) -> Any:
    return _new_coro(S.runtime, target)


@prim("Coroutine", "yieldingCoros")
def coro_yielding(target: Any, loc: Any, m: IoMessage) -> Any:
    q: List[Any] = list(S.runtime.scheduler.queue)
    return IoList(q)


__all__ = ["drain", "reset_main", "init_main"]
