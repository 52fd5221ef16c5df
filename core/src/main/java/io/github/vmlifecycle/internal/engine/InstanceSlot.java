package io.github.vmlifecycle.internal.engine;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the engine keeps in memory for one instance: the lock that serialises execution on it, and the
 * request ids it has accepted and not finished (queued or running; at most two, when a hard reboot
 * pre-empts another task). Per instance, so that threads working on different instances share nothing.
 */
final class InstanceSlot {
  final ReentrantLock executionLock = new ReentrantLock();
  final Set<String> inFlight = new CopyOnWriteArraySet<>();
  /**
   * A power-state sync was asked for and has not started yet: set by every request, cleared by the
   * sync that runs, so that a request arriving while another sync looks is served by a second look.
   */
  final AtomicBoolean syncRequested = new AtomicBoolean();
}
