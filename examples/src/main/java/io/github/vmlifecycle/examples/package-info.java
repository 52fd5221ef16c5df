/**
 * Example programs: the README's quick start and an idle-VM reaper built on the engine, each with a
 * test that runs it against the fake hypervisor.
 */
package io.github.vmlifecycle.examples;
